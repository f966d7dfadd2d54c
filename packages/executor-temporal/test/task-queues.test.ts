// Tasks routed to another task queue on the Temporal dev server: by the call's `taskQueue`, by the
// run's memo (`mcp_agent.task_queues`), served by an activity-only worker (`serveTasks`); and a
// queue nobody serves, which fails the task at once with a message naming it.
import { createLogger, TASK_QUEUES_MEMO_KEY, type WorkflowHandle } from '@mcp-agent/core';
import { parseSettings } from '@mcp-agent/core/config';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTemporalEngine, createTemporalWorker, type ServedTasks, type TemporalExecutor } from '../src/index.js';
import { taskQueueApp } from './task-queue-workflows.js';

const address = inject('temporalAddress');
const taskQueue = `task-queues-${process.pid}-${Date.now()}`;
const sideQueue = `${taskQueue}.side`;
const settings = parseSettings({ execution_engine: 'temporal', temporal: { task_queue: taskQueue } }, 'task-queues');
const logger = createLogger({ transports: ['none'] });

type Outcome = { answer?: string; error?: string; errorCode?: string; causeType?: string };

describe('task queues of tasks on the Temporal dev server', { timeout: 120_000 }, () => {
  let executor: TemporalExecutor;
  let side: ServedTasks;

  beforeAll(async () => {
    executor = (await createTemporalEngine({ address, worker: { workflowsPath: new URL('./task-queue-workflows.ts', import.meta.url), taskQueue } }).createExecutor({
      appName: taskQueueApp.name,
      registry: taskQueueApp.registry,
      settings,
      logger,
    })) as TemporalExecutor;
    // Same task name, another answer: where the task ran shows in its result.
    side = await executor.serveTasks([{ name: 'whereAmI', run: async () => 'side', options: { name: 'whereAmI' } }], { taskQueue: sideQueue, shutdownGraceTime: '1 second' });
  });

  afterAll(async () => {
    await executor?.close();
  });

  const run = async (input: unknown, memo?: Record<string, unknown>): Promise<Outcome> => {
    const handle: WorkflowHandle = await executor.startWorkflow('RouteWorkflow', input, memo === undefined ? {} : { memo });
    return (await handle.result()).value as Outcome;
  };

  it('runs a task on the run’s own queue unless told otherwise', async () => {
    expect(executor.taskQueue).toBe(taskQueue);
    expect(await run({})).toEqual({ answer: 'home' });
  });

  it('schedules a task on the queue the call names, where an activity-only worker runs it', async () => {
    expect(side.taskQueue).toBe(sideQueue);
    expect(await run({ taskQueue: sideQueue })).toEqual({ answer: 'side' });
  });

  it('schedules a task on the queue the run’s memo names for it; the call’s own taskQueue wins', async () => {
    const memo = { [TASK_QUEUES_MEMO_KEY]: { whereAmI: { taskQueue: sideQueue, scheduleToStartTimeoutMs: 30_000 } } };
    expect(await run({}, memo)).toEqual({ answer: 'side' });
    expect(await run({ taskQueue }, memo)).toEqual({ answer: 'home' });
    // The short form, a queue name; a route for another task changes nothing.
    expect(await run({}, { [TASK_QUEUES_MEMO_KEY]: { whereAmI: sideQueue } })).toEqual({ answer: 'side' });
    expect(await run({}, { [TASK_QUEUES_MEMO_KEY]: { otherTask: sideQueue } })).toEqual({ answer: 'home' });
  });

  it('fails a task no worker takes within its schedule-to-start timeout at once, naming the queue and what to do', async () => {
    const started = Date.now();
    const unserved = `${taskQueue}.nobody`;
    const byMemo = await run(
      {},
      { [TASK_QUEUES_MEMO_KEY]: { whereAmI: { taskQueue: unserved, scheduleToStartTimeoutMs: 500, whenUnserved: 'the side worker has gone; start it again' } } },
    );
    expect(byMemo).toEqual({
      error: `task "whereAmI" failed after 1 attempt: no worker took the task from task queue "${unserved}" within 500 ms; the side worker has gone; start it again`,
      errorCode: 'TASK_FAILED',
      causeType: 'TaskQueueUnserved',
    });
    const byCall = await run({ taskQueue: unserved, scheduleToStartTimeout: '300 ms' });
    expect(byCall.error).toMatch(/within 300 ms; is a worker polling task queue ".*\.nobody" running\?/);
    // No retries: both ended within seconds.
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it('refuses an activity-only worker given workflows, and stops served tasks with the executor', async () => {
    await expect(
      createTemporalWorker({ registry: taskQueueApp.registry, settings, logger }, { activitiesOnly: true, workflowsPath: new URL('./task-queue-workflows.ts', import.meta.url) }),
    ).rejects.toThrow(/activitiesOnly runs no workflows/);
    await expect(executor.serveTasks([], { taskQueue: '' })).rejects.toThrow(/taskQueue must be a non-empty string/);
    const extra = await executor.serveTasks([{ name: 'whereAmI', run: async () => 'extra', options: { name: 'whereAmI' } }], { taskQueue: `${taskQueue}.extra` });
    await extra.close();
    await extra.close();
    expect(await run({ taskQueue: `${taskQueue}.extra`, scheduleToStartTimeout: '300 ms' })).toMatchObject({ causeType: 'TaskQueueUnserved' });
  });
});
