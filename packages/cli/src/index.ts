// @mcp-agent/cli: the mcp-agent command, also callable from code (tests, scripts).
export { main, UsageError } from './main.js';
export type { CliIo, Command } from './main.js';
