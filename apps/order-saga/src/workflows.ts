/**
 * The saga pattern: an order reserves inventory, charges the payment and ships, each step a task
 * with a compensation that undoes it (release the inventory, refund the payment, cancel the
 * shipment). When a step fails for good, the compensations of the steps done so far run in
 * reverse order, and the WorkflowResult says what failed and what was undone.
 */
import { MCPApp, messageOf, TaskFailedError, taskContext, Workflow, WorkflowApplicationError, WorkflowResult } from '@mcp-agent/core';
import { inventory, payments, ServiceRejection, shipping, type Address, type OrderItem } from './services.js';

export type { Address, OrderItem } from './services.js';

export const app = new MCPApp({ name: 'order-saga' });

/** An order to fulfil. */
export interface Order {
  orderId: string;
  items: OrderItem[];
  /** A payment token from the checkout page. */
  card: string;
  address: Address;
}

export type OrderStep = 'inventory' | 'payment' | 'shipping';

/** What happened to the order. */
export interface OrderOutcome {
  orderId: string;
  status: 'completed' | 'compensated' | 'compensation failed';
  totalCents?: number;
  reservationId?: string;
  paymentId?: string;
  trackingNumber?: string;
  /** The step that failed, and why. */
  failedStep?: OrderStep;
  failure?: string;
  /** The compensations that ran, in the order they ran. */
  compensations: string[];
  /** Compensations that still failed after their retries: these need a person. */
  compensationFailures?: string[];
}

/** Calls into the saga's tasks print what they do; the starter and the worker set this. */
export const events = { print: (line: string): void => void line };

/**
 * A service's refusal (declined card, no stock, no carrier) can't succeed on a retry: it becomes
 * a non-retryable error, which fails the step at once. Anything else (a timeout) is retried.
 */
async function call<R>(fn: () => R): Promise<R> {
  try {
    return fn();
  } catch (error) {
    if (error instanceof ServiceRejection) throw WorkflowApplicationError.nonRetryable(error.message, error.code);
    throw error;
  }
}

// --- the steps and their compensations: tasks, so activities under Temporal. ------------------

export const reserveInventory = app.workflowTask(
  async function reserveInventory(orderId: string, items: OrderItem[]): Promise<{ reservationId: string; totalCents: number }> {
    const reservation = await call(() => inventory.reserve(orderId, items));
    events.print(`[${orderId}] inventory reserved: ${reservation.reservationId}`);
    return reservation;
  },
  { name: 'inventory.reserve' },
);

export const releaseInventory = app.workflowTask(
  async function releaseInventory(orderId: string): Promise<boolean> {
    const released = inventory.release(orderId);
    events.print(`[${orderId}] compensation: inventory ${released ? 'released' : 'had no reservation'}`);
    return released;
  },
  { name: 'inventory.release' },
);

export const chargePayment = app.workflowTask(
  async function chargePayment(orderId: string, card: string, amountCents: number): Promise<string> {
    const { attempt } = taskContext();
    try {
      const paymentId = await call(() => payments.charge(orderId, card, amountCents));
      events.print(`[${orderId}] payment charged: ${paymentId} (attempt ${attempt})`);
      return paymentId;
    } catch (error) {
      events.print(`[${orderId}] payment attempt ${attempt} failed: ${messageOf(error)}`);
      throw error;
    }
  },
  { name: 'payment.charge' },
);

export const refundPayment = app.workflowTask(
  async function refundPayment(orderId: string): Promise<boolean> {
    const refunded = payments.refund(orderId);
    events.print(`[${orderId}] compensation: payment ${refunded ? 'refunded' : 'had no charge'}`);
    return refunded;
  },
  { name: 'payment.refund' },
);

export const shipOrder = app.workflowTask(
  async function shipOrder(orderId: string, address: Address): Promise<string> {
    const trackingNumber = await call(() => shipping.ship(orderId, address));
    events.print(`[${orderId}] shipped: ${trackingNumber}`);
    return trackingNumber;
  },
  { name: 'shipping.ship' },
);

