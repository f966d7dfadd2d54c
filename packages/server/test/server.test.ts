// The agent server driven by the MCP SDK's own client over each transport: the workflow tools on
// the in-process engine and on a Temporal dev server, bad input answered as tool errors, a person's
// answer through workflows-resume, and a server restarted mid-run that still reads the result.
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createLogger, type Executor } from '@mcp-agent/core';
import { parseSettings } from '@mcp-agent/core/config';
import { createExecutorWithServices } from '@mcp-agent/core/engine';
import { createAsyncioEngine } from '@mcp-agent/executor-asyncio';
import { createTemporalEngine, type TemporalExecutor } from '@mcp-agent/executor-temporal';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { createMcpServerForApp, serveApp, type RunningServer, type ServableApp } from '../src/index.js';
import { app, INPUT_SCHEMAS } from './served-workflows.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const logger = createLogger({ transports: ['none'] });
const taskQueue = `served-app-${process.pid}`;

/** The app as the server sees it, over an executor made here. */
function servable(executor: Executor): ServableApp {
  return { name: app.name, registry: app.registry, initialize: async () => ({ executor }) };
}

async function connect(url: string, kind: 'http' | 'sse' = 'http'): Promise<Client> {
  const client = new Client({ name: 'server-test', version: '1.0.0' });
  await client.connect(kind === 'http' ? new StreamableHTTPClientTransport(new URL(url)) : new SSEClientTransport(new URL(url)));
  return client;
}

async function call(client: Client, name: string, args: Record<string, unknown> = {}): Promise<CallToolResult> {
  return (await client.callTool({ name, arguments: args })) as CallToolResult;
}

const text = (result: CallToolResult): string => (result.content[0] as { text: string }).text;
const structured = <T>(result: CallToolResult): T => {
  expect(result.isError, text(result)).not.toBe(true);
  return result.structuredContent as T;
};

/** Polls workflows-get_status until the run is no longer running. */
async function finished(client: Client, ids: { workflow_id: string; run_id: string }): Promise<Record<string, unknown>> {
  return vi.waitFor(
    async () => {
      const status = structured<Record<string, unknown>>(await call(client, 'workflows-get_status', ids));
      expect(status['running']).toBe(false);
      return status;
    },
    { timeout: 20_000, interval: 50 },
  );
}

