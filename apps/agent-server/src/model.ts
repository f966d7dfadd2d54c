/**
 * The model. With an OpenAI key configured (openai.api_key in mcp_agent.secrets.yaml, or
 * OPENAI_API_KEY) the support agent asks OpenAI. Without one, a scripted model answers on a local
 * server that speaks the OpenAI wire protocol, so the real `openai` SDK, the agent and the engine
 * run as they would against OpenAI; only the model is a stand-in. Node only.
 *
 * The script answers like a support agent would: it looks up the order the question names with
 * the agent's `lookup_order` tool, then answers from what the tool returned.
 */
import { loadSettings } from '@mcp-agent/core/config';
// The openai section (its key, base URL and model) belongs to the provider, which registers it.
import '@mcp-agent/providers-openai/config';
import { startLocalLlmServer, type LlmReply, type LocalLlmServer, type RecordedLlmRequest } from '@mcp-agent/testing';

interface WireMessage {
  role: string;
  content?: unknown;
}

const textOf = (content: unknown): string =>
  typeof content === 'string' ? content : Array.isArray(content) ? content.map((part) => String((part as { text?: unknown }).text ?? '')).join('\n') : '';

/** The scripted support agent's answer to one request. */
export function scriptedReply(request: RecordedLlmRequest): LlmReply {
  const messages = (request.body.messages ?? []) as WireMessage[];
  const toolResults = messages.filter((message) => message.role === 'tool').map((message) => textOf(message.content));
  const question = request.lastUserMessage ?? '';
  const orderId = /\b([A-Z]\d{4})\b/i.exec(question)?.[1]?.toUpperCase();
  if (orderId === undefined) return { text: 'I can help with your order. Could you give me its number, such as A1001?' };
  if (toolResults.length === 0) return { toolCalls: [{ name: 'lookup_order', arguments: { order_id: orderId } }] };
  try {
    const order = JSON.parse(toolResults[0] ?? '') as { order_id: string; item: string; status: string; total_eur: number };
    return { text: `Your ${order.item} (order ${order.order_id}, ${order.total_eur} EUR) is ${order.status}. Anything else I can do for you?` };
  } catch {
    return { text: `${toolResults[0] ?? 'I could not find that order.'} Please check the number on your receipt.` };
  }
}

/** Starts the scripted model on a local OpenAI wire-protocol server. */
export function startScriptedModel(): Promise<LocalLlmServer> {
  return startLocalLlmServer({ script: { rules: [{ match: () => true, reply: scriptedReply }] } });
}

/**
 * When no OpenAI key is configured, starts the scripted model and points the SDK at it
 * (OPENAI_API_KEY, OPENAI_BASE_URL). Returns the server, if started, and a line saying which
 * model answers. Call it before the app's executor starts.
 */
export async function useLocalModelUnlessConfigured(): Promise<{ server: LocalLlmServer | undefined; description: string }> {
  const key = loadSettings().settings.openai?.api_key;
  if (key !== undefined && key !== '') return { server: undefined, description: 'model: OpenAI (an API key is configured), gpt-4o-mini from mcp_agent.config.yaml' };
  const server = await startScriptedModel();
  process.env.OPENAI_API_KEY = 'local-scripted-model';
  process.env.OPENAI_BASE_URL = server.openaiBaseUrl;
  return {
    server,
    description: `model: no OpenAI key is configured (openai.api_key or OPENAI_API_KEY), so a scripted model answers on a local OpenAI wire-protocol server (${server.openaiBaseUrl})`,
  };
}
