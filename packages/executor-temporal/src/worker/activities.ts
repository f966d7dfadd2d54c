/**
 * The activities of a worker: one per task, named after it. Node only.
 */
import { Context } from '@temporalio/activity';
import { runInTaskContext, type TaskDefinition } from '@mcp-agent/core/engine';
import { TimeoutError } from '@mcp-agent/core';
import { taskFailure } from '../failures.js';

type Activity = (...args: unknown[]) => Promise<unknown>;

/**
 * One activity per task. Each runs the task in its task context (attempt, abort signal,
 * heartbeat) and raises its error as a Temporal failure that keeps the type, the retryability
 * and the attempt number.
 */
export function createActivities(tasks: Iterable<TaskDefinition>): Record<string, Activity> {
  const activities: Record<string, Activity> = {};
  for (const task of tasks) {
    activities[task.name] = async (...args: unknown[]): Promise<unknown> => {
      const context = Context.current();
      const { info } = context;
      // The server times an attempt out on its own; without heartbeats the worker would not hear of
      // it, so the task's signal also aborts when the attempt's start-to-close timeout passes here.
      const limit = info.startToCloseTimeoutMs;
      const deadline = new AbortController();
      const timer =
        typeof limit === 'number' && limit > 0
          ? setTimeout(() => deadline.abort(new TimeoutError('start_to_close', `task ${task.name} attempt ${info.attempt} outlived its start-to-close timeout of ${limit} ms`)), limit)
          : undefined;
      timer?.unref();
      const taskContext = {
        taskName: task.name,
        attempt: info.attempt,
        workflowId: info.workflowExecution?.workflowId ?? '',
        runId: info.workflowExecution?.runId ?? '',
        signal: AbortSignal.any([context.cancellationSignal, deadline.signal]),
        heartbeat: (details?: unknown) => context.heartbeat(details),
      };
      try {
        return await runInTaskContext(taskContext, () => task.run(...args));
      } catch (error) {
        const maximumInterval = info.retryPolicy?.maximumInterval;
        throw taskFailure(error, info.attempt, typeof maximumInterval === 'number' ? maximumInterval : undefined);
      } finally {
        clearTimeout(timer);
      }
    };
  }
  return activities;
}
