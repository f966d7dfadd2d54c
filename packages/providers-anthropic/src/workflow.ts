// Safe for the Temporal workflow sandbox: nothing here imports `node:*` or the Anthropic SDK, does
// I/O, or reads the clock or randomness when loaded. Workflow code imports from
// `@mcp-agent/providers-anthropic/workflow`.
export { AnthropicAugmentedLLM } from './anthropic-augmented-llm.js';
