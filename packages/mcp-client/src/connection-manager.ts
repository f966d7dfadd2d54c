/**
 * Connections to the configured MCP servers: one lazily opened SDK `Client` per server, shared by
 * every caller in the process, bounded by request timeouts, reopened after the server dies (with
 * exponential backoff between failed attempts), and closed without leaving processes behind.
 */
import { existsSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';

import { createLogger, McpClientError, messageOf } from '@mcp-agent/core';
import type { Logger, McpContent, McpPromptResult, McpResourceResult, McpToolResult } from '@mcp-agent/core';
import type { McpCallToolRequest, McpPromptDescriptor, McpResourceDescriptor, McpService, McpToolDescriptor } from '@mcp-agent/core/engine';
import type { McpServerConfig } from '@mcp-agent/core/config';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SseError } from '@modelcontextprotocol/sdk/client/sse.js';
import type { RequestOptions } from '@modelcontextprotocol/sdk/shared/protocol.js';
import { ErrorCode, LoggingMessageNotificationSchema, McpError } from '@modelcontextprotocol/sdk/types.js';
import type { LoggingLevel, Progress } from '@modelcontextprotocol/sdk/types.js';

import { ServerRegistry } from './server-registry.js';
import type { McpServersInput } from './server-registry.js';
import { assertConnectableConfig, createServerTransport, HttpResponseTimeoutError } from './server-transport.js';
import type { ServerTransport } from './server-transport.js';
import { waitFor, WaitInterruptedError } from './wait.js';

/** The request timeout when neither the server's `read_timeout_seconds` nor the options set one. */
const DEFAULT_REQUEST_TIMEOUT_MILLISECONDS = 60_000;

/** The default limit of starting a server and its `initialize` handshake. */
const DEFAULT_CONNECT_TIMEOUT_MILLISECONDS = 60_000;

/** A tool call that keeps sending progress ends after this many times its timeout, by default. */
const MAX_TOTAL_TIMEOUT_FACTOR = 10;

/** How long `close()` waits for an HTTP server to acknowledge the end of its session. */
const TERMINATE_WAIT_MILLISECONDS = 1_000;

/**
 * Options of {@link McpConnectionManager} and {@link createMcpConnectionManager}.
 *
 * @example
 * ```ts
 * const options: McpConnectionManagerOptions = {
 *   servers: settings.mcp.servers,
 *   logger,
 *   requestTimeoutMilliseconds: 30_000,
 *   reconnectInitialDelayMilliseconds: 250,
 * };
 * ```
 */
export interface McpConnectionManagerOptions {
  /** The servers, as under `mcp.servers` (validated or as written), or a {@link ServerRegistry}. */
  servers: McpServersInput | ServerRegistry;
  /**
   * Receives connection events, server stderr lines (debug), logging notifications (at the mapped
   * level) and progress notifications (info), each with `{ server, ... }` data.
   * Default: core's `createLogger({ namespace: 'mcp-client' })`, which writes info and above to stderr.
   */
  logger?: Logger | undefined;
  /**
   * The timeout of every request to a server whose config has no `read_timeout_seconds`.
   * Default 60 000 (60 s). A server's `read_timeout_seconds` wins over it; a call's own
   * `timeoutMilliseconds` wins over both.
   */
  requestTimeoutMilliseconds?: number | undefined;
  /**
   * How long connecting may take: starting a server (a first `npx` run may download it) or
   * reaching it, its `initialize` handshake and `logging/setLevel`. Default 60 000 (60 s),
   * independent of the request timeout. Expiry raises a retryable `MCP_CONNECT_FAILED`.
   */
  connectTimeoutMilliseconds?: number | undefined;
  /** The wait before the second attempt after a failed connect; doubles after each failure. Default 500. */
  reconnectInitialDelayMilliseconds?: number | undefined;
  /** The longest wait between connect attempts. Default 30 000. */
  reconnectMaximumDelayMilliseconds?: number | undefined;
  /** The level asked of servers that have the logging capability (`logging/setLevel`). Default `info`. */
  serverLoggingLevel?: LoggingLevel | undefined;
  /** How many lines of a stdio server's stderr error messages quote. Default 20. */
  stderrTailLines?: number | undefined;
  /** The client name and version sent in `initialize`. Default `{ name: 'mcp-agent', version: '0.1.0' }`. */
  clientInfo?: { name: string; version: string } | undefined;
}

/**
 * Per-call options of {@link McpConnectionManager.callTool}.
 *
 * @example
 * ```ts
 * await manager.callTool({ server: 'fetch', tool: 'fetch', arguments: { url } }, { timeoutMilliseconds: 5_000, signal });
 * ```
 */
export interface McpCallOptions {
  /**
   * This call's timeout. It bounds the wait for a connection (a reconnect backoff, a connect in
   * progress), then the request itself, which each progress notification restarts.
   * Default: the server's `read_timeout_seconds`, else the manager's timeout; those bound the
   * request only, and the wait for a connection is bounded by `connectTimeoutMilliseconds`.
   */
  timeoutMilliseconds?: number | undefined;
  /**
   * The longest a call may run however much progress it reports. Default: 10 times the call's
   * timeout (so 10 minutes under the default 60 s timeout).
   */
  maxTotalTimeoutMilliseconds?: number | undefined;
  /**
   * Cancels the call, also while it waits for a connection (the server gets
   * `notifications/cancelled` for a request it received); the call rejects with the signal's
   * reason. A connect other calls share goes on.
   */
  signal?: AbortSignal | undefined;
  /** Receives the tool's progress notifications, in addition to the logger. */
  onProgress?: ((progress: Progress) => void) | undefined;
}

