// Serves the MCP test server over HTTP with node:http only: Streamable HTTP (stateful sessions)
// or the deprecated HTTP+SSE transport, on 127.0.0.1 and an ephemeral port.
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { SSEServerTransport } from '@modelcontextprotocol/sdk/server/sse.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';

import { createMcpTestServer } from './mcp-test-server.js';
import type { McpTestServerToolCalls } from './mcp-test-server.js';

/**
 * The HTTP transports the MCP test server speaks, named as in `mcp_agent.config.yaml`.
 *
 * @example
 * ```ts
 * const transport: McpTestHttpTransport = 'streamable_http';
 * ```
 */
export type McpTestHttpTransport = 'streamable_http' | 'sse';

/**
 * Options of {@link startMcpTestHttpServer}.
 *
 * @example
 * ```ts
 * const options: McpTestHttpServerOptions = { transport: 'sse', name: 'legacy' };
 * ```
 */
export interface McpTestHttpServerOptions {
  /** Which transport to serve. Default `'streamable_http'`. */
  transport?: McpTestHttpTransport;
  /** The server name in the initialize result. Default `"mcp-test-server"`. */
  name?: string;
}

/**
 * A running HTTP MCP test server.
 *
 * @example
 * ```ts
 * const server: McpTestHttpServer = await startMcpTestHttpServer();
 * await server.close();
 * ```
 */
export interface McpTestHttpServer {
  /** The endpoint to connect to: `http://127.0.0.1:<port>/mcp` or `http://127.0.0.1:<port>/sse`. */
  url: string;
  /** The transport served. */
  transport: McpTestHttpTransport;
  /** Closes every session's transport and the HTTP server, then resolves. Safe to call twice. */
  close(): Promise<void>;
  /**
   * Simulates a dead server: stops listening and destroys every open socket at once, without
   * answering anything in flight. Later connections are refused.
   */
  kill(): void;
}

/** One client's server and transport. */
interface Session {
  server: McpServer;
  transport: Transport;
}

/** Answers a JSON-RPC error with no id, as the SDK's own transports do. */
function answerError(response: ServerResponse, status: number, code: number, message: string): void {
  if (response.headersSent) {
    response.end();
    return;
  }
  response.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id: null }));
}

/** Reads a request body as text. */
async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Starts the MCP test server of `createMcpTestServer` over HTTP on 127.0.0.1 and an ephemeral
 * port, with node:http only.
 *
 * - `'streamable_http'` (default): endpoint `/mcp` (POST, GET, DELETE), stateful: an initialize
 *   request without `mcp-session-id` opens a session with its own `McpServer`; an unknown session
 *   id gets 404, a missing one 400.
 * - `'sse'`: `GET /sse` opens a session whose `endpoint` event names `/messages?sessionId=<id>`,
 *   where the client POSTs its messages; an unknown session id gets 404.
 *
 * All sessions of one HTTP server share one `count` tally (the "process" is the HTTP server), and
 * the `crash` tool acts as {@link McpTestHttpServer.kill} with the exit code ignored.
 *
 * @param options - Transport and server name; see {@link McpTestHttpServerOptions}.
 * @returns The running server: its endpoint URL, `close()` and `kill()`.
 *
 * @example
 * ```ts
 * const server = await startMcpTestHttpServer({ transport: 'streamable_http' });
 * const client = new Client({ name: 'test', version: '1.0.0' });
 * await client.connect(new StreamableHTTPClientTransport(new URL(server.url)));
 * // ...
 * await client.close();
 * await server.close();
 * ```
 */
