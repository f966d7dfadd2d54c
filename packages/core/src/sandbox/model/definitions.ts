/**
 * Workflow and task definitions, and the standard (TC39) decorators that make them.
 * Safe for the workflow sandbox.
 *
 * Method decorators mark the method function; the class decorator collects the marks into a
 * {@link WorkflowDefinition} kept on the class. No decorator metadata or reflection is needed.
 */
import { WorkflowUsageError } from '../errors.js';
import { HUMAN_INPUT_QUERY, HUMAN_INPUT_SIGNAL } from '../human-input.js';
import type { TaskCallOptions } from './workflow-context.js';
import { currentWorkflowContext } from './workflow-context.js';

/* eslint-disable @typescript-eslint/no-explicit-any */

/** Any constructor of a workflow class. */
export type WorkflowClass<W = any> = new () => W;

/** Options of a task: its stable name, and defaults for every call of it. */
export interface TaskOptions extends TaskCallOptions {
  /**
   * The task's stable name. Under Temporal it is the activity type, so renaming it breaks running
   * workflows. Defaults to the function's name, or `<Workflow>.<method>` for a method.
   */
  name?: string;
}

/** A registered task: the name, the function that does the work, and its options. */
export interface TaskDefinition {
  readonly name: string;
  readonly run: (...args: any[]) => Promise<unknown>;
  readonly options: TaskOptions;
}

/**
 * A function made into a task by `app.workflowTask(fn)`. Called inside a workflow, it runs as a
 * task of the engine (an activity under Temporal) with retries; called elsewhere it just runs.
 */
export type TaskFunction<A extends unknown[] = any[], R = any> = ((...args: A) => Promise<R>) & {
  readonly taskName: string;
  readonly taskDefinition: TaskDefinition;
};

/** An update handler's validator: throws to reject the update before the handler runs. */
export type UpdateValidator = (...args: any[]) => void;

/** What the class decorator learnt of a workflow class. */
export interface WorkflowDefinition {
  readonly name: string;
  readonly workflowClass: WorkflowClass;
  readonly runMethod: string;
  /** Signal name to handler method; `undefined` for names only received with `waitForSignal`. */
  readonly signals: ReadonlyMap<string, string | undefined>;
  readonly queries: ReadonlyMap<string, string>;
  readonly updates: ReadonlyMap<string, { readonly methodName: string; readonly validator: UpdateValidator | undefined }>;
  /** Tasks declared as methods of the class with `@workflowTask`. */
  readonly tasks: readonly TaskDefinition[];
}

/** Options of the `@workflow` class decorator. */
export interface WorkflowOptions {
  /** The workflow's stable name. Defaults to the class name. */
  name?: string;
  /**
   * Signal names the workflow receives with `waitForSignal` rather than a handler method. A
   * signal of such a name is buffered until the workflow waits for it.
   */
  signals?: string[];
}

/** Options of `@workflowSignal`, `@workflowQuery`. */
export interface HandlerOptions {
  /** The name callers use. Defaults to the method name. */
  name?: string;
}

/** Options of `@workflowUpdate`. */
export interface UpdateOptions extends HandlerOptions {
  /** Runs before the handler with the same arguments and `this`; throwing rejects the update. */
  validator?: UpdateValidator;
}

type MemberKind = 'run' | 'signal' | 'query' | 'update' | 'task';

interface MemberMark {
  kind: MemberKind;
  methodName: string;
  name: string | undefined;
  validator?: UpdateValidator | undefined;
  taskOptions?: TaskOptions;
  implementation?: (...args: any[]) => Promise<unknown>;
  /**
   * For tasks: the task name per workflow class prototype, filled in by the class decorator once
   * the workflow's name is known. Per class, because a subclass defined as another workflow
   * inherits the method under another task name.
   */
  taskNames?: Map<object, string>;
}

