// Session scopes against the stdio MCP test server (@mcp-agent/testing), real processes: the
// `count` tool answers how many tool calls its process served, so a session's state is visible.
// `process` shares one session (and shows the failure the other scopes fix), `run` gives each
// session key its own, `pool` spreads calls over N.
import { parseSettings } from '@mcp-agent/core/config';
import { mcpTestServerStdioCommand } from '@mcp-agent/testing';
import { afterEach, describe, expect, it, vi } from 'vitest';

import { collectingLogger, firstText, processExists, rejectionOf } from './__fixtures__/servers.js';
import { createMcpConnectionManager } from './index.js';
import type { McpConnectionManager, McpServerConfigInput } from './index.js';

const managers: McpConnectionManager[] = [];

function open(session: McpServerConfigInput['session']): { manager: McpConnectionManager; records: ReturnType<typeof collectingLogger>['records'] } {
  const { logger, records } = collectingLogger();
  const manager = createMcpConnectionManager({ servers: { test: { ...mcpTestServerStdioCommand(), session } }, logger, reconnectInitialDelayMilliseconds: 50 });
  managers.push(manager);
  return { manager, records };
}

afterEach(async () => {
  await Promise.all(managers.splice(0).map((manager) => manager.close()));
});

/** The `count` tool's answer on the session of `sessionKey`. */
async function count(manager: McpConnectionManager, sessionKey?: string): Promise<number> {
  return Number(firstText(await manager.callTool({ server: 'test', tool: 'count' }, { sessionKey })));
}

/** The process id of the session with this key. */
function pidOf(manager: McpConnectionManager, key: string): number {
  const pid = manager.sessions('test').find((session) => session.key === key)?.processId;
  expect(pid, `process of session ${key}`).toBeTypeOf('number');
  return pid as number;
}

/** A crash of run A's server while run B has a slow call and a hanging call in flight. */
async function crashBesideCalls(manager: McpConnectionManager): Promise<{ slow: PromiseSettledResult<unknown>; hang: unknown; hangMilliseconds: number; crash: unknown }> {
  // Both sessions open first, so that the crash lands while B's calls are in the server.
  await count(manager, 'wf-a/run-a');
  await count(manager, 'wf-b/run-b');
  const slow = manager.callTool({ server: 'test', tool: 'slow', arguments: { milliseconds: 1_200 } }, { sessionKey: 'wf-b/run-b' });
  const hangStarted = Date.now();
  const hang = manager.callTool({ server: 'test', tool: 'hang' }, { sessionKey: 'wf-b/run-b', timeoutMilliseconds: 1_500 }).catch((error: unknown) => error);
  await new Promise((resolve) => setTimeout(resolve, 200));
  const crash = await manager.callTool({ server: 'test', tool: 'crash' }, { sessionKey: 'wf-a/run-a' }).catch((error: unknown) => error);
  const [slowResult] = await Promise.allSettled([slow]);
  const hangError = await hang;
  return { slow: slowResult, hang: hangError, hangMilliseconds: Date.now() - hangStarted, crash };
}

