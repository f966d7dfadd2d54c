/**
 * Classifies the Python example's request (and two more) with both intent classifiers, then
 * routes three help desk requests by meaning (or runs those named: `pnpm start route`), printing
 * each result and the usage tree, with tokens and cost per classifier, router and agent.
 *
 *   pnpm start                              # in-process (execution_engine: asyncio)
 *   EXECUTION_ENGINE=temporal pnpm start    # on Temporal; needs `pnpm worker` running
 */
import { runMain, type Executor, type UsageNode } from '@mcp-agent/core';
import { loadSettings } from '@mcp-agent/core/config';
import { formatUsageTree } from '@mcp-agent/patterns';
import { EmbeddingRouterWorkflowClient, IntentClassifierWorkflowClient } from './generated/clients.js';
import { useLocalModelUnlessConfigured } from './model.js';
import { app } from './workflows.js';

/** The Python example's request first, then a farewell and a request with neither intent. */
const CLASSIFY = ['Hello, how are you?', 'Goodbye, see you later!', 'Can you check the status of my order?'];

/** Requests for the help desk's billing agent, tech support agent and opening hours function. */
const ROUTE = ['My invoice shows a double charge', 'The app crashes when I log in', 'What are your opening hours?'];

type Example = (executor: Executor) => Promise<void>;

function printUsage(usage: unknown): void {
  if (usage !== null && usage !== undefined) console.log(`usage:\n${formatUsageTree(usage as UsageNode)}`);
}

const EXAMPLES: Record<string, Example> = {
  classify: async (executor) => {
    const { value, metadata } = await IntentClassifierWorkflowClient.execute(executor, { requests: CLASSIFY, topK: 1 });
    for (const { request, embedding, llm } of value ?? []) {
      console.log(`"${request}"`);
      console.log(`  by embeddings: ${embedding.map((found) => `${found.intent} (score ${found.pScore.toFixed(2)}, ${found.confidence})`).join(', ')}`);
      console.log(
        `  by the model:  ${
          llm
            .map((found) => {
              const entities = found.entities.map((entity) => `${entity.name}=${entity.value}`).join(', ');
              return `${found.intent} (${found.confidence}, p ${found.pScore?.toFixed(2)}${entities === '' ? '' : `; ${entities}`}): ${found.reasoning}`;
            })
            .join('; ') || 'no intent fits'
        }`,
      );
    }
    console.log('');
    printUsage(metadata['usage']);
  },
  route: async (executor) => {
    for (const request of ROUTE) {
      const { value, metadata } = await EmbeddingRouterWorkflowClient.execute(executor, request);
      if (value === undefined) throw new Error('EmbeddingRouterWorkflow returned no result');
      console.log(`\n"${request}"`);
      console.log(`  scores: ${value.routes.map((route) => `${route.name} ${route.score.toFixed(2)} (${route.confidence})`).join(', ')}`);
      console.log(`  ${value.answeredBy}: ${value.answer}`);
      printUsage(metadata['usage']);
    }
  },
};

await runMain(async () => {
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
        console.log(`\n## ${name}`);
        await example(executor);
      }
    });
  } finally {
    await model?.server?.close();
  }
});
