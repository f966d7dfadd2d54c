// The Node entry of @mcp-agent/executor-temporal: the engine, the client executor and the worker.
export {
  DataConverterConfigSchema,
  givenConnectionKeys,
  PreviousKeySchema,
  TemporalMetricsConfigSchema,
  TemporalSettingsSchema,
  TemporalTlsConfigSchema,
  withTemporalAddress,
  withTemporalSection,
} from './config.js';
export type { DataConverterConfig, TemporalConnectionKey, TemporalMetricsConfig, TemporalSettings, TemporalTlsConfig } from './config.js';
export { createTemporalEngine, executionEngine } from './engine.js';
export type { TemporalEngineOptions } from './engine.js';
export { TemporalExecutor } from './client/temporal-executor.js';
export { connectTemporalClient } from './client/connect.js';
export type { ServedTasks, ServeTasksOptions, TemporalExecutorParts } from './client/temporal-executor.js';
export { connectionSettings, probeTls, resolveConnection, TemporalAuthError, TemporalUnreachableError, tlsProblemOf } from './connection-options.js';
export type { ConnectionEnvironment, ConnectionSources, ConnectionValueName, ResolvedConnection, TemporalConnectionSettings } from './connection-options.js';
export {
  bundleWorkflowsForApp,
  bundleWorkflowsForParts,
  createTemporalWorker,
  createTemporalWorkerForApp,
  workerTasks,
  workflowBundleConfig,
} from './worker/worker.js';
export type { PrebuiltWorkflowBundle, TemporalWorkerOptions, TemporalWorkerParts } from './worker/worker.js';
export {
  fetchWorkflowHistory,
  readWorkflowHistory,
  ReplayFailedError,
  replayWorkflowHistories,
  saveWorkflowHistory,
  UnknownWorkflowTypeError,
  workflowHistoryJson,
  workflowTypeOf,
} from './worker/replay.js';
export type { WorkflowHistory } from './worker/replay.js';
export { BUNDLE_CONFIG_PLACEHOLDER, bundleWorkflows, withBundleConfig, WorkflowBundleError, WORKFLOW_CONDITION } from './worker/bundle.js';
export type { BundleWorkflowsOptions } from './worker/bundle.js';
export { PREBUILT_BUNDLE_FILE_PATTERN, PREBUILT_MANIFEST_FILE, prebuiltBundleFileName } from './worker/prebuilt-manifest.js';
export type { PrebuiltBundleManifest } from './worker/prebuilt-manifest.js';
export { findPrebuiltBundle } from './worker/prebuilt.js';
export { fromTemporalFailure, taskFailure, workflowFailure } from './failures.js';
export { clientDataConverter, encryptionCodecFromSettings, workerDataConverter } from './codec/data-converter.js';
export {
  COMPRESSION_METADATA,
  deriveKeyId,
  EncryptionCodec,
  ENCRYPTED_ENCODING,
  KEY_ID_METADATA,
  parseEncryptionKey,
  PayloadDecryptionError,
} from './codec/encryption-codec.js';
export type { EncryptionCodecOptions, EncryptionKey } from './codec/encryption-codec.js';
export { DEFAULT_CODEC_SERVER_PORT, startCodecServer, startCodecServerFromSettings } from './codec/codec-server.js';
export type { CodecServer, CodecServerOptions } from './codec/codec-server.js';
export { createTracing, TRACER_NAME } from './telemetry/tracing.js';
export type { Tracing, TracingOptions } from './telemetry/tracing.js';
export { METRIC_NAMES, SPAN_NAMES } from './worker/telemetry.js';
export { installRuntime, MCP_AGENT_HISTOGRAM_BUCKETS, metricsExporterConfig, runtimeOptions } from './worker/runtime.js';
export { McpAgentPlugin } from './worker/plugin.js';
export type { McpAgentPluginOptions } from './worker/plugin.js';
export {
  MCP_AGENT_SEARCH_ATTRIBUTES,
  TOTAL_TOKENS_SEARCH_ATTRIBUTE,
  USAGE_MEMO_KEY,
  WORKFLOW_MEMO_KEY,
  WORKFLOW_SEARCH_ATTRIBUTE,
} from './run-metadata.js';
export type { RunUsage } from './run-metadata.js';
