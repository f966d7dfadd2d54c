// The workflows the patterns benchmark runs: each pattern, and a hand-written loop that makes the
// same model calls. Workflow code: bundled as it is for the Temporal part.
import { Agent, MCPApp, Workflow, WorkflowResult } from '@mcp-agent/core';
import { createOrchestrator, createParallelLlm, DEFAULT_PLANNER_INSTRUCTION, DEFAULT_SYNTHESIZER_INSTRUCTION, llmClassFor, type PlanResult } from '@mcp-agent/patterns';
import { defaultFullPlanPrompt, defaultSynthesizePrompt, defaultTaskPrompt, formatWorkers } from '../src/orchestrator-prompts.js';
import { z } from 'zod';

export const benchApp = new MCPApp({ name: 'patterns-bench' });

export const WORKER_INSTRUCTION = 'You do one task and answer with its result.';
export const BRANCH_INSTRUCTIONS = ['You judge the tone.', 'You list the key points.', 'You find the risks.'];
export const FAN_IN_INSTRUCTION = 'You combine the analyses into one report.';

const OpenAI = llmClassFor('openai');
const ask = (name: string, instruction: string) => new OpenAI({ agent: new Agent({ name, instruction }) });

@benchApp.workflow
export class ParallelPattern extends Workflow<string> {
  @benchApp.workflowRun
  async run(document: string): Promise<WorkflowResult<string>> {
    const fanOut = BRANCH_INSTRUCTIONS.map((instruction, index) => new Agent({ name: `analyst_${index}`, instruction }));
    const parallel = createParallelLlm({ fanOut, fanIn: new Agent({ name: 'editor', instruction: FAN_IN_INSTRUCTION }) });
    return new WorkflowResult({ value: await parallel.generateStr(document) });
  }
}

@benchApp.workflow
export class ParallelByHand extends Workflow<string> {
  @benchApp.workflowRun
  async run(document: string): Promise<WorkflowResult<string>> {
    const answers = await Promise.all(BRANCH_INSTRUCTIONS.map((instruction, index) => ask(`analyst_${index}`, instruction).generateStr(document)));
    const prompt = [`Combine the answers to: ${document}`, ...answers.map((answer, index) => `<analyst_${index}>\n${answer}\n</analyst_${index}>`)].join('\n\n');
    return new WorkflowResult({ value: await ask('editor', FAN_IN_INSTRUCTION).generateStr(prompt) });
  }
}

const workers = (count: number) => Array.from({ length: count }, (_, index) => new Agent({ name: `worker_${index}`, instruction: WORKER_INSTRUCTION }));

@benchApp.workflow
export class OrchestratorPattern extends Workflow<string> {
  @benchApp.workflowRun
  async run(input: { objective: string; workers: number }): Promise<WorkflowResult<string>> {
    const orchestrator = createOrchestrator({ availableAgents: workers(input.workers), planType: 'full' });
    return new WorkflowResult({ value: await orchestrator.generateStr(input.objective) });
  }
}

const TaskSchema = z.object({ description: z.string(), agent: z.string() });
const PlanSchema = z.object({ steps: z.array(z.object({ description: z.string(), tasks: z.array(TaskSchema) })), isComplete: z.boolean() });

const planJsonSchemas = new Map<string, Record<string, unknown>>();

/**
 * The orchestrator's calls by hand: the same prompts (built by the pattern's own prompt functions),
 * the same structured-output schema, the same order; none of the pattern's bookkeeping.
 */
@benchApp.workflow
export class OrchestratorByHand extends Workflow<string> {
  @benchApp.workflowRun
  async run(input: { objective: string; workers: number }): Promise<WorkflowResult<string>> {
    const agents = workers(input.workers);
    const llms = new Map(agents.map((agent) => [agent.name, new OpenAI({ agent })]));
    const names = agents.map((agent) => agent.name);
    const infos = agents.map((agent) => ({ name: agent.name, description: agent.instruction ?? '', servers: [] }));
    // Made once per team of workers, as a hand-written loop would keep it in a constant.
    const key = names.join(',');
    let jsonSchema = planJsonSchemas.get(key);
    if (jsonSchema === undefined) {
      jsonSchema = z.toJSONSchema(
        z.object({
          steps: z.array(z.object({ description: z.string(), tasks: z.array(z.object({ description: z.string(), agent: z.enum(names as [string, ...string[]]) })) })),
          isComplete: z.boolean(),
        }),
      ) as Record<string, unknown>;
      planJsonSchemas.set(key, jsonSchema);
    }
    const planner = ask('planner', DEFAULT_PLANNER_INSTRUCTION);
    const planResult: PlanResult = { objective: input.objective, plan: undefined, stepResults: [], isComplete: false };
    const plan = () =>
      planner.generateStructured(defaultFullPlanPrompt({ objective: input.objective, planResult, agents: formatWorkers(infos), agentNames: names, workers: infos }), PlanSchema, {
        name: 'plan',
        jsonSchema,
        useHistory: false,
      });
    const first = await plan();
    planResult.plan = first;
    for (const [index, step] of first.steps.entries()) {
      const taskResults = await Promise.all(
        step.tasks.map(async (task) => ({
          task: task.description,
          agent: task.agent,
          result: await (llms.get(task.agent) as InstanceType<typeof OpenAI>).generateStr(
            defaultTaskPrompt({ objective: input.objective, task, step, completed: planResult.stepResults, upcoming: first.steps.slice(index + 1) }),
            { useHistory: false },
          ),
        })),
      );
      planResult.stepResults.push({ step, taskResults });
    }
    planResult.isComplete = (await plan()).isComplete;
    const synthesizer = ask('synthesizer', DEFAULT_SYNTHESIZER_INSTRUCTION);
    return new WorkflowResult({ value: await synthesizer.generateStr(defaultSynthesizePrompt({ objective: input.objective, planResult }), { useHistory: false }) });
  }
}
