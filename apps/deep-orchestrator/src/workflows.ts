/**
 * The Python project's deep orchestrator example (`examples/workflows/workflow_deep_orchestrator`),
 * in TypeScript: an assignment grader on the deep orchestrator, running in-process or on Temporal
 * unchanged.
 *
 * The orchestrator plans the grading as steps of parallel tasks for four agents, runs each step in
 * a child workflow (`DeepOrchestratorStep`, so a long run keeps each workflow history small),
 * extracts the key facts of each step into its knowledge, checks a budget of tokens, cost and time
 * between steps, and writes the final answer. Its state is readable during the run by the query
 * `progress`, its usage (tokens and cost per agent) by the query `usage`.
 */
import { Agent, MCPApp, type UsageNode, Workflow, WorkflowResult } from '@mcp-agent/core';
import {
  type BudgetName,
  type BudgetReport,
  createDeepOrchestrator,
  type DeepOrchestrator,
  type DeepOrchestratorBudget,
  type DeepOrchestratorProgress,
  type DeepOrchestratorStopReason,
  defineDeepOrchestratorStepWorkflow,
  type KnowledgeItem,
} from '@mcp-agent/patterns';

export const app = new MCPApp({ name: 'deep-orchestrator' });

/** The workflow that runs one step of the plan, as a child of the grader's workflow. */
export const DeepStep = defineDeepOrchestratorStepWorkflow(app);

/** The instructions of the grader's agents (the scripted model answers each by its instruction). */
export const INSTRUCTIONS = {
  FileExpert: 'You specialise in files. You read the files a task names and return their full contents, and you write the files a task asks for, with your tools.',
  Proofreader: 'You specialise in grammar, spelling and clarity. You list every mistake with its correction.',
  StyleChecker: 'You are an expert in writing style. You check a text against the style guide you are given and list each rule it breaks, with an example from the text.',
  StoryAnalyst: 'You assess stories: their structure, narrative flow, factual consistency and logical coherence. You point out gaps and contradictions precisely.',
} as const;

/** The agents the planner may give tasks to; only the file expert has tools (the filesystem MCP server). */
function graders(): Agent[] {
  return [
    new Agent({ name: 'FileExpert', instruction: INSTRUCTIONS.FileExpert, serverNames: ['filesystem'] }),
    new Agent({ name: 'Proofreader', instruction: INSTRUCTIONS.Proofreader }),
    new Agent({ name: 'StyleChecker', instruction: INSTRUCTIONS.StyleChecker }),
    new Agent({ name: 'StoryAnalyst', instruction: INSTRUCTIONS.StoryAnalyst }),
  ];
}

/** The budget of the Python example: 100 000 tokens, 0.80 US dollars, 7 minutes. */
export const DEFAULT_BUDGET = { maxTokens: 100_000, maxCostUsd: 0.8, maxTime: '7 minutes' } as const satisfies DeepOrchestratorBudget;

/** What to grade, and optionally a budget other than {@link DEFAULT_BUDGET} (its fields override the default's). */
export interface GradingInput {
  task: string;
  budget?: DeepOrchestratorBudget;
}

/** What the run did, beside its answer: the result's metadata. */
export interface GradingMetadata {
  stopReason: DeepOrchestratorStopReason;
  exceededBudget?: BudgetName;
  /** The steps run, with their tasks (`name (agent)`, and `FAILED` for a failed one). */
  steps: Array<{ number: number; description: string; tasks: string[] }>;
  knowledge: KnowledgeItem[];
  replans: number;
  budget: BudgetReport;
  usage: UsageNode | null;
}

@app.workflow
export class DeepOrchestratorWorkflow extends Workflow<string> {
  #orchestrator: DeepOrchestrator | undefined;

  /** Where the run stands: planning, the step running, the steps done, the knowledge, the budget spent. */
  @app.workflowQuery
  progress(): DeepOrchestratorProgress | null {
    return this.#orchestrator?.progress() ?? null;
  }

  /** Tokens and cost so far: planner, knowledge extractor, verifier, each worker, synthesizer. */
  @app.workflowQuery
  usage(): UsageNode | null {
    return this.#orchestrator?.usageTree() ?? null;
  }

  @app.workflowRun
  async run(input: GradingInput): Promise<WorkflowResult<string>> {
    this.#orchestrator = createDeepOrchestrator({
      name: 'DeepAssignmentGrader',
      availableAgents: graders(),
      budget: { ...DEFAULT_BUDGET, ...input.budget },
      maxIterations: 25,
      maxReplans: 2,
      childWorkflows: true,
    });
    const result = await this.#orchestrator.orchestrate(input.task);
    const metadata: GradingMetadata = {
      stopReason: result.stopReason,
      ...(result.exceededBudget === undefined ? {} : { exceededBudget: result.exceededBudget }),
      steps: result.steps.map((step) => ({
        number: step.number,
        description: step.description,
        tasks: step.tasks.map((task) => `${task.name} (${task.agent})${task.error === undefined ? '' : ' FAILED'}`),
      })),
      knowledge: result.knowledge,
      replans: result.replans,
      budget: result.budget,
      usage: this.usage(),
    };
    return new WorkflowResult({ value: result.text, metadata: { ...metadata } });
  }
}
