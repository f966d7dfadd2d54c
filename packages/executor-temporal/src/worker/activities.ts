/**
 * The activities of a worker: one per task, named after it. Node only.
 */
import { Context } from '@temporalio/activity';
import { runInTaskContext, type TaskDefinition } from '@mcp-agent/core/engine';
import { TimeoutError } from '@mcp-agent/core';
import { taskFailure } from '../failures.js';
import { heartbeatsWhileRunning } from '../workflow/heartbeats.js';

type Activity = (...args: unknown[]) => Promise<unknown>;

/**
 * One activity per task. Each runs the task in its task context (attempt, abort signal,
 * heartbeat), heartbeats for the model, embedding and MCP tasks while they run, and raises its
 * error as a Temporal failure that keeps the type, the retryability and the attempt number.
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
      const attempt = new AbortController();
      const timer =
        typeof limit === 'number' && limit > 0
          ? setTimeout(() => attempt.abort(new TimeoutError('start_to_close', `task ${task.name} attempt ${info.attempt} outlived its start-to-close timeout of ${limit} ms`)), limit)
          : undefined;
      timer?.unref();
      // A model, embedding or MCP task only waits on another server: the worker heartbeats for it,
      // every third of its heartbeat timeout, so the server notices within that timeout when the
      // attempt is lost (this worker died, or the server lost it in an outage) and retries it.
      const heartbeatTimeoutMs = info.heartbeatTimeoutMs;
      const heartbeats =
        heartbeatsWhileRunning(task.name) && typeof heartbeatTimeoutMs === 'number' && heartbeatTimeoutMs > 0
          ? setInterval(() => context.heartbeat(), Math.max(100, Math.floor(heartbeatTimeoutMs / 3)))
          : undefined;
      heartbeats?.unref();
      // The attempt's signal aborts on cancellation and at the deadline. One controller fed by a
      // listener, removed when the attempt ends, instead of AbortSignal.any, whose combined
      // signals Node 20 keeps registered on their sources until they are collected.
      const cancellation = context.cancellationSignal;
      const onCancel = (): void => attempt.abort(cancellation.reason);
      if (cancellation.aborted) onCancel();
      else cancellation.addEventListener('abort', onCancel, { once: true });
      const taskContext = {
        taskName: task.name,
        attempt: info.attempt,
        workflowId: info.workflowExecution?.workflowId ?? '',
        runId: info.workflowExecution?.runId ?? '',
        signal: attempt.signal,
        heartbeat: (details?: unknown) => context.heartbeat(details),
      };
      try {
        return await runInTaskContext(taskContext, () => task.run(...args));
      } catch (error) {
        const maximumInterval = info.retryPolicy?.maximumInterval;
        throw taskFailure(error, info.attempt, typeof maximumInterval === 'number' ? maximumInterval : undefined);
      } finally {
        cancellation.removeEventListener('abort', onCancel);
        clearTimeout(timer);
        clearInterval(heartbeats);
      }
    };
  }
  return activities;
}
