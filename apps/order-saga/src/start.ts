/**
 * Places three orders through the saga's generated typed client — one that goes through, one
 * whose card is declined, one the carrier can't deliver — and prints each outcome: what failed
 * and which compensations ran, in which order. In-process by default; with
 * EXECUTION_ENGINE=temporal on the Temporal server (start `pnpm worker` first).
 */
import { runMain } from '@mcp-agent/core';
import { OrderSagaWorkflowClient } from './generated/clients.js';
import { ledger } from './services.js';
import { app, events, type Order } from './workflows.js';

const stamp = Date.now().toString(36);
const orders: Order[] = [
  {
    orderId: `A-${stamp}`,
    items: [
      { sku: 'book', quantity: 2 },
      { sku: 'lamp', quantity: 1 },
    ],
    card: 'tok_visa',
    address: { name: 'Ada', city: 'Berlin', country: 'DE' },
  },
  { orderId: `B-${stamp}`, items: [{ sku: 'desk', quantity: 1 }], card: 'tok_declined', address: { name: 'Grace', city: 'Paris', country: 'FR' } },
  { orderId: `C-${stamp}`, items: [{ sku: 'lamp', quantity: 2 }], card: 'tok_visa', address: { name: 'Edsger', city: 'McMurdo Station', country: 'AQ' } },
];

await runMain(() =>
  app.run(async ({ executor }) => {
    console.log(`engine: ${executor.engine}`);
    // In-process the tasks run here and print as they go; on Temporal the worker prints them.
    events.print = (line) => console.log(`  ${line}`);
    for (const order of orders) {
      console.log(
        `order ${order.orderId}: ${order.items.map((item) => `${item.quantity} ${item.sku}`).join(', ')}, card ${order.card}, to ${order.address.city} (${order.address.country})`,
      );
      const result = await OrderSagaWorkflowClient.execute(executor, order, { workflowId: `order-${order.orderId}` });
      const outcome = result.value;
      if (outcome?.status === 'completed') {
        console.log(`  -> completed: ${(outcome.totalCents ?? 0) / 100} EUR charged (${outcome.paymentId}), tracking ${outcome.trackingNumber}`);
      } else {
        console.log(`  -> ${outcome?.status}: ${result.error}`);
      }
      if (executor.engine === 'asyncio') {
        console.log(
          `  ledger: ${ledger(order.orderId)
            .map((entry) => `${entry.service} ${entry.action}`)
            .join(' | ')}`,
        );
      }
    }
  }),
);
