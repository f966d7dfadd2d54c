// The Node entry of @mcp-agent/patterns: the same patterns as `./workflow` (they run in Node
// outside workflows as well, calling models and tools directly).
export * from './workflow.js';
