/**
 * Client transports from `mcp.servers` settings: stdio (a process group of its own, with captured
 * stderr), Streamable HTTP and SSE (with headers and the HTTP response timeout). Internal to this
 * package.
 */
import type { Stream } from 'node:stream';

import { McpClientError } from '@mcp-agent/core';
import type { Logger } from '@mcp-agent/core';
import type { McpServerConfig } from '@mcp-agent/core/config';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { getDefaultEnvironment } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { FetchLike, Transport } from '@modelcontextprotocol/sdk/shared/transport.js';

import { authProviderFor, oauthConfigOf } from './auth/index.js';
import type { McpOAuthOptions } from './auth/index.js';
import { AuthAwareTransport } from './auth/transport.js';
import { ProcessGroupStdioTransport } from './process-group-stdio-transport.js';

/** The last lines a process wrote to stderr, kept for error messages. */
export class StderrTail {
  readonly #maximumLines: number;
  readonly #lines: string[] = [];
  #partial = '';
  #ended: Promise<void> = Promise.resolve();

  constructor(maximumLines: number) {
    this.#maximumLines = maximumLines;
  }

  /** Reads `stream` until it ends, calling `onLine` for every complete line. */
  follow(stream: Stream, onLine: (line: string) => void): void {
    this.#ended = new Promise((resolve) => {
      stream.on('data', (chunk: Buffer | string) => {
        const text = this.#partial + chunk.toString();
        const lines = text.split(/\r?\n/);
        this.#partial = lines.pop() ?? '';
        for (const line of lines) this.#push(line, onLine);
      });
      const finish = (): void => {
        if (this.#partial !== '') this.#push(this.#partial, onLine);
        this.#partial = '';
        resolve();
      };
      stream.once('end', finish);
      stream.once('close', finish);
      stream.once('error', finish);
    });
  }

  #push(line: string, onLine: (line: string) => void): void {
    this.#lines.push(line);
    if (this.#lines.length > this.#maximumLines) this.#lines.shift();
    onLine(line);
  }

  /** Resolves once the stream has ended, or after `milliseconds`, whichever comes first. */
  async settled(milliseconds: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.#ended, new Promise<void>((resolve) => (timer = setTimeout(resolve, milliseconds)))]);
    clearTimeout(timer);
  }

  /** The kept lines (the partial last line included), oldest first. */
  lines(): string[] {
    return this.#partial === '' ? [...this.#lines] : [...this.#lines, this.#partial].slice(-this.#maximumLines);
  }
}

/** A transport ready to connect, and what the connection manager needs to know about it. */
export interface ServerTransport {
  transport: Transport;
  kind: McpServerConfig['transport'];
  /** Captured stderr of a stdio server. */
  stderr: StderrTail | undefined;
  /** The child process id of a stdio server once started. */
  processId(): number | undefined;
  /** Ends an HTTP session politely (DELETE), when the transport has one. */
  terminate(): Promise<void>;
}

/** An HTTP server sent no response (status and headers) within `http_timeout_seconds`. */
export class HttpResponseTimeoutError extends Error {
  constructor(server: string, timeoutMilliseconds: number) {
    super(
      `MCP server "${server}" sent no HTTP response within ${timeoutMilliseconds} ms (http_timeout_seconds); ` +
        `raise mcp.servers.${server}.http_timeout_seconds or check that the server is reachable`,
    );
    this.name = 'HttpResponseTimeoutError';
  }
}

/**
 * A fetch that gives up when no response (status and headers) arrives within the limit, with an
 * {@link HttpResponseTimeoutError}. The body, which may be a long SSE stream, is not limited.
 */
function fetchWithResponseTimeout(server: string, timeoutMilliseconds: number): FetchLike {
  return async (url, init) => {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new HttpResponseTimeoutError(server, timeoutMilliseconds)), timeoutMilliseconds);
    const signal = init?.signal === undefined || init.signal === null ? controller.signal : AbortSignal.any([init.signal, controller.signal]);
    try {
      return await fetch(url, { ...init, signal });
    } finally {
      clearTimeout(timer);
    }
  };
}

/** Options of {@link createServerTransport}. */
export interface CreateServerTransportOptions {
  /** How many stderr lines to keep. */
  stderrTailLines: number;
  /** Called with every stderr line of a stdio server. */
  onStderrLine: (line: string) => void;
  /** OAuth options, for servers whose config has `auth.oauth`. */
  oauth?: McpOAuthOptions | undefined;
  /** Receives OAuth events. */
  logger?: Logger | undefined;
}

