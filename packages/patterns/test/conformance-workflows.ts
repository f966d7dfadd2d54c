// The workflows of the pattern conformance suite: one per pattern (and per scenario where a pattern
// has two modes), each building its pattern from agents, running it on its input and returning
// the answer, the usage tree and what the pattern decided. The same module runs in-process and,
// bundled for Temporal's sandbox, on a Temporal worker, so it imports only '@mcp-agent/core',
// '@mcp-agent/patterns' (its sandbox entry inside the bundle) and zod.
import { Agent, humanInputTool, MCPApp, type UsageNode, Workflow, WorkflowResult } from '@mcp-agent/core';
import {
  createEvaluatorOptimizerLlm,
  createDeepOrchestrator,
  createIntentClassifierEmbedding,
  createIntentClassifierLlm,
  createOrchestrator,
  createParallelLlm,
  createRouterEmbedding,
  createRouterLlm,
  createSwarm,
  defineDeepOrchestratorStepWorkflow,
  type EmbeddingIntentClassification,
  type Intent,
  type LLMIntentClassification,
  type PlanResult,
  QualityRating,
  type RouteResult,
  SwarmAgent,
  type SwarmHandoff,
  swarmResult,
  transferTo,
} from '@mcp-agent/patterns';
import { z } from 'zod';

export const app = new MCPApp({ name: 'pattern-conformance' });

/** The agents' instructions: the scripted model answers each agent by its instruction (the system prompt). */
export const INSTRUCTIONS = {
  proofreader: 'Proofread the text: list its spelling mistakes.',
  factChecker: 'Check the text for factual errors.',
  stylist: 'Comment on the style of the text.',
  grader: 'Grade the text from the reviews you are given.',
  writer: 'Write a short cover letter for the job in the request.',
  letterCritic: 'Rate cover letters for how specific they are to the company.',
  billing: 'Answer billing questions about invoices, charges and refunds.',
  tech: 'Answer technical questions about crashes, errors and the app.',
  concierge: 'Book tables at the restaurant; ask the guest for any detail you lack.',
  researcher: 'Find facts about the topic you are given.',
  author: 'Write prose from the notes you are given.',
  leadPlanner: 'Plan the work of the project team.',
  advocate: 'Argue for the proposal.',
  skeptic: 'Argue against the proposal.',
  moderator: 'Merge the arguments into one balanced answer.',
  balanceCritic: 'Rate answers for balance: both sides, and the costs.',
  triage: 'You are the triage agent of an airline: transfer the customer to the agent who can help.',
  deepResearcher: 'Research one question for a report.',
  deepWriter: 'Write the report from the research you are given.',
} as const;

/** The flight agent's instruction, written from the swarm's context variables. */
export function flightInstruction(variables: Readonly<Record<string, unknown>>): string {
  return `You change the flights of ${String(variables['customer'] ?? 'the customer')}${variables['changed'] === true ? ' (a flight was changed already)' : ''}.`;
}

/** The intents of both intent classifiers. */
export const INTENTS: Intent[] = [
  { name: 'greeting', description: 'The user says hello.', examples: ['hello there', 'good morning'] },
  { name: 'order_status', description: 'The user asks where an order is.', examples: ['where is my order', 'track my package'] },
  { name: 'cancel_order', description: 'The user wants to cancel an order.', examples: ['cancel my order', 'I want to cancel'] },
];

/** What every workflow of the suite returns: the answer, the usage tree, and the pattern's own facts. */
export interface ConformanceValue {
  text: string;
  usage: UsageNode;
  [fact: string]: unknown;
}

type UsageSource = { usageTree(): UsageNode };

/** The usage of a pattern, as the `usage` query shows it; null before the pattern is made. */
function usageOf(pattern: UsageSource | undefined): UsageNode | null {
  return pattern === undefined ? null : pattern.usageTree();
}

function done(value: ConformanceValue): WorkflowResult<ConformanceValue> {
  return new WorkflowResult({ value });
}

