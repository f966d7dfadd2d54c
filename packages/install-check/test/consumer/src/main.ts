// Runs ReviewWorkflow through its generated typed client on the engine the config names.
import { fileURLToPath } from 'node:url';
import { runMain } from '@mcp-agent/core';
import { ReviewWorkflowClient } from './generated/clients.js';
import { app } from './workflows.js';

await runMain(() =>
  app.run(async ({ executor }) => {
    const work = async (): Promise<void> => {
      const handle = await ReviewWorkflowClient.start(executor, fileURLToPath(import.meta.url), { workflowId: `review-${executor.engine}-${Date.now()}` });
      await handle.signals.review('Ada');
      const result = await handle.result();
      process.stdout.write(`${executor.engine}: ${JSON.stringify(result.value)}\n`);
    };
    if (executor.engine === 'temporal') {
      const { createTemporalWorkerForApp } = await import('@mcp-agent/executor-temporal');
      const worker = await createTemporalWorkerForApp(app, { workflowsPath: new URL('./workflows.ts', import.meta.url) });
      await worker.runUntil(work());
    } else {
      await work();
    }
  }),
);
