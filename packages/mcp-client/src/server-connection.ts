/**
 * The connection to one configured MCP server: an SDK `Client` opened on first use and shared by
 * every caller, bounded by request timeouts, reopened after the server dies (with exponential
 * backoff between failed attempts), and closed without leaving processes behind. Internal to
 * this package: `McpConnectionManager` holds one per server.
 */
import { setTimeout as delay } from 'node:timers/promises';

import { McpClientError, messageOf } from '@mcp-agent/core';
import type { Logger } from '@mcp-agent/core';
import type { McpServerConfig } from '@mcp-agent/core/config';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SseError } from '@modelcontextprotocol/sdk/client/sse.js';
import type { RequestOptions } from '@modelcontextprotocol/sdk/shared/protocol.js';
import {
  ErrorCode,
  LoggingMessageNotificationSchema,
  McpError,
  PromptListChangedNotificationSchema,
  ResourceListChangedNotificationSchema,
  ResourceUpdatedNotificationSchema,
  ToolListChangedNotificationSchema,
} from '@modelcontextprotocol/sdk/types.js';
import type { LoggingLevel } from '@modelcontextprotocol/sdk/types.js';

import type { McpOAuthOptions } from './auth/index.js';
import { clientCapabilities, installClientRequestHandlers } from './client-requests.js';
import type { ClientRequestHandlers } from './client-requests.js';
import {
  authFailureError,
  connectError,
  connectionLostError,
  describeTarget,
  isAuthFailure,
  isConnectionGone,
  isServerAnswer,
  requestTimeoutError,
  serverAnswerError,
  stderrSuffix,
} from './error-classification.js';
import { assertConnectableConfig, createServerTransport } from './server-transport.js';
import type { ServerTransport } from './server-transport.js';
import { waitFor, WaitInterruptedError } from './wait.js';
import { schemaValidators } from './schema-validators.js';

/** How long closing waits for an HTTP server to acknowledge the end of its session. */
const TERMINATE_WAIT_MILLISECONDS = 1_000;

/** MCP logging levels mapped to ours. */
const LOG_LEVELS: Readonly<Record<LoggingLevel, 'debug' | 'info' | 'warn' | 'error'>> = {
  debug: 'debug',
  info: 'info',
  notice: 'info',
  warning: 'warn',
  error: 'error',
  critical: 'error',
  alert: 'error',
  emergency: 'error',
};

/**
 * The settings of every server's connection, resolved once by the manager from its options (see
 * `McpConnectionManagerOptions` for what each one means and its default).
 */
export interface ServerConnectionOptions {
  /** Receives connection events, stderr lines, logging notifications, each with `{ server, ... }` data. */
  logger: Logger;
  /** The timeout of a request when neither the call nor the server's `read_timeout_seconds` sets one. */
  requestTimeoutMilliseconds: number;
  /** How long connecting may take: starting or reaching the server, `initialize`, `logging/setLevel`. */
  connectTimeoutMilliseconds: number;
  /** The wait before the second attempt after a failed connect; doubles after each failure. */
  reconnectInitialDelayMilliseconds: number;
  /** The longest wait between connect attempts. */
  reconnectMaximumDelayMilliseconds: number;
  /** The level asked of servers that have the logging capability (`logging/setLevel`). */
  serverLoggingLevel: LoggingLevel;
  /** How many lines of a stdio server's stderr error messages quote. */
  stderrTailLines: number;
  /** The client name and version sent in `initialize`. */
  clientInfo: { name: string; version: string };
  /** The handlers of server-to-client requests (sampling, elicitation); roots come from the config. */
  handlers: ClientRequestHandlers;
  /** OAuth options, for servers whose config has `auth.oauth`. */
  oauth: McpOAuthOptions | undefined;
  /**
   * Aborted when the manager closes: it ends backoff waits and connects in progress; calls it
   * interrupts raise a retryable `MCP_CONNECTION_LOST`, later calls a non-retryable one.
   */
  closed: AbortSignal;
}