export async function startMcpTestHttpServer(options: McpTestHttpServerOptions = {}): Promise<McpTestHttpServer> {
  const transportKind: McpTestHttpTransport = options.transport ?? 'streamable_http';
  const toolCalls: McpTestServerToolCalls = { count: 0 };
  /** Sessions by id, for routing. */
  const sessions = new Map<string, Session>();
  /** Every live session, including a Streamable HTTP one still initializing, for shutdown. */
  const liveSessions = new Set<Session>();
  const sockets = new Set<Socket>();
  let stopped = false;

  const newServer = (): McpServer =>
    createMcpTestServer({
      ...(options.name === undefined ? {} : { name: options.name }),
      toolCalls,
      onCrash: () => kill(),
    });

  const handleStreamableHttp = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const sessionId = request.headers['mcp-session-id'];
    if (typeof sessionId === 'string') {
      const session = sessions.get(sessionId);
      if (session === undefined) {
        answerError(response, 404, -32001, `Session not found: "${sessionId}"; send a new initialize request`);
        return;
      }
      await (session.transport as StreamableHTTPServerTransport).handleRequest(request, response);
      return;
    }
    if (request.method !== 'POST') {
      answerError(response, 400, -32000, 'Bad Request: no mcp-session-id header; initialize with a POST first');
      return;
    }
    let body: unknown;
    try {
      body = JSON.parse(await readBody(request));
    } catch {
      answerError(response, 400, -32700, 'Parse error: the request body is not JSON');
      return;
    }
    if (!isInitializeRequest(body)) {
      answerError(response, 400, -32000, 'Bad Request: no mcp-session-id header; the first request must be initialize');
      return;
    }
    const server = newServer();
    const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => {
        sessions.set(id, session);
      },
    });
    const session: Session = { server, transport };
    liveSessions.add(session);
    transport.onclose = () => {
      liveSessions.delete(session);
      if (transport.sessionId !== undefined) sessions.delete(transport.sessionId);
    };
    await server.connect(transport);
    await transport.handleRequest(request, response, body);
  };

  const handleSse = async (request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> => {
    if (request.method === 'GET' && url.pathname === '/sse') {
      const server = newServer();
      const transport = new SSEServerTransport('/messages', response);
      const session: Session = { server, transport };
      sessions.set(transport.sessionId, session);
      liveSessions.add(session);
      transport.onclose = () => {
        liveSessions.delete(session);
        sessions.delete(transport.sessionId);
      };
      await server.connect(transport);
      return;
    }
    if (request.method === 'POST' && url.pathname === '/messages') {
      const sessionId = url.searchParams.get('sessionId') ?? '';
      const session = sessions.get(sessionId);
      if (session === undefined) {
        answerError(response, 404, -32001, `Session not found: "${sessionId}"; open a new one with GET /sse`);
        return;
      }
      await (session.transport as SSEServerTransport).handlePostMessage(request, response);
      return;
    }
    answerError(response, 404, -32601, `Not found: ${request.method} ${url.pathname}; use GET /sse and POST /messages`);
  };

  const httpServer = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    let handled: Promise<void>;
    if (transportKind === 'sse') {
      handled = handleSse(request, response, url);
    } else if (url.pathname === '/mcp') {
      handled = handleStreamableHttp(request, response);
    } else {
      answerError(response, 404, -32601, `Not found: ${url.pathname}; the MCP endpoint is /mcp`);
      return;
    }
    handled.catch((error: unknown) => {
      if (stopped) return;
      answerError(response, 500, -32603, `Internal error: ${error instanceof Error ? error.message : String(error)}`);
    });
  });
  httpServer.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(0, '127.0.0.1', () => {
      httpServer.off('error', reject);
      resolve();
    });
  });
  const { port } = httpServer.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}${transportKind === 'sse' ? '/sse' : '/mcp'}`;

  /** Closes every session (aborting in-flight tool calls such as `hang`); never rejects. */
  const closeSessions = async (): Promise<void> => {
    const closing = [...liveSessions].map((session) => session.server.close().catch(() => undefined));
    liveSessions.clear();
    sessions.clear();
    await Promise.all(closing);
  };

  let closed: Promise<void> | undefined;
  const stopListening = (): Promise<void> =>
    (closed ??= new Promise<void>((resolve) => {
      stopped = true;
      httpServer.close(() => resolve());
    }));

  function kill(): void {
    void stopListening();
    for (const socket of sockets) socket.destroy();
    sockets.clear();
    // Nothing reaches a client any more; this only stops in-flight tool calls such as `hang`.
    void closeSessions();
  }

  async function close(): Promise<void> {
    await closeSessions();
    const listening = stopListening();
    httpServer.closeIdleConnections();
    // A client may still hold a request open; after a grace period, drop it.
    const grace = setTimeout(() => httpServer.closeAllConnections(), 1_000);
    grace.unref();
    await listening;
    clearTimeout(grace);
  }

  return { url, transport: transportKind, close, kill };
}
