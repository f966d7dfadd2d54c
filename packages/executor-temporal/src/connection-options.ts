/**
 * Connection options from the `temporal` settings, shared by the client and the worker. Node only.
 */
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { connect as connectTls } from 'node:tls';
import { ConfigError, MCPAgentError, messageOf } from '@mcp-agent/core';
import type { Settings } from '@mcp-agent/core/config';
import { withTemporalSection } from './config.js';

/** What both `Connection.connect` and `NativeConnection.connect` take. */
export interface TemporalConnectionSettings {
  address: string;
  namespace: string;
  taskQueue: string;
  tls: boolean | { serverNameOverride?: string; serverRootCACertificate?: Buffer; clientCertPair?: { crt: Buffer; key: Buffer } } | undefined;
  apiKey: string | undefined;
  metadata: Record<string, string> | undefined;
}

function readCertificate(file: string, key: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    throw new ConfigError(`temporal.tls.${key}: cannot read "${file}" (${messageOf(error)}); give the path of a PEM file`, [], { cause: error });
  }
}

/** What `Connection.lazy` and `NativeConnection.connect` take from the settings (the keys left unset are left out). */
export function connectOptions(settings: TemporalConnectionSettings): {
  address: string;
  tls?: NonNullable<TemporalConnectionSettings['tls']>;
  apiKey?: string;
  metadata?: Record<string, string>;
} {
  return {
    address: settings.address,
    ...(settings.tls === undefined ? {} : { tls: settings.tls }),
    ...(settings.apiKey === undefined ? {} : { apiKey: settings.apiKey }),
    ...(settings.metadata === undefined ? {} : { metadata: settings.metadata }),
  };
}

/** The address, namespace, task queue, TLS, API key and metadata from settings (defaults: localhost:7233, default, mcp-agent). */
export function connectionSettings(settings: Settings): TemporalConnectionSettings {
  const temporal = withTemporalSection(settings).temporal;
  const address = `${temporal?.host ?? 'localhost'}:${temporal?.port ?? 7233}`;
  let tls: TemporalConnectionSettings['tls'];
  const configured = temporal?.tls;
  if (typeof configured === 'boolean') tls = configured;
  else if (configured !== undefined) {
    const hasCert = configured.client_cert_path !== undefined;
    const hasKey = configured.client_key_path !== undefined;
    if (hasCert !== hasKey) {
      throw new ConfigError('temporal.tls: mTLS needs both client_cert_path and client_key_path; give both, or neither for server-only TLS');
    }
    tls = {
      ...(configured.server_name === undefined ? {} : { serverNameOverride: configured.server_name }),
      ...(configured.ca_cert_path === undefined ? {} : { serverRootCACertificate: readCertificate(configured.ca_cert_path, 'ca_cert_path') }),
      ...(hasCert
        ? {
            clientCertPair: {
              crt: readCertificate(configured.client_cert_path as string, 'client_cert_path'),
              key: readCertificate(configured.client_key_path as string, 'client_key_path'),
            },
          }
        : {}),
    };
  }
  // An API key implies TLS unless TLS was turned off explicitly, as Temporal Cloud expects.
  if (temporal?.api_key !== undefined && tls === undefined) tls = true;
  const metadata = temporal?.rpc_metadata === undefined ? undefined : Object.fromEntries(Object.entries(temporal.rpc_metadata).map(([key, value]) => [key, String(value)]));
  return {
    address,
    namespace: temporal?.namespace ?? 'default',
    taskQueue: temporal?.task_queue ?? 'mcp-agent',
    tls,
    apiKey: temporal?.api_key,
    metadata,
  };
}

/** The Temporal server can't be reached, or the TLS handshake with it failed. */
export class TemporalUnreachableError extends MCPAgentError {
  readonly address: string;
  constructor(address: string, cause: unknown, hint: string = LOCAL_SERVER_HINT) {
    super('TEMPORAL_UNREACHABLE', `cannot reach the Temporal server at ${address}: ${reasonOf(cause)}. ${hint}`, { cause, retryable: true });
    this.address = address;
  }
  static override is(value: unknown): value is TemporalUnreachableError {
    return MCPAgentError.is(value) && value.code === 'TEMPORAL_UNREACHABLE';
  }
}

