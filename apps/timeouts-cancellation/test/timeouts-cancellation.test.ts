// The batch workflow on the in-process engine and on the Temporal dev server, at the same time:
// each timeout it meets and its cleanup after the client cancels it come back in its result, the
// same on both engines; an execution timeout set at start ends a run TIMED_OUT.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLogger, WorkflowFailedError, type Executor } from '@mcp-agent/core';
import { loadSettings, type Settings } from '@mcp-agent/core/config';
import { createAsyncioEngine } from '@mcp-agent/executor-asyncio';
import { createTemporalEngine } from '@mcp-agent/executor-temporal';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { BatchWorkflowClient } from '../src/generated/clients.js';
import { app, taskLog, type BatchReport } from '../src/workflows.js';

const appDirectory = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const logger = createLogger({ transports: ['none'] });
const taskQueue = `timeouts-cancellation-${process.pid}`;

/** The app's config file (its retry policies included), on the engine given. */
function settingsFor(engine: 'asyncio' | 'temporal'): Settings {
  return loadSettings({ cwd: appDirectory, env: {}, overrides: { execution_engine: engine, temporal: { host: inject('temporalAddress'), task_queue: taskQueue } } }).settings;
}

async function eventually(check: () => void, milliseconds = 8_000): Promise<void> {
  const deadline = Date.now() + milliseconds;
  for (;;) {
    try {
      check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

const failureOf = (promise: Promise<unknown>): Promise<unknown> =>
  promise.then(
    () => undefined,
    (error: unknown) => error,
  );

describe('timeouts and cancellation', { timeout: 60_000 }, () => {
  const engines: Executor[] = [];

  beforeAll(async () => {
    engines.push(await createAsyncioEngine().createExecutor({ appName: app.name, registry: app.registry, settings: settingsFor('asyncio'), logger }));
    engines.push(
      await createTemporalEngine({ worker: { workflowsPath: new URL('../src/workflows.ts', import.meta.url), taskQueue } }).createExecutor({
        appName: app.name,
        registry: app.registry,
        settings: settingsFor('temporal'),
        logger,
      }),
    );
  });

  afterAll(async () => {
    await Promise.all(engines.map((executor) => executor.close()));
  });

  it('reports the attempt timeouts, the condition timeout, the child execution timeout and the cleanup after cancellation, the same on both engines', async () => {
    const reports = await Promise.all(
      engines.map(async (executor) => {
        const workflowId = `batch-${executor.engine}-${Date.now()}`;
        const started = Date.now();
        const handle = await BatchWorkflowClient.start(executor, { batchId: 'batch-42' }, { workflowId });
        expect(await handle.queries.stage()).toBe('running steps');
        for (let stage = await handle.queries.stage(); stage !== 'holding the lease'; stage = await handle.queries.stage()) {
          expect(stage).toBe('running steps');
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        // Two attempts of a second each, a second apart: the steps took about three seconds.
        expect(Date.now() - started).toBeGreaterThanOrEqual(2_900);
        await handle.cancel();
        const result = await handle.result();

        // The workflow caught its cancellation and completed with its report.
        expect(result.error).toBe('batch batch-42 was cancelled; released the lease on batch-42');
        expect((await handle.describe()).status).toBe('COMPLETED');
        expect((await executor.describeWorkflow(`${workflowId}-archive`)).status).toBe('TIMED_OUT');
        // Each export attempt was aborted when it timed out (under Temporal, once a heartbeat is refused); the cleanup ran once.
        await eventually(() =>
          expect([...(taskLog.get(workflowId) ?? [])].sort()).toEqual([
            'export attempt 1 aborted',
            'export attempt 1 started',
            'export attempt 2 aborted',
            'export attempt 2 started',
            'lease released',
          ]),
        );
        return result.value;
      }),
    );

    const expected: BatchReport = {
      batchId: 'batch-42',
      export: { status: 'failed', attempts: 2, error: 'attempt timed out (start_to_close)', timeout: 'start_to_close' },
      approval: { status: 'no approval in time', windowMs: 1000 },
      archive: { status: 'timed out', workflow: 'ArchiveWorkflow', executionTimeoutMs: 2000 },
      cancellation: { status: 'cancelled by the client', cleanup: 'released the lease on batch-42' },
    };
    expect(reports[0]).toEqual(expected);
    expect(reports[1]).toEqual(reports[0]);
  });

  it('ends a run whose execution timeout, set at start, passes as TIMED_OUT, with no workflow code after it', async () => {
    await Promise.all(
      engines.map(async (executor) => {
        const workflowId = `batch-timed-${executor.engine}-${Date.now()}`;
        const handle = await BatchWorkflowClient.start(executor, { batchId: 'batch-43' }, { workflowId, executionTimeout: '2s' });
        const error = await failureOf(handle.result());
        expect(WorkflowFailedError.is(error) && error.status).toBe('TIMED_OUT');
        expect((await handle.describe()).status).toBe('TIMED_OUT');
        expect(taskLog.get(workflowId) ?? []).not.toContain('lease released');
      }),
    );
  });

  it('refuses a batch without an id at once, with a clear error', async () => {
    for (const executor of engines) {
      const error = await failureOf(BatchWorkflowClient.execute(executor, { batchId: '' }));
      expect(WorkflowFailedError.is(error) && error.status).toBe('FAILED');
      expect((error as Error).message).toContain('batchId: expected a non-empty string, got ""');
    }
  });
});
