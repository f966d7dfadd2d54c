/**
 * The framework's overhead per model round trip: `OpenAIAugmentedLLM.generate` (no tools, outside a
 * workflow) against the bare SDK's `chat.completions.create`, both to the same local wire-protocol
 * server in the same run, 500 sequential calls each, in alternating rounds so that drift in the
 * machine's load hits both alike. Prints p50, mean and p95 of each and their ratios (target < 1.10),
 * and the time the loop spends outside the provider call (timed by a wrapper around the provider),
 * which does not depend on the network's noise.
 *
 * Run: pnpm --filter @mcp-agent/providers-openai bench
 */
import { Agent, createLogger, MCPApp } from '@mcp-agent/core';
import type { LlmProvider } from '@mcp-agent/core/engine';
import { createAsyncioEngine } from '@mcp-agent/executor-asyncio';
import { startLocalLlmServer } from '@mcp-agent/testing';
import OpenAI from 'openai';
import { llmProvider, OpenAIAugmentedLLM } from '../src/index.js';

const CALLS = 500;
const ROUNDS = 10;
const WARMUP = 200;
const API_KEY = 'bench-key';
const INSTRUCTION = 'Answer in one word.';
const PROMPT = 'Say pong.';

function summarise(samples: number[]): { p50: number; mean: number; p95: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (quantile: number): number => sorted[Math.min(sorted.length - 1, Math.floor(quantile * sorted.length))] as number;
  return { p50: at(0.5), mean: samples.reduce((sum, value) => sum + value, 0) / samples.length, p95: at(0.95) };
}

const milliseconds = (value: number): string => `${value.toFixed(3)} ms`;

const server = await startLocalLlmServer();
server.addRule({ match: () => true, reply: { text: 'pong', usage: { inputTokens: 12, outputTokens: 1 } } });

/** The package's provider, timed: how long each round trip spends inside it. */
let providerMilliseconds = 0;
const timedProvider: LlmProvider = {
  name: llmProvider.name,
  complete: async (request, context) => {
    const started = performance.now();
    try {
      return await llmProvider.complete(request, context);
    } finally {
      providerMilliseconds = performance.now() - started;
    }
  },
  stream: (request, context, onText) => llmProvider.stream(request, context, onText),
};

const app = new MCPApp({
  name: 'openai-round-trip-bench',
  settings: { openai: { api_key: API_KEY, base_url: server.openaiBaseUrl } },
  engines: { asyncio: createAsyncioEngine() },
  logger: createLogger({ transports: ['none'] }),
  llmProviders: [timedProvider],
});

try {
  await app.run(async () => {
    const llm = await new Agent({ name: 'bench', instruction: INSTRUCTION }).attachLlm(OpenAIAugmentedLLM);
    const sdk = new OpenAI({ apiKey: API_KEY, baseURL: server.openaiBaseUrl, maxRetries: 0 });

    const outsideProvider: number[] = [];
    const framework = async (): Promise<number> => {
      const started = performance.now();
      const result = await llm.generate(PROMPT, { useHistory: false });
      const elapsed = performance.now() - started;
      outsideProvider.push(elapsed - providerMilliseconds);
      if (result.text !== 'pong') throw new Error(`framework call answered ${JSON.stringify(result.text)}`);
      return elapsed;
    };
    const bare = async (): Promise<number> => {
      const started = performance.now();
      const completion = await sdk.chat.completions.create({
        model: 'gpt-4o-mini',
        messages: [
          { role: 'system', content: INSTRUCTION },
          { role: 'user', content: PROMPT },
        ],
      });
      const elapsed = performance.now() - started;
      if (completion.choices[0]?.message.content !== 'pong') throw new Error('bare call answered something else');
      return elapsed;
    };

    for (let index = 0; index < WARMUP; index += 1) {
      await framework();
      await bare();
    }
    outsideProvider.length = 0;
    const frameworkSamples: number[] = [];
    const bareSamples: number[] = [];
    const perRound = CALLS / ROUNDS;
    for (let round = 0; round < ROUNDS; round += 1) {
      const order = round % 2 === 0 ? [framework, bare] : [bare, framework];
      for (const run of order) {
        const samples = run === framework ? frameworkSamples : bareSamples;
        for (let index = 0; index < perRound; index += 1) samples.push(await run());
      }
    }

    const ours = summarise(frameworkSamples);
    const theirs = summarise(bareSamples);
    console.log(`round trips to the local server: ${CALLS} sequential calls each (${ROUNDS} alternating rounds, ${WARMUP} warm-up calls each)`);
    console.log(`  bare SDK chat.completions.create   p50 ${milliseconds(theirs.p50)}  mean ${milliseconds(theirs.mean)}  p95 ${milliseconds(theirs.p95)}`);
    console.log(`  OpenAIAugmentedLLM.generate        p50 ${milliseconds(ours.p50)}  mean ${milliseconds(ours.mean)}  p95 ${milliseconds(ours.p95)}`);
    console.log(`  overhead per round trip            p50 ${milliseconds(ours.p50 - theirs.p50)}  mean ${milliseconds(ours.mean - theirs.mean)}`);
    const loop = summarise(outsideProvider);
    console.log(`  the loop outside the provider call p50 ${milliseconds(loop.p50)}  mean ${milliseconds(loop.mean)}`);
    const ratio = ours.p50 / theirs.p50;
    console.log(`  ratio framework / bare             p50 ${ratio.toFixed(3)}  mean ${(ours.mean / theirs.mean).toFixed(3)}  (target at p50 < 1.10: ${ratio < 1.1 ? 'met' : 'missed'})`);
  });
} finally {
  await server.close();
}
