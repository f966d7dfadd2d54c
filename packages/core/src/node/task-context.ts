/**
 * The context of a running task attempt (an activity under Temporal). Node only.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { WorkflowUsageError } from '../sandbox/errors.js';

/** What a task can learn about the attempt that runs it. */
export interface TaskContext {
  readonly taskName: string;
  /** 1 for the first attempt. */
  readonly attempt: number;
  readonly workflowId: string;
  readonly runId: string;
  /** Aborted when the attempt times out or the workflow is cancelled or closed. */
  readonly signal: AbortSignal;
  /** Reports progress; under Temporal it keeps a heartbeat-timed activity alive. */
  heartbeat(details?: unknown): void;
}

const STORAGE_KEY = Symbol.for('mcp-agent.task-context-storage');
const holder = globalThis as unknown as Record<symbol, AsyncLocalStorage<TaskContext | undefined> | undefined>;
const storage = (holder[STORAGE_KEY] ??= new AsyncLocalStorage<TaskContext | undefined>());

/** Runs `fn` as a task attempt with `context`. Called by engines. */
export function runInTaskContext<R>(context: TaskContext | undefined, fn: () => R): R {
  return storage.run(context, fn);
}

/**
 * The context of the task attempt running now.
 *
 * @throws WorkflowUsageError outside a task.
 * @example
 * ```ts
 * const fetchPage = app.workflowTask(async (url: string) => {
 *   const { signal } = taskContext();
 *   return (await fetch(url, { signal })).text();
 * }, { name: 'web.fetchPage' });
 * ```
 */
export function taskContext(): TaskContext {
  const context = storage.getStore();
  if (context === undefined) throw new WorkflowUsageError('taskContext() was called outside a running task');
  return context;
}

/** The context of the task attempt running now, or undefined. */
export function currentTaskContext(): TaskContext | undefined {
  return storage.getStore();
}
