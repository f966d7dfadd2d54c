// The decorators of MCPApp and what they register; the one executor made here is an empty stand-in.
import { describe, expect, it } from 'vitest';
import { MCPApp } from './app.js';
import type { Logger } from './logger.js';
import type { ExecutionEngine } from './engine-loading.js';
import type { Executor } from '../sandbox/executor.js';
import { UnknownWorkflowError, WorkflowUsageError } from '../sandbox/errors.js';
import { getWorkflowDefinition, type UpdateValidator } from '../sandbox/model/definitions.js';
import { Workflow } from '../sandbox/model/workflow.js';
import { WorkflowResult } from '../sandbox/model/workflow-result.js';

/** The WorkflowUsageError that `fn` throws. */
function usageError(fn: () => unknown): WorkflowUsageError {
  try {
    fn();
  } catch (error) {
    if (WorkflowUsageError.is(error)) return error;
    throw error;
  }
  throw new Error('expected a WorkflowUsageError');
}

describe('MCPApp', () => {
  it('requires a non-empty name', () => {
    expect(() => new MCPApp({ name: '' })).toThrow(new WorkflowUsageError('new MCPApp({ name }): name must be a non-empty string'));
    expect(() => new MCPApp({ name: '   ' })).toThrow(WorkflowUsageError);
    expect(new MCPApp({ name: 'quickstart' }).name).toBe('quickstart');
  });

  it('throws before initialize, telling the user to use app.run', () => {
    const app = new MCPApp({ name: 'idle' });
    const error = usageError(() => app.context);
    expect(error.message).toBe('app "idle" is not running; use await app.run(async (context) => ...) or await app.initialize()');
    expect(() => app.executor).toThrow('app.run');
    expect(() => app.config).toThrow('app.run');
    expect(() => app.logger).toThrow('app.run');
  });

  it('takes engines and settings from configure before it starts, and refuses them once started', async () => {
    const app = new MCPApp({ name: 'configured' });
    const used: string[] = [];
    // An engine that records which settings it was made with; its executor has nothing to run.
    const engine: ExecutionEngine = {
      name: 'asyncio',
      createExecutor: async (options) => {
        used.push(`${options.appName} ${options.settings.temporal?.task_queue ?? '-'}`);
        return { engine: 'asyncio', close: async () => undefined } as unknown as Executor;
      },
    };
    expect(app.configure({ engines: { asyncio: engine }, settings: { temporal: { task_queue: 'configured-queue' } } })).toBe(app);
    await app.initialize();
    expect(used).toEqual(['configured configured-queue']);
    expect(() => app.configure({ settings: {} })).toThrow('app "configured" has started; call configure before initialize or run');
    await app.cleanup();
    expect(() => app.configure({ settings: {} })).not.toThrow();
  });

  it('logs a warning for an unknown settings key, suggesting the known one', async () => {
    const warnings: string[] = [];
    const logger = { debug: () => undefined, info: () => undefined, warn: (message: string) => warnings.push(message), error: () => undefined } as unknown as Logger;
    logger.child = () => logger;
    const engine: ExecutionEngine = { name: 'asyncio', createExecutor: async () => ({ engine: 'asyncio', close: async () => undefined }) as unknown as Executor };
    const app = new MCPApp({ name: 'typo', logger, engines: { asyncio: engine }, settings: { exectuion_engine: 'temporal' } });
    await app.initialize();
    await app.cleanup();
    expect(warnings).toEqual(['settings: exectuion_engine: unknown key, so it has no effect (did you mean "execution_engine"?)']);
  });
});

