// `@mcp-agent/core/engine`: the service provider interface, for Node. What execution engines,
// model providers, the MCP client, the CLI and codegen build on: everything in
// `./engine/workflow`, plus engine and provider loading, the app's services and the task context.
// Not for application code.
export * from './engine-workflow.js';
export {
  CONFIG_SECTION_PACKAGES,
  ENGINE_PACKAGES,
  installedPackageVersion,
  LLM_PROVIDER_PACKAGES,
  loadConfigSections,
  loadExecutionEngine,
  loadInstalledEmbeddingProviders,
  loadInstalledLlmProviders,
  SOURCE_CONDITION,
  sourceConditionActive,
} from './node/engine-loading.js';
export type { AppDirectories, CreateExecutorOptions, ExecutionEngine } from './node/engine-loading.js';
export { createAppServices, createExecutorWithServices, createTaskMap, importTaskModules, MCP_CLIENT_PACKAGE, runWithAppServices } from './node/services.js';
export type { CreateAppServicesOptions, CreateTaskMapOptions } from './node/services.js';
export { currentTaskContext, runInTaskContext } from './node/task-context.js';
export { checkAgainstSchema, inputSchemaFileName } from './node/schema-check.js';
export type { JsonSchema } from './node/schema-check.js';
