/**
 * Records the history of an order run by the PREVIOUS deploy (`workflows-v1.ts`) into
 * histories/, for the test that replays it against the current code. Needs a Temporal server:
 *   TEMPORAL__HOST=localhost:7233 pnpm --filter @mcp-agent/app-versioning record-history
 */
import { runMain } from '@mcp-agent/core';
import { createTemporalWorkerForApp, saveWorkflowHistory, type TemporalExecutor } from '@mcp-agent/executor-temporal';
import { app, OrderWorkflow } from './workflows-v1.js';

export const RECORDED_WORKFLOW_ID = 'order-recorded-v1';

await runMain(() =>
  app.run(async ({ executor }) => {
    if (executor.engine !== 'temporal') throw new Error('record-history needs execution_engine temporal (EXECUTION_ENGINE=temporal)');
    const worker = await createTemporalWorkerForApp(app, { workflowsPath: new URL('./workflows-v1.ts', import.meta.url) });
    await worker.runUntil(async () => {
      const order = { orderId: RECORDED_WORKFLOW_ID, item: 'widget', quantity: 2, amountCents: 4200 };
      const handle = await executor.startWorkflow(OrderWorkflow, order, { workflowId: RECORDED_WORKFLOW_ID, idReusePolicy: 'terminate_if_running' });
      while ((await handle.query('status')).stage !== 'awaiting approval') await new Promise((resolve) => setTimeout(resolve, 100));
      await handle.signal('approve', 'Ada');
      const outcome = (await handle.result()).value;
      const file = new URL('../histories/order-v1.json', import.meta.url).pathname;
      await saveWorkflowHistory((executor as TemporalExecutor).client, RECORDED_WORKFLOW_ID, file);
      process.stdout.write(`recorded ${RECORDED_WORKFLOW_ID} (${outcome?.steps.join(' -> ')}) into ${file}\n`);
    });
  }),
);