/** The task name of a marked method called on `instance`: that of the nearest defined workflow class. */
function taskNameOf(mark: MemberMark, instance: unknown): string | undefined {
  if (mark.taskNames === undefined || typeof instance !== 'object' || instance === null) return undefined;
  for (let prototype = Object.getPrototypeOf(instance) as object | null; prototype !== null; prototype = Object.getPrototypeOf(prototype)) {
    const taskName = mark.taskNames.get(prototype);
    if (taskName !== undefined) return taskName;
  }
  return undefined;
}

const MEMBER_MARKS = Symbol.for('mcp-agent.workflow-member-marks');
const DEFINITION = Symbol.for('mcp-agent.workflow-definition');
const TASK_DEFINITION = Symbol.for('mcp-agent.task-definition');

const DECORATOR_NAMES: Record<MemberKind, string> = {
  run: '@workflowRun',
  signal: '@workflowSignal',
  query: '@workflowQuery',
  update: '@workflowUpdate',
  task: '@workflowTask',
};

function isDecoratorContext(value: unknown): value is DecoratorContext {
  return typeof value === 'object' && value !== null && 'kind' in value && 'name' in value;
}

function marksOf(fn: unknown): MemberMark[] {
  return (typeof fn === 'function' ? (fn as unknown as Record<symbol, MemberMark[] | undefined>)[MEMBER_MARKS] : undefined) ?? [];
}

function addMark(fn: object, mark: MemberMark): void {
  const holder = fn as Record<symbol, MemberMark[] | undefined>;
  const existing = Object.hasOwn(holder, MEMBER_MARKS) ? (holder[MEMBER_MARKS] ?? []) : [];
  Object.defineProperty(holder, MEMBER_MARKS, { value: [...existing, mark], configurable: true });
}

function markMethod(
  kind: MemberKind,
  method: (...args: any[]) => any,
  context: DecoratorContext,
  options: { name?: string | undefined; validator?: UpdateValidator | undefined; task?: TaskOptions },
): ((...args: any[]) => any) | undefined {
  if (context.kind !== 'method') {
    throw new WorkflowUsageError(`${DECORATOR_NAMES[kind]} decorates methods, but "${String(context.name)}" is a ${context.kind}`);
  }
  const methodContext = context as ClassMethodDecoratorContext;
  if (methodContext.static || methodContext.private || typeof methodContext.name !== 'string') {
    throw new WorkflowUsageError(`${DECORATOR_NAMES[kind]} needs a public instance method; "${String(methodContext.name)}" is ${methodContext.static ? 'static' : 'private'}`);
  }
  const methodName = methodContext.name;
  const mark: MemberMark = { kind, methodName, name: options.name, validator: options.validator };
  if (kind !== 'task') {
    addMark(method, mark);
    return undefined;
  }
  mark.taskOptions = options.task ?? {};
  mark.implementation = method;
  // The method now routes through the engine when called from a running workflow.
  const routed = function (this: unknown, ...args: unknown[]): Promise<unknown> {
    const context = currentWorkflowContext();
    const taskName = context === undefined ? undefined : taskNameOf(mark, this);
    if (context === undefined || taskName === undefined) return Promise.resolve(method.apply(this, args));
    return context.executeTask(taskName, args, undefined);
  };
  Object.defineProperty(routed, 'name', { value: methodName });
  addMark(routed, mark);
  return routed;
}

/** Builds a decorator usable bare (`@workflowQuery`) or with options (`@workflowQuery({ name })`). */
function memberDecorator<O extends HandlerOptions & { validator?: UpdateValidator }>(kind: MemberKind) {
  function decorator(method: (...args: any[]) => any, context: ClassMethodDecoratorContext): any;
  function decorator(options?: O): (method: (...args: any[]) => any, context: ClassMethodDecoratorContext) => any;
  function decorator(methodOrOptions?: unknown, context?: unknown): unknown {
    if (isDecoratorContext(context)) {
      return markMethod(kind, methodOrOptions as (...args: any[]) => any, context, {});
    }
    const options = (methodOrOptions ?? {}) as O;
    return (method: (...args: any[]) => any, decoratorContext: DecoratorContext) => markMethod(kind, method, decoratorContext, { name: options.name, validator: options.validator });
  }
  return decorator;
}