export const cancelShipment = app.workflowTask(
  async function cancelShipment(orderId: string): Promise<boolean> {
    const cancelled = shipping.cancel(orderId);
    events.print(`[${orderId}] compensation: shipment ${cancelled ? 'cancelled' : 'had no booking'}`);
    return cancelled;
  },
  { name: 'shipping.cancel' },
);

// --- the saga. ----------------------------------------------------------------------------------

/** Compensations of the steps done so far, run last in, first out. */
class Compensations {
  readonly #undo: Array<{ name: string; run: () => Promise<unknown> }> = [];

  add(name: string, run: () => Promise<unknown>): void {
    this.#undo.push({ name, run });
  }

  /** Runs every compensation, newest first. One that fails (after its retries) doesn't stop the others. */
  async runAll(): Promise<{ ran: string[]; failed: string[] }> {
    const ran: string[] = [];
    const failed: string[] = [];
    for (const { name, run } of [...this.#undo].reverse()) {
      try {
        await run();
        ran.push(name);
      } catch (error) {
        failed.push(`${name}: ${messageOf(error)}`);
      }
    }
    return { ran, failed };
  }
}

function checkOrder(order: Order): void {
  const problems: string[] = [];
  if (typeof order?.orderId !== 'string' || order.orderId.trim() === '') problems.push('orderId must be a non-empty string');
  if (!Array.isArray(order?.items) || order.items.length === 0) problems.push('items must list at least one item');
  else if (order.items.some((item) => typeof item?.sku !== 'string' || !Number.isInteger(item.quantity) || item.quantity < 1)) {
    problems.push('each item needs a sku and a whole quantity of at least 1');
  }
  if (typeof order?.card !== 'string' || order.card === '') problems.push('card must be a payment token');
  if (typeof order?.address?.country !== 'string' || !/^[A-Z]{2}$/.test(order.address.country)) problems.push('address.country must be an ISO code such as "DE"');
  if (problems.length > 0) throw WorkflowApplicationError.nonRetryable(`invalid order: ${problems.join('; ')}`, 'InvalidOrder');
}

@app.workflow
export class OrderSagaWorkflow extends Workflow<OrderOutcome> {
  @app.workflowRun
  async run(order: Order): Promise<WorkflowResult<OrderOutcome>> {
    checkOrder(order);
    const { orderId } = order;
    const outcome: OrderOutcome = { orderId, status: 'completed', compensations: [] };
    const compensations = new Compensations();
    let step: OrderStep = 'inventory';
    try {
      const reservation = await reserveInventory(orderId, order.items);
      compensations.add('release inventory', () => releaseInventory(orderId));
      outcome.reservationId = reservation.reservationId;
      outcome.totalCents = reservation.totalCents;

      step = 'payment';
      outcome.paymentId = await chargePayment(orderId, order.card, reservation.totalCents);
      compensations.add('refund payment', () => refundPayment(orderId));

      step = 'shipping';
      // Added before the call, unlike the others: shipping books a shipment before the carrier
      // accepts it, so a failed shipping step can leave a booking behind. Cancelling is idempotent.
      compensations.add('cancel shipment', () => cancelShipment(orderId));
      outcome.trackingNumber = await shipOrder(orderId, order.address);
      return new WorkflowResult({ value: outcome });
    } catch (error) {
      // The step's own failure (after its retries), or the cancellation of this workflow.
      const failure = TaskFailedError.is(error) ? messageOf(error.cause) : messageOf(error);
      // Shielded from cancellation: a cancelled order must still be undone.
      const { ran, failed } = await this.nonCancellable(() => compensations.runAll());
      const compensated: OrderOutcome = {
        ...outcome,
        status: failed.length === 0 ? 'compensated' : 'compensation failed',
        failedStep: step,
        failure,
        compensations: ran,
        ...(failed.length === 0 ? {} : { compensationFailures: failed }),
      };
      const undone = ran.length === 0 ? 'nothing to compensate' : `compensated: ${ran.join(', ')}`;
      return new WorkflowResult({
        value: compensated,
        error: `order ${orderId} failed at the ${step} step (${failure}); ${undone}${failed.length === 0 ? '' : `; compensations that failed: ${failed.join('; ')}`}`,
      });
    }
  }
}
