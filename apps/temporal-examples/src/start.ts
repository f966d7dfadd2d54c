/**
 * Runs the examples one after another (or those named: `pnpm start parallel router`), printing
 * each result and the usage tree of its pattern, with tokens and cost per sub-agent.
 *
 *   pnpm start                              # in-process (execution_engine: asyncio)
 *   EXECUTION_ENGINE=temporal pnpm start    # on Temporal; needs `pnpm worker` running
 *
 * The interactive example asks a person for a subject. In-process the console asks (when it is a
 * terminal); on Temporal the run waits until you answer:
 *
 *   npm run mcp-agent -- workflows resume <workflow id> --payload 'the sea'
 */
import path from 'node:path';
import { runMain, type Executor, type UsageNode } from '@mcp-agent/core';
import { loadSettings } from '@mcp-agent/core/config';
import { formatUsageTree } from '@mcp-agent/patterns';
import { prepareData, SHORT_STORY } from './data.js';
import {
  EvaluatorOptimizerWorkflowClient,
  OrchestratorWorkflowClient,
  ParallelWorkflowClient,
  RouterWorkflowClient,
  SimpleWorkflowClient,
  WorkflowWithInteractionClient,
} from './generated/clients.js';
import { useLocalModelUnlessConfigured } from './model.js';
import { app } from './workflows.js';

type Example = (executor: Executor, folder: string) => Promise<{ value: unknown; usage: unknown }>;

const COVER_LETTER_TASK = [
  'Write a cover letter for the following job posting: Software Engineer at LastMile AI. Responsibilities include developing AI systems,',
  'collaborating with cross-functional teams, and enhancing scalability. Skills required: Python, distributed systems, and machine learning.',
  '\n\nCandidate details: Alex Johnson, 3 years in machine learning, contributor to open-source AI projects, proficient in Python and TensorFlow.',
].join(' ');

const EXAMPLES: Record<string, Example> = {
  basic: async (executor, folder) => {
    const { value, metadata } = await (await SimpleWorkflowClient.start(executor, `Print the title and the first paragraph of ${path.join(folder, 'short_story.md')}`)).result();
    return { value, usage: metadata['usage'] };
  },
  parallel: async (executor) => {
    const { value, metadata } = await (await ParallelWorkflowClient.start(executor, SHORT_STORY)).result();
    return { value, usage: metadata['usage'] };
  },
  router: async (executor, folder) => {
    const { value, metadata } = await (await RouterWorkflowClient.start(executor, path.join(folder, 'short_story.md'))).result();
    return { value: JSON.stringify(value, null, 2), usage: metadata['usage'] };
  },
  orchestrator: async (executor, folder) => {
    const task = [
      `Load the student's short story from ${path.join(folder, 'short_story.md')}, and generate a report with feedback across proofreading,`,
      `factuality/logical consistency and style adherence. Write the graded report to ${path.join(folder, 'graded_report.md')}.`,
    ].join(' ');
    const { value, metadata } = await (await OrchestratorWorkflowClient.start(executor, task)).result();
    return {
      value: `${value}
(${String(metadata['steps'])} steps; the report is in ${path.join(folder, 'graded_report.md')})`,
      usage: metadata['usage'],
    };
  },
  'evaluator-optimizer': async (executor) => {
    const { value, metadata } = await (await EvaluatorOptimizerWorkflowClient.start(executor, COVER_LETTER_TASK)).result();
    return { value: `${value}\n(rated ${String(metadata['rating'])} after ${String(metadata['attempts'])} attempts)`, usage: metadata['usage'] };
  },
  interactive: async (executor) => {
    const handle = await WorkflowWithInteractionClient.start(executor, 'Ask the user for a subject, then write a poem about it.');
    if (executor.engine === 'temporal') {
      console.log(`  waiting for your answer: npm run mcp-agent -- workflows resume ${handle.workflowId} --payload 'the sea'`);
    }
    const { value, metadata } = await handle.result();
    return { value, usage: metadata['usage'] };
  },
};

await runMain(async () => {
  const folder = await prepareData();
  const onTemporal = loadSettings().settings.execution_engine === 'temporal';
  const model = onTemporal ? undefined : await useLocalModelUnlessConfigured();
  console.log(model?.description ?? 'model: the worker makes the model calls (its first line says which model)');
  const chosen = process.argv.slice(2);
  const unknown = chosen.filter((name) => !(name in EXAMPLES));
  if (unknown.length > 0) throw new Error(`no example ${unknown.join(', ')}; the examples are: ${Object.keys(EXAMPLES).join(', ')}`);
  try {
    await app.run(async ({ executor }) => {
      console.log(`engine: ${executor.engine}`);
      for (const [name, example] of Object.entries(EXAMPLES)) {
        if (chosen.length > 0 && !chosen.includes(name)) continue;
        if (name === 'interactive' && !onTemporal && process.stdin.isTTY !== true) {
          console.log(`\n## ${name}\nskipped: in-process the console answers, and standard input is not a terminal`);
          continue;
        }
        console.log(`\n## ${name}`);
        const { value, usage } = await example(executor, folder);
        console.log(String(value));
        if (usage !== null && usage !== undefined) console.log(`\nusage:\n${formatUsageTree(usage as UsageNode)}`);
      }
    });
  } finally {
    await model?.server?.close();
  }
});