/**
 * Marks the method that runs the workflow. It takes the workflow input and returns a
 * `WorkflowResult`. A class without one uses its method named `run`.
 */
export const workflowRun = memberDecorator<HandlerOptions>('run');

/**
 * Marks a signal handler: a method called with the signal's payload while the workflow runs.
 *
 * @example
 * ```ts
 * @workflowSignal approve(comments: string) { this.status = 'approved'; }
 * ```
 */
export const workflowSignal = memberDecorator<HandlerOptions>('signal');

/** Marks a query handler: a synchronous method that reads the workflow's state and must not change it. */
export const workflowQuery = memberDecorator<HandlerOptions>('query');

/**
 * Marks an update handler: like a signal, but the caller waits for its return value, and an
 * optional validator may reject it first.
 *
 * @example
 * ```ts
 * @workflowUpdate({ validator: (amount: number) => { if (amount <= 0) throw new Error('amount must be positive'); } })
 * async setLimit(amount: number) { this.limit = amount; return this.limit; }
 * ```
 */
export const workflowUpdate = memberDecorator<UpdateOptions>('update');

function makeTaskDefinition(name: string, run: (...args: any[]) => Promise<unknown>, options: TaskOptions): TaskDefinition {
  return Object.freeze({ name, run, options: Object.freeze({ ...options, name }) });
}

/** Task options for a function task, where the stable name is required. */
export type FunctionTaskOptions = TaskOptions & { name: string };

/**
 * Makes a {@link TaskFunction} of a plain async function.
 *
 * The name is required: it is the activity type under Temporal, and a name read from the
 * function could change when a bundler renames it (esbuild turns `const charge = task(async
 * function charge() {})` into a function named `charge2`), which would break running workflows.
 */
export function createTaskFunction<A extends unknown[], R>(fn: (...args: A) => Promise<R>, options: FunctionTaskOptions): TaskFunction<A, R> {
  if (typeof fn !== 'function') {
    throw new WorkflowUsageError(`workflowTask expects a function, got ${typeof fn}`);
  }
  const name = (options as TaskOptions | undefined)?.name;
  if (typeof name !== 'string' || name.trim() === '') {
    const shown = fn.name === '' ? 'fn' : fn.name;
    throw new WorkflowUsageError(
      `workflowTask(${shown}): give the task a stable name: workflowTask(${shown}, { name: "billing.${fn.name === '' ? 'charge' : fn.name}" }). ` +
        'The name is the activity type under Temporal; one read from the function can change when a bundler renames it',
    );
  }
  const definition = makeTaskDefinition(name, fn as (...args: any[]) => Promise<unknown>, options);
  const task = function (this: unknown, ...args: A): Promise<R> {
    const context = currentWorkflowContext();
    if (context === undefined) return fn.apply(this, args);
    return context.executeTask<R>(name, args, undefined);
  };
  Object.defineProperty(task, 'name', { value: name });
  Object.defineProperty(task, 'taskName', { value: name, enumerable: true });
  Object.defineProperty(task, 'taskDefinition', { value: definition });
  Object.defineProperty(task, TASK_DEFINITION, { value: definition });
  return task as unknown as TaskFunction<A, R>;
}

/** The task definition of a {@link TaskFunction}, or undefined for anything else. */
export function getTaskDefinition(value: unknown): TaskDefinition | undefined {
  return typeof value === 'function' ? (value as unknown as Record<symbol, TaskDefinition | undefined>)[TASK_DEFINITION] : undefined;
}

/** The `@workflowTask` decorator and function form; see `MCPApp.workflowTask`. */
export interface WorkflowTaskDecorator {
  /** `@workflowTask` on a workflow method. */
  <M extends (...args: any[]) => Promise<any>>(method: M, context: ClassMethodDecoratorContext): M;
  /** `workflowTask(fn, { name })` on a plain async function. */
  <A extends unknown[], R>(fn: (...args: A) => Promise<R>, options: FunctionTaskOptions): TaskFunction<A, R>;
  /** `@workflowTask({ ... })` on a method, or `workflowTask({ ... })(fn)`. */
  (
    options: TaskOptions,
  ): {
    <M extends (...args: any[]) => Promise<any>>(method: M, context: ClassMethodDecoratorContext): M;
    <A extends unknown[], R>(fn: (...args: A) => Promise<R>): TaskFunction<A, R>;
  };
}

