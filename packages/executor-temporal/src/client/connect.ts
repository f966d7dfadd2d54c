/**
 * A Temporal client from the `temporal` settings: connection (TLS, API key, metadata), namespace
 * and the data converter (payload encryption). Node only.
 */
import { Client, Connection, type ClientOptions } from '@temporalio/client';
import type { LoadedDataConverter } from '@temporalio/common';
import type { Settings } from '@mcp-agent/core/config';
import { clientDataConverter } from '../codec/data-converter.js';
import { connectionSettings, connectOptions, connectWithin, CONNECT_TIMEOUT_MS, type TemporalConnectionSettings } from '../connection-options.js';

/** Connects to the server of `connection` (from {@link connectionSettings}), within `connectTimeoutMs`. */
export async function connectTemporalConnection(connection: TemporalConnectionSettings, connectTimeoutMs: number = CONNECT_TIMEOUT_MS): Promise<Connection> {
  // Lazy, so that a connection still trying when we give up can be closed.
  const lazy = Connection.lazy({ ...connectOptions(connection), connectTimeout: connectTimeoutMs });
  return connectWithin(
    connection.address,
    connectTimeoutMs,
    async () => {
      await lazy.ensureConnected();
      return lazy;
    },
    connection,
    () => lazy.close(),
  );
}

/** A client over `connection` in `namespace`, with the data converter of the settings (and `extra` options, such as interceptors). */
export function temporalClientFor(
  connection: Connection,
  namespace: string,
  dataConverter: LoadedDataConverter | undefined,
  extra: Omit<ClientOptions, 'connection' | 'namespace' | 'dataConverter'> = {},
): Client {
  return new Client({ ...extra, connection, namespace, ...(dataConverter === undefined ? {} : { dataConverter }) });
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
  const connection = connectionSettings(settings);
  // Before connecting: a missing or malformed encryption key refuses to start.
  const dataConverter = clientDataConverter(settings);
  return temporalClientFor(await connectTemporalConnection(connection, options.connectTimeoutMs), connection.namespace, dataConverter);
}
