// The routers inside a workflow on the in-process engine: what the routing model is shown, how its
// choice is checked and corrected, where messages are forwarded, and how embeddings route.
import { Agent, createLogger, MCPApp, type UsageNode, Workflow, WorkflowResult } from '@mcp-agent/core';
import type { McpService } from '@mcp-agent/core/engine';
import { createAsyncioEngine } from '@mcp-agent/executor-asyncio';
import { llmProvider } from '@mcp-agent/providers-openai';
import { replyWithText, replyWithToolCall, type RecordedLlmRequest } from '@mcp-agent/testing';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { startPatternTestApp } from '../test/support.js';
import { llmFactoryOf } from './llm.js';
import { confidenceOf, createRouterEmbedding, createRouterLlm } from './router.js';

const harness = await startPatternTestApp();
const { model } = harness;

// A second app whose MCP service is an in-memory "weather" server, for routing to servers.
const mcpCalls: string[] = [];
const weatherServer: McpService = {
  serverNames: () => ['weather'],
  listTools: async (server) => {
    mcpCalls.push(`listTools ${server}`);
    return [
      { server, name: 'get_forecast', description: 'The forecast for a city.', inputSchema: { type: 'object', properties: { city: { type: 'string' } } } },
      { server, name: 'get_alerts', description: 'Weather alerts for a region.', inputSchema: { type: 'object' } },
    ];
  },
  callTool: async (request) => {
    mcpCalls.push(`callTool ${request.server} ${request.tool} ${JSON.stringify(request.arguments)}`);
    return { content: [{ type: 'text', text: 'Rain, 12°C' }], isError: false };
  },
  listPrompts: async () => [],
  getPrompt: async () => ({ messages: [] }),
  listResources: async () => [],
  readResource: async () => ({ contents: [] }),
  close: async () => {},
};
const serverApp = new MCPApp({
  name: 'router-server-tests',
  settings: { openai: { api_key: 'sk-local-router', base_url: model.openaiBaseUrl, default_model: 'gpt-4o-mini' } },
  logger: createLogger({ transports: ['none'] }),
  engines: { asyncio: createAsyncioEngine() },
  llmProviders: [llmProvider],
  mcp: weatherServer,
});
const serverScenarios = new Map<string, () => Promise<unknown>>();
@serverApp.workflow({ name: 'ServerRouting' })
class ServerRouting extends Workflow<unknown> {
  @serverApp.workflowRun
  async run(key: string): Promise<WorkflowResult<unknown>> {
    return new WorkflowResult({ value: await (serverScenarios.get(key) as () => Promise<unknown>)() });
  }
}
await serverApp.initialize();
async function withServers<T>(scenario: () => Promise<T>): Promise<T> {
  const key = `scenario-${serverScenarios.size + 1}`;
  serverScenarios.set(key, scenario);
  const handle = await serverApp.executor.startWorkflow(ServerRouting, key);
  return (await handle.result()).value as T;
}

afterAll(async () => {
  await serverApp.cleanup();
  await harness.close();
});
beforeEach(() => {
  model.reset();
  mcpCalls.length = 0;
});

type WireMessage = { role: string; content: string | null; tool_calls?: unknown[] };
const messagesOf = (request: RecordedLlmRequest | undefined) => (request?.body.messages ?? []) as WireMessage[];
const userPromptOf = (request: RecordedLlmRequest | undefined) => messagesOf(request).find((message) => message.role === 'user')?.content ?? '';

/** A routing model's answer choosing these categories, in order. */
function decide(...categories: Array<[name: string, confidence?: string]>) {
  return replyWithText(JSON.stringify({ categories: categories.map(([category, confidence = 'high']) => ({ category, confidence, reasoning: `because ${category}` })) }));
}

function agents() {
  const weather = new Agent({ name: 'weather', instruction: 'You answer questions about the weather and the forecast in a city.' });
  const flights = new Agent({ name: 'flights', instruction: 'You book flights and find cheap airfares.' });
  return { weather, flights };
}

function shout(request: string) {
  return { shouted: request.toUpperCase() };
}

const childNames = (node: UsageNode) => node.children.map((child) => `${child.name}:${child.kind}`);

