import { describe, expect, it } from 'vitest';
import { WorkflowUsageError } from '../errors.js';
import { defineWorkflow, workflowTask } from './definitions.js';
import { Workflow, workflowNameOf } from './workflow.js';
import { WorkflowResult } from './workflow-result.js';

class Greeter extends Workflow<string> {
  async run(name: string): Promise<WorkflowResult<string>> {
    await this.sleep('1 second');
    return new WorkflowResult({ value: `Hello, ${name}` });
  }
}
defineWorkflow(Greeter, { name: 'greeter' });

const OUTSIDE = 'Greeter: workflow APIs work only while it runs in an executor; start it with executor.startWorkflow(Greeter, input)';

describe('Workflow outside an executor', () => {
  it('throws a WorkflowUsageError naming the class from its synchronous methods and getters', () => {
    const greeter = new Greeter();
    const calls: Array<[string, () => unknown]> = [
      ['sleep', () => greeter.sleep(1)],
      ['sleepUntil', () => greeter.sleepUntil(Date.now())],
      ['now', () => greeter.now()],
      ['uuid', () => greeter.uuid()],
      ['random', () => greeter.random()],
      ['patched', () => greeter.patched('p')],
      ['deprecatePatch', () => greeter.deprecatePatch('p')],
      ['getVersion', () => greeter.getVersion('c', 1, 2)],
      ['executeTask', () => greeter.executeTask('some.task', [])],
      ['startChild', () => greeter.startChild('greeter')],
      ['continueAsNew', () => greeter.continueAsNew()],
      ['waitForSignal', () => greeter.waitForSignal('go')],
      ['nonCancellable', () => greeter.nonCancellable(async () => 1)],
      ['id', () => greeter.id],
      ['runId', () => greeter.runId],
      ['info', () => greeter.info],
      ['cancellationRequested', () => greeter.cancellationRequested],
    ];
    for (const [name, call] of calls) {
      expect(call, name).toThrow(new WorkflowUsageError(OUTSIDE));
    }
  });

  it('rejects from its async methods, and from the run method that uses them', async () => {
    const greeter = new Greeter();
    await expect(greeter.condition(() => true)).rejects.toThrow(new WorkflowUsageError(OUTSIDE));
    await expect(greeter.executeChild('greeter')).rejects.toThrow(new WorkflowUsageError(OUTSIDE));
    await expect(greeter.run('Ann')).rejects.toThrow(new WorkflowUsageError(OUTSIDE));
  });

  it('reports a bad task or time before the missing context', () => {
    const greeter = new Greeter();
    expect(() => greeter.executeTask(async function notATask() {} as never, [])).toThrow(
      new WorkflowUsageError('executeTask: expected a task made with app.workflowTask(fn) or a task name'),
    );
    expect(() => greeter.sleepUntil(new Date(Number.NaN))).toThrow('sleepUntil: expected a Date or epoch milliseconds, got Invalid Date');
  });

  it('names a subclass in the message', () => {
    class Billing extends Workflow {
      async run(): Promise<void> {}
    }
    expect(() => new Billing().now()).toThrow(/^Billing: workflow APIs work only while it runs in an executor; .*startWorkflow\(Billing, input\)$/);
  });
});

describe('workflowNameOf', () => {
  it('returns a name as given, and the defined name of a class', () => {
    expect(workflowNameOf('anything')).toBe('anything');
    expect(workflowNameOf(Greeter)).toBe('greeter');
  });

  it('rejects a class that is not a workflow, telling how to make it one', () => {
    class NotDecorated {}
    expect(() => workflowNameOf(NotDecorated)).toThrow(new WorkflowUsageError('class NotDecorated is not a workflow; decorate it with @app.workflow'));
  });

  it('lets executeTask take a task function by its name (checked against the context next)', () => {
    const task = workflowTask(async () => 1, { name: 'one' });
    expect(() => new Greeter().executeTask(task, [])).toThrow(new WorkflowUsageError(OUTSIDE));
  });
});
