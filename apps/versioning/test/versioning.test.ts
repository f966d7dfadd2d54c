// A deploy played through on the Temporal dev server: an order started by the previous deploy
// (workflows-v1.ts) waits for approval while its worker is replaced by one running the current
// deploy (workflows.ts); it finishes on its original path, and a new order takes the new one.
// Recorded histories replay against the current code, and fail against the same change made
// without patched(). In-process, a new order takes the new path, with the same result.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLogger, WorkflowFailedError, type Executor, type MCPApp } from '@mcp-agent/core';
import { loadSettings, type Settings } from '@mcp-agent/core/config';
import { createAsyncioEngine } from '@mcp-agent/executor-asyncio';
import {
  createTemporalEngine,
  createTemporalWorker,
  fetchWorkflowHistory,
  readWorkflowHistory,
  ReplayFailedError,
  replayWorkflowHistories,
  type TemporalExecutor,
  type WorkflowHistory,
} from '@mcp-agent/executor-temporal';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { OrderWorkflowClient, type OrderWorkflowHandle } from '../src/generated/clients.js';
import * as current from '../src/workflows.js';
import * as previous from '../src/workflows-v1.js';
import * as unpatched from './fixtures/workflows-unpatched.js';

const appDirectory = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const modules = {
  current: new URL('../src/workflows.ts', import.meta.url),
  previous: new URL('../src/workflows-v1.ts', import.meta.url),
  unpatched: new URL('./fixtures/workflows-unpatched.ts', import.meta.url),
};
const logger = createLogger({ transports: ['none'] });
const taskQueue = `versioning-${process.pid}`;

/** The app's config file, on the engine given, with the test's dev server and task queue. */
function settingsFor(engine: 'asyncio' | 'temporal'): Settings {
  return loadSettings({ cwd: appDirectory, env: {}, overrides: { execution_engine: engine, temporal: { host: inject('temporalAddress'), task_queue: taskQueue } } }).settings;
}

/** What a worker or a replay needs of one version of the app. */
const partsOf = (app: MCPApp) => ({ registry: app.registry, settings: settingsFor('temporal'), logger });

const order = (orderId: string): current.Order => ({ orderId, item: 'widget', quantity: 2, amountCents: 4200 });

