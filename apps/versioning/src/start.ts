/**
 * Places orders and approves them through the typed client.
 *
 *   pnpm start                     place an order, approve it, print which path it took
 *   pnpm start place <orderId>     place an order and leave it waiting for approval
 *   pnpm start approve <orderId>   approve a waiting order and print which path it took
 *
 * On Temporal it needs a worker: `pnpm worker` (this deploy) or `pnpm worker:v1` (the previous one).
 */
import { runMain, WorkflowUsageError, type Executor } from '@mcp-agent/core';
import { OrderWorkflowClient, type OrderWorkflowHandle } from './generated/clients.js';
import { app, type Order } from './workflows.js';

const print = (line: string): void => void process.stdout.write(`${line}\n`);
const sleep = (milliseconds: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, milliseconds));

async function place(executor: Executor, orderId: string): Promise<OrderWorkflowHandle> {
  const order: Order = { orderId, item: 'widget', quantity: 2, amountCents: 4200 };
  const handle = await OrderWorkflowClient.start(executor, order, { workflowId: orderId });
  print(`placed ${orderId} (OrderWorkflow, run ${handle.runId})`);
  while ((await handle.queries.status()).stage !== 'awaiting approval') await sleep(50);
  print(`${orderId} is awaiting approval`);
  return handle;
}

async function approve(handle: OrderWorkflowHandle): Promise<void> {
  await handle.signals.approve('Grace');
  const outcome = (await handle.result()).value;
  print(`${handle.workflowId} approved by ${outcome?.approvedBy}; path: ${outcome?.path}; steps: ${outcome?.steps.join(' -> ')}`);
}

await runMain(async () => {
  const [command = 'demo', orderId] = process.argv.slice(2);
  if (!(command === 'demo' || ((command === 'place' || command === 'approve') && orderId !== undefined && orderId !== ''))) {
    throw new WorkflowUsageError(`usage: pnpm start [place <orderId> | approve <orderId>]; got: ${process.argv.slice(2).join(' ')}`);
  }
  await app.run(async ({ executor }) => {
    print(`engine: ${executor.engine}`);
    if (command === 'place') {
      await place(executor, orderId as string);
      print(`approve it with: pnpm start approve ${orderId}`);
    } else if (command === 'approve') {
      await approve(OrderWorkflowClient.getHandle(executor, orderId as string));
    } else {
      await approve(await place(executor, orderId ?? `order-${Date.now()}`));
    }
  });
});
