/**
 * Runs an app's MCP server over stdio, Streamable HTTP (stateful sessions, resumable streams) or
 * SSE. Over HTTP it binds to 127.0.0.1 unless told otherwise, serves both Streamable HTTP (at
 * `path`, default `/mcp`) and the older SSE transport (`/sse` and `/messages`), and, with auth
 * configured, serves nothing to a request without a valid token.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { messageOf, WorkflowUsageError } from '@mcp-agent/core';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { SSEServerTransport } from '@modelcontextprotocol/sdk/server/sse.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import type { AppMcpServer } from './app-server.js';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import { createAuthGuard, type ServerAuthOptions, toMcpAuthInfo } from './auth.js';
import { MemoryEventStore } from './event-store.js';

/** The transports a server speaks. */
export type ServerTransport = 'stdio' | 'http' | 'sse';

/** Options of {@link serveApp}. */
export interface ServeOptions {
  /** Default `stdio`. `http` and `sse` serve both HTTP transports on one port. */
  transport?: ServerTransport;
  /** Default `127.0.0.1`. Anything else is reachable from other machines: configure auth. */
  host?: string;
  /** Default 8000; 0 picks a free port. */
  port?: number;
  /** The Streamable HTTP endpoint. Default `/mcp`. */
  path?: string;
  /** Bearer tokens or OAuth for HTTP; without it, HTTP serves anyone who can reach the port. */
  auth?: ServerAuthOptions;
  /** The largest request body accepted over HTTP, in bytes. Default 4 MiB. */
  maxBodyBytes?: number;
  /**
   * Milliseconds after which a Streamable HTTP session that has sent nothing is closed (a client
   * that went away without ending its session). Default 30 minutes.
   */
  sessionIdleTimeoutMs?: number;
}

/** A running server. */
export interface RunningServer {
  /** The Streamable HTTP endpoint's URL (HTTP transports). */
  readonly url: string | undefined;
  /** The SSE endpoint's URL (HTTP transports). */
  readonly sseUrl: string | undefined;
  /** Client sessions open now. */
  sessions(): number;
  /** Stops accepting, closes every session and the app's server. Safe to call twice. */
  close(): Promise<void>;
}

const DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024;
const DEFAULT_SESSION_IDLE_TIMEOUT_MS = 30 * 60 * 1000;

class BodyError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function readJsonBody(request: IncomingMessage, limit: number): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new BodyError(413, `the request body is over ${limit} bytes`);
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new BodyError(400, `the request body is not JSON: ${messageOf(error)}`);
  }
}

function jsonRpcError(response: ServerResponse, status: number, code: number, message: string, headers: Record<string, string> = {}): void {
  if (response.headersSent) {
    response.end();
    return;
  }
  response.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id: null }));
}

/**
 * Serves `server` on a transport; resolves once it listens (HTTP) or is connected (stdio).
 *
 * @throws WorkflowUsageError for bad options (an unknown transport, a bad port or path).
 *
 * @example
 * ```ts
 * const running = await serveApp(createMcpServerForApp(app), { transport: 'http', port: 8000, auth: { tokens: [process.env.MCP_TOKEN ?? ''] } });
 * console.log(`MCP server at ${running.url}`);
 * ```
 */
export async function serveApp(server: AppMcpServer, options: ServeOptions = {}): Promise<RunningServer> {
  const transport = options.transport ?? 'stdio';
  if (!['stdio', 'http', 'sse'].includes(transport)) throw new WorkflowUsageError(`transport: expected stdio, http or sse, got ${JSON.stringify(transport)}`);
  if (transport === 'stdio') return serveStdio(server);
  return serveHttp(server, options);
}

async function serveStdio(server: AppMcpServer): Promise<RunningServer> {
  const session = server.createSessionServer();
  const stdio = new StdioServerTransport();
  let closed = false;
  await session.connect(stdio);
  return {
    url: undefined,
    sseUrl: undefined,
    sessions: () => (closed ? 0 : 1),
    close: async () => {
      if (closed) return;
      closed = true;
      await session.close();
    },
  };
}

