// The swarm pattern inside a workflow on the in-process engine, against the scripted model:
// handoffs over one shared conversation, context variables, the three endings, tool errors.
import { type Agent, WorkflowUsageError } from '@mcp-agent/core';
import { type LlmReply, type RecordedLlmRequest, replyWithText, replyWithToolCall } from '@mcp-agent/testing';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startPatternTestApp } from '../test/support.js';
import { type ContextVariables, createSwarm, DoneAgent, SwarmAgent, type SwarmFunction, swarmResult, transferTo } from './swarm.js';

const harness = await startPatternTestApp({ name: 'swarm-tests' });
const { model } = harness;

afterAll(() => harness.close());
beforeEach(() => model.reset());

type WireMessage = { role: string; content: unknown; tool_calls?: Array<{ function: { name: string } }> };

function messagesOf(request: RecordedLlmRequest | undefined): WireMessage[] {
  return (request?.body.messages ?? []) as WireMessage[];
}

function systemOf(request: RecordedLlmRequest | undefined): unknown {
  return messagesOf(request).find((message) => message.role === 'system')?.content;
}

function toolNamesOf(request: RecordedLlmRequest | undefined): string[] {
  return ((request?.body.tools ?? []) as Array<{ function: { name: string } }>).map((tool) => tool.function.name);
}

function call(name: string, args: unknown, usage?: LlmReply['usage'], text?: string): LlmReply {
  return { ...(text === undefined ? {} : { text }), toolCalls: [{ name, arguments: args }], ...(usage === undefined ? {} : { usage }) };
}

const caseResolved: SwarmFunction = { name: 'case_resolved', description: 'Call when the case is resolved.', run: () => new DoneAgent() };

const triage: SwarmAgent = new SwarmAgent({
  name: 'triage',
  instruction: 'You triage requests and transfer them.',
  functions: [transferTo(() => refunds, { name: 'transfer_to_refunds' })],
});
const refunds: SwarmAgent = new SwarmAgent({
  name: 'refunds',
  instruction: 'You handle refunds.',
  functions: [{ name: 'issue_refund', run: () => 'Refund of $120 issued.' }, transferTo(triage, { name: 'transfer_back_to_triage' }), caseResolved],
});

