/**
 * The sessions of one MCP server, as its `session.scope` config shares them: one for the process
 * (`process`), one per workflow run (`run`), or a pool of `pool_size` (`pool`). Each session is a
 * {@link ServerConnection} of its own (its own process for a stdio server), so a crash of one
 * never fails calls on another. Internal to this package: `McpConnectionManager` holds one
 * `ServerSessions` per server.
 */
import type { Logger } from '@mcp-agent/core';
import type { McpServerConfig } from '@mcp-agent/core/config';

import { ServerConnection } from './server-connection.js';
import type { ServerConnectionEvents, ServerConnectionOptions } from './server-connection.js';

/**
 * How an MCP server's sessions are shared in a process: `process` (one for every caller), `run`
 * (one per workflow run) or `pool` (a fixed number, each call on the least busy).
 *
 * @example
 * ```ts
 * const scope: McpSessionScope = manager.sessionScope('browser'); // 'run'
 * ```
 */
export type McpSessionScope = 'process' | 'run' | 'pool';

/**
 * One open or opening session of a server, as {@link McpConnectionManager.sessions} reports it.
 *
 * @example
 * ```ts
 * for (const { key, processId, inFlight } of manager.sessions('browser')) console.log(key, processId, inFlight);
 * ```
 */
export interface McpSessionInfo {
  /** `process`; the run's session key (`<workflowId>/<runId>`) under `run`; `pool#<index>` under `pool`. */
  readonly key: string;
  /** The process id of a stdio server while its session is connected, else undefined. */
  readonly processId: number | undefined;
  /** Requests in flight on it. */
  readonly inFlight: number;
  /** Milliseconds since a request on it last ended (0 while one is in flight). */
  readonly idleMilliseconds: number;
}

/** The defaults of `mcp.servers.<name>.session`. */
export const SESSION_DEFAULTS = Object.freeze({
  /** `run`: a run's session idle this long is closed. */
  idleSeconds: 300,
  /** `run`: at most this many run sessions per server per process, beyond those in use. */
  maxSessions: 32,
  /** `pool`: the number of sessions. */
  poolSize: 4,
});

/** The key of the session shared by the process (and by calls without a session key under `run`). */
const PROCESS_KEY = 'process';

/** A session of a `run` or `pool` scope: a connection of its own, with its use. */
interface Member {
  readonly key: string;
  readonly connection: ServerConnection;
  /** Aborted to close this member alone (the manager's close aborts it too). */
  readonly closer: AbortController;
  inFlight: number;
  /** When a request on it last ended or began (epoch milliseconds). */
  lastUsed: number;
  /** Close it once its last request ends (its run ended while a call was in flight). */
  closeWhenIdle: boolean;
}

/**
 * What {@link ServerSessions} needs from its manager: the shared connection options and the
 * events of the connections it opens.
 */
export interface ServerSessionsOptions {
  /** The options every connection of the manager shares; `closed` is the manager's close. */
  connectionOptions: ServerConnectionOptions;
  /** The events of the process-wide session (list changes, resource updates, resubscribes). */
  primaryEvents: (connection: () => ServerConnection) => ServerConnectionEvents;
  /** The events of a run's or a pool's session. */
  memberEvents: ServerConnectionEvents;
  logger: Logger;
}

/**
 * The sessions of one server under its configured scope.
 *
 * - `process`: one {@link ServerConnection} for every call.
 * - `run`: one connection per session key, opened on the key's first call; calls without a key
 *   use the process-wide one. A key's session is closed by {@link closeKey} (its run ended), once
 *   idle for `idle_seconds`, or as the least recently used idle session when a new key would make
 *   more than `max_sessions`; sessions with requests in flight are never closed for that, so the
 *   bound is exceeded only while every session is busy.
 * - `pool`: `pool_size` connections opened on demand, each call on the one with the fewest
 *   requests in flight (the least recently used among equals); a dead one reconnects on its next call.
 *
 * Subscriptions and roots always use the process-wide session.
 *
 * @example
 * ```ts
 * const sessions = new ServerSessions('browser', config, options);
 * const result = await sessions.use('wf-1/run-1', (connection) => connection.request('tools/call', 'open', undefined, run));
 * await sessions.close();
 * ```
 */
