/**
 * A simulated payment gateway, standing in for a real one over HTTP. It is flaky on purpose: for
 * each idempotency key it answers "503 unavailable" to the first `outages` calls, and it keeps a
 * log of the calls it got per key. Tasks call it; workflow code never does.
 */
import { WorkflowApplicationError } from '@mcp-agent/core';

export interface ChargeRequest {
  paymentId: string;
  /** The key every attempt of one payment carries, so the gateway can tell retries apart from new payments. */
  idempotencyKey: string;
  amountCents: number;
  /** A card token; `tok_declined` is declined. */
  card: string;
  /** How many calls with this key fail with 503 before one succeeds (the simulation's knob). */
  outages: number;
}

export interface ChargeReceipt {
  receiptId: string;
  /** Which call with this key succeeded (1 for the first). */
  call: number;
  /** When the gateway got each call with this key, epoch milliseconds of the gateway's clock. */
  callTimes: number[];
}

const MAX_AMOUNT_CENTS = 1_000_000;

/** The gateway's calls, by idempotency key. */
const calls = new Map<string, number[]>();

export const paymentGateway = {
  /** The times of the calls made with `idempotencyKey`. */
  callsFor(idempotencyKey: string): number[] {
    return [...(calls.get(idempotencyKey) ?? [])];
  },

  async charge(request: ChargeRequest): Promise<ChargeReceipt> {
    const times = [...(calls.get(request.idempotencyKey) ?? []), Date.now()];
    calls.set(request.idempotencyKey, times);
    // A request that can never succeed: retrying it would only repeat the failure.
    if (!Number.isInteger(request.amountCents) || request.amountCents < 1 || request.amountCents > MAX_AMOUNT_CENTS) {
      throw WorkflowApplicationError.nonRetryable(
        `amountCents: expected a whole number of cents from 1 to ${MAX_AMOUNT_CENTS}, got ${JSON.stringify(request.amountCents)}`,
        'ValidationError',
      );
    }
    if (times.length <= request.outages) {
      throw new GatewayUnavailable(`payment gateway unavailable (503) on call ${times.length}`);
    }
    if (request.card === 'tok_declined') throw new CardDeclined('the card was declined (insufficient funds)');
    return { receiptId: `rcpt-${request.paymentId}`, call: times.length, callTimes: times };
  },
};

/** A transient failure: the next attempt may succeed. */
export class GatewayUnavailable extends Error {
  override readonly name = 'GatewayUnavailable';
}

/**
 * A failure no retry can fix. A plain error: `non_retryable_error_types: [CardDeclined]` in the
 * config stops the retries, matched by its name.
 */
export class CardDeclined extends Error {
  override readonly name = 'CardDeclined';
}
