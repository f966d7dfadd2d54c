/**
 * Where codegen writes a workflow's input schema, for readers such as `mcp-agent run`: a module
 * without ts-morph, cheap to import. The naming rule lives in core, which the agent server reads
 * the schemas through as well.
 */
export { inputSchemaFileName } from '@mcp-agent/core/engine';
