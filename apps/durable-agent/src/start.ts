/**
 * Writes the data files, runs the analyst over them and prints each step's output.
 *
 *   pnpm start                                   # in-process (execution_engine: asyncio)
 *   pnpm start "Which region needs attention?"   # another question
 *   EXECUTION_ENGINE=temporal pnpm start         # on Temporal; needs `pnpm worker` running
 */
import { loadSettings } from '@mcp-agent/core/config';
import { runMain } from '@mcp-agent/core';
import { DATA_FILES, prepareFilesystemServer, writeDataFiles } from './data.js';
import { AnalystWorkflowClient } from './generated/clients.js';
import { useLocalModelUnlessConfigured } from './model.js';
import { app } from './workflows.js';

const question = process.argv[2] ?? 'How did revenue develop last quarter, and why?';

await runMain(async () => {
  // The folder the filesystem MCP server serves (the worker serves the same one on Temporal).
  const folder = prepareFilesystemServer();
  await writeDataFiles(folder);
  console.log(`data: ${Object.keys(DATA_FILES).join(', ')} in ${folder}`);

  // In-process the model calls happen here; on Temporal they happen in the worker.
  const onTemporal = loadSettings().settings.execution_engine === 'temporal';
  const model = onTemporal ? undefined : await useLocalModelUnlessConfigured();
  console.log(model?.description ?? 'model: the worker makes the model calls (its first line says which model)');

  try {
    await app.run(async ({ executor, config }) => {
      console.log(`engine: ${executor.engine}`);
      const handle = await AnalystWorkflowClient.start(executor, { folder, question });
      console.log(`started AnalystWorkflow id=${handle.workflowId}`);
      if (executor.engine === 'temporal') {
        console.log(`waiting for a worker on task queue "${config.temporal?.task_queue}" (run \`pnpm worker\` in another terminal)`);
      }
      const { value } = await handle.result();
      console.log(`stage: ${await handle.queries.stage()}`);
      console.log(`files read: ${value?.files.join(', ')}`);
      console.log(`\n1. gather\n${value?.findings}`);
      console.log(`\n2. analyse\n${value?.analysis}`);
      console.log(`\n3. report: ${value?.question}\n${value?.report}`);
    });
  } finally {
    await model?.server?.close();
  }
});
