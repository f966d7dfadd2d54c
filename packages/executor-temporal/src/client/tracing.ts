/**
 * Tracing of the client: `OpenTelemetryWorkflowClientInterceptor` on the engine's Temporal
 * client, so that starting, signalling and querying a workflow makes a span whose context the
 * workflow's spans continue. Node only.
 */
import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry/lib/client/index.js';
import type { ClientOptions } from '@temporalio/client';
import type { Tracing } from '../telemetry/tracing.js';

/** The client options that trace its workflow calls (none without tracing). */
export function clientTracingOptions(tracing: Tracing | undefined): Pick<ClientOptions, 'interceptors'> {
  if (tracing === undefined) return {};
  return { interceptors: { workflow: [new OpenTelemetryWorkflowClientInterceptor({ tracer: tracing.tracer })] } };
}