describe('LLM router', () => {
  it('shows the model every category with its description, and forwards the message to the agent chosen', async () => {
    const { weather, flights } = agents();
    model.enqueue(decide(['weather']), replyWithText('Sunny in Paris.'));
    const { answer, tree, lastRoute } = await harness.inWorkflow(async () => {
      const router = createRouterLlm({ agents: [weather, flights], functions: [{ name: 'shout', description: 'Repeats the request in capitals.', fn: shout }] });
      const answer = await router.generateStr("What's the weather in Paris?");
      return { answer, tree: router.usageTree(), lastRoute: { category: router.lastRoute?.category, name: router.lastRoute?.name } };
    });
    expect(answer).toBe('Sunny in Paris.');
    expect(lastRoute).toEqual({ category: 'agent', name: 'weather' });
    expect(model.requests).toHaveLength(2);

    const routing = model.requests[0];
    expect(messagesOf(routing)[0]).toMatchObject({ role: 'system', content: expect.stringContaining('You route requests') });
    const prompt = userPromptOf(routing);
    const listed = [
      '1. weather (agent)\nDescription: You answer questions about the weather and the forecast in a city.\nServers: none',
      '2. flights (agent)\nDescription: You book flights and find cheap airfares.\nServers: none',
      '3. shout (function)\nDescription: Repeats the request in capitals.',
    ];
    for (const entry of listed) expect(prompt).toContain(entry);
    expect(prompt.indexOf(listed[0] as string)).toBeLessThan(prompt.indexOf(listed[2] as string));
    expect(prompt).toContain("The request:\nWhat's the weather in Paris?");
    expect(prompt).toContain('up to 1 categories');
    // The names are offered to the model as an enum of its structured output.
    expect(JSON.stringify(routing?.body.response_format)).toContain('"enum":["weather","flights","shout"]');

    const forwarded = messagesOf(model.requests[1]);
    expect(forwarded[0]).toEqual({ role: 'system', content: 'You answer questions about the weather and the forecast in a city.' });
    expect(model.requests[1]?.lastUserMessage).toBe("What's the weather in Paris?");

    expect(tree).toMatchObject({ name: 'llm-router', kind: 'router', usage: { calls: 2 } });
    expect(childNames(tree)).toEqual(['llm-router-classifier:llm', 'weather:llm']);
  });

  it('returns up to topK routes in the model’s order, typed by category, and routes among a kind only', async () => {
    const { weather, flights } = agents();
    const summarizer = await llmFactoryOf()(new Agent({ name: 'summarizer', instruction: 'You summarize text.' }));
    model.enqueue(decide(['flights', 'medium'], ['summarizer', 'low'], ['flights'], ['weather']), decide(['weather']));
    const { routes, toAgent, same } = await harness.inWorkflow(async () => {
      const router = createRouterLlm({ agents: [weather, flights, summarizer], functions: [shout], topK: 2 });
      const routes = await router.route('Fly me to Rome, cheaply');
      const toAgent = await router.routeToAgent('Will it rain?', 1);
      return {
        routes: routes.map(({ result: _result, ...rest }) => rest),
        same: [routes[0]?.result === flights, routes[1]?.result === summarizer],
        toAgent: toAgent.map((route) => [route.category, route.name, route.result === weather]),
      };
    });
    expect(routes).toEqual([
      { category: 'agent', name: 'flights', confidence: 'medium', reasoning: 'because flights' },
      { category: 'llm', name: 'summarizer', confidence: 'low', reasoning: 'because summarizer' },
    ]);
    expect(same).toEqual([true, true]);
    expect(userPromptOf(model.requests[0])).toContain('up to 2 categories');
    expect(userPromptOf(model.requests[0])).toContain('3. summarizer (LLM)\nDescription: You summarize text.');
    expect(toAgent).toEqual([['agent', 'weather', true]]);
    const agentPrompt = userPromptOf(model.requests[1]);
    expect(agentPrompt).toContain('1. weather (agent)');
    expect(agentPrompt).not.toContain('shout');
  });

  it('sends an unknown category back with the error and the valid names, then fails with a RoutingError', async () => {
    const { weather, flights } = agents();
    model.enqueue(decide(['weather_agent']), decide(['Weather']));
    const [route] = await harness.inWorkflow(() => createRouterLlm({ agents: [weather, flights] }).route('Is it sunny?'));
    expect(route).toMatchObject({ category: 'agent', name: 'weather' });
    const second = messagesOf(model.requests[1]);
    expect(second.map((message) => message.role)).toEqual(['system', 'user', 'assistant', 'user']);
    expect(second[2]?.content).toContain('"category":"weather_agent"');
    expect(second[3]?.content).toBe(
      'Your answer is not valid: "weather_agent" is not one of the categories. The categories are: "weather", "flights". Answer again, naming only these categories.',
    );

    model.reset();
    model.enqueue(replyWithText('weather, I think'), decide(['sky']), decide(['sky']));
    const failure = await harness.inWorkflow(() => createRouterLlm({ name: 'desk', agents: [weather, flights] }).route('Is it sunny?')).catch((error: unknown) => error);
    expect(String(failure)).toMatch(
      /router "desk" could not route "Is it sunny\?": after 3 answers the model's choice is still not valid \("sky" is not one of the categories\); the categories are: weather, flights/,
    );
    expect(model.requests).toHaveLength(3);
    expect((failure as { cause?: { type?: string; nonRetryable?: boolean } }).cause).toMatchObject({ type: 'RoutingError', nonRetryable: true });
    // An answer that is not the structure asked for is corrected the same way.
    expect(messagesOf(model.requests[1]).at(-1)?.content).toMatch(/^Your answer is not valid: .*does not match the schema/);
  });

  it('routes to a function, which is called with the message’s text', async () => {
    const calls: string[] = [];
    function lookupOrder(request: string) {
      calls.push(request);
      return { order: 42, status: 'shipped' };
    }
    model.enqueue(decide(['lookupOrder']), decide(['shout']));
    const result = await harness.inWorkflow(async () => {
      const router = createRouterLlm({ functions: [{ description: 'Looks up an order by its number.', fn: lookupOrder }, shout] });
      const answer = await router.generate('Where is order 42?');
      const [route] = await router.routeToFunction('SAY IT LOUD');
      return { text: answer.text, usage: answer.usage, isShout: route?.result === shout, category: route?.category };
    });
    expect(calls).toEqual(['Where is order 42?']);
    expect(result).toEqual({ text: '{"order":42,"status":"shipped"}', usage: { inputTokens: 0, outputTokens: 0, totalTokens: 0 }, isShout: true, category: 'function' });
    expect(userPromptOf(model.requests[0])).toContain('1. lookupOrder (function)\nDescription: Looks up an order by its number.\n\n2. shout (function)\nDescription: none given');
  });

  it('describes an MCP server by its tools, and forwards to an agent over that server', async () => {
    model.enqueue(decide(['weather']), replyWithToolCall('weather_get_forecast', { city: 'Paris' }), replyWithText('Rain in Paris, 12°C.'));
    const { answer, routes, tree } = await withServers(async () => {
      const router = createRouterLlm({ serverNames: [{ name: 'weather', description: 'Weather data.' }], agents: [agents().flights] });
      const answer = await router.generateStr("What's the weather in Paris?");
      model.enqueue(decide(['weather', 'low']));
      const routes = await router.routeToServer('Any storms coming?');
      return { answer, routes, tree: router.usageTree() };
    });
    expect(answer).toBe('Rain in Paris, 12°C.');
    expect(routes).toEqual([{ category: 'server', name: 'weather', result: 'weather', confidence: 'low', reasoning: 'because weather' }]);
    const prompt = userPromptOf(model.requests[0]);
    expect(prompt).toContain(
      '1. weather (MCP server)\nDescription: Weather data.\nTools:\n- get_forecast: The forecast for a city.\n- get_alerts: Weather alerts for a region.\n\n2. flights (agent)',
    );
    const forwarded = model.requests[1];
    expect(messagesOf(forwarded)[0]?.content).toBe('You answer requests with the tools of the MCP server "weather" (Weather data.).');
    expect(((forwarded?.body.tools ?? []) as Array<{ function: { name: string } }>).map((tool) => tool.function.name)).toEqual(['weather_get_forecast', 'weather_get_alerts']);
    expect(messagesOf(model.requests[2]).at(-1)).toMatchObject({ role: 'tool', content: 'Rain, 12°C' });
    // The server's tools are listed once: the agent over it reuses the listing.
    expect(mcpCalls).toEqual(['listTools weather', 'callTool weather get_forecast {"city":"Paris"}']);
    expect(childNames(tree)).toEqual(['llm-router-classifier:llm', 'weather:llm']);
    expect(tree.usage.calls).toBe(4);
  });

  it('routes to a server by name without listing its tools when asked not to', async () => {
    model.enqueue(decide(['search']));
    const routes = await harness.inWorkflow(() => createRouterLlm({ serverNames: ['search', 'test'], listServerTools: false }).routeToServer('Find me a recipe'));
    expect(routes).toEqual([{ category: 'server', name: 'search', result: 'search', confidence: 'high', reasoning: 'because search' }]);
    expect(userPromptOf(model.requests[0])).toContain('1. search (MCP server)\nDescription: none given\n\n2. test (MCP server)');
  });
});

