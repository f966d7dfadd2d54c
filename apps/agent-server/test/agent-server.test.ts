// `mcp-agent serve` in its own process, driven by real clients: the MCP SDK's client over stdio
// (a person's answer asked by elicitation) and over HTTP, the MCP Inspector's command line, an
// agent of another app through @mcp-agent/mcp-client, and the runs kept on Temporal, where a
// refund waits until workflows-resume answers it.
import { type ChildProcessWithoutNullStreams, execFile, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { Agent, createLogger, MCPApp } from '@mcp-agent/core';
import { parseSettings } from '@mcp-agent/core/config';
import { createExecutorWithServices } from '@mcp-agent/core/engine';
import { createTemporalEngine, type TemporalExecutor } from '@mcp-agent/executor-temporal';
import { llmProvider } from '@mcp-agent/providers-openai';
import type { LocalLlmServer } from '@mcp-agent/testing';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { type CallToolResult, ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { startScriptedModel } from '../src/model.js';
import { app } from '../src/workflows.js';

const run = promisify(execFile);
const appDirectory = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const require = createRequire(path.join(appDirectory, 'package.json'));
const tsxLoader = pathToFileURL(require.resolve('tsx')).href;
const cliBin = path.join(path.dirname(require.resolve('@mcp-agent/cli/package.json')), 'bin', 'mcp-agent.js');

/** `node ... mcp-agent serve --app src/server.ts <extra>`, from the sources. */
const serveArgs = (...extra: string[]): string[] => ['--conditions=mcp-agent-source', '--import', tsxLoader, cliBin, 'serve', '--app', 'src/server.ts', ...extra];
/** No key: the served process starts the scripted model itself. */
const serveEnv = (extra: Record<string, string> = {}): Record<string, string> =>
  Object.fromEntries(Object.entries({ ...process.env, OPENAI_API_KEY: '', OPENAI_BASE_URL: '', ...extra }).filter((entry): entry is [string, string] => entry[1] !== undefined));

type Ids = { workflow_id: string; run_id: string };

const text = (result: CallToolResult): string => (result.content[0] as { text: string }).text;
const structured = <T>(result: CallToolResult): T => {
  expect(result.isError, text(result)).not.toBe(true);
  return result.structuredContent as T;
};
const call = async (client: Client, name: string, args: Record<string, unknown> = {}): Promise<CallToolResult> => (await client.callTool({ name, arguments: args })) as CallToolResult;

/** Polls workflows-get_status until the run has ended. */
function finished(client: Client, ids: Ids): Promise<Record<string, unknown>> {
  return vi.waitFor(
    async () => {
      const status = structured<Record<string, unknown>>(await call(client, 'workflows-get_status', ids));
      expect(status['running']).toBe(false);
      return status;
    },
    { timeout: 30_000, interval: 100 },
  );
}

/** A served process over HTTP: its URLs (from its stderr), its output so far, and a way to stop it with SIGTERM. */
interface HttpServe {
  child: ChildProcessWithoutNullStreams;
  url: string;
  sseUrl: string;
  stderr(): string;
  stop(): Promise<number | null>;
}

async function serveOverHttp(env: Record<string, string> = serveEnv(), ...extra: string[]): Promise<HttpServe> {
  const child = spawn(process.execPath, serveArgs('--transport', 'http', '--port', '0', ...extra), { cwd: appDirectory, env });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const [url = '', sseUrl = ''] = await new Promise<string[]>((resolve, reject) => {
    const look = (): void => {
      const found = /Streamable HTTP: (\S+)\n\s+SSE:\s+(\S+)/.exec(output);
      if (found !== null) resolve([found[1] as string, found[2] as string]);
    };
    child.stderr.on('data', look);
    child.once('exit', (code) => reject(new Error(`mcp-agent serve exited with ${code}:\n${output}`)));
  });
  return {
    child,
    url,
    sseUrl,
    stderr: () => output,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

async function connectHttp(url: string): Promise<Client> {
  const client = new Client({ name: 'agent-server-test', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(url)));
  return client;
}

describe('mcp-agent serve over stdio', () => {
  let client: Client;
  const asked: string[] = [];

  beforeAll(async () => {
    client = new Client({ name: 'agent-server-test', version: '1.0.0' }, { capabilities: { elicitation: {} } });
    // The person behind the client: approves what is asked.
    client.setRequestHandler(ElicitRequestSchema, async (request) => {
      asked.push(request.params.message);
      return { action: 'accept', content: { response: 'yes, refund it' } };
    });
    await client.connect(new StdioClientTransport({ command: process.execPath, args: serveArgs(), cwd: appDirectory, env: serveEnv(), stderr: 'pipe' }));
  });

  afterAll(async () => {
    await client?.close();
  });

  it('lists each workflow as a tool with the input schema codegen wrote', async () => {
    const { tools } = await client.listTools();
    const names = tools.map((tool) => tool.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'workflows-list',
        'workflows-run',
        'workflows-get_status',
        'workflows-resume',
        'workflows-cancel',
        'workflows-SupportAgentWorkflow-run',
        'workflows-RefundWorkflow-run',
      ]),
    );
    expect(tools.find((tool) => tool.name === 'workflows-SupportAgentWorkflow-run')?.inputSchema).toEqual({
      type: 'object',
      properties: { question: { type: 'string' } },
      required: ['question'],
      additionalProperties: false,
    });
    expect(client.getServerVersion()?.name).toBe('agent-server');
  });

  it('runs the support agent: the model looks the order up with its tool and answers', async () => {
    const started = structured<Ids>(await call(client, 'workflows-SupportAgentWorkflow-run', { question: 'Where is my order A1001?' }));
    const status = await finished(client, started);
    expect(status).toMatchObject({ status: 'completed', result: { value: { orders_looked_up: ['A1001'] } } });
    expect((status['result'] as { value: { answer: string } }).value.answer).toBe(
      'Your espresso machine (order A1001, 249 EUR) is shipped on Monday, arriving Thursday. Anything else I can do for you?',
    );
  });

  it('asks the client for a person’s answer (elicitation) when a refund needs approval', async () => {
    const started = structured<Ids>(await call(client, 'workflows-RefundWorkflow-run', { order_id: 'A1002', amount_eur: 89, reason: 'it never came' }));
    const status = await finished(client, started);
    expect(status).toMatchObject({ status: 'completed', result: { value: { order_id: 'A1002', approved: true, answer: 'yes, refund it' } } });
    expect(asked.at(-1)).toBe('The customer says: it never came\n\nApprove a refund of 89 EUR for order A1002? (yes or no)');
  });

  it('answers input that does not match the schema with a tool error, and goes on', async () => {
    const result = await call(client, 'workflows-SupportAgentWorkflow-run', { question: 42 });
    expect(result.isError).toBe(true);
    expect(text(result)).toMatch(/does not match SupportAgentWorkflow's input schema: input\.question: expected a string, got 42/);
    expect((await client.listTools()).tools.length).toBeGreaterThan(0);
  });
});

describe('mcp-agent serve over HTTP', () => {
  let served: HttpServe;

  beforeAll(async () => {
    served = await serveOverHttp();
  });

  afterAll(async () => {
    await served?.stop();
  });

  it('serves Streamable HTTP on 127.0.0.1 and stops cleanly on SIGTERM', async () => {
    expect(served.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
    const client = await connectHttp(served.url);
    try {
      const started = structured<Ids>(await call(client, 'workflows-run', { workflow_name: 'SupportAgentWorkflow', run_parameters: { question: 'Is A1002 on its way?' } }));
      const status = await finished(client, started);
      expect((status['result'] as { value: { answer: string } }).value.answer).toContain('coffee grinder (order A1002, 89 EUR) is delayed');
      // Without elicitation, the client is not asked: the run says why it failed.
      const refund = structured<Ids>(await call(client, 'workflows-RefundWorkflow-run', { order_id: 'A1003', amount_eur: 39 }));
      expect(await finished(client, refund)).toMatchObject({ status: 'failed', error: expect.stringContaining('does not support elicitation') });
    } finally {
      await client.close();
    }
    const other = await serveOverHttp();
    expect(await other.stop()).toBe(0);
    expect(other.stderr()).toContain('server stopped');
  });

  it('answers the MCP Inspector’s command line', async () => {
    // The Inspector 2.x declares Node >= 22.19, and its command line runs on this Node (20) as well.
    const inspector = path.join(path.dirname(require.resolve('@modelcontextprotocol/inspector/package.json')), 'clients', 'launcher', 'build', 'index.js');
    const catalog = await mkdtemp(path.join(tmpdir(), 'agent-server-inspector-'));
    const inspect = async (...args: string[]): Promise<unknown> => {
      const { stdout } = await run(process.execPath, [inspector, '--cli', served.url, ...args], {
        env: { ...process.env, MCP_CATALOG_PATH: path.join(catalog, 'mcp.json') },
        timeout: 60_000,
      });
      return JSON.parse(stdout);
    };
    try {
      const listed = (await inspect('--method', 'tools/list')) as { tools: Array<{ name: string }> };
      expect(listed.tools.map((tool) => tool.name)).toContain('workflows-SupportAgentWorkflow-run');
      const started = (await inspect('--method', 'tools/call', '--tool-name', 'workflows-SupportAgentWorkflow-run', '--tool-arg', 'question=Where is A1003?')) as {
        structuredContent: Ids;
      };
      expect(started.structuredContent.workflow_id).toMatch(/SupportAgentWorkflow/);
      const client = await connectHttp(served.url);
      try {
        expect(((await finished(client, started.structuredContent))['result'] as { value: { answer: string } }).value.answer).toContain('milk frother');
      } finally {
        await client.close();
      }
    } finally {
      await rm(catalog, { recursive: true, force: true });
    }
  });
});

describe('agent to agent', () => {
  it('an agent of another app lists and calls the served app’s tools through its MCP client', async () => {
    const caller = new MCPApp({
      name: 'dispatcher-app',
      settings: { logger: { level: 'error' }, mcp: { servers: { agents: { command: process.execPath, args: serveArgs(), cwd: appDirectory, env: serveEnv() } } } },
    });
    await caller.run(async () => {
      const dispatcher = new Agent({ name: 'dispatcher', instruction: 'You hand customer questions to the support desk.', serverNames: ['agents'] });
      const tools = await dispatcher.listTools();
      expect(tools.map((tool) => tool.name)).toEqual(expect.arrayContaining(['agents_workflows-SupportAgentWorkflow-run', 'agents_workflows-get_status']));
      const started = await dispatcher.callTool('agents_workflows-SupportAgentWorkflow-run', { question: 'What about order A1003?' });
      expect(started.isError).toBe(false);
      const ids = started.structuredContent as Ids;
      const answer = await vi.waitFor(
        async () => {
          const status = (await dispatcher.callTool('agents_workflows-get_status', ids)).structuredContent as { status: string; result?: { value: { answer: string } } };
          expect(status.status).toBe('completed');
          return status.result?.value.answer;
        },
        { timeout: 30_000, interval: 100 },
      );
      expect(answer).toBe('Your milk frother (order A1003, 39 EUR) is delivered. Anything else I can do for you?');
    });
  });
});

describe('mcp-agent serve on Temporal', { timeout: 120_000 }, () => {
  const taskQueue = `agent-server-${process.pid}`;
  let model: LocalLlmServer;
  let worker: TemporalExecutor;
  let served: HttpServe;

  beforeAll(async () => {
    // The worker (here, in the test process) runs the workflows and makes the model calls; the served process only starts and reads runs.
    model = await startScriptedModel();
    worker = (await createExecutorWithServices(
      createTemporalEngine({ address: inject('temporalAddress'), worker: { workflowsPath: new URL('../src/workflows.ts', import.meta.url), taskQueue } }),
      {
        appName: app.name,
        registry: app.registry,
        logger: createLogger({ transports: ['none'] }),
        llmProviders: [llmProvider],
        settings: parseSettings({ execution_engine: 'temporal', temporal: { task_queue: taskQueue }, openai: { api_key: 'sk-local-test', base_url: model.openaiBaseUrl } }),
      },
    )) as TemporalExecutor;
    served = await serveOverHttp(serveEnv({ EXECUTION_ENGINE: 'temporal', TEMPORAL__HOST: inject('temporalAddress'), TEMPORAL__TASK_QUEUE: taskQueue }));
  });

  afterAll(async () => {
    await served?.stop();
    await worker?.close();
    await model?.close();
  });

  it('keeps a refund waiting on the server until workflows-resume answers it, and runs the agent', async () => {
    expect(served.stderr()).toContain('on temporal');
    const client = await connectHttp(served.url);
    try {
      const refund = structured<Ids>(await call(client, 'workflows-RefundWorkflow-run', { order_id: 'A1001', amount_eur: 249 }));
      const waiting = await vi.waitFor(
        async () => {
          const status = structured<{ pending_human_input?: Array<{ prompt: string }> }>(await call(client, 'workflows-get_status', refund));
          expect(status.pending_human_input).toHaveLength(1);
          return status;
        },
        { timeout: 30_000, interval: 200 },
      );
      expect(waiting.pending_human_input?.[0]?.prompt).toBe('Approve a refund of 249 EUR for order A1001? (yes or no)');
      expect(structured(await call(client, 'workflows-resume', { ...refund, payload: 'no, it was delivered' }))).toMatchObject({ signal_name: '__human_input__' });
      expect(await finished(client, refund)).toMatchObject({ status: 'completed', result: { value: { approved: false, answer: 'no, it was delivered' } } });

      const support = structured<Ids>(await call(client, 'workflows-SupportAgentWorkflow-run', { question: 'Where is A1001?' }));
      expect(((await finished(client, support))['result'] as { value: { answer: string } }).value.answer).toContain('espresso machine');
    } finally {
      await client.close();
    }
  });
});
