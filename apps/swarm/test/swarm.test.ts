// The airline's swarm on both engines, with the real openai SDK pointed at the scripted model:
// the same conversations, handoffs, context variables and usage in-process and on Temporal, and
// what each agent was asked (its instruction, its tools, the shared conversation).
import { createLogger, WorkflowFailedError, type Executor, type UsageNode } from '@mcp-agent/core';
import { parseSettings, type SettingsInput } from '@mcp-agent/core/config';
import { createExecutorWithServices } from '@mcp-agent/core/engine';
import { createAsyncioEngine } from '@mcp-agent/executor-asyncio';
import { createTemporalEngine, type TemporalExecutor } from '@mcp-agent/executor-temporal';
import { embeddingProvider, llmProvider } from '@mcp-agent/providers-openai';
import type { LocalLlmServer, RecordedLlmRequest } from '@mcp-agent/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { AirlineSupportWorkflowClient, TriageWorkflowClient } from '../src/generated/clients.js';
import { dayEarlier, startScriptedModel } from '../src/model.js';
import { app } from '../src/workflows.js';

const taskQueue = `swarm-${process.pid}`;
const logger = createLogger({ transports: ['none'] });

type WireMessage = { role: string; content: unknown; tool_calls?: Array<{ function: { name: string; arguments: string } }> };

const messagesOf = (request: RecordedLlmRequest): WireMessage[] => (request.body.messages ?? []) as WireMessage[];
const systemOf = (request: RecordedLlmRequest): string => String(messagesOf(request)[0]?.content);
const toolsOf = (request: RecordedLlmRequest): string[] => ((request.body.tools ?? []) as Array<{ function: { name: string } }>).map((tool) => tool.function.name);
/** The agent a request was made for, by its instruction. */
function agentOf(request: RecordedLlmRequest): string {
  const system = systemOf(request);
  if (system.startsWith('You are the first point of contact')) return 'triage';
  if (system.startsWith('You are the flight modification agent')) return 'flight_modification';
  const policy = /## (Flight cancellation|Flight change|Lost baggage) policy/.exec(system)?.[1];
  return policy === undefined
    ? 'unknown'
    : (({ 'Flight cancellation': 'flight_cancel', 'Flight change': 'flight_change', 'Lost baggage': 'lost_baggage' } as Record<string, string>)[policy] ?? 'unknown');
}
/** The function the model called in its answer to a request, if any (read from the next request's messages). */
const calledIn = (next: RecordedLlmRequest | undefined): string | undefined =>
  messagesOf(next ?? ({ body: {} } as RecordedLlmRequest))
    .filter((message) => message.role === 'assistant')
    .at(-1)?.tool_calls?.[0]?.function.name;

