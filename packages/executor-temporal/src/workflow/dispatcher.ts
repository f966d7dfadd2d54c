/**
 * The one Temporal workflow function of a bundle: it finds the mcp-agent workflow class named by
 * the workflow type, runs it with a {@link TemporalWorkflowContext}, and maps its signals,
 * queries and updates onto Temporal handlers. Safe for the workflow sandbox.
 */
import {
  ApplicationFailure,
  CancelledFailure,
  ContinueAsNew,
  defineQuery,
  defineSignal,
  defineUpdate,
  inWorkflowContext,
  isCancellation as isTemporalCancellation,
  setDefaultQueryHandler,
  setDefaultUpdateHandler,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import { addWorkflowContextProvider, bindWorkflowContext, getWorkflowDefinition, MCPAppBase, type WorkflowDefinition } from '@mcp-agent/core/engine/workflow';
import { isCancellation, messageOf, UnknownHandlerError, WorkflowResult } from '@mcp-agent/core/workflow';
import { workflowFailure } from '../failures.js';
import { assertSerialisable, TemporalWorkflowContext } from './context.js';
import type { WorkflowBundleConfig } from './embedded-config.js';
import { setEncodeFailures } from './failure-converter.js';

/** The failure type of an update its validator refused; the client turns it into `UpdateRejectedError`. */
export const UPDATE_REJECTED_TYPE = 'mcp-agent.UpdateRejected';
/** The failure type of a query or update the workflow does not define. */
export const UNKNOWN_HANDLER_TYPE = 'mcp-agent.UnknownHandler';

// Temporal gives each workflow run its own copy of the bundle's modules, so this is per run.
let current: TemporalWorkflowContext | undefined;
addWorkflowContextProvider(() => {
  if (current === undefined || !inWorkflowContext()) return undefined;
  return current.runId === workflowInfo().runId ? current : undefined;
});

/** Every workflow definition reachable from the exports of `modules`: workflow classes and apps. */
export function collectWorkflowDefinitions(modules: readonly Record<string, unknown>[]): Map<string, WorkflowDefinition> {
  const definitions = new Map<string, WorkflowDefinition>();
  for (const module of modules) {
    for (const value of Object.values(module)) {
      if (MCPAppBase.isApp(value)) {
        for (const definition of value.registry.workflows.values()) definitions.set(definition.name, definition);
      }
      const definition = getWorkflowDefinition(value);
      if (definition !== undefined) definitions.set(definition.name, definition);
    }
  }
  return definitions;
}

type Method = (...args: unknown[]) => unknown;

function methodOf(instance: object, methodName: string): Method {
  const method = (instance as Record<string, unknown>)[methodName];
  return (method as Method).bind(instance);
}

/**
 * The failure that ends a run for an error its code threw: `continueAsNew` passes as it is, a
 * cancellation after a cancel request ends the run as cancelled, anything else fails it.
 */
function runEnding(error: unknown, context: TemporalWorkflowContext): unknown {
  if (error instanceof ContinueAsNew) return error;
  if (context.cancellationRequested && (isCancellation(error) || isTemporalCancellation(error))) return new CancelledFailure(messageOf(error));
  return workflowFailure(error);
}

/** Runs workflow code of a handler, turning its error into a failure Temporal reports instead of retrying the task forever. */
async function guarded<R>(fn: () => R | Promise<R>, context: TemporalWorkflowContext): Promise<R> {
  try {
    return await fn();
  } catch (error) {
    throw runEnding(error, context);
  }
}

function installHandlers(definition: WorkflowDefinition, instance: object, context: TemporalWorkflowContext): void {
  for (const [signalName, methodName] of definition.signals) {
    if (methodName === undefined) {
      setHandler(defineSignal<[unknown]>(signalName), (payload) => context.deliver(signalName, payload, true));
      continue;
    }
    const method = methodOf(instance, methodName);
    setHandler(defineSignal<unknown[]>(signalName), async (...args) => {
      await guarded(() => method(...args), context);
      context.deliver(signalName, args[0], false);
    });
  }
  for (const [queryName, methodName] of definition.queries) {
    const method = methodOf(instance, methodName);
    setHandler(defineQuery<unknown, unknown[]>(queryName), (...args) => method(...args));
  }
  for (const [updateName, { methodName, validator }] of definition.updates) {
    const method = methodOf(instance, methodName);
    setHandler(defineUpdate<unknown, unknown[]>(updateName), (...args) => guarded(() => method(...args), context), {
      ...(validator === undefined
        ? {}
        : {
            validator: (...args: unknown[]) => {
              try {
                validator.apply(instance, args);
              } catch (error) {
                throw ApplicationFailure.create({ message: messageOf(error), type: UPDATE_REJECTED_TYPE, nonRetryable: true });
              }
            },
          }),
    });
  }
  const unknown = (kind: 'query' | 'update', name: string, defined: Iterable<string>): never => {
    const error = new UnknownHandlerError(kind, name, definition.name, [...defined]);
    throw ApplicationFailure.create({ message: error.message, type: UNKNOWN_HANDLER_TYPE, nonRetryable: true });
  };
  setDefaultQueryHandler((queryName) => unknown('query', queryName, definition.queries.keys()));
  setDefaultUpdateHandler((updateName) => unknown('update', updateName, definition.updates.keys()));
}

/**
 * Makes the workflow function of a bundle over the given workflow modules. A worker's generated
 * bundle entry exports it as `default`, which Temporal runs for every workflow type.
 */
export function createWorkflowDispatcher(modules: readonly Record<string, unknown>[], config: WorkflowBundleConfig): (...args: unknown[]) => Promise<unknown> {
  let definitions: Map<string, WorkflowDefinition> | undefined;
  setEncodeFailures(config.encodeFailures === true);
  return async function mcpAgentWorkflow(...args: unknown[]): Promise<unknown> {
    definitions ??= collectWorkflowDefinitions(modules);
    const info = workflowInfo();
    const definition = definitions.get(info.workflowType);
    if (definition === undefined) {
      // Not a failure of the run: the workflow task fails and is tried again, so that during a
      // deploy a worker that has this workflow picks it up. The message shows in the run's history.
      throw new Error(`unknown workflow "${info.workflowType}"; this worker's bundle defines: ${[...definitions.keys()].sort().join(', ') || '(none)'}`);
    }
    const context = new TemporalWorkflowContext(definition, config);
    current = context;
    try {
      const instance = new definition.workflowClass() as object;
      bindWorkflowContext(instance, context);
      // Run first, then handlers: signals and updates that came with the first workflow task are
      // delivered when their handler is set, and must find the run begun, as on the in-process engine.
      const running = methodOf(instance, definition.runMethod)(args[0]);
      installHandlers(definition, instance, context);
      const value = await running;
      context.recordUsage();
      const result = WorkflowResult.from(value);
      result.startTime ??= info.runStartTime.getTime();
      result.endTime ??= Date.now();
      const data = result.toJSON();
      assertSerialisable(data, `result of workflow ${definition.name}`);
      return data;
    } catch (error) {
      context.recordUsage();
      throw runEnding(error, context);
    }
  };
}
