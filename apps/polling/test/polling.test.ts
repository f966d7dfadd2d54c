// Polling a job on a local HTTP job service, in-process (on a virtual clock) and on a Temporal
// dev server (real sleeps of one and two seconds): the same report on both, the number of polls
// the service saw, the backoff between them, and each way polling ends.
import { createLogger, WorkflowFailedError, type Executor, type WorkflowResult } from '@mcp-agent/core';
import { loadSettings, type Settings } from '@mcp-agent/core/config';
import { createAsyncioEngine, VirtualClock } from '@mcp-agent/executor-asyncio';
import { createTemporalEngine } from '@mcp-agent/executor-temporal';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { JobPollingWorkflowClient } from '../src/generated/clients.js';
import { startJobService, type JobService, type JobSpec } from '../src/job-service.js';
import { app, events, type PollPolicy, type PollReport } from '../src/workflows.js';

const logger = createLogger({ transports: ['none'] });
// The app's own config (the status check's retry policy), with the engine chosen here.
const configured = loadSettings({ configPath: new URL('../mcp_agent.config.yaml', import.meta.url).pathname }).settings;
const taskQueue = `polling-${process.pid}`;
const settingsFor = (engine: 'asyncio' | 'temporal'): Settings => ({ ...configured, execution_engine: engine, temporal: { ...configured.temporal!, task_queue: taskQueue } });

// Waits of 1 s, then 2 s: whole seconds, as the Temporal server keeps timers.
const POLICY: PollPolicy = { maxPolls: 3, initialDelay: 1, backoffCoefficient: 2, maxDelay: 4 };

describe('polling a job', { timeout: 60_000 }, () => {
  let service: JobService;
  const engines: Array<{ name: string; executor: Executor }> = [];
  const runId = `${process.pid}-${Date.now().toString(36)}`;
  const printed: string[] = [];

  beforeAll(async () => {
    service = await startJobService();
    events.print = (line) => printed.push(line);
    const inProcess = await createAsyncioEngine({ clock: new VirtualClock() }).createExecutor({ appName: app.name, registry: app.registry, settings: settingsFor('asyncio'), logger });
    const temporal = await createTemporalEngine({
      address: inject('temporalAddress'),
      worker: { workflowsPath: new URL('../src/workflows.ts', import.meta.url), taskQueue },
    }).createExecutor({ appName: app.name, registry: app.registry, settings: settingsFor('temporal'), logger });
    engines.push({ name: 'in-process', executor: inProcess }, { name: 'temporal', executor: temporal });
  });

  afterAll(async () => {
    await Promise.all(engines.map(({ executor }) => executor.close()));
    await service?.close();
  });

  /** Creates the job afresh for each engine and polls it; what each reported and what the service saw. */
  async function pollOnBothEngines(job: JobSpec & { id: string }, policy: PollPolicy = POLICY) {
    const runs: Array<{ name: string; result: Pick<WorkflowResult<PollReport>, 'value' | 'error'>; workflowMs: number; reads: number[]; printed: string[] }> = [];
    for (const { name, executor } of engines) {
      service.reset();
      service.createJob(job);
      printed.length = 0;
      const result = await JobPollingWorkflowClient.execute(executor, { serviceUrl: service.url, jobId: job.id, policy }, { workflowId: `poll-${job.id}-${runId}` });
      runs.push({
        name,
        result: { value: result.value, error: result.error },
        workflowMs: (result.endTime ?? 0) - (result.startTime ?? 0),
        reads: service.reads(job.id),
        printed: [...printed],
      });
    }
    expect(runs[1]!.result).toEqual(runs[0]!.result);
    expect(runs[1]!.reads).toEqual(runs[0]!.reads);
    return runs;
  }

  it('polls until the job succeeds, backing off, a 503 retried by the task without counting as a poll', async () => {
    const runs = await pollOnBothEngines({ id: 'export-1', readyAfterPolls: 3, unavailableOnReads: [2], result: 's3://exports/q3.csv' });
    for (const run of runs) {
      expect(run.result.error, run.name).toBeUndefined();
      expect(run.result.value, run.name).toEqual({
        jobId: 'export-1',
        outcome: 'succeeded',
        polls: 3,
        states: ['queued', 'running', 'succeeded'],
        delays: [1, 2],
        result: 's3://exports/q3.csv',
      });
      // Four requests: three polls, one of which was tried twice.
      expect(run.reads, run.name).toEqual([200, 503, 200, 200]);
      expect(run.printed, run.name).toContain('check export-1: HTTP 503 on attempt 1; the engine retries');
      // The waits happened in workflow time: 1 s + 2 s, and the retry's backoff.
      expect(run.workflowMs, run.name).toBeGreaterThanOrEqual(3_000);
    }
  });

  it('gives up after the maximum of polls and says so', async () => {
    const runs = await pollOnBothEngines({ id: 'stuck-1', outcome: 'never' });
    for (const run of runs) {
      expect(run.result.value, run.name).toEqual({ jobId: 'stuck-1', outcome: 'gave up', polls: 3, states: ['queued', 'running', 'running'], delays: [1, 2] });
      expect(run.result.error, run.name).toBe('job stuck-1 not done after 3 polls over 3 s (last state: running)');
      expect(run.reads, run.name).toEqual([200, 200, 200]);
      expect(run.workflowMs, run.name).toBeGreaterThanOrEqual(3_000);
    }
  });

  it('reports a job that failed, with its reason', async () => {
    const runs = await pollOnBothEngines({ id: 'import-1', readyAfterPolls: 2, outcome: 'failed', error: 'row 17: unknown currency XYZ' });
    for (const run of runs) {
      expect(run.result.value, run.name).toEqual({ jobId: 'import-1', outcome: 'failed', polls: 2, states: ['queued', 'failed'], delays: [1], error: 'row 17: unknown currency XYZ' });
      expect(run.result.error, run.name).toBe('job import-1 failed: row 17: unknown currency XYZ');
      expect(run.reads, run.name).toEqual([200, 200]);
    }
  });

  it('stops at once, without retrying, for a job the service does not know', async () => {
    for (const { name, executor } of engines) {
      service.reset();
      const result = await JobPollingWorkflowClient.execute(executor, { serviceUrl: service.url, jobId: 'nope', policy: POLICY }, { workflowId: `poll-nope-${runId}` });
      expect(result.value, name).toEqual({ jobId: 'nope', outcome: 'not found', polls: 0, states: [], delays: [], error: 'the job service has no job "nope"' });
      expect(result.error, name).toBe('polling job nope stopped: the job service has no job "nope"');
      // No retry: a retry would have waited the policy's initial interval (1 s) first.
      expect((result.endTime ?? 0) - (result.startTime ?? 0), name).toBeLessThan(1_000);
    }
  });

  it('fails a run with invalid input with a clear, non-retryable error', async () => {
    for (const { name, executor } of engines) {
      const handle = await JobPollingWorkflowClient.start(executor, { serviceUrl: 'ftp://jobs', jobId: 'x', policy: { maxPolls: 0 } }, { workflowId: `poll-invalid-${runId}` });
      const error = await handle.result().then(
        () => undefined,
        (failure: unknown) => failure,
      );
      expect(WorkflowFailedError.is(error), name).toBe(true);
      expect((error as Error).message, name).toContain('invalid polling input: serviceUrl must be an http(s) URL; policy.maxPolls must be a whole number of at least 1');
    }
  });
});