describe('session scopes', { timeout: 40_000 }, () => {
  it('process scope (the default) shares one session: a crash fails the other callers with a lost connection, a hang included', async () => {
    const { manager } = open(undefined);
    expect(manager.sessionScope('test')).toBe('process');
    const { slow, hang, crash } = await crashBesideCalls(manager);
    expect(crash).toMatchObject({ code: 'MCP_CONNECTION_LOST' });
    // The failure the other scopes remove: the bystanders lose their calls to someone else's crash.
    expect(slow.status).toBe('rejected');
    expect(slow.status === 'rejected' ? slow.reason : undefined).toMatchObject({ code: 'MCP_CONNECTION_LOST' });
    expect(hang).toMatchObject({ code: 'MCP_CONNECTION_LOST' });
    expect(manager.sessions('test').map((session) => session.key)).toEqual(['process']);
  });

  it('run scope: a crash of run A never fails run B, whose hang times out on its own and whose calls go on in the same process', async () => {
    const { manager } = open({ scope: 'run' });
    const { slow, hang, hangMilliseconds, crash } = await crashBesideCalls(manager);
    expect(crash).toMatchObject({ code: 'MCP_CONNECTION_LOST', server: 'test' });
    expect(slow.status).toBe('fulfilled');
    expect(slow.status === 'fulfilled' ? firstText(slow.value as never) : '').toBe('slept 1200');
    expect(hang).toMatchObject({ code: 'MCP_TIMEOUT' });
    expect(hangMilliseconds).toBeGreaterThanOrEqual(1_400);
    const runB = pidOf(manager, 'wf-b/run-b');
    // B's process served count, slow, hang and now this count: its state is intact.
    expect(await count(manager, 'wf-b/run-b')).toBe(4);
    expect(pidOf(manager, 'wf-b/run-b')).toBe(runB);
    // A reconnects to a fresh process: its counter starts over.
    expect(await count(manager, 'wf-a/run-a')).toBe(1);
    expect(pidOf(manager, 'wf-a/run-a')).not.toBe(runB);
  });

  it('run scope: each run sees its own session state; calls without a key use the process-wide session', async () => {
    const { manager } = open({ scope: 'run' });
    const [a1, b1] = await Promise.all([count(manager, 'wf/run-1'), count(manager, 'wf/run-2')]);
    expect([a1, b1]).toEqual([1, 1]);
    expect(await count(manager, 'wf/run-1')).toBe(2);
    expect(await count(manager, 'wf/run-1')).toBe(3);
    expect(await count(manager, 'wf/run-2')).toBe(2);
    expect(await count(manager)).toBe(1);
    const tools = await manager.listTools('test', { sessionKey: 'wf/run-3' });
    expect(tools.map((tool) => tool.name)).toContain('count');
    const sessions = manager.sessions('test');
    expect(sessions.map((session) => session.key).sort()).toEqual(['process', 'wf/run-1', 'wf/run-2', 'wf/run-3']);
    expect(new Set(sessions.map((session) => session.processId)).size).toBe(4);
  });

  it('run scope: closeSessions(key) stops that run’s process only; the key’s next call opens a fresh session', async () => {
    const { manager } = open({ scope: 'run' });
    await count(manager, 'wf/run-1');
    await count(manager, 'wf/run-2');
    const [first, second] = [pidOf(manager, 'wf/run-1'), pidOf(manager, 'wf/run-2')];
    await manager.closeSessions('wf/run-1');
    await vi.waitFor(() => expect(processExists(first)).toBe(false), { timeout: 5_000, interval: 50 });
    expect(processExists(second)).toBe(true);
    expect(manager.sessions('test').map((session) => session.key)).toEqual(['wf/run-2']);
    expect(await count(manager, 'wf/run-2')).toBe(2);
    expect(await count(manager, 'wf/run-1')).toBe(1);
  });

  it('run scope: a run whose call is in flight keeps its session until the call ends', async () => {
    const { manager } = open({ scope: 'run' });
    await count(manager, 'wf/run-1');
    const pid = pidOf(manager, 'wf/run-1');
    const slow = manager.callTool({ server: 'test', tool: 'slow', arguments: { milliseconds: 600 } }, { sessionKey: 'wf/run-1' });
    await new Promise((resolve) => setTimeout(resolve, 100));
    await manager.closeSessions('wf/run-1');
    expect(firstText(await slow)).toBe('slept 600');
    await vi.waitFor(() => expect(processExists(pid)).toBe(false), { timeout: 5_000, interval: 50 });
  });

  it('run scope: closes a run’s session after idle_seconds without a call', async () => {
    const { manager } = open({ scope: 'run', idle_seconds: 0.5 });
    await count(manager, 'wf/run-1');
    const pid = pidOf(manager, 'wf/run-1');
    const startedAt = Date.now();
    await vi.waitFor(() => expect(manager.sessions('test')).toEqual([]), { timeout: 5_000, interval: 50 });
    const closedAfter = Date.now() - startedAt;
    await vi.waitFor(() => expect(processExists(pid)).toBe(false), { timeout: 5_000, interval: 50 });
    console.log(`run session idle close: closed ${closedAfter} ms after its last call (idle_seconds 0.5)`);
    expect(closedAfter).toBeGreaterThanOrEqual(400);
    expect(closedAfter).toBeLessThan(2_000);
  });

  it('run scope: holds at most max_sessions idle run sessions, closing the least recently used', async () => {
    const { manager, records } = open({ scope: 'run', max_sessions: 2 });
    await count(manager, 'wf/run-1');
    await count(manager, 'wf/run-2');
    const first = pidOf(manager, 'wf/run-1');
    // run-1 used last: run-2 is now the least recently used.
    await count(manager, 'wf/run-1');
    const second = pidOf(manager, 'wf/run-2');
    await count(manager, 'wf/run-3');
    expect(manager.sessions('test').map((session) => session.key)).toEqual(['wf/run-1', 'wf/run-3']);
    await vi.waitFor(() => expect(processExists(second)).toBe(false), { timeout: 5_000, interval: 50 });
    expect(processExists(first)).toBe(true);
    // A busy session is never evicted: the bound is exceeded, with a warning, while all are busy.
    const hangs = ['wf/run-1', 'wf/run-3'].map((key) =>
      manager.callTool({ server: 'test', tool: 'hang' }, { sessionKey: key, timeoutMilliseconds: 1_500 }).catch((error: unknown) => error),
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await count(manager, 'wf/run-4')).toBe(1);
    expect(manager.sessions('test')).toHaveLength(3);
    expect(records.some((record) => record.level === 'warn' && record.message.includes('more than its session.max_sessions (2)'))).toBe(true);
    for (const hang of await Promise.all(hangs)) expect(hang).toMatchObject({ code: 'MCP_TIMEOUT' });
  });

  it('pool scope: spreads calls over pool_size sessions; a crash of one fails no call on another, and the dead one is replaced', async () => {
    const { manager } = open({ scope: 'pool', pool_size: 2 });
    const slows = Array.from({ length: 4 }, () => manager.callTool({ server: 'test', tool: 'slow', arguments: { milliseconds: 800 } }));
    expect((await Promise.all(slows)).map(firstText)).toEqual(Array(4).fill('slept 800'));
    const pids = manager.sessions('test').map((session) => session.processId);
    expect(manager.sessions('test').map((session) => session.key)).toEqual(['pool#0', 'pool#1']);
    expect(new Set(pids).size).toBe(2);
    // One slow call occupies one session; the crash goes to the other (the least busy).
    const slow = manager.callTool({ server: 'test', tool: 'slow', arguments: { milliseconds: 800 } });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const crash = await rejectionOf(manager.callTool({ server: 'test', tool: 'crash' }));
    expect(crash.code).toBe('MCP_CONNECTION_LOST');
    expect(firstText(await slow)).toBe('slept 800');
    const results = await Promise.all(Array.from({ length: 4 }, () => manager.callTool({ server: 'test', tool: 'echo', arguments: { text: 'hi' } })));
    expect(results.map(firstText)).toEqual(Array(4).fill('hi'));
    const after = manager.sessions('test').map((session) => session.processId);
    expect(after).toHaveLength(2);
    expect(after.filter((pid) => pids.includes(pid))).toHaveLength(1);
  });

  it('refuses session settings that do not fit the scope, naming the fix', async () => {
    expect(() => createMcpConnectionManager({ servers: { test: { ...mcpTestServerStdioCommand(), session: { scope: 'run', pool_size: 3 } } } })).toThrow(
      /pool_size applies to scope "pool", but scope is "run"; set scope: pool, or remove pool_size/,
    );
    expect(() => createMcpConnectionManager({ servers: { test: { ...mcpTestServerStdioCommand(), session: { scope: 'pool', idle_seconds: 3 } } } })).toThrow(
      /idle_seconds applies to scope "run"/,
    );
    expect(() => parseSettings({ mcp: { servers: { browser: { command: 'browser-mcp', session: { affinity_timeout_seconds: 5 } } } } }, 'test config')).toThrow(
      /affinity_timeout_seconds applies to scope "run", but scope is "process"/,
    );
    expect(() => createMcpConnectionManager({ servers: { test: { ...mcpTestServerStdioCommand(), session: { scope: 'thread' as never } } } })).toThrow(
      /expected one of .*process.*run.*pool/,
    );
    // In the config file: a misspelt key is an error with a suggestion, and the scope defaults to process.
    expect(() => parseSettings({ mcp: { servers: { browser: { command: 'browser-mcp', session: { scop: 'run' } } } } }, 'test config')).toThrow(/scop.*did you mean "scope"/s);
    const parsed = parseSettings({ mcp: { servers: { browser: { command: 'browser-mcp', session: {} } } } }, 'test config');
    expect(parsed.mcp?.servers?.['browser']?.session).toEqual({ scope: 'process' });
  });
});
