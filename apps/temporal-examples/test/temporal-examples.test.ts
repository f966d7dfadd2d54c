// The Python Temporal examples on both engines, with the real openai SDK pointed at the scripted
// model and the real filesystem MCP server: the same results in-process and on Temporal, the same
// model requests, each pattern's usage tree, and a person's answer arriving as a signal on Temporal.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createLogger, HUMAN_INPUT_QUERY, HUMAN_INPUT_SIGNAL, type Executor, type HumanInputRequest, type UsageNode } from '@mcp-agent/core';
import { parseSettings, type SettingsInput } from '@mcp-agent/core/config';
import { createExecutorWithServices } from '@mcp-agent/core/engine';
import { createAsyncioEngine } from '@mcp-agent/executor-asyncio';
import { createTemporalEngine, type TemporalExecutor } from '@mcp-agent/executor-temporal';
import { embeddingProvider, llmProvider } from '@mcp-agent/providers-openai';
import { startLocalLlmServer, type LocalLlmServer, type RecordedLlmRequest } from '@mcp-agent/testing';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { filesystemServerEntry, prepareData, SHORT_STORY } from '../src/data.js';
import {
  EvaluatorOptimizerWorkflowClient,
  OrchestratorWorkflowClient,
  ParallelWorkflowClient,
  RouterWorkflowClient,
  SimpleWorkflowClient,
  WorkflowWithInteractionClient,
} from '../src/generated/clients.js';
import { scriptedReply, startScriptedModel } from '../src/model.js';
import { app, OrchestratorWorkflow } from '../src/workflows.js';

