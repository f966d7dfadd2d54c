/**
 * The workflow side of telemetry, installed in a workflow bundle as its interceptors module when
 * the bundle may run traced (built ahead, or for a worker with `otel.enabled`): the outcome of each
 * run as a metric (see `outcomes.ts`), and with tracing on (`tracing` in the embedded config)
 * Temporal's OpenTelemetry workflow interceptors, whose spans leave the sandbox through the
 * worker's `exporter` sink. A bundle made for a worker with tracing off installs `outcomes.ts`
 * alone and carries no OpenTelemetry code. Safe for the workflow sandbox.
 */
import { interceptors as openTelemetryInterceptors } from '@temporalio/interceptors-opentelemetry/lib/workflow-interceptors.js';
import type { WorkflowInterceptors } from '@temporalio/workflow';
import type { WorkflowBundleConfig } from './embedded-config.js';
import { WorkflowOutcomeInterceptor } from './outcomes.js';

export { WORKFLOW_OUTCOMES_METRIC, type WorkflowOutcome } from './outcomes.js';

/**
 * The interceptors of a workflow run under the bundle's config. The bundle's generated
 * interceptors module calls it with the embedded config for every run.
 */
export function workflowTelemetryInterceptors(config: Pick<WorkflowBundleConfig, 'tracing'>): WorkflowInterceptors {
  const outcomes = new WorkflowOutcomeInterceptor();
  if (config.tracing !== true) return { inbound: [outcomes] };
  const tracing = openTelemetryInterceptors();
  return { inbound: [...(tracing.inbound ?? []), outcomes], outbound: tracing.outbound ?? [], internals: tracing.internals ?? [] };
}
