/**
 * The timeouts of one task call, as both engines apply them. Safe for the workflow sandbox.
 */
import { toMilliseconds } from './duration.js';
import type { TaskOptions } from './model/definitions.js';
import type { TaskCallOptions } from './model/workflow-context.js';

/**
 * The start-to-close timeout of a task attempt when neither the call, the task nor
 * `temporal.timeout_seconds` sets one: 5 minutes. Temporal needs every activity bounded, and an
 * unbounded attempt in-process would hide a hang that Temporal would report.
 */
export const DEFAULT_TASK_ATTEMPT_TIMEOUT_MS = 300_000;

/** A task call's timeouts in milliseconds. */
export interface ResolvedTaskTimeouts {
  startToCloseMs: number;
  scheduleToCloseMs: number | undefined;
  heartbeatMs: number | undefined;
}

/**
 * Resolves a task call's timeouts: the call's options, then the task's, then
 * `temporal.timeout_seconds` for the attempt timeout, then {@link DEFAULT_TASK_ATTEMPT_TIMEOUT_MS}.
 */
export function resolveTaskTimeouts(
  taskName: string,
  settings: { temporal?: { timeout_seconds?: number | undefined } | undefined },
  task: TaskOptions,
  call: TaskCallOptions | undefined,
): ResolvedTaskTimeouts {
  const startToClose = call?.startToCloseTimeout ?? task.startToCloseTimeout;
  const scheduleToClose = call?.scheduleToCloseTimeout ?? task.scheduleToCloseTimeout;
  const heartbeat = call?.heartbeatTimeout ?? task.heartbeatTimeout;
  const configured = settings.temporal?.timeout_seconds;
  return {
    startToCloseMs:
      startToClose !== undefined
        ? toMilliseconds(startToClose, `startToCloseTimeout of task ${taskName}`)
        : configured !== undefined
          ? configured * 1000
          : DEFAULT_TASK_ATTEMPT_TIMEOUT_MS,
    scheduleToCloseMs: scheduleToClose === undefined ? undefined : toMilliseconds(scheduleToClose, `scheduleToCloseTimeout of task ${taskName}`),
    heartbeatMs: heartbeat === undefined ? undefined : toMilliseconds(heartbeat, `heartbeatTimeout of task ${taskName}`),
  };
}