/** One connection. */
interface Session {
  readonly client: Client;
  readonly transport: ServerTransport;
  /** True once connecting completed (`initialize`, and `logging/setLevel` when offered). */
  established: boolean;
  /** True once the connection closed or was found dead; it is never used again. */
  closed: boolean;
  /** This manager's close of the session, once started: no warning is logged for it. */
  closing: Promise<void> | undefined;
  /** True once the server answered a request on this session. */
  served: boolean;
  /** True once its loss before serving anything was counted as a failed connect. */
  lossCounted: boolean;
}

/** What the manager knows about one server. */
interface ServerState {
  readonly name: string;
  readonly config: McpServerConfig;
  session: Session | undefined;
  /** The connect in progress, shared by concurrent callers. */
  connecting: Promise<Session> | undefined;
  /**
   * Failed connects, and sessions lost before they answered a request, since a session last
   * answered one.
   */
  consecutiveFailures: number;
  /** No connect attempt starts before this time (epoch milliseconds). */
  retryAt: number;
}

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

/** Node system error codes that mean the peer went away. */
const NETWORK_ERROR_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_SOCKET']);

/** HTTP statuses after which the same request may succeed later: timeouts, rate limits, server faults. */
function isRetryableHttpStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/** The message of an `isError` result by which the SDK's `McpServer` reports invalid params. */
const INVALID_PARAMS_RESULT_PREFIX = `MCP error ${ErrorCode.InvalidParams}:`;

/** How a server says it has no such tool (the SDK's `McpServer` and common low-level servers). */
const UNKNOWN_TOOL_PATTERN = /\btool\b[^\n]* (?:not found|disabled)|\bunknown tool\b/i;

/** An error and its causes, outermost first (at most five). */
function causeChain(error: unknown): unknown[] {
  const chain: unknown[] = [];
  for (let current = error; current !== undefined && current !== null && chain.length < 5; current = (current as { cause?: unknown }).cause) {
    chain.push(current);
  }
  return chain;
}

/** The system error code in an error or its causes (`fetch failed` hides it in `cause`). */
function systemErrorCode(error: unknown): string | undefined {
  for (const current of causeChain(error)) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}

/**
 * The HTTP status of a failed HTTP exchange: in `code` (`StreamableHTTPError`, `SseError`) or in
 * the message of the SSE transport's POST errors (`Error POSTing to endpoint (HTTP 429): ...`).
 */
function httpStatusOf(error: unknown): number | undefined {
  for (const current of causeChain(error)) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'number' && code >= 100 && code <= 599) return code;
    const posted = /^Error POSTing to endpoint \(HTTP (\d{3})\)/.exec(messageOf(current));
    if (posted?.[1] !== undefined) return Number(posted[1]);
  }
  return undefined;
}

/** The message of an error and its causes: `fetch failed: connect ECONNREFUSED 127.0.0.1:1`. */
function fullMessage(error: unknown): string {
  const parts: string[] = [];
  for (const current of causeChain(error)) {
    const message = messageOf(current);
    if (!parts.includes(message)) parts.push(message);
  }
  return parts.join(': ');
}

/** True for errors that mean the connection is gone rather than that the request was bad. */
function isConnectionGone(error: unknown): boolean {
  if (error instanceof McpError) return error.code === ErrorCode.ConnectionClosed;
  const code = systemErrorCode(error);
  if (code !== undefined && NETWORK_ERROR_CODES.has(code)) return true;
  // Streamable HTTP answers 404 for a session the server no longer knows (it restarted).
  if (httpStatusOf(error) === 404) return true;
  const message = messageOf(error);
  return message === 'Not connected' || message === 'fetch failed' || /SSE stream disconnected/.test(message);
}

/** True when the server answered (with a result or a JSON-RPC error), rather than failed to. */
function isServerAnswer(error: unknown): boolean {
  return error instanceof McpError && error.code !== ErrorCode.RequestTimeout && error.code !== ErrorCode.ConnectionClosed;
}

/** What a request was about, for messages: `tools/call "echo"`, or `tools/list`. */
function describeTarget(method: string, target: string | undefined): string {
  return target === undefined ? method : `${method} "${target}"`;
}

/** Copies the listed keys of `source` that are defined. */
function pick<Source extends object, Key extends keyof Source>(source: Source, keys: readonly Key[]): Partial<Pick<Source, Key>> {
  const result: Partial<Pick<Source, Key>> = {};
  for (const key of keys) {
    if (source[key] !== undefined) result[key] = source[key];
  }
  return result;
}

/**
 * The MCP servers of the config, as an {@link McpService}. Connects to a server on first use and
 * keeps one connection per server for the life of the process; concurrent first calls share one
 * connect.
 *
 * - Every request has a timeout (a call's `timeoutMilliseconds`, else the server's
 *   `read_timeout_seconds`, else the manager's `requestTimeoutMilliseconds`, default 60 s):
 *   expiry raises a retryable `MCP_TIMEOUT`. Progress restarts a tool call's timeout, up to
 *   `maxTotalTimeoutMilliseconds` (default 10 times the timeout). Connecting has its own
 *   `connectTimeoutMilliseconds`; a call's own `timeoutMilliseconds` and `signal` also bound its
 *   wait for a connection.
 * - When the server dies, calls in flight raise a retryable `MCP_CONNECTION_LOST` and the next
 *   call reconnects. Failed connects raise `MCP_CONNECT_FAILED` (a missing command at once,
 *   naming it; a server that exits during start with the tail of its stderr) and later attempts
 *   wait an exponentially growing delay (`reconnectInitialDelayMilliseconds`, doubled per
 *   failure, capped at `reconnectMaximumDelayMilliseconds`). A server that dies before it
 *   answered a request counts as a failed connect; the delay resets once a session answers one.
 * - A tool's own failure is a result with `isError: true`. Arguments the server rejects raise a
 *   non-retryable `MCP_PROTOCOL_ERROR` naming the server and the tool, with the server's
 *   message; this includes the `isError` results by which the SDK's `McpServer` reports invalid
 *   arguments (`MCP error -32602: ...`), since those are protocol errors in result form.
 * - `allowed_tools` limits `listTools`, and `callTool` of any other tool raises `MCP_UNKNOWN_TOOL`.
 * - Server logging and progress notifications go to the logger with `{ server, ... }` data.
 * - `close()` ends every session and every stdio server's process group.
 *
 * @example
 * ```ts
 * const manager = new McpConnectionManager({ servers: settings.mcp.servers, logger });
 * const tools = await manager.listTools('filesystem');
 * const result = await manager.callTool({ server: 'filesystem', tool: 'list_allowed_directories' });
 * await manager.close();
 * ```
 */
