import { describe, expect, it } from 'vitest';
import { UnknownTaskError, UnknownWorkflowError, WorkflowUsageError } from '../errors.js';
import { createTaskFunction, defineWorkflow, workflowTask } from './definitions.js';
import { WorkflowRegistry } from './registry.js';

/** The error `fn` throws. */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

function workflowNamed(name: string): ReturnType<typeof defineWorkflow> {
  class Named {
    async run(): Promise<void> {}
  }
  return defineWorkflow(Named, { name });
}

describe('WorkflowRegistry', () => {
  it('finds workflows and tasks by name', () => {
    const registry = new WorkflowRegistry();
    const definition = workflowNamed('orders');
    const task = createTaskFunction(async () => 1, { name: 'orders.count' }).taskDefinition;
    registry.addWorkflow(definition);
    registry.addTask(task);
    expect(registry.getWorkflow('orders')).toBe(definition);
    expect(registry.getTask('orders.count')).toBe(task);
    expect([...registry.workflows.keys()]).toEqual(['orders']);
    expect([...registry.tasks.keys()]).toEqual(['orders.count']);
  });

  it('throws UnknownWorkflowError listing the registered names, sorted', () => {
    const registry = new WorkflowRegistry();
    registry.addWorkflow(workflowNamed('zeta'));
    registry.addWorkflow(workflowNamed('alpha'));
    const error = thrown(() => registry.getWorkflow('x'));
    expect(UnknownWorkflowError.is(error)).toBe(true);
    expect((error as UnknownWorkflowError).message).toBe('unknown workflow "x"; registered: alpha, zeta. Register it with @app.workflow on the app the executor was created from.');
    expect((error as UnknownWorkflowError).workflowName).toBe('x');
  });

  it('throws UnknownWorkflowError saying (none) when empty', () => {
    expect(() => new WorkflowRegistry().getWorkflow('x')).toThrow('unknown workflow "x"; registered: (none).');
  });

  it('throws UnknownTaskError listing the registered task names', () => {
    const registry = new WorkflowRegistry();
    registry.addTask(createTaskFunction(async () => 1, { name: 'b.task' }).taskDefinition);
    registry.addTask(createTaskFunction(async () => 1, { name: 'a.task' }).taskDefinition);
    const error = thrown(() => registry.getTask('c.task'));
    expect(UnknownTaskError.is(error)).toBe(true);
    expect((error as Error).message).toContain('unknown task "c.task"; registered: a.task, b.task.');
  });

  it('accepts the same workflow definition and the same task definition twice', () => {
    const registry = new WorkflowRegistry();
    const definition = workflowNamed('again');
    const task = createTaskFunction(async () => 1, { name: 'again.task' }).taskDefinition;
    registry.addWorkflow(definition);
    registry.addWorkflow(definition);
    registry.addTask(task);
    registry.addTask(task);
    expect(registry.workflows.size).toBe(1);
    expect(registry.tasks.size).toBe(1);
  });

  it('rejects two classes with one workflow name, keeping the first', () => {
    const registry = new WorkflowRegistry();
    const first = workflowNamed('same');
    registry.addWorkflow(first);
    expect(() => registry.addWorkflow(workflowNamed('same'))).toThrow(
      new WorkflowUsageError('two workflow classes are named "same"; give one another name with @app.workflow({ name: "..." })'),
    );
    expect(registry.getWorkflow('same')).toBe(first);
  });

  it('rejects two task definitions with one name, keeping the first', () => {
    const registry = new WorkflowRegistry();
    const first = createTaskFunction(async () => 1, { name: 'dup' }).taskDefinition;
    registry.addTask(first);
    expect(() => registry.addTask(createTaskFunction(async () => 2, { name: 'dup' }).taskDefinition)).toThrow(
      new WorkflowUsageError('two tasks are named "dup"; task names must be unique, give one another name'),
    );
    expect(registry.getTask('dup')).toBe(first);
  });

  it('leaves the registry unchanged when a task of a new workflow clashes', () => {
    const registry = new WorkflowRegistry();
    const existing = createTaskFunction(async () => undefined, { name: 'Clash.step' }).taskDefinition;
    registry.addTask(existing);
    class Clash {
      async run(): Promise<void> {}
      @workflowTask
      async step(): Promise<void> {}
    }
    expect(() => registry.addWorkflow(defineWorkflow(Clash))).toThrow('two tasks are named "Clash.step"');
    expect([...registry.workflows.keys()]).toEqual([]);
    expect(registry.getTask('Clash.step')).toBe(existing);
  });
});
