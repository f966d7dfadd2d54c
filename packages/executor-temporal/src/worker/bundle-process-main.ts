/**
 * The child process {@link bundleWorkflowsInChild} starts: it bundles the workflow modules it is
 * sent, sends back their code (or why they can't be bundled), and exits.
 */
import type { Logger } from '@mcp-agent/core';
import { bundleWorkflows, WorkflowBundleError } from './bundle.js';
import type { BundleProcessMessage, BundleRequest } from './bundle-process.js';

if (process.send === undefined) throw new Error('bundle-process-main runs as a child process, started by bundleWorkflowsInChild');

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

process.once('message', async (request: BundleRequest) => {
  try {
    const bundle = await bundleWorkflows({
      workflowsPaths: request.workflowsPaths,
      ...(request.config === undefined ? {} : { config: request.config }),
      ...(request.tracing === undefined ? {} : { tracing: request.tracing }),
      ...(request.ignoreModules === undefined ? {} : { ignoreModules: request.ignoreModules }),
      logger,
    });
    await send({ kind: 'done', code: bundle.code });
  } catch (error) {
    await send({ kind: 'error', message: error instanceof Error ? error.message : String(error), bundleError: error instanceof WorkflowBundleError });
  }
  process.disconnect();
});
