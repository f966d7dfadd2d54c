/**
 * Starts MyWorkflow and prints its result.
 *
 *   pnpm start                      # in-process (execution_engine: asyncio)
 *   pnpm start "some other text"    # any input
 *   EXECUTION_ENGINE=temporal pnpm start   # on Temporal; needs `pnpm worker` running
 */
import { runMain } from '@mcp-agent/core';
import { MyWorkflowClient } from './generated/clients.js';
import { app } from './workflows.js';

const input = process.argv[2] ?? 'Hello Temporal!';

await runMain(() =>
  app.run(async ({ executor, config }) => {
    console.log(`engine: ${executor.engine}`);
    // The generated client types the input and the result from the MyWorkflow class.
    const handle = await MyWorkflowClient.start(executor, input);
    console.log(`started MyWorkflow id=${handle.workflowId} run=${handle.runId}`);
    if (executor.engine === 'temporal') {
      const temporal = config.temporal;
      console.log(`waiting for a worker on task queue "${temporal?.task_queue}" (run \`pnpm worker\` in another terminal)`);
      // `temporal server start-dev` serves its Web UI 1000 ports above the server (8233 for 7233).
      if (['localhost', '127.0.0.1'].includes(temporal?.host ?? '')) {
        console.log(`watch it in the Web UI: http://localhost:${(temporal?.port ?? 7233) + 1000}/namespaces/${temporal?.namespace}/workflows/${handle.workflowId}`);
      }
    }
    const result = await handle.result();
    console.log(`Result: ${result.value}`);
  }),
);