export class McpConnectionManager implements McpService {
  readonly #registry: ServerRegistry;
  readonly #logger: Logger;
  readonly #states = new Map<string, ServerState>();
  readonly #requestTimeoutMilliseconds: number;
  readonly #connectTimeoutMilliseconds: number;
  readonly #initialDelayMilliseconds: number;
  readonly #maximumDelayMilliseconds: number;
  readonly #serverLoggingLevel: LoggingLevel;
  readonly #stderrTailLines: number;
  readonly #clientInfo: { name: string; version: string };
  #closed = false;
  /** Aborted by `close()`: ends backoff waits and connects in progress. */
  readonly #closing = new AbortController();
  /** The one close of this manager, shared by every `close()` call. */
  #closeAll: Promise<void> | undefined;
  /** Session closes in progress, including those of dead or failed sessions. */
  readonly #sessionCloses = new Set<Promise<void>>();

  /**
   * @throws McpClientError `MCP_SERVER_CONFIG` when a server entry is invalid.
   * @throws RangeError when a timeout or delay option is not a positive number.
   */
  constructor(options: McpConnectionManagerOptions) {
    this.#registry = options.servers instanceof ServerRegistry ? options.servers : new ServerRegistry(options.servers);
    this.#logger = options.logger ?? createLogger({ namespace: 'mcp-client' });
    this.#requestTimeoutMilliseconds = positive('requestTimeoutMilliseconds', options.requestTimeoutMilliseconds, DEFAULT_REQUEST_TIMEOUT_MILLISECONDS);
    this.#connectTimeoutMilliseconds = positive('connectTimeoutMilliseconds', options.connectTimeoutMilliseconds, DEFAULT_CONNECT_TIMEOUT_MILLISECONDS);
    this.#initialDelayMilliseconds = positive('reconnectInitialDelayMilliseconds', options.reconnectInitialDelayMilliseconds, 500);
    this.#maximumDelayMilliseconds = Math.max(
      this.#initialDelayMilliseconds,
      positive('reconnectMaximumDelayMilliseconds', options.reconnectMaximumDelayMilliseconds, 30_000),
    );
    this.#serverLoggingLevel = options.serverLoggingLevel ?? 'info';
    this.#stderrTailLines = positive('stderrTailLines', options.stderrTailLines, 20);
    this.#clientInfo = options.clientInfo ?? { name: 'mcp-agent', version: '0.1.0' };
  }

  /** The registry of configured servers. */
  get registry(): ServerRegistry {
    return this.#registry;
  }

  /** The configured server names, in configuration order. */
  serverNames(): string[] {
    return this.#registry.names;
  }

  /**
   * The process id of a stdio server while it is connected, else undefined. The server runs in a
   * process group of its own whose id is this process id. For diagnostics and tests.
   *
   * @throws McpClientError `MCP_UNKNOWN_SERVER` for a name that is not configured.
   */
  processId(server: string): number | undefined {
    const session = this.#state(server).session;
    return session === undefined || session.closed ? undefined : session.transport.processId();
  }

  /**
   * Connects to the server now instead of on first use (idempotent).
   *
   * @throws McpClientError `MCP_CONNECT_FAILED`, `MCP_SERVER_CONFIG`, `MCP_CONNECTION_LOST`
   *   (the manager closed) or `MCP_UNKNOWN_SERVER`.
   */
  async connect(server: string): Promise<void> {
    await this.#session(this.#state(server));
  }

  /**
   * The server's tools that `allowed_tools` lets through, descriptions and schemas as sent.
   *
   * @example
   * ```ts
   * const names = (await manager.listTools('filesystem')).map((tool) => tool.name);
   * ```
   */
  async listTools(server: string): Promise<McpToolDescriptor[]> {
    const state = this.#state(server);
    return this.#request(state, 'tools/list', undefined, undefined, async (session, requestOptions) => {
      if (session.client.getServerCapabilities()?.tools === undefined) return [];
      const descriptors: McpToolDescriptor[] = [];
      let cursor: string | undefined;
      do {
        const page = await session.client.listTools(cursor === undefined ? {} : { cursor }, requestOptions);
        for (const tool of page.tools) {
          descriptors.push({
            server,
            name: tool.name,
            inputSchema: tool.inputSchema,
            ...pick(tool, ['title', 'description', 'outputSchema', 'annotations'] as const),
          });
        }
        cursor = page.nextCursor;
      } while (cursor !== undefined);
      return this.#registry.filterTools(server, descriptors);
    });
  }

