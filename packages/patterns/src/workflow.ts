// `@mcp-agent/patterns/workflow`: the patterns, safe for Temporal's workflow sandbox (nothing here
// imports `node:*` or does I/O; every model, embedding and tool call is a task). Workflow code
// imports from here, or from `@mcp-agent/patterns`, which resolves here inside the sandbox.
export { isLlm, llmClassFor, llmFactoryOf, messageText, PatternLlm, textResult, toLlm } from './llm.js';
export type { AgentOrLlm, Llm, LlmChoice, LlmFactory, Message, StructuredOptions } from './llm.js';
