/**
 * The stdio client transport of this package: the SDK's `StdioClientTransport` with one
 * difference that matters for clean shutdown. The server runs in a process group of its own, and
 * `close()` signals that group, so a server started through a wrapper (`sh -c`, `npx`, `uvx`)
 * goes away with the wrapper instead of outliving it. Internal to this package.
 */
import { spawn } from 'node:child_process';
import type { ChildProcessByStdio } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import type { Readable, Writable } from 'node:stream';
import { setTimeout as delay } from 'node:timers/promises';

import { ReadBuffer, serializeMessage } from '@modelcontextprotocol/sdk/shared/stdio.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';

/** How long `close()` waits after closing stdin, and again after SIGTERM, before it escalates. */
const DEFAULT_GRACE_MILLISECONDS = 2_000;

/** How often `close()` looks whether the process group is gone. */
const POLL_MILLISECONDS = 25;

/** Process groups are a POSIX notion: on Windows only the direct child can be signalled. */
const USE_PROCESS_GROUP = process.platform !== 'win32';

/** Options of {@link ProcessGroupStdioTransport}. */
export interface ProcessGroupStdioTransportOptions {
  command: string;
  args: readonly string[];
  /** The whole environment of the process (nothing else is inherited). */
  env: Record<string, string>;
  cwd?: string | undefined;
  /** How long `close()` waits after closing stdin, and again after SIGTERM. Default 2 000. */
  graceMilliseconds?: number | undefined;
}

/**
 * Spawns an MCP server in its own process group (`detached: true`) and speaks newline-delimited
 * JSON-RPC over its stdin and stdout, as the SDK's stdio transport does; stderr is piped to
 * {@link ProcessGroupStdioTransport.stderr}.
 *
 * `close()` ends stdin, waits, sends SIGTERM to the whole group, waits, then sends SIGKILL to the
 * group. Whether the server is gone is read from the child's `exitCode`/`signalCode` and from
 * `kill(-group, 0)`, never from a bare process id, which could belong to an unrelated process once
 * the child has been reaped. The group id is safe to signal while the child is unreaped or any
 * member is alive (the kernel does not hand out an id still in use as a group id), and signalling
 * stops once the group is found empty.
 */
export class ProcessGroupStdioTransport implements Transport {
  onclose?: (() => void) | undefined;
  onerror?: ((error: Error) => void) | undefined;
  onmessage?: (<T extends JSONRPCMessage>(message: T) => void) | undefined;

  /** The server's stderr; available before `start()` so that no early line is lost. */
  readonly stderr = new PassThrough();

  readonly #options: ProcessGroupStdioTransportOptions;
  readonly #readBuffer = new ReadBuffer();
  #child: ChildProcessByStdio<Writable, Readable, Readable> | undefined;
  #closing: Promise<void> | undefined;
  #closeReported = false;

  constructor(options: ProcessGroupStdioTransportOptions) {
    this.#options = options;
  }

  /** The process id of the server (also its process group id), once spawned. */
  get pid(): number | undefined {
    return this.#child?.pid;
  }