/** A route without its target (an agent, a function), which is not data. */
function routeFacts(route: RouteResult): Record<string, unknown> {
  return {
    category: route.category,
    name: route.name,
    confidence: route.confidence,
    ...(route.reasoning === undefined ? {} : { reasoning: route.reasoning }),
    ...(route.score === undefined ? {} : { score: route.score }),
  };
}

function wordCount(text: string): string {
  return `${text.split(/\s+/).filter((word) => word !== '').length} words`;
}

// ---------------------------------------------------------------------------------------------

/** Parallel: three reviewers and a function at once, combined by a grader. */
@app.workflow({ name: 'ParallelConformance' })
export class ParallelConformance extends Workflow<ConformanceValue> {
  #pattern: UsageSource | undefined;

  @app.workflowQuery
  usage(): UsageNode | null {
    return usageOf(this.#pattern);
  }

  @app.workflowRun
  async run(text: string): Promise<WorkflowResult<ConformanceValue>> {
    const review = createParallelLlm({
      name: 'story_review',
      fanOut: [
        new Agent({ name: 'proofreader', instruction: INSTRUCTIONS.proofreader }),
        new Agent({ name: 'fact_checker', instruction: INSTRUCTIONS.factChecker }),
        new Agent({ name: 'stylist', instruction: INSTRUCTIONS.stylist }),
        wordCount,
      ],
      fanIn: new Agent({ name: 'grader', instruction: INSTRUCTIONS.grader }),
    });
    this.#pattern = review;
    const result = await review.generate(text);
    return done({ text: result.text, usage: review.usageTree(), tokens: result.usage, branchNames: review.branchNames });
  }
}

/** Evaluator-optimizer: a letter refined until rated EXCELLENT, with one invalid rating sent back. */
@app.workflow({ name: 'EvaluatorOptimizerConformance' })
export class EvaluatorOptimizerConformance extends Workflow<ConformanceValue> {
  #pattern: UsageSource | undefined;

  @app.workflowQuery
  usage(): UsageNode | null {
    return usageOf(this.#pattern);
  }

  @app.workflowRun
  async run(task: string): Promise<WorkflowResult<ConformanceValue>> {
    const letter = createEvaluatorOptimizerLlm({
      name: 'cover_letter',
      optimizer: new Agent({ name: 'writer', instruction: INSTRUCTIONS.writer }),
      evaluator: new Agent({ name: 'letter_critic', instruction: INSTRUCTIONS.letterCritic }),
      minRating: QualityRating.EXCELLENT,
      maxRefinements: 3,
    });
    this.#pattern = letter;
    const result = await letter.generateWithEvaluation(task);
    return done({
      text: result.text,
      usage: letter.usageTree(),
      tokens: result.usage,
      rating: result.rating,
      stopReason: result.stopReason,
      attempts: result.attempts,
    });
  }
}

/** The LLM router: three requests, each to an agent or a function, then the top two agents for one. */
@app.workflow({ name: 'RouterLlmConformance' })
export class RouterLlmConformance extends Workflow<ConformanceValue> {
  #pattern: UsageSource | undefined;

  @app.workflowQuery
  usage(): UsageNode | null {
    return usageOf(this.#pattern);
  }

  @app.workflowRun
  async run(requests: string[]): Promise<WorkflowResult<ConformanceValue>> {
    const router = createRouterLlm({
      name: 'support_router',
      agents: [new Agent({ name: 'billing', instruction: INSTRUCTIONS.billing }), new Agent({ name: 'tech', instruction: INSTRUCTIONS.tech })],
      functions: [{ name: 'opening_hours', description: 'Tells when the shop is open: opening hours and days.', fn: () => 'We are open from 9 to 5, Monday to Saturday.' }],
    });
    this.#pattern = router;
    const answers: Array<{ request: string; route: Record<string, unknown>; text: string }> = [];
    for (const request of requests) {
      const [route] = await router.route(request);
      const text = await router.generateStr(request);
      answers.push({ request, route: route === undefined ? {} : routeFacts(route), text });
    }
    const topTwo = (await router.routeToAgent(requests[0] ?? '', 2)).map(routeFacts);
    return done({ text: answers.map((answer) => answer.text).join('\n'), usage: router.usageTree(), answers, topTwo });
  }
}

/** The embedding router: requests routed by similarity to agents and a function. */
@app.workflow({ name: 'RouterEmbeddingConformance' })
export class RouterEmbeddingConformance extends Workflow<ConformanceValue> {
  #pattern: UsageSource | undefined;