describe('@app.workflow', () => {
  it('builds a definition with run, signal, query, update and task members and registers it', () => {
    const app = new MCPApp({ name: 'test' });
    const validateLimit: UpdateValidator = (amount: number) => {
      if (amount <= 0) throw new Error('amount must be positive');
    };

    @app.workflow
    class Approval extends Workflow<string> {
      status = 'pending';
      limit = 0;

      @app.workflowRun
      async execute(input: string): Promise<WorkflowResult<string>> {
        return new WorkflowResult({ value: input });
      }

      @app.workflowSignal
      approve(): void {
        this.status = 'approved';
      }

      @app.workflowSignal({ name: 'reject-request' })
      reject(): void {
        this.status = 'rejected';
      }

      @app.workflowQuery
      currentStatus(): string {
        return this.status;
      }

      @app.workflowQuery({ name: 'status' })
      statusQuery(): string {
        return this.status;
      }

      @app.workflowUpdate({ validator: validateLimit })
      async setLimit(amount: number): Promise<number> {
        this.limit = amount;
        return amount;
      }

      @app.workflowUpdate({ name: 'reset' })
      async resetLimit(): Promise<number> {
        this.limit = 0;
        return 0;
      }

      @app.workflowTask
      async notify(who: string): Promise<string> {
        return `notified ${who}`;
      }

      @app.workflowTask({ name: 'approvals.audit', retryPolicy: { maximumAttempts: 2 } })
      async audit(entry: string): Promise<string> {
        return `audited ${entry}`;
      }
    }

    const definition = app.registry.getWorkflow('Approval');
    expect(definition).toBe(getWorkflowDefinition(Approval));
    expect(definition.name).toBe('Approval');
    expect(definition.workflowClass).toBe(Approval);
    expect(definition.runMethod).toBe('execute');
    expect([...definition.signals]).toEqual([
      ['approve', 'approve'],
      ['reject-request', 'reject'],
      ['__human_input__', '__humanInput'],
    ]);
    expect([...definition.queries]).toEqual([
      ['currentStatus', 'currentStatus'],
      ['status', 'statusQuery'],
      ['__human_input_pending__', '__humanInputPending'],
    ]);
    expect([...definition.updates]).toEqual([
      ['setLimit', { methodName: 'setLimit', validator: validateLimit }],
      ['reset', { methodName: 'resetLimit', validator: undefined }],
    ]);
    expect(definition.tasks.map((task) => task.name)).toEqual(['Approval.notify', 'approvals.audit']);
    expect(definition.tasks[1]?.options.retryPolicy).toEqual({ maximumAttempts: 2 });
    expect([...app.registry.tasks.keys()]).toEqual(['Approval.notify', 'approvals.audit']);
    expect(app.registry.getTask('Approval.notify')).toBe(definition.tasks[0]);
  });

  it('leaves the handlers and tasks callable as plain methods outside a workflow', async () => {
    const app = new MCPApp({ name: 'test' });

    @app.workflow
    class Counter extends Workflow<number> {
      count = 0;
      @app.workflowRun
      async run(): Promise<WorkflowResult<number>> {
        return new WorkflowResult({ value: this.count });
      }
      @app.workflowSignal
      increment(by: number): void {
        this.count += by;
      }
      @app.workflowTask
      async double(value: number): Promise<number> {
        return this.times(value, 2);
      }
      times(value: number, factor: number): number {
        return value * factor;
      }
    }

    const counter = new Counter();
    counter.increment(3);
    expect(counter.count).toBe(3);
    await expect(counter.double(4)).resolves.toBe(8);
    // The registered task runs apart from any instance, with the class's methods available.
    await expect(app.registry.getTask('Counter.double').run(5)).resolves.toBe(10);
  });

  it('takes the workflow name and waitForSignal-only signal names from its options', () => {
    const app = new MCPApp({ name: 'test' });

    @app.workflow({ name: 'orders.fulfil', signals: ['payment-received', 'cancel'] })
    class Fulfil extends Workflow {
      @app.workflowRun
      async run(): Promise<WorkflowResult<unknown>> {
        return new WorkflowResult();
      }
      @app.workflowSignal
      cancel(): void {}
      @app.workflowTask
      async pack(): Promise<void> {}
    }

    const definition = app.registry.getWorkflow('orders.fulfil');
    expect(definition.workflowClass).toBe(Fulfil);
    expect([...definition.signals]).toEqual([
      ['cancel', 'cancel'],
      ['payment-received', undefined],
      ['__human_input__', '__humanInput'],
    ]);
    expect(definition.tasks.map((task) => task.name)).toEqual(['orders.fulfil.pack']);
    expect(() => app.registry.getWorkflow('Fulfil')).toThrow(UnknownWorkflowError);
  });

  it('falls back to the method named run when none is marked', () => {
    const app = new MCPApp({ name: 'test' });
    @app.workflow
    class Plain extends Workflow {
      async run(): Promise<WorkflowResult<unknown>> {
        return new WorkflowResult();
      }
    }
    expect(app.registry.getWorkflow('Plain').runMethod).toBe('run');
    expect(getWorkflowDefinition(Plain)?.runMethod).toBe('run');
  });

  it('finds a run method marked on a base class', () => {
    const app = new MCPApp({ name: 'test' });
    class Base extends Workflow {
      @app.workflowRun
      async start(): Promise<WorkflowResult<unknown>> {
        return new WorkflowResult();
      }
    }
    @app.workflow
    class Derived extends Base {}
    expect(getWorkflowDefinition(Derived)?.runMethod).toBe('start');
  });

  it('rejects a class without a run method', () => {
    const app = new MCPApp({ name: 'test' });
    const error = usageError(() => {
      @app.workflow
      class NoRun extends Workflow {
        async go(): Promise<void> {}
      }
      return NoRun;
    });
    expect(error.message).toBe('workflow "NoRun" has no run method; mark the method that runs it with @app.workflowRun');
    expect(app.registry.workflows.size).toBe(0);
  });

  it('rejects two @workflowRun methods', () => {
    const app = new MCPApp({ name: 'test' });
    expect(() => {
      @app.workflow
      class TwoRuns extends Workflow {
        @app.workflowRun
        async first(): Promise<void> {}
        @app.workflowRun
        async second(): Promise<void> {}
      }
      return TwoRuns;
    }).toThrow(new WorkflowUsageError('workflow "TwoRuns" marks first and second with @workflowRun; keep one'));
  });

  it('rejects two handlers of the same kind and name', () => {
    const app = new MCPApp({ name: 'test' });
    expect(() => {
      @app.workflow
      class Doubled extends Workflow {
        @app.workflowRun
        async run(): Promise<void> {}
        @app.workflowSignal({ name: 'go' })
        go(): void {}
        @app.workflowSignal({ name: 'go' })
        goAgain(): void {}
      }
      return Doubled;
    }).toThrow(new WorkflowUsageError('workflow "Doubled" defines the signal "go" twice; give one another name'));
    expect(() => {
      @app.workflow
      class DoubledQuery extends Workflow {
        @app.workflowRun
        async run(): Promise<void> {}
        @app.workflowQuery
        state(): string {
          return '';
        }
        @app.workflowQuery({ name: 'state' })
        otherState(): string {
          return '';
        }
      }
      return DoubledQuery;
    }).toThrow('workflow "DoubledQuery" defines the query "state" twice');
  });

  it('rejects a member decorator on a field or a getter', () => {
    const app = new MCPApp({ name: 'test' });
    expect(() => {
      class OnField {
        // @ts-expect-error -- a handler decorator only types-checks on methods
        @app.workflowSignal count = 0;
      }
      return OnField;
    }).toThrow(new WorkflowUsageError('@workflowSignal decorates methods, but "count" is a field'));
    expect(() => {
      class OnGetter {
        // @ts-expect-error -- a handler decorator only types-checks on methods
        @app.workflowQuery get status(): string {
          return '';
        }
      }
      return OnGetter;
    }).toThrow(new WorkflowUsageError('@workflowQuery decorates methods, but "status" is a getter'));
  });

  it('rejects a member decorator on a static or private method', () => {
    const app = new MCPApp({ name: 'test' });
    expect(() => {
      // biome-ignore lint/complexity/noStaticOnlyClass: the static method is what the decorator must reject
      class OnStatic {
        @app.workflowUpdate
        static async change(): Promise<void> {}
      }
      return OnStatic;
    }).toThrow(new WorkflowUsageError('@workflowUpdate needs a public instance method; "change" is static'));
    expect(() => {
      class OnPrivate {
        @app.workflowTask
        // biome-ignore lint/correctness/noUnusedPrivateClassMembers: the private method is what the decorator must reject
        async #secret(): Promise<void> {}
      }
      return OnPrivate;
    }).toThrow(new WorkflowUsageError('@workflowTask needs a public instance method; "#secret" is private'));
  });

  it('rejects two different classes with the same workflow name, and keeps the first', () => {
    const app = new MCPApp({ name: 'test' });
    @app.workflow({ name: 'Shared' })
    class First extends Workflow {
      async run(): Promise<void> {}
    }
    expect(() => {
      @app.workflow({ name: 'Shared' })
      class Second extends Workflow {
        async run(): Promise<void> {}
      }
      return Second;
    }).toThrow(new WorkflowUsageError('two workflow classes are named "Shared"; give one another name with @app.workflow({ name: "..." })'));
    expect(app.registry.getWorkflow('Shared').workflowClass).toBe(First);
  });

  it('allows registering the same definition twice', () => {
    const app = new MCPApp({ name: 'test' });
    @app.workflow
    class Once extends Workflow {
      async run(): Promise<void> {}
      @app.workflowTask
      async step(): Promise<void> {}
    }
    const definition = app.registry.getWorkflow('Once');
    app.registry.addWorkflow(definition);
    expect(app.registry.getWorkflow('Once').workflowClass).toBe(Once);
    expect([...app.registry.tasks.keys()]).toEqual(['Once.step']);
  });

  it('keeps apps apart', () => {
    const first = new MCPApp({ name: 'first' });
    const second = new MCPApp({ name: 'second' });
    @first.workflow
    class OnlyFirst extends Workflow {
      async run(): Promise<void> {}
    }
    expect(first.registry.getWorkflow('OnlyFirst').workflowClass).toBe(OnlyFirst);
    expect(() => second.registry.getWorkflow('OnlyFirst')).toThrow(UnknownWorkflowError);
  });
});

