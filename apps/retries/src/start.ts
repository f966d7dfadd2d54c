/**
 * Charges three payments and prints how each ended: one through a gateway that is down for its
 * first three calls (retried with backoff, charged on attempt 4), one with an invalid amount
 * (ValidationError, one attempt) and one with a declined card (CardDeclined, one attempt). On
 * Temporal it needs `pnpm worker` running.
 */
import { runMain, type Executor } from '@mcp-agent/core';
import { PaymentWorkflowClient } from './generated/clients.js';
import { app, type PaymentRequest } from './workflows.js';

const started = Date.now();
const print = (line: string): void => void process.stdout.write(`[${String(Date.now() - started).padStart(5)} ms] ${line}\n`);

async function pay(executor: Executor, payment: PaymentRequest): Promise<void> {
  print(
    `charging ${payment.paymentId}: ${payment.amountCents} cents on ${payment.card}${payment.simulatedOutages ? `, gateway down for the first ${payment.simulatedOutages} calls` : ''}`,
  );
  const result = await PaymentWorkflowClient.execute(executor, payment, { workflowId: `payment-${payment.paymentId}-${Date.now()}` });
  const outcome = result.value;
  if (outcome?.status === 'charged') {
    const times = (result.metadata.attemptTimes as number[] | undefined) ?? [];
    const gaps = times.slice(1).map((time, index) => `${((time - (times[index] as number)) / 1000).toFixed(1)} s`);
    print(`  charged on attempt ${outcome.attempts} (receipt ${outcome.receiptId}); waits between attempts: ${gaps.join(', ') || 'none'}`);
  } else {
    print(`  ${result.error}`);
  }
}

await runMain(() =>
  app.run(async ({ executor }) => {
    print(`engine: ${executor.engine}; retry policy of payments.charge from mcp_agent.config.yaml: 5 attempts, 1 s doubling, CardDeclined not retried`);
    await pay(executor, { paymentId: 'pay-1001', amountCents: 4200, card: 'tok_visa', simulatedOutages: 3 });
    await pay(executor, { paymentId: 'pay-1002', amountCents: -5, card: 'tok_visa' });
    await pay(executor, { paymentId: 'pay-1003', amountCents: 1999, card: 'tok_declined' });
  }),
);
