// The scheduled workflow on both engines. Day-long schedules run on the in-process engine's
// virtual clock and on Temporal's time-skipping test server (days of workflow time in seconds);
// a seconds-long schedule runs on the Temporal dev server. Each run must happen at its scheduled
// time in workflow time, the chain must continue as new every `runsPerHistory` runs, and both
// engines must report the same runs.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLogger, WorkflowFailedError, type Executor } from '@mcp-agent/core';
import { loadSettings, type Settings } from '@mcp-agent/core/config';
import { createAsyncioEngine, VirtualClock } from '@mcp-agent/executor-asyncio';
import { createTemporalEngine, runtimeOptions } from '@mcp-agent/executor-temporal';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Runtime } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ScheduledReportWorkflowClient } from '../src/generated/clients.js';
import { app, type RunRecord, type ScheduleInput, type ScheduleSummary } from '../src/workflows.js';

const appDirectory = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const workflowsPath = new URL('../src/workflows.ts', import.meta.url);
const logger = createLogger({ transports: ['none'] });
const DAY = 86_400_000;

/** The app's own config file, on the engine given. */
function settingsFor(engine: 'asyncio' | 'temporal'): Settings {
  return loadSettings({ cwd: appDirectory, env: {}, overrides: { execution_engine: engine, temporal: { task_queue: `scheduled-${process.pid}` } } }).settings;
}

function inProcessExecutor(clock: VirtualClock): Promise<Executor> {
  return Promise.resolve(createAsyncioEngine({ clock }).createExecutor({ appName: app.name, registry: app.registry, settings: settingsFor('asyncio'), logger }));
}

/** The workflow runs of a chain, oldest first, by following continuedFromRunId back from the current one. */
async function chainOf(executor: Executor, workflowId: string): Promise<Array<{ runId: string; status: string }>> {
  const chain: Array<{ runId: string; status: string }> = [];
  for (let description = await executor.describeWorkflow(workflowId); ; ) {
    chain.unshift({ runId: description.runId, status: description.status });
    if (description.continuedFromRunId === undefined) return chain;
    description = await executor.describeWorkflow(workflowId, description.continuedFromRunId);
  }
}

/** The result without `ranAt`, the one field that depends on how promptly an engine's timer fired. */
function withoutRanAt(summary: ScheduleSummary | undefined): unknown {
  return { ...summary, recent: summary?.recent.map(({ ranAt: _ranAt, ...rest }) => rest) };
}

/** Every run happened at or just after its slot, in workflow time. */
function expectOnTime(recent: readonly RunRecord[], toleranceMs: number): void {
  for (const record of recent) {
    const lateBy = Date.parse(record.ranAt) - Date.parse(record.scheduledFor);
    expect(lateBy, `run ${record.run} ran ${lateBy} ms after its slot`).toBeGreaterThanOrEqual(0);
    expect(lateBy, `run ${record.run} ran ${lateBy} ms after its slot`).toBeLessThan(toleranceMs);
  }
}

describe('a daily schedule (09:00 UTC), five runs, continuing as new every two', { timeout: 60_000 }, () => {
  const input: ScheduleInput = { schedule: { dailyAtUtc: '09:00' }, stopAfter: 5, runsPerHistory: 2 };
  let environment: TestWorkflowEnvironment;
  let temporal: Executor;
  let onTemporal: ScheduleSummary | undefined;

  beforeAll(async () => {
    // The test environment would otherwise install Temporal's runtime with its own console logger.
    if (Runtime._instance === undefined) Runtime.install(runtimeOptions(settingsFor('temporal'), logger));
    environment = await TestWorkflowEnvironment.createTimeSkipping({
      server: { executable: { type: 'existing-path', path: inject('temporalTestServerPath') } },
    });
    temporal = await createTemporalEngine({
      client: environment.client,
      worker: { workflowsPath, connection: environment.nativeConnection, taskQueue: `scheduled-daily-${process.pid}` },
    }).createExecutor({ appName: app.name, registry: app.registry, settings: settingsFor('temporal'), logger });
  });

  afterAll(async () => {
    await temporal?.close();
    await environment?.teardown();
  });

  it('on the time-skipping server: every day at 09:00 UTC in workflow time, over three workflow runs', async () => {
    const started = Date.now();
    const handle = await ScheduledReportWorkflowClient.start(temporal, input, { workflowId: `daily-report-${Date.now()}` });
    const result = await handle.result();
    onTemporal = result.value;
    expect(Date.now() - started).toBeLessThan(20_000);

    // The slots, worked out here from when the chain started: the first 09:00 UTC after it, then a day apart.
    const startedAt = Date.parse(onTemporal?.startedAt ?? '');
    const day = new Date(startedAt);
    let first = Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate(), 9, 0);
    if (first <= startedAt) first += DAY;
    expect(onTemporal?.recent.map((record) => record.scheduledFor)).toEqual([0, 1, 2, 3, 4].map((days) => new Date(first + days * DAY).toISOString()));
    expect(onTemporal?.recent.map((record) => record.run)).toEqual([1, 2, 3, 4, 5]);
    expect(onTemporal?.recent.map((record) => record.chainRun)).toEqual([1, 1, 2, 2, 3]);
    expect(onTemporal?.recent[4]?.report).toBe(`report #5 for ${new Date(first + 4 * DAY).toISOString().slice(0, 19).replace('T', ' ')} UTC`);
    expect(onTemporal).toMatchObject({ schedule: 'every day at 09:00 UTC', runs: 5, chainRuns: 3 });
    // Each run at its slot in workflow time; a fired timer's workflow task starts a moment later.
    expectOnTime(onTemporal?.recent ?? [], 2_000);

    // continueAsNew made three runs of one workflow id: describe shows the first two CONTINUED_AS_NEW.
    const chain = await chainOf(temporal, handle.workflowId);
    expect(chain.map((run) => run.status)).toEqual(['CONTINUED_AS_NEW', 'CONTINUED_AS_NEW', 'COMPLETED']);
    expect(chain[0]?.runId).toBe(handle.runId);
    expect(new Set(chain.map((run) => run.runId)).size).toBe(3);
  });

  it('in-process on a virtual clock started at the same instant: the same runs, to the millisecond', async () => {
    expect(onTemporal).toBeDefined();
    const clock = new VirtualClock(Date.parse(onTemporal?.startedAt ?? ''));
    const executor = await inProcessExecutor(clock);
    try {
      const handle = await ScheduledReportWorkflowClient.start(executor, input, { workflowId: 'daily-report' });
      const inProcess = (await handle.result()).value;
      expect(withoutRanAt(inProcess)).toEqual(withoutRanAt(onTemporal));
      // The virtual clock fires a timer exactly at its time.
      expect(inProcess?.recent.map((record) => record.ranAt)).toEqual(inProcess?.recent.map((record) => record.scheduledFor));
      expect(clock.now() - Date.parse(onTemporal?.startedAt ?? '')).toBeGreaterThan(4 * DAY);
      expect((await chainOf(executor, handle.workflowId)).map((run) => run.status)).toEqual(['CONTINUED_AS_NEW', 'CONTINUED_AS_NEW', 'COMPLETED']);
    } finally {
      await executor.close();
    }
  });
});

