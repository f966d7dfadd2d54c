// Heartbeats of model calls on the real dev server: a slow model reply outlasting the heartbeat
// timeout completes on its first attempt (the worker heartbeats while it waits), and a call lost
// with its worker (SIGKILL) is re-sent by another worker within about the heartbeat timeout, not
// the attempt timeout.
import type { ChildProcess } from 'node:child_process';
import { startLocalLlmServer, type LocalLlmServer, type RecordedLlmRequest } from '@mcp-agent/testing';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import type { TemporalExecutor } from '../src/index.js';
import { proofClient, proofSettings, startWorkerProcess, stopWorkerProcess } from './fixtures/proof-support.js';
import { DurableAgentWorkflow } from './fixtures/proof-workflows.js';

const address = inject('temporalAddress');

const HEARTBEAT_TIMEOUT_SECONDS = 3;
/** Far above anything the tests wait for: a retry that comes sooner came from the heartbeat timeout. */
const ATTEMPT_TIMEOUT_SECONDS = 300;

/** Proof settings with a 5-minute attempt timeout and a 3-second heartbeat timeout, on their own task queue. */
function heartbeatSettings(llm: LocalLlmServer, name: string): ReturnType<typeof proofSettings> {
  const settings = proofSettings(address, `heartbeats-${name}-${process.pid}-${Date.now()}`, llm.openaiBaseUrl);
  return { ...settings, temporal: { ...settings.temporal, timeout_seconds: ATTEMPT_TIMEOUT_SECONDS, heartbeat_timeout_seconds: HEARTBEAT_TIMEOUT_SECONDS } };
}

describe('heartbeats of model calls on the Temporal dev server', { timeout: 180_000 }, () => {
  let llm: LocalLlmServer;
  const workers: ChildProcess[] = [];
  const clients: TemporalExecutor[] = [];
  let lostCalls = 0;

  beforeAll(async () => {
    llm = await startLocalLlmServer({
      script: {
        rules: [
          // Longer than the heartbeat timeout: answered on the first attempt only if the worker heartbeats.
          { match: (request) => request.lastUserMessage === 'step 1 of slow', reply: () => ({ text: 'slow answer', delayMilliseconds: 3 * HEARTBEAT_TIMEOUT_SECONDS * 1000 }) },
          // The first call hangs (its worker is killed meanwhile); the retry is answered at once.
          {
            match: (request) => request.lastUserMessage === 'step 1 of lost',
            reply: () => {
              lostCalls += 1;
              return lostCalls === 1 ? { text: 'never sent', delayMilliseconds: 120_000 } : { text: 'answer after the retry' };
            },
          },
        ],
      },
    });
  });

  afterAll(async () => {
    await Promise.all(workers.map((worker) => stopWorkerProcess(worker)));
    await Promise.all(clients.map((client) => client.close()));
    await llm?.close();
  });

  it('completes a model call that outlasts the heartbeat timeout on its first attempt', async () => {
    const settings = heartbeatSettings(llm, 'slow');
    const client = await proofClient(settings);
    clients.push(client);
    workers.push(await startWorkerProcess(settings));
    const handle = await client.startWorkflow(DurableAgentWorkflow, { topic: 'slow', steps: 1 }, { workflowId: `heartbeats-slow-${Date.now()}` });
    const result = await handle.result();
    expect(result.value?.answers).toEqual(['slow answer']);
    // No false heartbeat timeout: the model was asked once.
    expect(llm.requests.filter((request) => request.lastUserMessage === 'step 1 of slow')).toHaveLength(1);
    const history = await client.client.workflow.getHandle(handle.workflowId).fetchHistory();
    const scheduled = (history.events ?? []).find((event) => event.activityTaskScheduledEventAttributes?.activityType?.name === 'llm.openai.complete');
    expect(Number(scheduled?.activityTaskScheduledEventAttributes?.heartbeatTimeout?.seconds)).toBe(HEARTBEAT_TIMEOUT_SECONDS);
    expect(Number(scheduled?.activityTaskScheduledEventAttributes?.startToCloseTimeout?.seconds)).toBe(ATTEMPT_TIMEOUT_SECONDS);
  });

  it('re-sends a model call lost with its killed worker within about the heartbeat timeout', async () => {
    const settings = heartbeatSettings(llm, 'lost');
    const client = await proofClient(settings);
    clients.push(client);
    const first = await startWorkerProcess(settings);
    workers.push(first);
    const handle = await client.startWorkflow(DurableAgentWorkflow, { topic: 'lost', steps: 1 }, { workflowId: `heartbeats-lost-${Date.now()}` });
    const calls = (): RecordedLlmRequest[] => llm.requests.filter((request) => request.lastUserMessage === 'step 1 of lost');
    await vi.waitFor(() => expect(calls()).toHaveLength(1), { timeout: 60_000, interval: 20 });
    // The second worker polls before the first dies, so the time measured is the server's alone.
    workers.push(await startWorkerProcess(settings));
    expect(calls()).toHaveLength(1);
    first.kill('SIGKILL');
    const killedAt = Date.now();
    await new Promise((resolve) => first.once('exit', resolve));
    await vi.waitFor(() => expect(calls()).toHaveLength(2), { timeout: 60_000, interval: 50 });
    const retriedAfter = (calls()[1]?.time.getTime() ?? Number.NaN) - killedAt;
    expect(retriedAfter).toBeLessThan(15_000);
    const result = await handle.result();
    expect(result.value?.answers).toEqual(['answer after the retry']);
  });
});
