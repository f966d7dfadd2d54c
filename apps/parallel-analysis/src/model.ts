/**
 * The model. With an OpenAI key configured (openai.api_key in mcp_agent.secrets.yaml, or
 * OPENAI_API_KEY) the agents ask OpenAI. Without one, scripted specialists answer on a local
 * server that speaks the OpenAI wire protocol, so the real `openai` SDK and the engine run as they
 * would against OpenAI; only the model is a stand-in. Node only.
 *
 * Each scripted answer is worked out from the document it is sent, and takes a while, as a real
 * model's does, so that running the agents in parallel shows.
 */
import { loadSettings } from '@mcp-agent/core/config';
import { startLocalLlmServer, type LlmReply, type LocalLlmServer, type RecordedLlmRequest } from '@mcp-agent/testing';

/** How long a scripted answer takes by default. */
export const SCRIPTED_REPLY_MILLISECONDS = 500;

const POSITIVE = ['grew', 'record', 'rose', 'on time', 'won', 'improved'];
const NEGATIVE = ['slips', 'delay', 'lost', 'fell', 'late', 'shortage'];
const RISKY = ['delay', 'slips', 'depend', 'single', 'lost', 'late', 'shortage', 'expires'];

const sentences = (text: string): string[] =>
  text
    .split(/(?<=[.!?])\s+/)
    .map((sentence) => sentence.trim())
    .filter((sentence) => sentence !== '');

/** The answer to one specialist's question about the document in `prompt`. */
export function scriptedReply(request: RecordedLlmRequest): LlmReply {
  const prompt = request.lastUserMessage ?? '';
  const [question = '', ...rest] = prompt.split('\n\n');
  const text = rest.slice(1).join('\n\n');
  const lower = text.toLowerCase();
  if (question.startsWith('Sentiment:')) {
    const positive = POSITIVE.filter((word) => lower.includes(word));
    const negative = NEGATIVE.filter((word) => lower.includes(word));
    const tone = positive.length > 0 && negative.length > 0 ? 'mixed' : negative.length > 0 ? 'negative' : 'positive';
    return { text: `${tone}: positive (${positive.join(', ') || 'none'}), negative (${negative.join(', ') || 'none'})` };
  }
  if (question.startsWith('Key points:')) {
    return {
      text: sentences(text)
        .slice(0, 3)
        .map((sentence) => `- ${sentence}`)
        .join('\n'),
    };
  }
  if (question.startsWith('Risks:')) {
    const risks = sentences(text).filter((sentence) => RISKY.some((word) => sentence.toLowerCase().includes(word)));
    return { text: risks.length > 0 ? risks.map((sentence) => `- ${sentence}`).join('\n') : '- none found' };
  }
  return { text: 'I analyse sentiment, key points and risks.' };
}

/** Starts the scripted specialists on a local OpenAI wire-protocol server; each answer takes `delayMilliseconds`. */
export function startScriptedModel(delayMilliseconds = SCRIPTED_REPLY_MILLISECONDS): Promise<LocalLlmServer> {
  return startLocalLlmServer({ script: { rules: [{ match: () => true, reply: (request) => ({ ...scriptedReply(request), delayMilliseconds }) }] } });
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
    description: `model: no OpenAI key is configured (openai.api_key or OPENAI_API_KEY), so a scripted model answers on a local OpenAI wire-protocol server (${server.openaiBaseUrl}), each answer after ${SCRIPTED_REPLY_MILLISECONDS} ms`,
  };
}
