/**
 * The model. With an OpenAI key configured (openai.api_key in mcp_agent.secrets.yaml, or
 * OPENAI_API_KEY) the classifier and the agents ask OpenAI, and the embeddings come from OpenAI.
 * Without one, a scripted model answers on a local server that speaks the OpenAI wire protocol,
 * so the real `openai` SDK, the patterns and the engine run as they would against OpenAI; only
 * the model is a stand-in. Node only.
 *
 * The scripted model answers the LLM intent classifier by the structure its request asks for
 * (`classifications`), naming the intents whose words the request uses, and each help desk agent
 * by its instruction. The local server computes the embeddings itself: texts that share words get
 * similar vectors.
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
  typeof content === 'string'
    ? content
    : Array.isArray(content)
      ? content.map((part) => (typeof part === 'object' && part !== null && 'text' in part ? String((part as { text: unknown }).text) : '')).join('\n')
      : '';

/** What a request holds, as the script reads it. */
function read(request: RecordedLlmRequest) {
  const messages = (request.body.messages ?? []) as WireMessage[];
  const system = textOf(messages.find((message) => message.role === 'system')?.content);
  const format = request.body.response_format as { json_schema?: { schema?: { properties?: Record<string, unknown> } } } | undefined;
  const structure = Object.keys(format?.json_schema?.schema?.properties ?? {});
  // The classification prompt is the first user message; later ones are corrections.
  const prompt = textOf(messages.find((message) => message.role === 'user')?.content);
  return { system, user: request.lastUserMessage ?? '', prompt, structure };
}

/** The words that show an intent, by intent name. */
const SIGNS: Record<string, RegExp> = {
  greeting: /\b(hello|hi|hey|good (morning|afternoon|evening)|how are you)\b/i,
  farewell: /\b(goodbye|bye|see you|take care|good night)\b/i,
};

/** The LLM classifier's answer: the intents the request shows, where in the request they show first. */
export function classify(prompt: string): { classifications: unknown[] } {
  const request = /The request:\n([\s\S]*?)\n\nAnswer with/.exec(prompt)?.[1] ?? '';
  const topK = Number(/Answer with up to (\d+) intents/.exec(prompt)?.[1] ?? '1');
  const offered = [...prompt.matchAll(/^\d+\. (\S+)$/gm)].map((match) => match[1] as string);
  const found = offered
    .map((intent) => ({ intent, at: SIGNS[intent]?.exec(request)?.index ?? -1 }))
    .filter(({ at }) => at >= 0)
    .sort((a, b) => a.at - b.at)
    .slice(0, topK);
  // A name after the greeting or farewell is an entity that matters to it.
  const person = /\b(?:[Hh]ello|[Hh]i|[Hh]ey|[Gg]oodbye|[Bb]ye)\b,?\s+([A-Z][a-z]+)\b/.exec(request)?.[1];
  return {
    classifications: found.map(({ intent }, index) => ({
      intent,
      confidence: index === 0 ? 'high' : 'medium',
      pScore: index === 0 ? 0.95 : 0.6,
      reasoning: `The request says "${SIGNS[intent]?.exec(request)?.[0]}", which is a ${intent === 'greeting' ? 'greeting' : 'farewell'}.`,
      entities: person === undefined ? [] : [{ name: 'person', value: person }],
    })),
  };
}

/** The scripted answer to one request. */
export function scriptedReply(request: RecordedLlmRequest): LlmReply {
  const { system, user, prompt, structure } = read(request);
  if (structure.includes('classifications')) return { text: JSON.stringify(classify(prompt)) };

  if (system.startsWith('You answer questions about invoices')) {
    return /double|twice/i.test(user)
      ? { text: 'I’m sorry you were charged twice. I have flagged the duplicate charge; the refund reaches your card within 5 business days.' }
      : { text: 'I can help with your invoices, charges, refunds and payments. What do you need?' };
  }
  if (system.startsWith('You fix technical problems')) {
    return /password/i.test(user)
      ? { text: 'Use “Forgot password” on the login page; the reset link arrives by email within a minute.' }
      : { text: 'Please update the app to the latest version and restart your phone; if it still crashes, send us the error message.' };
  }
  return { text: `I have no scripted answer for this request (system prompt: ${system.slice(0, 60)}).` };
}

/** Starts the scripted model on a local OpenAI wire-protocol server (its embeddings are computed, not scripted). */
export function startScriptedModel(delayMilliseconds = 0): Promise<LocalLlmServer> {
  return startLocalLlmServer({ script: { rules: [{ match: () => true, reply: (request) => ({ ...scriptedReply(request), delayMilliseconds }) }] } });
}

/**
 * When no OpenAI key is configured, starts the scripted model and points the SDK at it
 * (OPENAI_API_KEY, OPENAI_BASE_URL). Returns the server, if started, and a line saying which
 * model answers. Call it before the app initializes.
 */
export async function useLocalModelUnlessConfigured(): Promise<{ server: LocalLlmServer | undefined; description: string }> {
  const key = loadSettings().settings.openai?.api_key;
  if (key !== undefined && key !== '')
    return { server: undefined, description: 'model: OpenAI (an API key is configured), gpt-4o-mini and text-embedding-3-small from mcp_agent.config.yaml' };
  const server = await startScriptedModel();
  process.env.OPENAI_API_KEY = 'local-scripted-model';
  process.env.OPENAI_BASE_URL = server.openaiBaseUrl;
  return {
    server,
    description: `model: no OpenAI key is configured (openai.api_key or OPENAI_API_KEY), so a scripted model answers on a local OpenAI wire-protocol server (${server.openaiBaseUrl}), with embeddings computed from each text's words`,
  };
}