describe('embedding router', () => {
  it('routes by similarity, embedding the categories once across routes, and forwards to the best', async () => {
    const { weather, flights } = agents();
    const currency = { name: 'convert_currency', description: 'Converts money between currencies at today’s rate.', fn: () => 'converted' };
    model.enqueue(replyWithText('Rain in Paris.'));
    const { first, second, third, answer, tree } = await harness.inWorkflow(async () => {
      const router = createRouterEmbedding({ agents: [weather, flights], functions: [currency] });
      const first = await router.route("what's the weather in Paris", 3);
      const second = await router.routeToAgent('cheap flights to Rome');
      const third = await router.routeToFunction('convert 10 euros to dollars');
      const answer = await router.generateStr('the weather forecast for Paris tomorrow');
      return {
        first: first.map(({ result: _result, ...rest }) => rest),
        second: second.map((route) => route.name),
        third: third.map((route) => route.name),
        answer,
        tree: router.usageTree(),
      };
    });
    expect(first.map((route) => route.name)).toEqual(['weather', expect.any(String), expect.any(String)]);
    const scores = first.map((route) => route.score as number);
    expect(scores[0]).toBeGreaterThan(scores[1] as number);
    expect(scores[1]).toBeGreaterThanOrEqual(scores[2] as number);
    for (const route of first) expect(route.confidence).toBe(confidenceOf(route.score as number));
    expect(second).toEqual(['flights']);
    expect(third).toEqual(['convert_currency']);
    expect(answer).toBe('Rain in Paris.');
    expect(messagesOf(model.requests[0])[0]?.content).toBe('You answer questions about the weather and the forecast in a city.');

    // One call for the three categories, then one per request.
    expect(model.embeddingRequests.map((request) => request.inputs)).toEqual([
      [
        'weather\nYou answer questions about the weather and the forecast in a city.',
        'flights\nYou book flights and find cheap airfares.',
        'convert_currency\nConverts money between currencies at today’s rate.',
      ],
      ["what's the weather in Paris"],
      ['cheap flights to Rome'],
      ['convert 10 euros to dollars'],
      ['the weather forecast for Paris tomorrow'],
    ]);
    expect(tree).toMatchObject({ name: 'embedding-router', kind: 'router' });
    expect(childNames(tree)).toEqual(['embedding-router-embeddings:embedding', 'weather:llm']);
    expect(tree.children[0]?.usage.calls).toBe(5);
    expect(tree.usage.calls).toBe(6);
  });

  it('uses the confidence thresholds given', async () => {
    const { weather, flights } = agents();
    const [route] = await harness.inWorkflow(() => createRouterEmbedding({ agents: [weather, flights], confidenceThresholds: { high: 2, medium: 1.5 } }).route('weather'));
    expect(route).toMatchObject({ name: 'weather', confidence: 'low' });
    expect(() => createRouterEmbedding({ agents: [weather], confidenceThresholds: { high: 0.2, medium: 0.5 } })).toThrow(
      /confidenceThresholds must be \{ high, medium \} numbers with medium <= high/,
    );
  });
});