describe('handoffs', () => {
  it('gives the conversation to the agent a tool returns, under that agent’s instruction, and keeps it for the next message', async () => {
    model.enqueue(
      call('transfer_to_refunds', {}, { inputTokens: 10, outputTokens: 2 }),
      { text: 'I can refund your ticket. Shall I?', usage: { inputTokens: 30, outputTokens: 5 } },
      call('issue_refund', {}, { inputTokens: 40, outputTokens: 3 }),
      { text: 'Done: $120 is on its way.', usage: { inputTokens: 50, outputTokens: 6 } },
    );
    const outcome = await harness.inWorkflow(async () => {
      const swarm = createSwarm({ agent: triage });
      const first = await swarm.generate('I want my money back for flight 1919.');
      const afterFirst = { active: swarm.activeAgent.name, stopReason: swarm.stopReason, turns: swarm.turns };
      const second = await swarm.generateStr('Yes please.');
      return { first, afterFirst, second, active: swarm.activeAgent.name, handoffs: swarm.handoffs, tree: swarm.usageTree(), history: swarm.history.length };
    });

    expect(outcome.first.text).toBe('I can refund your ticket. Shall I?');
    expect(outcome.first.stopReason).toBe('end_turn');
    expect(outcome.first.iterations).toBe(2);
    expect(outcome.first.usage).toEqual({ inputTokens: 40, outputTokens: 7, totalTokens: 47 });
    expect(outcome.afterFirst).toEqual({ active: 'refunds', stopReason: 'end_turn', turns: 2 });
    expect(outcome.second).toBe('Done: $120 is on its way.');
    expect(outcome.handoffs).toEqual([{ from: 'triage', to: 'refunds' }]);

    const [asked1, asked2, asked3, asked4] = model.requests;
    expect(model.requests).toHaveLength(4);
    expect(systemOf(asked1)).toBe('You triage requests and transfer them.');
    expect(toolNamesOf(asked1)).toEqual(['transfer_to_refunds']);
    // The refunds agent answers the second turn: its own instruction and tools, the whole conversation.
    expect(systemOf(asked2)).toBe('You handle refunds.');
    expect(toolNamesOf(asked2)).toEqual(['issue_refund', 'transfer_back_to_triage', 'case_resolved']);
    expect(messagesOf(asked2).map((message) => message.role)).toEqual(['system', 'user', 'assistant', 'tool']);
    expect(messagesOf(asked2)[1]?.content).toBe('I want my money back for flight 1919.');
    expect(messagesOf(asked2)[2]?.tool_calls?.[0]?.function.name).toBe('transfer_to_refunds');
    expect(messagesOf(asked2)[3]?.content).toBe('Transferred to refunds: refunds now continues the conversation.');
    // The next message goes to the agent that had the conversation, with all of it.
    expect(systemOf(asked3)).toBe('You handle refunds.');
    expect(messagesOf(asked3).map((message) => message.role)).toEqual(['system', 'user', 'assistant', 'tool', 'assistant', 'user']);
    expect(asked3?.lastUserMessage).toBe('Yes please.');
    expect(messagesOf(asked4).at(-1)).toMatchObject({ role: 'tool', content: 'Refund of $120 issued.' });
    expect(outcome.history).toBe(8);

    expect(outcome.tree).toMatchObject({ name: 'swarm', kind: 'swarm', usage: { calls: 4, inputTokens: 130, outputTokens: 16 } });
    expect(outcome.tree.children.map((child) => [child.name, child.kind, child.usage.calls, child.usage.inputTokens])).toEqual([
      ['triage', 'llm', 1, 10],
      ['refunds', 'llm', 3, 120],
    ]);
  });

  it('hands off back and forth, and runs on the Anthropic provider with each agent’s instruction as the system prompt', async () => {
    model.enqueue(replyWithToolCall('transfer_to_refunds', {}), replyWithToolCall('transfer_back_to_triage', {}), replyWithText('How else can I help?'));
    const outcome = await harness.inWorkflow(async () => {
      const swarm = createSwarm({ agent: triage, provider: 'anthropic', name: 'desk' });
      const text = await swarm.generateStr('Actually, I have a different question.');
      return { text, handoffs: swarm.handoffs, tree: swarm.usageTree() };
    });
    expect(outcome.text).toBe('How else can I help?');
    expect(outcome.handoffs).toEqual([
      { from: 'triage', to: 'refunds' },
      { from: 'refunds', to: 'triage' },
    ]);
    expect(model.requests.map((request) => [request.provider, request.body.system])).toEqual([
      ['anthropic', 'You triage requests and transfer them.'],
      ['anthropic', 'You handle refunds.'],
      ['anthropic', 'You triage requests and transfer them.'],
    ]);
    const lastTurn = (model.requests[2]?.body.messages ?? []) as Array<{ role: string; content: unknown }>;
    expect(JSON.stringify(lastTurn.at(-1)?.content)).toContain('Transferred to triage');
    expect(outcome.tree.name).toBe('desk');
    expect(outcome.tree.children.map((child) => [child.name, child.usage.calls])).toEqual([
      ['triage', 2],
      ['refunds', 1],
    ]);
  });
});

describe('context variables', () => {
  it('renders instructions with them, gives them to functions, and updates them from a swarmResult', async () => {
    const seen: ContextVariables[] = [];
    const billing = new SwarmAgent({
      name: 'billing',
      instruction: (vars) => `You handle billing for ${String(vars.customer)} (${String(vars.tier)}).`,
      functions: [
        {
          name: 'balance',
          run: (_args, vars) => {
            seen.push(vars);
            return { customer: vars.customer, balance: 0 };
          },
        },
      ],
    });
    const front = new SwarmAgent({
      name: 'front desk',
      instruction: (vars) => `Greet ${String(vars.customer ?? 'the customer')}.`,
      functions: [
        {
          name: 'identify',
          inputSchema: { type: 'object', properties: { email: { type: 'string' } }, required: ['email'] },
          run: (args) => swarmResult({ value: 'Customer identified as John Doe.', contextVariables: { customer: 'John Doe', email: args.email } }),
        },
        { name: 'to_billing', run: () => swarmResult({ agent: billing, contextVariables: { tier: 'premium' } }) },
      ],
    });
    model.enqueue(
      replyWithToolCall('identify', { email: 'john@example.com' }),
      replyWithToolCall('to_billing', {}),
      replyWithToolCall('balance', {}),
      replyWithText('Your balance is $0.'),
    );
    const outcome = await harness.inWorkflow(async () => {
      const swarm = createSwarm({ agent: front, contextVariables: { tier: 'basic', airline: 'Flight Airlines' } });
      const text = await swarm.generateStr('Hi, what is my balance? I am john@example.com');
      return { text, vars: swarm.contextVariables, active: swarm.activeAgent.name };
    });
    expect(outcome.text).toBe('Your balance is $0.');
    expect(outcome.active).toBe('billing');
    expect(outcome.vars).toEqual({ tier: 'premium', airline: 'Flight Airlines', customer: 'John Doe', email: 'john@example.com' });
    // Rendered again before every turn: the second turn already shows the variables the first one set.
    expect(model.requests.map(systemOf)).toEqual(['Greet the customer.', 'Greet John Doe.', 'You handle billing for John Doe (premium).', 'You handle billing for John Doe (premium).']);
    expect(messagesOf(model.requests[1]).at(-1)?.content).toBe('Customer identified as John Doe.');
    expect(messagesOf(model.requests[2]).at(-1)?.content).toBe('Transferred to billing: billing now continues the conversation.');
    expect(messagesOf(model.requests[3]).at(-1)?.content).toBe('{"customer":"John Doe","balance":0}');
    expect(seen).toEqual([{ tier: 'premium', airline: 'Flight Airlines', customer: 'John Doe', email: 'john@example.com' }]);
    expect(Object.isFrozen(seen[0])).toBe(true);
    // The model is not asked for the context variables: only the function's own arguments.
    const tools = (model.requests[0]?.body.tools ?? []) as Array<{ function: { name: string; parameters: unknown } }>;
    expect(JSON.stringify(tools)).not.toContain('context');
  });
});

