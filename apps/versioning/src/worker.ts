/**
 * The Temporal worker of the current deploy (`src/workflows.ts`), or with `--v1` of the previous
 * one (`src/workflows-v1.ts`), to play a deploy through: start an order on the v1 worker, stop it,
 * start this one, and the order finishes on its original path. Stop it with Ctrl-C.
 */
import { runMain } from '@mcp-agent/core';
import { createTemporalWorkerForApp } from '@mcp-agent/executor-temporal';

const previous = process.argv.includes('--v1');
const module = previous ? './workflows-v1.ts' : './workflows.ts';

await runMain(async () => {
  const { app } = (await import(previous ? './workflows-v1.js' : './workflows.js')) as typeof import('./workflows.js');
  const worker = await createTemporalWorkerForApp(app, { workflowsPath: new URL(module, import.meta.url) });
  const { temporal } = app.config;
  process.stdout.write(
    `worker (${previous ? 'v1, the previous deploy' : 'v2, the current deploy'}): polling task queue "${temporal?.task_queue}" on ${temporal?.host}:${temporal?.port} ` +
      `for ${[...app.registry.workflows.keys()].join(', ')}, tasks ${[...app.registry.tasks.keys()].join(', ')}\n`,
  );
  const stop = (): void => worker.shutdown();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  await worker.run();
  await app.cleanup();
  process.stdout.write('worker: stopped\n');
});
