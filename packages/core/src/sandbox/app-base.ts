/**
 * The part of {@link MCPApp} that workflow code uses: the registry and the decorators. Safe for
 * the workflow sandbox, where `@mcp-agent/core` resolves to an app that has only this part.
 */
import { WorkflowUsageError } from './errors.js';
import {
  createTaskFunction,
  createWorkflowDecorator,
  defineWorkflow,
  getTaskDefinition,
  getWorkflowDefinition,
  workflowQuery,
  workflowRun,
  workflowSignal,
  workflowTask,
  workflowUpdate,
  type FunctionTaskOptions,
  type TaskDefinition,
  type TaskFunction,
  type WorkflowClass,
  type WorkflowDecorator,
  type WorkflowDefinition,
  type WorkflowOptions,
  type WorkflowTaskDecorator,
} from './model/definitions.js';
import { WorkflowRegistry } from './model/registry.js';

/** Marks app objects, so that engines recognise one in a module's exports. */
const APP_BRAND = Symbol.for('mcp-agent.app');

/** Registers workflows and tasks; {@link MCPApp} adds config, engines and `run`. */
export class MCPAppBase {
  readonly name: string;
  readonly registry = new WorkflowRegistry();

  constructor(options: { name: string }) {
    if (typeof options?.name !== 'string' || options.name.trim() === '') {
      throw new WorkflowUsageError('new MCPApp({ name }): name must be a non-empty string');
    }
    this.name = options.name;
    Object.defineProperty(this, APP_BRAND, { value: true });
  }

  /** True for an app made by any copy of this package. */
  static isApp(value: unknown): value is MCPAppBase {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[APP_BRAND] === true;
  }

  /** `@app.workflow` or `@app.workflow({ name, signals })`: defines a workflow class and registers it on this app. */
  readonly workflow: WorkflowDecorator = createWorkflowDecorator((definition) => this.registry.addWorkflow(definition));

  /** `@app.workflowRun`: marks the run method. */
  readonly workflowRun = workflowRun;

  /** `@app.workflowSignal`: marks a signal handler. */
  readonly workflowSignal = workflowSignal;

  /** `@app.workflowQuery`: marks a query handler. */
  readonly workflowQuery = workflowQuery;

  /** `@app.workflowUpdate` or `@app.workflowUpdate({ validator })`: marks an update handler. */
  readonly workflowUpdate = workflowUpdate;

  /**
   * Makes a task and registers it on this app: `app.workflowTask(fn, { name, ... })` for a
   * function (the name is required: it is the activity type under Temporal), `@app.workflowTask`
   * on a workflow method (named `<Workflow>.<method>`, registered with its workflow).
   *
   * @example
   * ```ts
   * export const chargeCard = app.workflowTask(async (orderId: string) => { ... }, {
   *   name: 'billing.chargeCard',
   *   retryPolicy: { maximumAttempts: 3, nonRetryableErrorTypes: ['CardDeclined'] },
   * });
   * ```
   */
  readonly workflowTask: WorkflowTaskDecorator = ((first?: unknown, second?: unknown): unknown => {
    const made = (workflowTask as (a?: unknown, b?: unknown) => unknown)(first, second);
    const register = (value: unknown): unknown => {
      const definition = getTaskDefinition(value);
      if (definition !== undefined) this.registry.addTask(definition);
      return value;
    };
    if (typeof first === 'function') return register(made);
    // Options form: wrap the returned decorator so function tasks it makes are registered too.
    return (fn: unknown, context?: unknown) => register((made as (a: unknown, b?: unknown) => unknown)(fn, context));
  }) as WorkflowTaskDecorator;

  /** Registers a workflow class defined without this app's decorator. */
  registerWorkflow(workflowClass: WorkflowClass, options?: WorkflowOptions): WorkflowDefinition {
    // A class already defined (by a decorator) keeps its definition, so registering it again is harmless.
    const existing = options === undefined ? getWorkflowDefinition(workflowClass) : undefined;
    const definition = existing ?? defineWorkflow(workflowClass, options);
    this.registry.addWorkflow(definition);
    return definition;
  }

  /** Registers a task function made elsewhere, or makes one of a plain function. */
  registerTask<A extends unknown[], R>(task: TaskFunction<A, R> | ((...args: A) => Promise<R>), options?: FunctionTaskOptions): TaskDefinition {
    const definition = getTaskDefinition(task) ?? createTaskFunction(task, options as FunctionTaskOptions).taskDefinition;
    this.registry.addTask(definition);
    return definition;
  }
}