describe('the airline swarm', { timeout: 60_000 }, () => {
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

  /** Runs on both engines and checks they agree (result, usage, model requests); returns the in-process run and its requests. */
  async function onBoth<T extends { value?: unknown; metadata: Record<string, unknown> }>(
    example: (executor: Executor) => Promise<T>,
  ): Promise<{ result: T; requests: RecordedLlmRequest[] }> {
    const before = model.requests.length;
    const local = await example(inProcess);
    const requests = model.requests.slice(before);
    const remote = await example(temporal);
    const remoteRequests = model.requests.slice(before + requests.length);
    expect(remote.value).toEqual(local.value);
    expect(remote.metadata).toEqual(local.metadata);
    // The same requests, in the same order: the swarm is deterministic.
    expect(remoteRequests.map((request) => request.body.messages)).toEqual(requests.map((request) => request.body.messages));
    return { result: local, requests };
  }

  it('two requests in one conversation: lost baggage, then back to triage and on to a flight change that updates the context', async () => {
    const messages = ['My bag was not delivered!', "Also, I'd like to change my flight to one day earlier.", 'Yes, please.', 'No, thanks.'];
    const { result, requests } = await onBoth((executor) => AirlineSupportWorkflowClient.execute(executor, { messages }));
    const outcome = result.value;
    expect(outcome?.turns.map((turn) => [turn.agent, turn.stopReason])).toEqual([
      ['lost_baggage', 'end_turn'],
      ['flight_change', 'end_turn'],
      ['flight_change', 'end_turn'],
      ['flight_change', 'done'],
    ]);
    expect(outcome?.turns[0]?.reply).toContain('we found your bag. We will deliver it to 1234 Main St, San Francisco');
    expect(outcome?.turns[1]?.reply).toContain('departs 3pm ET, 5/20/2024 and has seats available; as a Premium member');
    expect(outcome?.handoffs).toEqual([
      { from: 'triage', to: 'lost_baggage' },
      { from: 'lost_baggage', to: 'triage' },
      { from: 'triage', to: 'flight_modification' },
      { from: 'flight_modification', to: 'flight_change' },
      { from: 'flight_change', to: '__done__' },
    ]);
    expect(outcome?.resolved).toBe(true);
    expect(outcome?.actions).toEqual(['baggage search: found', 'flight changed to 3pm ET, 5/20/2024']);
    expect(outcome?.flight.departure).toBe('3pm ET, 5/20/2024');

    // Each turn was asked of the agent that had the conversation, with its own tools, and its answer was the policy's next step.
    expect(requests.map((request, index) => [agentOf(request), calledIn(requests[index + 1]) ?? null])).toEqual([
      ['triage', 'transfer_to_lost_baggage'],
      ['lost_baggage', 'initiate_baggage_search'],
      ['lost_baggage', null],
      ['lost_baggage', 'transfer_to_triage'],
      ['triage', 'transfer_to_flight_modification'],
      ['flight_modification', 'transfer_to_flight_change'],
      ['flight_change', 'valid_to_change_flight'],
      ['flight_change', null],
      ['flight_change', 'change_flight'],
      ['flight_change', null],
      ['flight_change', null],
    ]);
    expect(toolsOf(requests[0] as RecordedLlmRequest)).toEqual(['transfer_to_flight_modification', 'transfer_to_lost_baggage']);
    expect(toolsOf(requests[6] as RecordedLlmRequest)).toEqual(['escalate_to_agent', 'change_flight', 'valid_to_change_flight', 'transfer_to_triage', 'case_resolved']);
    // One conversation: the flight change agent sees the baggage exchange before it.
    expect(messagesOf(requests[6] as RecordedLlmRequest)[1]).toMatchObject({ role: 'user', content: 'My bag was not delivered!' });
    // The context variables in the instruction: the old departure before change_flight, the new one after.
    expect(systemOf(requests[8] as RecordedLlmRequest)).toContain('departing 3pm ET, 5/21/2024.');
    expect(systemOf(requests[9] as RecordedLlmRequest)).toContain('departing 3pm ET, 5/20/2024.');
    expect(systemOf(requests[9] as RecordedLlmRequest)).toContain('Name: John Doe');

    const usage = result.metadata['usage'] as UsageNode;
    expect(usage).toMatchObject({ name: 'airline_service', kind: 'swarm', usage: { calls: 11 } });
    expect(usage.children.map((child) => [child.name, child.usage.calls])).toEqual([
      ['triage', 2],
      ['lost_baggage', 3],
      ['flight_modification', 1],
      ['flight_change', 5],
    ]);
    expect(usage.usage.costUsd).toBeGreaterThan(0);
  });

  it('a cancellation for another customer: the instruction shows their details, the credits are recorded, and the queries read the conversation', async () => {
    const customer = {
      id: 'customer_777',
      name: 'Jane Roe',
      phone: '(555) 010-0000',
      email: 'jane@example.com',
      status: 'Silver',
      accountStatus: 'Active',
      balance: '$0.00',
      address: '9 Elm St, Boston, MA 02108, USA',
    };
    const flight = { number: '42', from: 'BOS (Boston Logan)', to: 'SFO (San Francisco)', departure: '9am ET, 3/1/2024' };
    const messages = ["I can't make it, please cancel my flight", 'Flight credits would be great.', 'Nothing else, thanks.'];
    const queried: unknown[] = [];
    const { result } = await onBoth(async (executor) => {
      const handle = await AirlineSupportWorkflowClient.start(executor, { messages, customer, flight });
      const outcome = await handle.result();
      queried.push(await handle.queries.conversation(), await handle.queries.usage());
      return outcome;
    });
    expect(result.value?.turns.map((turn) => turn.agent)).toEqual(['flight_cancel', 'flight_cancel', 'flight_cancel']);
    expect(result.value?.turns[0]?.reply).toBe(
      "I'm sorry you can't make your trip, Jane. To confirm: you'd like to cancel flight 42 from BOS (Boston Logan) to SFO (San Francisco), departing 9am ET, 3/1/2024. Would you prefer a refund or flight credits?",
    );
    expect(result.value?.turns[1]?.reply).toContain('flight credits will be in your account within the next 15 minutes');
    expect(result.value?.turns[2]).toMatchObject({ stopReason: 'done', reply: 'Thank you for flying with Flight Airlines, Jane. Have a great day!' });
    expect(result.value?.actions).toEqual(['flight credits initiated']);
    // The queries, read after the run, on both engines.
    const [localProgress, localUsage, remoteProgress, remoteUsage] = queried;
    expect(remoteProgress).toEqual(localProgress);
    expect(localProgress).toMatchObject({ activeAgent: '__done__', contextVariables: { actions: ['flight credits initiated'], customer: { name: 'Jane Roe' } } });
    expect((localProgress as { turns: unknown[] }).turns).toEqual(result.value?.turns);
    expect(localUsage).toEqual(result.metadata['usage']);
    expect(remoteUsage).toEqual(localUsage);
  });

  it('a customer who asks for a supervisor is escalated, with the reason recorded in the context variables', async () => {
    const messages = ['My luggage never arrived.', 'I want to speak to a supervisor.'];
    const { result, requests } = await onBoth((executor) => AirlineSupportWorkflowClient.execute(executor, { messages }));
    expect(result.value?.turns[1]).toMatchObject({
      agent: 'lost_baggage',
      stopReason: 'end_turn',
      reply: 'I have passed your case to a supervisor, who will contact you at johndoe@example.com shortly. Is there anything else I can help you with?',
    });
    expect(result.value?.actions).toEqual(['baggage search: found', 'escalated: The customer asked for a supervisor.']);
    expect(result.value?.resolved).toBe(false);
    const escalation = messagesOf(requests.at(-1) as RecordedLlmRequest).at(-1);
    expect(escalation).toMatchObject({ role: 'tool', content: 'Escalated to a human agent: The customer asked for a supervisor.' });
  });

  it('triage: the Python example’s requests, each a new conversation, reach the agent for their topic', async () => {
    const requests = [
      'My bag was not delivered!',
      'I want to cancel my flight please',
      'What is the meaning of life',
      'I had some turbulence on my flight',
      'I want to change my flight to one day earlier!',
      "I want to cancel my flight. I can't make it anymore due to a personal conflict",
      'I dont want this flight',
    ];
    const { result } = await onBoth((executor) => TriageWorkflowClient.execute(executor, requests));
    expect(result.value?.map((outcome) => outcome.route.join(' > '))).toEqual([
      'triage > lost_baggage',
      'triage > flight_modification > flight_cancel',
      'triage',
      'triage',
      'triage > flight_modification > flight_change',
      'triage > flight_modification > flight_cancel',
      'triage > flight_modification',
    ]);
    expect(result.value?.map((outcome) => outcome.agent)).toEqual(['lost_baggage', 'flight_cancel', 'triage', 'triage', 'flight_change', 'flight_cancel', 'flight_modification']);
    expect(result.value?.[6]?.reply).toBe('Would you like to cancel your flight, or move it to another departure?');
    const usage = result.metadata['usage'] as UsageNode;
    expect(usage.children.map((child) => [child.name, child.kind, child.usage.calls])).toEqual([
      ['request_1', 'swarm', 3],
      ['request_2', 'swarm', 3],
      ['request_3', 'swarm', 1],
      ['request_4', 'swarm', 1],
      ['request_5', 'swarm', 4],
      ['request_6', 'swarm', 3],
      ['request_7', 'swarm', 2],
    ]);
    expect(usage.usage.calls).toBe(17);
  });

  it('fails at once, with no model call, for a conversation without messages (both engines)', async () => {
    for (const executor of [inProcess, temporal]) {
      const before = model.requests.length;
      const error = await AirlineSupportWorkflowClient.execute(executor, { messages: [] }).catch((thrown: unknown) => thrown);
      expect(WorkflowFailedError.is(error), executor.engine).toBe(true);
      expect((error as Error).message).toContain('messages must be a non-empty list of non-empty strings, got []');
      expect(model.requests.length).toBe(before);
    }
  });

  it('the scripted model offers the same departure one day earlier, across months', () => {
    expect(dayEarlier('3pm ET, 5/21/2024')).toBe('3pm ET, 5/20/2024');
    expect(dayEarlier('9am ET, 3/1/2024')).toBe('9am ET, 2/29/2024');
  });
});
