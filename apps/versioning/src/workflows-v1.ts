/**
 * The PREVIOUS deploy of the order workflow, kept as it was shipped: reserve stock, wait for a
 * manager's approval, charge the card. Runs started by this code may still be waiting for their
 * approval when the next version (`workflows.ts`) is deployed; `pnpm worker:v1` runs it.
 */
import { MCPApp, Workflow, WorkflowApplicationError, WorkflowResult } from '@mcp-agent/core';

export const app = new MCPApp({ name: 'versioning' });

export interface Order {
  orderId: string;
  item: string;
  quantity: number;
  amountCents: number;
}

export interface OrderOutcome {
  orderId: string;
  path: 'original' | 'fraud-screened';
  steps: string[];
  approvedBy: string;
}

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
    const steps = [await reserveStock(order)];
    this.#status = { ...this.#status, stage: 'awaiting approval' };
    await this.condition(() => this.#status.approvedBy !== undefined);
    this.#status = { ...this.#status, stage: 'completing' };
    steps.push(await chargeCard(order));
    this.#status = { ...this.#status, stage: 'done' };
    return new WorkflowResult({ value: { orderId: order.orderId, path: 'original', steps, approvedBy: this.#status.approvedBy ?? '' } });
  }
}
