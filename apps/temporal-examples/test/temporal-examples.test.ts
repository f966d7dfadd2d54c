// The Python Temporal examples on both engines, with the real openai SDK pointed at the scripted
// model and the real filesystem MCP server: the same results in-process and on Temporal, the same
// model requests, each pattern's usage tree, and a person's answer arriving as a signal on Temporal.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createLogger, HUMAN_INPUT_QUERY, HUMAN_INPUT_SIGNAL, type Executor, type HumanInputRequest, type UsageNode } from '@mcp-agent/core';
import { parseSettings, type SettingsInput } from '@mcp-agent/core/config';
import { createExecutorWithServices } from '@mcp-agent/core/engine';
import { createAsyncioEngine } from '@mcp-agent/executor-asyncio';
import { createTemporalEngine, type TemporalExecutor } from '@mcp-agent/executor-temporal';
import { embeddingProvider, llmProvider } from '@mcp-agent/providers-openai';
import type { LocalLlmServer } from '@mcp-agent/testing';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { filesystemServerEntry, prepareData, SHORT_STORY } from '../src/data.js';
import { EvaluatorOptimizerWorkflowClient, ParallelWorkflowClient, SimpleWorkflowClient, WorkflowWithInteractionClient } from '../src/generated/clients.js';
import { startScriptedModel } from '../src/model.js';
import { app } from '../src/workflows.js';

const taskQueue = `temporal-examples-${process.pid}`;
const logger = createLogger({ transports: ['none'] });