/** What bounds one call besides its request timeout: the call's own options (`McpCallOptions`). */
export interface RequestLimits {
  /** The call's timeout: it bounds the wait for a connection, then the request itself. */
  timeoutMilliseconds?: number | undefined;
  /** Cancels the call, also while it waits for a connection; the call rejects with its reason. */
  signal?: AbortSignal | undefined;
}

/** A list a server can announce changes of (`notifications/<list>/list_changed`). */
export type McpListName = 'tools' | 'prompts' | 'resources';

/** What a connection tells its manager about the server, besides answering requests. */
export interface ServerConnectionEvents {
  /** A list changed: the server said so, or (`reconnected: true`) a new session began after another. */
  onListChanged?(list: McpListName, reconnected: boolean): void;
  /** The server sent `notifications/resources/updated` for this URI. */
  onResourceUpdated?(uri: string): void;
  /** A session began (the first, or one after the server was lost): subscriptions are sent again. */
  onSessionOpened?(first: boolean): void;
}

/** One session with the server: a client on a transport, from connect to close. */
interface Session {
  readonly client: Client;
  readonly transport: ServerTransport;
  /** True once connecting completed (`initialize`, and `logging/setLevel` when offered). */
  established: boolean;
  /** True once the connection closed or was found dead; it is never used again. */
  closed: boolean;
  /** This connection's close of the session, once started: no warning is logged for it. */
  closing: Promise<void> | undefined;
  /** True once the server answered a request on this session. */
  served: boolean;
  /** True once its loss before serving anything was counted as a failed connect. */
  lossCounted: boolean;
}

/**
 * The connection to one MCP server. Connects on first use, once for all concurrent callers;
 * bounds every request by its timeout and maps every failure to an `McpClientError`; drops a
 * session found dead so that the next call reconnects, after a delay that doubles per failed
 * attempt (a session lost before it answered a request counts as one) and starts over once a
 * session answers.
 *
 * @example
 * ```ts
 * const connection = new ServerConnection('filesystem', registry.get('filesystem'), options);
 * const tools = await connection.request('tools/list', undefined, {}, (client, requestOptions) => client.listTools({}, requestOptions));
 * ```
 */
export class ServerConnection {
  /** The configured server name. */
  readonly name: string;
  /** The server's validated config. */
  readonly config: McpServerConfig;
  readonly #options: ServerConnectionOptions;
  readonly #logger: Logger;
  /** The open session, if any. */
  #session: Session | undefined;
  /** The connect in progress, shared by concurrent callers. */
  #connecting: Promise<Session> | undefined;
  /**
   * Failed connects, and sessions lost before they answered a request, since a session last
   * answered one.
   */
  #consecutiveFailures = 0;
  /** No connect attempt starts before this time (epoch milliseconds). */
  #retryAt = 0;
  /**
   * The error of the last connect, when it failed in a way another attempt can't fix (a missing
   * command, a refused credential): until the backoff ends, callers get it at once instead of
   * waiting for an attempt that would fail the same way.
   */
  #lastPermanentFailure: McpClientError | undefined;
  /** Session closes in progress, including those of dead or failed sessions. */
  readonly #sessionCloses = new Set<Promise<void>>();
  readonly #events: ServerConnectionEvents;
  /** Counts of list changes (notifications, and new sessions after the first). */
  readonly #listVersions: Record<McpListName, number> = { tools: 0, prompts: 0, resources: 0 };
  /** Sessions established so far. */
  #sessionsOpened = 0;

  constructor(name: string, config: McpServerConfig, options: ServerConnectionOptions, events: ServerConnectionEvents = {}) {
    this.name = name;
    this.config = config;
    this.#options = options;
    this.#logger = options.logger;
    this.#events = events;
  }