  /** Spawns the server; rejects with the spawn error (`ENOENT` for a missing command or cwd). */
  start(): Promise<void> {
    if (this.#child !== undefined) throw new Error('ProcessGroupStdioTransport already started');
    const { command, args, env, cwd } = this.#options;
    return new Promise((resolve, reject) => {
      const child = spawn(command, [...args], {
        env,
        stdio: ['pipe', 'pipe', 'pipe'],
        detached: USE_PROCESS_GROUP,
        shell: false,
        windowsHide: true,
        ...(cwd === undefined ? {} : { cwd }),
      });
      this.#child = child;
      child.once('spawn', () => resolve());
      child.on('error', (error) => {
        reject(error);
        this.onerror?.(error);
      });
      // Every stdio stream closed and the process exited: nothing more can arrive.
      child.once('close', () => this.#reportClosed());
      child.stdin.on('error', (error) => this.onerror?.(error));
      child.stdout.on('error', (error) => this.onerror?.(error));
      child.stdout.on('data', (chunk: Buffer) => {
        try {
          this.#readBuffer.append(chunk);
        } catch (error) {
          this.onerror?.(error as Error);
          void this.close();
          return;
        }
        this.#readMessages();
      });
      child.stderr.pipe(this.stderr);
    });
  }

  send(message: JSONRPCMessage): Promise<void> {
    const stdin = this.#child?.stdin;
    if (stdin === undefined || this.#closing !== undefined || !stdin.writable) return Promise.reject(new Error('Not connected'));
    return new Promise((resolve) => {
      if (stdin.write(serializeMessage(message))) resolve();
      else stdin.once('drain', resolve);
    });
  }

  /** Stops the server and every process of its group; resolves when they are gone (bounded). */
  close(): Promise<void> {
    this.#closing ??= this.#stop();
    return this.#closing;
  }

  #readMessages(): void {
    for (;;) {
      let message: JSONRPCMessage | null;
      try {
        message = this.#readBuffer.readMessage();
      } catch (error) {
        // The bad line is already consumed: report it and read on.
        this.onerror?.(error as Error);
        continue;
      }
      if (message === null) return;
      this.onmessage?.(message);
    }
  }

  async #stop(): Promise<void> {
    const child = this.#child;
    const group = child?.pid;
    if (child !== undefined && group !== undefined) {
      const grace = this.#options.graceMilliseconds ?? DEFAULT_GRACE_MILLISECONDS;
      try {
        child.stdin.end();
      } catch {
        // Already closed.
      }
      if (!(await this.#goneWithin(child, group, grace))) {
        this.#signal(child, group, 'SIGTERM');
        if (!(await this.#goneWithin(child, group, grace))) {
          this.#signal(child, group, 'SIGKILL');
          await this.#goneWithin(child, group, grace);
        }
      }
      child.stdout.destroy();
      child.stderr.destroy();
    }
    this.#readBuffer.clear();
    this.#reportClosed();
  }

  #reportClosed(): void {
    if (this.#closeReported) return;
    this.#closeReported = true;
    this.onclose?.();
  }

  /** Polls until the child has exited and its group is empty, or the time is up. */
  async #goneWithin(child: ChildProcessByStdio<Writable, Readable, Readable>, group: number, milliseconds: number): Promise<boolean> {
    const deadline = Date.now() + milliseconds;
    for (;;) {
      // While the child runs, its group is certainly there; only then is the group looked at.
      if (!isRunning(child) && !groupHasLivingMembers(group)) return true;
      if (Date.now() >= deadline) return false;
      await delay(POLL_MILLISECONDS);
    }
  }

  #signal(child: ChildProcessByStdio<Writable, Readable, Readable>, group: number, signal: NodeJS.Signals): void {
    try {
      if (USE_PROCESS_GROUP) process.kill(-group, signal);
      else if (isRunning(child)) child.kill(signal);
    } catch {
      // ESRCH: the group emptied in the meantime.
    }
  }
}

/** True until the child has exited (Node sets these once it has reaped the child). */
function isRunning(child: { exitCode: number | null; signalCode: NodeJS.Signals | null }): boolean {
  return child.exitCode === null && child.signalCode === null;
}

/**
 * True while a process of the group is alive (on Windows, where there are no groups: false). A
 * zombie is not alive: an orphaned grandchild that was killed stays one until init reaps it,
 * which can take seconds.
 */
function groupHasLivingMembers(group: number): boolean {
  if (!USE_PROCESS_GROUP) return false;
  try {
    process.kill(-group, 0);
  } catch (error) {
    return (error as { code?: unknown }).code === 'EPERM';
  }
  return !onlyZombiesIn(group);
}

/** True when `/proc` (Linux) shows no process of the group other than zombies. */
function onlyZombiesIn(group: number): boolean {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return false;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue;
    }
    // `pid (comm) state ppid pgrp ...`; comm may contain spaces and parentheses.
    const [state, , processGroup] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(processGroup) === group && state !== 'Z') return false;
  }
  return true;
}
