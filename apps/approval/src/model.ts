/**
 * The model. With an OpenAI key configured (openai.api_key in mcp_agent.secrets.yaml, or
 * OPENAI_API_KEY) the assistant asks OpenAI. Without one, a scripted assistant answers on a local
 * server that speaks the OpenAI wire protocol, so the real `openai` SDK and the engine run as they
 * would against OpenAI; only the model is a stand-in. Node only.
 *
 * The script works from what it is sent: it summarises a document by its first sentence and
 * lists the amounts and dates it mentions.
 */
import { loadSettings } from '@mcp-agent/core/config';
import { startLocalLlmServer, type LlmReply, type LocalLlmServer, type RecordedLlmRequest } from '@mcp-agent/testing';

/** What the scripted assistant says to a request. */
export function scriptedReply(request: RecordedLlmRequest): LlmReply {
  const prompt = request.lastUserMessage ?? '';
  const match = /^Process document "(.*)" for approval:\n\n([\s\S]*)$/.exec(prompt);
  if (match === null) return { text: 'I prepare documents for approval; send me one.' };
  const [, title = '', text = ''] = match;
  const firstSentence = /^[^.!?]*[.!?]?/.exec(text.trim())?.[0] ?? '';
  const amounts = [...text.matchAll(/\b(?:EUR|USD|€|\$) ?[\d,.]+\b/g)].map((found) => found[0]);
  const dates = [...text.matchAll(/\b\d{4}-\d{2}-\d{2}\b/g)].map((found) => found[0]);
  const attention = [...(amounts.length > 0 ? [`amounts ${amounts.join(', ')}`] : []), ...(dates.length > 0 ? [`dates ${dates.join(', ')}`] : [])];
  return { text: `"${title}": ${firstSentence} Check: ${attention.length > 0 ? attention.join('; ') : 'nothing in particular'}.` };
}

/** Starts the scripted assistant on a local OpenAI wire-protocol server. */
export function startScriptedModel(): Promise<LocalLlmServer> {
  return startLocalLlmServer({ script: { rules: [{ match: () => true, reply: scriptedReply }] } });
}

/**
 * When no OpenAI key is configured, starts the scripted model and points the SDK at it
 * (OPENAI_API_KEY, OPENAI_BASE_URL). Returns the server, if started, and a line saying which
 * model answers. Call it before the app initializes.
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