describe('the agent server on the in-process engine', () => {
  let executor: Executor;
  let running: RunningServer;
  let client: Client;

  beforeAll(async () => {
    executor = await createExecutorWithServices(createAsyncioEngine(), { appName: app.name, registry: app.registry, logger, settings: parseSettings({}, 'test') });
    running = await serveApp(createMcpServerForApp(servable(executor), { inputSchemas: INPUT_SCHEMAS, maxPayloadBytes: 2_000 }), { transport: 'http', port: 0 });
    client = await connect(running.url as string);
  });

  afterAll(async () => {
    await client?.close();
    await running?.close();
    await executor?.close();
  });

  it('lists the workflow tools by the Python names, each workflow’s own tool with its input schema', async () => {
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name)).toEqual([
      'workflows-list',
      'workflows-runs-list',
      'workflows-run',
      'workflows-get_status',
      'workflows-resume',
      'workflows-cancel',
      'workflows-GreetWorkflow-run',
      'workflows-ApprovalWorkflow-run',
      'workflows-PausedWorkflow-run',
    ]);
    const greet = tools.find((tool) => tool.name === 'workflows-GreetWorkflow-run');
    expect(greet?.inputSchema).toEqual({ type: 'object', properties: { name: { type: 'string' }, excited: { type: 'boolean' } }, required: ['name'], additionalProperties: false });
    // A string input is the tool's `input` argument.
    expect(tools.find((tool) => tool.name === 'workflows-ApprovalWorkflow-run')?.inputSchema).toMatchObject({ properties: { input: { type: 'string' } }, required: ['input'] });
    const listed = structured<Record<string, { tool_endpoints: string[] }>>(await call(client, 'workflows-list'));
    expect(listed['GreetWorkflow']?.tool_endpoints).toEqual(['workflows-GreetWorkflow-run']);
  });

  it('runs a workflow by its own tool and by workflows-run, and reports its result through workflows-get_status', async () => {
    const started = structured<{ workflow_id: string; run_id: string }>(await call(client, 'workflows-GreetWorkflow-run', { name: 'Ada', excited: true }));
    expect(started.workflow_id).toMatch(/GreetWorkflow/);
    const status = await finished(client, started);
    expect(status).toMatchObject({ status: 'completed', completed: true, result: { value: 'Hello, Ada!', metadata: { length: 3 } }, name: 'GreetWorkflow' });
    const byName = structured<{ workflow_id: string; run_id: string }>(await call(client, 'workflows-run', { workflow_name: 'GreetWorkflow', run_parameters: { name: 'Grace' } }));
    expect((await finished(client, byName))['result']).toMatchObject({ value: 'Hello, Grace.' });
    // The run id alone finds the run too.
    expect(structured<{ workflow_id: string }>(await call(client, 'workflows-get_status', { run_id: byName.run_id })).workflow_id).toBe(byName.workflow_id);
    const runs = structured<{ runs: Array<{ name: string; status: string }> }>(await call(client, 'workflows-runs-list', { workflow_name: 'GreetWorkflow' }));
    expect(runs.runs.filter((run) => run.status === 'completed').length).toBeGreaterThanOrEqual(2);
  });

  it('answers bad input with a tool error naming the problem, and the session goes on', async () => {
    const cases: Array<[string, Record<string, unknown>, RegExp]> = [
      ['workflows-run', { workflow_name: 'NoSuchWorkflow' }, /no workflow "NoSuchWorkflow"; the workflows are: GreetWorkflow, ApprovalWorkflow, PausedWorkflow/],
      ['workflows-GreetWorkflow-run', { name: 42 }, /the input does not match GreetWorkflow's input schema: input\.name: expected a string, got 42/],
      ['workflows-GreetWorkflow-run', { name: 'x'.repeat(3_000) }, /the arguments are \d+ bytes, over the limit of 2000/],
      ['workflows-get_status', {}, /give workflow_id or run_id/],
      ['workflows-get_status', { run_id: 'no-such-run' }, /no run "no-such-run"/],
      ['workflows-nothing', {}, /no tool "workflows-nothing"/],
    ];
    for (const [tool, args, message] of cases) {
      const result = await call(client, tool, args);
      expect(result.isError, `${tool} ${JSON.stringify(args)}`).toBe(true);
      expect(text(result)).toMatch(message);
    }
    const ended = structured<{ workflow_id: string; run_id: string }>(await call(client, 'workflows-GreetWorkflow-run', { name: 'Ada' }));
    await finished(client, ended);
    expect(text(await call(client, 'workflows-resume', ended))).toMatch(/is not waiting: it is completed/);
    expect(text(await call(client, 'workflows-cancel', ended))).toMatch(/has already ended: it is completed/);
  });

  it('resumes a paused run with a signal and a payload, and cancels another', async () => {
    const paused = structured<{ workflow_id: string; run_id: string }>(await call(client, 'workflows-PausedWorkflow-run', {}));
    expect(structured<{ status: string }>(await call(client, 'workflows-get_status', paused)).status).toBe('running');
    expect(structured(await call(client, 'workflows-resume', { ...paused, payload: { approved: true } }))).toMatchObject({ resumed: true, signal_name: 'resume' });
    expect((await finished(client, paused))['result']).toMatchObject({ value: { approved: true } });
    const other = structured<{ workflow_id: string; run_id: string }>(await call(client, 'workflows-PausedWorkflow-run', {}));
    expect(structured(await call(client, 'workflows-cancel', other))).toMatchObject({ cancelled: true });
    expect(await finished(client, other)).toMatchObject({ status: 'cancelled', completed: false });
  });

  it('refuses a malformed JSON-RPC body or an unknown session over HTTP without closing anything else', async () => {
    const malformed = await fetch(running.url as string, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: '{"jsonrpc": "2.0", "method": ',
    });
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { error: { code: number; message: string } }).error).toMatchObject({ code: -32700, message: expect.stringContaining('not JSON') });
    const unknown = await fetch(running.url as string, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-session-id': 'gone' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(unknown.status).toBe(404);
    expect((await client.listTools()).tools.length).toBeGreaterThan(0);
    expect(running.sessions()).toBe(1);
  });

  it('serves the SSE transport on the same port', async () => {
    const sse = await connect(running.sseUrl as string, 'sse');
    try {
      const started = structured<{ workflow_id: string; run_id: string }>(await call(sse, 'workflows-GreetWorkflow-run', { name: 'Linus' }));
      expect((await finished(sse, started))['result']).toMatchObject({ value: 'Hello, Linus.' });
      expect(running.sessions()).toBe(2);
    } finally {
      await sse.close();
    }
  });

  it('serves over stdio, in its own process', async () => {
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
    const stdio = new Client({ name: 'server-test', version: '1.0.0' });
    await stdio.connect(
      new StdioClientTransport({ command: process.execPath, args: ['--conditions=mcp-agent-source', '--import', tsx, path.join(HERE, 'serve-stdio.ts')], cwd: HERE, stderr: 'pipe' }),
    );
    try {
      const started = structured<{ workflow_id: string; run_id: string }>(await call(stdio, 'workflows-GreetWorkflow-run', { name: 'Barbara' }));
      expect((await finished(stdio, started))['result']).toMatchObject({ value: 'Hello, Barbara.' });
    } finally {
      await stdio.close();
    }
  });
});

