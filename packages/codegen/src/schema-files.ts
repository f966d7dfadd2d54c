/**
 * Where codegen writes a workflow's input schema, for readers such as `mcp-agent run`: a module
 * without ts-morph, cheap to import.
 */

/** The file name of a workflow's input schema in `<outDir>/schemas/`. */
export function inputSchemaFileName(workflowName: string): string {
  return `${workflowName.replace(/[^\w.-]/g, '_')}.input.json`;
}
