// Human input on the Temporal dev server: a run waits durably on requestHumanInput, lists what it
// waits for through the built-in `__human_input_pending__` query and is answered with the built-in
// `__human_input__` signal; timeouts, early answers, a worker restart and replay.
import { createLogger, HUMAN_INPUT_QUERY, HUMAN_INPUT_SIGNAL, type HumanInputRequest, type WorkflowHandle } from '@mcp-agent/core';
import { parseSettings } from '@mcp-agent/core/config';
import type { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  bundleWorkflowsForParts,
  createTemporalEngine,
  createTemporalWorker,
  fetchWorkflowHistory,
  replayWorkflowHistories,
  type TemporalExecutor,
  type TemporalWorkerParts,
} from '../src/index.js';
import { AskWorkflow, humanInputApp, LateQuestionWorkflow, TwoQuestionsWorkflow } from './human-input-workflows.js';

const address = inject('temporalAddress');
const taskQueue = `human-input-${process.pid}-${Date.now()}`;
const [host, port] = address.split(':');
const settings = parseSettings({ execution_engine: 'temporal', temporal: { host, port: Number(port), task_queue: taskQueue } }, 'human-input');
const parts: TemporalWorkerParts = { registry: humanInputApp.registry, settings, logger: createLogger({ transports: ['none'] }) };

