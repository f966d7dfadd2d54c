/**
 * The CURRENT deploy of the order workflow. What changed since the previous one
 * (`workflows-v1.ts`): a fraud screen runs after approval, before the card is charged.
 *
 * The change is behind `this.patched('fraud-screen-before-charge')`. Temporal rebuilds a waiting
 * run by replaying its history through the current code, so a run started by the previous deploy
 * must take the same steps it took then; inserting the screen unconditionally would make its
 * replay schedule a task its history does not have, and the run would be stuck. With the patch,
 * runs started before the deploy keep the original path and new runs take the new one.
 */
import { MCPApp, Workflow, WorkflowApplicationError, WorkflowResult } from '@mcp-agent/core';

export const app = new MCPApp({ name: 'versioning' });

/** The id of the change. Once no run started before it is open, `deprecatePatch` replaces `patched`, then both go. */
export const FRAUD_SCREEN_PATCH = 'fraud-screen-before-charge';

export interface Order {
  orderId: string;
  item: string;
  quantity: number;
  amountCents: number;
}

/** What the workflow reports: which path the run took, and the steps it did. */
export interface OrderOutcome {
  orderId: string;
  path: 'original' | 'fraud-screened';
  steps: string[];
  approvedBy: string;
}

/** Where the order is, for the `status` query. */
export interface OrderStatus {
  stage: 'reserving stock' | 'awaiting approval' | 'completing' | 'done';
  approvedBy: string | undefined;
}

export const reserveStock = app.workflowTask(
  async function reserveStock(order: Order): Promise<string> {
    return `reserved ${order.quantity} x ${order.item}`;
  },
  { name: 'orders.reserveStock' },
);

/** New in this deploy. */
export const screenForFraud = app.workflowTask(
  async function screenForFraud(order: Order): Promise<string> {
    return `fraud screen passed for ${order.amountCents} cents`;
  },
  { name: 'orders.screenForFraud' },
);

export const chargeCard = app.workflowTask(
  async function chargeCard(order: Order): Promise<string> {
    return `charged ${order.amountCents} cents`;
  },
  { name: 'orders.chargeCard' },
);

function validateOrder(order: Order | undefined): asserts order is Order {
  if (order === undefined || typeof order.orderId !== 'string' || order.orderId === '') {
    throw WorkflowApplicationError.nonRetryable(`order.orderId: expected a non-empty string, got ${JSON.stringify(order?.orderId)}`, 'InvalidOrder');
  }
  if (!Number.isInteger(order.quantity) || order.quantity < 1) {
    throw WorkflowApplicationError.nonRetryable(`order.quantity: expected a whole number >= 1, got ${JSON.stringify(order.quantity)}`, 'InvalidOrder');
  }
  if (!Number.isInteger(order.amountCents) || order.amountCents < 1) {
    throw WorkflowApplicationError.nonRetryable(`order.amountCents: expected a whole number of cents >= 1, got ${JSON.stringify(order.amountCents)}`, 'InvalidOrder');
  }
}

@app.workflow
export class OrderWorkflow extends Workflow<OrderOutcome> {
  #status: OrderStatus = { stage: 'reserving stock', approvedBy: undefined };

  @app.workflowSignal
  approve(approver: string): void {
    this.#status = { ...this.#status, approvedBy: approver };
  }

  @app.workflowQuery
  status(): OrderStatus {
    return this.#status;
  }

  @app.workflowRun
  async run(order: Order): Promise<WorkflowResult<OrderOutcome>> {
    validateOrder(order);
    // Asked first thing, while an old run's replay is still inside the history its first deploy
    // wrote (which has no marker for this patch): such a run gets false and keeps its path. Asked
    // after the approval wait, an old run resumed on this deploy would be past its history and get
    // true. A new run gets true, and the marker recorded now keeps it true on every replay.
    const screenFirst = this.patched(FRAUD_SCREEN_PATCH);
    const steps = [await reserveStock(order)];
    this.#status = { ...this.#status, stage: 'awaiting approval' };
    await this.condition(() => this.#status.approvedBy !== undefined);
    this.#status = { ...this.#status, stage: 'completing' };
    if (screenFirst) steps.push(await screenForFraud(order));
    steps.push(await chargeCard(order));
    this.#status = { ...this.#status, stage: 'done' };
    return new WorkflowResult({
      value: { orderId: order.orderId, path: screenFirst ? 'fraud-screened' : 'original', steps, approvedBy: this.#status.approvedBy ?? '' },
    });
  }
}
