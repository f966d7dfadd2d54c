/**
 * The Temporal worker of the monitoring app: runs the workflow, the model round trips and the
 * alert task. `EXECUTION_ENGINE=temporal pnpm worker`, with a Temporal server running.
 */
import { runMain } from '@mcp-agent/core';
import { createTemporalWorkerForApp } from '@mcp-agent/executor-temporal';
import { useScriptedModelUnlessConfigured } from './model.js';
import { app, events } from './workflows.js';

events.print = (line) => console.log(line);

await runMain(async () => {
  // Model round trips run here, in the worker: this is where the model must be reachable.
  const model = await useScriptedModelUnlessConfigured((line) => console.log(line));
  try {
    await app.run(async ({ config }) => {
      const worker = await createTemporalWorkerForApp(app, { workflowsPath: new URL('./workflows.ts', import.meta.url) });
      const stop = (): void => worker.shutdown();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      console.log(
        `worker: polling task queue "${config.temporal?.task_queue}" on ${config.temporal?.host}:${config.temporal?.port} (workflows: ${[...app.registry.workflows.keys()].join(', ')}); Ctrl-C stops it`,
      );
      await worker.run();
      console.log('worker: stopped');
    });
  } finally {
    await model?.close();
  }
});