async function awaitingApproval(handle: OrderWorkflowHandle): Promise<void> {
  for (let tries = 0; (await handle.queries.status()).stage !== 'awaiting approval'; tries += 1) {
    if (tries > 200) throw new Error(`${handle.workflowId} never reached "awaiting approval"`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The activity types a run scheduled and the markers it recorded, in order, from its history. */
function commandsOf(history: WorkflowHistory): { activities: string[]; markers: number } {
  const events =
    (history as { events?: Array<{ activityTaskScheduledEventAttributes?: { activityType?: { name?: string } | null } | null; markerRecordedEventAttributes?: unknown }> }).events ?? [];
  return {
    activities: events.flatMap((event) => (event.activityTaskScheduledEventAttributes?.activityType?.name ? [event.activityTaskScheduledEventAttributes.activityType.name] : [])),
    markers: events.filter((event) => event.markerRecordedEventAttributes != null).length,
  };
}

const recorded = (): { workflowId: string; history: WorkflowHistory } => ({
  workflowId: 'order-recorded-v1',
  history: readWorkflowHistory(path.join(appDirectory, 'histories', 'order-v1.json')),
});

describe('a deploy on the Temporal dev server', { timeout: 90_000 }, () => {
  let executor: TemporalExecutor;

  beforeAll(async () => {
    // A client only: the test runs the workers of each deploy itself.
    executor = (await createTemporalEngine().createExecutor({
      appName: current.app.name,
      registry: current.app.registry,
      settings: settingsFor('temporal'),
      logger,
    })) as TemporalExecutor;
  });

  afterAll(async () => {
    await executor?.close();
  });

  it('finishes a run of the previous deploy on its original path, and starts new runs on the new one', async () => {
    // The previous deploy is running; an order is placed and waits for approval.
    const v1 = await createTemporalWorker(partsOf(previous.app), { workflowsPath: modules.previous, taskQueue });
    const v1Running = v1.run();
    const oldId = `order-old-${Date.now()}`;
    const old = await OrderWorkflowClient.start(executor, order(oldId), { workflowId: oldId });
    await awaitingApproval(old);

    // The deploy: the v1 worker stops, a worker with the current code takes over the task queue.
    v1.shutdown();
    await v1Running;
    const v2 = await createTemporalWorker(partsOf(current.app), { workflowsPath: modules.current, taskQueue });
    const v2Running = v2.run();
    try {
      await old.signals.approve('Grace');
      // Replayed through the new code, the old run keeps the path it started on: no fraud screen.
      expect((await old.result()).value).toEqual({ orderId: oldId, path: 'original', steps: ['reserved 2 x widget', 'charged 4200 cents'], approvedBy: 'Grace' });

      const newId = `order-new-${Date.now()}`;
      const fresh = await OrderWorkflowClient.start(executor, order(newId), { workflowId: newId });
      await awaitingApproval(fresh);
      await fresh.signals.approve('Grace');
      const onTemporal = (await fresh.result()).value;
      expect(onTemporal).toEqual({
        orderId: newId,
        path: 'fraud-screened',
        steps: ['reserved 2 x widget', 'fraud screen passed for 4200 cents', 'charged 4200 cents'],
        approvedBy: 'Grace',
      });

      // The histories say the same: the new run recorded the patch marker and scheduled the screen.
      const oldHistory = await fetchWorkflowHistory(executor.client, oldId);
      const newHistory = await fetchWorkflowHistory(executor.client, newId);
      expect(commandsOf(oldHistory)).toEqual({ activities: ['orders.reserveStock', 'orders.chargeCard'], markers: 0 });
      expect(commandsOf(newHistory)).toEqual({ activities: ['orders.reserveStock', 'orders.screenForFraud', 'orders.chargeCard'], markers: 1 });
      // Both replay against the current code.
      await replayWorkflowHistories(partsOf(current.app), { workflowsPath: modules.current }, [
        { workflowId: oldId, history: oldHistory },
        { workflowId: newId, history: newHistory },
      ]);

      // In-process, a new order takes the new path too, with the same result.
      const inProcess = await createAsyncioEngine().createExecutor({ appName: current.app.name, registry: current.app.registry, settings: settingsFor('asyncio'), logger });
      try {
        const handle = await OrderWorkflowClient.start(inProcess, order(newId), { workflowId: newId });
        await awaitingApproval(handle);
        await handle.signals.approve('Grace');
        expect((await handle.result()).value).toEqual(onTemporal);
      } finally {
        await inProcess.close();
      }
    } finally {
      v2.shutdown();
      await v2Running;
    }
  });
});

describe('replaying the recorded run of the previous deploy (histories/order-v1.json)', { timeout: 60_000 }, () => {
  it('is a run of the original path', () => {
    expect(commandsOf(recorded().history)).toEqual({ activities: ['orders.reserveStock', 'orders.chargeCard'], markers: 0 });
  });

  it('replays against the previous deploy and against the current one, whose patch keeps the original path', async () => {
    await replayWorkflowHistories(partsOf(previous.app), { workflowsPath: modules.previous }, [recorded()]);
    await replayWorkflowHistories(partsOf(current.app), { workflowsPath: modules.current }, [recorded()]);
  });

  it('fails against the same change made without patched(), naming the run and the fix', async () => {
    const error = await replayWorkflowHistories(partsOf(unpatched.app), { workflowsPath: modules.unpatched }, [recorded()]).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(ReplayFailedError.is(error)).toBe(true);
    expect((error as Error).message).toContain('replaying workflow order-recorded-v1 against the current code failed');
    expect((error as Error).message).toContain("Activity type of scheduled event 'orders.chargeCard' does not match activity type of activity command 'orders.screenForFraud'");
    expect((error as Error).message).toContain('this.patched("change-id")');
  });
});

describe('in-process', () => {
  let executor: Executor;

  beforeAll(async () => {
    executor = await createAsyncioEngine().createExecutor({ appName: current.app.name, registry: current.app.registry, settings: settingsFor('asyncio'), logger });
  });

  afterAll(async () => {
    await executor?.close();
  });

  it('refuses a bad order at once with a clear error', async () => {
    const error = await OrderWorkflowClient.execute(executor, { ...order('order-bad'), quantity: 0 }).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(WorkflowFailedError.is(error) && error.status).toBe('FAILED');
    expect((error as Error).message).toContain('order.quantity: expected a whole number >= 1, got 0');
  });
});