/** The server answered, and refused the credentials (API key, client certificate). Not retryable. */
export class TemporalAuthError extends MCPAgentError {
  readonly address: string;
  constructor(address: string, cause: unknown, hint: string) {
    super('TEMPORAL_AUTH_FAILED', `the Temporal server at ${address} refused the credentials: ${reasonOf(cause)}. ${hint}`, { cause, retryable: false });
    this.address = address;
  }
  static override is(value: unknown): value is TemporalAuthError {
    return MCPAgentError.is(value) && value.code === 'TEMPORAL_AUTH_FAILED';
  }
}

const LOCAL_SERVER_HINT =
  'Start a local one with `temporal server start-dev` or `npx mcp-agent server start-dev` ' +
  '(in the mcp-agent repository `bash tools/install-temporal.sh` installs the CLI), ' +
  'or point temporal.host and temporal.port in mcp_agent.config.yaml at yours';
const REMOTE_SERVER_HINT = 'Check temporal.host and temporal.port, that the server is up, and that it speaks TLS as temporal.tls says';

/** Each message of an error and its causes, outermost first. */
function messagesOf(error: unknown): string[] {
  const messages: string[] = [];
  for (let current = error, depth = 0; current !== undefined && current !== null && depth < 8; current = (current as { cause?: unknown }).cause, depth += 1) {
    const message = messageOf(current);
    if (message !== '' && !messages.includes(message)) messages.push(message);
  }
  return messages;
}

/** The most telling message: the innermost cause's (the SDKs wrap it in "Failed to connect"). */
function reasonOf(error: unknown): string {
  const messages = messagesOf(error);
  return messages[messages.length - 1] ?? messageOf(error);
}

/** What is wrong with the TLS settings, from the words of a handshake error; undefined when nothing is recognised. */
export function tlsProblemOf(text: string): string | undefined {
  if (/UnknownIssuer|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_GET_ISSUER_CERT|unable to verify the first certificate/i.test(text)) {
    return "the server's certificate is not signed by a CA this client trusts: set temporal.tls.ca_cert_path to the CA that signed it";
  }
  if (/NotValidForName|ERR_TLS_CERT_ALTNAME_INVALID|does not match certificate's altnames/i.test(text)) {
    return "the server's certificate is not issued for the name connected to: set temporal.tls.server_name to a name it is issued for";
  }
  if (/CertificateRequired|CERTIFICATE_REQUIRED|certificate required/i.test(text)) {
    return 'the server requires a client certificate: set temporal.tls.client_cert_path and temporal.tls.client_key_path';
  }
  if (/BadCertificate|BAD_CERTIFICATE|UnknownCA|UNKNOWN_CA|bad certificate/i.test(text)) {
    return 'the server refused the client certificate: check temporal.tls.client_cert_path and client_key_path (signed by a CA the server trusts)';
  }
  if (/WRONG_VERSION_NUMBER|wrong version number|packet length too long|InvalidContentType|CorruptMessage/i.test(text)) {
    return 'the server does not speak TLS on this port: remove temporal.tls (and api_key), or use the TLS port';
  }
  return undefined;
}

/** How the connection is secured: for error hints and the TLS probe. */
export interface ConnectionContext {
  tls: TemporalConnectionSettings['tls'];
  apiKey: string | undefined;
}

/**
 * A TLS handshake made with Node's own TLS, to learn why a connection that timed out failed
 * (the gRPC client keeps the handshake's reason to itself). Undefined when the handshake succeeds.
 */
