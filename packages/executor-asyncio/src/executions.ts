/**
 * The executions an in-process executor knows, by workflow id: which a new start may replace or
 * must not, which runs an operation targets, and how many closed ones are kept.
 */
import {
  WorkflowAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUsageError,
  type IdReusePolicy,
  type ListWorkflowsOptions,
  type WorkflowDescription,
  type WorkflowStatus,
} from '@mcp-agent/core';
import { ID_REUSE_POLICIES } from '@mcp-agent/core/engine';
import type { Execution, WorkflowRun } from './workflow-run.js';

const FAILED_STATUSES: readonly WorkflowStatus[] = ['FAILED', 'CANCELLED', 'TERMINATED', 'TIMED_OUT'];

/**
 * The id reuse policy a start runs under: the one given, else `allow_duplicate`.
 * @throws WorkflowUsageError for anything that is not a policy
 */
export function idReusePolicyOf(requested: IdReusePolicy | undefined): IdReusePolicy {
  const policy: IdReusePolicy = requested ?? 'allow_duplicate';
  if (!ID_REUSE_POLICIES.includes(policy)) {
    throw new WorkflowUsageError(`idReusePolicy: expected one of ${ID_REUSE_POLICIES.join(', ')}, got ${JSON.stringify(policy)}`);
  }
  return policy;
}

/** What a start under an id reuse policy does: start, terminate the running execution first, or refuse. */
export type IdReuseDecision = 'start' | 'terminate_running' | 'refuse_running' | 'refuse_reused' | 'refuse_not_failed';

/**
 * The id reuse decision for a start, given the status of the id's latest execution: `RUNNING`
 * while it runs, how it closed once it has, undefined when the id has none (or it was forgotten).
 */
export function idReuseDecision(policy: IdReusePolicy, latest: WorkflowStatus | undefined): IdReuseDecision {
  if (latest === undefined) return 'start';
  if (latest === 'RUNNING') return policy === 'terminate_if_running' ? 'terminate_running' : 'refuse_running';
  if (policy === 'reject_duplicate') return 'refuse_reused';
  if (policy === 'allow_duplicate_failed_only' && !FAILED_STATUSES.includes(latest)) return 'refuse_not_failed';
  return 'start';
}

/**
 * Executions by workflow id, oldest first. Closed ones are kept for describe, list, query and id
 * reuse checks up to a limit, the oldest forgotten first; of each `continueAsNew` chain, the
 * newest runs are kept.
 */
export class Executions {
  readonly #byId = new Map<string, Execution[]>();
  readonly #closedOrder: Execution[] = [];
  readonly #retainClosed: number;
  readonly #retainRuns: number;

  /**
   * @param retainClosed closed executions kept at the most
   * @param retainRuns runs kept of each execution at the most (its running one always is)
   */
  constructor(retainClosed: number, retainRuns: number) {
    this.#retainClosed = retainClosed;
    this.#retainRuns = retainRuns;
  }

  /**
   * Checks a start of `workflowName` under `workflowId` against the id's latest execution.
   * @returns the running execution the new one replaces (terminate it first), if any
   * @throws WorkflowAlreadyStartedError when the policy refuses the id
   */
  admit(workflowId: string, workflowName: string, policy: IdReusePolicy): Execution | undefined {
    const previous = this.#byId.get(workflowId)?.at(-1);
    if (previous === undefined) return undefined;
    switch (idReuseDecision(policy, previous.closedStatus ?? 'RUNNING')) {
      case 'start':
        return undefined;
      case 'terminate_running':
        return previous;
      case 'refuse_running':
        throw new WorkflowAlreadyStartedError(
          `workflow id "${workflowId}" is already running (${previous.definition.name}, run ${previous.current.info.runId}); ` +
            'wait for it, choose another id, or start with idReusePolicy "terminate_if_running"',
          workflowId,
          workflowName,
        );
      case 'refuse_reused':
        throw new WorkflowAlreadyStartedError(
          `workflow id "${workflowId}" was used before (last run ${previous.closedStatus}) and the id reuse policy is reject_duplicate; choose another id`,
          workflowId,
          workflowName,
        );
      case 'refuse_not_failed':
        throw new WorkflowAlreadyStartedError(
          `workflow id "${workflowId}" last ran to ${previous.closedStatus} and the id reuse policy is allow_duplicate_failed_only, which allows a new run only after a failure`,
          workflowId,
          workflowName,
        );
    }
  }

