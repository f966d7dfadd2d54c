/**
 * The Temporal execution engine: what `MCPApp` loads for `execution_engine: temporal`. Node only.
 */
import type { Client, Connection } from '@temporalio/client';
import type { Worker } from '@temporalio/worker';
import { ConfigError } from '@mcp-agent/core';
import { createTaskMap, type CreateExecutorOptions, type ExecutionEngine } from '@mcp-agent/core/engine';
import type { Settings } from '@mcp-agent/core/config';
import { TemporalExecutor } from './client/temporal-executor.js';
import { withTemporalAddress, withTemporalSection } from './config.js';
import { clientDataConverter } from './codec/data-converter.js';
import { connectTemporalConnection, temporalClientFor } from './client/connect.js';
import { connectionSettings, CONNECT_TIMEOUT_MS } from './connection-options.js';
import { createTemporalWorker, type TemporalWorkerOptions } from './worker/worker.js';
import { assertSearchAttributesRegistered } from './client/search-attributes.js';
import { clientTracingOptions } from './client/tracing.js';
import { createTracing, type TracingOptions } from './telemetry/tracing.js';

/** Options of {@link createTemporalEngine}. */
export interface TemporalEngineOptions {
  /**
   * Also run a worker in this process, with these options (its `workflowsPath` or
   * `workflowBundle`), for development and tests. In production workers run apart, made with
   * `createTemporalWorkerForApp`.
   */
  worker?: TemporalWorkerOptions;
  /** A client connection to use instead of one made from the settings; not closed by the executor. */
  connection?: Connection;
  /**
   * A client to use as it is (its connection and namespace), such as the time-skipping client of
   * `@temporalio/testing`'s `TestWorkflowEnvironment`; not closed by the executor.
   */
  client?: Client;
  /** `host:port` of the server, instead of `temporal.host` and `temporal.port`. */
  address?: string;
  /** Bound on connecting to the server, in milliseconds. Default 10,000. */
  connectTimeoutMs?: number;
  /** Where the spans of the client (and of the in-process worker, unless its options give its own) go when `otel.enabled`. */
  tracing?: TracingOptions;
}

/** The settings with `temporal.host` and `temporal.port` taken from `host:port`. */
function withAddress(settings: Settings, address: string): Settings {
  const separator = address.lastIndexOf(':');
  const port = Number(address.slice(separator + 1));
  if (separator <= 0 || !Number.isInteger(port) || port < 1 || port > 65_535) {
    throw new ConfigError(`createTemporalEngine({ address }): expected "host:port", got ${JSON.stringify(address)}`);
  }
  return withTemporalAddress(settings, address.slice(0, separator), port);
}

/** Connects to the server from `settings.temporal` and makes the executor (and, when asked, an in-process worker). */
async function createExecutor(given: CreateExecutorOptions, engineOptions: TemporalEngineOptions): Promise<TemporalExecutor> {
  // The address given replaces the section's, and wins over TEMPORAL_ADDRESS and profiles as the file's would.
  const settings = withTemporalSection(engineOptions.address === undefined ? given.settings : withAddress(given.settings, engineOptions.address));
  const options = { ...given, settings };
  const connectionOptions = connectionSettings(options.settings);
  // Before connecting: a missing or malformed encryption key refuses to start.
  const dataConverter = clientDataConverter(options.settings);
  const timeout = engineOptions.connectTimeoutMs ?? CONNECT_TIMEOUT_MS;
  const givenConnection = (engineOptions.client?.connection as Connection | undefined) ?? engineOptions.connection;
  const connection = givenConnection ?? (await connectTemporalConnection(connectionOptions, timeout));
  const tracing = engineOptions.client === undefined ? createTracing(options.settings, engineOptions.tracing, options.logger) : undefined;
  const client = engineOptions.client ?? temporalClientFor(connection, connectionOptions.namespace, dataConverter, clientTracingOptions(tracing));
  // What this call made, released when it fails halfway.
  const release = async (): Promise<void> => {
    await tracing?.close();
    if (givenConnection === undefined) await connection.close();
  };
  if (options.settings.temporal?.search_attributes === true) {
    try {
      await assertSearchAttributesRegistered(client.connection, client.options.namespace, options.logger);
    } catch (error) {
      await release();
      throw error;
    }
  }
  const tasks = options.tasks ?? createTaskMap({ registry: options.registry, settings: options.settings });
  let worker: Worker | undefined;
  let running: Promise<void> | undefined;
  if (engineOptions.worker !== undefined) {
    try {
      worker = await createTemporalWorker(
        { registry: options.registry, settings: options.settings, logger: options.logger, tasks },
        { tracing: engineOptions.tracing, ...engineOptions.worker, connectTimeoutMs: engineOptions.worker.connectTimeoutMs ?? timeout },
      );
    } catch (error) {
      await release();
      throw error;
    }
    running = worker.run();
    running.catch((error: unknown) => options.logger.error('temporal worker stopped', { error: String(error) }));
  }
  return new TemporalExecutor({
    client,
    ...(givenConnection === undefined ? { connection } : {}),
    registry: options.registry,
    settings: options.settings,
    logger: options.logger,
    taskQueue: engineOptions.worker?.taskQueue ?? connectionOptions.taskQueue,
    onClose: async () => {
      if (worker !== undefined && worker.getState() === 'RUNNING') worker.shutdown();
      await running?.catch(() => undefined);
      await tracing?.close();
    },
  });
}

/**
 * Makes the Temporal engine. Pass it to `new MCPApp({ engines: { temporal: createTemporalEngine({ ... }) } })`
 * to run a worker in the same process.
 */
export function createTemporalEngine(options: TemporalEngineOptions = {}): ExecutionEngine {
  return { name: 'temporal', createExecutor: (executorOptions) => createExecutor(executorOptions, options) };
}

/** The Temporal engine, client only; `MCPApp` loads it for `execution_engine: temporal`. */
export const executionEngine: ExecutionEngine = createTemporalEngine();
