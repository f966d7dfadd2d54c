/**
 * A Temporal worker for the app: it runs MyWorkflow and its task (as an activity) for workflows
 * started on the task queue of mcp_agent.config.yaml. Stop it with Ctrl-C.
 *
 *   EXECUTION_ENGINE=temporal pnpm worker
 */
import { runMain } from '@mcp-agent/core';
import { createTemporalWorkerForApp } from '@mcp-agent/executor-temporal';
import { app } from './workflows.js';

await runMain(async () => {
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
});
