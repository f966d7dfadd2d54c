/**
 * The Python project's Temporal examples (`examples/temporal`), in TypeScript: the same six
 * workflows, on the same patterns, running in-process or on Temporal unchanged.
 *
 * - SimpleWorkflow: an agent with the filesystem MCP server answers a request.
 * - ParallelWorkflow: three reviewers read a story at once; a grader combines their feedback.
 * - RouterWorkflow: a router picks the agent, the function and the MCP server for three requests.
 * - EvaluatorOptimizerWorkflow: a cover letter, rewritten until the evaluator rates it EXCELLENT.
 * - OrchestratorWorkflow: a planner splits a review into steps for five agents, then a report.
 * - WorkflowWithInteraction: an agent asks a person for a subject (durably, on Temporal) and
 *   writes a poem about it.
 *
 * Each pattern's usage (tokens and cost per sub-agent) is readable during the run by the query
 * `usage`, and is returned in the result's metadata.
 */
import { Agent, humanInputTool, MCPApp, Workflow, WorkflowResult, type UsageNode } from '@mcp-agent/core';
import {
  createEvaluatorOptimizerLlm,
  createOrchestrator,
  createParallelLlm,
  createRouterLlm,
  llmClassFor,
  QualityRating,
  type Llm,
  type OrchestratorProgress,
} from '@mcp-agent/patterns';

export const app = new MCPApp({ name: 'temporal-examples' });

/** The usage of an example's pattern, as its `usage` query and its result's metadata show it. */
function usageOf(pattern: { usageTree(): UsageNode } | undefined): UsageNode | null {
  return pattern === undefined ? null : pattern.usageTree();
}

/** An agent's LLM: OpenAI's, through the provider by name. */
async function openai(agent: Agent): Promise<Llm> {
  const OpenAI = llmClassFor('openai');
  return agent.attachLlm(OpenAI);
}

@app.workflow
export class SimpleWorkflow extends Workflow<string> {
  #llm: Llm | undefined;

  @app.workflowQuery
  usage(): UsageNode | null {
    return usageOf(this.#llm);
  }

  @app.workflowRun
  async run(input: string): Promise<WorkflowResult<string>> {
    const finder = new Agent({ name: 'finder', instruction: 'You are a helpful assistant.', serverNames: ['filesystem'] });
    this.#llm = await openai(finder);
    const result = await this.#llm.generateStr(input);
    return new WorkflowResult({ value: result, metadata: { usage: this.usage() } });
  }
}

@app.workflow
export class ParallelWorkflow extends Workflow<string> {
  #parallel: Llm | undefined;

  @app.workflowQuery
  usage(): UsageNode | null {
    return usageOf(this.#parallel);
  }

  @app.workflowRun
  async run(story: string): Promise<WorkflowResult<string>> {
    const grader = new Agent({
      name: 'grader',
      instruction:
        'Compile the feedback from the proofreader, the fact checker and the style enforcer into a structured report. Summarise the key issues by type, give actionable recommendations, and an overall grade.',
    });
    this.#parallel = createParallelLlm({ fanOut: reviewers(), fanIn: grader, name: 'story_review' });
    const report = await this.#parallel.generateStr(`Student short story submission: ${story}`);
    return new WorkflowResult({ value: report, metadata: { usage: this.usage() } });
  }
}

/** The reviewers of the parallel and orchestrator examples. */
function reviewers(): Agent[] {
  return [
    new Agent({
      name: 'proofreader',
      instruction:
        'Review the short story for grammar, spelling and punctuation errors. Identify awkward phrasing or structural issues that could improve clarity. Give detailed feedback on corrections.',
    }),
    new Agent({
      name: 'fact_checker',
      instruction:
        'Verify the factual consistency within the story. Identify contradictions, logical inconsistencies or inaccuracies in the plot, the characters’ actions or the setting.',
    }),
    new Agent({
      name: 'style_enforcer',
      instruction: 'Analyse the story for adherence to style guidelines: narrative flow, clarity of expression and tone. Suggest improvements to storytelling and readability.',
    }),
  ];
}

/** What the router example found. */
export interface RouterOutcome {
  /** The agent picked for a request, and the first line of the file it then read with its tools. */
  agent: { name: string; confidence: string; firstLine: string };
  /** The two functions picked for a request, best first, and what the best one returned. */
  functions: { names: string[]; output: string };
  /** The MCP server picked for a request. */
  server: string;
}

function printToConsole(request: string): string {
  return `printed: ${request}`;
}

function printHelloWorld(): string {
  return 'Hello, world!';
}

@app.workflow
export class RouterWorkflow extends Workflow<RouterOutcome> {
  #router: Llm | undefined;

