/**
 * Connection options from the `temporal` settings, Temporal's environment variables and
 * `temporal.toml` profiles, shared by the client and the worker. Node only.
 */
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { platform } from 'node:os';
import path from 'node:path';
import { connect as connectTls } from 'node:tls';
import { ConfigError, MCPAgentError, messageOf } from '@mcp-agent/core';
import type { Settings } from '@mcp-agent/core/config';
import { loadClientConfigProfile, toClientOptions, type ClientConfigProfile, type ClientConfigTLS } from '@temporalio/envconfig';
import { givenConnectionKeys, withTemporalSection, type TemporalTlsConfig } from './config.js';

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

/** The connection values whose source {@link resolveConnection} reports. */
export type ConnectionValueName = 'address' | 'namespace' | 'apiKey' | 'tls' | 'metadata';

/**
 * Where each connection value came from, in words: `config file`, `environment variable
 * TEMPORAL_ADDRESS`, `profile "prod" in /home/me/.config/temporalio/temporal.toml`, or `default`.
 */
export type ConnectionSources = Record<ConnectionValueName, string>;

/** The environment the connection is read from: `process.env` unless given. */
export type ConnectionEnvironment = Readonly<Record<string, string | undefined>>;

/** The connection settings, and where each value came from. */
export interface ResolvedConnection {
  connection: TemporalConnectionSettings;
  sources: ConnectionSources;
}

const CONFIG_FILE_SOURCE = 'config file';
const DEFAULT_SOURCE = 'default';

/** Temporal's TLS environment variables, read by `@temporalio/envconfig`. */
const TLS_ENVIRONMENT_VARIABLES = [
  'TEMPORAL_TLS',
  'TEMPORAL_TLS_CLIENT_CERT_PATH',
  'TEMPORAL_TLS_CLIENT_CERT_DATA',
  'TEMPORAL_TLS_CLIENT_KEY_PATH',
  'TEMPORAL_TLS_CLIENT_KEY_DATA',
  'TEMPORAL_TLS_SERVER_CA_CERT_PATH',
  'TEMPORAL_TLS_SERVER_CA_CERT_DATA',
  'TEMPORAL_TLS_SERVER_NAME',
];

const GRPC_META_PREFIX = 'TEMPORAL_GRPC_META_';

/**
 * The address, namespace, task queue, TLS, API key and metadata (defaults: localhost:7233,
 * default, mcp-agent). See {@link resolveConnection} for where they are read from.
 */
export function connectionSettings(settings: Settings, env: ConnectionEnvironment = process.env): TemporalConnectionSettings {
  return resolveConnection(settings, env).connection;
}

/**
 * The connection settings and the source of each value. A value comes from the `temporal`
 * section of the config file when it sets it; else from Temporal's environment variables
 * (`TEMPORAL_ADDRESS`, `TEMPORAL_NAMESPACE`, `TEMPORAL_API_KEY`, `TEMPORAL_TLS*`,
 * `TEMPORAL_GRPC_META_*`); else from the `temporal.toml` profile (`TEMPORAL_PROFILE`, default
 * `default`) of `TEMPORAL_CONFIG_FILE` or the user's config folder, read by
 * `@temporalio/envconfig`; else the default. The task queue is the config file's alone.
 *
 * @throws ConfigError when a certificate can't be read, the profile file is malformed, or
 *   `TEMPORAL_PROFILE` names a profile that isn't there.
 *
 * @example
 * ```ts
 * const { connection, sources } = resolveConnection(settings, { TEMPORAL_ADDRESS: 'temporal.internal:7233' });
 * sources.address; // 'environment variable TEMPORAL_ADDRESS', unless temporal.host is set
 * ```
 */
