// The Node entry of @mcp-agent/core: everything in `./workflow`, plus config, MCPApp, engines,
// the task context and the logger.
export {
  CancelledError,
  ChildWorkflowFailedError,
  ConfigError,
  errorTypeOf,
  isCancellation,
  MCPAgentError,
  McpClientError,
  messageOf,
  TaskFailedError,
  TimeoutError,
  UnknownHandlerError,
  UnknownTaskError,
  UnknownWorkflowError,
  UpdateRejectedError,
  WorkflowAlreadyStartedError,
  WorkflowApplicationError,
  WorkflowFailedError,
  WorkflowNotFoundError,
  WorkflowUsageError,
} from './errors.js';
export type { MCPAgentErrorOptions, McpClientErrorCode, WorkflowApplicationErrorOptions } from './errors.js';
export { MCP_TASK_NAMES } from './mcp/mcp-service.js';
export { NAMESPACE_SEPARATOR, namespacedName, NamespacedIndex } from './mcp/tool-index.js';
export { ambientMcpService, pushAmbientMcpService } from './mcp/mcp-tasks.js';
export { Agent } from './agent/agent.js';
export { AugmentedLLM, workflowUsage } from './llm/augmented-llm.js';
export type { AugmentedLLMOptions, GenerateResult, GenerateStopReason, RequestParams, StructuredSchema, UsageTotals } from './llm/augmented-llm.js';
export { llmTaskName } from './llm/llm-types.js';
export type {
  LlmContentPart,
  LlmMessage,
  LlmRequest,
  LlmResponse,
  LlmStopReason,
  LlmToolCall,
  LlmToolDefinition,
  LlmUsage,
} from './llm/llm-types.js';
export { ambientLlmProvider, pushAmbientLlmProviders } from './llm/llm-provider.js';
export type { LlmProvider, LlmProviderContext } from './llm/llm-provider.js';
export type { AgentFunctionTool, AgentOptions, AgentTool, AugmentedLLMClass } from './agent/agent.js';
export type { IndexedItem } from './mcp/tool-index.js';
export type {
  McpCallToolRequest,
  McpContent,
  McpPromptDescriptor,
  McpPromptResult,
  McpResourceDescriptor,
  McpResourceResult,
  McpService,
  McpToolDescriptor,
  McpToolResult,
} from './mcp/mcp-service.js';
export { toMilliseconds } from './duration.js';
export { DEFAULT_TASK_ATTEMPT_TIMEOUT_MS, resolveTaskTimeouts } from './task-timeouts.js';
export type { ResolvedTaskTimeouts } from './task-timeouts.js';
export type { Duration } from './duration.js';
export {
  DEFAULT_RETRY_POLICY,
  matchRetryPolicy,
  nextRetryDelay,
  requestedRetryDelay,
  resolveRetryPolicy,
  retryAfterMilliseconds,
  retryDelay,
  retryPolicyFromConfig,
  shouldRetry,
  taskRetryPolicy,
} from './retry.js';
export type { ResolvedRetryPolicy, RetryPolicy, RetryPolicyMatchRule, RetrySettings } from './retry.js';
export {
  createTaskFunction,
  createWorkflowDecorator,
  defineWorkflow,
  getTaskDefinition,
  getWorkflowDefinition,
  workflow,
  workflowQuery,
  workflowRun,
  workflowSignal,
  workflowTask,
  workflowUpdate,
} from './model/definitions.js';
export type {
  FunctionTaskOptions,
  HandlerOptions,
  TaskDefinition,
  TaskFunction,
  TaskOptions,
  UpdateOptions,
  UpdateValidator,
  WorkflowClass,
  WorkflowDecorator,
  WorkflowDefinition,
  WorkflowOptions,
  WorkflowTaskDecorator,
} from './model/definitions.js';
export { bindWorkflowContext, Workflow, workflowNameOf } from './model/workflow.js';
export type { TaskReference, WorkflowReference, WorkflowValueOf } from './model/workflow.js';
export { WorkflowResult } from './model/workflow-result.js';
export type { WorkflowResultData } from './model/workflow-result.js';
export { addWorkflowContextProvider, currentWorkflowContext } from './model/workflow-context.js';
export type { ChildWorkflowHandle, ChildWorkflowOptions, TaskCallOptions, WorkflowContext, WorkflowInfo } from './model/workflow-context.js';
export { WorkflowRegistry } from './model/registry.js';
export { ID_REUSE_POLICIES } from './executor.js';
export type {
  Executor,
  IdReusePolicy,
  ListWorkflowsOptions,
  Signal,
  SignalBus,
  StartWorkflowOptions,
  TargetRunOptions,
  WorkflowDescription,
  WorkflowHandle,
  WorkflowInputOf,
  WorkflowStatus,
} from './executor.js';
export { MCPApp, runMain } from './app.js';
export { MCPAppBase } from './app-base.js';
export type { AppContext, MCPAppOptions } from './app.js';
export {
  ENGINE_PACKAGES,
  installedPackageVersion,
  LLM_PROVIDER_PACKAGES,
  loadExecutionEngine,
  loadInstalledLlmProviders,
  SOURCE_CONDITION,
  sourceConditionActive,
} from './engine.js';
export { createLlmTaskDefinition } from './llm/llm-tasks.js';
export { createMcpTaskDefinitions } from './mcp/mcp-task-definitions.js';
export type { CreateExecutorOptions, ExecutionEngine } from './engine.js';
export { currentTaskContext, runInTaskContext, taskContext } from './task-context.js';
export type { TaskContext } from './task-context.js';
export { createLogger } from './logger.js';
export type { LogLevel, LoggerOptions, LogRecord, Logger } from './logger.js';
export { secondsOrDurationToMilliseconds } from './duration.js';
export {
  DataConverterConfigSchema,
  DurationSchema,
  LoggerSettingsSchema,
  McpServerConfigSchema,
  McpSettingsSchema,
  OtelSettingsSchema,
  OtlpSettingsSchema,
  ProviderSettingsSchema,
  RetryPolicyConfigSchema,
  SettingsSchema,
  TemporalMetricsConfigSchema,
  TemporalSettingsSchema,
  TemporalTlsConfigSchema,
} from './config/schema.js';
export type {
  DataConverterConfig,
  DurationSetting,
  ExecutionEngineName,
  LoggerSettings,
  McpServerConfig,
  McpSettings,
  OtelSettings,
  ProviderSettings,
  RetryPolicyConfig,
  Settings,
  SettingsInput,
  TemporalMetricsConfig,
  TemporalSettings,
  TemporalTlsConfig,
} from './config/schema.js';
export { findConfigFile, loadSettings, parseSettings } from './config/load.js';
export type { LoadedSettings, LoadSettingsOptions } from './config/load.js';