async function serveHttp(server: AppMcpServer, options: ServeOptions): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 8000;
  const endpoint = options.path ?? '/mcp';
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new WorkflowUsageError(`port: expected a whole number from 0 to 65535, got ${String(port)}`);
  if (!endpoint.startsWith('/') || endpoint === '/sse' || endpoint === '/messages') {
    throw new WorkflowUsageError(`path: expected a path such as /mcp (not /sse or /messages, which the SSE transport uses), got ${JSON.stringify(endpoint)}`);
  }
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const guard = createAuthGuard(options.auth);
  const idleTimeout = options.sessionIdleTimeoutMs ?? DEFAULT_SESSION_IDLE_TIMEOUT_MS;
  if (!Number.isFinite(idleTimeout) || idleTimeout <= 0) throw new WorkflowUsageError(`sessionIdleTimeoutMs: expected milliseconds above 0, got ${String(idleTimeout)}`);
  const streamable = new Map<string, { transport: StreamableHTTPServerTransport; session: Server; lastSeen: number }>();
  const sse = new Map<string, { transport: SSEServerTransport; session: Server }>();
  const eventStore = new MemoryEventStore();

  const handleStreamable = async (request: IncomingMessage & { auth?: AuthInfo }, response: ServerResponse): Promise<void> => {
    const sessionId = request.headers['mcp-session-id'];
    const id = Array.isArray(sessionId) ? sessionId[0] : sessionId;
    if (request.method === 'POST') {
      const body = await readJsonBody(request, maxBodyBytes);
      if (id !== undefined) {
        const open = streamable.get(id);
        if (open === undefined) return jsonRpcError(response, 404, -32001, `no session "${id}": it ended or this server restarted; initialize a new session`);
        open.lastSeen = Date.now();
        return open.transport.handleRequest(request, response, body);
      }
      if (!isInitializeRequest(body)) return jsonRpcError(response, 400, -32000, 'no session: send an initialize request first, or the mcp-session-id header of an open session');
      const session = server.createSessionServer();
      const created: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        eventStore,
        onsessioninitialized: (newId) => {
          streamable.set(newId, { transport: created, session, lastSeen: Date.now() });
        },
      });
      created.onclose = () => {
        if (created.sessionId !== undefined) streamable.delete(created.sessionId);
      };
      await session.connect(created);
      return created.handleRequest(request, response, body);
    }
    if (request.method === 'GET' || request.method === 'DELETE') {
      const open = id === undefined ? undefined : streamable.get(id);
      if (open === undefined) return jsonRpcError(response, id === undefined ? 400 : 404, -32001, id === undefined ? 'the mcp-session-id header is missing' : `no session "${id}"`);
      open.lastSeen = Date.now();
      return open.transport.handleRequest(request, response);
    }
    response.writeHead(405, { allow: 'GET, POST, DELETE' }).end();
  };

  const handleSse = async (request: IncomingMessage & { auth?: AuthInfo }, response: ServerResponse, url: URL): Promise<void> => {
    if (url.pathname === '/sse' && request.method === 'GET') {
      const transport = new SSEServerTransport('/messages', response);
      const session = server.createSessionServer();
      sse.set(transport.sessionId, { transport, session });
      transport.onclose = () => sse.delete(transport.sessionId);
      response.on('close', () => sse.delete(transport.sessionId));
      await session.connect(transport);
      return;
    }
    if (url.pathname === '/messages' && request.method === 'POST') {
      const id = url.searchParams.get('sessionId') ?? '';
      const open = sse.get(id);
      if (open === undefined) return jsonRpcError(response, 404, -32001, `no SSE session "${id}"`);
      const body = await readJsonBody(request, maxBodyBytes);
      return open.transport.handlePostMessage(request, response, body);
    }
    response.writeHead(405).end();
  };

  const http = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    void (async () => {
      if (guard.handleMetadata(request, response)) return;
      const auth = await guard.authenticate(request, response);
      if (auth === undefined) return;
      (request as IncomingMessage & { auth?: AuthInfo }).auth = toMcpAuthInfo(auth);
      if (url.pathname === endpoint) return handleStreamable(request, response);
      if (url.pathname === '/sse' || url.pathname === '/messages') return handleSse(request, response, url);
      jsonRpcError(response, 404, -32601, `nothing at ${url.pathname}: the MCP endpoint is ${endpoint} (Streamable HTTP), or /sse (SSE)`);
    })().catch((error: unknown) => {
      if (error instanceof BodyError) jsonRpcError(response, error.status, error.status === 400 ? -32700 : -32600, error.message);
      else jsonRpcError(response, 500, -32603, `the server failed: ${messageOf(error)}`);
    });
  });
  await new Promise<void>((resolve, reject) => {
    http.once('error', (error) => reject(new WorkflowUsageError(`cannot listen on ${host}:${port}: ${messageOf(error)}`)));
    http.listen(port, host, () => resolve());
  });
  // Sessions whose client went away without ending them are closed once idle for idleTimeout.
  const sweeper = setInterval(
    () => {
      const now = Date.now();
      for (const [id, open] of streamable) {
        if (now - open.lastSeen < idleTimeout) continue;
        streamable.delete(id);
        void open.session.close().catch(() => undefined);
      }
    },
    Math.min(idleTimeout, 60_000),
  );
  sweeper.unref();
  const address = http.address() as AddressInfo;
  const origin = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
  let closing: Promise<void> | undefined;
  return {
    url: `${origin}${endpoint}`,
    sseUrl: `${origin}/sse`,
    sessions: () => streamable.size + sse.size,
    close: () =>
      (closing ??= (async () => {
        clearInterval(sweeper);
        const sessions = [...streamable.values(), ...sse.values()];
        streamable.clear();
        sse.clear();
        await Promise.allSettled(sessions.map(({ session }) => session.close()));
        await new Promise<void>((resolve) => {
          http.close(() => resolve());
          http.closeAllConnections();
        });
      })()),
  };
}
