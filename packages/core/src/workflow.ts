// `@mcp-agent/core/workflow`: the user API that workflow code may import. Safe for Temporal's
// workflow sandbox: nothing here or below it imports `node:*`, does I/O, or reads the clock or
// randomness when loaded (everything it reaches lives in `src/sandbox/`).
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
} from './sandbox/errors.js';
export type { McpClientErrorCode, WorkflowApplicationErrorOptions } from './sandbox/errors.js';
export { Agent } from './sandbox/agent/agent.js';
export type { AgentFunctionTool, AgentOptions, AgentTool, AugmentedLLMClass } from './sandbox/agent/agent.js';
export { AugmentedLLM, workflowUsage } from './sandbox/llm/augmented-llm.js';
export type { AugmentedLLMOptions, GenerateResult, GenerateStopReason, RequestParams, StructuredSchema } from './sandbox/llm/augmented-llm.js';
export { usageNode } from './sandbox/llm/usage.js';
export { DEFAULT_MODELS, modelTable, rankModels, selectModel } from './sandbox/llm/model-table.js';
export type { ModelInfo, ModelPreferences, ModelRequirements, RankedModel } from './sandbox/llm/model-table.js';
export type { UsageNode, UsageReporter, UsageTotals } from './sandbox/llm/usage.js';
export { cosineSimilarity, embed } from './sandbox/llm/embedding.js';
export type { EmbeddingResponse, EmbedOptions } from './sandbox/llm/embedding.js';
export { HUMAN_INPUT_QUERY, HUMAN_INPUT_SIGNAL, humanInputTool, requestHumanInput } from './sandbox/human-input.js';
export type { HumanInputAsk, HumanInputHandler, HumanInputRequest, HumanInputResponse } from './sandbox/human-input.js';
export type { LlmMessage, LlmUsage } from './sandbox/llm/llm-types.js';
export type { McpContent, McpPromptResult, McpResourceResult, McpToolResult } from './sandbox/mcp/mcp-service.js';
export type { Duration } from './sandbox/duration.js';
export type { RetryPolicy } from './sandbox/retry.js';
export { workflow, workflowQuery, workflowRun, workflowSignal, workflowTask, workflowUpdate } from './sandbox/model/definitions.js';
export type {
  FunctionTaskOptions,
  HandlerOptions,
  TaskFunction,
  TaskOptions,
  UpdateOptions,
  UpdateValidator,
  WorkflowClass,
  WorkflowOptions,
} from './sandbox/model/definitions.js';
export type { AppPromptOptions, AppResourceOptions, AppToolOptions } from './sandbox/app-base.js';
export type { AppPromptArgument, AppPromptMessage, AppPromptResult, AppResourceContents, ToolAnnotations, ToolObjectSchema } from './sandbox/model/registry.js';
export { Workflow, workflowNameOf } from './sandbox/model/workflow.js';
export type { WorkflowValueOf } from './sandbox/model/workflow.js';
export { WorkflowResult } from './sandbox/model/workflow-result.js';
export type { WorkflowResultData } from './sandbox/model/workflow-result.js';
export { TASK_QUEUES_MEMO_KEY } from './sandbox/model/workflow-context.js';
export type { ChildWorkflowHandle, ChildWorkflowOptions, TaskCallOptions, TaskQueueRoute, WorkflowInfo } from './sandbox/model/workflow-context.js';
export type {
  Executor,
  HandlerArgsOf,
  HandlerNameOf,
  HandlerResultOf,
  IdReusePolicy,
  SignalArgsOf,
  ListWorkflowsOptions,
  StartWorkflowOptions,
  WorkflowDescription,
  WorkflowHandle,
  WorkflowInputOf,
  WorkflowStatus,
} from './sandbox/executor.js';
export type { AppServices, ServicesOwner } from './sandbox/services.js';