/** Polls `read` until `accept` holds (a worker answers queries as soon as it has the run). */
async function eventually<T>(read: () => Promise<T>, accept: (value: T) => boolean, timeoutMilliseconds = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMilliseconds;
  for (;;) {
    const value = await read().catch((error: unknown) => error as T);
    if (accept(value)) return value;
    if (Date.now() > deadline) throw new Error(`not reached within ${timeoutMilliseconds} ms; last: ${value instanceof Error ? value.message : JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const waitingFor = (count: number) => (value: HumanInputRequest[]) => Array.isArray(value) && value.length === count;
type Answered = { response: string; requestId: string };
type Signalled = { events?: Array<{ workflowExecutionSignaledEventAttributes?: { signalName?: string | null } | null }> | null };

describe('human input on the Temporal dev server', { timeout: 120_000 }, () => {
  let bundle: { code: string };
  let worker: Worker;
  let running: Promise<void>;
  let executor: TemporalExecutor;
  /** Completed runs and how many answers each got, replayed at the end. */
  const finished: Array<{ workflowId: string; answers: number }> = [];

  const startWorker = async (): Promise<void> => {
    worker = await createTemporalWorker(parts, { workflowBundle: bundle, taskQueue, shutdownGraceTime: '1 second' });
    running = worker.run();
  };
  const stopWorker = async (): Promise<void> => {
    if (worker.getState() === 'RUNNING') worker.shutdown();
    await running;
  };

  beforeAll(async () => {
    bundle = await bundleWorkflowsForParts(parts, { workflowsPath: new URL('./human-input-workflows.ts', import.meta.url) });
    await startWorker();
    // A client alone: the worker above is the one of this file, restarted by one test.
    executor = (await createTemporalEngine({ address }).createExecutor({
      appName: humanInputApp.name,
      registry: humanInputApp.registry,
      settings,
      logger: parts.logger,
    })) as TemporalExecutor;
  });

  afterAll(async () => {
    await executor?.close();
    if (worker !== undefined) await stopWorker();
  });

  const start = async (workflow: typeof AskWorkflow | typeof TwoQuestionsWorkflow | typeof LateQuestionWorkflow, input?: unknown): Promise<WorkflowHandle> =>
    executor.startWorkflow(workflow.name, input, { workflowId: `${workflow.name}-${Date.now()}-${Math.floor(Math.random() * 1e6)}`, taskQueue });
  const pendingOf = (handle: WorkflowHandle) => executor.queryWorkflow<HumanInputRequest[]>(undefined, handle.workflowId, HUMAN_INPUT_QUERY);
  const answer = (handle: WorkflowHandle, payload: unknown) => executor.signalWorkflow(undefined, handle.workflowId, HUMAN_INPUT_SIGNAL, payload);
  const resultValue = async <T>(handle: WorkflowHandle): Promise<T> => {
    const result = await handle.result();
    expect(result.error).toBeUndefined();
    return result.value as T;
  };

  it('waits on requestHumanInput, lists the request in the pending query, and completes with an answer sent as plain text', async () => {
    const handle = await start(AskWorkflow, { prompt: 'Approve the refund of 420 EUR?', description: 'Customer 7 asks for a refund' });
    const pending = await eventually(() => pendingOf(handle), waitingFor(1));
    expect(pending).toHaveLength(1);
    const [request] = pending;
    expect(request).toMatchObject({ prompt: 'Approve the refund of 420 EUR?', description: 'Customer 7 asks for a refund', workflowId: handle.workflowId, runId: handle.runId });
    expect(request?.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(request?.timeoutSeconds).toBeUndefined();
    // Still waiting, with nothing to do until someone answers.
    expect((await executor.describeWorkflow(handle.workflowId)).status).toBe('RUNNING');

    await executor.signalWorkflow('AskWorkflow', handle.workflowId, HUMAN_INPUT_SIGNAL, 'approved');
    expect(await resultValue(handle)).toEqual({ response: 'approved', requestId: request?.requestId });
    expect(await pendingOf(handle)).toEqual([]);
    finished.push({ workflowId: handle.workflowId, answers: 1 });
  });

  it('answers only the request an answer names, when two wait at once', async () => {
    const handle = await start(TwoQuestionsWorkflow);
    const pending = await eventually(() => pendingOf(handle), waitingFor(2));
    expect(pending.map((request) => [request.requestId, request.prompt])).toEqual([
      ['colour', 'Which colour?'],
      ['size', 'Which size?'],
    ]);
    // Addressed to the second: the first still waits.
    await answer(handle, { requestId: 'size', response: 'large', metadata: { by: 'ada' } });
    const left = await eventually(() => pendingOf(handle), waitingFor(1));
    expect(left.map((request) => request.requestId)).toEqual(['colour']);
    expect(await executor.queryWorkflow(undefined, handle.workflowId, 'answeredSoFar')).toEqual(['size']);
    expect((await executor.describeWorkflow(handle.workflowId)).status).toBe('RUNNING');
    // Plain text goes to the oldest one still waiting.
    await answer(handle, 'blue');
    expect(await resultValue(handle)).toEqual({ colour: 'blue', size: 'large', order: 'size,colour' });
    finished.push({ workflowId: handle.workflowId, answers: 2 });
  });

  it('fails the wait with a TimeoutError the workflow catches when no answer comes in time', async () => {
    const handle = await start(AskWorkflow, { prompt: 'Anyone there?', timeout: '1.5 seconds' });
    const [request] = await eventually(() => pendingOf(handle), waitingFor(1));
    expect(request?.timeoutSeconds).toBe(1.5);
    const value = await resultValue<{ timedOut: boolean; message: string }>(handle);
    expect(value).toMatchObject({ timedOut: true, isTimeoutError: true, timeoutType: 'signal' });
    expect(value.message).toContain(`no answer to the human input request "Anyone there?" (${request?.requestId}) arrived within 1500 ms`);
    finished.push({ workflowId: handle.workflowId, answers: 0 });
  });

  it('keeps an answer that arrives before any request for the next request', async () => {
    const handle = await start(LateQuestionWorkflow);
    await eventually(
      () => executor.queryWorkflow<boolean>(undefined, handle.workflowId, 'isReady'),
      (ready) => ready === false,
    );
    await answer(handle, 'early yes');
    // Nothing asked yet, so nothing pending; the answer is kept.
    expect(await pendingOf(handle)).toEqual([]);
    await executor.signalWorkflow(undefined, handle.workflowId, 'release');
    const value = await resultValue<Answered>(handle);
    expect(value.response).toBe('early yes');
    expect(value.requestId).toMatch(/^[0-9a-f-]{36}$/);
    finished.push({ workflowId: handle.workflowId, answers: 1 });
  });

  it('keeps waiting across a worker restart, and a new worker completes the run with the answer', async () => {
    const handle = await start(AskWorkflow, { prompt: 'Ship it?' });
    const [before] = await eventually(() => pendingOf(handle), waitingFor(1));
    await stopWorker();
    expect(worker.getState()).toBe('STOPPED');
    // No worker: the run still waits on the server.
    expect((await executor.describeWorkflow(handle.workflowId)).status).toBe('RUNNING');
    await startWorker();
    // The new worker rebuilt the wait from the history: the same request, the same id.
    expect(await eventually(() => pendingOf(handle), waitingFor(1))).toEqual([before]);
    await answer(handle, { requestId: before?.requestId, response: 'ship' });
    expect(await resultValue(handle)).toEqual({ response: 'ship', requestId: before?.requestId });
    finished.push({ workflowId: handle.workflowId, answers: 1 });
  });

  it('replays every recorded history against the same code', async () => {
    expect(finished).toHaveLength(5);
    const histories = await Promise.all(finished.map(async ({ workflowId }) => ({ workflowId, history: await fetchWorkflowHistory(executor.client, workflowId) })));
    // Each history holds the answers as signals: replay feeds them to the same waits.
    const answersIn = histories.map(
      ({ history }) => ((history as Signalled).events ?? []).filter((event) => event.workflowExecutionSignaledEventAttributes?.signalName === HUMAN_INPUT_SIGNAL).length,
    );
    expect(answersIn).toEqual(finished.map(({ answers }) => answers));
    await replayWorkflowHistories(parts, { workflowBundle: bundle }, histories);
  });
});
