/**
 * The configured MCP servers as an `McpService`: one {@link ServerConnection} per server, opened
 * on first use and shared by every caller in the process, and closed together. The connections
 * do the connecting, reconnecting and timing out; this file maps the service's operations to MCP
 * requests and holds the options.
 */
import { createLogger, McpClientError } from '@mcp-agent/core';
import type { Logger, McpContent, McpPromptResult, McpResourceResult, McpToolResult } from '@mcp-agent/core';
import type { McpCallToolRequest, McpPromptDescriptor, McpResourceDescriptor, McpService, McpToolDescriptor } from '@mcp-agent/core/engine';
import type { LoggingLevel, Progress } from '@modelcontextprotocol/sdk/types.js';

import type { McpOAuthOptions } from './auth/index.js';
import type { ElicitationHandler, SamplingHandler } from './client-requests.js';
import { invalidParamsResultError } from './error-classification.js';
import { ServerConnection } from './server-connection.js';
import type { ServerConnectionOptions } from './server-connection.js';
import { ServerRegistry } from './server-registry.js';
import type { McpServersInput } from './server-registry.js';

/** The request timeout when neither the server's `read_timeout_seconds` nor the options set one. */
const DEFAULT_REQUEST_TIMEOUT_MILLISECONDS = 60_000;

/** The default limit of starting a server and its `initialize` handshake. */
const DEFAULT_CONNECT_TIMEOUT_MILLISECONDS = 60_000;