  @app.workflowQuery
  usage(): UsageNode | null {
    return usageOf(this.#router);
  }

  @app.workflowRun
  async run(storyPath: string): Promise<WorkflowResult<RouterOutcome>> {
    const finder = new Agent({
      name: 'finder',
      instruction:
        'You are an agent with access to the filesystem. Your job is to identify the closest match to a user’s request, make the appropriate tool calls, and return the URI and contents of the closest match.',
      serverNames: ['filesystem'],
    });
    const writer = new Agent({
      name: 'writer',
      instruction: 'You are an agent that can write to the filesystem. You take the user’s input, address it, and write the result to disk in the right place.',
      serverNames: ['filesystem'],
    });
    const reasoner = new Agent({
      name: 'reasoner',
      instruction: 'You are a generalist with knowledge of a vast breadth of subjects. You analyse and reason over the user’s query and give a thoughtful answer.',
    });
    const router = createRouterLlm({
      agents: [finder, writer, reasoner],
      serverNames: [{ name: 'filesystem', description: 'Reads and writes files in the examples’ folder.' }],
      functions: [
        { name: 'print_to_console', description: 'Prints the input to the console.', fn: printToConsole },
        { name: 'print_hello_world', description: 'Prints "Hello, world!" to the console.', fn: printHelloWorld },
      ],
    });
    this.#router = router;

    // An agent for a request; then the agent uses its own tools.
    const [agentRoute] = await router.routeToAgent(`Print the contents of ${storyPath} verbatim`);
    if (agentRoute === undefined || agentRoute.category !== 'agent') throw new Error('the router picked no agent');
    const read = await agentRoute.result.callTool('filesystem_read_text_file', { path: storyPath });
    const text = read.content.map((item) => (item.type === 'text' ? String(item.text) : '')).join('');

    // Two functions, best first; then the best is called.
    const functionRoutes = await router.routeToFunction('Print the input to console', 2);
    const best = functionRoutes[0];
    const output = best === undefined ? '' : String(best.result('Hello from the router'));

    // An MCP server for a request.
    const [serverRoute] = await router.routeToServer('Print the first two paragraphs of the short story');

    const value: RouterOutcome = {
      agent: { name: agentRoute.name, confidence: agentRoute.confidence, firstLine: text.split('\n')[0] ?? '' },
      functions: { names: functionRoutes.map((route) => route.name), output },
      server: serverRoute?.name ?? '',
    };
    return new WorkflowResult({ value, metadata: { usage: this.usage() } });
  }
}

@app.workflow
export class OrchestratorWorkflow extends Workflow<string> {
  #orchestrator: ReturnType<typeof createOrchestrator> | undefined;

  @app.workflowQuery
  usage(): UsageNode | null {
    return usageOf(this.#orchestrator);
  }

  /** Where the run stands: the plan, the steps done and their results. */
  @app.workflowQuery
  progress(): OrchestratorProgress | null {
    return this.#orchestrator?.progress() ?? null;
  }

  @app.workflowRun
  async run(task: string): Promise<WorkflowResult<string>> {
    const finder = new Agent({
      name: 'finder',
      instruction: 'You are an agent with access to the filesystem. You find the file a task names, read it with your tools, and return its contents.',
      serverNames: ['filesystem'],
    });
    const writer = new Agent({
      name: 'writer',
      instruction: 'You are an agent that can write to the filesystem. You write what a task asks to the file it names, with your tools.',
      serverNames: ['filesystem'],
    });
    this.#orchestrator = createOrchestrator({ availableAgents: [finder, writer, ...reviewers()], planType: 'full', name: 'story_grader' });
    const report = await this.#orchestrator.generateStr(task);
    return new WorkflowResult({ value: report, metadata: { steps: this.#orchestrator.lastPlanResult?.stepResults.length ?? 0, usage: this.usage() } });
  }
}

@app.workflow
export class EvaluatorOptimizerWorkflow extends Workflow<string> {
  #writer: ReturnType<typeof createEvaluatorOptimizerLlm> | undefined;

  @app.workflowQuery
  usage(): UsageNode | null {
    return usageOf(this.#writer);
  }

  /** The attempts so far, with their ratings. */
  @app.workflowQuery
  attempts(): Array<{ attempt: number; rating: string; feedback: string }> {
    return (this.#writer?.refinementHistory ?? []).map(({ attempt, rating, feedback }) => ({ attempt, rating, feedback }));
  }

  @app.workflowRun
  async run(task: string): Promise<WorkflowResult<string>> {
    const optimizer = new Agent({
      name: 'optimizer',
      instruction:
        'You are a career coach specialising in cover letters. Write a compelling cover letter for the job posting, the candidate and the company given, tailored to the company and the job’s requirements.',
    });
    const evaluator = new Agent({
      name: 'evaluator',
      instruction: [
        'Evaluate the cover letter by these criteria: clarity, specificity (concrete details tailored to the job), relevance, tone and style, persuasiveness, grammar, and whether it addressed the feedback of earlier attempts.',
        'Rate it EXCELLENT, GOOD, FAIR or POOR overall, with specific feedback and the areas to improve.',
      ].join(' '),
    });
    this.#writer = createEvaluatorOptimizerLlm({ optimizer, evaluator, minRating: QualityRating.EXCELLENT, name: 'cover_letter_writer' });
    const result = await this.#writer.generateWithEvaluation(task);
    return new WorkflowResult({ value: result.text, metadata: { rating: result.rating, stopReason: result.stopReason, attempts: result.attempts.length, usage: this.usage() } });
  }
}

@app.workflow
export class WorkflowWithInteraction extends Workflow<string> {
  #llm: Llm | undefined;

  @app.workflowQuery
  usage(): UsageNode | null {
    return usageOf(this.#llm);
  }

  @app.workflowRun
  async run(input: string): Promise<WorkflowResult<string>> {
    // The model may call __human_input__: on Temporal the run then waits for the answer (the
    // `__human_input__` signal, or `mcp-agent workflows resume <id> --payload '...'`), for days if
    // need be; in-process the app's handler (the console by default) answers.
    const poet = new Agent({ name: 'poet', instruction: 'You are a helpful assistant.', functions: [humanInputTool()] });
    this.#llm = await openai(poet);
    const poem = await this.#llm.generateStr(input);
    return new WorkflowResult({ value: poem, metadata: { usage: this.usage() } });
  }
}