const appDirectory = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

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
    const agents = model.requests.slice(before).map((request) => systemPrompt(request).slice(0, 30));
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

  it('router: picks the agent, the functions and the MCP server for three requests', async () => {
    const story = path.join(folder, 'short_story.md');
    const { result } = await onBoth(async (executor) => (await RouterWorkflowClient.start(executor, story)).result());
    expect(result.value).toEqual({
      agent: { name: 'finder', confidence: 'high', firstLine: '# The Battle of Glimmerwood' },
      functions: { names: ['print_to_console', 'print_hello_world'], output: 'printed: Hello from the router' },
      server: 'filesystem',
    });
    // Three routing decisions, three model calls.
    expect((result.metadata['usage'] as UsageNode).usage.calls).toBe(3);
  });

  const orchestratorTask = (): string =>
    `Load the student's short story from ${path.join(folder, 'short_story.md')}, and generate a report with feedback across proofreading, factuality/logical consistency and style adherence. Write the graded report to ${path.join(folder, 'graded_report.md')}.`;

  it('orchestrator: plans three steps, reviews in parallel, writes the report through the MCP server, synthesizes', async () => {
    const { result, agents } = await onBoth(async (executor) => (await OrchestratorWorkflowClient.start(executor, orchestratorTask())).result());
    expect(result.value).toBe('The story was reviewed three ways (3 spelling corrections) and the graded report was written: grade B.');
    expect(result.metadata['steps']).toBe(3);
    // planner, finder (tool call, answer), three reviewers, writer (tool call, answer), planner, synthesizer.
    expect(agents).toHaveLength(10);
    const report = await readFile(path.join(folder, 'graded_report.md'), 'utf8');
    expect(report).toContain('"they where" should be "they were"');
    expect(report).toContain('Grade: B');
    const usage = result.metadata['usage'] as UsageNode;
    expect(usage.children.map((child) => child.name)).toEqual(['planner', 'finder', 'writer', 'proofreader', 'fact_checker', 'style_enforcer', 'synthesizer']);
    expect(usage.usage.calls).toBe(10);
  });

  it('orchestrator on Temporal: a worker killed (SIGKILL) during the second step is replaced, and no model call that had completed is made again', { timeout: 120_000 }, async () => {
    const expected = (await (await OrchestratorWorkflowClient.start(inProcess, orchestratorTask())).result()).value;
    // The reviewers of step 2 answer slowly, so the kill lands while their calls are in flight.
    const isReviewer = (request: RecordedLlmRequest): boolean => /^(Review the short story|Verify the factual|Analyse the story)/.test(systemPrompt(request));
    const slow = await startLocalLlmServer({
      script: { rules: [{ match: () => true, reply: (request) => ({ ...scriptedReply(request), delayMilliseconds: isReviewer(request) ? 1_500 : 0 }) }] },
    });
    const queue = `${taskQueue}-processes`;
    const tsxLoader = pathToFileURL(createRequire(path.join(appDirectory, 'package.json')).resolve('tsx')).href;
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      EXECUTION_ENGINE: 'temporal',
      TEMPORAL__HOST: inject('temporalAddress'),
      TEMPORAL__TASK_QUEUE: queue,
      // A model call lost with its worker is tried again after this (the default is 5 minutes).
      TEMPORAL__TIMEOUT_SECONDS: '2',
      OPENAI_API_KEY: 'sk-local-test',
      OPENAI_BASE_URL: slow.openaiBaseUrl,
      EXAMPLES_DATA_FOLDER: folder,
    };
    const workers: ChildProcess[] = [];
    const startWorker = async (): Promise<ChildProcess> => {
      const worker = spawn(process.execPath, ['--conditions=mcp-agent-source', '--import', tsxLoader, path.join(appDirectory, 'src', 'worker.ts')], { cwd: appDirectory, env });
      workers.push(worker);
      let output = '';
      worker.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      await new Promise<void>((resolve, reject) => {
        worker.stdout.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          if (output.includes('worker: polling')) resolve();
        });
        worker.once('exit', (code) => reject(new Error(`the worker exited (${code}) before polling:\n${output}`)));
      });
      return worker;
    };
    try {
      const first = await startWorker();
      const handle = await temporal.startWorkflow(OrchestratorWorkflow, orchestratorTask(), { taskQueue: queue });
      // Step 2 under way: the three reviewers have been asked, none has answered.
      await vi.waitFor(() => expect(slow.requests.filter(isReviewer)).toHaveLength(3), { timeout: 30_000, interval: 20 });
      const killedAt = Date.now();
      first.kill('SIGKILL');
      await new Promise((resolve) => first.once('exit', resolve));
      // A killed worker can't tell the server to stop routing the run to its cache; say it for it.
      await temporal.client.workflowService.resetStickyTaskQueue({ namespace: 'default', execution: { workflowId: handle.workflowId } });
      await startWorker();

      const { value } = await handle.result();
      expect(value).toBe(expected);
      const key = (request: RecordedLlmRequest): string => `${systemPrompt(request).slice(0, 40)}|${request.lastUserMessage ?? ''}|${JSON.stringify(request.body.messages).length}`;
      const completedBeforeKill = slow.requests.filter((request) => request.answeredAt !== undefined && request.answeredAt.getTime() < killedAt);
      // The planner's and the finder's calls had completed before the kill: each was made once.
      expect(completedBeforeKill.map((request) => systemPrompt(request).split(' ').slice(0, 4).join(' '))).toHaveLength(3);
      for (const done of completedBeforeKill) expect(slow.requests.filter((request) => key(request) === key(done))).toHaveLength(1);
      // The reviewers' calls, lost with the first worker, were made again by the second.
      expect(slow.requests.filter(isReviewer)).toHaveLength(6);
      expect(slow.requests).toHaveLength(13);
      const history = await temporal.client.workflow.getHandle(handle.workflowId).fetchHistory();
      const retried = (history.events ?? []).flatMap((event) =>
        (event.activityTaskStartedEventAttributes?.attempt ?? 1) > 1 ? [event.activityTaskStartedEventAttributes?.attempt] : [],
      );
      expect(retried).toEqual([2, 2, 2]);
    } finally {
      for (const worker of workers) if (worker.exitCode === null && worker.signalCode === null) worker.kill('SIGKILL');
      await slow.close();
    }
  });
});

function systemPrompt(request: RecordedLlmRequest): string {
  return String((request.body.messages as Array<{ content: unknown }>)[0]?.content ?? '');
}