/**
 * Makes a task, the unit of work that may do I/O and that the engine retries: under Temporal
 * each call is an activity. On a function (`workflowTask(fn, { name })`, the name required) it
 * returns a {@link TaskFunction}; on a workflow method it makes the method a task named
 * `<Workflow>.<method>` unless given a name.
 */
export const workflowTask: WorkflowTaskDecorator = ((fnOrOptions?: unknown, second?: unknown): unknown => {
  if (typeof fnOrOptions === 'function') {
    if (isDecoratorContext(second)) return markMethod('task', fnOrOptions as (...args: any[]) => any, second, { task: {} });
    return createTaskFunction(fnOrOptions as (...args: unknown[]) => Promise<unknown>, (second ?? {}) as FunctionTaskOptions);
  }
  const options = (fnOrOptions ?? {}) as TaskOptions;
  return (fn: (...args: any[]) => Promise<any>, context?: unknown) =>
    isDecoratorContext(context) ? markMethod('task', fn, context, { name: options.name, task: options }) : createTaskFunction(fn, options as FunctionTaskOptions);
}) as WorkflowTaskDecorator;

/**
 * Builds the definition of a workflow class from its marked methods, and keeps it on the class.
 * Used by the `@workflow` decorator; call it directly to define a class without decorators.
 *
 * @throws WorkflowUsageError when the class has no run method or two handlers share a name.
 */
export function defineWorkflow(workflowClass: WorkflowClass, options: WorkflowOptions = {}): WorkflowDefinition {
  const name = options.name ?? workflowClass.name;
  if (typeof name !== 'string' || name === '') {
    throw new WorkflowUsageError('@workflow: this class has no name; pass one: @app.workflow({ name: "OrderWorkflow" })');
  }
  const marks: MemberMark[] = [];
  const seenMethods = new Set<string>();
  for (let prototype = workflowClass.prototype as object | null; prototype !== null && prototype !== Object.prototype; prototype = Object.getPrototypeOf(prototype)) {
    for (const key of Object.getOwnPropertyNames(prototype)) {
      if (key === 'constructor' || seenMethods.has(key)) continue;
      const descriptor = Object.getOwnPropertyDescriptor(prototype, key);
      if (descriptor === undefined || typeof descriptor.value !== 'function') continue;
      seenMethods.add(key);
      marks.push(...marksOf(descriptor.value));
    }
  }

  const runMarks = marks.filter((mark) => mark.kind === 'run');
  if (runMarks.length > 1) {
    throw new WorkflowUsageError(`workflow "${name}" marks ${runMarks.map((mark) => mark.methodName).join(' and ')} with @workflowRun; keep one`);
  }
  let runMethod = runMarks[0]?.methodName;
  if (runMethod === undefined) {
    if (typeof (workflowClass.prototype as Record<string, unknown>).run !== 'function') {
      throw new WorkflowUsageError(`workflow "${name}" has no run method; mark the method that runs it with @app.workflowRun`);
    }
    runMethod = 'run';
  }

  const signals = new Map<string, string | undefined>();
  const queries = new Map<string, string>();
  const updates = new Map<string, { methodName: string; validator: UpdateValidator | undefined }>();
  const tasks: TaskDefinition[] = [];
  const taken = (kind: string, handlerName: string, exists: boolean): void => {
    if (exists) throw new WorkflowUsageError(`workflow "${name}" defines the ${kind} "${handlerName}" twice; give one another name`);
  };
  for (const mark of marks) {
    const handlerName = mark.name ?? mark.methodName;
    switch (mark.kind) {
      case 'signal':
        taken('signal', handlerName, signals.has(handlerName));
        signals.set(handlerName, mark.methodName);
        break;
      case 'query':
        taken('query', handlerName, queries.has(handlerName));
        queries.set(handlerName, mark.methodName);
        break;
      case 'update':
        taken('update', handlerName, updates.has(handlerName));
        updates.set(handlerName, { methodName: mark.methodName, validator: mark.validator });
        break;
      case 'task': {
        const taskName = mark.taskOptions?.name ?? `${name}.${mark.methodName}`;
        taken(
          'task',
          taskName,
          tasks.some((task) => task.name === taskName),
        );
        (mark.taskNames ??= new Map()).set(workflowClass.prototype as object, taskName);
        const implementation = mark.implementation as (...args: unknown[]) => Promise<unknown>;
        // A task runs apart from the workflow's state (in a worker under Temporal): it gets a fresh
        // object with the class's methods, never the running instance.
        const run = (...args: unknown[]): Promise<unknown> => implementation.apply(Object.create(workflowClass.prototype), args);
        tasks.push(makeTaskDefinition(taskName, run, mark.taskOptions ?? {}));
        break;
      }
      case 'run':
        break;
    }
  }
  for (const signalName of options.signals ?? []) {
    if (!signals.has(signalName)) signals.set(signalName, undefined);
  }
  // Every workflow that extends Workflow answers human input requests (`requestHumanInput`).
  const prototype = workflowClass.prototype as Record<string, unknown>;
  if (typeof prototype['__humanInput'] === 'function' && !signals.has(HUMAN_INPUT_SIGNAL)) signals.set(HUMAN_INPUT_SIGNAL, '__humanInput');
  if (typeof prototype['__humanInputPending'] === 'function' && !queries.has(HUMAN_INPUT_QUERY)) queries.set(HUMAN_INPUT_QUERY, '__humanInputPending');

  const definition: WorkflowDefinition = Object.freeze({
    name,
    workflowClass,
    runMethod,
    signals,
    queries,
    updates,
    tasks: Object.freeze(tasks),
  });
  Object.defineProperty(workflowClass, DEFINITION, { value: definition, configurable: true });
  return definition;
}

