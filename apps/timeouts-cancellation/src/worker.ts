/**
 * The Temporal worker: runs the batch and archive workflows and the batch tasks. Start it before
 * `pnpm start` with EXECUTION_ENGINE=temporal; stop it with Ctrl-C.
 */
import { runMain } from '@mcp-agent/core';
import { createTemporalWorkerForApp } from '@mcp-agent/executor-temporal';
import { app } from './workflows.js';

await runMain(async () => {
  const worker = await createTemporalWorkerForApp(app, { workflowsPath: new URL('./workflows.ts', import.meta.url) });
  const { temporal } = app.config;
  process.stdout.write(
    `worker: polling task queue "${temporal?.task_queue}" on ${temporal?.host}:${temporal?.port} for ${[...app.registry.workflows.keys()].join(', ')}, tasks ${[...app.registry.tasks.keys()].join(', ')}\n`,
  );
  const stop = (): void => worker.shutdown();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  await worker.run();
  await app.cleanup();
  process.stdout.write('worker: stopped\n');
});
