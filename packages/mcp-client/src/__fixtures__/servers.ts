// Test helpers: where the npm MCP servers live, how to start server-everything over HTTP on
// 127.0.0.1, loggers that collect what they are given, whether a process is alive, and the
// assertions the connection manager's tests share.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createConnection, createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { createLogger, McpClientError } from '@mcp-agent/core';
import type { Logger, LogRecord } from '@mcp-agent/core';
import { expect } from 'vitest';

const require = createRequire(import.meta.url);

/** The entry script of an npm package's bin, resolved from this package's dependencies. */
function packageEntry(name: string, relativePath: string): string {
  return join(dirname(require.resolve(`${name}/package.json`)), relativePath);
}

/** `node <this>` runs @modelcontextprotocol/server-everything; its first argument picks the transport. */
export const SERVER_EVERYTHING_ENTRY = packageEntry('@modelcontextprotocol/server-everything', 'dist/index.js');

/** `node <this> <directory>...` runs @modelcontextprotocol/server-filesystem on those directories. */
export const SERVER_FILESYSTEM_ENTRY = packageEntry('@modelcontextprotocol/server-filesystem', 'dist/index.js');

const LOOPBACK_PRELOAD = fileURLToPath(new URL('./listen-on-loopback.mjs', import.meta.url));

/** A port that was free on 127.0.0.1 a moment ago. */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  await once(server, 'close');
  if (address === null || typeof address === 'string') throw new Error('no TCP address for a free port');
  return address.port;
}

async function accepts(port: number): Promise<boolean> {
  const socket = createConnection({ host: '127.0.0.1', port });
  try {
    await once(socket, 'connect');
    return true;
  } catch {
    return false;
  } finally {
    socket.destroy();
  }
}

/** A server-everything process serving HTTP. */
export interface RunningServerEverything {
  /** The MCP endpoint: `/mcp` for Streamable HTTP, `/sse` for SSE. */
  url: string;
  processId: number;
  /** Stops the process (SIGTERM, then SIGKILL) and waits for it to exit. */
  close(): Promise<void>;
}

/**
 * Starts server-everything with `node dist/index.js <streamableHttp|sse>` (its CLI's transport
 * argument) and `PORT=<free port>` (the only listen setting it reads), bound to 127.0.0.1 by a
 * preload, and waits until the port accepts connections.
 */
export async function startServerEverything(transport: 'streamableHttp' | 'sse'): Promise<RunningServerEverything> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', LOOPBACK_PRELOAD, SERVER_EVERYTHING_ENTRY, transport], {
    env: { ...process.env, PORT: String(port) },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4_000);
  });
  let exited = false;
  const exit = once(child, 'exit').then(() => {
    exited = true;
  });
  const close = async (): Promise<void> => {
    if (exited) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 2_000);
    await exit;
    clearTimeout(timer);
  };
  const deadline = Date.now() + 15_000;
  while (!(await accepts(port))) {
    if (exited || Date.now() > deadline) {
      await close();
      throw new Error(`server-everything ${transport} did not listen on 127.0.0.1:${port}; stderr:\n${stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  if (child.pid === undefined) throw new Error('server-everything has no pid');
  return { url: `http://127.0.0.1:${port}/${transport === 'sse' ? 'sse' : 'mcp'}`, processId: child.pid, close };
}

/** A logger that keeps every record, and the records. */
export function collectingLogger(): { logger: Logger; records: LogRecord[] } {
  const records: LogRecord[] = [];
  return { logger: createLogger({ level: 'debug', sink: (record) => records.push(record) }), records };
}

/**
 * True while a process of that id is alive; a negative id asks about a process group. A zombie
 * (killed, not yet reaped: orphans here are reaped by init seconds later) counts as gone.
 */
export function processExists(processId: number): boolean {
  try {
    process.kill(processId, 0);
  } catch (error) {
    return (error as { code?: unknown }).code === 'EPERM';
  }
  return processId < 0 ? livingProcessesInGroup(-processId) > 0 : processState(processId) !== 'Z';
}

/** The state letter of a process from /proc (Linux), or undefined. */
function processState(processId: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${processId}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
  } catch {
    return undefined;
  }
}

/** How many processes of the group are alive (not zombies), from /proc (Linux); 1 when unknown. */
function livingProcessesInGroup(group: number): number {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return 1;
  }
  let living = 0;
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const [state, , processGroup] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(processGroup) === group && state !== 'Z') living += 1;
    } catch {
      // It went away meanwhile.
    }
  }
  return living;
}

/** The text of a result's first content item. */
export function firstText(result: { content: Array<{ type: string; [key: string]: unknown }> }): string {
  return String(result.content[0]?.['text']);
}

/** The `McpClientError` a promise rejects with (fails the test when it resolves or rejects otherwise). */
export async function rejectionOf(promise: Promise<unknown>): Promise<McpClientError> {
  try {
    await promise;
  } catch (error) {
    expect(McpClientError.is(error), `expected an McpClientError, got ${String(error)}`).toBe(true);
    return error as McpClientError;
  }
  throw new Error('expected the call to fail, but it succeeded');
}
