// The intent classifiers and the embedding router on both engines, with the real openai SDK
// pointed at the scripted model (its embeddings computed from each text's words): the same
// intents, routes, answers and usage in-process and on Temporal, and what the model and the
// embedding endpoint were asked.
import { createLogger, WorkflowFailedError, type Executor, type UsageNode } from '@mcp-agent/core';
import { parseSettings, type SettingsInput } from '@mcp-agent/core/config';
import { createExecutorWithServices } from '@mcp-agent/core/engine';
import { createAsyncioEngine } from '@mcp-agent/executor-asyncio';
import { createTemporalEngine, type TemporalExecutor } from '@mcp-agent/executor-temporal';
import { embeddingProvider, llmProvider } from '@mcp-agent/providers-openai';
import type { LocalLlmServer, RecordedLlmRequest } from '@mcp-agent/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { EmbeddingRouterWorkflowClient, IntentClassifierWorkflowClient } from '../src/generated/clients.js';
import { startScriptedModel } from '../src/model.js';
import { app } from '../src/workflows.js';

const taskQueue = `intent-classifier-${process.pid}`;
const logger = createLogger({ transports: ['none'] });

type WireMessage = { role: string; content: unknown };
const systemOf = (request: RecordedLlmRequest): string => String(((request.body.messages ?? []) as WireMessage[])[0]?.content);
const summary = (node: UsageNode): unknown => [node.name, node.kind, node.usage.calls, node.children.map(summary)];

