/**
 * Connection options from the `temporal` settings, shared by the client and the worker. Node only.
 */
import { readFileSync } from 'node:fs';
import { ConfigError, MCPAgentError, messageOf, type Settings } from '@mcp-agent/core';

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

/** The address, namespace, task queue, TLS, API key and metadata from settings (defaults: localhost:7233, default, mcp-agent). */
export function connectionSettings(settings: Settings): TemporalConnectionSettings {
  const temporal = settings.temporal;
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

/** The Temporal server can't be reached. */
export class TemporalUnreachableError extends MCPAgentError {
  readonly address: string;
  constructor(address: string, cause: unknown) {
    super(
      'TEMPORAL_UNREACHABLE',
      `cannot reach the Temporal server at ${address}: ${messageOf(cause)}. ` +
        'Start a local one with `temporal server start-dev` (or `bash tools/install-temporal.sh` to install it), ' +
        'or point temporal.host and temporal.port in mcp_agent.config.yaml at yours',
      { cause, retryable: true },
    );
    this.address = address;
  }
  static override is(value: unknown): value is TemporalUnreachableError {
    return MCPAgentError.is(value) && value.code === 'TEMPORAL_UNREACHABLE';
  }
}

/** Default bound on connecting. */
export const CONNECT_TIMEOUT_MS = 10_000;

/**
 * Runs `connect`, failing with {@link TemporalUnreachableError} when it fails or outlasts
 * `milliseconds`; a connection that comes after the deadline is closed.
 */
export async function connectWithin<T extends { close(): Promise<unknown> }>(address: string, milliseconds: number, connect: () => Promise<T>): Promise<T> {
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
    throw new TemporalUnreachableError(address, error);
  } finally {
    clearTimeout(timer);
  }
}
