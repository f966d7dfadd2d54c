// The tools an app declares with app.tool and app.asyncTool, served over Streamable HTTP and driven
// by the MCP SDK's client: a sync tool's result and structured content, failures as tool errors,
// and an async tool started and followed through <name>-get_status, on both engines.
import { createLogger, type Executor } from '@mcp-agent/core';
import { parseSettings } from '@mcp-agent/core/config';
import { createExecutorWithServices } from '@mcp-agent/core/engine';
import { createAsyncioEngine } from '@mcp-agent/executor-asyncio';
import { createTemporalEngine, type TemporalExecutor } from '@mcp-agent/executor-temporal';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { createMcpServerForApp, serveApp, type RunningServer, type ServableApp } from '../src/index.js';
import { app } from './app-tool-workflows.js';

const logger = createLogger({ transports: ['none'] });
const taskQueue = `app-tools-${process.pid}`;

function servable(executor: Executor): ServableApp {
  return { name: app.name, registry: app.registry, initialize: async () => ({ executor }) };
}

async function call(client: Client, name: string, args: Record<string, unknown> = {}): Promise<CallToolResult> {
  return (await client.callTool({ name, arguments: args })) as CallToolResult;
}

const text = (result: CallToolResult): string => (result.content[0] as { text: string }).text;
const structured = <T>(result: CallToolResult): T => {
  expect(result.isError, text(result)).not.toBe(true);
  return result.structuredContent as T;
};

/** Serves the app over an executor and connects a client. */
async function serve(executor: Executor): Promise<{ client: Client; close(): Promise<void> }> {
  const running: RunningServer = await serveApp(createMcpServerForApp(servable(executor)), { transport: 'http', port: 0 });
  const client = new Client({ name: 'app-tools-test', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(running.url as string)));
  return {
    client,
    close: async () => {
      await client.close();
      await running.close();
    },
  };
}

/** Starts `research` and polls `research-get_status` until the run has ended. */
async function research(client: Client, topic: string): Promise<Record<string, unknown>> {
  const started = structured<{ workflow_id: string; run_id: string }>(await call(client, 'research', { topic }));
  expect(started).toEqual({ workflow_id: expect.any(String), run_id: expect.any(String) });
  return vi.waitFor(
    async () => {
      const status = structured<Record<string, unknown>>(await call(client, 'research-get_status', started));
      expect(status['running']).toBe(false);
      return status;
    },
    { timeout: 30_000, interval: 50 },
  );
}