describe('endings', () => {
  it('ends at a DoneAgent with the last text written, and starts again with the first agent on the next message', async () => {
    model.enqueue(
      replyWithToolCall('transfer_to_refunds', {}),
      call('case_resolved', {}, undefined, 'Your refund is confirmed. Goodbye!'),
      replyWithText('Hello again! What can I do for you?'),
    );
    const outcome = await harness.inWorkflow(async () => {
      const swarm = createSwarm({ agent: triage });
      const done = await swarm.generate('Refund please, then we are done.');
      const atDone = { active: swarm.activeAgent, stopReason: swarm.stopReason, answeredBy: swarm.answeredBy?.name };
      const again = await swarm.generateStr('One more thing.');
      return {
        done,
        atDone: { isDone: atDone.active instanceof DoneAgent, name: atDone.active.name, stopReason: atDone.stopReason, answeredBy: atDone.answeredBy },
        again,
        handoffs: swarm.handoffs,
      };
    });
    expect(outcome.done.text).toBe('Your refund is confirmed. Goodbye!');
    expect(outcome.done.stopReason).toBe('end_turn');
    expect(outcome.done.iterations).toBe(2);
    expect(outcome.done.messages.at(-1)).toMatchObject({ role: 'tool', content: 'The case is resolved: the conversation is complete.' });
    expect(outcome.atDone).toEqual({ isDone: true, name: '__done__', stopReason: 'done', answeredBy: 'refunds' });
    expect(outcome.handoffs).toEqual([
      { from: 'triage', to: 'refunds' },
      { from: 'refunds', to: '__done__' },
    ]);
    expect(model.requests).toHaveLength(3);
    expect(systemOf(model.requests[2])).toBe('You triage requests and transfer them.');
    expect(outcome.again).toBe('Hello again! What can I do for you?');
  });

  it('stops after maxTurns model calls, and maxIterations of a call replaces maxTurns', async () => {
    const poller = new SwarmAgent({ name: 'poller', instruction: 'Check the status until it is final.', functions: [{ name: 'check_status', run: () => 'pending' }] });
    model.addRule({ match: () => true, reply: (request) => call('check_status', {}, undefined, `check ${String(messagesOf(request).length)}`) });
    const outcome = await harness.inWorkflow(async () => {
      const swarm = createSwarm({ agent: poller, maxTurns: 3 });
      const capped = await swarm.generate('Is my refund final?');
      const stopReason = swarm.stopReason;
      const once = await swarm.generate('And now?', { maxIterations: 1, useHistory: false });
      return { capped, stopReason, once, history: swarm.history.length };
    });
    expect(outcome.stopReason).toBe('max_turns');
    expect(outcome.capped).toMatchObject({ stopReason: 'max_iterations', iterations: 3, text: 'check 6' });
    expect(outcome.once).toMatchObject({ stopReason: 'max_iterations', iterations: 1, text: 'check 2' });
    expect(model.requests).toHaveLength(4);
    // useHistory: false runs the call on its message alone and keeps nothing.
    expect(messagesOf(model.requests[3]).map((message) => message.role)).toEqual(['system', 'user']);
    expect(outcome.history).toBe(7);
  });
});

