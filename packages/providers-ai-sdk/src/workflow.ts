// Safe for the Temporal workflow sandbox: no `node:*` import, no SDK, no I/O. Workflow code imports
// the LLM classes from `@mcp-agent/providers-ai-sdk/workflow`.
export { aiSdkLlm, AzureAugmentedLLM, BedrockAugmentedLLM, GoogleAugmentedLLM } from './ai-sdk-augmented-llm.js';
export type { AiSdkLlmClass } from './ai-sdk-augmented-llm.js';