  @app.workflowQuery
  usage(): UsageNode | null {
    return usageOf(this.#pattern);
  }

  @app.workflowRun
  async run(requests: string[]): Promise<WorkflowResult<ConformanceValue>> {
    const router = createRouterEmbedding({
      name: 'embedding_router',
      agents: [new Agent({ name: 'billing', instruction: INSTRUCTIONS.billing }), new Agent({ name: 'tech', instruction: INSTRUCTIONS.tech })],
      functions: [{ name: 'opening_hours', description: 'Tells when the shop is open: opening hours and days.', fn: () => 'We are open from 9 to 5, Monday to Saturday.' }],
    });
    this.#pattern = router;
    const routes: Array<Record<string, unknown>[]> = [];
    for (const request of requests) routes.push((await router.route(request, 2)).map(routeFacts));
    // The first request answered by the agent (or function) it routes to.
    const text = await router.generateStr(requests[0] ?? '');
    return done({ text, usage: router.usageTree(), routes });
  }
}

/** The LLM intent classifier: the top two intents of a request, with entities. */
@app.workflow({ name: 'IntentClassifierLlmConformance' })
export class IntentClassifierLlmConformance extends Workflow<ConformanceValue> {
  #pattern: UsageSource | undefined;

  @app.workflowQuery
  usage(): UsageNode | null {
    return usageOf(this.#pattern);
  }

  @app.workflowRun
  async run(requests: string[]): Promise<WorkflowResult<ConformanceValue>> {
    const classifier = createIntentClassifierLlm({ name: 'support_intents', intents: INTENTS });
    this.#pattern = classifier;
    const classifications: LLMIntentClassification[][] = [];
    for (const request of requests) classifications.push(await classifier.classify(request, 2));
    return done({ text: classifications.map((found) => found[0]?.intent ?? '(none)').join(', '), usage: classifier.usageTree(), classifications });
  }
}

/** The embedding intent classifier: the top two intents of each request, by similarity to the examples. */
@app.workflow({ name: 'IntentClassifierEmbeddingConformance' })
export class IntentClassifierEmbeddingConformance extends Workflow<ConformanceValue> {
  #pattern: UsageSource | undefined;

  @app.workflowQuery
  usage(): UsageNode | null {
    return usageOf(this.#pattern);
  }

  @app.workflowRun
  async run(requests: string[]): Promise<WorkflowResult<ConformanceValue>> {
    const classifier = createIntentClassifierEmbedding({ name: 'support_intents', intents: INTENTS });
    this.#pattern = classifier;
    const classifications: EmbeddingIntentClassification[][] = [];
    for (const request of requests) classifications.push(await classifier.classify(request, 2));
    return done({ text: classifications.map((found) => found[0]?.intent ?? '(none)').join(', '), usage: classifier.usageTree(), classifications });
  }
}

const OrchestratorInput = z.object({ objective: z.string().min(1), planType: z.enum(['full', 'iterative']) });

/** The orchestrator, planning in full or step by step: researchers at once, then an author; a synthesizer answers. */
@app.workflow({ name: 'OrchestratorConformance' })
export class OrchestratorConformance extends Workflow<ConformanceValue> {
  #pattern: (UsageSource & { progress(): unknown }) | undefined;