describe('the Python Temporal examples', { timeout: 90_000 }, () => {
  let folder: string;
  let model: LocalLlmServer;
  let inProcess: Executor;
  let temporal: TemporalExecutor;
  const asked: HumanInputRequest[] = [];

  beforeAll(async () => {
    folder = await mkdtemp(path.join(tmpdir(), 'temporal-examples-test-'));
    await prepareData(folder);
    model = await startScriptedModel();
    const settings = (engine: 'asyncio' | 'temporal'): SettingsInput => ({
      execution_engine: engine,
      temporal: { task_queue: taskQueue },
      mcp: { servers: { filesystem: { command: process.execPath, args: [filesystemServerEntry(), folder] } } },
      openai: { api_key: 'sk-local-test', base_url: model.openaiBaseUrl, default_model: 'gpt-4o-mini' },
    });
    const parts = { appName: app.name, registry: app.registry, logger, llmProviders: [llmProvider], embeddingProviders: [embeddingProvider] };
    inProcess = await createExecutorWithServices(createAsyncioEngine(), {
      ...parts,
      settings: parseSettings(settings('asyncio'), 'test settings'),
      humanInput: (request) => {
        asked.push(request);
        return 'the sea';
      },
    });
    temporal = (await createExecutorWithServices(
      createTemporalEngine({ address: inject('temporalAddress'), worker: { workflowsPath: new URL('../src/workflows.ts', import.meta.url), taskQueue } }),
      { ...parts, settings: parseSettings(settings('temporal'), 'test settings') },
    )) as TemporalExecutor;
  });

  afterAll(async () => {
    await inProcess?.close();
    await temporal?.close();
    await model?.close();
    await rm(folder, { recursive: true, force: true });
  });

  /** Runs `example` on an engine; returns its result and the system prompts of the model requests it made, in order. */
  async function run<T>(executor: Executor, example: (executor: Executor) => Promise<T>): Promise<{ result: T; agents: string[] }> {
    const before = model.requests.length;
    const result = await example(executor);
    const agents = model.requests.slice(before).map((request) => String((request.body.messages as Array<{ content: unknown }>)[0]?.content).slice(0, 30));
    return { result, agents };
  }

  /** Runs on both engines and checks they agree; returns the in-process run. */
  async function onBoth<T extends { value: unknown; metadata: Record<string, unknown> }>(example: (executor: Executor) => Promise<T>): Promise<{ result: T; agents: string[] }> {
    const local = await run(inProcess, example);
    const remote = await run(temporal, example);
    // The same answer and the same usage (tokens and cost per sub-agent) on both engines.
    expect(remote.result.value).toEqual(local.result.value);
    expect(remote.result.metadata).toEqual(local.result.metadata);
    expect([...remote.agents].sort()).toEqual([...local.agents].sort());
    return local;
  }

  it('basic: an agent reads the story through the filesystem MCP server', async () => {
    const { result, agents } = await onBoth(async (executor) =>
      (await SimpleWorkflowClient.start(executor, `Print the title and the first paragraph of ${path.join(folder, 'short_story.md')}`)).result(),
    );
    expect(result.value).toBe(`The Battle of Glimmerwood\n\n${SHORT_STORY.split('\n')[2]}`);
    expect(agents).toHaveLength(2);
    expect((result.metadata['usage'] as UsageNode).usage.calls).toBe(2);
  });

  it('parallel: three reviewers at once, combined by the grader, with a usage tree per reviewer', async () => {
    const { result, agents } = await onBoth(async (executor) => (await ParallelWorkflowClient.start(executor, SHORT_STORY)).result());
    expect(result.value).toContain('Feedback from: proofreader, fact_checker, style_enforcer.');
    expect(result.value).toContain('Spelling: three corrections.');
    // The grader is asked last, after the three reviewers.
    expect(agents.at(-1)).toMatch(/^Compile the feedback/);
    const usage = result.metadata['usage'] as UsageNode;
    expect(usage.kind).toBe('parallel');
    expect(usage.children.map((child) => child.name)).toEqual(['proofreader', 'fact_checker', 'style_enforcer', 'grader']);
    expect(usage.usage.calls).toBe(4);
    expect(usage.usage.costUsd).toBeGreaterThan(0);
    expect(usage.usage.totalTokens).toBe(usage.children.reduce((sum, child) => sum + child.usage.totalTokens, 0));
  });

  it('evaluator-optimizer: rewritten after feedback until rated EXCELLENT', async () => {
    const task = 'Write a cover letter for the Software Engineer role at LastMile AI. Candidate: Alex Johnson.';
    const { result } = await onBoth(async (executor) => (await EvaluatorOptimizerWorkflowClient.start(executor, task)).result());
    expect(result.value).toContain('Dear hiring team at LastMile AI');
    expect(result.metadata).toMatchObject({ rating: 'EXCELLENT', stopReason: 'end_turn', attempts: 2 });
    expect((result.metadata['usage'] as UsageNode).children.map((child) => [child.name, child.usage.calls])).toEqual([
      ['optimizer', 2],
      ['evaluator', 2],
    ]);
  });

  it('interactive: in-process the app’s handler answers; on Temporal the run waits until the answer arrives as a signal', async () => {
    const prompt = 'Ask the user for a subject, then write a poem about it.';
    const local = await (await WorkflowWithInteractionClient.start(inProcess, prompt)).result();
    expect(local.value).toMatch(/^A poem about the sea:/);
    expect(asked.map((request) => request.prompt)).toEqual(['What should the poem be about?']);

    const handle = await WorkflowWithInteractionClient.start(temporal, prompt);
    const pending = await vi.waitFor(
      async () => {
        const requests = await handle.query(HUMAN_INPUT_QUERY);
        expect(requests).toHaveLength(1);
        return requests;
      },
      { timeout: 30_000, interval: 100 },
    );
    expect(pending[0]).toMatchObject({ prompt: 'What should the poem be about?', workflowId: handle.workflowId });
    await handle.signal(HUMAN_INPUT_SIGNAL, { requestId: pending[0]?.requestId ?? '', response: 'the sea' });
    const remote = await handle.result();
    expect(remote.value).toBe(local.value);
    expect(await handle.query(HUMAN_INPUT_QUERY)).toEqual([]);
  });
});
