/**
 * A codec server: the HTTP endpoint the Temporal Web UI and CLI call to show encrypted payloads
 * decrypted (`POST /decode`) and to encrypt what a person types (`POST /encode`). Node only.
 *
 * The protocol is Temporal's: a JSON body `{ "payloads": [{ "metadata": { key: base64 }, "data":
 * base64 }] }` in and out. The Web UI calls it from the browser, so the server answers CORS
 * preflights for the origins it is given; with a token, every call must carry
 * `Authorization: Bearer <token>`. It listens on loopback unless told otherwise.
 */
import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { ConfigError, messageOf, type Logger } from '@mcp-agent/core';
import type { Settings } from '@mcp-agent/core/config';
import { encryptionCodecFromSettings } from './data-converter.js';
import { PayloadDecryptionError } from './encryption-codec.js';

/** Options of {@link startCodecServer}. */
export interface CodecServerOptions {
  /** The codec whose `encode` and `decode` the server runs. */
  codec: PayloadCodec;
  /** Default `127.0.0.1`. */
  host?: string;
  /** Default 8888; 0 picks a free port. */
  port?: number;
  /** When set, every call needs `Authorization: Bearer <token>`. */
  token?: string;
  /**
   * Origins allowed to call from a browser. Default: the local dev server's Web UI,
   * `http://localhost:8233` and `http://127.0.0.1:8233`. `*` allows any (only sensible with a token).
   */
  origins?: readonly string[];
  /** Largest request body, in bytes. Default 16 MiB. */
  maxBodyBytes?: number;
  /**
   * Listen on an address other than loopback without a token. Refused unless set: anyone who can
   * reach the port could decrypt every payload.
   */
  insecure?: boolean;
  logger?: Logger;
}

/** True for an address only this machine can reach: 127.0.0.0/8, ::1, localhost. */
function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  return bare === 'localhost' || bare === '::1' || /^127(?:\.\d{1,3}){3}$/.test(bare);
}

