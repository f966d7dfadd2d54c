/**
 * A Temporal worker for the served app: it runs the support agent and the refund approvals, and
 * as activities the model round trips. `mcp-agent serve` (with execution_engine: temporal) starts
 * runs and reads them; this process runs them. Stop it with Ctrl-C.
 *
 *   EXECUTION_ENGINE=temporal pnpm worker
 */
import { runMain } from '@mcp-agent/core';
import { createTemporalWorkerForApp } from '@mcp-agent/executor-temporal';
import { useLocalModelUnlessConfigured } from './model.js';
import { app } from './workflows.js';

await runMain(async () => {
  const model = await useLocalModelUnlessConfigured();
  console.log(model.description);
  try {
    const worker = await createTemporalWorkerForApp(app, { workflowsPath: new URL('./workflows.ts', import.meta.url) });
    const temporal = app.config.temporal;
    console.log(
      `worker: polling task queue "${temporal?.task_queue}" on ${temporal?.host}:${temporal?.port} (namespace ${temporal?.namespace}) for ${[...app.registry.workflows.keys()].join(', ')}; Ctrl-C to stop`,
    );
    const stop = (): void => worker.shutdown();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    try {
      await worker.run();
    } finally {
      await app.cleanup();
    }
    console.log('worker: stopped');
  } finally {
    await model.server?.close();
  }
});