describe('app tools on the in-process engine', () => {
  let executor: Executor;
  let server: Awaited<ReturnType<typeof serve>>;

  beforeAll(async () => {
    executor = await createExecutorWithServices(createAsyncioEngine(), { appName: app.name, registry: app.registry, logger, settings: parseSettings({}, 'test') });
    server = await serve(executor);
  });

  afterAll(async () => {
    await server?.close();
    await executor?.close();
  });

  it('lists the app’s tools after the workflow tools, an async tool with its status tool instead of workflows-<Name>-run', async () => {
    const { tools } = await server.client.listTools();
    expect(tools.map((tool) => tool.name)).toEqual([
      'workflows-list',
      'workflows-runs-list',
      'workflows-run',
      'workflows-get_status',
      'workflows-resume',
      'workflows-cancel',
      'get_weather',
      'broken',
      'bad_output',
      'add',
      'research',
      'research-get_status',
    ]);
    const weather = tools.find((tool) => tool.name === 'get_weather');
    expect(weather).toMatchObject({
      title: 'Weather',
      description: 'The temperature in a city.',
      inputSchema: { type: 'object', required: ['city'] },
      outputSchema: { type: 'object', required: ['city', 'temperature'] },
      annotations: { readOnlyHint: true },
    });
    expect(tools.find((tool) => tool.name === 'research')?.description).toMatch(/^Researches a topic\.\n\nStarts research .* follow it with research-get_status/);
    const listed = structured<Record<string, { tool_endpoints: string[]; run_parameters: unknown; description: string }>>(await call(server.client, 'workflows-list'));
    expect(Object.keys(listed)).toEqual(['research']);
    expect(listed['research']).toMatchObject({ tool_endpoints: ['research'], description: 'Researches a topic.', run_parameters: { required: ['topic'] } });
  });

  it('answers a sync tool with its result as text and structured content', async () => {
    const result = await call(server.client, 'get_weather', { city: 'Oslo' });
    expect(structured(result)).toEqual({ city: 'Oslo', temperature: 4 });
    expect(JSON.parse(text(result))).toEqual({ city: 'Oslo', temperature: 4 });
    // A result that is no object is text alone.
    const sum = await call(server.client, 'add', { a: 1, b: 2 });
    expect(sum.isError).not.toBe(true);
    expect(text(sum)).toBe('3');
    expect(sum.structuredContent).toBeUndefined();
  });

  it('answers a failing tool, bad arguments and a result that breaks the output schema with tool errors, and the session goes on', async () => {
    const cases: Array<[string, Record<string, unknown>, RegExp]> = [
      ['broken', {}, /^broken failed: the weather service is down$/],
      ['get_weather', { city: 42 }, /^get_weather: the arguments do not match get_weather's input schema: input\.city: expected a string, got 42$/],
      ['get_weather', {}, /input\.city: required/],
      ['bad_output', {}, /^bad_output failed: the result does not match the tool's output schema: result\.temperature: required, missing; result\.city: expected a string, got 3$/],
      ['research', { topic: 'x', depth: 3 }, /^research: the arguments do not match research's input schema: input\.depth/],
      ['research-get_status', {}, /give workflow_id or run_id \(both come from research\)/],
      ['research-get_status', { workflow_id: 'no-such-run' }, /no run of workflow "no-such-run"/],
    ];
    for (const [tool, args, message] of cases) {
      const result = await call(server.client, tool, args);
      expect(result.isError, `${tool} ${JSON.stringify(args)}: ${text(result)}`).toBe(true);
      expect(text(result)).toMatch(message);
    }
    expect(structured(await call(server.client, 'get_weather', { city: 'Rome' }))).toEqual({ city: 'Rome', temperature: 4 });
  });

  it('starts an async tool’s workflow and reports its result through <name>-get_status and workflows-get_status', async () => {
    const status = await research(server.client, 'tides');
    expect(status).toMatchObject({ name: 'research', status: 'completed', completed: true, result: { value: 'notes on TIDES' } });
    const ids = { workflow_id: status['workflow_id'], run_id: status['run_id'] };
    expect(structured(await call(server.client, 'workflows-get_status', ids))).toMatchObject({ result: { value: 'notes on TIDES' } });
    // The run id alone finds it too.
    expect(structured(await call(server.client, 'research-get_status', { run_id: ids.run_id }))).toMatchObject({ workflow_id: ids.workflow_id, completed: true });
  });
});

describe('app tools on Temporal', { timeout: 120_000 }, () => {
  let worker: TemporalExecutor;
  let executor: Executor;
  let server: Awaited<ReturnType<typeof serve>>;
  const settings = parseSettings({ execution_engine: 'temporal', temporal: { task_queue: taskQueue } }, 'test');

  beforeAll(async () => {
    worker = (await createExecutorWithServices(
      createTemporalEngine({ address: inject('temporalAddress'), worker: { workflowsPath: new URL('./app-tool-workflows.ts', import.meta.url), taskQueue } }),
      { appName: app.name, registry: app.registry, logger, settings },
    )) as TemporalExecutor;
    // The server has a client-only executor of its own, as a server replica would.
    executor = await createTemporalEngine({ address: inject('temporalAddress') }).createExecutor({ appName: app.name, registry: app.registry, logger, settings });
    server = await serve(executor);
  });

  afterAll(async () => {
    await server?.close();
    await executor?.close();
    await worker?.close();
  });

  it('runs an async tool as a workflow on a worker and reports its result through <name>-get_status', async () => {
    const status = await research(server.client, 'currents');
    expect(status).toMatchObject({ name: 'research', status: 'completed', result: { value: 'notes on CURRENTS' } });
    expect(structured(await call(server.client, 'get_weather', { city: 'Lima' }))).toEqual({ city: 'Lima', temperature: 4 });
  });
});
