/**
 * The model for start.ts and worker.ts. With an OpenAI key configured (openai.api_key in
 * mcp_agent.secrets.yaml, or OPENAI_API_KEY) the agent asks OpenAI. Without one, a scripted model
 * answers on a local server that speaks the OpenAI wire protocol, so the real SDK code path
 * runs: all systems nominal, except a critical disk on day 7 at 13:00 and a warning on day 2.
 */
import { loadSettings } from '@mcp-agent/core/config';
import { startLocalLlmServer, type LocalLlmServer } from '@mcp-agent/testing';

/** The scripted replies, by the day and hour the prompt names. */
export function scriptedStatus(prompt: string): string {
  if (prompt.includes('(day 7, hour 13)')) return 'CRITICAL: database disk 97% full on db-1, writes fail within the hour';
  if (prompt.includes('(day 2, hour 4)')) return 'warning: api p95 latency 850 ms, within the error budget';
  return 'all systems nominal';
}

/** Starts the scripted model unless a key is configured; returns it (to close) or undefined. */
export async function useScriptedModelUnlessConfigured(print: (line: string) => void): Promise<LocalLlmServer | undefined> {
  const configuredKey = loadSettings().settings.openai?.api_key;
  if (configuredKey !== undefined && configuredKey !== '') {
    print('model: OpenAI (an API key is configured), model gpt-4o-mini from mcp_agent.config.yaml');
    return undefined;
  }
  const server = await startLocalLlmServer({
    script: { rules: [{ match: () => true, reply: (request) => ({ text: scriptedStatus(request.lastUserMessage ?? '') }) }] },
  });
  process.env.OPENAI_API_KEY = 'local-scripted-model';
  process.env.OPENAI_BASE_URL = server.openaiBaseUrl;
  print(`model: no OpenAI key is configured (openai.api_key or OPENAI_API_KEY), so a scripted model answers on a local OpenAI wire-protocol server (${server.openaiBaseUrl})`);
  return server;
}
