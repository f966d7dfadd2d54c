import { CancelledError, createLogger, TaskFailedError, TimeoutError, type TaskCallOptions } from '@mcp-agent/core';
import { currentTaskContext, type TaskDefinition, type TaskMap } from '@mcp-agent/core/engine';
import { parseSettings, type SettingsInput } from '@mcp-agent/core/config';
import { describe, expect, it } from 'vitest';
import { VirtualClock } from './clock.js';
import { AttemptAbort, Slots, TaskRunner } from './task-runner.js';
import { failureOf } from './__fixtures__/failures.js';
import { newExecution, nextRun, testHost } from './__fixtures__/runs.js';
import type { Pending, WorkflowRun } from './workflow-run.js';

describe('Slots', () => {
  it('grants up to its capacity at once, then queues, handing each released slot to the oldest waiter', async () => {
    const slots = new Slots(2);
    expect(slots.acquire()).toBeUndefined();
    expect(slots.acquire()).toBeUndefined();
    const granted: string[] = [];
    const third = slots.acquire()?.then(() => granted.push('third'));
    const fourth = slots.acquire()?.then(() => granted.push('fourth'));
    expect(third).toBeInstanceOf(Promise);
    slots.release();
    await third;
    expect(granted).toEqual(['third']);
    slots.release();
    await fourth;
    expect(granted).toEqual(['third', 'fourth']);
    // A slot handed to a waiter is not free: all four are held until released.
    expect(slots.acquire()).toBeInstanceOf(Promise);
  });

  it('frees a released slot when nobody waits', () => {
    const slots = new Slots(1);
    expect(slots.acquire()).toBeUndefined();
    slots.release();
    expect(slots.acquire()).toBeUndefined();
  });

  it('never queues with unlimited capacity', () => {
    const slots = new Slots(Number.POSITIVE_INFINITY);
    for (let index = 0; index < 1_000; index += 1) expect(slots.acquire()).toBeUndefined();
  });
});

describe('AttemptAbort', () => {
  it('gives a signal that aborts with the first reason, whether read before or after the abort', () => {
    const before = new AttemptAbort();
    const early = before.signal;
    expect(early.aborted).toBe(false);
    before.abort('first');
    before.abort('second');
    expect([early.aborted, early.reason]).toEqual([true, 'first']);

    const after = new AttemptAbort();
    after.abort('first');
    after.abort('second');
    expect([after.signal.aborted, after.signal.reason]).toEqual([true, 'first']);
  });

  it('makes one signal, on first read', () => {
    const abort = new AttemptAbort();
    expect(abort.signal).toBe(abort.signal);
  });
});

function taskMap(definitions: TaskDefinition[]): TaskMap {
  const byName = new Map(definitions.map((definition) => [definition.name, definition]));
  return {
    get: (name) => {
      const definition = byName.get(name);
      if (definition === undefined) throw new Error(`no task ${name}`);
      return definition;
    },
    has: (name) => byName.has(name),
    values: () => [...byName.values()],
  };
}

/** A task runner with one task, and a run of a workflow to run it for, on a virtual clock that skips idle time. */
function harness(run: TaskDefinition['run'], options: TaskCallOptions = {}, settings: SettingsInput = {}) {
  const clock = new VirtualClock(0);
  clock.enterSkipping();
  const runner = new TaskRunner(clock, parseSettings(settings), createLogger({ transports: ['none'] }), taskMap([{ name: 'work', run, options }]));
  const host = testHost(clock, (workflowRun, taskName, args, callOptions, entry) => runner.runTask(workflowRun, taskName, args, callOptions, entry));
  const execution = newExecution('wf');
  const workflowRun: WorkflowRun = nextRun(host, execution);
  execution.runs.push(workflowRun);
  const entry: Pending = { cancellable: true, rejectOnCancel: true, reject: () => undefined };
  return {
    clock,
    entry,
    runTask: (args: unknown[] = [], callOptions?: TaskCallOptions) => runner.runTask(workflowRun, 'work', args, callOptions, entry),
  };
}

const quickRetries = { initialInterval: 1_000, backoffCoefficient: 2, maximumAttempts: 3 };