  @app.workflowQuery
  usage(): UsageNode | null {
    return usageOf(this.#pattern);
  }

  @app.workflowQuery
  progress(): unknown {
    return this.#pattern?.progress() ?? null;
  }

  @app.workflowRun
  async run(input: z.input<typeof OrchestratorInput>): Promise<WorkflowResult<ConformanceValue>> {
    const { objective, planType } = OrchestratorInput.parse(input);
    const orchestrator = createOrchestrator({
      name: `${planType}_orchestrator`,
      planType,
      availableAgents: [new Agent({ name: 'researcher', instruction: INSTRUCTIONS.researcher }), new Agent({ name: 'author', instruction: INSTRUCTIONS.author })],
      maxPlanRetries: 1,
    });
    this.#pattern = orchestrator;
    const result = await orchestrator.generate(objective);
    const planResult = orchestrator.lastPlanResult as PlanResult;
    return done({ text: result.text, usage: orchestrator.usageTree(), tokens: result.usage, iterations: result.iterations, planResult, phase: orchestrator.progress().phase });
  }
}

/** The swarm: triage hands the customer to the flight agent, whose function changes a context variable. */
@app.workflow({ name: 'SwarmConformance' })
export class SwarmConformance extends Workflow<ConformanceValue> {
  #pattern: UsageSource | undefined;

  @app.workflowQuery
  usage(): UsageNode | null {
    return usageOf(this.#pattern);
  }

  @app.workflowRun
  async run(message: string): Promise<WorkflowResult<ConformanceValue>> {
    const flights: SwarmAgent = new SwarmAgent({
      name: 'flight_changes',
      instruction: flightInstruction,
      functions: [
        {
          name: 'change_flight',
          description: 'Changes the customer’s flight.',
          inputSchema: { type: 'object', properties: { flight: { type: 'string' } }, required: ['flight'] },
          run: (args, variables) =>
            swarmResult({ value: `Changed ${String(variables['customer'])} to flight ${String(args['flight'])}.`, contextVariables: { changed: true, flight: args['flight'] } }),
        },
      ],
    });
    const triage = new SwarmAgent({ name: 'triage', instruction: INSTRUCTIONS.triage, functions: [transferTo(flights, { name: 'transfer_to_flight_changes' })] });
    const swarm = createSwarm({ name: 'airline', agent: triage, contextVariables: { customer: 'Ada' } });
    this.#pattern = swarm;
    const result = await swarm.generate(message);
    const handoffs: SwarmHandoff[] = swarm.handoffs;
    return done({
      text: result.text,
      usage: swarm.usageTree(),
      tokens: result.usage,
      activeAgent: swarm.activeAgent.name,
      stopReason: swarm.stopReason,
      turns: swarm.turns,
      handoffs,
      contextVariables: swarm.contextVariables,
      roles: result.messages.map((entry) => entry.role),
    });
  }
}

/**
 * Patterns inside patterns: an orchestrator whose workers are an LLM router and an
 * evaluator-optimizer whose optimizer is a parallel pattern.
 */
@app.workflow({ name: 'ComposedConformance' })
export class ComposedConformance extends Workflow<ConformanceValue> {
  #pattern: UsageSource | undefined;

  @app.workflowQuery
  usage(): UsageNode | null {
    return usageOf(this.#pattern);
  }

  @app.workflowRun
  async run(objective: string): Promise<WorkflowResult<ConformanceValue>> {
    const helpdesk = createRouterLlm({
      name: 'helpdesk',
      agents: [new Agent({ name: 'billing', instruction: INSTRUCTIONS.billing }), new Agent({ name: 'tech', instruction: INSTRUCTIONS.tech })],
    });
    const panel = createParallelLlm({
      name: 'panel',
      fanOut: [new Agent({ name: 'advocate', instruction: INSTRUCTIONS.advocate }), new Agent({ name: 'skeptic', instruction: INSTRUCTIONS.skeptic })],
      fanIn: new Agent({ name: 'moderator', instruction: INSTRUCTIONS.moderator }),
    });
    const policy = createEvaluatorOptimizerLlm({ name: 'policy_writer', optimizer: panel, evaluator: INSTRUCTIONS.balanceCritic });
    const lead = createOrchestrator({
      name: 'project_lead',
      availableAgents: [helpdesk, policy],
      planner: new Agent({ name: 'lead_planner', instruction: INSTRUCTIONS.leadPlanner }),
    });
    this.#pattern = lead;
    const result = await lead.generate(objective);
    return done({
      text: result.text,
      usage: lead.usageTree(),
      tokens: result.usage,
      planResult: lead.lastPlanResult,
      policyAttempts: policy.refinementHistory.map(({ attempt, rating, text }) => ({ attempt, rating, text })),
    });
  }
}

/** Human input inside a pattern: the router picks the concierge, whose model asks the guest. */
@app.workflow({ name: 'HumanInputConformance' })
export class HumanInputConformance extends Workflow<ConformanceValue> {
  #pattern: UsageSource | undefined;

