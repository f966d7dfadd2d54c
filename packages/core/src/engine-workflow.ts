// `@mcp-agent/core/engine/workflow`: what engines and model providers need inside Temporal's
// workflow sandbox (workflow contexts, task resolution, retry rules, the model and MCP wire
// types). Safe for the sandbox, as `./workflow` is. Not for application code.
export { MCPAppBase } from './sandbox/app-base.js';
export type { MCPAgentErrorOptions } from './sandbox/errors.js';
export { ID_REUSE_POLICIES } from './sandbox/executor.js';
export type { Signal, SignalBus, TargetRunOptions } from './sandbox/executor.js';
export { secondsOrDurationToMilliseconds, toMilliseconds } from './sandbox/duration.js';
export { DEFAULT_TASK_ATTEMPT_TIMEOUT_MS, resolveTaskTimeouts } from './sandbox/task-timeouts.js';
export type { ResolvedTaskTimeouts } from './sandbox/task-timeouts.js';
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
} from './sandbox/retry.js';
export type { ResolvedRetryPolicy, RetryPolicyMatchRule, RetrySettings } from './sandbox/retry.js';
export { createTaskFunction, createWorkflowDecorator, defineWorkflow, getTaskDefinition, getWorkflowDefinition } from './sandbox/model/definitions.js';
export type { TaskDefinition, WorkflowDecorator, WorkflowDefinition, WorkflowTaskDecorator } from './sandbox/model/definitions.js';
export { bindWorkflowContext } from './sandbox/model/workflow.js';
export type { TaskReference, WorkflowReference } from './sandbox/model/workflow.js';
export { addWorkflowContextProvider, currentWorkflowContext } from './sandbox/model/workflow-context.js';
export type { WorkflowContext } from './sandbox/model/workflow-context.js';
export { WorkflowRegistry } from './sandbox/model/registry.js';
export type { AppPromptDefinition, AppResourceDefinition, AppToolDefinition } from './sandbox/model/registry.js';
export { currentAppServices, llmProviderOf, setAppServicesResolver } from './sandbox/services.js';
export type { TaskMap } from './sandbox/services.js';
export { llmTaskName } from './sandbox/llm/llm-types.js';
export type { LlmContentPart, LlmRequest, LlmResponse, LlmStopReason, LlmToolCall, LlmToolDefinition } from './sandbox/llm/llm-types.js';
export type { LlmProvider, LlmProviderContext } from './sandbox/llm/llm-provider.js';
export { embeddingProviderOf, embeddingTaskName } from './sandbox/llm/embedding.js';
export type { EmbeddingProvider, EmbeddingRequest, EmbeddingResponse } from './sandbox/llm/embedding.js';
export { costOf, DEFAULT_MODEL_PRICES, modelPrice } from './sandbox/llm/model-prices.js';
export type { ModelPrice } from './sandbox/llm/model-prices.js';
export { requestedModel } from './sandbox/llm/model-table.js';
export { httpErrorType, isRetryableHttpStatus, redactApiKey } from './sandbox/llm/provider-errors.js';
export { workflowUsageOf } from './sandbox/llm/augmented-llm.js';
export type { ModelConfigEntry } from './sandbox/llm/model-table.js';
export { addUsage, emptyUsage, roundCost } from './sandbox/llm/usage.js';
export { deliverHumanInput, HUMAN_INPUT_TASK, pendingHumanInput } from './sandbox/human-input.js';
export { fillUriTemplate, MCP_TASK_NAMES, toolListFingerprint } from './sandbox/mcp/mcp-service.js';
export type {
  McpCallToolRequest,
  McpCompleteRequest,
  McpCompletionReference,
  McpCompletionResult,
  McpListVersions,
  McpProgress,
  McpPromptDescriptor,
  McpResourceDescriptor,
  McpResourceTemplateDescriptor,
  McpService,
  McpToolDescriptor,
} from './sandbox/mcp/mcp-service.js';
export { NAMESPACE_SEPARATOR, namespacedName, NamespacedIndex } from './sandbox/mcp/tool-index.js';
export type { IndexedItem } from './sandbox/mcp/tool-index.js';
