/**
 * The configured MCP servers as an `McpService`: per server, {@link ServerSessions} holding one
 * {@link ServerConnection} per session as the server's session scope asks (one for the process,
 * one per workflow run, or a pool), opened on first use and closed together. The connections do
 * the connecting, reconnecting and timing out; this file maps the service's operations to MCP
 * requests and holds the options.
 */
import { createLogger, McpClientError } from '@mcp-agent/core';
import type { Logger, McpContent, McpPromptResult, McpResourceResult, McpToolResult } from '@mcp-agent/core';
import { toolListFingerprint } from '@mcp-agent/core/engine';
import type {
  McpCallToolRequest,
  McpCompleteRequest,
  McpCompletionResult,
  McpListVersions,
  McpPromptDescriptor,
  McpResourceDescriptor,
  McpResourceTemplateDescriptor,
  McpService,
  McpToolDescriptor,
} from '@mcp-agent/core/engine';
import { UriTemplate } from '@modelcontextprotocol/sdk/shared/uriTemplate.js';
import type { LoggingLevel, Progress } from '@modelcontextprotocol/sdk/types.js';

import type { McpOAuthOptions } from './auth/index.js';
import { setServerRoots } from './client-requests.js';
import type { ElicitationHandler, McpRootInput, SamplingHandler } from './client-requests.js';
import { invalidParamsResultError } from './error-classification.js';
import type { McpListName, ServerConnection, ServerConnectionOptions } from './server-connection.js';
import { ServerSessions } from './session-scopes.js';
import type { McpSessionInfo, McpSessionScope } from './session-scopes.js';
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
  /**
   * The workflow run making the call (the `mcp.*` tasks pass `<workflowId>/<runId>`): a server
   * whose `session.scope` is `run` answers on that run's own session, opened on its first call.
   * Ignored by the other scopes; without it a `run`-scoped server uses its process-wide session.
   */
  sessionKey?: string | undefined;
}

/**
 * A change of one of a server's lists, as {@link McpConnectionManager.onListChanged} reports it.
 *
 * @example
 * ```ts
 * manager.onListChanged(({ server, list, version }) => console.log(`${server} ${list} list is now version ${version}`));
 * ```
 */
export interface McpListChange {
  server: string;
  /** Which list: `tools`, `prompts` or `resources`. */
  list: McpListName;
  /** The list's new version (see {@link McpConnectionManager.listVersions}). */
  version: number;
  /** True when the change is a new session after the server was lost, rather than a notification. */
  reconnected: boolean;
}

/** A `notifications/resources/updated` for a subscribed resource. */
export interface McpResourceUpdate {
  server: string;
  /** The resource that changed: the subscribed URI, or a sub-resource of it. */
  uri: string;
}

/**
 * A subscription made with {@link McpConnectionManager.subscribeResource}.
 *
 * @example
 * ```ts
 * const subscription = await manager.subscribeResource({ server: 'docs', uri: 'docs://readme' }, onUpdate);
 * await subscription.unsubscribe();
 * ```
 */
export interface McpResourceSubscription {
  readonly server: string;
  readonly uri: string;
  /**
   * Stops the callback; the last subscriber of a URI also sends `resources/unsubscribe` (errors
   * of that request are logged, not raised). Idempotent.
   */
  unsubscribe(): Promise<void>;
}