describe('router options', () => {
  it('refuses bad options with errors naming the value and the fix', async () => {
    const { weather } = agents();
    expect(() => createRouterLlm({})).toThrow('createRouterLlm: no categories to route to; pass at least one of agents, serverNames or functions');
    expect(() => createRouterEmbedding({ agents: [] })).toThrow(/createRouterEmbedding: no categories/);
    expect(() => createRouterLlm({ agents: [weather], functions: [{ name: 'weather', fn: shout }] })).toThrow(
      'createRouterLlm: two categories are named "weather" (agent and function); every agent, server and function needs a unique name',
    );
    expect(() => createRouterLlm({ agents: [weather], serverNames: ['weather'] })).toThrow(/two categories are named "weather" \(MCP server and agent\)/);
    expect(() => createRouterLlm({ functions: [(text: string) => text] })).toThrow('createRouterLlm: functions[0] has no name; pass { name, description, fn }');
    expect(() => createRouterLlm({ agents: ['weather' as never] })).toThrow('createRouterLlm: agents[0] must be an Agent, an AugmentedLLM or a pattern, got "weather"');
    expect(() => createRouterLlm({ agents: [weather], topK: 0 })).toThrow('createRouterLlm: topK must be a whole number from 1, got 0');
    expect(() => createRouterLlm({ serverNames: [''] })).toThrow(/serverNames\[0\] must be a server name or \{ name, description \}/);
    await expect(createRouterLlm({ agents: [weather] }).routeToServer('anything')).rejects.toThrow(
      'router "llm-router".routeToServer: it has no MCP server categories; its categories: weather (agent)',
    );
    await expect(createRouterLlm({ agents: [weather] }).route('anything', 1.5)).rejects.toThrow(/llm-router\.route: topK must be a whole number from 1, got 1\.5/);
    expect(model.requests).toHaveLength(0);
  });

  it('fails generate with a RoutingError when no category fits', async () => {
    const { weather } = agents();
    model.enqueue(replyWithText(JSON.stringify({ categories: [] })));
    const failure = await harness.inWorkflow(() => createRouterLlm({ agents: [weather] }).generate('Tell me a joke')).catch((error: unknown) => error);
    expect((failure as { cause?: { type?: string } }).cause?.type).toBe('RoutingError');
    expect(String(failure)).toContain('router "llm-router": no category fits the request "Tell me a joke"; its categories: weather (agent)');
  });
});
