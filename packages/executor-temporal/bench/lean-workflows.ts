/**
 * The lean-worker benchmark's workflow as an mcp-agent app writes it: an agent with the
 * filesystem MCP server lists its tools (one activity), then six model calls and three tool calls
 * of {@link leanSteps}. The framework's worker bundles this module for Temporal's sandbox.
 */
import { Agent, MCPApp, Workflow, WorkflowResult } from '@mcp-agent/core';
import { OpenAIAugmentedLLM } from '@mcp-agent/providers-openai';
import { LEAN_INSTRUCTION, leanSteps, type LeanInput, type LeanOutput } from './lean-plan.js';

export const leanApp = new MCPApp({ name: 'lean-worker-bench' });
const app = leanApp;

@app.workflow
export class LeanAgentWorkflow extends Workflow<LeanOutput> {
  @app.workflowRun
  async run(input: LeanInput): Promise<WorkflowResult<LeanOutput>> {
    // The tools come from an agent with the MCP server; the model from an agent without servers,
    // so that its requests carry no tool definitions, as the bare side's do.
    const files = await new Agent({ name: 'files', serverNames: ['filesystem'] }).initialize();
    const model = new Agent({ name: 'model', instruction: LEAN_INSTRUCTION });
    const llm = await model.attachLlm(OpenAIAugmentedLLM);
    const answers: string[] = [];
    const toolTexts: string[] = [];
    for (const step of leanSteps(input)) {
      if (step.kind === 'model') {
        answers.push(await llm.generateStr(step.prompt, { useHistory: false }));
      } else {
        const result = await files.callTool(`filesystem_${step.tool}`, step.arguments);
        toolTexts.push(String(result.content[0]?.text));
      }
    }
    await files.close();
    await model.close();
    return new WorkflowResult({ value: { answers, toolTexts } });
  }
}
