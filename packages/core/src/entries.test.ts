// Pins the names each entry of @mcp-agent/core exports, values and types alike, so that a name
// added to (or dropped from) the public surface is a decision made in review, not an accident.
// Which entry a name belongs in: docs/decisions/0018-services-assembled-by-the-app-and-core-in-layers.md.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const SOURCE_DIRECTORY = path.dirname(fileURLToPath(import.meta.url));

/** The names an entry file exports, with ` (type)` after those that exist only as types. */
function exportedNames(entries: readonly string[]): Map<string, string[]> {
  const files = entries.map((entry) => path.join(SOURCE_DIRECTORY, entry));
  const program = ts.createProgram(files, {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    strict: true,
    noEmit: true,
  });
  const checker = program.getTypeChecker();
  const result = new Map<string, string[]>();
  for (const [index, file] of files.entries()) {
    const source = program.getSourceFile(file);
    const symbol = source === undefined ? undefined : checker.getSymbolAtLocation(source);
    if (symbol === undefined) throw new Error(`cannot read the exports of ${file}`);
    const names = checker.getExportsOfModule(symbol).map((exported) => {
      const target = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
      return target.flags & ts.SymbolFlags.Value ? exported.name : `${exported.name} (type)`;
    });
    result.set(entries[index] as string, names.sort());
  }
  return result;
}

const names = exportedNames(['workflow.ts', 'index.ts', 'index.sandbox.ts', 'engine-workflow.ts', 'engine.ts', 'config/index.ts']);
const of = (entry: string): string[] => names.get(entry) ?? [];
const without = (list: string[], others: string[]): string[] => list.filter((name) => !others.includes(name));

describe('the entries of @mcp-agent/core', () => {
  it('@mcp-agent/core/workflow: the user API for workflow code', () => {
    expect(of('workflow.ts')).toEqual(WORKFLOW);
  });

  it('@mcp-agent/core: the workflow API plus the app, the task context and the logger', () => {
    expect(without(of('index.ts'), WORKFLOW)).toEqual(NODE_ONLY);
  });

  it('the sandbox stand-in of @mcp-agent/core has the same names', () => {
    expect(of('index.sandbox.ts').map((name) => name.replace(' (type)', ''))).toEqual(expect.arrayContaining(of('index.ts').map((name) => name.replace(' (type)', ''))));
  });

  it('@mcp-agent/core/engine/workflow: the sandbox-safe engine interface', () => {
    expect(of('engine-workflow.ts')).toEqual(ENGINE_WORKFLOW);
  });

  it('@mcp-agent/core/engine: the engine interface plus loading, services and the task context', () => {
    expect(without(of('engine.ts'), ENGINE_WORKFLOW)).toEqual(ENGINE_NODE_ONLY);
  });

  it('@mcp-agent/core/config: schemas, types and loading', () => {
    expect(of('config/index.ts')).toEqual(CONFIG);
  });

  it('keeps the user API to tens of names, apart from the errors', () => {
    expect(of('index.ts').filter((name) => !name.endsWith('Error') && !name.endsWith('(type)')).length).toBeLessThan(40);
  });
});