describe('errors', () => {
  it('sends a function’s error back to the model, which answers', async () => {
    const booking = new SwarmAgent({
      name: 'booking',
      functions: [
        {
          name: 'change_flight',
          run: () => {
            throw new Error('the booking system is down');
          },
        },
      ],
    });
    model.enqueue(replyWithToolCall('change_flight', { day: 'earlier' }), replyWithText('Sorry, I cannot change it right now.'));
    const outcome = await harness.inWorkflow(async () => {
      const swarm = createSwarm({ agent: booking });
      return { text: await swarm.generateStr('Move my flight a day earlier.'), stopReason: swarm.stopReason, active: swarm.activeAgent.name };
    });
    expect(outcome).toEqual({ text: 'Sorry, I cannot change it right now.', stopReason: 'end_turn', active: 'booking' });
    expect(systemOf(model.requests[0])).toBeUndefined();
    expect(messagesOf(model.requests[1]).at(-1)).toMatchObject({ role: 'tool', content: 'Error: the booking system is down' });
  });

  it('fails the run with a SwarmError when an instruction function throws', async () => {
    const broken = new SwarmAgent({
      name: 'broken',
      instruction: () => {
        throw new Error('no template');
      },
    });
    await expect(harness.inWorkflow(() => createSwarm({ agent: broken }).generate('hi'))).rejects.toThrow(/SwarmAgent "broken": its instruction function failed: no template/);
    expect(model.requests).toHaveLength(0);
  });

  it('refuses bad options with errors that name the value and the fix', () => {
    expect(() => createSwarm({ agent: { name: 'x' } as unknown as Agent })).toThrow(/createSwarm: agent must be a SwarmAgent \(or an Agent\).*an object \(Object\)/);
    expect(() => createSwarm({ agent: new DoneAgent() })).toThrow(/agent is a DoneAgent/);
    expect(() => createSwarm({ agent: triage, maxTurns: 0 })).toThrow(/maxTurns: expected a whole number >= 1, got 0/);
    expect(() => createSwarm({ agent: triage, contextVariables: [] as unknown as ContextVariables })).toThrow(/contextVariables must be an object/);
    expect(() => new SwarmAgent({ name: 'twice', functions: [transferTo(triage), transferTo(triage)] })).toThrow(/two functions are named "transfer_to_triage"/);
    expect(() => new SwarmAgent({ name: 'bad', functions: [{ name: 'f' } as SwarmFunction] })).toThrow(/functions\[0\] must be \{ name, description\?, inputSchema\?, run/);
    expect(() => new SwarmAgent({ name: 'bad', instruction: 42 as unknown as string })).toThrow(/instruction must be a string or a function/);
    expect(() => transferTo(() => triage)).toThrow(/pass the tool’s name/);
    expect(() => swarmResult({ agent: 'refunds' as unknown as Agent })).toThrow(WorkflowUsageError);
    expect(transferTo(new SwarmAgent({ name: 'Lost Baggage!' })).name).toBe('transfer_to_lost_baggage');
  });
});

describe('as an LLM', () => {
  it('puts its answer into a schema with a tool-less LLM, counted in the usage tree', async () => {
    model.enqueue(replyWithToolCall('transfer_to_refunds', {}), replyWithText('Refund: 120 dollars.'), replyWithText('{"amount":120}'));
    const outcome = await harness.inWorkflow(async () => {
      const swarm = createSwarm({ agent: triage });
      const value = await swarm.generateStructured('How much will I get back?', z.object({ amount: z.number() }));
      return { value, children: swarm.usageTree().children.map((child) => child.name) };
    });
    expect(outcome).toEqual({ value: { amount: 120 }, children: ['triage', 'refunds', 'swarm_structurer'] });
    expect(model.requests[2]?.lastUserMessage).toContain('Refund: 120 dollars.');
    expect(model.requests[2]?.body.tools).toBeUndefined();
  });
});

describe('outside a swarm', () => {
  it('is a plain Agent: its functions run with no context variables, and a handoff only reports itself', async () => {
    const tools = await refunds.listTools();
    expect(tools.map((tool) => tool.name)).toEqual(['issue_refund', 'transfer_back_to_triage', 'case_resolved']);
    expect(refunds.instruction).toBe('You handle refunds.');
    expect((await refunds.callTool('transfer_back_to_triage')).content).toEqual([{ type: 'text', text: 'Transferred to triage: triage now continues the conversation.' }]);
    const templated = new SwarmAgent({ name: 't', instruction: (vars) => `Customer: ${String(vars.customer ?? 'unknown')}` });
    expect(templated.instruction).toBeUndefined();
    expect(templated.instructionFor()).toBe('Customer: unknown');
    expect(templated.instructionFor({ customer: 'Ann' })).toBe('Customer: Ann');
  });
});
