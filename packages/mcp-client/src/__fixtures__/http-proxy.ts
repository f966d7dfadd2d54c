// An HTTP proxy in front of an MCP server, for faults of the network and of the server behind
// it: it forwards, holds requests without answering, or answers a status of its choosing, per
// request, and its upstream can be switched (a server that restarted).
import { once } from 'node:events';
import { createServer, request as httpRequest } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** What the proxy does with one request: forward it, hold it unanswered, or answer this status. */
export type ProxyAction = 'forward' | 'hang' | { status: number };

/** A request as the proxy's `decide` sees it: the JSON-RPC `method` of a POST body, if any. */
export interface ProxiedRequest {
  method: string;
  path: string;
  rpcMethod: string | undefined;
}

/** A running {@link startHttpProxy}. */
export interface HttpProxy {
  /** The proxy's URL of an upstream path (`/mcp`, `/sse`). */
  url(path: string): string;
  /** Where requests go, an origin (`http://127.0.0.1:1234`); may be changed at any time. */
  upstream: string;
  /** Decides per request; default: forward everything. */
  decide: (request: ProxiedRequest) => ProxyAction;
  /** How many requests are being held unanswered. */
  readonly held: number;
  /** Drops every connection and stops listening. */
  close(): Promise<void>;
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function rpcMethodOf(body: Buffer): string | undefined {
  try {
    const message = JSON.parse(body.toString('utf8')) as { method?: unknown };
    return typeof message.method === 'string' ? message.method : undefined;
  } catch {
    return undefined;
  }
}

/** Starts a proxy to `upstream` (an origin) on 127.0.0.1 and an ephemeral port. */
export async function startHttpProxy(upstream: string): Promise<HttpProxy> {
  const sockets = new Set<Socket>();
  const held = new Set<ServerResponse>();
  const forward = (request: IncomingMessage, response: ServerResponse, body: Buffer): void => {
    const target = new URL(request.url ?? '/', proxy.upstream);
    const outgoing = httpRequest(target, { method: request.method, headers: { ...request.headers, host: target.host } });
    outgoing.on('response', (incoming) => {
      response.writeHead(incoming.statusCode ?? 502, incoming.headers);
      incoming.pipe(response);
    });
    outgoing.on('error', () => response.destroy());
    response.on('close', () => outgoing.destroy());
    outgoing.end(body);
  };
  const server = createServer((request, response) => {
    void readBody(request).then((body) => {
      const action = proxy.decide({ method: request.method ?? 'GET', path: new URL(request.url ?? '/', 'http://proxy').pathname, rpcMethod: rpcMethodOf(body) });
      if (action === 'forward') {
        forward(request, response, body);
      } else if (action === 'hang') {
        held.add(response);
        response.on('close', () => held.delete(response));
      } else {
        response.writeHead(action.status, { 'Content-Type': 'text/plain' }).end(`proxy answered HTTP ${action.status}`);
      }
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const proxy: HttpProxy = {
    url: (path) => `http://127.0.0.1:${port}${path}`,
    upstream,
    decide: () => 'forward',
    get held() {
      return held.size;
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return proxy;
}
