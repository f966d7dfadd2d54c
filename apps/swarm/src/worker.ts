/**
 * A Temporal worker for the swarm: it runs AirlineSupportWorkflow and TriageWorkflow (the swarm's
 * loop and the agents' functions as workflow code) and, as activities, the model round trips.
 * Start more workers on the same task queue and Temporal spreads the work among them. Stop it
 * with Ctrl-C.
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
