/**
 * The Temporal worker: it runs AssistantWorkflow, and as activities its model round trips and
 * MCP tool calls, for runs started on the task queue of mcp_agent.config.yaml. Start more workers
 * on the same queue and Temporal spreads the work among them. Stop it with Ctrl-C.
 *
 *   {{run}} worker
 *
 * The worker makes the model calls, so it needs the OpenAI key (mcp_agent.secrets.yaml or
 * OPENAI_API_KEY). After `{{run}} codegen` it loads the prebuilt workflow bundle instead of
 * bundling at start-up.
 */
import { runMain } from '@mcp-agent/core';
import { createTemporalWorkerForApp } from '@mcp-agent/executor-temporal';
import { app } from './workflows.js';

await runMain(async () => {
  const worker = await createTemporalWorkerForApp(app, { workflowsPath: new URL('./workflows.ts', import.meta.url) });
  const temporal = app.config.temporal;
  console.log(`worker: polling task queue "${temporal?.task_queue}" on ${temporal?.host}:${temporal?.port} (namespace ${temporal?.namespace}); Ctrl-C to stop`);
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