/** A running codec server. */
export interface CodecServer {
  /** `http://host:port`, what `--ui-codec-endpoint` and the Web UI's codec setting take. */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/** Default port, as in Temporal's samples. */
export const DEFAULT_CODEC_SERVER_PORT = 8888;
const DEFAULT_ORIGINS = ['http://localhost:8233', 'http://127.0.0.1:8233'];
const DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024;

/** A request the server refuses, with its HTTP status. */
class RequestError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

type JsonPayload = { metadata?: Record<string, string>; data?: string };

function fromJson(value: unknown, index: number): Payload {
  if (typeof value !== 'object' || value === null) throw new RequestError(400, `payloads[${index}]: expected an object with metadata and data`);
  const { metadata, data } = value as JsonPayload;
  if (metadata !== undefined && (typeof metadata !== 'object' || metadata === null)) {
    throw new RequestError(400, `payloads[${index}].metadata: expected an object of base64 strings`);
  }
  const decoded: Record<string, Uint8Array> = {};
  for (const [key, text] of Object.entries(metadata ?? {})) {
    if (typeof text !== 'string') throw new RequestError(400, `payloads[${index}].metadata.${key}: expected a base64 string`);
    decoded[key] = Buffer.from(text, 'base64');
  }
  if (data !== undefined && data !== null && typeof data !== 'string') throw new RequestError(400, `payloads[${index}].data: expected a base64 string`);
  return { metadata: decoded, data: Buffer.from(data ?? '', 'base64') };
}

function toJson(payload: Payload): JsonPayload {
  return {
    metadata: Object.fromEntries(Object.entries(payload.metadata ?? {}).map(([key, bytes]) => [key, Buffer.from(bytes ?? new Uint8Array()).toString('base64')])),
    data: Buffer.from(payload.data ?? new Uint8Array()).toString('base64'),
  };
}

async function readBody(request: IncomingMessage, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new RequestError(413, `request body over ${limit} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function tokenMatches(header: string | undefined, token: string): boolean {
  const given = Buffer.from(/^Bearer\s+(.+)$/i.exec(header ?? '')?.[1]?.trim() ?? '');
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * Starts a codec server for a codec.
 *
 * @example
 * ```ts
 * const server = await startCodecServer({ codec: encryptionCodecFromSettings(settings)!, port: 8888 });
 * // temporal server start-dev --ui-codec-endpoint http://127.0.0.1:8888
 * ```
 */
export async function startCodecServer(options: CodecServerOptions): Promise<CodecServer> {
  const origins = new Set(options.origins ?? DEFAULT_ORIGINS);
  const limit = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const host = options.host ?? '127.0.0.1';
  const logger = options.logger;
  if (!isLoopback(host) && (options.token === undefined || options.token === '')) {
    if (options.insecure !== true) {
      throw new ConfigError(
        `codec server: listening on ${host} without a token would decrypt payloads for anyone who can reach it; ` +
          'set a token (MCP_AGENT_CODEC_SERVER_TOKEN for mcp-agent codec-server), listen on 127.0.0.1, or pass --insecure (insecure: true) to accept the risk',
      );
    }
    logger?.warn('codec server listens beyond loopback without a token: anyone who can reach it can decrypt payloads', { host });
  }

  const corsHeaders = (origin: string | undefined): Record<string, string> => {
    if (origin === undefined || !(origins.has('*') || origins.has(origin))) return {};
    return {
      'access-control-allow-origin': origin,
      'access-control-allow-credentials': 'true',
      'access-control-allow-methods': 'POST, OPTIONS',
      'access-control-allow-headers': 'Content-Type, X-Namespace, Authorization',
      'access-control-max-age': '600',
      vary: 'Origin',
    };
  };

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const origin = request.headers.origin;
    const cors = corsHeaders(origin);
    const send = (status: number, body: unknown): void => {
      response.writeHead(status, { ...cors, 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    };
    try {
      if (origin !== undefined && Object.keys(cors).length === 0) {
        throw new RequestError(403, `origin ${origin} is not allowed; start the codec server with this origin among its allowed origins`);
      }
      if (request.method === 'OPTIONS') {
        response.writeHead(204, cors);
        response.end();
        return;
      }
      const route = /\/(encode|decode)\/?$/.exec((request.url ?? '').split('?')[0] ?? '')?.[1];
      if (route === undefined) throw new RequestError(404, `unknown path ${request.url ?? ''}; the codec server answers POST /encode and POST /decode`);
      if (request.method !== 'POST') throw new RequestError(405, `${request.method ?? ''} ${request.url ?? ''}: use POST`);
      if (options.token !== undefined && !tokenMatches(request.headers.authorization, options.token)) {
        throw new RequestError(401, 'missing or wrong bearer token; send Authorization: Bearer <token>');
      }
      let body: unknown;
      try {
        body = JSON.parse(await readBody(request, limit));
      } catch (error) {
        if (error instanceof RequestError) throw error;
        throw new RequestError(400, `the body is not JSON: ${messageOf(error)}`);
      }
      const payloads = (body as { payloads?: unknown } | null)?.payloads;
      if (!Array.isArray(payloads)) throw new RequestError(400, 'expected a body {"payloads": [...]}');
      const given = payloads.map(fromJson);
      const result = route === 'encode' ? await options.codec.encode(given) : await options.codec.decode(given);
      logger?.debug(`codec server ${route}`, { payloads: given.length, namespace: request.headers['x-namespace'] });
      send(200, { payloads: result.map(toJson) });
    } catch (error) {
      const status = error instanceof RequestError ? error.status : PayloadDecryptionError.is(error) ? 422 : 500;
      if (status === 500) logger?.error('codec server failed a request', { error: messageOf(error) });
      send(status, { message: messageOf(error) });
    }
  };

  const server: Server = createServer((request, response) => void handle(request, response));
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'EADDRINUSE' ? new ConfigError(`codec server: port ${options.port ?? DEFAULT_CODEC_SERVER_PORT} on ${host} is in use; choose another with --port`) : error),
    );
    server.listen(options.port ?? DEFAULT_CODEC_SERVER_PORT, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  logger?.info('codec server listening', { url });
  return {
    url,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * Starts a codec server with the codec of `temporal.data_converter`.
 *
 * @throws ConfigError when the settings do not encrypt payloads (there is nothing to decode).
 */
export async function startCodecServerFromSettings(settings: Settings, options: Omit<CodecServerOptions, 'codec'> = {}): Promise<CodecServer> {
  const codec = encryptionCodecFromSettings(settings);
  if (codec === undefined) {
    throw new ConfigError('codec server: temporal.data_converter sets no encryption_key, so payloads are not encrypted and there is nothing to decode');
  }
  return startCodecServer({ ...options, codec });
}
