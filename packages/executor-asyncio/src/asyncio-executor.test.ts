import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadExecutionEngine } from '@mcp-agent/core/engine';
import { ConfigError, createLogger, MCPApp, Workflow, WorkflowApplicationError, WorkflowFailedError, WorkflowResult, WorkflowUsageError, type Executor } from '@mcp-agent/core';
import type { SettingsInput } from '@mcp-agent/core/config';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createAsyncioEngine, type AsyncioEngineOptions } from './asyncio-executor.js';
import { RealClock, VirtualClock } from './clock.js';
import { failureOf } from './__fixtures__/failures.js';

const quiet = createLogger({ transports: ['none'] });

const app = new MCPApp({ name: 'asyncio-tests', settings: {}, logger: quiet });

const bigIntTask = app.workflowTask(async (value: unknown): Promise<string> => typeof value, { name: 'takesAnything' });

@app.workflow
class MonthLongWorkflow extends Workflow<number> {
  @app.workflowRun
  async run(days: number): Promise<WorkflowResult<number>> {
    const start = this.now().getTime();
    for (let day = 0; day < days; day += 1) await this.sleep('1 day');
    return new WorkflowResult({ value: (this.now().getTime() - start) / 86_400_000 });
  }
}

@app.workflow
class SleeperWorkflow extends Workflow<string> {
  @app.workflowRun
  async run(duration: string): Promise<WorkflowResult<string>> {
    await this.sleep(duration);
    return new WorkflowResult({ value: 'awake' });
  }
}

@app.workflow
class BadHandlersWorkflow extends Workflow<never> {
  @app.workflowSignal
  explode(message: string): void {
    throw new Error(message);
  }

  @app.workflowQuery
  async lazy(): Promise<number> {
    return 1;
  }

  @app.workflowRun
  async run(): Promise<WorkflowResult<never>> {
    await this.condition(() => false);
    throw new Error('unreachable');
  }
}

@app.workflow
class UndeclaredSignalWorkflow extends Workflow<string> {
  @app.workflowRun
  async run(): Promise<WorkflowResult<string>> {
    return new WorkflowResult({ value: await this.waitForSignal<string>('approve') });
  }
}

@app.workflow
class LoopWorkflow extends Workflow<number> {
  @app.workflowRun
  async run(remaining: number): Promise<WorkflowResult<number>> {
    if (remaining > 0) return this.continueAsNew(remaining - 1);
    return new WorkflowResult({ value: 0 });
  }
}

const alwaysFails = app.workflowTask(
  async (): Promise<never> => {
    throw new Error('down');
  },
  { name: 'alwaysFails', retryPolicy: { maximumAttempts: 0, initialInterval: '1 hour' } },
);

/** How many ignoresAbort calls run at once, and the most seen. */
const ignoring = { running: 0, most: 0 };
const ignoresAbort = app.workflowTask(
  async (milliseconds: number): Promise<string> => {
    ignoring.running += 1;
    ignoring.most = Math.max(ignoring.most, ignoring.running);
    try {
      await new Promise((resolve) => setTimeout(resolve, milliseconds));
      return 'done late';
    } finally {
      ignoring.running -= 1;
    }
  },
  { name: 'ignoresAbort' },
);

@app.workflow
class BackoffWorkflow extends Workflow<never> {
  @app.workflowRun
  async run(): Promise<WorkflowResult<never>> {
    await alwaysFails();
    throw new Error('unreachable');
  }
}

@app.workflow
class TimedOutTasksWorkflow extends Workflow<string[]> {
  @app.workflowRun
  async run(count: number): Promise<WorkflowResult<string[]>> {
    const outcomes = await Promise.all(
      Array.from({ length: count }, () =>
        this.executeTask(ignoresAbort, [300], { startToCloseTimeout: 20, retryPolicy: { maximumAttempts: 1 } }).then(
          (value) => value,
          () => 'timed out',
        ),
      ),
    );
    return new WorkflowResult({ value: outcomes });
  }
}

/** Rate-limited on its first attempt, asking for a 5 s wait; records when each attempt ran. */
const rateLimitedAttempts: number[] = [];
let rateLimitClock: VirtualClock | undefined;
const rateLimited = app.workflowTask(
  async (): Promise<string> => {
    rateLimitedAttempts.push(rateLimitClock?.now() ?? Date.now());
    if (rateLimitedAttempts.length === 1) {
      throw new WorkflowApplicationError('429 rate limited', { type: 'RateLimitError', details: [{ retryAfterMilliseconds: 5_000 }] });
    }
    return 'served';
  },
  { name: 'rateLimited', retryPolicy: { initialInterval: 10, maximumInterval: 10_000 } },
);

@app.workflow
class RateLimitedWorkflow extends Workflow<string> {
  @app.workflowRun
  async run(): Promise<WorkflowResult<string>> {
    return new WorkflowResult({ value: await rateLimited() });
  }
}

@app.workflow
class BigIntWorkflow extends Workflow<string> {
  @app.workflowRun
  async run(): Promise<WorkflowResult<string>> {
    return new WorkflowResult({ value: await bigIntTask(10n) });
  }
}