describe('sessions a client left open', () => {
  it('are closed once idle for sessionIdleTimeoutMs; the client then starts a new one', async () => {
    const executor = await createExecutorWithServices(createAsyncioEngine(), { appName: app.name, registry: app.registry, logger, settings: parseSettings({}, 'test') });
    const running = await serveApp(createMcpServerForApp(servable(executor), { inputSchemas: INPUT_SCHEMAS }), { transport: 'http', port: 0, sessionIdleTimeoutMs: 200 });
    try {
      const client = await connect(running.url as string);
      expect(running.sessions()).toBe(1);
      await vi.waitFor(() => expect(running.sessions()).toBe(0), { timeout: 3_000, interval: 50 });
      await expect(client.listTools()).rejects.toThrow(/no session/);
      await client.close();
      const again = await connect(running.url as string);
      expect((await again.listTools()).tools.length).toBeGreaterThan(0);
      await again.close();
    } finally {
      await running.close();
      await executor.close();
    }
  });
});

describe('the agent server on Temporal', { timeout: 120_000 }, () => {
  let worker: TemporalExecutor;

  beforeAll(async () => {
    // The workers run elsewhere: here, an executor with a worker, which the servers below don't use.
    worker = (await createExecutorWithServices(
      createTemporalEngine({ address: inject('temporalAddress'), worker: { workflowsPath: new URL('./served-workflows.ts', import.meta.url), taskQueue } }),
      { appName: app.name, registry: app.registry, logger, settings: parseSettings({ execution_engine: 'temporal', temporal: { task_queue: taskQueue } }, 'test') },
    )) as TemporalExecutor;
  });

  afterAll(async () => {
    await worker?.close();
  });

  /** A server over a client-only executor of its own, as a server replica would have. */
  async function startServer(): Promise<{ running: RunningServer; client: Client; close(): Promise<void> }> {
    const executor = await createTemporalEngine({ address: inject('temporalAddress') }).createExecutor({
      appName: app.name,
      registry: app.registry,
      logger,
      settings: parseSettings({ execution_engine: 'temporal', temporal: { task_queue: taskQueue } }, 'test'),
    });
    const running = await serveApp(createMcpServerForApp(servable(executor), { inputSchemas: INPUT_SCHEMAS }), { transport: 'http', port: 0 });
    const client = await connect(running.url as string);
    return {
      running,
      client,
      close: async () => {
        await client.close();
        await running.close();
        await executor.close();
      },
    };
  }

  it('shows the human input a run waits for, and answers it with workflows-resume', async () => {
    const server = await startServer();
    try {
      const started = structured<{ workflow_id: string; run_id: string }>(await call(server.client, 'workflows-ApprovalWorkflow-run', { input: 'the refund' }));
      const waiting = await vi.waitFor(
        async () => {
          const status = structured<{ pending_human_input?: Array<{ prompt: string }> }>(await call(server.client, 'workflows-get_status', started));
          expect(status.pending_human_input).toHaveLength(1);
          return status;
        },
        { timeout: 20_000, interval: 100 },
      );
      expect(waiting.pending_human_input?.[0]?.prompt).toBe('Approve the refund?');
      expect(structured(await call(server.client, 'workflows-resume', { ...started, payload: 'approved' }))).toMatchObject({ signal_name: '__human_input__' });
      expect((await finished(server.client, started))['result']).toMatchObject({ value: 'the refund: approved' });
    } finally {
      await server.close();
    }
  });

  it('loses nothing when the server restarts mid-run: another server resumes the run and reads its result', async () => {
    const first = await startServer();
    const started = structured<{ workflow_id: string; run_id: string }>(await call(first.client, 'workflows-PausedWorkflow-run', {}));
    await first.close();
    const second = await startServer();
    try {
      expect(structured<{ status: string }>(await call(second.client, 'workflows-get_status', started)).status).toBe('running');
      expect(structured(await call(second.client, 'workflows-resume', { ...started, payload: 'from the second server' }))).toMatchObject({ signal_name: 'resume' });
      expect((await finished(second.client, started))['result']).toMatchObject({ value: 'from the second server' });
    } finally {
      await second.close();
    }
  });
});
