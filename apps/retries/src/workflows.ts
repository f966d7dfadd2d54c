/**
 * Retries with backoff. A payment is charged through a flaky gateway: the charge task fails while
 * the gateway is unavailable and the engine retries it by the policy in mcp_agent.config.yaml
 * (`workflow_task_retry_policies.payments.charge`: waits of 1, 2, 4... seconds), until an attempt
 * succeeds. A request that can never succeed (a ValidationError, a declined card) fails at once,
 * without retries, and the workflow reports why.
 */
import { errorTypeOf, MCPApp, messageOf, TaskFailedError, taskContext, Workflow, WorkflowApplicationError, WorkflowResult } from '@mcp-agent/core';
import { paymentGateway, type ChargeReceipt } from './payment-gateway.js';

export const app = new MCPApp({ name: 'retries' });

export interface PaymentRequest {
  paymentId: string;
  amountCents: number;
  /** A card token; `tok_declined` is declined. */
  card: string;
  /** For the demo: how many calls of this payment the gateway fails with 503 before one succeeds. */
  simulatedOutages?: number;
}

/** How the payment ended, and after how many attempts of the charge task. */
export type PaymentOutcome =
  | { paymentId: string; status: 'charged'; attempts: number; receiptId: string }
  | { paymentId: string; status: 'rejected' | 'failed'; attempts: number; errorType: string; reason: string };

/**
 * Charges the card. Each attempt is one call to the gateway; the engine retries a failed attempt
 * after the policy's backoff (under Temporal each attempt is an activity attempt).
 */
export const charge = app.workflowTask(
  async function charge(payment: PaymentRequest): Promise<ChargeReceipt & { attempt: number }> {
    const { attempt, workflowId } = taskContext();
    // One workflow per payment: its id is the payment's idempotency key, the same on every attempt.
    const receipt = await paymentGateway.charge({
      paymentId: payment.paymentId,
      idempotencyKey: workflowId,
      amountCents: payment.amountCents,
      card: payment.card,
      outages: payment.simulatedOutages ?? 0,
    });
    return { ...receipt, attempt };
  },
  { name: 'payments.charge' },
);

@app.workflow
export class PaymentWorkflow extends Workflow<PaymentOutcome> {
  @app.workflowRun
  async run(payment: PaymentRequest): Promise<WorkflowResult<PaymentOutcome>> {
    if (typeof payment?.paymentId !== 'string' || payment.paymentId === '') {
      throw WorkflowApplicationError.nonRetryable(`paymentId: expected a non-empty string, got ${JSON.stringify(payment?.paymentId)}`, 'ValidationError');
    }
    try {
      const receipt = await charge(payment);
      return new WorkflowResult({
        value: { paymentId: payment.paymentId, status: 'charged', attempts: receipt.attempt, receiptId: receipt.receiptId },
        // When the gateway saw each attempt: the backoff between them, for whoever looks.
        metadata: { attemptTimes: receipt.callTimes },
      });
    } catch (error) {
      if (!TaskFailedError.is(error)) throw error;
      // The retry policy gave up: at once for a non-retryable error, after the last attempt otherwise.
      const errorType = errorTypeOf(error.cause);
      const reason = messageOf(error.cause);
      const retried = error.attempts > 1;
      const outcome: PaymentOutcome = { paymentId: payment.paymentId, status: retried ? 'failed' : 'rejected', attempts: error.attempts, errorType, reason };
      return new WorkflowResult({
        value: outcome,
        error: `payment ${payment.paymentId} ${outcome.status}: ${reason} (${errorType}, ${retried ? `gave up after ${error.attempts} attempts` : '1 attempt, not retried'})`,
      });
    }
  }
}