function appWith(
  clock = new VirtualClock(),
  settings: SettingsInput = {},
  engineOptions: AsyncioEngineOptions = {},
): { clock: VirtualClock; run: <R>(fn: (executor: Executor) => Promise<R>) => Promise<R> } {
  const local = new MCPApp({ name: 'asyncio-tests', settings, logger: quiet, engines: { asyncio: createAsyncioEngine({ clock, ...engineOptions }) } });
  for (const definition of app.registry.workflows.values()) local.registry.addWorkflow(definition);
  for (const task of app.registry.tasks.values()) local.registry.addTask(task);
  return { clock, run: (fn) => local.run(({ executor }) => fn(executor)) };
}

describe('loading the engine from config', () => {
  it('finds @mcp-agent/executor-asyncio by package name for execution_engine: asyncio', async () => {
    const value = await app.run(async ({ executor }) => {
      expect(executor.engine).toBe('asyncio');
      return (await executor.executeWorkflow(SleeperWorkflow, '1ms')).value;
    });
    expect(value).toBe('awake');
  });

  it('names the package to install when the engine is not installed', async () => {
    // Resolved from a folder where no engine package is installed.
    const error = await failureOf(loadExecutionEngine('temporal', undefined, tmpdir()));
    expect(ConfigError.is(error)).toBe(true);
    expect((error as Error).message).toContain('@mcp-agent/executor-temporal');
    expect((error as Error).message).toContain('pnpm add @mcp-agent/executor-temporal');
  });
});

describe('workflow_task_modules', () => {
  const directories: string[] = [];
  afterEach(async () => {
    await Promise.all(directories.splice(0).map((directory) => rm(directory, { recursive: true, force: true })));
  });

  it('imports each module, relative to the config file, before the executor starts', async () => {
    const directory = await mkdtemp(path.join(tmpdir(), 'task-modules-'));
    directories.push(directory);
    await writeFile(path.join(directory, 'tasks.mjs'), 'globalThis.__mcpAgentTaskModuleLoaded = (globalThis.__mcpAgentTaskModuleLoaded ?? 0) + 1;\n');
    await writeFile(path.join(directory, 'mcp_agent.config.yaml'), 'execution_engine: asyncio\nworkflow_task_modules:\n  - ./tasks.mjs\n');
    const moduleApp = new MCPApp({ name: 'modules', configPath: path.join(directory, 'mcp_agent.config.yaml'), logger: quiet });
    await moduleApp.run(async () => undefined);
    expect((globalThis as { __mcpAgentTaskModuleLoaded?: number }).__mcpAgentTaskModuleLoaded).toBe(1);
  });

  it('refuses to start when a module cannot be imported, naming it', async () => {
    const directory = await mkdtemp(path.join(tmpdir(), 'task-modules-'));
    directories.push(directory);
    await writeFile(path.join(directory, 'mcp_agent.config.yaml'), 'workflow_task_modules:\n  - ./missing.mjs\n');
    const moduleApp = new MCPApp({ name: 'modules', configPath: path.join(directory, 'mcp_agent.config.yaml'), logger: quiet });
    const error = await failureOf(moduleApp.initialize());
    expect(ConfigError.is(error)).toBe(true);
    expect((error as Error).message).toContain('workflow_task_modules: cannot import "./missing.mjs"');
  });
});

describe('the virtual clock', () => {
  it('skips a month of daily sleeps while the caller awaits the result', async () => {
    const { clock, run } = appWith(new VirtualClock(Date.UTC(2026, 0, 1)));
    const days = await run(async (executor) => (await executor.executeWorkflow(MonthLongWorkflow, 30)).value);
    expect(days).toBe(30);
    expect(clock.now()).toBe(Date.UTC(2026, 0, 31));
  });

  it('does not move while nobody awaits a result, and advance() fires due timers', async () => {
    const { clock, run } = appWith(new VirtualClock(0));
    await run(async (executor) => {
      const handle = await executor.startWorkflow(SleeperWorkflow, '1 hour');
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(clock.now()).toBe(0);
      expect((await handle.describe()).status).toBe('RUNNING');
      await clock.advance(59 * 60_000);
      expect((await handle.describe()).status).toBe('RUNNING');
      await clock.advance(60_000);
      expect((await handle.describe()).status).toBe('COMPLETED');
      expect(clock.now()).toBe(3_600_000);
    });
  });
});

describe('the real clock', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('fires a timer longer than setTimeout allows (24.8 days) at its time, not at once', () => {
    vi.useFakeTimers();
    const clock = new RealClock();
    const fired = vi.fn();
    clock.setTimer(30 * 86_400_000, fired);
    vi.advanceTimersByTime(25 * 86_400_000);
    expect(fired).not.toHaveBeenCalled();
    vi.advanceTimersByTime(5 * 86_400_000);
    expect(fired).toHaveBeenCalledOnce();
  });
});

