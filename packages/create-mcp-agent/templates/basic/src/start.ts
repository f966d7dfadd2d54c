/**
 * Asks the assistant a question and prints its answer.
 *
 *   {{run}} start
 *   {{run}} start "Will it rain in London tomorrow?"
 *
 * It needs an OpenAI key: openai.api_key in mcp_agent.secrets.yaml, or OPENAI_API_KEY.
 */
import { runMain } from '@mcp-agent/core';
import { AssistantWorkflowClient } from './generated/clients.js';
import { app } from './workflows.js';

const question = process.argv[2] ?? 'What is the weather in Paris tomorrow?';

await runMain(() =>
  app.run(async ({ executor }) => {
    // The generated client types the input and the result from the AssistantWorkflow class.
    const result = await AssistantWorkflowClient.execute(executor, question);
    console.log(result.value);
  }),
);
