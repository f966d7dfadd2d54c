// `run`-scoped MCP sessions with the in-process engine: each workflow run gets its own session of
// a stateful stdio server (its `count` tool counts the session's calls), and the engine closes a
// run's sessions when the run ends, long before their idle timeout.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

import { Agent, MCPApp, Workflow, WorkflowResult, createLogger } from '@mcp-agent/core';
import type { SettingsInput } from '@mcp-agent/core/config';
import type { McpConnectionManager } from '@mcp-agent/mcp-client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

import { createAsyncioEngine } from './asyncio-executor.js';

/** A stdio MCP server whose `count` tool counts its session's calls and names its process. */
const COUNTER_SERVER = join(dirname(createRequire(import.meta.url).resolve('@mcp-agent/mcp-client/package.json')), 'src/__fixtures__/session-counter-server.mjs');

const app = new MCPApp({ name: 'session-scope-tests' });

/** Calls `count` `calls` times; returns the session's counts and its server process. */
@app.workflow
class CountWorkflow extends Workflow<{ counts: number[]; servers: number[] }> {
  @app.workflowRun
  async run(calls: number): Promise<WorkflowResult<{ counts: number[]; servers: number[] }>> {
    const agent = new Agent({ name: 'counter', serverNames: ['counter'] });
    const counts: number[] = [];
    const servers: number[] = [];
    for (let index = 0; index < calls; index += 1) {
      const { count, serverPid } = JSON.parse(String((await agent.callTool('counter_count')).content[0]?.text)) as { count: number; serverPid: number };
      counts.push(count);
      servers.push(serverPid);
    }
    return new WorkflowResult({ value: { counts, servers } });
  }
}

/** True while a process of that id is alive and not a zombie. */
function alive(processId: number): boolean {
  try {
    const stat = readFileSync(`/proc/${processId}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0] !== 'Z';
  } catch {
    return false;
  }
}

describe('run-scoped MCP sessions in process', { timeout: 30_000 }, () => {
  let runApp: MCPApp;

  beforeAll(async () => {
    const settings: SettingsInput = {
      // The default idle close (300 s) is far beyond this test: only the run's end closes a session.
      mcp: { servers: { counter: { command: process.execPath, args: [COUNTER_SERVER], session: { scope: 'run' } } } },
    };
    runApp = new MCPApp({ name: 'session-scope-tests', settings, logger: createLogger({ transports: ['none'] }), engines: { asyncio: createAsyncioEngine() } });
    for (const definition of app.registry.workflows.values()) runApp.registry.addWorkflow(definition);
    await runApp.initialize();
  });

  afterAll(async () => {
    await runApp.cleanup();
  });

  it('gives concurrent runs their own sessions and closes each when its run ends', async () => {
    const context = runApp.context;
    const handles = await Promise.all([context.executor.startWorkflow(CountWorkflow, 3), context.executor.startWorkflow(CountWorkflow, 3)]);
    const results = await Promise.all(handles.map(async (handle) => (await handle.result()).value as { counts: number[]; servers: number[] }));
    const endedAt = Date.now();
    for (const { counts, servers } of results) {
      expect(counts).toEqual([1, 2, 3]);
      expect(new Set(servers).size).toBe(1);
    }
    const servers = results.map((result) => result.servers[0] as number);
    expect(new Set(servers).size).toBe(2);
    const manager = context.services.mcp as unknown as McpConnectionManager;
    await vi.waitFor(() => expect(manager.sessions('counter')).toEqual([]), { timeout: 5_000, interval: 20 });
    await vi.waitFor(() => expect(servers.filter(alive)).toEqual([]), { timeout: 10_000, interval: 50 });
    console.log(`session scope run (in process): both runs' server processes gone ${Date.now() - endedAt} ms after the runs ended (idle_seconds 300)`);
  });
});