describe('app.workflowTask', () => {
  it('returns a callable task function with the given name, registered on the app', async () => {
    const app = new MCPApp({ name: 'test' });
    const chargeCard = app.workflowTask(
      async function chargeCard(orderId: string, cents: number): Promise<string> {
        return `${orderId}:${cents}`;
      },
      { name: 'chargeCard', retryPolicy: { maximumAttempts: 3 }, startToCloseTimeout: '30s' },
    );
    expect(chargeCard.taskName).toBe('chargeCard');
    expect(chargeCard.name).toBe('chargeCard');
    await expect(chargeCard('o-1', 250)).resolves.toBe('o-1:250');
    const definition = app.registry.tasks.get('chargeCard');
    expect(definition).toBe(chargeCard.taskDefinition);
    expect(definition?.options).toEqual({ name: 'chargeCard', retryPolicy: { maximumAttempts: 3 }, startToCloseTimeout: '30s' });
    await expect(definition?.run('o-2', 1)).resolves.toBe('o-2:1');
  });

  it('uses the name given in the options', () => {
    const app = new MCPApp({ name: 'test' });
    const task = app.workflowTask(async (value: number) => value + 1, { name: 'math.increment' });
    expect(task.taskName).toBe('math.increment');
    expect(app.registry.getTask('math.increment')).toBe(task.taskDefinition);
  });

  it('registers a function task made with the options form', async () => {
    const app = new MCPApp({ name: 'test' });
    const task = app.workflowTask({ name: 'text.upper' })(async (text: string) => text.toUpperCase());
    expect(task.taskName).toBe('text.upper');
    await expect(task('abc')).resolves.toBe('ABC');
    expect(app.registry.getTask('text.upper')).toBe(task.taskDefinition);
  });

  it('rejects a function task without a name, telling how to name it and why', () => {
    const app = new MCPApp({ name: 'test' });
    const withoutName = app.workflowTask as unknown as (fn: () => Promise<unknown>, options?: object) => unknown;
    expect(() => withoutName(async () => 1)).toThrow('workflowTask(fn): give the task a stable name: workflowTask(fn, { name: "billing.charge" })');
    expect(() => withoutName(async function chargeCard() {}, {})).toThrow('workflowTask(chargeCard): give the task a stable name');
    expect(() => withoutName(async function chargeCard() {}, {})).toThrow('can change when a bundler renames it');
    expect(app.registry.tasks.size).toBe(0);
  });

  it('rejects two different tasks with the same name', () => {
    const app = new MCPApp({ name: 'test' });
    app.workflowTask(async function send(): Promise<void> {}, { name: 'send' });
    expect(() => app.workflowTask(async function send(): Promise<void> {}, { name: 'send' })).toThrow(
      new WorkflowUsageError('two tasks are named "send"; task names must be unique, give one another name'),
    );
  });

  it('rejects a workflow task method whose name another task already has', () => {
    const app = new MCPApp({ name: 'test' });
    app.workflowTask(async () => undefined, { name: 'Mailer.send' });
    expect(() => {
      @app.workflow
      class Mailer extends Workflow {
        async run(): Promise<void> {}
        @app.workflowTask
        async send(): Promise<void> {}
      }
      return Mailer;
    }).toThrow('two tasks are named "Mailer.send"');
  });
});