  /** How often each list changed: `list_changed` notifications, and sessions after the first. */
  listVersions(): Record<McpListName, number> {
    return { ...this.#listVersions };
  }

  /** Counts a list change and tells the manager. */
  #listChanged(list: McpListName, reconnected: boolean): void {
    this.#listVersions[list] += 1;
    this.#logger.debug(reconnected ? `reconnected to MCP server "${this.name}": its ${list} may have changed` : `MCP server "${this.name}" changed its ${list} list`, {
      server: this.name,
      list,
      version: this.#listVersions[list],
    });
    this.#events.onListChanged?.(list, reconnected);
  }

  /** True once the manager closed. */
  get #closed(): boolean {
    return this.#options.closed.aborted;
  }

  /** The process id of a stdio server while it is connected, else undefined. */
  processId(): number | undefined {
    const session = this.#session;
    return session === undefined || session.closed ? undefined : session.transport.processId();
  }

  /**
   * Connects now instead of on first use (idempotent).
   *
   * @throws McpClientError `MCP_CONNECT_FAILED`, `MCP_SERVER_CONFIG` or `MCP_CONNECTION_LOST` (the manager closed).
   */
  async connect(): Promise<void> {
    await this.#sharedSession();
  }

  /**
   * The timeout of a request: the call's `timeoutMilliseconds`, else the server's
   * `read_timeout_seconds`, else the manager's `requestTimeoutMilliseconds`.
   */
  timeoutMilliseconds(limits: RequestLimits | undefined): number {
    if (limits?.timeoutMilliseconds !== undefined) return limits.timeoutMilliseconds;
    const configured = this.config.read_timeout_seconds;
    return configured === undefined ? this.#options.requestTimeoutMilliseconds : Math.round(configured * 1_000);
  }

  /**
   * Runs one request on the session (connecting first when needed), within its timeout, mapping
   * every failure to an `McpClientError`. The caller's signal reaches the SDK through a controller
   * of this call only, unlinked afterwards, so that a signal shared by many calls collects no
   * listeners.
   *
   * @param method The MCP method, for messages: `tools/call`.
   * @param target What the request is about, for messages: the tool, prompt or resource.
   * @param run Sends the request with the client, passing on the request options (timeout, signal).
   * @throws McpClientError `MCP_TIMEOUT`, `MCP_CONNECTION_LOST`, `MCP_PROTOCOL_ERROR`,
   *   `MCP_UNKNOWN_TOOL`, `MCP_CONNECT_FAILED`, `MCP_SERVER_CONFIG`; or the reason of an aborted signal.
   */
  async request<Result>(
    method: string,
    target: string | undefined,
    limits: RequestLimits | undefined,
    run: (client: Client, requestOptions: RequestOptions) => Promise<Result>,
  ): Promise<Result> {
    const signal = limits?.signal;
    signal?.throwIfAborted();
    const session = await this.#sessionFor(limits);
    const timeout = this.timeoutMilliseconds(limits);
    const requestOptions: RequestOptions = { timeout };
    let forwardAbort: (() => void) | undefined;
    if (signal !== undefined) {
      const controller = new AbortController();
      forwardAbort = () => controller.abort(signal.reason);
      signal.throwIfAborted();
      signal.addEventListener('abort', forwardAbort, { once: true });
      requestOptions.signal = controller.signal;
    }
    try {
      const result = await run(session.client, requestOptions);
      this.#markServed(session);
      return result;
    } catch (error) {
      if (signal?.aborted === true) throw signal.reason;
      if (McpClientError.is(error) || isServerAnswer(error)) this.#markServed(session);
      throw await this.#requestError(session, method, target, error, `${timeout} ms ${this.#timeoutSource(limits)}`);
    } finally {
      if (forwardAbort !== undefined) signal?.removeEventListener('abort', forwardAbort);
    }
  }

  /**
   * Closes the session and stops the server, once a connect in progress stopped, and waits for
   * sessions already being dropped. For the manager's close: the `closed` signal has aborted,
   * which is what stops a backoff wait or a connect in progress.
   */
  async close(): Promise<void> {
    // A connect in progress stops at once on the abort, and closes what it opened.
    await this.#connecting?.catch(() => undefined);
    const session = this.#session;
    this.#session = undefined;
    if (session !== undefined) await this.#closeSession(session);
    // Sessions dropped earlier (a dead server, a failed connect) may still be stopping.
    while (this.#sessionCloses.size > 0) await Promise.all(this.#sessionCloses);
  }

  // ---------------------------------------------------------------------------------------------

  /** Where a request's timeout came from, for messages. */
  #timeoutSource(limits: RequestLimits | undefined): string {
    if (limits?.timeoutMilliseconds !== undefined) return "(the call's timeoutMilliseconds)";
    const configured = this.config.read_timeout_seconds;
    return configured === undefined ? '(requestTimeoutMilliseconds)' : `(read_timeout_seconds: ${configured})`;
  }

  /** What every call gets once the manager closed. */
  #closedError(): McpClientError {
    return new McpClientError(
      'MCP_CONNECTION_LOST',
      this.name,
      `the MCP connection manager is closed; MCP server "${this.name}" is no longer reachable through it. Create a new manager.`,
      { retryable: false },
    );
  }

  /** What a call waiting for a connection gets when `close()` interrupts it: another process may retry. */
  #interruptedError(cause?: unknown): McpClientError {
    return new McpClientError(
      'MCP_CONNECTION_LOST',
      this.name,
      `connecting to MCP server "${this.name}" was interrupted: the MCP connection manager closed (this process is shutting down; retry elsewhere)`,
      { cause, retryable: true },
    );
  }

  /** The open session, connecting (once, for all concurrent callers) when needed. */
  async #sharedSession(): Promise<Session> {
    if (this.#closed) throw this.#closedError();
    const session = this.#session;
    if (session !== undefined && !session.closed) return session;
    // A config problem is raised as such, before (and without) any backoff.
    assertConnectableConfig(this.name, this.config);
    if (this.#connecting === undefined) {
      const connecting = this.#connectWithBackoff().finally(() => {
        if (this.#connecting === connecting) this.#connecting = undefined;
      });
      // Every caller may have stopped waiting (its own timeout or signal); the connect goes on.
      connecting.catch(() => undefined);
      this.#connecting = connecting;
    }
    return this.#connecting;
  }

  /**
   * The session for one call: the shared connect, waited for no longer than the call's own
   * `timeoutMilliseconds` and `signal` allow. Giving up does not stop the connect for others.
   */
  async #sessionFor(limits: RequestLimits | undefined): Promise<Session> {
    const open = this.#session;
    if (open !== undefined && !open.closed) return open;
    const limit = limits?.timeoutMilliseconds;
    const signal = limits?.signal;
    try {
      return await waitFor(this.#sharedSession(), { milliseconds: limit, signal });
    } catch (error) {
      if (!(error instanceof WaitInterruptedError)) throw error;
      if (error.by === 'signal') throw signal?.reason;
      const failures = this.#consecutiveFailures;
      const waitingFor =
        this.#retryAt > Date.now()
          ? `it is in the reconnect backoff after ${failures} failed attempt${failures === 1 ? '' : 's'}`
          : `connecting had not finished (connectTimeoutMilliseconds: ${this.#options.connectTimeoutMilliseconds})`;
      throw new McpClientError(
        'MCP_TIMEOUT',
        this.name,
        `MCP server "${this.name}" was not connected within ${limit} ms (the call's timeoutMilliseconds): ${waitingFor}. The connect goes on, so a later call may find the server connected; or pass a longer timeoutMilliseconds`,
        { cause: error, retryable: true },
      );
    }
  }

  async #connectWithBackoff(): Promise<Session> {
    const wait = this.#retryAt - Date.now();
    if (wait > 0 && this.#lastPermanentFailure !== undefined) throw this.#lastPermanentFailure;
    if (wait > 0) {
      this.#logger.debug(`waiting ${wait} ms before connecting to MCP server "${this.name}" again`, { server: this.name, attempt: this.#consecutiveFailures + 1 });
      await delay(wait, undefined, { signal: this.#options.closed }).catch(() => undefined);
    }
    if (this.#closed) throw this.#interruptedError();
    let session: Session;
    try {
      session = await this.#open();
    } catch (error) {
      if (this.#closed) throw this.#interruptedError(error);
      this.#lastPermanentFailure = McpClientError.is(error) && !error.retryable ? error : undefined;
      this.#countFailure(`could not connect to MCP server "${this.name}"`, error);
      throw error;
    }
    this.#lastPermanentFailure = undefined;
    if (this.#closed) {
      await this.#closeSession(session);
      throw this.#interruptedError();
    }
    if (this.#consecutiveFailures > 0) {
      this.#logger.info(`reconnected to MCP server "${this.name}"`, { server: this.name, attempts: this.#consecutiveFailures + 1 });
    }
    this.#session = session;
    this.#sessionsOpened += 1;
    const first = this.#sessionsOpened === 1;
    if (!first) for (const list of ['tools', 'prompts', 'resources'] as const) this.#listChanged(list, true);
    this.#events.onSessionOpened?.(first);
    return session;
  }

  /** Counts a failed attempt and pushes the next one back by the grown delay. */
  #countFailure(what: string, error: unknown): void {
    this.#consecutiveFailures += 1;
    const backoff = Math.min(this.#options.reconnectInitialDelayMilliseconds * 2 ** (this.#consecutiveFailures - 1), this.#options.reconnectMaximumDelayMilliseconds);
    this.#retryAt = Date.now() + backoff;
    this.#logger.warn(`${what}; next attempt in ${backoff} ms at the earliest`, {
      server: this.name,
      failures: this.#consecutiveFailures,
      ...(error === undefined ? {} : { error: messageOf(error) }),
    });
  }

  /** A session that answered a request proves the server works: the backoff starts over. */
  #markServed(session: Session): void {
    if (session.served) return;
    session.served = true;
    if (this.#session === session) {
      this.#consecutiveFailures = 0;
      this.#retryAt = 0;
    }
  }

  /**
   * A session lost before it answered any request counts as a failed connect, so that a server
   * that dies right after `initialize` is not restarted on every call without delay.
   */
  #noteLost(session: Session): void {
    if (this.#closed || !session.established || session.served || session.lossCounted) return;
    session.lossCounted = true;
    this.#countFailure(`MCP server "${this.name}" closed the connection before it answered a request`, undefined);
  }

  /**
   * Starts the transport and initializes a session, all within `connectTimeoutMilliseconds` and
   * until the manager closes, turning failures into `McpClientError`s.
   */
  async #open(): Promise<Session> {
    const server = this.name;
    const { connectTimeoutMilliseconds, serverLoggingLevel } = this.#options;
    const deadline = Date.now() + connectTimeoutMilliseconds;
    const serverTransport = createServerTransport(server, this.config, {
      stderrTailLines: this.#options.stderrTailLines,
      onStderrLine: (line) => this.#logger.debug(line, { server, stream: 'stderr' }),
      oauth: this.#options.oauth,
      logger: this.#logger,
    });
    const client = new Client(this.#options.clientInfo, { capabilities: clientCapabilities(this.config, this.#options.handlers, server), jsonSchemaValidator: schemaValidators });
    installClientRequestHandlers(client, server, this.config, this.#options.handlers, this.#logger);
    const session: Session = { client, transport: serverTransport, established: false, closed: false, closing: undefined, served: false, lossCounted: false };

    client.setNotificationHandler(LoggingMessageNotificationSchema, (notification) => {
      const { level, logger, data } = notification.params;
      const message =
        typeof data === 'string' ? data : typeof (data as { message?: unknown } | null)?.message === 'string' ? (data as { message: string }).message : JSON.stringify(data);
      this.#logger[LOG_LEVELS[level] ?? 'info'](message, { server, level, ...(logger === undefined ? {} : { logger }), data });
    });
    // Handlers of list changes and resource updates; a session being replaced says nothing more.
    const current = (): boolean => !session.closed && session.closing === undefined;
    client.setNotificationHandler(ToolListChangedNotificationSchema, () => {
      if (current()) this.#listChanged('tools', false);
    });
    client.setNotificationHandler(PromptListChangedNotificationSchema, () => {
      if (current()) this.#listChanged('prompts', false);
    });
    client.setNotificationHandler(ResourceListChangedNotificationSchema, () => {
      if (current()) this.#listChanged('resources', false);
    });
    client.setNotificationHandler(ResourceUpdatedNotificationSchema, (notification) => {
      if (current()) this.#events.onResourceUpdated?.(notification.params.uri);
    });
    client.onclose = () => {
      const wasOpen = !session.closed;
      session.closed = true;
      if (this.#session === session) this.#session = undefined;
      if (session.closing !== undefined || !session.established) return;
      // Stops what may be left of it (the rest of a stdio server's process group); `close()`
      // waits for that.
      void this.#discard(session);
      if (!wasOpen) return;
      const stderr = serverTransport.stderr;
      void (stderr === undefined ? Promise.resolve() : stderr.settled(500)).then(() => {
        const lines = stderr?.lines() ?? [];
        this.#logger.warn(`connection to MCP server "${server}" closed; the next call reconnects`, {
          server,
          ...(lines.length === 0 ? {} : { stderr: lines }),
        });
      });
    };
    client.onerror = (error) => {
      if (session.closed || session.closing !== undefined) return;
      this.#logger.debug(`MCP server "${server}" transport error: ${messageOf(error)}`, { server });
      if (serverTransport.kind === 'sse' && error instanceof SseError && this.#session === session) {
        // The event stream broke: the server is gone (a new GET would start an unrelated session).
        void this.#discard(session);
      } else if (serverTransport.kind === 'streamable_http' && isConnectionGone(error) && !refusedEventStream(error) && this.#session === session) {
        // A response stream broke. If the server is gone, fail the calls in flight now rather
        // than at their timeouts; if it answers a ping, carry on.
        client.ping({ timeout: Math.min(5_000, this.timeoutMilliseconds(undefined)) }).catch((pingError: unknown) => {
          // Refused for its credentials (a 401 mid-session): the server is there and every call
          // gets a non-retryable MCP_AUTH_FAILED saying what to do; the session is not "lost".
          if (isAuthFailure(pingError)) this.#logger.warn(messageOf(authFailureError(server, pingError, this.config)), { server });
          else void this.#discard(session);
        });
      }
    };

    // The SDK bounds `initialize` but not the start of a transport (an SSE server that never
    // sends its `endpoint` event), and `close()` cannot stop a start in progress: both limits
    // are raced here, and the transport is closed when either wins.
    const withinConnectLimits = <T>(promise: Promise<T>): Promise<T> => waitFor(promise, { milliseconds: deadline - Date.now(), signal: this.#options.closed });
    let step =
      serverTransport.kind === 'sse' ? 'send its "endpoint" event and answer initialize' : serverTransport.kind === 'stdio' ? 'start and answer initialize' : 'answer initialize';
    try {
      await withinConnectLimits(client.connect(serverTransport.transport, { timeout: connectTimeoutMilliseconds }));
      if (client.getServerCapabilities()?.logging !== undefined) {
        step = `answer logging/setLevel`;
        try {
          await withinConnectLimits(client.setLoggingLevel(serverLoggingLevel, { timeout: Math.max(1, deadline - Date.now()) }));
        } catch (error) {
          const refused = isServerAnswer(error) && !session.closed;
          if (!refused) throw error;
          this.#logger.warn(`MCP server "${server}" did not accept logging level "${serverLoggingLevel}": ${messageOf(error)}`, { server });
        }
      }
      // It may have died while it was being set up: do not keep a dead session.
      if (session.closed) throw new McpError(ErrorCode.ConnectionClosed, 'Connection closed');
    } catch (error) {
      // Not awaited: stopping a process takes up to two grace periods; `close()` waits for it.
      void this.#closeSession(session, false);
      if (this.#closed) throw error;
      throw await connectError(error, { server, config: this.config, step, connectTimeoutMilliseconds, stderr: () => stderrSuffix(serverTransport.stderr) });
    }
    session.established = true;
    this.#logger.debug(`connected to MCP server "${server}"`, {
      server,
      transport: serverTransport.kind,
      serverInfo: client.getServerVersion(),
      processId: serverTransport.processId(),
    });
    return session;
  }

  /** The `McpClientError` of a failed request; a lost connection is dropped so that the next call reconnects. */
  async #requestError(session: Session, method: string, target: string | undefined, error: unknown, timeout: string): Promise<McpClientError> {
    const server = this.name;
    if (McpClientError.is(error)) return error;
    const what = describeTarget(method, target);
    if (this.#closed) {
      void this.#discard(session);
      return new McpClientError('MCP_CONNECTION_LOST', server, `${what} to MCP server "${server}" was interrupted: the MCP connection manager closed`, {
        cause: error,
        retryable: true,
      });
    }
    const timedOut = requestTimeoutError(server, what, error, timeout);
    if (timedOut !== undefined) return timedOut;
    if (session.closed || isConnectionGone(error)) {
      // Not awaited: stopping a stubborn process group takes seconds; `close()` waits for it.
      void this.#discard(session);
      return connectionLostError(server, what, error, await stderrSuffix(session.transport.stderr));
    }
    return serverAnswerError(server, method, target, error);
  }

  /** Marks a session dead and closes it, so that the next call reconnects. */
  #discard(session: Session): Promise<void> {
    if (this.#session === session) this.#session = undefined;
    if (session.closing !== undefined) return session.closing;
    session.closed = true;
    this.#noteLost(session);
    return this.#closeSession(session, false);
  }

  /**
   * Closes a session (once; later calls get the same promise), ending an HTTP session politely
   * when `terminate` is set and the session is still open. `close()` waits for every such close.
   */
  #closeSession(session: Session, terminate = true): Promise<void> {
    if (session.closing !== undefined) return session.closing;
    // Deferred by a microtask so that `closing` is set before the transport's onclose can run.
    const closing = Promise.resolve().then(async () => {
      if (terminate && !session.closed) {
        // Ends an HTTP session politely; a dead server answers at once (connection refused).
        await waitFor(session.transport.terminate(), { milliseconds: TERMINATE_WAIT_MILLISECONDS }).catch(() => undefined);
      }
      session.closed = true;
      const failed = (error: unknown): void => {
        this.#logger.debug(`closing MCP server "${this.name}" failed: ${messageOf(error)}`, { server: this.name });
      };
      await session.client.close().catch(failed);
      // The client lets go of a transport that reported its close (a stdio server that exited by
      // itself) without closing it; closing it is what stops the rest of a stdio server's process
      // group, within bounded waits. Closing twice is harmless.
      await session.transport.transport.close().catch(failed);
    });
    session.closing = closing;
    this.#sessionCloses.add(closing);
    void closing.finally(() => this.#sessionCloses.delete(closing));
    return closing;
  }
}

/**
 * True for a server's 404 to the optional GET event stream ("Failed to open SSE stream: Not
 * Found"): the server offers no such stream, which says nothing about the session. A lost stream
 * reports a disconnect first.
 */
function refusedEventStream(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('Failed to open SSE stream') && /\b404\b|Not Found/.test(error.message);
}
