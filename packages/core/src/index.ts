// `@mcp-agent/core`: the user API, for Node. Everything in `./workflow`, plus the app, the task
// context and the logger. What engines and providers need is in `./engine`; config schemas and
// loading in `./config`. Under the `mcp-agent-workflow` condition (Temporal's workflow bundler)
// this entry resolves to `index.sandbox.ts`, which has the same names.
export * from './workflow.js';
export { MCPApp, runMain } from './node/app.js';
export type { AppContext, MCPAppOptions } from './node/app.js';
export { taskContext } from './node/task-context.js';
export type { TaskContext } from './node/task-context.js';
export { createLogger } from './node/logger.js';
export type { LogLevel, Logger, LoggerOptions, LogRecord } from './node/logger.js';
