/**
 * The outcome of each workflow run as a metric (`mcp_agent_workflow_outcomes`, by workflow type
 * and outcome): the workflow interceptor every bundle installs. Without OpenTelemetry, so that a
 * bundle made for a worker with tracing off carries none of it. Safe for the workflow sandbox.
 *
 * The metric goes through the workflow `metricMeter`, which Temporal does not call while
 * replaying: a run's outcome is counted once, when its code ends, not again when a worker
 * replays its history.
 */
import {
  CancelledFailure,
  ContinueAsNew,
  metricMeter,
  TemporalFailure,
  type Next,
  type WorkflowExecuteInput,
  type WorkflowInboundCallsInterceptor,
  type WorkflowInterceptors,
} from '@temporalio/workflow';

/** How a run ended, as the metric labels it. */
export type WorkflowOutcome = 'completed' | 'failed' | 'cancelled' | 'continued_as_new';

/** The name of the metric of run outcomes. */
export const WORKFLOW_OUTCOMES_METRIC = 'mcp_agent_workflow_outcomes';

/** The outcome of an error the workflow function threw, or undefined when it fails the workflow task (retried), not the run. */
function outcomeOf(error: unknown): WorkflowOutcome | undefined {
  if (error instanceof ContinueAsNew) return 'continued_as_new';
  if (error instanceof CancelledFailure) return 'cancelled';
  if (error instanceof TemporalFailure) return 'failed';
  return undefined;
}

function record(outcome: WorkflowOutcome): void {
  // Temporal adds the labels workflowType, namespace and taskQueue.
  metricMeter.createCounter(WORKFLOW_OUTCOMES_METRIC, 'runs', 'Workflow runs by how they ended (completed, failed, cancelled, continued_as_new)').add(1, { outcome });
}

/** Counts how each run ends. */
export class WorkflowOutcomeInterceptor implements WorkflowInboundCallsInterceptor {
  async execute(input: WorkflowExecuteInput, next: Next<WorkflowInboundCallsInterceptor, 'execute'>): Promise<unknown> {
    let value: unknown;
    try {
      value = await next(input);
    } catch (error) {
      const outcome = outcomeOf(error);
      if (outcome !== undefined) record(outcome);
      throw error;
    }
    record('completed');
    return value;
  }
}

/**
 * The interceptors of a run without tracing: the outcome metric alone. The generated interceptors
 * module of a bundle made for a worker with tracing off calls it for every run.
 */
export function workflowOutcomeInterceptors(): WorkflowInterceptors {
  return { inbound: [new WorkflowOutcomeInterceptor()] };
}