/** Per-server state of list caching and subscriptions. */
interface ServerState {
  /**
   * The last tool list (after `allowed_tools`) and its fingerprint, computed when a tool result
   * first needs it; dropped on `tools/list_changed`.
   */
  tools: { descriptors: McpToolDescriptor[]; fingerprint: string | undefined } | undefined;
  /** Subscribed URIs and their callbacks. */
  subscriptions: Map<string, Set<(update: McpResourceUpdate) => void>>;
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
 * The MCP servers of the config, as an {@link McpService}. Connects to a server on first use;
 * concurrent first calls share one connect.
 *
 * - Sessions follow the server's `session.scope`: `process` (the default) keeps one session for
 *   the life of the process; `run` one per workflow run (the call's `sessionKey`), closed by
 *   {@link closeSessions}, after `idle_seconds` idle, or as the least recently used beyond
 *   `max_sessions`; `pool` spreads calls over `pool_size` sessions. A session's crash fails only
 *   the calls on it.
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
  /** The sessions of each server used so far, under its session scope. */
  readonly #servers = new Map<string, ServerSessions>();
  /** Aborted by `close()`: ends backoff waits and connects in progress. */
  readonly #closing = new AbortController();
  /** The one close of this manager, shared by every `close()` call. */
  #closeAll: Promise<void> | undefined;
  readonly #states = new Map<string, ServerState>();
  readonly #listListeners = new Set<(change: McpListChange) => void>();

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
  async listTools(server: string, options: { sessionKey?: string | undefined } = {}): Promise<McpToolDescriptor[]> {
    return this.#use(server, options.sessionKey, (connection) => this.#listTools(server, connection));
  }

  async #listTools(server: string, connection: ServerConnection): Promise<McpToolDescriptor[]> {
    return connection.request('tools/list', undefined, undefined, async (client, requestOptions) => {
      const versions = connection.listVersions().tools;
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
      const tools = this.#registry.filterTools(server, descriptors);
      const versionAtStart = versions;
      // A change announced while the list was on its way makes it stale at once: not cached.
      if (connection.listVersions().tools === versionAtStart) this.#state(server).tools = { descriptors: tools, fingerprint: undefined };
      return tools;
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
    const sessions = this.#sessions(request.server);
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
    let announcesChanges = false;
    let toolsVersion = 0;
    const result = await sessions.use(options.sessionKey, async (connection) => {
      const called = await connection.request('tools/call', request.tool, options, async (client, requestOptions) => {
        announcesChanges = client.getServerCapabilities()?.tools?.listChanged === true;
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
      toolsVersion = connection.listVersions().tools;
      return called;
    });
    // Only once this session saw the list change (a notification, or a new session after the
    // first): a list that never changed needs no fingerprint, and no listing to compute one.
    if (announcesChanges && toolsVersion > 0) {
      const fingerprint = await this.#toolListFingerprint(request.server, options.sessionKey);
      if (fingerprint !== undefined) result.toolListFingerprint = fingerprint;
    }
    return result;
  }

  /**
   * The fingerprint of the server's current tool list: the cached list's, else that of a fresh
   * listing (after a `tools/list_changed`, or in a process that never listed this server's tools).
   * Undefined when listing fails: the call's result does not depend on it.
   */
  async #toolListFingerprint(server: string, sessionKey: string | undefined): Promise<string | undefined> {
    const cached = this.#state(server).tools;
    if (cached !== undefined) {
      cached.fingerprint ??= toolListFingerprint(cached.descriptors);
      return cached.fingerprint;
    }
    try {
      return toolListFingerprint(await this.listTools(server, { sessionKey }));
    } catch (error) {
      this.#logger.debug(`could not list the tools of MCP server "${server}" after a tool call: ${error instanceof Error ? error.message : String(error)}`, { server });
      return undefined;
    }
  }

  /**
   * How often each of the server's lists changed in this process: its `list_changed`
   * notifications, and every new session after the first (a restarted server may offer other
   * tools). Versions only grow; an agent lists again when a version moved since it last listed.
   *
   * @throws McpClientError `MCP_UNKNOWN_SERVER` for a name that is not configured.
   * @example
   * ```ts
   * const before = manager.listVersions('everything').tools;
   * // ... later
   * if (manager.listVersions('everything').tools !== before) tools = await manager.listTools('everything');
   * ```
   */
  listVersions(server: string): McpListVersions {
    return this.#connection(server).listVersions();
  }

  /**
   * Calls `listener` whenever a server's tools, prompts or resources list changes (the server's
   * `list_changed` notification, or a new session after the server was lost). Cached tool lists
   * are dropped before it is called. Returns a function that removes the listener.
   *
   * @example
   * ```ts
   * const stop = manager.onListChanged(({ server, list }) => { if (list === 'tools') void refresh(server); });
   * stop();
   * ```
   */
  onListChanged(listener: (change: McpListChange) => void): () => void {
    this.#listListeners.add(listener);
    return () => {
      this.#listListeners.delete(listener);
    };
  }

  /** The server's prompts (none when it lacks the prompts capability). */
  async listPrompts(server: string): Promise<McpPromptDescriptor[]> {
    return this.#use(server, undefined, (connection) =>
      connection.request('prompts/list', undefined, undefined, async (client, requestOptions) => {
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
      }),
    );
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
    return this.#use(request.server, undefined, (connection) =>
      connection.request('prompts/get', request.name, undefined, async (client, requestOptions) => {
        const result = await client.getPrompt({ name: request.name, ...(request.arguments === undefined ? {} : { arguments: request.arguments }) }, requestOptions);
        const prompt: McpPromptResult = { messages: result.messages.map((message) => ({ role: message.role, content: message.content as McpContent })) };
        if (result.description !== undefined) prompt.description = result.description;
        return prompt;
      }),
    );
  }

  /** The server's resources (none when it lacks the resources capability). */
  async listResources(server: string): Promise<McpResourceDescriptor[]> {
    return this.#use(server, undefined, (connection) =>
      connection.request('resources/list', undefined, undefined, async (client, requestOptions) => {
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
      }),
    );
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
    return this.#use(request.server, undefined, (connection) =>
      connection.request('resources/read', request.uri, undefined, async (client, requestOptions) => {
        const result = await client.readResource({ uri: request.uri }, requestOptions);
        return { contents: result.contents as McpResourceResult['contents'] };
      }),
    );
  }

  /**
   * The server's resource templates (none when it lacks the resources capability): RFC 6570 URI
   * templates to fill with {@link expandUriTemplate} and read with {@link readResource}.
   *
   * @example
   * ```ts
   * const [template] = await manager.listResourceTemplates('everything');
   * const uri = expandUriTemplate(template.uriTemplate, { resourceId: '1' });
   * const { contents } = await manager.readResource({ server: 'everything', uri });
   * ```
   */
  async listResourceTemplates(server: string): Promise<McpResourceTemplateDescriptor[]> {
    return this.#use(server, undefined, (connection) =>
      connection.request('resources/templates/list', undefined, undefined, async (client, requestOptions) => {
        if (client.getServerCapabilities()?.resources === undefined) return [];
        const descriptors: McpResourceTemplateDescriptor[] = [];
        let cursor: string | undefined;
        do {
          const page = await client.listResourceTemplates(cursor === undefined ? {} : { cursor }, requestOptions);
          for (const template of page.resourceTemplates) {
            descriptors.push({ server, uriTemplate: template.uriTemplate, name: template.name, ...pick(template, ['title', 'description', 'mimeType'] as const) });
          }
          cursor = page.nextCursor;
        } while (cursor !== undefined);
        return descriptors;
      }),
    );
  }

  /**
   * Subscribes to a resource: `onUpdated` is called for each `notifications/resources/updated`
   * of that URI (or of a sub-resource of it, `uri/...`). The first subscriber of a URI sends
   * `resources/subscribe`; after a reconnect the subscriptions are sent again. Read the resource
   * in the callback to get its new contents.
   *
   * @throws McpClientError `MCP_PROTOCOL_ERROR` (not retryable) when the server lacks the
   *   `resources.subscribe` capability; the errors of a request otherwise.
   * @example
   * ```ts
   * const subscription = await manager.subscribeResource({ server: 'everything', uri: 'demo://resource/static/document/architecture.md' }, async ({ uri }) => {
   *   console.log('changed:', (await manager.readResource({ server: 'everything', uri })).contents[0]?.text);
   * });
   * await subscription.unsubscribe();
   * ```
   */
  async subscribeResource(request: { server: string; uri: string }, onUpdated: (update: McpResourceUpdate) => void): Promise<McpResourceSubscription> {
    const { server, uri } = request;
    const connection = this.#connection(server);
    const state = this.#state(server);
    let listeners = state.subscriptions.get(uri);
    if (listeners === undefined || listeners.size === 0) {
      await connection.request('resources/subscribe', uri, undefined, async (client, requestOptions) => {
        this.#requireCapability(server, client.getServerCapabilities()?.resources?.subscribe === true, 'resources.subscribe', `subscribe to "${uri}"`);
        await client.subscribeResource({ uri }, requestOptions);
      });
      listeners = state.subscriptions.get(uri);
    }
    if (listeners === undefined) {
      listeners = new Set();
      state.subscriptions.set(uri, listeners);
    }
    const listener = (update: McpResourceUpdate): void => onUpdated(update);
    listeners.add(listener);
    let unsubscribed: Promise<void> | undefined;
    return {
      server,
      uri,
      unsubscribe: () => {
        unsubscribed ??= this.#unsubscribe(server, uri, listener);
        return unsubscribed;
      },
    };
  }

  async #unsubscribe(server: string, uri: string, listener: (update: McpResourceUpdate) => void): Promise<void> {
    const state = this.#state(server);
    const listeners = state.subscriptions.get(uri);
    if (listeners === undefined || !listeners.delete(listener) || listeners.size > 0) return;
    state.subscriptions.delete(uri);
    if (this.#closing.signal.aborted) return;
    try {
      await this.#connection(server).request('resources/unsubscribe', uri, undefined, (client, requestOptions) => client.unsubscribeResource({ uri }, requestOptions));
    } catch (error) {
      this.#logger.warn(`could not unsubscribe from "${uri}" of MCP server "${server}": ${error instanceof Error ? error.message : String(error)}`, { server, uri });
    }
  }

  /**
   * Suggestions for a prompt argument or a resource template variable (`completion/complete`),
   * given its partial value and the arguments already chosen.
   *
   * @throws McpClientError `MCP_PROTOCOL_ERROR` (not retryable) when the server lacks the
   *   `completions` capability; the errors of a request otherwise.
   * @example
   * ```ts
   * const { values } = await manager.complete({
   *   server: 'everything',
   *   ref: { type: 'ref/prompt', name: 'completable-prompt' },
   *   argument: { name: 'name', value: 'A' },
   *   context: { arguments: { department: 'Engineering' } },
   * }); // ['Alice']
   * ```
   */
  async complete(request: McpCompleteRequest): Promise<McpCompletionResult> {
    const { server, ref, argument, context } = request;
    const target = ref.type === 'ref/prompt' ? ref.name : ref.uri;
    return this.#use(server, undefined, (connection) =>
      connection.request('completion/complete', target, undefined, async (client, requestOptions) => {
        this.#requireCapability(server, client.getServerCapabilities()?.completions !== undefined, 'completions', `complete "${argument.name}" of ${target}`);
        const result = await client.complete({ ref, argument, ...(context?.arguments === undefined ? {} : { context: { arguments: context.arguments } }) }, requestOptions);
        return { values: result.completion.values, ...pick(result.completion, ['total', 'hasMore'] as const) };
      }),
    );
  }

  /**
   * Sends `ping` and waits for the answer (connecting first when needed): a liveness check.
   *
   * @throws McpClientError `MCP_TIMEOUT`, `MCP_CONNECTION_LOST`, `MCP_CONNECT_FAILED`, ...
   * @example
   * ```ts
   * await manager.ping('everything', { timeoutMilliseconds: 2_000 });
   * ```
   */
  async ping(server: string, options: { timeoutMilliseconds?: number | undefined; signal?: AbortSignal | undefined } = {}): Promise<void> {
    await this.#connection(server).request('ping', undefined, options, (client, requestOptions) => client.ping(requestOptions));
  }

  /** Raises a clear error when the server lacks a capability an operation needs. */
  #requireCapability(server: string, present: boolean, capability: string, what: string): void {
    if (present) return;
    throw new McpClientError(
      'MCP_PROTOCOL_ERROR',
      server,
      `cannot ${what}: MCP server "${server}" does not declare the "${capability}" capability. Use a server that offers it, or check capabilities before calling`,
      { retryable: false },
    );
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
    await Promise.all([...this.#servers.values()].map((sessions) => sessions.close()));
  }

  /**
   * The session scope of a server (`mcp.servers.<name>.session.scope`, default `process`).
   *
   * @throws McpClientError `MCP_UNKNOWN_SERVER` for a name that is not configured.
   * @example
   * ```ts
   * if (manager.sessionScope('browser') === 'run') console.log('each workflow run gets its own browser');
   * ```
   */
  sessionScope(server: string): McpSessionScope {
    return this.#sessions(server).scope;
  }

  /**
   * The server's sessions in this process, open or opening: the process-wide one once used, then
   * one per run (`run` scope) or per pool slot (`pool` scope). For diagnostics and tests.
   *
   * @throws McpClientError `MCP_UNKNOWN_SERVER` for a name that is not configured.
   * @example
   * ```ts
   * const processes = manager.sessions('browser').map((session) => session.processId);
   * ```
   */
  sessions(server: string): McpSessionInfo[] {
    return this.#sessions(server).sessions();
  }

  /**
   * Closes the sessions of one workflow run (`sessionKey`, as passed to `callTool`) on every server
   * whose scope is `run`, stopping their processes: for an engine that knows the run ended. A
   * session with a call in flight closes when that call ends. Sessions of runs nobody reports
   * ended close after `session.idle_seconds` without a call.
   *
   * @example
   * ```ts
   * await manager.closeSessions(`${workflowId}/${runId}`);
   * ```
   */
  async closeSessions(sessionKey: string): Promise<void> {
    await Promise.all([...this.#servers.values()].map((sessions) => sessions.closeKey(sessionKey)));
  }

  /**
   * Replaces the roots a server is shown (`roots/list`; `server_uri_alias` is shown instead of
   * `uri` when set) and sends `notifications/roots/list_changed` on its open session. A session
   * opened while the server had no roots did not declare the roots capability and is not told;
   * the next session declares it.
   *
   * @throws McpClientError `MCP_UNKNOWN_SERVER` for a name that is not configured.
   * @throws TypeError when a root's URI is not a `file://` URI.
   *
   * @example
   * ```ts
   * await manager.setRoots('filesystem', [{ uri: 'file:///srv/reports', name: 'reports' }]);
   * ```
   */
  async setRoots(server: string, roots: readonly McpRootInput[]): Promise<void> {
    const connection = this.#connection(server);
    await setServerRoots(this.#connectionOptions.handlers, server, connection.config, roots, this.#logger);
  }

  /**
   * The process-wide connection to a configured server, created on first use: the one of every
   * call under the `process` scope, and of subscriptions and roots under every scope.
   *
   * @throws McpClientError `MCP_UNKNOWN_SERVER` for a name that is not configured.
   */
  #connection(server: string): ServerConnection {
    return this.#sessions(server).primary;
  }

  /** Runs `work` on the connection that the server's session scope gives a call with this key. */
  #use<Result>(server: string, sessionKey: string | undefined, work: (connection: ServerConnection) => Promise<Result>): Promise<Result> {
    return this.#sessions(server).use(sessionKey, work);
  }

  /**
   * The sessions of a configured server, created on first use.
   *
   * @throws McpClientError `MCP_UNKNOWN_SERVER` for a name that is not configured.
   */
  #sessions(server: string): ServerSessions {
    let sessions = this.#servers.get(server);
    if (sessions === undefined) {
      sessions = new ServerSessions(server, this.#registry.get(server), {
        connectionOptions: this.#connectionOptions,
        logger: this.#logger,
        primaryEvents: (connection) => ({
          onListChanged: (list, reconnected) => this.#onListChanged(server, list, reconnected, connection()),
          onResourceUpdated: (uri) => this.#onResourceUpdated(server, uri),
          onSessionOpened: (first) => {
            if (!first) void this.#resubscribe(server, connection());
          },
        }),
        // A run's or a pool's session: a changed tool list drops the cached one. Listeners hear
        // of the process-wide session's changes only, whose versions `listVersions` reports.
        memberEvents: {
          onListChanged: (list) => {
            if (list === 'tools') this.#state(server).tools = undefined;
          },
        },
      });
      this.#servers.set(server, sessions);
    }
    return sessions;
  }

  #state(server: string): ServerState {
    let state = this.#states.get(server);
    if (state === undefined) {
      state = { tools: undefined, subscriptions: new Map() };
      this.#states.set(server, state);
    }
    return state;
  }

  #onListChanged(server: string, list: McpListName, reconnected: boolean, connection: ServerConnection): void {
    if (list === 'tools') this.#state(server).tools = undefined;
    const change: McpListChange = { server, list, version: connection.listVersions()[list], reconnected };
    for (const listener of this.#listListeners) {
      try {
        listener(change);
      } catch (error) {
        this.#logger.warn(`an onListChanged listener failed: ${error instanceof Error ? error.message : String(error)}`, { server, list });
      }
    }
  }

  #onResourceUpdated(server: string, uri: string): void {
    for (const [subscribed, listeners] of this.#state(server).subscriptions) {
      const covers = uri === subscribed || uri.startsWith(subscribed.endsWith('/') ? subscribed : `${subscribed}/`);
      if (!covers) continue;
      for (const listener of listeners) {
        try {
          listener({ server, uri });
        } catch (error) {
          this.#logger.warn(`a resource update callback for "${subscribed}" failed: ${error instanceof Error ? error.message : String(error)}`, { server, uri });
        }
      }
    }
  }

  /** Sends the subscriptions again on a new session (the old session's ended with it). */
  async #resubscribe(server: string, connection: ServerConnection): Promise<void> {
    for (const uri of this.#state(server).subscriptions.keys()) {
      try {
        await connection.request('resources/subscribe', uri, undefined, (client, requestOptions) => client.subscribeResource({ uri }, requestOptions));
      } catch (error) {
        this.#logger.warn(`could not subscribe again to "${uri}" of MCP server "${server}" after reconnecting: ${error instanceof Error ? error.message : String(error)}`, {
          server,
          uri,
        });
      }
    }
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

