/**
 * The child process {@link bundleWorkflowsInChild} starts: it bundles the workflow modules it is
 * sent, sends back their code (or why they can't be bundled), and exits.
 */
import { createRequire, Module } from 'node:module';
import type { Logger } from '@mcp-agent/core';
import type { BundleProcessMessage, BundleProcessRequest } from './bundle-process.js';

if (process.send === undefined) throw new Error('bundle-process-main runs as a child process, started by bundleWorkflowsInChild');

/**
 * Spares this process the Temporal SDK's native module (about 60 ms to load). The SDK's bundler
 * requires its logger, which requires the native bridge for one clock call made only when that
 * logger logs; the bundler is given ours. This process runs no Temporal worker or client.
 */
function skipNativeBridge(): void {
  const require = createRequire(import.meta.url);
  let bridge: string;
  try {
    bridge = createRequire(require.resolve('@temporalio/worker/lib/workflow/bundler.js')).resolve('@temporalio/core-bridge');
  } catch {
    return;
  }
  const stub = new Module(bridge);
  stub.filename = bridge;
  stub.loaded = true;
  stub.exports = { native: { getTimeOfDay: () => BigInt(Date.now()) * 1_000_000n }, errors: {} };
  require.cache[bridge] = stub;
}
skipNativeBridge();
const { BundleFailure, bundleWithWebpack } = await import('./bundle-webpack.js');

function send(message: BundleProcessMessage): Promise<void> {
  return new Promise((resolve) => process.send?.(message, undefined, {}, () => resolve()));
}

/** Data of a log line as IPC can carry it (webpack's report is text; anything else is dropped). */
function cloneable(data: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (data === undefined) return undefined;
  try {
    return JSON.parse(JSON.stringify(data)) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

const log = (message: string, data?: Record<string, unknown>): void => void send({ kind: 'log', message, ...(data === undefined ? {} : { data: cloneable(data) }) });
const logger: Logger = { debug: log, info: log, warn: log, error: log, child: () => logger };

// The worker that asked has gone: nothing is waiting for the bundle.
process.once('disconnect', () => process.exit(0));

process.once('message', async (request: BundleProcessRequest) => {
  try {
    const bundle = await bundleWithWebpack({
      workflowsPaths: request.workflowsPaths,
      sourceCondition: request.sourceCondition,
      ...(request.config === undefined ? {} : { config: request.config }),
      ...(request.tracing === undefined ? {} : { tracing: request.tracing }),
      ...(request.ignoreModules === undefined ? {} : { ignoreModules: request.ignoreModules }),
      logger,
    });
    await send({ kind: 'done', code: bundle.code });
  } catch (error) {
    await send({ kind: 'error', message: error instanceof Error ? error.message : String(error), bundleError: error instanceof BundleFailure });
  }
  process.disconnect();
});
