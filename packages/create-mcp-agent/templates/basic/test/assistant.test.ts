// The assistant end to end without a model key: the real openai SDK talks to a local server that
// speaks the OpenAI wire protocol, where a scripted model first calls the weather tool, then
// answers from what the real MCP server returned.
import { startLocalLlmServer, type LlmReply, type LocalLlmServer, type RecordedLlmRequest } from '@mcp-agent/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AssistantWorkflowClient } from '../src/generated/clients.js';
import { app } from '../src/workflows.js';

/** The scripted model: call the weather tool for Paris, then answer with the tool's result. */
function scriptedModel(request: RecordedLlmRequest): LlmReply {
  const messages = (request.body.messages ?? []) as Array<{ role: string; content?: unknown }>;
  const toolResult = messages.find((message) => message.role === 'tool');
  if (toolResult === undefined) return { toolCalls: [{ name: 'weather_get_forecast', arguments: { city: 'Paris' } }] };
  return { text: `Tomorrow in ${String(toolResult.content)}.` };
}

describe('AssistantWorkflow', () => {
  let model: LocalLlmServer;

  beforeAll(async () => {
    model = await startLocalLlmServer({ script: { rules: [{ match: () => true, reply: scriptedModel }] } });
    // Point the provider at the local model; mcp_agent.config.yaml sets neither.
    process.env.OPENAI_API_KEY = 'local-test-key';
    process.env.OPENAI_BASE_URL = model.openaiBaseUrl;
  });

  afterAll(async () => {
    await model?.close();
  });

  it('answers from the forecast the MCP server returned, after one tool call', async () => {
    const answer = await app.run(async ({ executor }) => (await AssistantWorkflowClient.execute(executor, 'What is the weather in Paris tomorrow?')).value);

    expect(answer).toBe('Tomorrow in Paris: sunny, 21 °C, light wind from the west.');
    expect(model.requests).toHaveLength(2);
    expect(model.requests[0]?.lastUserMessage).toBe('What is the weather in Paris tomorrow?');
  });

  it('refuses an empty question without asking the model', async () => {
    const before = model.requests.length;
    await expect(app.run(({ executor }) => AssistantWorkflowClient.execute(executor, '  '))).rejects.toThrow('AssistantWorkflow needs a question, got "  "');
    expect(model.requests).toHaveLength(before);
  });
});
