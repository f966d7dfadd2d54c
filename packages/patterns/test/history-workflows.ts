// Workflow code for the history-size test: a deep orchestrator over a long plan, its steps inline
// or each in a child workflow. Bundled by the test's Temporal worker.
import { Agent, MCPApp, Workflow, WorkflowResult } from '@mcp-agent/core';
import { createDeepOrchestrator, defineDeepOrchestratorStepWorkflow } from '@mcp-agent/patterns';

export const app = new MCPApp({ name: 'deep-orchestrator-history' });

/** The step workflow children run (`DeepOrchestratorStep`). */
export const DeepStep = defineDeepOrchestratorStepWorkflow(app);

export const WORKER_INSTRUCTION = 'You carry out one small task and report its result in one line.';

/** What a long run reports. */
export interface LongPlanOutcome {
  text: string;
  stopReason: string;
  steps: number;
  calls: number;
}

@app.workflow
export class LongPlanWorkflow extends Workflow<LongPlanOutcome> {
  @app.workflowRun
  async run(input: { objective: string; steps: number; childWorkflows: boolean }): Promise<WorkflowResult<LongPlanOutcome>> {
    const worker = new Agent({ name: 'worker', instruction: WORKER_INSTRUCTION });
    const orchestrator = createDeepOrchestrator({
      availableAgents: [worker],
      childWorkflows: input.childWorkflows,
      maxIterations: input.steps,
      budget: { maxTokens: 1_000_000_000, maxCostUsd: 1_000_000, maxTime: '1 hour' },
    });
    const result = await orchestrator.orchestrate(input.objective);
    return new WorkflowResult({
      value: { text: result.text, stopReason: result.stopReason, steps: result.steps.length, calls: orchestrator.usageTree().usage.calls },
    });
  }
}