/**
 * Fills an RFC 6570 URI template (levels 1 to 4, as the MCP SDK's `UriTemplate` reads them) with
 * variables, for reading a resource of a template with `readResource`.
 *
 * @throws TypeError naming the variables the template needs and `variables` lacks.
 * @example
 * ```ts
 * const uri = expandUriTemplate('demo://resource/dynamic/text/{resourceId}', { resourceId: '3' });
 * const { contents } = await manager.readResource({ server: 'everything', uri });
 * ```
 */
export function expandUriTemplate(template: string, variables: Readonly<Record<string, string | string[]>>): string {
  const parsed = new UriTemplate(template);
  const simple = /\{([A-Za-z0-9_.,]+)\}/g;
  // Simple `{name}` expressions must be filled; the optional kinds (`{?query}`, `{#fragment}`) may stay empty.
  const required = [...template.matchAll(simple)].flatMap((match) => (match[1] ?? '').split(','));
  const missing = required.filter((name) => variables[name] === undefined);
  if (missing.length > 0) {
    throw new TypeError(
      `URI template "${template}" needs ${missing.map((name) => `"${name}"`).join(', ')}; got ${Object.keys(variables).join(', ') || 'no variables'} (it uses ${parsed.variableNames.join(', ')})`,
    );
  }
  return parsed.expand(variables as Record<string, string | string[]>);
}
