// Overhead per model round trip: AnthropicAugmentedLLM.generate (no tools, outside a workflow)
// against the bare SDK's messages.create, both to the same local wire-protocol server in the same
// run. Prints p50 and mean of each and their ratio; the target is a ratio below 1.10.
//
//   pnpm --filter @mcp-agent/providers-anthropic bench
import { performance } from 'node:perf_hooks';
import Anthropic from '@anthropic-ai/sdk';
import { Agent, createLogger, MCPApp } from '@mcp-agent/core';
import { createAsyncioEngine } from '@mcp-agent/executor-asyncio';
import { startLocalLlmServer } from '@mcp-agent/testing';
import { AnthropicAugmentedLLM, llmProvider } from '../src/index.js';

const CALLS = 500;
const WARM_UP = 50;
/** The calls of each side run in alternating blocks of this size, so drift hits both alike. */
const BLOCK = 50;
const MODEL = 'claude-haiku-4-5';
const API_KEY = 'bench-key-0123456789';

interface Summary {
  p50: number;
  mean: number;
}

function summarise(samples: number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
  return { p50: middle, mean: samples.reduce((sum, value) => sum + value, 0) / samples.length };
}

async function time(samples: number[], call: () => Promise<unknown>): Promise<void> {
  const started = performance.now();
  await call();
  samples.push(performance.now() - started);
}

const server = await startLocalLlmServer();
server.addRule({ match: () => true, reply: { text: 'ok', usage: { inputTokens: 8, outputTokens: 1 } } });

const app = new MCPApp({
  name: 'anthropic-round-trip-bench',
  settings: { anthropic: { api_key: API_KEY, base_url: server.anthropicBaseUrl, default_model: MODEL } },
  engines: { asyncio: createAsyncioEngine() },
  llmProviders: [llmProvider],
  logger: createLogger({ level: 'error' }),
});

try {
  await app.run(async () => {
    const llm = await new Agent({ name: 'bench' }).attachLlm(AnthropicAugmentedLLM);
    const sdk = new Anthropic({ apiKey: API_KEY, baseURL: server.anthropicBaseUrl, maxRetries: 0, timeout: 600_000 });
    const viaLlm = () => llm.generate('Hi', { useHistory: false });
    const viaSdk = () => sdk.messages.create({ model: MODEL, max_tokens: 4096, messages: [{ role: 'user', content: 'Hi' }] });

    for (let index = 0; index < WARM_UP; index += 1) {
      await viaSdk();
      await viaLlm();
    }
    const sdkSamples: number[] = [];
    const llmSamples: number[] = [];
    for (let done = 0; done < CALLS; done += BLOCK) {
      for (let index = 0; index < BLOCK; index += 1) await time(sdkSamples, viaSdk);
      for (let index = 0; index < BLOCK; index += 1) await time(llmSamples, viaLlm);
    }

    const sdkSummary = summarise(sdkSamples);
    const llmSummary = summarise(llmSamples);
    const format = (value: number): string => `${value.toFixed(3)} ms`;
    console.log(`round trips: ${CALLS} sequential calls each, after ${WARM_UP} warm-up calls, to ${server.anthropicBaseUrl}`);
    console.log(`bare SDK messages.create          p50 ${format(sdkSummary.p50)}  mean ${format(sdkSummary.mean)}`);
    console.log(`AnthropicAugmentedLLM.generate    p50 ${format(llmSummary.p50)}  mean ${format(llmSummary.mean)}`);
    console.log(`ratio (generate / SDK)            p50 ${(llmSummary.p50 / sdkSummary.p50).toFixed(3)}  mean ${(llmSummary.mean / sdkSummary.mean).toFixed(3)}  (target < 1.10)`);
    console.log(`overhead per round trip           p50 ${format(llmSummary.p50 - sdkSummary.p50)}  mean ${format(llmSummary.mean - sdkSummary.mean)}`);
  });
} finally {
  await server.close();
}
