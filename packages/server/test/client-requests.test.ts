// Requests from a running workflow to the MCP client that started it, driven by the SDK's own
// client: human input as elicitation (in-process through the app's handler, on Temporal through
// the server's watcher and the __human_input__ signal), a model call answered by the client's
// model (sampling), and a log and a progress notification when a run ends.
import { createLogger, messageOf, TASK_QUEUES_MEMO_KEY, type Executor } from '@mcp-agent/core';
import { parseSettings } from '@mcp-agent/core/config';
import { createExecutorWithServices } from '@mcp-agent/core/engine';
import { createAsyncioEngine } from '@mcp-agent/executor-asyncio';
import { createTemporalEngine, type TemporalExecutor } from '@mcp-agent/executor-temporal';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import {
  CreateMessageRequestSchema,
  ElicitRequestSchema,
  LoggingMessageNotificationSchema,
  ProgressNotificationSchema,
  type CallToolResult,
  type CreateMessageRequest,
  type CreateMessageResult,
  type ElicitRequest,
  type ElicitResult,
  type LoggingMessageNotification,
  type ProgressNotification,
} from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { createMcpServerForApp, elicitingHumanInput, mcpSamplingProvider, serveApp, type RunningServer, type ServableApp } from '../src/index.js';
import { app } from './client-request-workflows.js';

const logger = createLogger({ transports: ['none'] });
const taskQueue = `client-requests-${process.pid}`;

function servable(executor: Executor): ServableApp {
  return { name: app.name, registry: app.registry, initialize: async () => ({ executor }) };
}

/** A client that records what the server asks and tells it, answering as `answers` say. */
interface RecordingClient {
  client: Client;
  elicited: ElicitRequest['params'][];
  sampled: CreateMessageRequest['params'][];
  logs: LoggingMessageNotification['params'][];
  progress: ProgressNotification['params'][];
}

async function connect(
  url: string,
  answers: {
    elicit?: (params: ElicitRequest['params'], index: number) => ElicitResult | Promise<ElicitResult>;
    sample?: (params: CreateMessageRequest['params']) => CreateMessageResult;
  } = {},
): Promise<RecordingClient> {
  const capabilities = { ...(answers.elicit === undefined ? {} : { elicitation: {} }), ...(answers.sample === undefined ? {} : { sampling: {} }) };
  const client = new Client({ name: 'client-requests-test', version: '1.0.0' }, { capabilities });
  const recorded: RecordingClient = { client, elicited: [], sampled: [], logs: [], progress: [] };
  const { elicit, sample } = answers;
  if (elicit !== undefined) {
    client.setRequestHandler(ElicitRequestSchema, async (request) => {
      recorded.elicited.push(request.params);
      return elicit(request.params, recorded.elicited.length - 1);
    });
  }
  if (sample !== undefined) {
    client.setRequestHandler(CreateMessageRequestSchema, async (request) => {
      recorded.sampled.push(request.params);
      return sample(request.params);
    });
  }
  client.setNotificationHandler(LoggingMessageNotificationSchema, (notification) => {
    recorded.logs.push(notification.params);
  });
  // Replaces the SDK's own routing to a call's onprogress: the progress of a run arrives after its start call returned.
  client.setNotificationHandler(ProgressNotificationSchema, (notification) => {
    recorded.progress.push(notification.params);
  });
  await client.connect(new StreamableHTTPClientTransport(new URL(url)));
  return recorded;
}

async function call(client: Client, name: string, args: Record<string, unknown> = {}, meta?: Record<string, unknown>): Promise<CallToolResult> {
  return (await client.callTool({ name, arguments: args, ...(meta === undefined ? {} : { _meta: meta }) })) as CallToolResult;
}

const text = (result: CallToolResult): string => (result.content[0] as { text: string }).text;
const structured = <T>(result: CallToolResult): T => {
  expect(result.isError, text(result)).not.toBe(true);
  return result.structuredContent as T;
};

async function finished(client: Client, ids: { workflow_id: string; run_id: string }): Promise<Record<string, unknown>> {
  return vi.waitFor(
    async () => {
      const status = structured<Record<string, unknown>>(await call(client, 'workflows-get_status', ids));
      expect(status['running']).toBe(false);
      return status;
    },
    { timeout: 20_000, interval: 50 },
  );
}