export class ServerSessions {
  readonly name: string;
  readonly config: McpServerConfig;
  readonly scope: McpSessionScope;
  readonly #options: ServerSessionsOptions;
  readonly #idleMilliseconds: number;
  readonly #maxSessions: number;
  readonly #poolSize: number;
  #primary: ServerConnection | undefined;
  /** Run sessions by key, or pool sessions by `pool#<index>`; in insertion order. */
  readonly #members = new Map<string, Member>();
  /** Closes of members in progress; `close()` waits for them. */
  readonly #closes = new Set<Promise<void>>();
  #sweeper: NodeJS.Timeout | undefined;
  /** Whether the warning about exceeding `max_sessions` was logged since the count was last under it. */
  #warnedOverLimit = false;

  constructor(name: string, config: McpServerConfig, options: ServerSessionsOptions) {
    this.name = name;
    this.config = config;
    this.#options = options;
    const session = config.session;
    this.scope = session?.scope ?? 'process';
    this.#idleMilliseconds = Math.round((session?.idle_seconds ?? SESSION_DEFAULTS.idleSeconds) * 1_000);
    this.#maxSessions = session?.max_sessions ?? SESSION_DEFAULTS.maxSessions;
    this.#poolSize = session?.pool_size ?? SESSION_DEFAULTS.poolSize;
  }

  /** The process-wide connection, created on first use (not connected until a request needs it). */
  get primary(): ServerConnection {
    if (this.#primary === undefined) {
      const created: ServerConnection = new ServerConnection(
        this.name,
        this.config,
        this.#options.connectionOptions,
        this.#options.primaryEvents(() => created),
      );
      this.#primary = created;
    }
    return this.#primary;
  }

  /**
   * Runs `work` on the session for a call with this session key, counting it in flight so that
   * no idle close or eviction takes that session meanwhile.
   */
  async use<Result>(sessionKey: string | undefined, work: (connection: ServerConnection) => Promise<Result>): Promise<Result> {
    const member = this.#memberFor(sessionKey);
    if (member === undefined) return work(this.primary);
    member.inFlight += 1;
    member.lastUsed = Date.now();
    try {
      return await work(member.connection);
    } finally {
      member.inFlight -= 1;
      member.lastUsed = Date.now();
      if (member.inFlight === 0 && member.closeWhenIdle) this.#closeMember(member, 'its run ended');
    }
  }

