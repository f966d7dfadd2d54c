/**
 * The starter: starts AssistantWorkflow on Temporal, waits for a worker to run it, prints the answer.
 *
 *   {{run}} start
 *   {{run}} start "Will it rain in London tomorrow?"
 *
 * It needs the Temporal server of mcp_agent.config.yaml (`npx mcp-agent server start-dev`) and
 * a worker (`{{run}} worker`) in other terminals.
 */
import { runMain } from '@mcp-agent/core';
import { AssistantWorkflowClient } from './generated/clients.js';
import { app } from './workflows.js';

const question = process.argv[2] ?? 'What is the weather in Paris tomorrow?';

await runMain(() =>
  app.run(async ({ executor, config }) => {
    // The generated client types the input, the queries and the result from the AssistantWorkflow class.
    const handle = await AssistantWorkflowClient.start(executor, question);
    console.log(`started AssistantWorkflow id=${handle.workflowId}`);
    const temporal = config.temporal;
    if (executor.engine === 'temporal') {
      console.log(`waiting for a worker on task queue "${temporal?.task_queue}" (\`{{run}} worker\` in another terminal)`);
      // `mcp-agent server start-dev` serves the Web UI 1000 ports above the server (8233 for 7233).
      if (['localhost', '127.0.0.1'].includes(temporal?.host ?? '')) {
        console.log(`watch it in the Web UI: http://localhost:${(temporal?.port ?? 7233) + 1000}/namespaces/${temporal?.namespace}/workflows/${handle.workflowId}`);
      }
    }
    const result = await handle.result();
    console.log(result.value);
  }),
);