describe('a schedule every two seconds on the Temporal dev server', { timeout: 60_000 }, () => {
  // Two seconds, not one: the dev server keeps timers to whole seconds, so a run can be nearly a
  // second late, and a one-second schedule could then skip a slot.
  const input: ScheduleInput = { schedule: { everySeconds: 2 }, stopAfter: 3, runsPerHistory: 2 };
  let temporal: Executor;

  beforeAll(async () => {
    temporal = await createTemporalEngine({
      address: inject('temporalAddress'),
      worker: { workflowsPath, taskQueue: `scheduled-${process.pid}` },
    }).createExecutor({ appName: app.name, registry: app.registry, settings: settingsFor('temporal'), logger });
  });

  afterAll(async () => {
    await temporal?.close();
  });

  it('runs every two seconds, continues as new after two runs, and matches the in-process engine', async () => {
    const handle = await ScheduledReportWorkflowClient.start(temporal, input, { workflowId: `every-two-seconds-${Date.now()}` });
    // While it sleeps, the status query says when it runs next.
    let nextRunAt: string | undefined;
    for (let tries = 0; nextRunAt === undefined && tries < 100; tries += 1) {
      nextRunAt = (await handle.queries.status()).nextRunAt;
      if (nextRunAt === undefined) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const summary = (await handle.result()).value;
    expect(summary?.recent[0]?.scheduledFor).toBe(nextRunAt);

    const slots = summary?.recent.map((record) => Date.parse(record.scheduledFor)) ?? [];
    expect(slots).toHaveLength(3);
    expect(slots.every((slot) => slot % 2000 === 0)).toBe(true);
    expect(slots.slice(1).map((slot, index) => slot - (slots[index] as number))).toEqual([2000, 2000]);
    expect(summary?.recent.map((record) => record.chainRun)).toEqual([1, 1, 2]);
    // The dev server keeps timers to whole seconds: a run is at most about a second late.
    expectOnTime(summary?.recent ?? [], 1_500);
    expect((await chainOf(temporal, handle.workflowId)).map((run) => run.status)).toEqual(['CONTINUED_AS_NEW', 'COMPLETED']);

    // The same schedule in-process, on a virtual clock started when the Temporal chain started.
    const executor = await inProcessExecutor(new VirtualClock(Date.parse(summary?.startedAt ?? '')));
    try {
      const inProcess = await ScheduledReportWorkflowClient.execute(executor, input, { workflowId: 'every-two-seconds' });
      expect(withoutRanAt(inProcess.value)).toEqual(withoutRanAt(summary));
    } finally {
      await executor.close();
    }
  });

  it('refuses a bad schedule at once, on both engines, with the same message', async () => {
    const bad: ScheduleInput = { schedule: { dailyAtUtc: '25:00' } };
    const executor = await inProcessExecutor(new VirtualClock());
    try {
      const messages: string[] = [];
      for (const engine of [executor, temporal]) {
        const error = await ScheduledReportWorkflowClient.execute(engine, bad).then(
          () => undefined,
          (caught: unknown) => caught,
        );
        expect(WorkflowFailedError.is(error) && error.status).toBe('FAILED');
        messages.push((error as WorkflowFailedError).message.replace(/^workflow .*? failed: /, ''));
      }
      expect(messages[0]).toBe('schedule.dailyAtUtc: expected "HH:MM" (00:00 to 23:59), got "25:00"');
      expect(messages[1]).toBe(messages[0]);
    } finally {
      await executor.close();
    }
  });
});
