/**
 * The benchmark's workflow as an mcp-agent app writes it: an agent lists the tools of the MCP test
 * server, then three model round trips and two `test_echo` calls alternate. The worker bundles
 * this module for Temporal's sandbox.
 */
import { Agent, MCPApp, Workflow, WorkflowResult } from '@mcp-agent/core';
import { OpenAIAugmentedLLM } from '@mcp-agent/providers-openai';

export const benchApp = new MCPApp({ name: 'temporal-bench' });
const app = benchApp;

/** What one run returns: the three answers and the two echoes. */
export interface BenchOutput {
  answers: string[];
  echoes: string[];
}

@app.workflow
export class ModelAndToolsWorkflow extends Workflow<BenchOutput> {
  @app.workflowRun
  async run(input: { id: number }): Promise<WorkflowResult<BenchOutput>> {
    // The tools come from an agent with the MCP server (its tools are listed once, in one activity);
    // the model from an agent without servers, so its requests carry no tool definitions.
    const tools = await new Agent({ name: 'bench-tools', serverNames: ['test'] }).initialize();
    const model = new Agent({ name: 'bench-model', instruction: 'Answer in one line.' });
    const llm = await model.attachLlm(OpenAIAugmentedLLM);
    const answers: string[] = [];
    const echoes: string[] = [];
    answers.push(await llm.generateStr(`workflow ${input.id} step 1`, { useHistory: false }));
    echoes.push(String((await tools.callTool('test_echo', { text: `workflow ${input.id} echo 1` })).content[0]?.text));
    answers.push(await llm.generateStr(`workflow ${input.id} step 2`, { useHistory: false }));
    echoes.push(String((await tools.callTool('test_echo', { text: `workflow ${input.id} echo 2` })).content[0]?.text));
    answers.push(await llm.generateStr(`workflow ${input.id} step 3`, { useHistory: false }));
    await tools.close();
    await model.close();
    return new WorkflowResult({ value: { answers, echoes } });
  }
}
