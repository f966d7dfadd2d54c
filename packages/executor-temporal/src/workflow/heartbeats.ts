/**
 * Which tasks the worker heartbeats for, and their heartbeat timeout. Safe for the workflow sandbox.
 */
import { MCP_TASK_NAMES } from '@mcp-agent/core/engine/workflow';

/**
 * The heartbeat timeout of a model round trip, embedding or MCP operation when
 * `temporal.heartbeat_timeout_seconds` does not set one: 30 seconds.
 */
export const DEFAULT_HEARTBEAT_TIMEOUT_SECONDS = 30;

const MCP_TASKS: ReadonlySet<string> = new Set(Object.values(MCP_TASK_NAMES));

/**
 * Whether the worker heartbeats for a task while it runs: the built-in tasks that wait on a model
 * or an MCP server (`llm.<provider>.complete`, `embedding.<provider>.embed`, the `mcp.*` tasks).
 * Other tasks heartbeat themselves (`taskContext().heartbeat()`) when they set a heartbeat timeout.
 */
export function heartbeatsWhileRunning(taskName: string): boolean {
  return MCP_TASKS.has(taskName) || /^llm\..+\.complete$/.test(taskName) || /^embedding\..+\.embed$/.test(taskName);
}

/**
 * The heartbeat timeout of a task the worker heartbeats for, in milliseconds, when neither the call
 * nor the task sets one: `temporal.heartbeat_timeout_seconds`, else
 * {@link DEFAULT_HEARTBEAT_TIMEOUT_SECONDS}; `undefined` for other tasks and when the setting is 0.
 */
export function defaultHeartbeatTimeoutMs(taskName: string, configuredSeconds: number | undefined): number | undefined {
  if (!heartbeatsWhileRunning(taskName)) return undefined;
  const seconds = configuredSeconds ?? DEFAULT_HEARTBEAT_TIMEOUT_SECONDS;
  return seconds > 0 ? seconds * 1000 : undefined;
}