  /** Adds a new execution as the latest of its workflow id. */
  add(execution: Execution): void {
    const list = this.#byId.get(execution.workflowId) ?? [];
    list.push(execution);
    this.#byId.set(execution.workflowId, list);
  }

  /** Adds a run as the execution's current one, forgetting its oldest closed runs beyond the limit. */
  addRun(execution: Execution, run: WorkflowRun): void {
    execution.runs.push(run);
    while (execution.runs.length > this.#retainRuns && execution.runs[0]?.closed === true) execution.runs.shift();
  }

  /** Records that an execution closed, forgetting the oldest closed ones beyond the limit. */
  closed(execution: Execution): void {
    this.#closedOrder.push(execution);
    while (this.#closedOrder.length > this.#retainClosed) {
      const forgotten = this.#closedOrder.shift() as Execution;
      const list = this.#byId.get(forgotten.workflowId);
      const index = list?.indexOf(forgotten) ?? -1;
      if (list !== undefined && index >= 0) list.splice(index, 1);
      if (list?.length === 0) this.#byId.delete(forgotten.workflowId);
    }
  }

  /** Whether the execution is still known (not forgotten). */
  has(execution: Execution): boolean {
    return this.#byId.get(execution.workflowId)?.includes(execution) === true;
  }

  /** @throws WorkflowNotFoundError when the id has no execution */
  latest(workflowId: string): Execution {
    const execution = this.#byId.get(workflowId)?.at(-1);
    if (execution === undefined) throw new WorkflowNotFoundError(`no workflow with id "${workflowId}"`, workflowId);
    return execution;
  }

  /**
   * The run an operation targets: the given run id, or the current run of the latest execution.
   * @throws WorkflowNotFoundError when there is no such run, or it is not a `workflowName`
   */
  findRun(workflowId: string, runId: string | undefined, workflowName?: string): WorkflowRun {
    const executions = this.#byId.get(workflowId);
    if (executions === undefined || executions.length === 0) {
      throw new WorkflowNotFoundError(`no workflow with id "${workflowId}"`, workflowId, runId);
    }
    let run: WorkflowRun | undefined;
    if (runId === undefined) {
      run = (executions.at(-1) as Execution).current;
    } else {
      for (const execution of executions) {
        run = execution.runs.find((candidate) => candidate.info.runId === runId);
        if (run !== undefined) break;
      }
      if (run === undefined) throw new WorkflowNotFoundError(`workflow "${workflowId}" has no run "${runId}"`, workflowId, runId);
    }
    if (workflowName !== undefined && run.info.workflowName !== workflowName) {
      throw new WorkflowNotFoundError(`workflow "${workflowId}" is a ${run.info.workflowName}, not a ${workflowName}`, workflowId, runId);
    }
    return run;
  }

  /** @throws WorkflowNotFoundError as {@link findRun} does */
  describe(workflowId: string, runId: string | undefined): WorkflowDescription {
    return this.findRun(workflowId, runId).describe();
  }

  /** The kept runs that match the filter, newest first. */
  list(options: Pick<ListWorkflowsOptions, 'workflowName' | 'status' | 'limit'>): WorkflowDescription[] {
    const runs: WorkflowDescription[] = [];
    for (const executions of this.#byId.values()) {
      for (const execution of executions) {
        for (const run of execution.runs) {
          if (options.workflowName !== undefined && run.info.workflowName !== options.workflowName) continue;
          if (options.status !== undefined && run.status !== options.status) continue;
          runs.push(run.describe());
        }
      }
    }
    runs.sort((a, b) => b.startTime.getTime() - a.startTime.getTime());
    return options.limit === undefined ? runs : runs.slice(0, options.limit);
  }

  /** The executions still running, each checked as it is reached, so the caller may close them on the way. */
  *running(): Generator<Execution> {
    for (const executions of this.#byId.values()) {
      for (const execution of executions) {
        if (execution.closedStatus === undefined) yield execution;
      }
    }
  }
}