/**
   * Calls a tool. The result keeps the server's content items (text, image, audio, embedded
   * resources, links) as sent; `isError: true` is the tool's own failure.
   *
   * @throws McpClientError `MCP_UNKNOWN_SERVER`, `MCP_UNKNOWN_TOOL` (not in `allowed_tools`, or
   *   unknown to the server), `MCP_PROTOCOL_ERROR` (e.g. invalid arguments), `MCP_TIMEOUT` (also
   *   when `timeoutMilliseconds` passes while waiting for a connection), `MCP_CONNECTION_LOST`,
   *   `MCP_CONNECT_FAILED`, `MCP_SERVER_CONFIG`; or the reason of an aborted `signal`.
   *
   * @example
   * ```ts
   * const result = await manager.callTool({ server: 'everything', tool: 'echo', arguments: { message: 'hi' } });
   * if (!result.isError) console.log(result.content);
   * ```
   */
  async callTool(request: McpCallToolRequest, options: McpCallOptions = {}): Promise<McpToolResult> {
    const state = this.#state(request.server);
    if (!this.#registry.isToolAllowed(request.server, request.tool)) {
      throw new McpClientError(
        'MCP_UNKNOWN_TOOL',
        request.server,
        `tool "${request.tool}" of MCP server "${request.server}" is not in its allowed_tools (${(this.#registry.allowedTools(request.server) ?? []).join(', ') || '(none)'}); ` +
          `add it to mcp.servers.${request.server}.allowed_tools or call an allowed tool`,
      );
    }
    const onProgress = (progress: Progress): void => {
      this.#logger.info(progress.message ?? `progress ${progress.progress}${progress.total === undefined ? '' : `/${progress.total}`}`, {
        server: request.server,
        tool: request.tool,
        progress: progress.progress,
        total: progress.total,
        message: progress.message,
      });
      options.onProgress?.(progress);
    };
    return this.#request(state, 'tools/call', request.tool, options, async (session, requestOptions) => {
      const timeout = requestOptions.timeout ?? this.#requestTimeoutMilliseconds;
      const result = await session.client.callTool({ name: request.tool, arguments: request.arguments ?? {} }, undefined, {
        ...requestOptions,
        onprogress: onProgress,
        resetTimeoutOnProgress: true,
        // Without it, a server that keeps sending progress would never time out.
        maxTotalTimeout: options.maxTotalTimeoutMilliseconds ?? timeout * MAX_TOTAL_TIMEOUT_FACTOR,
      });
      const content = (Array.isArray(result.content) ? result.content : []) as McpContent[];
      if (result.isError === true) this.#throwIfInvalidParams(request, content);
      const toolResult: McpToolResult = { content, isError: result.isError === true };
      const structured = result.structuredContent;
      if (typeof structured === 'object' && structured !== null) toolResult.structuredContent = structured as Record<string, unknown>;
      return toolResult;
    });
  }

  /** The server's prompts (none when it lacks the prompts capability). */
  async listPrompts(server: string): Promise<McpPromptDescriptor[]> {
    const state = this.#state(server);
    return this.#request(state, 'prompts/list', undefined, undefined, async (session, requestOptions) => {
      if (session.client.getServerCapabilities()?.prompts === undefined) return [];
      const descriptors: McpPromptDescriptor[] = [];
      let cursor: string | undefined;
      do {
        const page = await session.client.listPrompts(cursor === undefined ? {} : { cursor }, requestOptions);
        for (const prompt of page.prompts) {
          descriptors.push({ server, name: prompt.name, ...pick(prompt, ['title', 'description', 'arguments'] as const) });
        }
        cursor = page.nextCursor;
      } while (cursor !== undefined);
      return descriptors;
    });
  }

  /**
   * A prompt filled in with arguments.
   *
   * @example
   * ```ts
   * const { messages } = await manager.getPrompt({ server: 'everything', name: 'simple-prompt' });
   * ```
   */
  async getPrompt(request: { server: string; name: string; arguments?: Record<string, string> | undefined }): Promise<McpPromptResult> {
    const state = this.#state(request.server);
    return this.#request(state, 'prompts/get', request.name, undefined, async (session, requestOptions) => {
      const result = await session.client.getPrompt(
        { name: request.name, ...(request.arguments === undefined ? {} : { arguments: request.arguments }) },
        requestOptions,
      );
      const prompt: McpPromptResult = { messages: result.messages.map((message) => ({ role: message.role, content: message.content as McpContent })) };
      if (result.description !== undefined) prompt.description = result.description;
      return prompt;
    });
  }

  /** The server's resources (none when it lacks the resources capability). */
  async listResources(server: string): Promise<McpResourceDescriptor[]> {
    const state = this.#state(server);
    return this.#request(state, 'resources/list', undefined, undefined, async (session, requestOptions) => {
      if (session.client.getServerCapabilities()?.resources === undefined) return [];
      const descriptors: McpResourceDescriptor[] = [];
      let cursor: string | undefined;
      do {
        const page = await session.client.listResources(cursor === undefined ? {} : { cursor }, requestOptions);
        for (const resource of page.resources) {
          descriptors.push({ server, uri: resource.uri, name: resource.name, ...pick(resource, ['title', 'description', 'mimeType'] as const) });
        }
        cursor = page.nextCursor;
      } while (cursor !== undefined);
      return descriptors;
    });
  }

  /**
   * A resource's contents: text items and base64 `blob` items, as sent.
   *
   * @example
   * ```ts
   * const { contents } = await manager.readResource({ server: 'docs', uri: 'docs://readme' });
   * ```
   */
  async readResource(request: { server: string; uri: string }): Promise<McpResourceResult> {
    const state = this.#state(request.server);
    return this.#request(state, 'resources/read', request.uri, undefined, async (session, requestOptions) => {
      const result = await session.client.readResource({ uri: request.uri }, requestOptions);
      return { contents: result.contents as McpResourceResult['contents'] };
    });
  }

  /**
   * Closes every session and stops every server process it started (stdin closed, then SIGTERM,
   * then SIGKILL to the server's process group, for processes that ignore both), including
   * sessions being opened or already being dropped. Calls in flight and calls waiting for a
   * connection raise a retryable `MCP_CONNECTION_LOST`; later calls raise a non-retryable one.
   * Every call of `close()` returns the same promise; it settles in bounded time.
   */
  close(): Promise<void> {
    this.#closeAll ??= this.#closeEverything();
    return this.#closeAll;
  }

  async #closeEverything(): Promise<void> {
    this.#closed = true;
    this.#closing.abort();
    await Promise.all(
      [...this.#states.values()].map(async (state) => {
        // A connect in progress stops at once on the abort, and closes what it opened.
        await state.connecting?.catch(() => undefined);
        const session = state.session;
        state.session = undefined;
        if (session !== undefined) await this.#closeSession(state, session);
      }),
    );
    // Sessions dropped earlier (a dead server, a failed connect) may still be stopping.
    while (this.#sessionCloses.size > 0) await Promise.all(this.#sessionCloses);
  }

  // ---------------------------------------------------------------------------------------------

  #state(server: string): ServerState {
    let state = this.#states.get(server);
    if (state === undefined) {
      state = { name: server, config: this.#registry.get(server), session: undefined, connecting: undefined, consecutiveFailures: 0, retryAt: 0 };
      this.#states.set(server, state);
    }
    return state;
  }

  #timeoutMilliseconds(state: ServerState, options: McpCallOptions | undefined): number {
    if (options?.timeoutMilliseconds !== undefined) return options.timeoutMilliseconds;
    const configured = state.config.read_timeout_seconds;
    return configured === undefined ? this.#requestTimeoutMilliseconds : Math.round(configured * 1_000);
  }

  #closedError(server: string): McpClientError {
    return new McpClientError('MCP_CONNECTION_LOST', server, `the MCP connection manager is closed; MCP server "${server}" is no longer reachable through it. Create a new manager.`, {
      retryable: false,
    });
  }

  /** What a call waiting for a connection gets when `close()` interrupts it: another process may retry. */
  #interruptedError(server: string, cause?: unknown): McpClientError {
    return new McpClientError(
      'MCP_CONNECTION_LOST',
      server,
      `connecting to MCP server "${server}" was interrupted: the MCP connection manager closed (this process is shutting down; retry elsewhere)`,
      { cause, retryable: true },
    );
  }

  /** The open session of a server, connecting (once, for all concurrent callers) when needed. */
  async #session(state: ServerState): Promise<Session> {
    if (this.#closed) throw this.#closedError(state.name);
    const session = state.session;
    if (session !== undefined && !session.closed) return session;
    // A config problem is raised as such, before (and without) any backoff.
    assertConnectableConfig(state.name, state.config);
    if (state.connecting === undefined) {
      const connecting = this.#connectWithBackoff(state).finally(() => {
        if (state.connecting === connecting) state.connecting = undefined;
      });
      // Every caller may have stopped waiting (its own timeout or signal); the connect goes on.
      connecting.catch(() => undefined);
      state.connecting = connecting;
    }
    return state.connecting;
  }

  /**
   * The session for one call: the shared connect, waited for no longer than the call's own
   * `timeoutMilliseconds` and `signal` allow. Giving up does not stop the connect for others.
   */
  async #sessionFor(state: ServerState, options: McpCallOptions | undefined): Promise<Session> {
    const open = state.session;
    if (open !== undefined && !open.closed) return open;
    const limit = options?.timeoutMilliseconds;
    const signal = options?.signal;
    try {
      return await waitFor(this.#session(state), { milliseconds: limit, signal });
    } catch (error) {
      if (!(error instanceof WaitInterruptedError)) throw error;
      if (error.by === 'signal') throw signal?.reason;
      const waitingFor =
        state.retryAt > Date.now()
          ? `it is in the reconnect backoff after ${state.consecutiveFailures} failed attempt${state.consecutiveFailures === 1 ? '' : 's'}`
          : `connecting had not finished (connectTimeoutMilliseconds: ${this.#connectTimeoutMilliseconds})`;
      throw new McpClientError(
        'MCP_TIMEOUT',
        state.name,
        `MCP server "${state.name}" was not connected within ${limit} ms (the call's timeoutMilliseconds): ${waitingFor}. The connect goes on, so a later call may find the server connected; or pass a longer timeoutMilliseconds`,
        { cause: error, retryable: true },
      );
    }
  }

  async #connectWithBackoff(state: ServerState): Promise<Session> {
    const wait = state.retryAt - Date.now();
    if (wait > 0) {
      this.#logger.debug(`waiting ${wait} ms before connecting to MCP server "${state.name}" again`, { server: state.name, attempt: state.consecutiveFailures + 1 });
      await delay(wait, undefined, { signal: this.#closing.signal }).catch(() => undefined);
    }
    if (this.#closed) throw this.#interruptedError(state.name);
    let session: Session;
    try {
      session = await this.#open(state);
    } catch (error) {
      if (this.#closed) throw this.#interruptedError(state.name, error);
      this.#countFailure(state, `could not connect to MCP server "${state.name}"`, error);
      throw error;
    }
    if (this.#closed) {
      await this.#closeSession(state, session);
      throw this.#interruptedError(state.name);
    }
    if (state.consecutiveFailures > 0) {
      this.#logger.info(`reconnected to MCP server "${state.name}"`, { server: state.name, attempts: state.consecutiveFailures + 1 });
    }
    state.session = session;
    return session;
  }

  /** Counts a failed attempt and pushes the next one back by the grown delay. */
  #countFailure(state: ServerState, what: string, error: unknown): void {
    state.consecutiveFailures += 1;
    const backoff = Math.min(this.#initialDelayMilliseconds * 2 ** (state.consecutiveFailures - 1), this.#maximumDelayMilliseconds);
    state.retryAt = Date.now() + backoff;
    this.#logger.warn(`${what}; next attempt in ${backoff} ms at the earliest`, {
      server: state.name,
      failures: state.consecutiveFailures,
      ...(error === undefined ? {} : { error: messageOf(error) }),
    });
  }

  /** A session that answered a request proves the server works: the backoff starts over. */
  #markServed(state: ServerState, session: Session): void {
    if (session.served) return;
    session.served = true;
    if (state.session === session) {
      state.consecutiveFailures = 0;
      state.retryAt = 0;
    }
  }

  /**
   * A session lost before it answered any request counts as a failed connect, so that a server
   * that dies right after `initialize` is not restarted on every call without delay.
   */
  #noteLost(state: ServerState, session: Session): void {
    if (this.#closed || !session.established || session.served || session.lossCounted) return;
    session.lossCounted = true;
    this.#countFailure(state, `MCP server "${state.name}" closed the connection before it answered a request`, undefined);
  }

  /**
   * Starts the transport and initializes a session, all within `connectTimeoutMilliseconds` and
   * until `close()`, turning failures into `McpClientError`s.
   */
  async #open(state: ServerState): Promise<Session> {
    const server = state.name;
    const deadline = Date.now() + this.#connectTimeoutMilliseconds;
    const serverTransport = createServerTransport(server, state.config, {
      stderrTailLines: this.#stderrTailLines,
      onStderrLine: (line) => this.#logger.debug(line, { server, stream: 'stderr' }),
    });
    const client = new Client(this.#clientInfo, { capabilities: {} });
    const session: Session = { client, transport: serverTransport, established: false, closed: false, closing: undefined, served: false, lossCounted: false };

    client.setNotificationHandler(LoggingMessageNotificationSchema, (notification) => {
      const { level, logger, data } = notification.params;
      const message = typeof data === 'string' ? data : typeof (data as { message?: unknown } | null)?.message === 'string' ? (data as { message: string }).message : JSON.stringify(data);
      this.#logger[LOG_LEVELS[level] ?? 'info'](message, { server, level, ...(logger === undefined ? {} : { logger }), data });
    });
    client.onclose = () => {
      const wasOpen = !session.closed;
      session.closed = true;
      if (state.session === session) state.session = undefined;
      if (session.closing !== undefined || !session.established) return;
      // Stops what may be left of it (the rest of a stdio server's process group); `close()`
      // waits for that.
      void this.#discard(state, session);
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
      if (serverTransport.kind === 'sse' && error instanceof SseError && state.session === session) {
        // The event stream broke: the server is gone (a new GET would start an unrelated session).
        void this.#discard(state, session);
      } else if (serverTransport.kind === 'streamable_http' && isConnectionGone(error) && state.session === session) {
        // A response stream broke. If the server is gone, fail the calls in flight now rather
        // than at their timeouts; if it answers a ping, carry on.
        client.ping({ timeout: Math.min(5_000, this.#timeoutMilliseconds(state, undefined)) }).catch(() => this.#discard(state, session));
      }
    };

    // The SDK bounds `initialize` but not the start of a transport (an SSE server that never
    // sends its `endpoint` event), and `close()` cannot stop a start in progress: both limits
    // are raced here, and the transport is closed when either wins.
    const withinConnectLimits = <T>(promise: Promise<T>): Promise<T> =>
      waitFor(promise, { milliseconds: deadline - Date.now(), signal: this.#closing.signal });
    let step = serverTransport.kind === 'sse' ? 'send its "endpoint" event and answer initialize' : serverTransport.kind === 'stdio' ? 'start and answer initialize' : 'answer initialize';
    try {
      await withinConnectLimits(client.connect(serverTransport.transport, { timeout: this.#connectTimeoutMilliseconds }));
      if (client.getServerCapabilities()?.logging !== undefined) {
        step = `answer logging/setLevel`;
        try {
          await withinConnectLimits(client.setLoggingLevel(this.#serverLoggingLevel, { timeout: Math.max(1, deadline - Date.now()) }));
        } catch (error) {
          const refused = isServerAnswer(error) && !session.closed;
          if (!refused) throw error;
          this.#logger.warn(`MCP server "${server}" did not accept logging level "${this.#serverLoggingLevel}": ${messageOf(error)}`, { server });
        }
      }
      // It may have died while it was being set up: do not keep a dead session.
      if (session.closed) throw new McpError(ErrorCode.ConnectionClosed, 'Connection closed');
    } catch (error) {
      // Not awaited: stopping a process takes up to two grace periods; `close()` waits for it.
      void this.#closeSession(state, session, false);
      if (this.#closed) throw error;
      throw await this.#connectError(state, serverTransport, error, step);
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

  /** The error of a failed connect: what went wrong, with the command or URL and the fix. */
  async #connectError(state: ServerState, serverTransport: ServerTransport, error: unknown, step: string): Promise<McpClientError> {
    const server = state.name;
    const config = state.config;
    if (McpClientError.is(error)) return error;
    const timedOut = (error instanceof WaitInterruptedError && error.by === 'timeout') || (error instanceof McpError && error.code === ErrorCode.RequestTimeout);
    if (timedOut) {
      return new McpClientError(
        'MCP_CONNECT_FAILED',
        server,
        `MCP server "${server}" did not ${step} within ${this.#connectTimeoutMilliseconds} ms (connectTimeoutMilliseconds); ` +
          `check that it starts and speaks MCP on ${config.transport === 'stdio' ? 'stdout' : `${config.url} (${config.transport})`}, or raise connectTimeoutMilliseconds` +
          (await this.#stderrSuffix(serverTransport)),
        { cause: error, retryable: true },
      );
    }
    if (config.transport === 'stdio') {
      const code = systemErrorCode(error);
      if (code === 'ENOENT' || code === 'EACCES') {
        const cwdMissing = config.cwd !== undefined && !existsSync(config.cwd);
        const problem = cwdMissing
          ? `its working directory "${config.cwd}" (mcp.servers.${server}.cwd) does not exist; create it or fix cwd`
          : code === 'ENOENT'
            ? `command "${config.command}" was not found; install it or fix mcp.servers.${server}.command (it must be on the PATH or an absolute path)`
            : `command "${config.command}" is not executable; fix its permissions or mcp.servers.${server}.command`;
        return new McpClientError('MCP_CONNECT_FAILED', server, `could not start MCP server "${server}": ${problem}`, { cause: error, retryable: false });
      }
      const stderr = await this.#stderrSuffix(serverTransport);
      const exited = error instanceof McpError && error.code === ErrorCode.ConnectionClosed;
      return new McpClientError(
        'MCP_CONNECT_FAILED',
        server,
        exited
          ? `MCP server "${server}" (command "${config.command}") exited during start; check its command, args and env` + (stderr === '' ? ' (it wrote nothing to stderr)' : stderr)
          : `could not start MCP server "${server}" (command "${config.command}"): ${fullMessage(error)}` + stderr,
        { cause: error, retryable: true },
      );
    }
    const status = httpStatusOf(error);
    const unauthorized = status === 401 || status === 403 || /\b401\b|\b403\b|Unauthorized/i.test(fullMessage(error));
    return new McpClientError(
      'MCP_CONNECT_FAILED',
      server,
      `could not connect to MCP server "${server}" at ${config.url} (${config.transport}): ${fullMessage(error)}; ` +
        (unauthorized
          ? `check mcp.servers.${server}.headers (credentials)`
          : `check that the server is running and that mcp.servers.${server}.url and transport are right`),
      { cause: error, retryable: !unauthorized },
    );
  }

  /** `; last stderr lines:\n  ...` for a stdio server that wrote any, else ''. */
  async #stderrSuffix(serverTransport: ServerTransport): Promise<string> {
    const stderr = serverTransport.stderr;
    if (stderr === undefined) return '';
    await stderr.settled(500);
    const lines = stderr.lines();
    return lines.length === 0 ? '' : `; last ${lines.length} line${lines.length === 1 ? '' : 's'} of its stderr:\n${lines.map((line) => `  ${line}`).join('\n')}`;
  }

  /**
   * Runs one request on the server's session, mapping every failure to an `McpClientError`. The
   * caller's signal reaches the SDK through a controller of this call only, unlinked afterwards,
   * so that a signal shared by many calls collects no listeners.
   */
  async #request<Result>(
    state: ServerState,
    method: string,
    target: string | undefined,
    options: McpCallOptions | undefined,
    run: (session: Session, requestOptions: RequestOptions) => Promise<Result>,
  ): Promise<Result> {
    const signal = options?.signal;
    signal?.throwIfAborted();
    const session = await this.#sessionFor(state, options);
    const timeout = this.#timeoutMilliseconds(state, options);
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
      const result = await run(session, requestOptions);
      this.#markServed(state, session);
      return result;
    } catch (error) {
      if (signal?.aborted === true) throw signal.reason;
      if (McpClientError.is(error) || isServerAnswer(error)) this.#markServed(state, session);
      throw await this.#requestError(state, session, method, target, error, `${timeout} ms ${this.#timeoutSource(state, options)}`);
    } finally {
      if (forwardAbort !== undefined) signal?.removeEventListener('abort', forwardAbort);
    }
  }

  /** Where a request's timeout came from, for messages. */
  #timeoutSource(state: ServerState, options: McpCallOptions | undefined): string {
    if (options?.timeoutMilliseconds !== undefined) return "(the call's timeoutMilliseconds)";
    const configured = state.config.read_timeout_seconds;
    return configured === undefined ? '(requestTimeoutMilliseconds)' : `(read_timeout_seconds: ${configured})`;
  }

  async #requestError(state: ServerState, session: Session, method: string, target: string | undefined, error: unknown, timeout: string): Promise<unknown> {
    const server = state.name;
    if (McpClientError.is(error)) return error;
    const what = describeTarget(method, target);
    if (this.#closed) {
      void this.#discard(state, session);
      return new McpClientError('MCP_CONNECTION_LOST', server, `${what} to MCP server "${server}" was interrupted: the MCP connection manager closed`, {
        cause: error,
        retryable: true,
      });
    }
    if (error instanceof McpError && error.code === ErrorCode.RequestTimeout) {
      const maxTotalTimeout = (error.data as { maxTotalTimeout?: unknown } | undefined)?.maxTotalTimeout;
      return new McpClientError(
        'MCP_TIMEOUT',
        server,
        typeof maxTotalTimeout === 'number'
          ? `MCP server "${server}" kept sending progress but did not answer ${what} within ${maxTotalTimeout} ms in total (maxTotalTimeoutMilliseconds, default 10 times the timeout); ` +
              'pass a larger maxTotalTimeoutMilliseconds for an operation that long'
          : `MCP server "${server}" did not answer ${what} within ${timeout}; the server may be hung or the operation slow: raise mcp.servers.${server}.read_timeout_seconds or pass a longer timeoutMilliseconds`,
        { cause: error, retryable: true },
      );
    }
    const responseTimeout = causeChain(error).find((cause) => cause instanceof HttpResponseTimeoutError);
    if (responseTimeout !== undefined) {
      return new McpClientError('MCP_TIMEOUT', server, `${what}: ${messageOf(responseTimeout)}`, { cause: error, retryable: true });
    }
    if (session.closed || isConnectionGone(error)) {
      // Not awaited: stopping a stubborn process group takes seconds; `close()` waits for it.
      void this.#discard(state, session);
      const stderr = await this.#stderrSuffix(session.transport);
      return new McpClientError(
        'MCP_CONNECTION_LOST',
        server,
        `lost the connection to MCP server "${server}" during ${what}: ${fullMessage(error)}; the next call reconnects` + stderr,
        { cause: error, retryable: true },
      );
    }
    if (error instanceof McpError) {
      if (method === 'tools/call' && error.code === ErrorCode.InvalidParams && UNKNOWN_TOOL_PATTERN.test(error.message)) {
        return unknownToolError(server, target ?? '', error.message, error);
      }
      const invalid = error.code === ErrorCode.InvalidParams;
      // A JSON-RPC error, InternalError (-32603) included, is the server's answer: the same
      // request most likely fails the same way again.
      return new McpClientError(
        'MCP_PROTOCOL_ERROR',
        server,
        `MCP server "${server}" rejected ${what}: ${error.message}` +
          (invalid && method === 'tools/call' ? `; fix the arguments to match the inputSchema of tool "${target}"` : ''),
        { cause: error, retryable: false },
      );
    }
    const status = httpStatusOf(error);
    if (status !== undefined) {
      return new McpClientError('MCP_PROTOCOL_ERROR', server, `MCP server "${server}" failed ${what} with HTTP ${status}: ${fullMessage(error)}`, {
        cause: error,
        retryable: isRetryableHttpStatus(status),
      });
    }
    return new McpClientError('MCP_PROTOCOL_ERROR', server, `MCP server "${server}" sent an unusable answer to ${what}: ${fullMessage(error)}`, {
      cause: error,
      retryable: false,
    });
  }

  /**
   * The SDK's `McpServer` answers invalid arguments and unknown tools with an `isError` result
   * whose only text starts `MCP error -32602:`. Those are protocol errors, not the tool's own
   * failure: raise them as such.
   */
  #throwIfInvalidParams(request: McpCallToolRequest, content: McpContent[]): void {
    const first = content[0];
    if (content.length !== 1 || first === undefined || first.type !== 'text' || typeof first['text'] !== 'string') return;
    const text = first['text'];
    if (!text.startsWith(INVALID_PARAMS_RESULT_PREFIX)) return;
    if (UNKNOWN_TOOL_PATTERN.test(text)) throw unknownToolError(request.server, request.tool, text, undefined);
    throw new McpClientError(
      'MCP_PROTOCOL_ERROR',
      request.server,
      `MCP server "${request.server}" rejected the arguments of tool "${request.tool}": ${text}; fix the arguments to match the tool's inputSchema`,
      { retryable: false },
    );
  }

  /** Marks a session dead and closes it, so that the next call reconnects. */
  #discard(state: ServerState, session: Session): Promise<void> {
    if (state.session === session) state.session = undefined;
    if (session.closing !== undefined) return session.closing;
    session.closed = true;
    this.#noteLost(state, session);
    return this.#closeSession(state, session, false);
  }

  /**
   * Closes a session (once; later calls get the same promise), ending an HTTP session politely
   * when `terminate` is set and the session is still open. `close()` waits for every such close.
   */
  #closeSession(state: ServerState, session: Session, terminate = true): Promise<void> {
    if (session.closing !== undefined) return session.closing;
    // Deferred by a microtask so that `closing` is set before the transport's onclose can run.
    const closing = Promise.resolve().then(async () => {
      if (terminate && !session.closed) {
        // Ends an HTTP session politely; a dead server answers at once (connection refused).
        await waitFor(session.transport.terminate(), { milliseconds: TERMINATE_WAIT_MILLISECONDS }).catch(() => undefined);
      }
      session.closed = true;
      const failed = (error: unknown): void => {
        this.#logger.debug(`closing MCP server "${state.name}" failed: ${messageOf(error)}`, { server: state.name });
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

function unknownToolError(server: string, tool: string, serverMessage: string, cause: unknown): McpClientError {
  return new McpClientError(
    'MCP_UNKNOWN_TOOL',
    server,
    `MCP server "${server}" has no tool "${tool}" (it said: ${serverMessage}); call listTools("${server}") for its tools`,
    { cause, retryable: false },
  );
}

function positive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!(typeof value === 'number' && Number.isFinite(value) && value > 0)) {
    throw new RangeError(`McpConnectionManager option ${name}: expected a positive number, got ${String(value)}`);
  }
  return value;
}

/**
 * Creates an {@link McpConnectionManager}.
 *
 * @example
 * ```ts
 * const manager = createMcpConnectionManager({
 *   servers: { filesystem: { command: 'npx', args: ['-y', '@modelcontextprotocol/server-filesystem', '/tmp'] } },
 *   logger: createLogger({ level: 'debug' }),
 * });
 * ```
 */
export function createMcpConnectionManager(options: McpConnectionManagerOptions): McpConnectionManager {
  return new McpConnectionManager(options);
}