  /** The sessions open or opening now: the process-wide one (when created), then the others. */
  sessions(): McpSessionInfo[] {
    const now = Date.now();
    const infos: McpSessionInfo[] = [];
    if (this.#primary !== undefined) infos.push({ key: PROCESS_KEY, processId: this.#primary.processId(), inFlight: 0, idleMilliseconds: 0 });
    for (const member of this.#members.values()) {
      infos.push({ key: member.key, processId: member.connection.processId(), inFlight: member.inFlight, idleMilliseconds: member.inFlight > 0 ? 0 : now - member.lastUsed });
    }
    return infos;
  }

  /**
   * Closes the session of a run (its run ended): at once when idle, else when its last call ends.
   * Does nothing for other scopes or unknown keys.
   */
  async closeKey(sessionKey: string): Promise<void> {
    if (this.scope !== 'run') return;
    const member = this.#members.get(sessionKey);
    if (member === undefined) return;
    if (member.inFlight > 0) {
      member.closeWhenIdle = true;
      return;
    }
    await this.#closeMember(member, 'its run ended');
  }

  /** Closes every session of the server. The manager's `closed` signal has aborted. */
  async close(): Promise<void> {
    if (this.#sweeper !== undefined) clearInterval(this.#sweeper);
    this.#sweeper = undefined;
    for (const member of this.#members.values()) member.closer.abort();
    const members = [...this.#members.values()];
    this.#members.clear();
    await Promise.all([this.#primary?.close(), ...members.map((member) => member.connection.close())]);
    while (this.#closes.size > 0) await Promise.all(this.#closes);
  }

  // ---------------------------------------------------------------------------------------------

  /** The member for a call, created when needed; undefined for the process-wide session. */
  #memberFor(sessionKey: string | undefined): Member | undefined {
    if (this.scope === 'pool') return this.#poolMember();
    if (this.scope !== 'run' || sessionKey === undefined || sessionKey === '') return undefined;
    const existing = this.#members.get(sessionKey);
    if (existing !== undefined) {
      // Most recently used last: the map's order is the eviction order.
      this.#members.delete(sessionKey);
      this.#members.set(sessionKey, existing);
      return existing;
    }
    this.#evictForNewRun();
    const member = this.#createMember(sessionKey);
    this.#startSweeper();
    return member;
  }

  #poolMember(): Member {
    let best: Member | undefined;
    for (let index = 0; index < this.#poolSize; index += 1) {
      const key = `pool#${index}`;
      const member = this.#members.get(key);
      // An unopened slot is as good as an idle session: spread the load before sharing one.
      if (member === undefined) return this.#createMember(key);
      if (best === undefined || member.inFlight < best.inFlight || (member.inFlight === best.inFlight && member.lastUsed < best.lastUsed)) best = member;
    }
    return best as Member;
  }

  #createMember(key: string): Member {
    const closer = new AbortController();
    const managerClosed = this.#options.connectionOptions.closed;
    // The member's own signal, aborted by its close or the manager's; the listener goes with it.
    const forward = (): void => closer.abort(managerClosed.reason);
    if (managerClosed.aborted) closer.abort(managerClosed.reason);
    else managerClosed.addEventListener('abort', forward, { once: true });
    closer.signal.addEventListener('abort', () => managerClosed.removeEventListener('abort', forward), { once: true });
    const connection = new ServerConnection(this.name, this.config, { ...this.#options.connectionOptions, closed: closer.signal }, this.#options.memberEvents);
    const member: Member = { key, connection, closer, inFlight: 0, lastUsed: Date.now(), closeWhenIdle: false };
    this.#members.set(key, member);
    this.#options.logger.debug(`opening a session of MCP server "${this.name}" for ${this.scope === 'run' ? `run ${key}` : key}`, { server: this.name, session: key, scope: this.scope });
    return member;
  }

  /** Makes room for a new run's session: closes the least recently used idle ones over `max_sessions`. */
  #evictForNewRun(): void {
    let excess = this.#members.size + 1 - this.#maxSessions;
    if (excess <= 0) {
      this.#warnedOverLimit = false;
      return;
    }
    for (const member of this.#members.values()) {
      if (excess <= 0) break;
      if (member.inFlight > 0) continue;
      this.#closeMember(member, `more than max_sessions (${this.#maxSessions}) runs held one; it was the least recently used`);
      excess -= 1;
    }
    if (excess > 0 && !this.#warnedOverLimit) {
      this.#warnedOverLimit = true;
      this.#options.logger.warn(
        `MCP server "${this.name}" has ${this.#members.size + 1} run sessions, more than its session.max_sessions (${this.#maxSessions}), because every one has a call in flight; ` +
          `raise mcp.servers.${this.name}.session.max_sessions, or lower the worker's concurrent activities`,
        { server: this.name, sessions: this.#members.size + 1, maxSessions: this.#maxSessions },
      );
    }
  }

  /** Checks for idle run sessions a few times per `idle_seconds` (at most every 30 s), without keeping the process alive. */
  #startSweeper(): void {
    if (this.#sweeper !== undefined) return;
    const interval = Math.max(50, Math.min(Math.round(this.#idleMilliseconds / 4), 30_000));
    this.#sweeper = setInterval(() => this.#sweep(), interval);
    this.#sweeper.unref();
  }

  #sweep(): void {
    const now = Date.now();
    for (const member of [...this.#members.values()]) {
      if (member.inFlight === 0 && now - member.lastUsed >= this.#idleMilliseconds) {
        this.#closeMember(member, `it was idle for ${Math.round((now - member.lastUsed) / 1_000)} s (session.idle_seconds: ${this.#idleMilliseconds / 1_000})`);
      }
    }
    if (this.#members.size === 0 && this.#sweeper !== undefined) {
      clearInterval(this.#sweeper);
      this.#sweeper = undefined;
    }
  }

  /** Removes a member (no call picks it any more) and closes its session and process. */
  #closeMember(member: Member, why: string): Promise<void> {
    if (this.#members.get(member.key) === member) this.#members.delete(member.key);
    if (member.closer.signal.aborted) return Promise.resolve();
    this.#options.logger.debug(`closing the session of MCP server "${this.name}" for run ${member.key}: ${why}`, { server: this.name, session: member.key });
    member.closer.abort();
    const closing = member.connection.close().catch((error: unknown) => {
      this.#options.logger.debug(`closing a session of MCP server "${this.name}" failed: ${error instanceof Error ? error.message : String(error)}`, { server: this.name });
    });
    this.#closes.add(closing);
    void closing.finally(() => this.#closes.delete(closing));
    return closing;
  }
}