const accept = (response: string): ElicitResult => ({ action: 'accept', content: { response } });
const haiku = (): CreateMessageResult => ({ model: 'client-model', role: 'assistant', content: { type: 'text', text: 'rain on the tin roof' }, stopReason: 'endTurn' });

describe('client requests on the in-process engine', () => {
  let executor: Executor;
  let running: RunningServer;
  const fallback: string[] = [];

  beforeAll(async () => {
    executor = await createExecutorWithServices(createAsyncioEngine(), {
      appName: app.name,
      registry: app.registry,
      logger,
      settings: parseSettings({}, 'test'),
      humanInput: elicitingHumanInput({
        sessionWaitMs: 200,
        fallback: (request) => {
          fallback.push(request.prompt);
          return `fallback for ${request.prompt}`;
        },
      }),
      llmProviders: [mcpSamplingProvider({ sessionWaitMs: 200 })],
    });
    running = await serveApp(createMcpServerForApp(servable(executor), { clientRequests: { pollIntervalMs: 50 } }), { transport: 'http', port: 0 });
  });

  afterAll(async () => {
    await running?.close();
    await executor?.close();
  });

  it('asks the client that started the run for human input, and the run gets the answers (a decline is an answer)', async () => {
    const asker = await connect(running.url as string, { elicit: (_params, index) => (index === 0 ? accept('approved') : { action: 'decline' }) });
    try {
      const started = structured<{ workflow_id: string; run_id: string }>(await call(asker.client, 'workflows-AskWorkflow-run', { input: 'the refund' }));
      expect((await finished(asker.client, started))['result']).toMatchObject({ value: 'the refund: approved (accept); note: decline' });
      expect(asker.elicited).toHaveLength(2);
      expect(asker.elicited[0]).toMatchObject({
        message: 'A refund request\n\nApprove the refund?',
        requestedSchema: { type: 'object', properties: { response: { type: 'string' } }, required: ['response'] },
      });
      expect(asker.elicited[1]?.message).toBe('Any note?');
      expect(fallback).toEqual([]);
    } finally {
      await asker.client.close();
    }
  });

  it('hands the request to the fallback when the client cannot elicit', async () => {
    const plain = await connect(running.url as string);
    try {
      const started = structured<{ workflow_id: string; run_id: string }>(await call(plain.client, 'workflows-AskWorkflow-run', { input: 'the loan' }));
      expect((await finished(plain.client, started))['result']).toMatchObject({ value: 'the loan: fallback for Approve the loan? (undefined); note: fallback for Any note?' });
      expect(fallback).toEqual(['Approve the loan?', 'Any note?']);
    } finally {
      await plain.client.close();
    }
  });

  it('answers a model call with the client’s model (sampling)', async () => {
    const sampler = await connect(running.url as string, { sample: haiku });
    try {
      const started = structured<{ workflow_id: string; run_id: string }>(await call(sampler.client, 'workflows-HaikuWorkflow-run', { input: 'rain' }));
      expect((await finished(sampler.client, started))['result']).toMatchObject({ value: 'rain on the tin roof' });
      expect(sampler.sampled).toEqual([
        {
          systemPrompt: 'You write haiku.',
          messages: [{ role: 'user', content: { type: 'text', text: 'A haiku on rain' } }],
          maxTokens: 1024,
          modelPreferences: { hints: [{ name: 'claude-haiku' }] },
          temperature: 0.5,
        },
      ]);
    } finally {
      await sampler.client.close();
    }
  });

  it('fails a model call, unretried and saying why, when no client can sample for the run', async () => {
    const plain = await connect(running.url as string);
    try {
      const started = structured<{ workflow_id: string; run_id: string }>(await call(plain.client, 'workflows-HaikuWorkflow-run', { input: 'snow' }));
      expect(await finished(plain.client, started)).toMatchObject({
        status: 'failed',
        error: expect.stringMatching(/mcp-sampling: the MCP client that started run .* does not support sampling/),
      });
    } finally {
      await plain.client.close();
    }
    // A run no client started: nobody to ask.
    const handle = await executor.startWorkflow('HaikuWorkflow', 'fog');
    await expect(handle.result()).rejects.toThrow(/no connected MCP client in this process started run .*a run started otherwise, or whose client has gone, has no one to ask/);
  });

  it('tells the client when its runs end: a log message with the status, and progress when the call carried a token', async () => {
    const watcher = await connect(running.url as string);
    try {
      const quick = structured<{ workflow_id: string; run_id: string }>(await call(watcher.client, 'workflows-QuickWorkflow-run', { input: 'Ada' }, { progressToken: 'quick-1' }));
      const failing = structured<{ workflow_id: string; run_id: string }>(await call(watcher.client, 'workflows-FailingWorkflow-run', {}));
      await vi.waitFor(() => expect(watcher.logs).toHaveLength(2), { timeout: 5_000, interval: 20 });
      const byRun = Object.fromEntries(watcher.logs.map((log) => [(log.data as { run_id: string }).run_id, log]));
      expect(byRun[quick.run_id]).toMatchObject({ level: 'info', logger: 'mcp-agent.workflows', data: { status: 'completed', name: 'QuickWorkflow', workflow_id: quick.workflow_id } });
      expect(byRun[failing.run_id]).toMatchObject({
        level: 'error',
        data: { status: 'failed', error: 'the ledger is closed', message: expect.stringContaining('FailingWorkflow failed: the ledger is closed') },
      });
      expect(watcher.progress).toEqual([{ progressToken: 'quick-1', progress: 1, total: 1, message: expect.stringContaining('QuickWorkflow completed') }]);
    } finally {
      await watcher.client.close();
    }
  });
});

