// `@mcp-agent/core` as workflow code sees it inside Temporal's sandbox. A worker's bundler picks
// this file through the `mcp-agent-workflow` export condition, so a workflow module can import
// from `@mcp-agent/core` as it does in Node. It exports every name of the Node entry: the
// sandbox-safe ones as they are, and the Node-only ones as stand-ins that explain, when called,
// where they may be used instead.
import { WorkflowUsageError } from './errors.js';
import { MCPAppBase } from './app-base.js';

export * from './workflow.js';

function nodeOnly(name: string, where: string): (...args: unknown[]) => never {
  const standIn = (): never => {
    throw new WorkflowUsageError(`${name} is not available in workflow code, which runs in Temporal's sandbox; ${where}`);
  };
  Object.defineProperty(standIn, 'name', { value: name });
  return standIn;
}

const IN_TASKS = 'call it in a task (app.workflowTask), which runs as an activity in the worker';
const IN_NODE = 'call it from Node code (the program that starts workflows, or the worker)';

/** The app inside the sandbox: it registers workflows and tasks; running it is for Node code. */
export class MCPApp extends MCPAppBase {
  get context(): never {
    return nodeOnly('app.context', IN_NODE)();
  }
  get executor(): never {
    return nodeOnly('app.executor', IN_NODE)();
  }
  get config(): never {
    return nodeOnly('app.config', IN_NODE)();
  }
  get logger(): never {
    return nodeOnly('app.logger', IN_NODE)();
  }
  initialize(): Promise<never> {
    return Promise.reject(new WorkflowUsageError(`app.initialize() is not available in workflow code; ${IN_NODE}`));
  }
  run(): Promise<never> {
    return Promise.reject(new WorkflowUsageError(`app.run() is not available in workflow code; ${IN_NODE}`));
  }
  cleanup(): Promise<void> {
    return Promise.resolve();
  }
}

export const runMain = nodeOnly('runMain', IN_NODE);
export const loadExecutionEngine = nodeOnly('loadExecutionEngine', IN_NODE);
export const loadInstalledLlmProviders = nodeOnly('loadInstalledLlmProviders', IN_NODE);
export const installedPackageVersion = nodeOnly('installedPackageVersion', IN_NODE);
export const sourceConditionActive = nodeOnly('sourceConditionActive', IN_NODE);
export const SOURCE_CONDITION = 'mcp-agent-source';
export const createLlmTaskDefinition = nodeOnly('createLlmTaskDefinition', IN_NODE);
export const createMcpTaskDefinitions = nodeOnly('createMcpTaskDefinitions', IN_NODE);
export const currentTaskContext = nodeOnly('currentTaskContext', IN_TASKS);
export const runInTaskContext = nodeOnly('runInTaskContext', IN_TASKS);
export const taskContext = nodeOnly('taskContext', IN_TASKS);
export const createLogger = nodeOnly('createLogger', `${IN_NODE}; in a workflow, log from a task`);
export { secondsOrDurationToMilliseconds } from './duration.js';
export const findConfigFile = nodeOnly('findConfigFile', IN_NODE);
export const loadSettings = nodeOnly('loadSettings', IN_NODE);
export const parseSettings = nodeOnly('parseSettings', IN_NODE);
export const ENGINE_PACKAGES: Readonly<Record<string, string>> = Object.freeze({});
export const LLM_PROVIDER_PACKAGES: readonly string[] = Object.freeze([]);
// The config schemas need zod, which stays out of workflow bundles.
export const DataConverterConfigSchema = undefined;
export const DurationSchema = undefined;
export const LoggerSettingsSchema = undefined;
export const McpServerConfigSchema = undefined;
export const McpSettingsSchema = undefined;
export const OtelSettingsSchema = undefined;
export const OtlpSettingsSchema = undefined;
export const ProviderSettingsSchema = undefined;
export const RetryPolicyConfigSchema = undefined;
export const SettingsSchema = undefined;
export const TemporalMetricsConfigSchema = undefined;
export const TemporalSettingsSchema = undefined;
export const TemporalTlsConfigSchema = undefined;
