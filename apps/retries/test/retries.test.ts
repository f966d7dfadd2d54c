// The payment workflow on the in-process engine and on the Temporal dev server, at the same time,
// with the retry policy of the app's mcp_agent.config.yaml: a charge through a gateway that is down
// for three calls succeeds on attempt 4 after waits that double; an invalid amount and a declined
// card fail after one attempt. Both engines report the same outcomes.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLogger, WorkflowFailedError, type Executor, type WorkflowResult } from '@mcp-agent/core';
import { loadSettings, type Settings } from '@mcp-agent/core/config';
import { createAsyncioEngine } from '@mcp-agent/executor-asyncio';
import { createTemporalEngine } from '@mcp-agent/executor-temporal';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { PaymentWorkflowClient } from '../src/generated/clients.js';
import { paymentGateway } from '../src/payment-gateway.js';
import { app, type PaymentOutcome, type PaymentRequest } from '../src/workflows.js';

const appDirectory = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const logger = createLogger({ transports: ['none'] });
const taskQueue = `retries-${process.pid}`;

/** The app's config file, its retry policy included, on the engine given. */
function settingsFor(engine: 'asyncio' | 'temporal'): Settings {
  return loadSettings({ cwd: appDirectory, env: {}, overrides: { execution_engine: engine, temporal: { host: inject('temporalAddress'), task_queue: taskQueue } } }).settings;
}

describe('retries', { timeout: 60_000 }, () => {
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

  /** Runs one payment on every engine at once; returns each engine's result and the gateway's call times for it. */
  function payEverywhere(payment: PaymentRequest): Promise<Array<{ engine: string; result: WorkflowResult<PaymentOutcome>; calls: number[] }>> {
    return Promise.all(
      engines.map(async (executor) => {
        // The workflow id is the payment's idempotency key at the gateway: one per engine here.
        const workflowId = `payment-${payment.paymentId}-${executor.engine}-${Date.now()}`;
        const result = await PaymentWorkflowClient.execute(executor, payment, { workflowId });
        return { engine: executor.engine, result, calls: paymentGateway.callsFor(workflowId) };
      }),
    );
  }

  it('retries the charge while the gateway is down, waiting longer each time, and charges on attempt 4', async () => {
    const runs = await payEverywhere({ paymentId: 'pay-1', amountCents: 4200, card: 'tok_visa', simulatedOutages: 3 });
    for (const { engine, result, calls } of runs) {
      expect(result.value, engine).toEqual({ paymentId: 'pay-1', status: 'charged', attempts: 4, receiptId: 'rcpt-pay-1' });
      expect(result.error, engine).toBeUndefined();
      // The gateway got four calls; the result carries their times too.
      expect(calls, engine).toHaveLength(4);
      expect(result.metadata.attemptTimes, engine).toEqual(calls);
      // The config's backoff: 1 s, then 2 s, then 4 s (the dev server keeps delays to whole seconds).
      const gaps = calls.slice(1).map((time, index) => time - (calls[index] as number));
      expect(gaps[0], `${engine} gaps ${gaps}`).toBeGreaterThanOrEqual(950);
      expect(gaps[1], `${engine} gaps ${gaps}`).toBeGreaterThanOrEqual(1_950);
      expect(gaps[2], `${engine} gaps ${gaps}`).toBeGreaterThanOrEqual(3_950);
      expect(gaps[2] as number, `${engine} gaps ${gaps}`).toBeLessThan(6_000);
      expect((gaps[1] as number) > (gaps[0] as number) && (gaps[2] as number) > (gaps[1] as number), `${engine} gaps ${gaps}`).toBe(true);
    }
    expect(runs[1]?.result.value).toEqual(runs[0]?.result.value);
  });

  it('rejects an invalid amount after one attempt: a non-retryable ValidationError, reported in the result', async () => {
    const runs = await payEverywhere({ paymentId: 'pay-2', amountCents: -5, card: 'tok_visa', simulatedOutages: 3 });
    for (const { engine, result, calls } of runs) {
      expect(result.value, engine).toEqual({
        paymentId: 'pay-2',
        status: 'rejected',
        attempts: 1,
        errorType: 'ValidationError',
        reason: 'amountCents: expected a whole number of cents from 1 to 1000000, got -5',
      });
      expect(result.error, engine).toBe('payment pay-2 rejected: amountCents: expected a whole number of cents from 1 to 1000000, got -5 (ValidationError, 1 attempt, not retried)');
      expect(calls, engine).toHaveLength(1);
    }
    expect(runs[1]?.result).toMatchObject({ value: runs[0]?.result.value, error: runs[0]?.result.error });
  });

  it('does not retry a declined card: CardDeclined is listed in non_retryable_error_types', async () => {
    const runs = await payEverywhere({ paymentId: 'pay-3', amountCents: 1999, card: 'tok_declined' });
    for (const { engine, result, calls } of runs) {
      expect(result.value, engine).toEqual({ paymentId: 'pay-3', status: 'rejected', attempts: 1, errorType: 'CardDeclined', reason: 'the card was declined (insufficient funds)' });
      expect(calls, engine).toHaveLength(1);
    }
    expect(runs[1]?.result).toMatchObject({ value: runs[0]?.result.value, error: runs[0]?.result.error });
  });

  it('fails a payment without an id at once, with a clear error', async () => {
    for (const executor of engines) {
      const error = await PaymentWorkflowClient.execute(executor, { paymentId: '', amountCents: 100, card: 'tok_visa' }).then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(WorkflowFailedError.is(error) && error.status).toBe('FAILED');
      expect((error as Error).message).toContain('paymentId: expected a non-empty string, got ""');
    }
  });
});
