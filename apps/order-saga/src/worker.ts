/**
 * The Temporal worker of the order saga: runs the saga workflow and the tasks of its steps and
 * compensations, printing each. `EXECUTION_ENGINE=temporal pnpm worker`, with a Temporal server running.
 */
import { runMain } from '@mcp-agent/core';
import { createTemporalWorkerForApp } from '@mcp-agent/executor-temporal';
import { app, events } from './workflows.js';

events.print = (line) => console.log(line);

await runMain(async () => {
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
});
