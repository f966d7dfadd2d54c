// Safe for the Temporal workflow sandbox: no `node:*` import, no SDK, no I/O. Workflow code imports
// `OpenAIAugmentedLLM` from `@mcp-agent/providers-openai/workflow`.
export { OpenAIAugmentedLLM } from './openai-augmented-llm.js';