describe('TaskRunner', () => {
  it('runs a task on copies of its arguments, in a task context, and returns a copy of its result', async () => {
    const argument = { items: [1, 2] };
    const seen: unknown[] = [];
    const { runTask } = harness(async (value: { items: number[] }) => {
      seen.push(value === argument, currentTaskContext()?.attempt, currentTaskContext()?.workflowId);
      value.items.push(3);
      return value;
    });
    expect(await runTask([argument])).toEqual({ items: [1, 2, 3] });
    expect(seen).toEqual([false, 1, 'wf']);
    expect(argument.items).toEqual([1, 2]);
  });

  it('retries under the retry policy, waiting the backoff between attempts', async () => {
    const attemptsAt: number[] = [];
    const { clock, runTask } = harness(
      async () => {
        attemptsAt.push(clock.now());
        if (attemptsAt.length < 3) throw new Error('flaky');
        return 'done';
      },
      { retryPolicy: quickRetries },
    );
    expect(await runTask()).toBe('done');
    expect(attemptsAt).toEqual([0, 1_000, 3_000]);
  });

  it('gives up after the last attempt with a TaskFailedError carrying the last failure', async () => {
    let attempts = 0;
    const { runTask } = harness(
      async () => {
        attempts += 1;
        throw new Error(`failure ${attempts}`);
      },
      { retryPolicy: quickRetries },
    );
    const error = await failureOf(runTask());
    expect(TaskFailedError.is(error) && error.attempts).toBe(3);
    expect((error as Error).message).toContain('failure 3');
  });

  it('lets a call override the task retry policy', async () => {
    let attempts = 0;
    const { runTask } = harness(
      async () => {
        attempts += 1;
        throw new Error('always');
      },
      { retryPolicy: quickRetries },
    );
    await failureOf(runTask([], { retryPolicy: { maximumAttempts: 1 } }));
    expect(attempts).toBe(1);
    // The task's own policy, cached by name, is unchanged by the call's.
    await failureOf(runTask());
    expect(attempts).toBe(4);
  });

  it('fails an attempt that outlives its startToCloseTimeout and aborts its signal', async () => {
    let signal: AbortSignal | undefined;
    const { runTask } = harness(
      async () => {
        signal = currentTaskContext()?.signal;
        await new Promise((resolve) => setTimeout(resolve, 200));
      },
      { startToCloseTimeout: 20, retryPolicy: { maximumAttempts: 1 } },
    );
    const error = await failureOf(runTask());
    expect(TaskFailedError.is(error)).toBe(true);
    const cause = (error as Error).cause;
    expect(TimeoutError.is(cause) && cause.timeoutType).toBe('start_to_close');
    expect(signal?.aborted).toBe(true);
  });

  it('stops with CancelledError when cancelled during the backoff, clearing its timer', async () => {
    let attempts = 0;
    const { clock, entry, runTask } = harness(
      async () => {
        attempts += 1;
        throw new Error('flaky');
      },
      { retryPolicy: { initialInterval: 60_000, maximumAttempts: 3 } },
    );
    clock.exitSkipping();
    const running = runTask();
    await clock.advance(0);
    expect([attempts, clock.pendingTimers]).toEqual([1, 1]);
    entry.onCancel?.();
    expect(CancelledError.is(await failureOf(running))).toBe(true);
    expect([attempts, clock.pendingTimers]).toEqual([1, 0]);
  });

  it('holds at most max_concurrent_activities attempts at once, the next starting when one returns', async () => {
    const started: number[] = [];
    const finishers: Array<() => void> = [];
    const { runTask } = harness(
      (index: number) =>
        new Promise<number>((resolve) => {
          started.push(index);
          finishers.push(() => resolve(index));
        }),
      {},
      { temporal: { max_concurrent_activities: 2 } },
    );
    const results = [1, 2, 3].map((index) => runTask([index]));
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).toEqual([1, 2]);
    finishers[0]?.();
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).toEqual([1, 2, 3]);
    finishers[1]?.();
    finishers[2]?.();
    expect(await Promise.all(results)).toEqual([1, 2, 3]);
  });
});
