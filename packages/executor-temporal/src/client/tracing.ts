/**
 * Tracing of the client: `OpenTelemetryWorkflowClientInterceptor` on the engine's Temporal
 * client, so that starting, signalling and querying a workflow makes a span whose context the
 * workflow's spans continue. Node only.
 */
import { createRequire } from 'node:module';
import type { ClientOptions } from '@temporalio/client';
import type * as TemporalOtelClient from '@temporalio/interceptors-opentelemetry/lib/client/index.js';
import type { Tracing } from '../telemetry/tracing.js';

const require = createRequire(import.meta.url);

/** The client options that trace its workflow calls (none without tracing). */
export function clientTracingOptions(tracing: Tracing | undefined): Pick<ClientOptions, 'interceptors'> {
  if (tracing === undefined) return {};
  // Loaded only with tracing on (CommonJS, so synchronously).
  const { OpenTelemetryWorkflowClientInterceptor } = require('@temporalio/interceptors-opentelemetry/lib/client/index.js') as typeof TemporalOtelClient;
  return { interceptors: { workflow: [new OpenTelemetryWorkflowClientInterceptor({ tracer: tracing.tracer })] } };
}
