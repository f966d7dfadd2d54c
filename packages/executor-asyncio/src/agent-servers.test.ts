// Agents whose servers misbehave or change, on the in-process engine with real MCP servers over
// stdio: a server that can't start (a missing command), a local SDK McpServer that adds tools
// while it runs (mcp-client's __fixtures__/changing-server.mjs), the in-repo test server
// (progress, hang) and @modelcontextprotocol/server-everything (titles, output schemas,
// annotations, resource templates, completion).
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { Agent, createLogger, MCPApp, TaskFailedError, Workflow, WorkflowResult } from '@mcp-agent/core';
import type { AppContext } from '@mcp-agent/core';
import type { SettingsInput } from '@mcp-agent/core/config';
import { mcpTestServerStdioCommand } from '@mcp-agent/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createAsyncioEngine } from './asyncio-executor.js';

const mcpClientDirectory = path.dirname(createRequire(import.meta.url).resolve('@mcp-agent/mcp-client/package.json'));
const CHANGING_SERVER = path.join(mcpClientDirectory, 'src/__fixtures__/changing-server.mjs');
const SERVER_EVERYTHING = createRequire(path.join(mcpClientDirectory, 'package.json')).resolve('@modelcontextprotocol/server-everything/dist/index.js');
const MISSING_COMMAND = path.join(path.dirname(fileURLToPath(import.meta.url)), 'no-such-mcp-server-binary');
const testServer = mcpTestServerStdioCommand();

const app = new MCPApp({ name: 'agent-server-tests' });

interface ChangingRun {
  before: string[];
  added: string;
  after: string[];
  answer: unknown;
  unavailable: Array<{ server: string; reason: string }>;
}

/** Lists tools, adds one through a tool call, and uses it: all inside a workflow. */
@app.workflow
class ChangingToolsWorkflow extends Workflow<ChangingRun> {
  @app.workflowRun
  async run(input: { server: string }): Promise<WorkflowResult<ChangingRun>> {
    const warnings: string[] = [];
    const agent = await new Agent({ name: 'adapter', serverNames: [input.server, 'missing'], logger: { warn: (message) => warnings.push(message) } }).initialize();
    const before = (await agent.listTools()).map((tool) => tool.name);
    const added = (await agent.callTool(`${input.server}_add_tool`)).content[0]?.text as string;
    const after = (await agent.listTools()).map((tool) => tool.name);
    const answer = (await agent.callTool(`${input.server}_${added}`)).content[0]?.text;
    return new WorkflowResult({ value: { before, added, after, answer, unavailable: agent.unavailableServers() } });
  }
}

/** A tool call with a timeout, inside a workflow: the timeout is the task's. */
@app.workflow
class TimedCallWorkflow extends Workflow<{ attempts: number; message: string } | undefined> {
  @app.workflowRun
  async run(): Promise<WorkflowResult<{ attempts: number; message: string } | undefined>> {
    const agent = new Agent({ name: 'impatient', serverNames: ['test'] });
    try {
      await agent.callTool('test_hang', {}, { timeoutMilliseconds: 300 });
      return new WorkflowResult({ value: undefined });
    } catch (error) {
      if (!TaskFailedError.is(error)) throw error;
      return new WorkflowResult({ value: { attempts: error.attempts, message: error.message } });
    }
  }
}