describe('the intent classifiers and the embedding router', { timeout: 60_000 }, () => {
  let model: LocalLlmServer;
  let inProcess: Executor;
  let temporal: TemporalExecutor;

  beforeAll(async () => {
    model = await startScriptedModel();
    const settings = (engine: 'asyncio' | 'temporal'): SettingsInput => ({
      execution_engine: engine,
      temporal: { task_queue: taskQueue },
      openai: { api_key: 'sk-local-test', base_url: model.openaiBaseUrl, default_model: 'gpt-4o-mini' },
    });
    const parts = { appName: app.name, registry: app.registry, logger, llmProviders: [llmProvider], embeddingProviders: [embeddingProvider] };
    inProcess = await createExecutorWithServices(createAsyncioEngine(), { ...parts, settings: parseSettings(settings('asyncio'), 'test settings') });
    temporal = (await createExecutorWithServices(
      createTemporalEngine({ address: inject('temporalAddress'), worker: { workflowsPath: new URL('../src/workflows.ts', import.meta.url), taskQueue } }),
      { ...parts, settings: parseSettings(settings('temporal'), 'test settings') },
    )) as TemporalExecutor;
  });

  afterAll(async () => {
    await inProcess?.close();
    await temporal?.close();
    await model?.close();
  });

  /** Runs on both engines and checks they agree; returns the in-process run with its model and embedding requests. */
  async function onBoth<T extends { value?: unknown; metadata: Record<string, unknown> }>(example: (executor: Executor) => Promise<T>) {
    const before = { requests: model.requests.length, embeddings: model.embeddingRequests.length };
    const local = await example(inProcess);
    const requests = model.requests.slice(before.requests);
    const embedded = model.embeddingRequests.slice(before.embeddings).map((request) => request.inputs);
    const remote = await example(temporal);
    // The same answer and the same usage (tokens and cost per classifier, router and agent) on both engines.
    expect(remote.value).toEqual(local.value);
    expect(remote.metadata).toEqual(local.metadata);
    expect(model.requests.slice(before.requests + requests.length).map((request) => request.body.messages)).toEqual(requests.map((request) => request.body.messages));
    expect(model.embeddingRequests.slice(before.embeddings + embedded.length).map((request) => request.inputs)).toEqual(embedded);
    return { result: local, requests, embedded };
  }

  it('classifies the Python example’s request, a farewell and a request with neither intent, by embeddings and by the model', async () => {
    const requests = ['Hello, how are you?', 'Goodbye, see you later!', 'Can you check the status of my order?'];
    const { result, requests: asked, embedded } = await onBoth((executor) => IntentClassifierWorkflowClient.execute(executor, { requests }));
    const [hello, goodbye, order] = result.value ?? [];
    // By embeddings: "Hello" is one of the greeting's examples; the order request shares no word with either intent.
    expect(hello?.embedding).toEqual([{ intent: 'greeting', pScore: expect.closeTo(1, 5), confidence: 'high' }]);
    expect(goodbye?.embedding.map((found) => [found.intent, found.confidence])).toEqual([['farewell', 'high']]);
    expect(order?.embedding.map((found) => found.confidence)).toEqual(['low']);
    // By the model: none for the order request.
    expect(hello?.llm).toEqual([{ intent: 'greeting', confidence: 'high', pScore: 0.95, reasoning: 'The request says "Hello", which is a greeting.', entities: [] }]);
    expect(goodbye?.llm.map((found) => found.intent)).toEqual(['farewell']);
    expect(order?.llm).toEqual([]);

    // The intents' texts are embedded once, in one call, then each request.
    expect(embedded).toEqual([
      ['greeting: A friendly greeting', 'Hello', 'Hi there', 'Good morning', 'farewell: A friendly farewell', 'Goodbye', 'See you later', 'Take care'],
      ['Hello, how are you?'],
      ['Goodbye, see you later!'],
      ['Can you check the status of my order?'],
    ]);
    // The model is shown every intent with its examples and the request, and asked for structured output naming only those intents.
    expect(asked).toHaveLength(3);
    const prompt = String(asked[0]?.lastUserMessage);
    expect(prompt).toContain('1. greeting\nDescription: A friendly greeting\nExamples:\n- Hello\n- Hi there\n- Good morning');
    expect(prompt).toContain('2. farewell\nDescription: A friendly farewell');
    expect(prompt).toContain('The request:\nHello, how are you?');
    expect(JSON.stringify(asked[0]?.body.response_format)).toContain('"enum":["greeting","farewell"]');

    expect(summary(result.metadata['usage'] as UsageNode)).toEqual([
      'intent_classification',
      'intent-classifiers',
      7,
      [
        ['embedding_classifier', 'intent-classifier', 4, [['embedding_classifier-embeddings', 'embedding', 4, []]]],
        ['llm_classifier', 'intent-classifier', 3, [['llm_classifier-llm', 'llm', 3, []]]],
      ],
    ]);
  });

  it('gives up to topK intents, the most likely first, with the entities that matter', async () => {
    const { result } = await onBoth((executor) => IntentClassifierWorkflowClient.execute(executor, { requests: ['Hi Sam! Sorry, I have to run, bye'], topK: 2 }));
    const [found] = result.value ?? [];
    expect(found?.llm.map((intent) => [intent.intent, intent.confidence, intent.entities])).toEqual([
      ['greeting', 'high', [{ name: 'person', value: 'Sam' }]],
      ['farewell', 'medium', [{ name: 'person', value: 'Sam' }]],
    ]);
    expect(found?.embedding.map((intent) => intent.intent).sort()).toEqual(['farewell', 'greeting']);
    expect((found?.embedding[0]?.pScore ?? 0) >= (found?.embedding[1]?.pScore ?? 0)).toBe(true);
  });

  it('routes requests by meaning to the billing agent, the tech support agent and the opening hours function, which answer', async () => {
    const billing = await onBoth((executor) => EmbeddingRouterWorkflowClient.execute(executor, 'My invoice shows a double charge'));
    expect(billing.result.value?.answeredBy).toBe('billing');
    expect(billing.result.value?.routes.map((route) => [route.category, route.name])).toEqual([
      ['agent', 'billing'],
      ['function', 'opening_hours'],
      ['agent', 'tech_support'],
    ]);
    expect(billing.result.value?.answer).toContain('I have flagged the duplicate charge');
    // The categories are embedded once (name and description), then the request for `route` and again for `generate`.
    expect(billing.embedded).toEqual([
      [
        'billing\nYou answer questions about invoices, charges, refunds and payments.',
        'tech_support\nYou fix technical problems: the app crashes, login errors, forgotten passwords.',
        'opening_hours\nThe help desk opening hours.',
      ],
      ['My invoice shows a double charge'],
      ['My invoice shows a double charge'],
    ]);
    // One model call: the billing agent's, under its instruction.
    expect(billing.requests.map(systemOf)).toEqual(['You answer questions about invoices, charges, refunds and payments.']);
    expect(summary(billing.result.metadata['usage'] as UsageNode)).toEqual([
      'help_desk',
      'router',
      4,
      [
        ['help_desk-embeddings', 'embedding', 3, []],
        ['billing', 'llm', 1, []],
      ],
    ]);

    const crash = await onBoth((executor) => EmbeddingRouterWorkflowClient.execute(executor, 'The app crashes when I log in'));
    expect(crash.result.value?.answeredBy).toBe('tech_support');
    expect(crash.result.value?.routes[0]?.score).toBeGreaterThan(crash.result.value?.routes[1]?.score ?? 1);
    expect(crash.requests.map(systemOf)).toEqual(['You fix technical problems: the app crashes, login errors, forgotten passwords.']);

    // A function answers as workflow code: no model call.
    const hours = await onBoth((executor) => EmbeddingRouterWorkflowClient.execute(executor, 'What are your opening hours?'));
    expect(hours.result.value).toMatchObject({ answeredBy: 'opening_hours', answer: 'The help desk is open Monday to Friday, 9am to 5pm ET.' });
    expect(hours.result.value?.routes[0]).toMatchObject({ category: 'function', confidence: 'high' });
    expect(hours.requests).toEqual([]);
  });

  it('fails at once, with no model or embedding call, for an empty request (both engines)', async () => {
    for (const executor of [inProcess, temporal]) {
      const before = { requests: model.requests.length, embeddings: model.embeddingRequests.length };
      const error = await EmbeddingRouterWorkflowClient.execute(executor, '  ').catch((thrown: unknown) => thrown);
      expect(WorkflowFailedError.is(error), executor.engine).toBe(true);
      expect((error as Error).message).toContain('the request must be a non-empty string, got "  "');
      const classified = await IntentClassifierWorkflowClient.execute(executor, { requests: [] }).catch((thrown: unknown) => thrown);
      expect((classified as Error).message).toContain('requests must be a non-empty list of strings, got []');
      expect({ requests: model.requests.length, embeddings: model.embeddingRequests.length }).toEqual(before);
    }
  });
});
