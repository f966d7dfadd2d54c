// The assistant end to end without a model key: the real openai SDK talks to a local server that
// speaks the OpenAI wire protocol, where a scripted model first calls the weather tool, then
// answers from what the real MCP server returned. In-process always; on Temporal too when
// TEMPORAL_TEST_ADDRESS names a server (`{{run}} server` starts one on localhost:7233), with a
// worker in this process on a task queue of its own. (Not TEMPORAL_ADDRESS, which may name the
// server your shell points at for real work.)
import { createTemporalWorkerForApp, type TemporalExecutor } from '@mcp-agent/executor-temporal';
import { startLocalLlmServer, type LlmReply, type LocalLlmServer, type RecordedLlmRequest } from '@mcp-agent/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AssistantWorkflowClient } from '../src/generated/clients.js';
import { app } from '../src/workflows.js';

const QUESTION = 'What is the weather in Paris tomorrow?';
const ANSWER = 'Tomorrow in Paris: sunny, 21 °C, light wind from the west.';

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

  it('answers from the forecast the MCP server returned, in-process', async () => {
    process.env.EXECUTION_ENGINE = 'asyncio';
    const before = model.requests.length;
    const answer = await app.run(async ({ executor }) => (await AssistantWorkflowClient.execute(executor, QUESTION)).value);

    expect(answer).toBe(ANSWER);
    expect(model.requests.length - before).toBe(2);
  });

  it.skipIf(process.env.TEMPORAL_TEST_ADDRESS === undefined)('gives the same answer on Temporal, each step an activity in the history', async () => {
    process.env.EXECUTION_ENGINE = 'temporal';
    process.env.TEMPORAL__HOST = process.env.TEMPORAL_TEST_ADDRESS;
    process.env.TEMPORAL__TASK_QUEUE = `assistant-test-${process.pid}`;
    const { answer, stage, activities } = await app.run(async ({ executor }) => {
      const worker = await createTemporalWorkerForApp(app, { workflowsPath: new URL('../src/workflows.ts', import.meta.url) });
      return worker.runUntil(async () => {
        const handle = await AssistantWorkflowClient.start(executor, QUESTION);
        const result = await handle.result();
        const history = await (executor as TemporalExecutor).client.workflow.getHandle(handle.workflowId).fetchHistory();
        const activities = (history.events ?? []).flatMap((event) => event.activityTaskScheduledEventAttributes?.activityType?.name ?? []);
        return { answer: result.value, stage: await handle.queries.stage(), activities };
      });
    });

    expect(answer).toBe(ANSWER);
    expect(stage).toBe('done');
    // Two model round trips with one tool call between them, each recorded as an activity.
    expect(activities.filter((name) => name.startsWith('llm.'))).toHaveLength(2);
    expect(activities.some((name) => name.startsWith('mcp.'))).toBe(true);
  });
});
