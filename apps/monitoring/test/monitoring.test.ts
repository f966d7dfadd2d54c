// Thirty days of hourly checks on Temporal's time-skipping test server and on the in-process
// engine's virtual clock, with the same report from both; a short run stopped by signal on a
// Temporal dev server and in-process, with the same report; invalid input refused.
import { createLogger, WorkflowFailedError, type Executor } from '@mcp-agent/core';
import { parseSettings, type Settings } from '@mcp-agent/core/config';
import { createAsyncioEngine, VirtualClock } from '@mcp-agent/executor-asyncio';
import { createTemporalEngine, installRuntime } from '@mcp-agent/executor-temporal';
import { llmProvider } from '@mcp-agent/providers-openai';
import { startLocalLlmServer, type LocalLlmServer } from '@mcp-agent/testing';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { createExecutorWithServices } from '@mcp-agent/core/engine';
import { outbox } from '../src/alerts.js';
import { MonitoringWorkflowClient } from '../src/generated/clients.js';
import { app, type MonitoringReport } from '../src/workflows.js';

const logger = createLogger({ transports: ['none'] });
const HOUR = 3_600_000;
const workflowsPath = new URL('../src/workflows.ts', import.meta.url);

describe('monitoring', { timeout: 120_000 }, () => {
  let llm: LocalLlmServer;
  let settings: (engine: 'asyncio' | 'temporal') => Settings;
  let timeSkipping: TestWorkflowEnvironment;
  let clock: VirtualClock;
  const executors: Record<'inProcess' | 'timeSkipping' | 'devServer', Executor> = {} as never;
  const runId = `${process.pid}-${Date.now().toString(36)}`;

  beforeAll(async () => {
    // The model: nominal, except on day 7 at 13:00.
    llm = await startLocalLlmServer({
      script: {
        rules: [
          { match: (request) => (request.lastUserMessage ?? '').includes('(day 7, hour 13)'), reply: { text: 'CRITICAL: database disk 98% full' } },
          { match: () => true, reply: { text: 'all systems nominal' } },
        ],
      },
    });
    settings = (engine) =>
      parseSettings(
        {
          execution_engine: engine,
          temporal: { task_queue: `monitoring-${process.pid}` },
          openai: { api_key: 'sk-local-test', base_url: llm.openaiBaseUrl, default_model: 'gpt-4o-mini' },
        },
        'monitoring test settings',
      );
    const parts = { appName: app.name, registry: app.registry, logger, llmProviders: [llmProvider] };

    clock = new VirtualClock();
    executors.inProcess = await createExecutorWithServices(createAsyncioEngine({ clock }), { ...parts, settings: settings('asyncio') });

    // Temporal's runtime logs into our (silent) logger; the test environment would install a chatty one.
    installRuntime(settings('temporal'), logger);
    timeSkipping = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: inject('temporalTestServerPath') } } });
    executors.timeSkipping = await createExecutorWithServices(
      createTemporalEngine({
        client: timeSkipping.client,
        worker: { workflowsPath, connection: timeSkipping.nativeConnection, taskQueue: `monitoring-${process.pid}` },
      }),
      { ...parts, settings: settings('temporal') },
    );

    executors.devServer = await createExecutorWithServices(
      createTemporalEngine({
        address: inject('temporalAddress'),
        worker: { workflowsPath, taskQueue: `monitoring-${process.pid}` },
      }),
      { ...parts, settings: settings('temporal') },
    );
  });

  afterAll(async () => {
    await Promise.all(Object.values(executors).map((executor) => executor.close()));
    await timeSkipping?.teardown();
    await llm?.close();
  });

  /** Runs the workflow to its end on one executor; what it reported, the model calls and alerts it made, and the workflow time from first start to last close. */
  async function monitor(executor: Executor, workflowId: string) {
    const requestsBefore = llm.requests.length;
    outbox.clear();
    const handle = await MonitoringWorkflowClient.start(executor, { systems: ['api', 'database'], days: 30 }, { workflowId });
    const result = await handle.result();
    const first = await executor.describeWorkflow(workflowId, handle.runId);
    const last = await handle.describe();
    return {
      result,
      modelRequests: llm.requests.length - requestsBefore,
      alertsSent: outbox.sent(),
      workflowHours: ((last.closeTime?.getTime() ?? 0) - first.startTime.getTime()) / HOUR,
    };
  }

  it('runs 30 days of hourly checks on both engines in seconds, alerting once for the critical hour, with the same report', async () => {
    const workflowId = `monitoring-month-${runId}`;
    const started = Date.now();
    const temporal = await monitor(executors.timeSkipping, workflowId);
    const temporalSeconds = (Date.now() - started) / 1000;
    const inProcess = await monitor(executors.inProcess, workflowId);

    for (const [name, run] of Object.entries({ temporal, inProcess })) {
      const report = run.result.value as MonitoringReport;
      expect(run.result.error, name).toBeUndefined();
      expect(report.checks, name).toHaveLength(720);
      expect(report.checks[0], name).toEqual({ day: 0, hour: 0, status: 'all systems nominal', critical: false });
      expect(report.checks[7 * 24 + 13], name).toEqual({ day: 7, hour: 13, status: 'CRITICAL: database disk 98% full', critical: true });
      expect(report.checks.at(-1), name).toMatchObject({ day: 29, hour: 23 });
      expect(
        report.checks.filter((check) => check.critical),
        name,
      ).toHaveLength(1);
      expect(report.alerts, name).toEqual([{ day: 7, hour: 13, systems: ['api', 'database'], message: 'CRITICAL: database disk 98% full' }]);
      // One run per day, each continuing as new.
      expect(report.runs, name).toBe(30);
      // 720 model round trips; the alert task paged once.
      expect(run.modelRequests, name).toBe(720);
      expect(run.alertsSent, name).toEqual(report.alerts);
      // Checks at hours 0 to 719 after the start: 719 hours of workflow time went by.
      expect(run.workflowHours, name).toBeGreaterThanOrEqual(719);
      expect(run.workflowHours, name).toBeLessThan(720);
    }
    expect(inProcess.result.value).toEqual(temporal.result.value);
    console.log(`monitoring: 720 hourly checks over 30 workflow days in ${temporalSeconds.toFixed(1)} s on the time-skipping server`);
  });

  it('stops on the stop signal after the first check, with the same report in-process and on a Temporal dev server', async () => {
    const reports: unknown[] = [];
    for (const [name, executor] of [
      ['in-process', executors.inProcess],
      ['dev server', executors.devServer],
    ] as const) {
      const handle = await MonitoringWorkflowClient.start(executor, { systems: ['queue'], days: 2 }, { workflowId: `monitoring-stop-${runId}` });
      // The first check runs at once; the next is an hour away.
      await vi.waitFor(async () => expect((await handle.queries.status()).checks, name).toBe(1), { timeout: 15_000, interval: 50 });
      const status = await handle.queries.status();
      expect(status.stopping, name).toBe(false);
      await handle.signals.stop('maintenance window');
      const result = await handle.result();
      // The query had the next check an hour after the start.
      expect(Math.abs((status.nextCheckAt ?? 0) - (result.startTime ?? 0) - HOUR), name).toBeLessThan(5_000);
      expect(result.value, name).toEqual({
        systems: ['queue'],
        days: 2,
        checks: [{ day: 0, hour: 0, status: 'all systems nominal', critical: false }],
        alerts: [],
        runs: 1,
        stopped: 'maintenance window',
      });
      // It ended at once, not after the hour.
      expect((result.endTime ?? 0) - (result.startTime ?? 0), name).toBeLessThan(HOUR);
      reports.push(result.value);
    }
    expect(reports[1]).toEqual(reports[0]);
  });

  it('refuses invalid input with a clear, non-retryable error', async () => {
    for (const [name, executor] of [
      ['in-process', executors.inProcess],
      ['dev server', executors.devServer],
    ] as const) {
      const handle = await MonitoringWorkflowClient.start(executor, { systems: [], days: 0.5 }, { workflowId: `monitoring-invalid-${runId}` });
      const error = await handle.result().then(
        () => undefined,
        (failure: unknown) => failure,
      );
      expect(WorkflowFailedError.is(error), name).toBe(true);
      expect((error as Error).message, name).toContain('invalid monitoring input: systems must list at least one system name; days must be a whole number from 1 to 366, got 0.5');
    }
  });
});