/** A tool call that keeps sending progress ends after this many times its timeout, by default. */
const MAX_TOTAL_TIMEOUT_FACTOR = 10;

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
  /** Answers servers' `sampling/createMessage`; servers are offered sampling only when it is set. */
  sampling?: SamplingHandler | undefined;
  /** Answers servers' `elicitation/create`; servers are offered elicitation only when it is set. */
  elicitation?: ElicitationHandler | undefined;
  /** OAuth for servers whose config has `auth.oauth`: the `oauth` settings, token store, browser. */
  oauth?: McpOAuthOptions | undefined;
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
  /** The settings every server's connection shares, its `closed` signal included. */
  readonly #connectionOptions: ServerConnectionOptions;
  readonly #connections = new Map<string, ServerConnection>();
  /** Aborted by `close()`: ends backoff waits and connects in progress. */
  readonly #closing = new AbortController();
  /** The one close of this manager, shared by every `close()` call. */
  #closeAll: Promise<void> | undefined;

  /**
   * @throws McpClientError `MCP_SERVER_CONFIG` when a server entry is invalid.
   * @throws RangeError when a timeout or delay option is not a positive number.
   */
  constructor(options: McpConnectionManagerOptions) {
    this.#registry = options.servers instanceof ServerRegistry ? options.servers : new ServerRegistry(options.servers);
    this.#logger = options.logger ?? createLogger({ namespace: 'mcp-client' });
    const requestTimeoutMilliseconds = positive('requestTimeoutMilliseconds', options.requestTimeoutMilliseconds, DEFAULT_REQUEST_TIMEOUT_MILLISECONDS);
    const connectTimeoutMilliseconds = positive('connectTimeoutMilliseconds', options.connectTimeoutMilliseconds, DEFAULT_CONNECT_TIMEOUT_MILLISECONDS);
    const reconnectInitialDelayMilliseconds = positive('reconnectInitialDelayMilliseconds', options.reconnectInitialDelayMilliseconds, 500);
    const reconnectMaximumDelayMilliseconds = Math.max(
      reconnectInitialDelayMilliseconds,
      positive('reconnectMaximumDelayMilliseconds', options.reconnectMaximumDelayMilliseconds, 30_000),
    );
    this.#connectionOptions = {
      logger: this.#logger,
      requestTimeoutMilliseconds,
      connectTimeoutMilliseconds,
      reconnectInitialDelayMilliseconds,
      reconnectMaximumDelayMilliseconds,
      serverLoggingLevel: options.serverLoggingLevel ?? 'info',
      stderrTailLines: positive('stderrTailLines', options.stderrTailLines, 20),
      clientInfo: options.clientInfo ?? { name: 'mcp-agent', version: '0.1.0' },
      handlers: { sampling: options.sampling, elicitation: options.elicitation },
      oauth: options.oauth,
      closed: this.#closing.signal,
    };
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
    return this.#connection(server).processId();
  }

  /**
   * Connects to the server now instead of on first use (idempotent).
   *
   * @throws McpClientError `MCP_CONNECT_FAILED`, `MCP_SERVER_CONFIG`, `MCP_CONNECTION_LOST`
   *   (the manager closed) or `MCP_UNKNOWN_SERVER`.
   */
  async connect(server: string): Promise<void> {
    await this.#connection(server).connect();
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
    return this.#connection(server).request('tools/list', undefined, undefined, async (client, requestOptions) => {
      if (client.getServerCapabilities()?.tools === undefined) return [];
      const descriptors: McpToolDescriptor[] = [];
      let cursor: string | undefined;
      do {
        const page = await client.listTools(cursor === undefined ? {} : { cursor }, requestOptions);
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
    const connection = this.#connection(request.server);
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
    return connection.request('tools/call', request.tool, options, async (client, requestOptions) => {
      const timeout = requestOptions.timeout ?? connection.timeoutMilliseconds(options);
      const result = await client.callTool({ name: request.tool, arguments: request.arguments ?? {} }, undefined, {
        ...requestOptions,
        onprogress: onProgress,
        resetTimeoutOnProgress: true,
        // Without it, a server that keeps sending progress would never time out.
        maxTotalTimeout: options.maxTotalTimeoutMilliseconds ?? timeout * MAX_TOTAL_TIMEOUT_FACTOR,
      });
      const content = (Array.isArray(result.content) ? result.content : []) as McpContent[];
      const invalidParams = result.isError === true ? invalidParamsResultError(request.server, request.tool, content) : undefined;
      if (invalidParams !== undefined) throw invalidParams;
      const toolResult: McpToolResult = { content, isError: result.isError === true };
      const structured = result.structuredContent;
      if (typeof structured === 'object' && structured !== null) toolResult.structuredContent = structured as Record<string, unknown>;
      return toolResult;
    });
  }

  /** The server's prompts (none when it lacks the prompts capability). */
  async listPrompts(server: string): Promise<McpPromptDescriptor[]> {
    return this.#connection(server).request('prompts/list', undefined, undefined, async (client, requestOptions) => {
      if (client.getServerCapabilities()?.prompts === undefined) return [];
      const descriptors: McpPromptDescriptor[] = [];
      let cursor: string | undefined;
      do {
        const page = await client.listPrompts(cursor === undefined ? {} : { cursor }, requestOptions);
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
    return this.#connection(request.server).request('prompts/get', request.name, undefined, async (client, requestOptions) => {
      const result = await client.getPrompt({ name: request.name, ...(request.arguments === undefined ? {} : { arguments: request.arguments }) }, requestOptions);
      const prompt: McpPromptResult = { messages: result.messages.map((message) => ({ role: message.role, content: message.content as McpContent })) };
      if (result.description !== undefined) prompt.description = result.description;
      return prompt;
    });
  }

  /** The server's resources (none when it lacks the resources capability). */
  async listResources(server: string): Promise<McpResourceDescriptor[]> {
    return this.#connection(server).request('resources/list', undefined, undefined, async (client, requestOptions) => {
      if (client.getServerCapabilities()?.resources === undefined) return [];
      const descriptors: McpResourceDescriptor[] = [];
      let cursor: string | undefined;
      do {
        const page = await client.listResources(cursor === undefined ? {} : { cursor }, requestOptions);
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
    return this.#connection(request.server).request('resources/read', request.uri, undefined, async (client, requestOptions) => {
      const result = await client.readResource({ uri: request.uri }, requestOptions);
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
    this.#closing.abort();
    await Promise.all([...this.#connections.values()].map((connection) => connection.close()));
  }

  /**
   * The connection to a configured server, created on first use.
   *
   * @throws McpClientError `MCP_UNKNOWN_SERVER` for a name that is not configured.
   */
  #connection(server: string): ServerConnection {
    let connection = this.#connections.get(server);
    if (connection === undefined) {
      connection = new ServerConnection(server, this.#registry.get(server), this.#connectionOptions);
      this.#connections.set(server, connection);
    }
    return connection;
  }
}

/** An option's value, checked to be a positive finite number, or the fallback when it is unset. */
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
