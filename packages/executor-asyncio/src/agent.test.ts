import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  Agent,
  CancelledError,
  createLogger,
  MCPApp,
  McpClientError,
  TaskFailedError,
  Workflow,
  WorkflowResult,
  WorkflowUsageError,
  type AppContext,
  type LogRecord,
} from '@mcp-agent/core';
import type { SettingsInput } from '@mcp-agent/core/config';
import { mcpTestServerStdioCommand } from '@mcp-agent/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAsyncioEngine } from './asyncio-executor.js';

// Real MCP servers over stdio: the in-repo test server and @modelcontextprotocol/server-filesystem.
const filesystemServer = createRequire(import.meta.url).resolve('@modelcontextprotocol/server-filesystem/dist/index.js');
const testServer = mcpTestServerStdioCommand();

const app = new MCPApp({ name: 'agent-tests' });

/** Calls a tool of the test server from a workflow; reports how the task ended. */
@app.workflow
class ToolCallWorkflow extends Workflow<{ text?: unknown; failure?: { attempts: number; code: string; message: string } }> {
  @app.workflowRun
  async run(input: {
    tool: string;
    args: Record<string, unknown>;
    servers?: string[];
  }): Promise<WorkflowResult<{ text?: unknown; failure?: { attempts: number; code: string; message: string } }>> {
    const agent = new Agent({ name: 'caller', serverNames: input.servers ?? ['test'] });
    try {
      const result = await agent.callTool(input.tool, input.args);
      return new WorkflowResult({ value: { text: result.content[0]?.text } });
    } catch (error) {
      if (!TaskFailedError.is(error)) throw error;
      const cause = error.cause as { code?: string };
      return new WorkflowResult({ value: { failure: { attempts: error.attempts, code: cause.code ?? 'unknown', message: error.message } } });
    }
  }
}

function childProcessesRunning(fragment: string): string[] {
  const lines = execFileSync('ps', ['-eo', 'pid=,ppid=,args='], { encoding: 'utf8' }).split('\n');
  return lines.filter((line) => {
    const [, ppid] = line.trim().split(/\s+/);
    return Number(ppid) === process.pid && line.includes(fragment);
  });
}

