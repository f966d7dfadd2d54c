/**
 * The scripted model the demo uses when no OPENAI_API_KEY is set: a local server that speaks the
 * OpenAI wire protocol (so the real `openai` SDK runs), answering with a fixed plan: list the
 * folder, read the invoice file, then answer from what the tools returned. It is a stand-in for
 * the model only; the MCP server, the agent and the engine are real.
 */
import { startLocalLlmServer, type LocalLlmServer, type LlmReply, type RecordedLlmRequest } from '@mcp-agent/testing';

interface WireMessage {
  role: string;
  content?: unknown;
  tool_calls?: Array<{ function?: { name?: string } }>;
}

function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map((part) => (typeof part === 'object' && part !== null && 'text' in part ? String(part.text) : '')).join('');
  return '';
}

/** What the scripted model says next, from the conversation so far. */
function nextReply(request: RecordedLlmRequest, folder: string): LlmReply {
  const messages = (request.body.messages ?? []) as WireMessage[];
  const toolResults = messages.filter((message) => message.role === 'tool');
  if (toolResults.length === 0) {
    return { toolCalls: [{ name: 'filesystem_list_directory', arguments: { path: folder } }] };
  }
  if (toolResults.length === 1) {
    const listing = contentText(toolResults[0]?.content);
    const file = /\[FILE\]\s+(\S*invoice\S*)/i.exec(listing)?.[1] ?? 'invoices.txt';
    return { toolCalls: [{ name: 'filesystem_read_text_file', arguments: { path: `${folder}/${file}` } }] };
  }
  const invoices = contentText(toolResults.at(-1)?.content).trim();
  const lines = invoices.split('\n').filter((line) => line.trim() !== '');
  return {
    text: `The folder holds ${lines.length} invoices; the largest is "${lines.sort((a, b) => Number(b.match(/(\d+) EUR/)?.[1] ?? 0) - Number(a.match(/(\d+) EUR/)?.[1] ?? 0))[0] ?? ''}".`,
  };
}

/** Starts the local server with the scripted model for `folder`. */
export function startScriptedModel(folder: string): Promise<LocalLlmServer> {
  return startLocalLlmServer({ script: { rules: [{ match: () => true, reply: (request) => nextReply(request, folder) }] } });
}