describe('agents with unavailable or changing servers (in-process engine)', () => {
  let context: AppContext;
  let runApp: MCPApp;

  beforeAll(async () => {
    const settings: SettingsInput = {
      workflow_task_retry_policies: { 'mcp.*': { maximum_attempts: 2, initial_interval: '10ms' } },
      mcp: {
        servers: {
          changing: { command: process.execPath, args: [CHANGING_SERVER] },
          changing_in_workflow: { command: process.execPath, args: [CHANGING_SERVER] },
          missing: { command: MISSING_COMMAND },
          test: { command: testServer.command, args: testServer.args },
          everything: { command: process.execPath, args: [SERVER_EVERYTHING, 'stdio'] },
        },
      },
    };
    runApp = new MCPApp({ name: 'agent-server-tests', settings, logger: createLogger({ transports: ['none'] }), engines: { asyncio: createAsyncioEngine() } });
    for (const definition of app.registry.workflows.values()) runApp.registry.addWorkflow(definition);
    context = await runApp.initialize();
  });

  afterAll(() => runApp.cleanup());

  it('leaves out a server that cannot start, says why, and keeps the other servers’ tools', async () => {
    const warnings: Array<{ message: string; data: Record<string, unknown> | undefined }> = [];
    const agent = await new Agent({ name: 'tolerant', serverNames: ['test', 'missing'], logger: { warn: (message, data) => warnings.push({ message, data }) } }).initialize();
    const names = (await agent.listTools()).map((tool) => tool.name);
    expect(names).toContain('test_echo');
    expect(names.some((name) => name.startsWith('missing_'))).toBe(false);
    const [unavailable, ...others] = agent.unavailableServers();
    expect(others).toEqual([]);
    expect(unavailable?.server).toBe('missing');
    expect(unavailable?.reason).toContain(MISSING_COMMAND);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.message).toContain('agent "tolerant": MCP server "missing" is unavailable, its tools are left out');
    expect(warnings[0]?.data).toMatchObject({ agent: 'tolerant', server: 'missing' });
    expect((await agent.callTool('test_echo', { text: 'still works' })).content[0]).toEqual({ type: 'text', text: 'still works' });
    const error = (await agent.callTool('missing_anything').catch((caught: unknown) => caught)) as Error;
    expect(error.message).toContain('Unavailable: missing (');
  });

  it('fails as before with strictServers', async () => {
    const agent = new Agent({ name: 'strict', serverNames: ['test', 'missing'], strictServers: true });
    await expect(agent.initialize()).rejects.toMatchObject({ code: 'MCP_CONNECT_FAILED', server: 'missing', retryable: false });
    await expect(agent.listTools()).rejects.toMatchObject({ code: 'MCP_CONNECT_FAILED' });
  });

  it('sees a tool its server adds later, outside a workflow', async () => {
    const agent = await new Agent({ name: 'watcher', serverNames: ['changing'] }).initialize();
    const before = (await agent.listTools()).map((tool) => tool.name);
    const added = (await agent.callTool('changing_add_tool')).content[0]?.text as string;
    expect(added).toMatch(/^extra_\d+$/);
    const after = (await agent.listTools()).map((tool) => tool.name);
    expect(after).toEqual([...before, `changing_${added}`]);
    expect((await agent.callTool(`changing_${added}`)).content[0]).toEqual({ type: 'text', text: `${added} answered` });
  });

  it('inside a workflow: lists again after a tool result shows a changed list, and leaves out an unavailable server after one attempt', async () => {
    const started = Date.now();
    const run = await context.executor.executeWorkflow(ChangingToolsWorkflow, { server: 'changing_in_workflow' });
    const value = run.value as ChangingRun;
    expect(value.before).toEqual(['changing_in_workflow_add_tool', 'changing_in_workflow_change_lists']);
    expect(value.added).toBe('extra_1');
    expect(value.after).toEqual([...value.before, 'changing_in_workflow_extra_1']);
    expect(value.answer).toBe('extra_1 answered');
    // A missing command is not retryable: one attempt, no backoff.
    expect(value.unavailable).toHaveLength(1);
    expect(value.unavailable[0]?.server).toBe('missing');
    expect(value.unavailable[0]?.reason).toContain('task "mcp.listTools" failed after 1 attempt');
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('keeps title, outputSchema and annotations of tools', async () => {
    const agent = new Agent({ name: 'describer', serverNames: ['everything'] });
    const structured = (await agent.listTools()).find((tool) => tool.name === 'everything_get-structured-content');
    expect(structured).toMatchObject({
      title: 'Get Structured Content Tool',
      outputSchema: { type: 'object' },
      annotations: expect.any(Object),
    });
    expect(Object.keys(structured?.outputSchema?.['properties'] as object)).toEqual(expect.arrayContaining(['temperature']));
  });

  it('passes per-call progress callbacks, timeouts and abort signals outside a workflow', async () => {
    const agent = new Agent({ name: 'caller', serverNames: ['test'] });
    const progress: Array<{ progress: number; total?: number | undefined }> = [];
    const done = await agent.callTool('test_progress', { steps: 3 }, { onProgress: ({ progress: step, total }) => progress.push({ progress: step, total }) });
    expect(done.content[0]).toEqual({ type: 'text', text: 'done 3' });
    expect(progress).toEqual([
      { progress: 1, total: 3 },
      { progress: 2, total: 3 },
      { progress: 3, total: 3 },
    ]);
    await expect(agent.callTool('test_hang', {}, { timeoutMilliseconds: 200 })).rejects.toMatchObject({ code: 'MCP_TIMEOUT', server: 'test' });
    const controller = new AbortController();
    const hanging = agent.callTool('test_hang', {}, { signal: controller.signal });
    setTimeout(() => controller.abort(new Error('the user gave up')), 100);
    await expect(hanging).rejects.toThrow('the user gave up');
  });

  it('makes a call’s timeout the task’s timeout inside a workflow', async () => {
    const started = Date.now();
    const run = await context.executor.executeWorkflow(TimedCallWorkflow, undefined);
    expect(run.value).toMatchObject({ attempts: 2 });
    expect(run.value?.message).toContain('task "mcp.callTool" failed after 2 attempts');
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('lists resource templates, reads by a filled template and completes, through the agent', async () => {
    const agent = new Agent({ name: 'templater', serverNames: ['everything'] });
    const templates = await agent.listResourceTemplates();
    expect(templates.map((template) => template.uriTemplate)).toContain('demo://resource/dynamic/text/{resourceId}');
    const read = await agent.readResourceFromTemplate('demo://resource/dynamic/text/{resourceId}', { resourceId: 4 });
    expect(read.contents[0]).toMatchObject({ uri: 'demo://resource/dynamic/text/4' });
    const completion = await agent.complete({ server: 'everything', ref: { type: 'ref/prompt', name: 'completable-prompt' }, argument: { name: 'department', value: 'M' } });
    expect(completion.values).toEqual(['Marketing']);
  });
});
