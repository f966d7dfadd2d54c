/**
 * Runs the three analysts over a quarterly update and prints the combined report, with how long
 * the analysis took.
 *
 *   pnpm start                              # in-process (execution_engine: asyncio)
 *   EXECUTION_ENGINE=temporal pnpm start    # on Temporal; needs `pnpm worker` running
 */
import { loadSettings } from '@mcp-agent/core/config';
import { runMain } from '@mcp-agent/core';
import { ParallelAnalysisWorkflowClient } from './generated/clients.js';
import { useLocalModelUnlessConfigured } from './model.js';
import { app, type AnalysisDocument } from './workflows.js';

const update: AnalysisDocument = {
  title: 'Q3 update from the product team',
  text: [
    'Q3 revenue grew 12% to a record EUR 4.1 million.',
    'The Lyon office opened on time and is fully staffed.',
    'The mobile app slips to March because of a supplier delay.',
    'All hosting depends on a single cloud provider whose contract expires in January.',
    'Customer satisfaction rose to 87%.',
  ].join(' '),
};

await runMain(async () => {
  // In-process the model calls happen here; on Temporal they happen in the worker.
  const onTemporal = loadSettings().settings.execution_engine === 'temporal';
  const model = onTemporal ? undefined : await useLocalModelUnlessConfigured();
  console.log(model?.description ?? 'model: the worker makes the model calls (its first line says which model)');

  try {
    await app.run(async ({ executor, config }) => {
      console.log(`engine: ${executor.engine}`);
      const started = Date.now();
      const handle = await ParallelAnalysisWorkflowClient.start(executor, update);
      console.log(`started ParallelAnalysisWorkflow id=${handle.workflowId}: sentiment, key points and risks at once`);
      if (executor.engine === 'temporal') {
        console.log(`waiting for a worker on task queue "${config.temporal?.task_queue}" (run \`pnpm worker\` in another terminal)`);
      }
      const { value } = await handle.result();
      console.log(`the three analyses took ${Date.now() - started} ms together\n`);
      console.log(value?.report);
    });
  } finally {
    await model?.server?.close();
  }
});