export async function probeTls(address: string, tls: Exclude<TemporalConnectionSettings['tls'], undefined | false>, milliseconds = 3_000): Promise<string | undefined> {
  const separator = address.lastIndexOf(':');
  const host = address.slice(0, separator).replace(/^\[|\]$/g, '');
  const port = Number(address.slice(separator + 1));
  const options = tls === true ? {} : tls;
  return new Promise((resolve) => {
    let settled = false;
    const done = (reason: string | undefined): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(reason);
    };
    const socket = connectTls({
      host,
      port,
      ALPNProtocols: ['h2'],
      ...(options.serverNameOverride !== undefined ? { servername: options.serverNameOverride } : isIP(host) === 0 ? { servername: host } : {}),
      ...(options.serverRootCACertificate === undefined ? {} : { ca: options.serverRootCACertificate }),
      ...(options.clientCertPair === undefined ? {} : { cert: options.clientCertPair.crt, key: options.clientCertPair.key }),
    });
    // TLS 1.3 servers refuse a client certificate after the handshake: wait a moment for that alert.
    socket.once('secureConnect', () => setTimeout(() => done(undefined), 300));
    socket.once('error', (error: NodeJS.ErrnoException) => done(`${error.code ?? ''} ${error.message}`.trim()));
    socket.once('close', () => done(undefined));
    const timer = setTimeout(() => done(undefined), milliseconds);
  });
}

/** The words of a server that refused the credentials. */
const AUTH_REFUSAL = /UNAUTHENTICATED|PERMISSION_DENIED|valid authentication credentials|Request unauthorized/i;

/** The error for a failed connection: refused credentials, a TLS problem, or an unreachable server. */
function connectionError(address: string, error: unknown, context: ConnectionContext | undefined, probed?: string): MCPAgentError {
  const text = [...messagesOf(error), probed ?? ''].join('\n');
  const secured = context !== undefined && ((context.tls !== undefined && context.tls !== false) || context.apiKey !== undefined);
  if (AUTH_REFUSAL.test(text)) {
    const hint =
      context?.apiKey !== undefined
        ? 'Check temporal.api_key (and that it is for this namespace)'
        : 'The server wants credentials: set temporal.api_key, or a client certificate in temporal.tls';
    return new TemporalAuthError(address, error, hint);
  }
  const tlsProblem = tlsProblemOf(text);
  if (tlsProblem !== undefined) return new TemporalUnreachableError(address, probed === undefined ? error : new Error(probed, { cause: error }), `TLS: ${tlsProblem}`);
  return new TemporalUnreachableError(address, error, secured ? REMOTE_SERVER_HINT : LOCAL_SERVER_HINT);
}

/** Default bound on connecting. */
export const CONNECT_TIMEOUT_MS = 10_000;

/**
 * Runs `connect`, failing when it fails or outlasts `milliseconds`: with
 * {@link TemporalAuthError} when the server refused the credentials, else with
 * {@link TemporalUnreachableError} (naming the TLS setting to fix when the handshake failed; a
 * TLS connection that failed without saying why is probed to learn it). `abandon` is called when it gives up, to
 * close a connection still trying.
 */
export async function connectWithin<T extends { close(): Promise<unknown> }>(
  address: string,
  milliseconds: number,
  connect: () => Promise<T>,
  context?: ConnectionContext,
  abandon?: () => Promise<unknown>,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  let late = false;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      late = true;
      reject(new Error(`no answer within ${milliseconds} ms`));
    }, milliseconds);
  });
  const connecting = connect();
  connecting.then(
    (connection) => {
      if (late) void connection.close().catch(() => undefined);
    },
    () => undefined,
  );
  try {
    return await Promise.race([connecting, deadline]);
  } catch (error) {
    if (ConfigError.is(error)) throw error;
    await abandon?.().catch(() => undefined);
    const tls = context?.tls;
    // The gRPC clients hide the handshake's reason (a timeout) or lose it (a closed connection):
    // unless the error already says what is wrong, ask Node's TLS.
    const said = messagesOf(error).join('\n');
    const recognised = tlsProblemOf(said) !== undefined || AUTH_REFUSAL.test(said);
    const probed = !recognised && tls !== undefined && tls !== false ? await probeTls(address, tls) : undefined;
    throw connectionError(address, error, context, probed);
  } finally {
    clearTimeout(timer);
  }
}
