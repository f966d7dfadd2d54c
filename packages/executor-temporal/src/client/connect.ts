/**
 * A Temporal client from the `temporal` settings: connection (TLS, API key, metadata), namespace
 * and the data converter (payload encryption). Node only.
 */
import { Client, Connection, type ClientOptions } from '@temporalio/client';
import type { Settings } from '@mcp-agent/core';
import { clientDataConverter } from '../codec/data-converter.js';
import { connectionSettings, connectWithin, CONNECT_TIMEOUT_MS } from '../connection-options.js';

/** Connects to the server of `settings`; a missing encryption key or unreadable certificate refuses before connecting. */
export async function connectTemporalConnection(settings: Settings, connectTimeoutMs: number = CONNECT_TIMEOUT_MS): Promise<Connection> {
  const options = connectionSettings(settings);
  // Lazy, so that a connection still trying when we give up can be closed.
  const lazy = Connection.lazy({
    address: options.address,
    connectTimeout: connectTimeoutMs,
    ...(options.tls === undefined ? {} : { tls: options.tls }),
    ...(options.apiKey === undefined ? {} : { apiKey: options.apiKey }),
    ...(options.metadata === undefined ? {} : { metadata: options.metadata }),
  });
  return connectWithin(
    options.address,
    connectTimeoutMs,
    async () => {
      await lazy.ensureConnected();
      return lazy;
    },
    { tls: options.tls, apiKey: options.apiKey },
    () => lazy.close(),
  );
}

/** A client over `connection` with the namespace and data converter of `settings` (and `extra` options, such as interceptors). */
export function temporalClientFor(settings: Settings, connection: Connection, extra: Omit<ClientOptions, 'connection' | 'namespace' | 'dataConverter'> = {}): Client {
  const dataConverter = clientDataConverter(settings);
  return new Client({ ...extra, connection, namespace: connectionSettings(settings).namespace, ...(dataConverter === undefined ? {} : { dataConverter }) });
}

/**
 * A client for the settings' server and namespace, decrypting payloads when
 * `temporal.data_converter` has a key. Close it with `client.connection.close()`.
 *
 * @example
 * ```ts
 * const client = await connectTemporalClient(loadSettings().settings);
 * const history = await client.workflow.getHandle('approval-42').fetchHistory();
 * await client.connection.close();
 * ```
 */
export async function connectTemporalClient(settings: Settings, options: { connectTimeoutMs?: number } = {}): Promise<Client> {
  clientDataConverter(settings);
  return temporalClientFor(settings, await connectTemporalConnection(settings, options.connectTimeoutMs));
}