const WORKFLOW: string[] = [
  'Agent',
  'AgentFunctionTool (type)',
  'AgentOptions (type)',
  'AgentTool (type)',
  'AppPromptArgument (type)',
  'AppPromptMessage (type)',
  'AppPromptOptions (type)',
  'AppPromptResult (type)',
  'AppResourceContents (type)',
  'AppResourceOptions (type)',
  'AppServices (type)',
  'AppToolOptions (type)',
  'AugmentedLLM',
  'AugmentedLLMClass (type)',
  'AugmentedLLMOptions (type)',
  'CancelledError',
  'ChildWorkflowFailedError',
  'ChildWorkflowHandle (type)',
  'ChildWorkflowOptions (type)',
  'ConfigError',
  'Duration (type)',
  'EmbedOptions (type)',
  'EmbeddingResponse (type)',
  'Executor (type)',
  'FunctionTaskOptions (type)',
  'GenerateResult (type)',
  'GenerateStopReason (type)',
  'HUMAN_INPUT_QUERY',
  'HUMAN_INPUT_SIGNAL',
  'HandlerArgsOf (type)',
  'HandlerNameOf (type)',
  'HandlerOptions (type)',
  'HandlerResultOf (type)',
  'HumanInputAsk (type)',
  'HumanInputHandler (type)',
  'HumanInputRequest (type)',
  'HumanInputResponse (type)',
  'IdReusePolicy (type)',
  'ListWorkflowsOptions (type)',
  'LlmMessage (type)',
  'LlmUsage (type)',
  'MCPAgentError',
  'McpClientError',
  'McpClientErrorCode (type)',
  'McpContent (type)',
  'McpPromptResult (type)',
  'McpResourceResult (type)',
  'McpToolResult (type)',
  'RequestParams (type)',
  'RetryPolicy (type)',
  'ServicesOwner (type)',
  'SignalArgsOf (type)',
  'StartWorkflowOptions (type)',
  'StructuredSchema (type)',
  'TASK_QUEUES_MEMO_KEY',
  'TaskCallOptions (type)',
  'TaskFailedError',
  'TaskFunction (type)',
  'TaskOptions (type)',
  'TaskQueueRoute (type)',
  'TimeoutError',
  'ToolAnnotations (type)',
  'ToolObjectSchema (type)',
  'UnknownHandlerError',
  'UnknownTaskError',
  'UnknownWorkflowError',
  'UpdateOptions (type)',
  'UpdateRejectedError',
  'UpdateValidator (type)',
  'UsageNode (type)',
  'UsageReporter (type)',
  'UsageTotals (type)',
  'Workflow',
  'WorkflowAlreadyStartedError',
  'WorkflowApplicationError',
  'WorkflowApplicationErrorOptions (type)',
  'WorkflowClass (type)',
  'WorkflowDescription (type)',
  'WorkflowFailedError',
  'WorkflowHandle (type)',
  'WorkflowInfo (type)',
  'WorkflowInputOf (type)',
  'WorkflowNotFoundError',
  'WorkflowOptions (type)',
  'WorkflowResult',
  'WorkflowResultData (type)',
  'WorkflowStatus (type)',
  'WorkflowUsageError',
  'WorkflowValueOf (type)',
  'cosineSimilarity',
  'embed',
  'errorTypeOf',
  'humanInputTool',
  'isCancellation',
  'messageOf',
  'requestHumanInput',
  'usageNode',
  'workflow',
  'workflowNameOf',
  'workflowQuery',
  'workflowRun',
  'workflowSignal',
  'workflowTask',
  'workflowUpdate',
  'workflowUsage',
];
const NODE_ONLY: string[] = [
  'AppContext (type)',
  'LogLevel (type)',
  'LogRecord (type)',
  'Logger (type)',
  'LoggerOptions (type)',
  'MCPApp',
  'MCPAppOptions (type)',
  'TaskContext (type)',
  'createLogger',
  'runMain',
  'taskContext',
];
const ENGINE_WORKFLOW: string[] = [
  'AppPromptDefinition (type)',
  'AppResourceDefinition (type)',
  'AppToolDefinition (type)',
  'DEFAULT_MODEL_PRICES',
  'DEFAULT_RETRY_POLICY',
  'DEFAULT_TASK_ATTEMPT_TIMEOUT_MS',
  'EmbeddingProvider (type)',
  'EmbeddingRequest (type)',
  'EmbeddingResponse (type)',
  'HUMAN_INPUT_TASK',
  'ID_REUSE_POLICIES',
  'IndexedItem (type)',
  'LlmContentPart (type)',
  'LlmProvider (type)',
  'LlmProviderContext (type)',
  'LlmRequest (type)',
  'LlmResponse (type)',
  'LlmStopReason (type)',
  'LlmToolCall (type)',
  'LlmToolDefinition (type)',
  'MCPAgentErrorOptions (type)',
  'MCPAppBase',
  'MCP_TASK_NAMES',
  'McpCallToolRequest (type)',
  'McpCompleteRequest (type)',
  'McpCompletionReference (type)',
  'McpCompletionResult (type)',
  'McpListVersions (type)',
  'McpProgress (type)',
  'McpPromptDescriptor (type)',
  'McpResourceDescriptor (type)',
  'McpResourceTemplateDescriptor (type)',
  'McpService (type)',
  'McpToolDescriptor (type)',
  'ModelPrice (type)',
  'NAMESPACE_SEPARATOR',
  'NamespacedIndex',
  'ResolvedRetryPolicy (type)',
  'ResolvedTaskTimeouts (type)',
  'RetryPolicyMatchRule (type)',
  'RetrySettings (type)',
  'Signal (type)',
  'SignalBus (type)',
  'TargetRunOptions (type)',
  'TaskDefinition (type)',
  'TaskMap (type)',
  'TaskReference (type)',
  'WorkflowContext (type)',
  'WorkflowDecorator (type)',
  'WorkflowDefinition (type)',
  'WorkflowReference (type)',
  'WorkflowRegistry',
  'WorkflowTaskDecorator (type)',
  'addUsage',
  'addWorkflowContextProvider',
  'bindWorkflowContext',
  'costOf',
  'createTaskFunction',
  'createWorkflowDecorator',
  'currentAppServices',
  'currentWorkflowContext',
  'defineWorkflow',
  'deliverHumanInput',
  'embeddingProviderOf',
  'embeddingTaskName',
  'emptyUsage',
  'fillUriTemplate',
  'getTaskDefinition',
  'getWorkflowDefinition',
  'llmProviderOf',
  'llmTaskName',
  'matchRetryPolicy',
  'modelPrice',
  'namespacedName',
  'nextRetryDelay',
  'pendingHumanInput',
  'requestedRetryDelay',
  'resolveRetryPolicy',
  'resolveTaskTimeouts',
  'retryAfterMilliseconds',
  'retryDelay',
  'retryPolicyFromConfig',
  'roundCost',
  'secondsOrDurationToMilliseconds',
  'setAppServicesResolver',
  'shouldRetry',
  'taskRetryPolicy',
  'toMilliseconds',
  'toolListFingerprint',
];
const ENGINE_NODE_ONLY: string[] = [
  'AppDirectories (type)',
  'CONFIG_SECTION_PACKAGES',
  'CreateAppServicesOptions (type)',
  'CreateExecutorOptions (type)',
  'CreateTaskMapOptions (type)',
  'ENGINE_PACKAGES',
  'ExecutionEngine (type)',
  'JsonSchema (type)',
  'LLM_PROVIDER_PACKAGES',
  'MCP_CLIENT_PACKAGE',
  'SOURCE_CONDITION',
  'checkAgainstSchema',
  'createAppServices',
  'createExecutorWithServices',
  'createTaskMap',
  'currentTaskContext',
  'importTaskModules',
  'inputSchemaFileName',
  'installedPackageVersion',
  'loadConfigSections',
  'loadExecutionEngine',
  'loadInstalledEmbeddingProviders',
  'loadInstalledLlmProviders',
  'runInTaskContext',
  'runWithAppServices',
  'sourceConditionActive',
];
const CONFIG: string[] = [
  'ConfigSection (type)',
  'DurationSchema',
  'DurationSetting (type)',
  'ExecutionEngineName (type)',
  'IssueInput (type)',
  'LoadSettingsOptions (type)',
  'LoadedSettings (type)',
  'LoggerSettings (type)',
  'LoggerSettingsSchema',
  'MCP_SESSION_SCOPES',
  'McpElicitationConfig (type)',
  'McpElicitationSchema',
  'McpOAuthClientConfig (type)',
  'McpOAuthClientSchema',
  'McpRootConfig (type)',
  'McpRootSchema',
  'McpSamplingConfig (type)',
  'McpSamplingSchema',
  'McpServerAuthConfig (type)',
  'McpServerAuthSchema',
  'McpServerConfig (type)',
  'McpServerConfigSchema',
  'McpSessionConfigSchema',
  'McpSettings (type)',
  'McpSettingsSchema',
  'NumberRule (type)',
  'OAUTH_CLIENT_AUTH_METHODS',
  'OAUTH_GRANT_TYPES',
  'OAuthSettings (type)',
  'OAuthSettingsSchema',
  'OtelSettings (type)',
  'OtelSettingsSchema',
  'OtlpSettingsSchema',
  'ParseSettingsOptions (type)',
  'ProviderSettings (type)',
  'ProviderSettingsSchema',
  'RetryPolicyConfig (type)',
  'RetryPolicyConfigSchema',
  'Settings (type)',
  'SettingsInput (type)',
  'SettingsSections (type)',
  'StringLikeSchema',
  'TEMPORAL_EXECUTION_FIELDS',
  'TemporalExecutionSettings (type)',
  'TemporalExecutionSettingsSchema',
  'booleanSetting',
  'describeValue',
  'enumSetting',
  'findConfigFile',
  'httpUrlSetting',
  'listValues',
  'loadSettings',
  'numberSetting',
  'parseSettings',
  'positiveInteger',
  'positiveNumber',
  'registerConfigSection',
  'registeredConfigSections',
  'settingsSchema',
  'strictSection',
];