export function resolveConnection(settings: Settings, env: ConnectionEnvironment = process.env): ResolvedConnection {
  const validated = withTemporalSection(settings);
  const temporal = validated.temporal;
  const given = givenConnectionKeys(validated);
  const profile = temporalProfile(env);
  const fromEnvironment = (...names: string[]): string | undefined => {
    const set = names.filter((name) => env[name] !== undefined);
    return set.length === 0 ? undefined : `environment variable${set.length === 1 ? '' : 's'} ${set.join(', ')}`;
  };
  const fromProfile = (value: unknown): string | undefined => (value === undefined ? undefined : profile.source);

  const address = given.has('address') ? `${temporal?.host}:${temporal?.port}` : (profile.merged.address ?? 'localhost:7233');
  const namespace = given.has('namespace') ? (temporal?.namespace ?? 'default') : (profile.merged.namespace ?? 'default');
  const apiKey = given.has('api_key') ? temporal?.api_key : profile.merged.apiKey;
  let tls = given.has('tls') ? configuredTls(temporal?.tls) : profileTls(profile.merged.tls, profile.source);
  let tlsSource = given.has('tls') ? CONFIG_FILE_SOURCE : (fromEnvironment(...TLS_ENVIRONMENT_VARIABLES) ?? fromProfile(profile.fileOnly.tls) ?? DEFAULT_SOURCE);
  // An API key implies TLS unless TLS was turned off explicitly, as Temporal Cloud expects.
  if (apiKey !== undefined && tls === undefined) {
    tls = true;
    tlsSource = 'implied by the API key';
  }
  const profileMetadata = profile.merged.grpcMeta === undefined || Object.keys(profile.merged.grpcMeta).length === 0 ? undefined : profile.merged.grpcMeta;
  const metadata = given.has('rpc_metadata') ? Object.fromEntries(Object.entries(temporal?.rpc_metadata ?? {}).map(([key, value]) => [key, String(value)])) : profileMetadata;
  return {
    connection: { address, namespace, taskQueue: temporal?.task_queue ?? 'mcp-agent', tls, apiKey, metadata },
    sources: {
      address: given.has('address') ? CONFIG_FILE_SOURCE : (fromEnvironment('TEMPORAL_ADDRESS') ?? fromProfile(profile.fileOnly.address) ?? DEFAULT_SOURCE),
      namespace: given.has('namespace') ? CONFIG_FILE_SOURCE : (fromEnvironment('TEMPORAL_NAMESPACE') ?? fromProfile(profile.fileOnly.namespace) ?? DEFAULT_SOURCE),
      apiKey: given.has('api_key') ? CONFIG_FILE_SOURCE : (fromEnvironment('TEMPORAL_API_KEY') ?? fromProfile(profile.fileOnly.apiKey) ?? DEFAULT_SOURCE),
      tls: tlsSource,
      metadata: given.has('rpc_metadata')
        ? CONFIG_FILE_SOURCE
        : metadata === undefined
          ? DEFAULT_SOURCE
          : (fromEnvironment(...Object.keys(env).filter((name) => name.startsWith(GRPC_META_PREFIX))) ?? profile.source),
    },
  };
}

/** TLS as the `temporal.tls` setting says. */
function configuredTls(configured: boolean | TemporalTlsConfig | undefined): TemporalConnectionSettings['tls'] {
  if (configured === undefined || typeof configured === 'boolean') return configured;
  const hasCert = configured.client_cert_path !== undefined;
  const hasKey = configured.client_key_path !== undefined;
  if (hasCert !== hasKey) {
    throw new ConfigError('temporal.tls: mTLS needs both client_cert_path and client_key_path; give both, or neither for server-only TLS');
  }
  return {
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

/** TLS as Temporal's environment variables and profile say (their certificates read now). */
function profileTls(tls: ClientConfigTLS | undefined, source: string): TemporalConnectionSettings['tls'] {
  let converted: ReturnType<typeof toClientOptions>['connectionOptions']['tls'];
  try {
    converted = toClientOptions(tls === undefined ? {} : { tls }).connectionOptions.tls;
  } catch (error) {
    throw new ConfigError(`Temporal TLS settings (environment variables TEMPORAL_TLS_*, or ${source}): ${messageOf(error)}`, [], { cause: error });
  }
  if (converted === undefined || converted === null || typeof converted === 'boolean') return converted ?? undefined;
  return {
    ...(converted.serverNameOverride === undefined ? {} : { serverNameOverride: converted.serverNameOverride }),
    ...(converted.serverRootCACertificate === undefined ? {} : { serverRootCACertificate: Buffer.from(converted.serverRootCACertificate) }),
    ...(converted.clientCertPair === undefined ? {} : { clientCertPair: { crt: Buffer.from(converted.clientCertPair.crt), key: Buffer.from(converted.clientCertPair.key) } }),
  };
}

/** The `temporal.toml` profile with the environment applied, the profile alone, and how to name it. */
interface TemporalProfile {
  merged: ClientConfigProfile;
  fileOnly: ClientConfigProfile;
  source: string;
}

/** The profile Temporal's own SDKs and CLI would use, read with `@temporalio/envconfig`. */
function temporalProfile(env: ConnectionEnvironment): TemporalProfile {
  const overrideEnvVars = Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined));
  const name = overrideEnvVars['TEMPORAL_PROFILE'] ?? 'default';
  const file = overrideEnvVars['TEMPORAL_CONFIG_FILE'] ?? defaultTemporalConfigFile(overrideEnvVars);
  const source = `profile "${name}" in ${file ?? 'temporal.toml'}`;
  try {
    return {
      merged: loadClientConfigProfile({ overrideEnvVars }),
      fileOnly: loadClientConfigProfile({ overrideEnvVars, disableEnv: true }),
      source,
    };
  } catch (error) {
    throw new ConfigError(`cannot read the Temporal ${source}: ${messageOf(error)}`, [], { cause: error });
  }
}

/** Where Temporal looks for `temporal.toml` when `TEMPORAL_CONFIG_FILE` is not set, as `@temporalio/envconfig` does. */
function defaultTemporalConfigFile(env: Record<string, string>): string | undefined {
  let folder: string | undefined;
  const home = env['HOME'] || undefined;
  if (platform() === 'win32') folder = env['APPDATA'] || undefined;
  else if (platform() === 'darwin') folder = home === undefined ? undefined : path.join(home, 'Library', 'Application Support');
  else {
    const xdg = env['XDG_CONFIG_HOME'];
    folder = xdg ? (path.isAbsolute(xdg) ? xdg : undefined) : home === undefined ? undefined : path.join(home, '.config');
  }
  return folder === undefined ? undefined : path.join(folder, 'temporalio', 'temporal.toml');
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
