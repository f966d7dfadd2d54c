/**
 * Records the history of an expense approval on a Temporal server into histories/, for the demo's
 * replay test (which checks that changed workflow code still replays runs started before it).
 * Run: TEMPORAL__HOST=localhost:7233 pnpm --filter @mcp-agent/demo-app record-history
 */
import { tmpdir } from 'node:os';
import { runMain } from '@mcp-agent/core';
import { createTemporalWorkerForApp, saveWorkflowHistory, type TemporalExecutor } from '@mcp-agent/executor-temporal';
import { ExpenseApprovalWorkflowClient } from './generated/clients.js';
import { app } from './workflows.js';

export const RECORDED_WORKFLOW_ID = 'expense-recorded';

// The config names the filesystem server through these; the expense workflow does not use it.
process.env.DEMO_FOLDER ??= tmpdir();
process.env.DEMO_FILESYSTEM_SERVER ??= 'unused';

await runMain(() =>
  app.run(async ({ executor }) => {
    if (executor.engine !== 'temporal') throw new Error('record-history needs execution_engine temporal (EXECUTION_ENGINE=temporal)');
    const worker = await createTemporalWorkerForApp(app, { workflowsPath: new URL('./workflows.ts', import.meta.url) });
    await worker.runUntil(async () => {
      const handle = await ExpenseApprovalWorkflowClient.start(
        executor,
        { employee: 'Grace', amount: 120, description: 'books' },
        { workflowId: RECORDED_WORKFLOW_ID, idReusePolicy: 'terminate_if_running' },
      );
      while ((await handle.queries.status()).stage !== 'awaiting approval') await new Promise((resolve) => setTimeout(resolve, 100));
      await handle.signals.approve('recorded for replay');
      await handle.result();
      const file = new URL('../histories/expense-approval.json', import.meta.url).pathname;
      await saveWorkflowHistory((executor as TemporalExecutor).client, RECORDED_WORKFLOW_ID, file);
      process.stdout.write(`recorded ${RECORDED_WORKFLOW_ID} into ${file}\n`);
    });
  }),
);
