// create-mcp-agent: the scaffolder behind `npm create mcp-agent@latest`, also usable from code.
export { main } from './cli.js';
export type { CliIo } from './cli.js';
export { scaffoldProject, TargetNotEmptyError, TEMPLATES, validatePackageName } from './scaffold.js';
export type { PackageManager, ScaffoldOptions, TemplateName } from './scaffold.js';