/** The definition kept on a class by `@workflow` / {@link defineWorkflow}, or undefined. */
export function getWorkflowDefinition(workflowClass: unknown): WorkflowDefinition | undefined {
  if (typeof workflowClass !== 'function' || !Object.hasOwn(workflowClass, DEFINITION)) return undefined;
  return (workflowClass as unknown as Record<symbol, WorkflowDefinition>)[DEFINITION];
}

/** The `@workflow` class decorator: usable bare or with {@link WorkflowOptions}. */
export interface WorkflowDecorator {
  <C extends WorkflowClass>(workflowClass: C, context: ClassDecoratorContext<C>): void;
  (options: WorkflowOptions): <C extends WorkflowClass>(workflowClass: C, context: ClassDecoratorContext<C>) => void;
}

/** Makes a `@workflow` decorator that calls `onDefined` with each definition it builds. */
export function createWorkflowDecorator(onDefined: (definition: WorkflowDefinition) => void): WorkflowDecorator {
  return ((classOrOptions: unknown, context?: unknown): unknown => {
    const apply = (workflowClass: WorkflowClass, decoratorContext: DecoratorContext, options: WorkflowOptions): void => {
      if (decoratorContext.kind !== 'class') {
        throw new WorkflowUsageError(`@workflow decorates classes, but "${String(decoratorContext.name)}" is a ${decoratorContext.kind}`);
      }
      onDefined(defineWorkflow(workflowClass, options));
    };
    if (isDecoratorContext(context)) return apply(classOrOptions as WorkflowClass, context, {});
    const options = (classOrOptions ?? {}) as WorkflowOptions;
    return (workflowClass: WorkflowClass, decoratorContext: DecoratorContext) => apply(workflowClass, decoratorContext, options);
  }) as WorkflowDecorator;
}

/** `@workflow`: defines a workflow class without registering it on an app (see `MCPApp.workflow`). */
export const workflow: WorkflowDecorator = createWorkflowDecorator(() => undefined);