describe('client requests on Temporal', { timeout: 120_000 }, () => {
  const clientExecutor = async (): Promise<Executor> =>
    createTemporalEngine({ address: inject('temporalAddress') }).createExecutor({ appName: app.name, registry: app.registry, logger, settings });
  let worker: TemporalExecutor;
  let executor: Executor;
  let running: RunningServer;
  const settings = parseSettings({ execution_engine: 'temporal', temporal: { task_queue: taskQueue } }, 'test');

  beforeAll(async () => {
    // The app's worker (its own executor and task queue, here in this process) has no sampling
    // provider: the server, with a client-only executor, serves the model calls of its runs itself.
    worker = (await createExecutorWithServices(
      createTemporalEngine({ address: inject('temporalAddress'), worker: { workflowsPath: new URL('./client-request-workflows.ts', import.meta.url), taskQueue } }),
      { appName: app.name, registry: app.registry, logger, settings, llmProviders: [] },
    )) as TemporalExecutor;
    executor = await clientExecutor();
    running = await serveApp(createMcpServerForApp(servable(executor), { clientRequests: { pollIntervalMs: 100 } }), { transport: 'http', port: 0 });
  });

  afterAll(async () => {
    await running?.close();
    await executor?.close();
    await worker?.close();
  });

  it('asks each pending request of the run once, by elicitation, and signals the answers', async () => {
    const asker = await connect(running.url as string, {
      elicit: async (_params, index) => {
        // Slow enough that the watcher sees the request pending several times.
        await new Promise((resolve) => setTimeout(resolve, 400));
        return index === 0 ? accept('approved') : accept('none');
      },
    });
    try {
      const started = structured<{ workflow_id: string; run_id: string }>(await call(asker.client, 'workflows-AskWorkflow-run', { input: 'the refund' }));
      expect((await finished(asker.client, started))['result']).toMatchObject({ value: 'the refund: approved (accept); note: none' });
      expect(asker.elicited.map((params) => params.message)).toEqual(['A refund request\n\nApprove the refund?', 'Any note?']);
      await vi.waitFor(() => expect(asker.logs.map((log) => (log.data as { status: string }).status)).toEqual(['completed']), { timeout: 5_000, interval: 50 });
    } finally {
      await asker.client.close();
    }
  });

  it('leaves the run waiting when its client goes away, to be answered with workflows-resume', async () => {
    const leaving = await connect(running.url as string, { elicit: () => new Promise<ElicitResult>(() => undefined) });
    const started = structured<{ workflow_id: string; run_id: string }>(await call(leaving.client, 'workflows-AskWorkflow-run', { input: 'the bonus' }));
    await vi.waitFor(() => expect(leaving.elicited).toHaveLength(1), { timeout: 20_000, interval: 50 });
    await leaving.client.close();
    const other = await connect(running.url as string);
    try {
      const status = structured<{ status: string; pending_human_input?: Array<{ prompt: string }> }>(await call(other.client, 'workflows-get_status', started));
      expect(status).toMatchObject({ status: 'running', pending_human_input: [{ prompt: 'Approve the bonus?' }] });
      expect(structured(await call(other.client, 'workflows-resume', { ...started, payload: 'yes' }))).toMatchObject({ signal_name: '__human_input__' });
      await vi.waitFor(
        async () =>
          expect(structured<{ pending_human_input?: Array<{ prompt: string }> }>(await call(other.client, 'workflows-get_status', started)).pending_human_input?.[0]?.prompt).toBe(
            'Any note?',
          ),
        {
          timeout: 20_000,
          interval: 50,
        },
      );
      await call(other.client, 'workflows-resume', { ...started, payload: 'later' });
      expect((await finished(other.client, started))['result']).toMatchObject({ value: 'the bonus: yes (undefined); note: later' });
      // The client that started the run had gone: nobody else was asked.
      expect(leaving.elicited).toHaveLength(1);
      expect(other.elicited).toEqual([]);
    } finally {
      await other.client.close();
    }
  });

  it('answers a model call with the client’s model through the server’s own worker, on the queue the run’s memo names', async () => {
    const sampler = await connect(running.url as string, { sample: haiku });
    let started: { workflow_id: string; run_id: string };
    try {
      started = structured<{ workflow_id: string; run_id: string }>(await call(sampler.client, 'workflows-HaikuWorkflow-run', { input: 'rain' }));
      expect((await finished(sampler.client, started))['result']).toMatchObject({ value: 'rain on the tin roof' });
      expect(sampler.sampled).toEqual([expect.objectContaining({ systemPrompt: 'You write haiku.', messages: [{ role: 'user', content: { type: 'text', text: 'A haiku on rain' } }] })]);
    } finally {
      await sampler.client.close();
    }
    const serverQueue = new RegExp(`^${taskQueue}\\.mcp-server\\.[0-9a-f-]{36}$`);
    const { memo } = await executor.describeWorkflow(started.workflow_id, started.run_id);
    expect(memo[TASK_QUEUES_MEMO_KEY]).toEqual({
      'llm.mcp-sampling.complete': { taskQueue: expect.stringMatching(serverQueue), scheduleToStartTimeoutMs: 60_000, whenUnserved: expect.any(String) },
    });
    // The model call ran on the server's queue, not on the app worker's.
    const history = await (executor as TemporalExecutor).client.workflow.getHandle(started.workflow_id, started.run_id).fetchHistory();
    const scheduled = (history.events ?? []).flatMap((event) => (event.activityTaskScheduledEventAttributes == null ? [] : [event.activityTaskScheduledEventAttributes]));
    expect(scheduled.map((attributes) => [attributes.activityType?.name, attributes.taskQueue?.name])).toEqual([['llm.mcp-sampling.complete', expect.stringMatching(serverQueue)]]);
  });

  it('fails the model call of a client that cannot sample, saying so, from the server’s worker', async () => {
    const plain = await connect(running.url as string);
    try {
      const started = structured<{ workflow_id: string; run_id: string }>(await call(plain.client, 'workflows-HaikuWorkflow-run', { input: 'snow' }));
      expect(await finished(plain.client, started)).toMatchObject({
        status: 'failed',
        error: expect.stringMatching(/mcp-sampling: the MCP client that started run .* does not support sampling/),
      });
    } finally {
      await plain.client.close();
    }
  });

  it('fails the model call at once, naming the fix, when the server that started the run has gone', async () => {
    const otherExecutor = await clientExecutor();
    const other = await serveApp(createMcpServerForApp(servable(otherExecutor), { clientRequests: { pollIntervalMs: 100, sampling: { pickupTimeoutMs: 1000 } } }), {
      transport: 'http',
      port: 0,
    });
    const sampler = await connect(other.url as string, { sample: haiku });
    const started = structured<{ workflow_id: string; run_id: string }>(await call(sampler.client, 'workflows-LaterHaikuWorkflow-run', { input: 'frost' }));
    // The server goes (its sampling worker stops with its executor), then the run asks for a model call.
    await sampler.client.close();
    await other.close();
    await otherExecutor.close();
    await worker.signalWorkflow('LaterHaikuWorkflow', started.workflow_id, 'go', undefined, { runId: started.run_id });
    const failed = await worker
      .getHandle(started.workflow_id, started.run_id)
      .result()
      .then(
        () => undefined,
        (error: unknown) => messageOf(error),
      );
    expect(failed).toMatch(
      /no worker took the task from task queue ".*\.mcp-server\..*" within 1000 ms; the agent server that started this run .* has stopped or lost its connection to Temporal, .*start the run again through a running agent server/,
    );
    expect(sampler.sampled).toEqual([]);
  });
});