  @app.workflowQuery
  usage(): UsageNode | null {
    return usageOf(this.#pattern);
  }

  @app.workflowRun
  async run(request: string): Promise<WorkflowResult<ConformanceValue>> {
    const frontDesk = createRouterLlm({
      name: 'front_desk',
      agents: [new Agent({ name: 'concierge', instruction: INSTRUCTIONS.concierge, functions: [humanInputTool()] }), new Agent({ name: 'billing', instruction: INSTRUCTIONS.billing })],
    });
    this.#pattern = frontDesk;
    const result = await frontDesk.generate(request);
    return done({ text: result.text, usage: frontDesk.usageTree(), tokens: result.usage, roles: result.messages.map((entry) => entry.role) });
  }
}

/** The workflow that runs each step of a deep orchestrator's plan as a child workflow (`childWorkflows: true`). */
export const DeepOrchestratorStep = defineDeepOrchestratorStepWorkflow(app);

const DeepOrchestratorInput = z.object({ objective: z.string().min(1), childWorkflows: z.boolean() });

/** The deep orchestrator: a two-step plan (two research tasks at once, then the report), knowledge, verification, synthesis; its steps inline or in child workflows. */
@app.workflow({ name: 'DeepOrchestratorConformance' })
export class DeepOrchestratorConformance extends Workflow<ConformanceValue> {
  #pattern: (UsageSource & { progress(): unknown }) | undefined;

  @app.workflowQuery
  usage(): UsageNode | null {
    return usageOf(this.#pattern);
  }

  @app.workflowQuery
  progress(): unknown {
    return this.#pattern?.progress() ?? null;
  }

  @app.workflowRun
  async run(input: z.input<typeof DeepOrchestratorInput>): Promise<WorkflowResult<ConformanceValue>> {
    const { objective, childWorkflows } = DeepOrchestratorInput.parse(input);
    const deep = createDeepOrchestrator({
      name: childWorkflows ? 'deep_children' : 'deep_inline',
      availableAgents: [new Agent({ name: 'deep_researcher', instruction: INSTRUCTIONS.deepResearcher }), new Agent({ name: 'deep_writer', instruction: INSTRUCTIONS.deepWriter })],
      childWorkflows,
    });
    this.#pattern = deep;
    const result = await deep.orchestrate(objective);
    // Wall time differs from run to run (and engine to engine); the rest of the budget does not.
    const { timeMs: _timeMs, ...spent } = result.budget.spent;
    return done({
      text: result.text,
      usage: deep.usageTree(),
      tokens: result.usage,
      stopReason: result.stopReason,
      steps: result.steps,
      knowledge: result.knowledge,
      replans: result.replans,
      spent,
      status: deep.progress().status,
    });
  }
}

/** Every workflow of the suite, by the name of the history recorded from its Temporal run. */
export const CONFORMANCE_WORKFLOWS = {
  ParallelConformance,
  EvaluatorOptimizerConformance,
  RouterLlmConformance,
  RouterEmbeddingConformance,
  IntentClassifierLlmConformance,
  IntentClassifierEmbeddingConformance,
  OrchestratorConformance,
  SwarmConformance,
  ComposedConformance,
  HumanInputConformance,
  DeepOrchestratorConformance,
} as const;
