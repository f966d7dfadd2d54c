/**
 * Worker affinity for MCP servers whose session scope is `run`: a run's session lives in the
 * worker process that opened it, so the run's later calls to that server must reach the same
 * worker. Each worker with such servers also polls a task queue of its own for the MCP tasks; a
 * run asks once, through {@link SESSION_WORKER_TASK} on its own queue, which worker holds its
 * sessions, and sends its calls there with a schedule-to-start timeout. A call no worker takes in
 * time (the worker died) makes the run ask again, so it moves to a live worker and a fresh session.
 * Safe for the workflow sandbox.
 */
import { MCP_TASK_NAMES } from '@mcp-agent/core/engine/workflow';

/**
 * The activity that answers with the task queue of the worker running it: where the run that
 * asked sends its calls to `run`-scoped MCP servers from then on. Registered by every worker of an
 * app with such servers.
 */
export const SESSION_WORKER_TASK = 'mcp.sessionWorkerQueue';

/** The patch that guards routing: runs recorded before it replay without the extra activity. */
export const SESSION_AFFINITY_PATCH = 'mcp-agent.run-session-affinity';

/** How often a run moves to another worker for one call before the call fails. */
export const MAX_SESSION_WORKER_MOVES = 3;

/** How long a call waits for the worker holding its run's sessions, unless the server's config says. */
export const DEFAULT_AFFINITY_TIMEOUT_MS = 10_000;

/**
 * The `run`-scoped MCP server a task call addresses, when it is one of `servers` and the task is
 * one that uses the run's session (`mcp.listTools`, `mcp.callTool`); otherwise undefined.
 */
export function runSessionServerOf(taskName: string, args: readonly unknown[], servers: Readonly<Record<string, number>> | undefined): string | undefined {
  if (servers === undefined) return undefined;
  let server: unknown;
  if (taskName === MCP_TASK_NAMES.listTools) server = args[0];
  else if (taskName === MCP_TASK_NAMES.callTool) server = (args[0] as { server?: unknown } | undefined)?.server;
  else return undefined;
  return typeof server === 'string' && Object.hasOwn(servers, server) ? server : undefined;
}

/** The task queue a worker polls for the MCP calls of runs whose sessions it holds: unique per worker process. */
export function sessionWorkerQueueName(taskQueue: string, workerId: string): string {
  return `${taskQueue}/mcp-sessions/${workerId}`;
}