describe('agents over real MCP servers', () => {
  let directory: string;
  let context: AppContext;
  const logs: LogRecord[] = [];
  let runApp: MCPApp;

  beforeAll(async () => {
    directory = await mkdtemp(path.join(tmpdir(), 'agent-fs-'));
    const settings: SettingsInput = {
      workflow_task_retry_policies: { 'mcp.*': { maximum_attempts: 2, initial_interval: '10ms' } },
      mcp: {
        servers: {
          test: { command: testServer.command, args: testServer.args },
          filesystem: { command: process.execPath, args: [filesystemServer, directory] },
        },
      },
    };
    runApp = new MCPApp({
      name: 'agent-tests',
      settings,
      logger: createLogger({ level: 'debug', sink: (record) => logs.push(record) }),
      engines: { asyncio: createAsyncioEngine() },
    });
    for (const definition of app.registry.workflows.values()) runApp.registry.addWorkflow(definition);
    context = await runApp.initialize();
  });

  afterAll(async () => {
    await runApp.cleanup();
    await rm(directory, { recursive: true, force: true });
  });

  it('offers the tools of several servers under server_tool names, and calls them outside a workflow', async () => {
    await using agent = await new Agent({ name: 'writer', serverNames: ['filesystem', 'test'] }).initialize();
    const names = (await agent.listTools()).map((tool) => tool.name);
    expect(names).toContain('filesystem_write_file');
    expect(names).toContain('test_echo');
    const target = path.join(directory, 'notes.txt');
    const written = await agent.callTool('filesystem_write_file', { path: target, content: 'written by an agent' });
    expect(written.isError).toBe(false);
    expect(await readFile(target, 'utf8')).toBe('written by an agent');
    const echoed = await agent.callTool('echo', { text: 'plain name, one server has it' });
    expect(echoed.content[0]).toEqual({ type: 'text', text: 'plain name, one server has it' });
  });

  it('keeps image and embedded-resource content of tool results', async () => {
    const agent = await new Agent({ name: 'viewer', serverNames: ['test'] }).initialize();
    const image = await agent.callTool('test_image');
    expect(image.content.some((item) => item.type === 'image' && item.mimeType === 'image/png' && typeof item.data === 'string')).toBe(true);
    const embedded = await agent.callTool('test_embedded_resource');
    expect(embedded.content[0]).toMatchObject({ type: 'resource', resource: { uri: 'test://embedded', text: 'embedded text' } });
  });

  it('fills in prompts and reads resources of its servers', async () => {
    const agent = new Agent({ name: 'reader', serverNames: ['test'] });
    expect((await agent.listPrompts()).map((prompt) => prompt.namespacedName)).toContain('test_greeting');
    const prompt = await agent.getPrompt('greeting', { name: 'Ada' });
    expect(prompt.messages[0]?.content).toMatchObject({ type: 'text', text: 'Hello, Ada!' });
    const resource = await agent.readResource('test://hello');
    expect(resource.contents[0]?.text).toBe('hello from the test server');
  });

  it('refuses to work once closed', async () => {
    const agent = await new Agent({ name: 'done', serverNames: ['test'] }).initialize();
    await agent.close();
    const error = await agent.listTools().catch((caught: unknown) => caught);
    expect((error as Error).message).toContain('Agent "done" is closed');
  });

  it('names the available tools when a tool is unknown', async () => {
    const agent = new Agent({ name: 'lost', serverNames: ['test'] });
    const error = await agent.callTool('test_teleport').catch((caught: unknown) => caught);
    expect(McpClientError.is(error) && error.code).toBe('MCP_UNKNOWN_TOOL');
    expect((error as Error).message).toContain('has no tool "test_teleport"');
    expect((error as Error).message).toContain('test_echo');
  });

  it('runs local function tools next to MCP tools and hands the agent to an attached LLM', async () => {
    class RecordingLLM {
      constructor(readonly options: { agent: Agent }) {}
    }
    const agent = new Agent({
      name: 'calculator',
      serverNames: ['test'],
      functions: [{ name: 'double', description: 'Doubles n', run: (args) => Number(args.n) * 2 }],
      allowedTools: ['double', 'test_add'],
    });
    const llm = await agent.attachLlm(RecordingLLM);
    expect(llm.options.agent).toBe(agent);
    expect((await agent.listTools()).map((tool) => tool.name).sort()).toEqual(['double', 'test_add']);
    expect((await agent.callTool('double', { n: 21 })).content[0]).toEqual({ type: 'text', text: '42' });
    expect((await agent.callTool('test_add', { a: 2, b: 3 })).content[0]).toMatchObject({ type: 'text', text: '5' });
    const notAllowed = await agent.callTool('test_echo', { text: 'x' }).catch((caught: unknown) => caught);
    expect(McpClientError.is(notAllowed) && notAllowed.code).toBe('MCP_UNKNOWN_TOOL');
  });

  it('gives a local function’s error back as a tool error, but lets a cancellation or a usage mistake end the call', async () => {
    const agent = new Agent({
      name: 'fragile',
      functions: [
        {
          name: 'fails',
          run: () => {
            throw new Error('the lookup service is down');
          },
        },
        {
          name: 'misused',
          run: () => {
            throw new WorkflowUsageError('swarmResult: expected an object');
          },
        },
        {
          name: 'cancelled',
          run: () => {
            throw new CancelledError('the workflow was cancelled');
          },
        },
      ],
    });
    expect(await agent.callTool('fails')).toEqual({ content: [{ type: 'text', text: 'the lookup service is down' }], isError: true });
    await expect(agent.callTool('misused')).rejects.toThrow(WorkflowUsageError);
    await expect(agent.callTool('cancelled')).rejects.toThrow(CancelledError);
  });

  it('runs MCP calls inside a workflow as tasks, retried by the policy matching mcp.*', async () => {
    const crashed = await context.executor.executeWorkflow(ToolCallWorkflow, { tool: 'test_crash', args: {} });
    expect(crashed.value?.failure).toMatchObject({ attempts: 2, code: 'MCP_CONNECTION_LOST' });
    const after = await context.executor.executeWorkflow(ToolCallWorkflow, { tool: 'test_echo', args: { text: 'reconnected' } });
    expect(after.value?.text).toBe('reconnected');
  });

  it('does not retry a call the server refuses, and names the tool', async () => {
    const refused = await context.executor.executeWorkflow(ToolCallWorkflow, { tool: 'test_add', args: { a: 'two', b: 3 } });
    expect(refused.value?.failure).toMatchObject({ attempts: 1, code: 'MCP_PROTOCOL_ERROR' });
    expect(refused.value?.failure?.message).toContain('add');
  });

  it('fails an agent on an unknown server at once, listing the configured ones', async () => {
    const unknown = await context.executor.executeWorkflow(ToolCallWorkflow, { tool: 'echo', args: {}, servers: ['nope'] });
    expect(unknown.value?.failure).toMatchObject({ attempts: 1, code: 'MCP_UNKNOWN_SERVER' });
    expect(unknown.value?.failure?.message).toContain('unknown MCP server "nope"');
    expect(unknown.value?.failure?.message).toContain('configured: test, filesystem');
  });

  it('passes server log notifications to the app logger', async () => {
    const agent = new Agent({ name: 'logger', serverNames: ['test'] });
    await agent.callTool('test_log', { level: 'warning', message: 'disk almost full' });
    expect(logs.some((record) => JSON.stringify(record).includes('disk almost full'))).toBe(true);
  });

  it('leaves no server process behind when the app stops', async () => {
    const local = new MCPApp({
      name: 'cleanup',
      settings: { mcp: { servers: { test: { command: testServer.command, args: testServer.args } } } },
      logger: createLogger({ transports: ['none'] }),
      engines: { asyncio: createAsyncioEngine() },
    });
    // The shared app of this file holds servers of its own: compare with what ran before.
    const before = childProcessesRunning('mcp-test-server-stdio').length;
    await local.run(async () => {
      await new Agent({ name: 'short-lived', serverNames: ['test'] }).callTool('test_echo', { text: 'hi' });
      expect(childProcessesRunning('mcp-test-server-stdio').length).toBe(before + 1);
    });
    expect(childProcessesRunning('mcp-test-server-stdio').length).toBe(before);
  });
});
