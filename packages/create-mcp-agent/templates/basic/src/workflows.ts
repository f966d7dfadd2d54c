/**
 * The app: one workflow, AssistantWorkflow, in which an agent answers a question with the tools
 * of the `weather` MCP server (src/weather-server.ts, started as mcp_agent.config.yaml says).
 *
 * The workflow runs in-process (execution_engine: asyncio). The same code runs on Temporal, where
 * every model round trip and tool call becomes a checkpointed activity: see the `temporal` template
 * of create-mcp-agent.
 */
import { Agent, MCPApp, Workflow, WorkflowApplicationError, WorkflowResult } from '@mcp-agent/core';
import { OpenAIAugmentedLLM } from '@mcp-agent/providers-openai';

export const app = new MCPApp({ name: '{{name}}' });

@app.workflow
export class AssistantWorkflow extends Workflow<string> {
  @app.workflowRun
  async run(question: string): Promise<WorkflowResult<string>> {
    // Bad input is not worth retrying: fail at once with a message that says why.
    if (typeof question !== 'string' || question.trim() === '') {
      throw WorkflowApplicationError.nonRetryable(`AssistantWorkflow needs a question, got ${JSON.stringify(question)}`, 'InvalidInput');
    }
    const agent = new Agent({
      name: 'assistant',
      instruction: 'You answer questions about the weather. Look the forecast up with your tools; never guess it.',
      serverNames: ['weather'],
    });
    try {
      // The model sees the server's tools as weather_<tool> and calls them as it needs.
      const llm = await agent.attachLlm(OpenAIAugmentedLLM);
      return new WorkflowResult({ value: await llm.generateStr(question) });
    } finally {
      await agent.close();
    }
  }
}
