// Proofs on the real dev server: a worker killed halfway through a workflow of model round trips
// and tool calls, whose work another worker finishes without repeating a completed round trip;
// a signal-driven approval; two workers sharing 100 workflows.
import type { ChildProcess } from 'node:child_process';
import { startLocalLlmServer, type LocalLlmServer, type RecordedLlmRequest } from '@mcp-agent/testing';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import type { TemporalExecutor } from '../src/index.js';
import { proofClient, proofSettings, startWorkerProcess, stopWorkerProcess } from './fixtures/proof-support.js';
import { DocumentApprovalWorkflow, DurableAgentWorkflow, WhoAmIWorkflow } from './fixtures/proof-workflows.js';

const address = inject('temporalAddress');

describe('proofs on the Temporal dev server', { timeout: 180_000 }, () => {
  let llm: LocalLlmServer;
  let client: TemporalExecutor;
  const workers: ChildProcess[] = [];
  let settings: ReturnType<typeof proofSettings>;

  beforeAll(async () => {
    llm = await startLocalLlmServer({
      script: {
        rules: [
          { match: (request) => (request.lastUserMessage ?? '').startsWith('step '), reply: (request) => ({ text: `analysis of ${request.lastUserMessage}`, delayMilliseconds: 400 }) },
          { match: () => true, reply: (request) => ({ text: `summary of ${request.lastUserMessage}` }) },
        ],
      },
    });
    settings = proofSettings(address, `proofs-${process.pid}-${Date.now()}`, llm.openaiBaseUrl);
    client = await proofClient(settings);
  });

  afterAll(async () => {
    await Promise.all(workers.map((worker) => stopWorkerProcess(worker)));
    await client?.close();
    await llm?.close();
  });

  it('finishes on a second worker a workflow whose worker was killed with SIGKILL halfway, repeating no completed model round trip', async () => {
    const first = await startWorkerProcess(settings);
    workers.push(first);
    const steps = 6;
    const handle = await client.startWorkflow(DurableAgentWorkflow, { topic: 'the Q3 report', steps }, { workflowId: `durable-${Date.now()}` });
    const answered = (): RecordedLlmRequest[] => llm.requests.filter((request) => request.answeredAt !== undefined);
    await vi.waitFor(() => expect(answered().length).toBeGreaterThanOrEqual(3), { timeout: 60_000, interval: 20 });
    first.kill('SIGKILL');
    const killedAt = Date.now();
    await new Promise((resolve) => first.once('exit', resolve));
    expect(first.signalCode).toBe('SIGKILL');
    // Halfway: some round trips were answered, not all.
    const answeredBeforeKill = answered().length;
    expect(answeredBeforeKill).toBeGreaterThanOrEqual(3);
    expect(answeredBeforeKill).toBeLessThan(steps);

    workers.push(await startWorkerProcess(settings));
    const result = await handle.result();
    expect(result.value?.answers).toEqual(Array.from({ length: steps }, (_, index) => `analysis of step ${index + 1} of the Q3 report`));
    expect(result.value?.echoes).toEqual(Array.from({ length: steps }, (_, index) => `checked step ${index + 1}`));

    // A round trip is completed when its activity's completion is in the history. Those completed
    // before the kill reached the model once each; only the one in flight then may have gone twice.
    const history = await client.client.workflow.getHandle(handle.workflowId).fetchHistory();
    const millis = (time: { seconds?: unknown; nanos?: number | null } | null | undefined): number => {
      const seconds = time?.seconds as { toNumber?: () => number } | number | undefined;
      return (typeof seconds === 'object' && seconds?.toNumber !== undefined ? seconds.toNumber() : Number(seconds ?? 0)) * 1000 + (time?.nanos ?? 0) / 1e6;
    };
    const scheduled = new Map<string, string>();
    for (const event of history.events ?? []) {
      const name = event.activityTaskScheduledEventAttributes?.activityType?.name;
      if (name !== undefined && name !== null) scheduled.set(String(event.eventId), name);
    }
    const completedBeforeKill = (history.events ?? []).filter((event) => {
      const attributes = event.activityTaskCompletedEventAttributes;
      return attributes !== undefined && attributes !== null && scheduled.get(String(attributes.scheduledEventId)) === 'llm.openai.complete' && millis(event.eventTime) < killedAt;
    }).length;
    expect(completedBeforeKill).toBeGreaterThanOrEqual(2);
    expect(completedBeforeKill).toBeLessThan(steps);
    const modelCalls = llm.requests.filter((request) => (request.lastUserMessage ?? '').startsWith('step '));
    for (let step = 1; step <= steps; step += 1) {
      const calls = modelCalls.filter((request) => request.lastUserMessage === `step ${step} of the Q3 report`);
      if (step <= completedBeforeKill) expect(calls, `step ${step}, completed before the kill`).toHaveLength(1);
      else expect(calls.length, `step ${step}`).toBeGreaterThanOrEqual(1);
      if (step > completedBeforeKill + 1) expect(calls, `step ${step}, started after the kill`).toHaveLength(1);
    }
    // The second worker did the rest of the work.
    expect(modelCalls.some((request) => request.time.getTime() > killedAt)).toBe(true);
  });

  it('holds a processed document until it is approved by signal, answering queries meanwhile', async () => {
    const handle = await client.startWorkflow(DocumentApprovalWorkflow, 'contract.pdf', { workflowId: `approval-${Date.now()}` });
    await vi.waitFor(async () => expect((await handle.query('getStatus')).summary).toBe('summary of Process document: contract.pdf'), {
      timeout: 30_000,
      interval: 100,
    });
    expect(await handle.query('getStatus')).toEqual({ summary: 'summary of Process document: contract.pdf', decision: { status: 'pending', comments: '' } });
    expect((await handle.describe()).status).toBe('RUNNING');
    await handle.signal('approve', 'Looks good');
    const result = await handle.result();
    expect(result.value?.decision).toEqual({ status: 'approved', comments: 'Looks good' });
    expect(result.error).toBeUndefined();
    expect(await client.queryWorkflow('DocumentApprovalWorkflow', handle.workflowId, 'getStatus')).toMatchObject({ decision: { status: 'approved' } });
  });

  it('shares 100 workflows between two workers on one task queue', async () => {
    while (workers.filter((worker) => worker.exitCode === null && worker.signalCode === null).length < 2) {
      workers.push(await startWorkerProcess(settings));
    }
    const live = workers.filter((worker) => worker.exitCode === null && worker.signalCode === null).map((worker) => worker.pid);
    const handles = await Promise.all(Array.from({ length: 100 }, () => client.startWorkflow(WhoAmIWorkflow)));
    const pids = await Promise.all(handles.map(async (handle) => (await handle.result()).value));
    expect(pids).toHaveLength(100);
    expect(new Set(pids)).toEqual(new Set(live));
  });
});