describe('nothing left running', () => {
  it('terminates running workflows and clears their timers when the app stops', async () => {
    const { clock, run } = appWith();
    let handle: Awaited<ReturnType<Executor['startWorkflow']>> | undefined;
    await run(async (executor) => {
      handle = await executor.startWorkflow(SleeperWorkflow, '10 days');
      await new Promise((resolve) => setTimeout(resolve, 10));
      expect(clock.pendingTimers).toBe(1);
    });
    expect(clock.pendingTimers).toBe(0);
    const error = await failureOf((handle as NonNullable<typeof handle>).result());
    expect(WorkflowFailedError.is(error) && error.status).toBe('TERMINATED');
  });

  it('refuses to start workflows once closed', async () => {
    let closed: Executor | undefined;
    await appWith().run(async (executor) => {
      closed = executor;
    });
    const error = await failureOf((closed as Executor).startWorkflow(SleeperWorkflow, '1s'));
    expect(WorkflowUsageError.is(error)).toBe(true);
    expect((error as Error).message).toContain('closed');
  });
});

describe('bad input from workflow code and callers', () => {
  it('fails a workflow whose signal handler throws, with that error', async () => {
    await appWith().run(async (executor) => {
      const handle = await executor.startWorkflow(BadHandlersWorkflow);
      await handle.signal('explode', 'handler broke');
      const error = await failureOf(handle.result());
      expect(WorkflowFailedError.is(error) && error.status).toBe('FAILED');
      expect((error as Error).message).toContain('handler broke');
    });
  });

  it('refuses a query handler that returns a Promise', async () => {
    await appWith().run(async (executor) => {
      const handle = await executor.startWorkflow(BadHandlersWorkflow);
      const error = await failureOf(handle.query('lazy'));
      expect((error as Error).message).toContain('query handlers must be synchronous');
    });
  });

  it('names a task argument that is not serialisable', async () => {
    await appWith().run(async (executor) => {
      const error = await failureOf(executor.executeWorkflow(BigIntWorkflow));
      expect(WorkflowFailedError.is(error) && error.status).toBe('FAILED');
      expect((error as Error).message).toContain('argument 1 of task takesAnything is not serialisable to JSON');
    });
  });

  it('names a bad id reuse policy and a bad sleep duration', async () => {
    await appWith().run(async (executor) => {
      const policyError = await failureOf(executor.startWorkflow(SleeperWorkflow, '1s', { idReusePolicy: 'sometimes' as never }));
      expect((policyError as Error).message).toContain(
        'idReusePolicy: expected one of allow_duplicate, allow_duplicate_failed_only, reject_duplicate, terminate_if_running, got "sometimes"',
      );
      const sleepError = await failureOf(executor.executeWorkflow(SleeperWorkflow, 'a fortnight'));
      expect((sleepError as Error).message).toContain('sleep duration: expected milliseconds or a string like');
      expect((sleepError as Error).message).toContain('"a fortnight"');
    });
  });
});

describe('resources held by runs and tasks', () => {
  it("clears a task's pending retry backoff when the app stops", async () => {
    const { clock, run } = appWith();
    await run(async (executor) => {
      await executor.startWorkflow(BackoffWorkflow);
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(clock.pendingTimers).toBe(1);
    });
    expect(clock.pendingTimers).toBe(0);
  });

  it('keeps a slot until a timed-out task really returns, so max_concurrent_activities holds', async () => {
    const { run } = appWith(new VirtualClock(), { temporal: { max_concurrent_activities: 2 } });
    const outcomes = await run(async (executor) => (await executor.executeWorkflow(TimedOutTasksWorkflow, 4)).value);
    expect(outcomes).toEqual(['timed out', 'timed out', 'timed out', 'timed out']);
    expect(ignoring.most).toBe(2);
  });

  it('keeps only the newest runs of a long continueAsNew chain', async () => {
    const { run } = appWith(new VirtualClock(), {}, { retainRunsPerExecution: 10 });
    await run(async (executor) => {
      const handle = await executor.startWorkflow(LoopWorkflow, 50, { workflowId: 'loop' });
      expect((await handle.result()).value).toBe(0);
      const runs = await executor.listWorkflows({ workflowName: 'LoopWorkflow' });
      expect(runs).toHaveLength(10);
      expect(runs.filter((description) => description.status === 'COMPLETED')).toHaveLength(1);
    });
  });

  it('waits as long as a rate-limited task asks (retry-after), not just the backoff', async () => {
    const clock = new VirtualClock(0);
    rateLimitClock = clock;
    const { run } = appWith(clock);
    const value = await run(async (executor) => (await executor.executeWorkflow(RateLimitedWorkflow)).value);
    expect(value).toBe('served');
    expect(rateLimitedAttempts).toHaveLength(2);
    expect((rateLimitedAttempts[1] as number) - (rateLimitedAttempts[0] as number)).toBe(5_000);
  });

  it('refuses waitForSignal on a name the workflow does not declare, saying how to declare it', async () => {
    await appWith().run(async (executor) => {
      const error = await failureOf(executor.executeWorkflow(UndeclaredSignalWorkflow));
      expect((error as Error).message).toContain(`waitForSignal("approve"): UndeclaredSignalWorkflow does not declare this signal`);
      expect((error as Error).message).toContain(`@app.workflow({ signals: ['approve'] })`);
    });
  });
});