/**
 * Checks that a server's config names a transport this package speaks and what that transport
 * needs (`command`, `url`): a config problem, raised before any connect attempt.
 *
 * @throws McpClientError `MCP_SERVER_CONFIG` for the `websocket` transport or a missing command/url.
 */
export function assertConnectableConfig(server: string, config: McpServerConfig): void {
  if (config.transport === 'stdio') {
    if (config.command === undefined) {
      throw new McpClientError('MCP_SERVER_CONFIG', server, `mcp.servers.${server}: a stdio server needs "command"; add the program that starts it`);
    }
    return;
  }
  if (config.transport === 'websocket') {
    throw new McpClientError(
      'MCP_SERVER_CONFIG',
      server,
      `mcp.servers.${server}.transport: "websocket" is not supported by @mcp-agent/mcp-client; use "streamable_http", "sse" or "stdio"`,
    );
  }
  if (config.url === undefined) {
    throw new McpClientError('MCP_SERVER_CONFIG', server, `mcp.servers.${server}: a ${config.transport} server needs "url"; add its endpoint`);
  }
}

/**
 * Creates the transport for one configured server. Stdio servers get `env` merged over the SDK's
 * safe default environment (PATH, HOME, ...), `cwd`, piped stderr and a process group of their
 * own; HTTP servers get `headers` and, with `http_timeout_seconds`, a response timeout.
 *
 * @throws McpClientError `MCP_SERVER_CONFIG` for the `websocket` transport or a missing command/url.
 */
export function createServerTransport(server: string, config: McpServerConfig, options: CreateServerTransportOptions): ServerTransport {
  assertConnectableConfig(server, config);
  if (config.transport === 'stdio' && config.command !== undefined) {
    const transport = new ProcessGroupStdioTransport({
      command: config.command,
      args: config.args ?? [],
      env: { ...getDefaultEnvironment(), ...config.env },
      cwd: config.cwd,
    });
    const stderr = new StderrTail(options.stderrTailLines);
    stderr.follow(transport.stderr, options.onStderrLine);
    return { transport, kind: 'stdio', stderr, processId: () => transport.pid, terminate: async () => undefined };
  }
  if (config.url === undefined) throw new Error(`unreachable: mcp.servers.${server} has no url`);
  const url = new URL(config.url);
  const headers = { ...config.headers };
  const apiKey = config.auth?.api_key;
  const hasAuthorizationHeader = Object.keys(headers).some((name) => name.toLowerCase() === 'authorization');
  if (apiKey !== undefined && oauthConfigOf(config) === undefined && !hasAuthorizationHeader) headers['Authorization'] = `Bearer ${apiKey}`;
  const requestInit: RequestInit | undefined = Object.keys(headers).length === 0 ? undefined : { headers };
  const baseFetch: FetchLike =
    config.http_timeout_seconds === undefined ? (input, init) => fetch(input, init) : fetchWithResponseTimeout(server, Math.round(config.http_timeout_seconds * 1_000));
  const requestInitOption = requestInit === undefined ? {} : { requestInit };
  const logger = options.logger ?? silentLogger;
  // The provider's own requests (code exchange, renewal) go through the transport's fetch, timeout included.
  const authProvider = authProviderFor(server, config, options.oauth, logger, baseFetch);
  if (authProvider !== undefined && hasAuthorizationHeader) {
    logger.warn(`mcp.servers.${server}.headers sets Authorization, which replaces the OAuth access token of auth.oauth; remove one of them`, { server });
  }
  const authOption = authProvider === undefined ? {} : { authProvider };

  if (config.transport === 'sse') {
    const transport = new AuthAwareTransport(
      server,
      config,
      authProvider,
      (fetch) => new SSEClientTransport(url, { ...requestInitOption, ...authOption, ...(fetch === undefined ? {} : { fetch }) }),
      baseFetch,
    );
    return { transport, kind: 'sse', stderr: undefined, processId: () => undefined, terminate: async () => undefined };
  }
  const transport = new AuthAwareTransport(
    server,
    config,
    authProvider,
    (fetch) => new StreamableHTTPClientTransport(url, { ...requestInitOption, ...authOption, ...(fetch === undefined ? {} : { fetch }) }),
    baseFetch,
  );
  return {
    transport,
    kind: 'streamable_http',
    stderr: undefined,
    processId: () => undefined,
    terminate: () => (transport.inner as StreamableHTTPClientTransport).terminateSession(),
  };
}

/** A logger that drops everything, for transports made without one. */
const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => silentLogger,
};
