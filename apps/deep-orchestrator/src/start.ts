/**
 * Grades the story with the deep orchestrator, printing its progress as it goes (by polling the
 * workflow's `progress` query), then the answer, why it stopped, the budget spent, the knowledge
 * gathered and the usage tree with tokens and cost per agent.
 *
 *   pnpm start                              # in-process (execution_engine: asyncio)
 *   pnpm start --max-tokens 20000           # a smaller token budget: it stops early
 *   EXECUTION_ENGINE=temporal pnpm start    # on Temporal; needs `pnpm worker` running
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { runMain, type UsageNode } from '@mcp-agent/core';
import { loadSettings } from '@mcp-agent/core/config';
import { type BudgetName, type DeepOrchestratorProgress, formatUsageTree } from '@mcp-agent/patterns';
import { gradingTask, prepareData } from './data.js';
import { DeepOrchestratorWorkflowClient } from './generated/clients.js';
import { useLocalModelUnlessConfigured } from './model.js';
import { app, type GradingInput, type GradingMetadata } from './workflows.js';

/** The `--max-tokens N` argument, if given. */
function maxTokensArgument(): number | undefined {
  const args = process.argv.slice(2);
  const at = args.indexOf('--max-tokens');
  if (at === -1) {
    if (args.length > 0) throw new Error(`unknown arguments ${args.join(' ')}; the only option is --max-tokens <number>`);
    return undefined;
  }
  const value = Number(args[at + 1]);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--max-tokens: expected a number above 0, got ${JSON.stringify(args[at + 1] ?? '')}`);
  return value;
}

/** One line for a progress snapshot: the phase, the step running, the knowledge and tokens so far. */
function progressLine(progress: DeepOrchestratorProgress): string {
  const spent = `${progress.budget.spent.tokens.toLocaleString('en-US')} tokens`;
  const facts = `${progress.knowledge.length} ${progress.knowledge.length === 1 ? 'fact' : 'facts'}`;
  if (progress.status === 'executing' && progress.currentStep !== undefined) {
    const { number, description, tasks } = progress.currentStep;
    return `  step ${number}: ${description} [${tasks.map((task) => `${task.name} → ${task.agent}`).join(', ')}] (${facts}, ${spent})`;
  }
  const done = progress.completedSteps.length;
  const what: Record<string, string> = {
    planning: progress.replans > 0 || done > 0 ? 'planning again' : 'planning',
    extracting: `extracting the facts of step ${done}`,
    verifying: 'verifying the objective',
    synthesizing: 'writing the answer',
  };
  return `  ${what[progress.status] ?? progress.status} (${facts}, ${spent})`;
}

const BUDGET_WORDS: Record<BudgetName, string> = { tokens: 'the token budget', costUsd: 'the cost budget', time: 'the time budget', iterations: 'the step limit' };

const plural = (count: number, word: string): string => `${count} ${word}${count === 1 ? '' : 's'}`;

const seconds = (milliseconds: number | null): string => (milliseconds === null ? 'no limit' : `${(milliseconds / 1000).toFixed(1)} s`);

await runMain(async () => {
  const folder = await prepareData();
  const maxTokens = maxTokensArgument();
  const onTemporal = loadSettings().settings.execution_engine === 'temporal';
  const model = onTemporal ? undefined : await useLocalModelUnlessConfigured();
  console.log(model?.description ?? 'model: the worker makes the model calls (its first line says which model)');
  try {
    await app.run(async ({ executor }) => {
      console.log(`engine: ${executor.engine}`);
      const input: GradingInput = { task: gradingTask(folder), ...(maxTokens === undefined ? {} : { budget: { maxTokens } }) };
      const handle = await DeepOrchestratorWorkflowClient.start(executor, input);
      console.log(`workflow: ${handle.workflowId}\n\nprogress:`);
      let finished = false;
      const result = handle.result().finally(() => {
        finished = true;
      });
      let last = '';
      while (!finished) {
        const progress = await handle.queries.progress().catch(() => null);
        const line = progress === null ? '' : progressLine(progress);
        if (line !== '' && line !== last) console.log(line);
        last = line;
        await Promise.race([sleep(50), result.catch(() => undefined)]);
      }
      const { value, metadata } = await result;
      const details = metadata as unknown as GradingMetadata;
      console.log(`\nanswer:\n${value}`);
      const budgetName = details.exceededBudget === undefined ? '' : ` (${BUDGET_WORDS[details.exceededBudget]})`;
      console.log(`\nstopped: ${details.stopReason}${budgetName}, after ${plural(details.steps.length, 'step')} and ${plural(details.replans, 'replan')}`);
      for (const step of details.steps) console.log(`  ${step.number}. ${step.description}: ${step.tasks.join(', ')}`);
      const { spent, limits } = details.budget;
      console.log(
        `budget: ${spent.tokens.toLocaleString('en-US')} of ${limits.tokens?.toLocaleString('en-US') ?? 'unlimited'} tokens, $${spent.costUsd.toFixed(6)} of $${limits.costUsd?.toFixed(2) ?? 'unlimited'}, ${seconds(spent.timeMs)} of ${seconds(limits.timeMs)}`,
      );
      console.log('\nknowledge:');
      for (const item of details.knowledge) console.log(`  ${item.key}: ${item.value} (step ${item.step}, confidence ${item.confidence.toFixed(2)})`);
      if (details.usage !== null) console.log(`\nusage:\n${formatUsageTree(details.usage as UsageNode)}`);
    });
  } finally {
    await model?.server?.close();
  }
});
