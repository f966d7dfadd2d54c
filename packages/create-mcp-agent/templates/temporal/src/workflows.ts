/**
 * The app: one workflow, AssistantWorkflow, in which an agent answers a question with the tools
 * of the `weather` MCP server (src/weather-server.ts, started as mcp_agent.config.yaml says).
 *
 * On Temporal (execution_engine: temporal) the workflow runs in a worker (src/worker.ts), and
 * every model round trip and MCP tool call is an activity whose result the server records: a
 * worker that dies mid-run is replaced by another that carries on without repeating them. The
 * workflow itself only orchestrates, so it must be deterministic (no I/O, no clock); anything
 * else belongs in a task (`app.workflowTask`).
 */
import { Agent, MCPApp, Workflow, WorkflowApplicationError, WorkflowResult } from '@mcp-agent/core';
import { OpenAIAugmentedLLM } from '@mcp-agent/providers-openai';

export const app = new MCPApp({ name: '{{name}}' });

/** Where a run is, for the `stage` query. */
export type AssistantStage = 'starting' | 'answering' | 'done';

@app.workflow
export class AssistantWorkflow extends Workflow<string> {
  #stage: AssistantStage = 'starting';

  /** Where the run is: `mcp-agent workflows query <id> stage`, or `handle.queries.stage()`. */
  @app.workflowQuery
  stage(): AssistantStage {
    return this.#stage;
  }

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
      // The model sees the server's tools as weather_<tool>; on Temporal each round trip is the
      // activity llm.openai.complete and each tool call an MCP activity.
      const llm = await agent.attachLlm(OpenAIAugmentedLLM);
      this.#stage = 'answering';
      const answer = await llm.generateStr(question);
      this.#stage = 'done';
      return new WorkflowResult({ value: answer });
    } finally {
      await agent.close();
    }
  }
}
