// A TLS front for the plain Temporal dev server, for tests of TLS, mTLS and API-key settings: it
// ends TLS on loopback (optionally demanding a client certificate and a bearer API key) and
// forwards each gRPC call, as an HTTP/2 stream, to the dev server in clear text.
import http2 from 'node:http2';

/** Options of {@link startTlsProxy}. */
export interface TlsProxyOptions {
  /** `host:port` of the plain (h2c) gRPC server to forward to. */
  upstream: string;
  /** The server's key and certificate, PEM. */
  key: Buffer;
  cert: Buffer;
  /** With `requireClientCert`: the CA a client certificate must be signed by, PEM. */
  ca?: Buffer;
  /** Refuse the handshake of a client without a certificate signed by `ca` (mTLS). */
  requireClientCert?: boolean;
  /** Answer calls whose `authorization` header is not `Bearer <apiKey>` with UNAUTHENTICATED. */
  apiKey?: string;
}

/** A running proxy. */
export interface TlsProxy {
  port: number;
  /** Why handshakes failed, as the proxy saw it (the client's side is the test's business). */
  readonly tlsErrors: string[];
  /** The gRPC method of each call forwarded (`StartWorkflowExecution`, `PollActivityTaskQueue`, ...), to tell whose calls came through. */
  readonly forwarded: string[];
  /** The gRPC methods refused for their API key, one entry a call. */
  readonly refused: string[];
  close(): Promise<void>;
}

/** gRPC's statuses for a missing or wrong credential, and for a server out of reach. */
const UNAUTHENTICATED = 16;
const UNAVAILABLE = 14;

/** Ends a call at once with a gRPC status (a trailers-only response). */
function answer(stream: http2.ServerHttp2Stream, status: number, message: string): void {
  stream.respond({ ':status': 200, 'content-type': 'application/grpc', 'grpc-status': String(status), 'grpc-message': encodeURIComponent(message) }, { endStream: true });
}

/** Request headers the dev server gets: the call's own, without pseudo-headers (set anew) or the credential (consumed here). */
function forwardedRequestHeaders(headers: http2.IncomingHttpHeaders): http2.OutgoingHttpHeaders {
  const forwarded: http2.OutgoingHttpHeaders = { ':method': headers[':method'] ?? 'POST', ':path': headers[':path'] ?? '/' };
  for (const [name, value] of Object.entries(headers)) {
    if (!name.startsWith(':') && name !== 'authorization' && value !== undefined) forwarded[name] = value;
  }
  return forwarded;
}

/** Response headers or trailers relayed to the client: all but pseudo-headers other than `:status`. */
function relayedHeaders(headers: http2.IncomingHttpHeaders): http2.OutgoingHttpHeaders {
  return Object.fromEntries(Object.entries(headers).filter(([name, value]) => (!name.startsWith(':') || name === ':status') && value !== undefined));
}

/** Relays one gRPC call between a client stream and a new stream to the dev server. */
function forward(stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders, upstream: http2.ClientHttp2Session): void {
  const call = upstream.request(forwardedRequestHeaders(headers));
  let trailers: http2.OutgoingHttpHeaders = {};
  // A reset on either side (a cancelled long poll, a proxy shutting down) ends the other side too.
  const abandon = (): void => {
    if (!call.destroyed) call.close(http2.constants.NGHTTP2_CANCEL);
    if (!stream.destroyed) stream.close(http2.constants.NGHTTP2_CANCEL);
  };
  stream.on('error', abandon);
  call.on('error', abandon);
  stream.on('close', () => {
    if (!call.closed) call.close(http2.constants.NGHTTP2_CANCEL);
  });
  stream.pipe(call);
  call.on('response', (responseHeaders) => {
    if (stream.destroyed) return;
    if (responseHeaders['grpc-status'] !== undefined) {
      // A trailers-only response (an error without a body): the status travels in the headers.
      stream.respond(relayedHeaders(responseHeaders), { endStream: true });
      return;
    }
    // gRPC's status comes in trailers, after the body: hold the end of the stream for them.
    stream.respond(relayedHeaders(responseHeaders), { waitForTrailers: true });
    call.pipe(stream);
  });
  call.on('trailers', (received) => {
    trailers = relayedHeaders(received);
  });
  stream.on('wantTrailers', () => stream.sendTrailers(trailers));
}

/** Starts the proxy on 127.0.0.1, on a free port. */
export async function startTlsProxy(options: TlsProxyOptions): Promise<TlsProxy> {
  const tlsErrors: string[] = [];
  const forwarded: string[] = [];
  const refused: string[] = [];
  const sessions = new Set<http2.Http2Session>();
  const server = http2.createSecureServer({
    key: options.key,
    cert: options.cert,
    ...(options.ca === undefined ? {} : { ca: options.ca }),
    requestCert: options.requireClientCert === true,
    rejectUnauthorized: options.requireClientCert === true,
    allowHTTP1: false,
  });
  server.on('tlsClientError', (error) => tlsErrors.push(error.message));
  server.on('session', (session) => {
    // One clear-text connection to the dev server for each client connection, closed with it.
    const upstream = http2.connect(`http://${options.upstream}`);
    upstream.on('error', () => session.destroy());
    session.on('error', () => undefined);
    session.on('close', () => {
      upstream.destroy();
      sessions.delete(session);
      sessions.delete(upstream);
    });
    sessions.add(session).add(upstream);
    session.on('stream', (stream, headers) => {
      stream.on('error', () => undefined);
      const method = String(headers[':path']).split('/').pop() ?? '';
      if (options.apiKey !== undefined && headers.authorization !== `Bearer ${options.apiKey}`) {
        refused.push(method);
        answer(stream, UNAUTHENTICATED, 'the proxy refused the API key');
        return;
      }
      if (upstream.closed || upstream.destroyed) {
        answer(stream, UNAVAILABLE, `the proxy lost its connection to ${options.upstream}`);
        return;
      }
      forwarded.push(method);
      forward(stream, headers, upstream);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as { port: number };
  return {
    port,
    tlsErrors,
    forwarded,
    refused,
    close: async () => {
      // Open long polls would hold `server.close` forever: drop every connection first.
      for (const session of sessions) session.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
