import { afterEach, describe, expect, it } from 'vitest';
import { WorkflowUsageError } from '../errors.js';
import { createTaskFunction, defineWorkflow, getTaskDefinition, getWorkflowDefinition, workflow, workflowRun, workflowSignal, workflowTask } from './definitions.js';
import { addWorkflowContextProvider, type TaskCallOptions, type WorkflowContext } from './workflow-context.js';

/** The task calls a workflow made while {@link insideWorkflow} ran; only `executeTask` is used. */
const taskCalls: Array<{ name: string; args: unknown[]; options: TaskCallOptions | undefined }> = [];
let running: WorkflowContext | undefined;
addWorkflowContextProvider(() => running);

/** Runs `fn` as if inside a running workflow whose engine records task calls and returns "from engine". */
async function insideWorkflow<R>(fn: () => Promise<R>): Promise<R> {
  running = {
    executeTask: async (name: string, args: unknown[], options: TaskCallOptions | undefined) => {
      taskCalls.push({ name, args, options });
      return 'from engine';
    },
  } as unknown as WorkflowContext;
  try {
    return await fn();
  } finally {
    running = undefined;
  }
}

afterEach(() => {
  taskCalls.length = 0;
});

describe('defineWorkflow', () => {
  it('defines a class without decorators and keeps the definition on it', () => {
    class Plain {
      async run(): Promise<void> {}
    }
    expect(getWorkflowDefinition(Plain)).toBeUndefined();
    const definition = defineWorkflow(Plain, { name: 'plain', signals: ['go'] });
    expect(getWorkflowDefinition(Plain)).toBe(definition);
    expect(definition).toMatchObject({ name: 'plain', workflowClass: Plain, runMethod: 'run', tasks: [] });
    expect([...definition.signals]).toEqual([['go', undefined]]);
    expect(Object.isFrozen(definition)).toBe(true);
  });

  it('does not hand a subclass the definition of its base class', () => {
    class Base {
      async run(): Promise<void> {}
    }
    class Sub extends Base {}
    defineWorkflow(Base);
    expect(getWorkflowDefinition(Sub)).toBeUndefined();
    expect(getWorkflowDefinition('Base')).toBeUndefined();
  });

  it('rejects a class without a name', () => {
    expect(() =>
      defineWorkflow(
        class {
          async run(): Promise<void> {}
        },
      ),
    ).toThrow(new WorkflowUsageError('@workflow: this class has no name; pass one: @app.workflow({ name: "OrderWorkflow" })'));
  });

  it('rejects a class without a run method, naming it', () => {
    class Idle {}
    expect(() => defineWorkflow(Idle)).toThrow(new WorkflowUsageError('workflow "Idle" has no run method; mark the method that runs it with @app.workflowRun'));
  });
});

describe('@workflow without an app', () => {
  it('defines the class and registers it nowhere', () => {
    @workflow({ name: 'standalone' })
    class Standalone {
      @workflowRun
      async go(): Promise<void> {}
      @workflowSignal
      poke(): void {}
    }
    const definition = getWorkflowDefinition(Standalone);
    expect(definition?.name).toBe('standalone');
    expect(definition?.runMethod).toBe('go');
    expect([...(definition?.signals.keys() ?? [])]).toEqual(['poke']);
  });
});

describe('workflowTask on a function', () => {
  it('makes a task function that runs the function outside a workflow', async () => {
    const sum = workflowTask(async (a: number, b: number): Promise<number> => a + b, { name: 'math.add' });
    expect(sum.taskName).toBe('math.add');
    expect(getTaskDefinition(sum)).toBe(sum.taskDefinition);
    expect(sum.taskDefinition.options).toEqual({ name: 'math.add' });
    await expect(sum(2, 3)).resolves.toBe(5);
  });

  it('routes a call through the engine inside a workflow', async () => {
    const add = workflowTask(async (a: number, b: number) => a + b, { name: 'math.add' });
    await expect(insideWorkflow(() => add(2, 3))).resolves.toBe('from engine');
    expect(taskCalls).toEqual([{ name: 'math.add', args: [2, 3], options: undefined }]);
  });

  it('rejects what is not a function, and a function task without a name', () => {
    expect(() => createTaskFunction('nope' as unknown as () => Promise<void>, { name: 'nope' })).toThrow(new WorkflowUsageError('workflowTask expects a function, got string'));
    const withoutName = workflowTask as unknown as (fn: () => Promise<unknown>) => unknown;
    expect(() => withoutName(async () => undefined)).toThrow('workflowTask(fn): give the task a stable name');
  });

  it('gives no task definition for anything else', () => {
    expect(getTaskDefinition(async function plain() {})).toBeUndefined();
    expect(getTaskDefinition('plain')).toBeUndefined();
  });
});

describe('@workflowTask on a method', () => {
  it('routes a call through the engine inside a workflow under the task name', async () => {
    @workflow
    class Mailer {
      async run(): Promise<void> {}
      @workflowTask
      async send(to: string): Promise<string> {
        return `sent to ${to}`;
      }
    }
    const mailer = new Mailer();
    await expect(mailer.send('ann')).resolves.toBe('sent to ann');
    await expect(insideWorkflow(() => mailer.send('bob'))).resolves.toBe('from engine');
    expect(taskCalls).toEqual([{ name: 'Mailer.send', args: ['bob'], options: undefined }]);
  });

  it('keeps the task name of each workflow class when a subclass is another workflow', async () => {
    @workflow
    class BaseCrawler {
      async run(): Promise<void> {}
      @workflowTask
      async fetchPage(url: string): Promise<string> {
        return url;
      }
    }
    @workflow
    class DerivedCrawler extends BaseCrawler {}

    expect(getWorkflowDefinition(BaseCrawler)?.tasks.map((task) => task.name)).toEqual(['BaseCrawler.fetchPage']);
    expect(getWorkflowDefinition(DerivedCrawler)?.tasks.map((task) => task.name)).toEqual(['DerivedCrawler.fetchPage']);
    await insideWorkflow(async () => {
      await new BaseCrawler().fetchPage('a');
      await new DerivedCrawler().fetchPage('b');
    });
    expect(taskCalls.map((call) => call.name)).toEqual(['BaseCrawler.fetchPage', 'DerivedCrawler.fetchPage']);
  });

  it('runs the method directly when its class is not a defined workflow', async () => {
    class Helper {
      @workflowTask
      async work(): Promise<string> {
        return 'direct';
      }
    }
    await expect(insideWorkflow(() => new Helper().work())).resolves.toBe('direct');
    expect(taskCalls).toEqual([]);
  });
});
