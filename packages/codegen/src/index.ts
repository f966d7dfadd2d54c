// @mcp-agent/codegen: reads an app's workflows with ts-morph and writes typed clients, input
// schemas and the activity manifest, with diagnostics for what can't run in a workflow.
export { buildPrebuiltBundle, CodegenUsageError, formatDiagnostics, runCodegen } from './generate.js';
export { checkCache } from './cache.js';
export type { CacheVerdict } from './cache.js';
export { sandboxPath } from './sandbox-module.js';
export type { CodegenOptions, CodegenResult, PrebuiltBundle } from './generate.js';
export { buildModel } from './model.js';
export type { AppModel, HandlerModel, TaskModel, WorkflowModel } from './model.js';
export { diagnose, formatDiagnostic, notSerialisable } from './diagnostics.js';
export type { CodegenDiagnostic } from './diagnostics.js';
export { BANNER, emitActivityManifest, emitClients, emitSchemas } from './emit.js';
export { schemaOf } from './schema.js';
export { inputSchemaFileName } from './schema-files.js';
export type { JsonSchema } from './schema.js';
export { main } from './cli.js';
