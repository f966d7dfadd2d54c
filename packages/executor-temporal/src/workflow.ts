// The sandbox-safe entry of @mcp-agent/executor-temporal: what a workflow bundle runs. A worker
// generates the bundle's entry module, which calls `createWorkflowDispatcher` over the app's
// workflow modules; workflow code itself imports from `@mcp-agent/core`, never from here.
export { collectWorkflowDefinitions, createWorkflowDispatcher, UNKNOWN_HANDLER_TYPE, UPDATE_REJECTED_TYPE } from './workflow/dispatcher.js';
export { TemporalWorkflowContext } from './workflow/context.js';
export { WORKFLOW_OUTCOMES_METRIC, workflowTelemetryInterceptors } from './workflow/telemetry.js';
export type { WorkflowOutcome } from './workflow/telemetry.js';
export type { WorkflowBundleConfig } from './workflow/embedded-config.js';
export { fromTemporalFailure, taskFailure, workflowFailure } from './failures.js';
