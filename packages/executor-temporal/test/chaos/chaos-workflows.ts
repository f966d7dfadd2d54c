/**
 * The workflow of the chaos suite, written as users write them: an agent with an OpenAI model and
 * an MCP stdio server, a model round trip and a tool call per step. Each prompt carries the run's
 * tag and the step, so the local model server can count requests per (workflow, call). The worker
 * bundles this module for the sandbox.
 */
import { Agent, MCPApp, Workflow, WorkflowResult } from '@mcp-agent/core';
import { OpenAIAugmentedLLM } from '@mcp-agent/providers-openai';

export const chaosApp = new MCPApp({ name: 'chaos' });
const app = chaosApp;

/** The MCP server of the chaos workers, as named in their settings. */
export const CHAOS_MCP_SERVER = 'chaos';

/** A tool fault a run asks of its MCP server once, after its first model call. */
export type ChaosToolFault = 'crash' | 'hang';

/** What one chaos run does. */
export interface ChaosRunInput {
  /** The run's tag, in every prompt and tool call (the workflow id). */
  tag: string;
  /** Model round trips (each followed by a tool call). */
  steps: number;
  /** A faulty tool call to make after the first step; its failure is caught and recorded. */
  toolFault?: ChaosToolFault;
}

/** What one chaos run returns: every answer and echo, and how its faulty tool call ended. */
export interface ChaosRunOutput {
  answers: string[];
  echoes: string[];
  toolFault?: 'answered' | 'failed';
}

/** The prompt of a step: the local model server reads the tag and the step from it. */
export function chaosPrompt(tag: string, step: number): string {
  return `[chaos ${tag} step ${step}] Summarise step ${step}.`;
}

/** The answer the local model server gives to {@link chaosPrompt}. */
export function chaosAnswer(tag: string, step: number): string {
  return `answer ${tag} ${step}`;
}

/** The text the echo tool is asked to send back at a step. */
export function chaosEcho(tag: string, step: number): string {
  return `echo ${tag} ${step}`;
}

/** Steps of model round trips and tool calls; optionally one tool call that crashes or hangs its server. */
@app.workflow
export class ChaosAgentWorkflow extends Workflow<ChaosRunOutput> {
  @app.workflowRun
  async run(input: ChaosRunInput): Promise<WorkflowResult<ChaosRunOutput>> {
    const agent = new Agent({ name: 'chaos-agent', instruction: 'Answer each step briefly.', serverNames: [CHAOS_MCP_SERVER] });
    await agent.initialize();
    const llm = await agent.attachLlm(OpenAIAugmentedLLM);
    const output: ChaosRunOutput = { answers: [], echoes: [] };
    for (let step = 1; step <= input.steps; step += 1) {
      output.answers.push(await llm.generateStr(chaosPrompt(input.tag, step), { useHistory: false }));
      if (step === 1 && input.toolFault !== undefined) {
        // Two attempts of 3 s each: the fault hits the server twice, then the run carries on.
        try {
          await this.executeTask('mcp.callTool', [{ server: CHAOS_MCP_SERVER, tool: input.toolFault, arguments: input.toolFault === 'crash' ? { code: 7 } : {} }], {
            startToCloseTimeout: '3s',
            retryPolicy: { maximumAttempts: 2 },
          });
          output.toolFault = 'answered';
        } catch {
          output.toolFault = 'failed';
        }
      }
      const echo = await agent.callTool(`${CHAOS_MCP_SERVER}_echo`, { text: chaosEcho(input.tag, step) });
      output.echoes.push(String(echo.content[0]?.text));
    }
    await agent.close();
    return new WorkflowResult({ value: output });
  }
}
