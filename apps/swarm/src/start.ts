/**
 * Runs the airline's conversations one after another (or those named: `pnpm start cancel triage`),
 * printing each answer with the agent that gave it, the handoffs, what the agents did, and the
 * usage tree of the swarm, with tokens and cost per agent.
 *
 *   pnpm start                              # in-process (execution_engine: asyncio)
 *   EXECUTION_ENGINE=temporal pnpm start    # on Temporal; needs `pnpm worker` running
 */
import { runMain, type Executor, type UsageNode } from '@mcp-agent/core';
import { loadSettings } from '@mcp-agent/core/config';
import { formatUsageTree } from '@mcp-agent/patterns';
import { AirlineSupportWorkflowClient, TriageWorkflowClient } from './generated/clients.js';
import { useLocalModelUnlessConfigured } from './model.js';
import { app } from './workflows.js';

/** The customer's messages of each conversation. */
const CONVERSATIONS: Record<string, string[]> = {
  'lost-baggage': ['My bag was not delivered!', "No, that's all. Thank you!"],
  cancel: ['I want to cancel my flight please', 'A refund, please.', "No, that's everything."],
  'two-requests': ['My bag was not delivered!', "Also, I'd like to change my flight to one day earlier.", 'Yes, please.', 'No, thanks.'],
};

/** The Python example's test requests: four for triage, three for flight modification. */
const TRIAGE_REQUESTS = [
  'My bag was not delivered!',
  'I want to cancel my flight please',
  'What is the meaning of life',
  'I had some turbulence on my flight',
  'I want to change my flight to one day earlier!',
  "I want to cancel my flight. I can't make it anymore due to a personal conflict",
  'I dont want this flight',
];

type Example = (executor: Executor) => Promise<UsageNode | null>;

function conversation(messages: string[]): Example {
  return async (executor) => {
    const { value, metadata } = await AirlineSupportWorkflowClient.execute(executor, { messages });
    if (value === undefined) throw new Error('AirlineSupportWorkflow returned no outcome');
    for (const turn of value.turns) {
      console.log(`customer: ${turn.customer}`);
      console.log(`${turn.agent}${turn.stopReason === 'done' ? ' (case closed)' : ''}: ${turn.reply}`);
    }
    console.log(`\nhandoffs: ${value.handoffs.map((handoff) => `${handoff.from} -> ${handoff.to}`).join(', ')}`);
    console.log(`actions: ${value.actions.join('; ') || 'none'}`);
    console.log(`flight ${value.flight.number} departs ${value.flight.departure}; resolved: ${value.resolved}`);
    return metadata['usage'] as UsageNode | null;
  };
}

const EXAMPLES: Record<string, Example> = {
  ...Object.fromEntries(Object.entries(CONVERSATIONS).map(([name, messages]) => [name, conversation(messages)])),
  triage: async (executor) => {
    const { value, metadata } = await TriageWorkflowClient.execute(executor, TRIAGE_REQUESTS);
    for (const outcome of value ?? []) {
      console.log(`"${outcome.request}"\n  ${outcome.route.join(' > ')}: ${outcome.reply}`);
    }
    return metadata['usage'] as UsageNode | null;
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
        const usage = await example(executor);
        if (usage !== null) console.log(`\nusage:\n${formatUsageTree(usage)}`);
      }
    });
  } finally {
    await model?.server?.close();
  }
});
