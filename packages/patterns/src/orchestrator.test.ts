// The orchestrator inside a workflow on the in-process engine: the planner's structured output is
// scripted as JSON text, and each role (planner, worker, synthesizer) is answered by a rule that
// recognises it by its system prompt.
import { Agent, type GenerateResult, type RequestParams, type UsageNode, usageNode, WorkflowApplicationError, WorkflowUsageError } from '@mcp-agent/core/workflow';
import type { LlmReply, RecordedLlmRequest } from '@mcp-agent/testing';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { startPatternTestApp } from '../test/support.js';
import { type Llm, llmFactoryOf, type Message, PatternLlm, textResult } from './llm.js';
import { createOrchestrator, isPlanError, type Orchestrator, type OrchestratorProgress, PlanError } from './orchestrator.js';
import { DEFAULT_PLANNER_INSTRUCTION, DEFAULT_SYNTHESIZER_INSTRUCTION, defaultTaskPrompt } from './orchestrator-prompts.js';

const harness = await startPatternTestApp({ name: 'orchestrator-tests' });
const { model } = harness;

afterAll(() => harness.close());
beforeEach(() => model.reset());

const OBJECTIVE = 'Write a short note about sea otters';

/** The system prompt: OpenAI's first message, or Anthropic's `system` (a string or text blocks). */
function systemOf(request: RecordedLlmRequest): string {
  const { system } = request.body as { system?: unknown };
  if (typeof system === 'string') return system;
  if (Array.isArray(system)) return system.map((block: { text?: string }) => block.text ?? '').join('');
  const first = (request.body.messages as Array<{ role: string; content: unknown }> | undefined)?.[0];
  return first?.role === 'system' && typeof first.content === 'string' ? first.content : '';
}

const ROLES: Record<string, string> = {
  [DEFAULT_PLANNER_INSTRUCTION]: 'planner',
  [DEFAULT_SYNTHESIZER_INSTRUCTION]: 'synthesizer',
  'You research topics.': 'researcher',
  'You write drafts.': 'writer',
  'You criticise drafts.': 'critic',
  'You check facts.': 'checker',
};

/** Which role a request came from, by its system prompt. */
function roleOf(request: RecordedLlmRequest): string {
  return ROLES[systemOf(request)] ?? `unknown (${systemOf(request).slice(0, 30)})`;
}

function requestsOf(role: string): RecordedLlmRequest[] {
  return model.requests.filter((request) => roleOf(request) === role);
}

function answer(role: string, reply: LlmReply | ((request: RecordedLlmRequest) => LlmReply), times?: number): void {
  model.addRule({ match: (request) => roleOf(request) === role, reply, ...(times === undefined ? {} : { times }) });
}

function json(value: unknown): LlmReply {
  return { text: JSON.stringify(value) };
}

const workers = () => [
  new Agent({ name: 'researcher', instruction: 'You research topics.', serverNames: [] }),
  new Agent({ name: 'writer', instruction: 'You write drafts.' }),
  new Agent({ name: 'critic', instruction: 'You criticise drafts.' }),
  new Agent({ name: 'translator', instruction: 'You translate.' }),
];

describe('full planning', () => {
  it('plans every step, runs each step’s tasks in parallel with the results so far, then synthesizes', async () => {
    answer(
      'planner',
      json({
        steps: [
          { description: 'Research', tasks: [{ description: 'Collect facts about sea otters', agent: 'researcher' }] },
          {
            description: 'Draft and review',
            tasks: [
              { description: 'Write a paragraph from the facts', agent: 'writer' },
              { description: 'List weak points of the facts', agent: 'critic' },
            ],
          },
        ],
        isComplete: false,
      }),
      1,
    );
    answer('planner', json({ steps: [], isComplete: true }), 1);
    answer('researcher', { text: 'FACT: sea otters hold hands while they sleep.' });
    let seenByWriter: OrchestratorProgress | undefined;
    let orchestrator: Orchestrator | undefined;
    answer('writer', () => {
      seenByWriter = orchestrator?.progress();
      return { text: 'DRAFT: Sea otters sleep holding hands.', delayMilliseconds: 150 };
    });
    answer('critic', { text: 'CRITIQUE: no source is given.', delayMilliseconds: 150 });
    answer('synthesizer', { text: 'FINAL: a note about sea otters.' });

    const { result, planResult, tree } = await harness.inWorkflow(async () => {
      orchestrator = createOrchestrator({ availableAgents: workers() });
      const result = await orchestrator.generate(OBJECTIVE);
      return { result, planResult: orchestrator.lastPlanResult, tree: orchestrator.usageTree() };
    });

    expect(result.text).toBe('FINAL: a note about sea otters.');
    expect(result.iterations).toBe(2);
    const roles = model.requests.map(roleOf);
    expect(roles.slice(0, 2)).toEqual(['planner', 'researcher']);
    expect([...roles.slice(2, 4)].sort()).toEqual(['critic', 'writer']);
    expect(roles.slice(4)).toEqual(['planner', 'synthesizer']);

    // The second step's two tasks were in flight together.
    const [writer] = requestsOf('writer');
    const [critic] = requestsOf('critic');
    expect(writer?.time.getTime()).toBeLessThanOrEqual(critic?.answeredAt?.getTime() ?? 0);
    expect(critic?.time.getTime()).toBeLessThanOrEqual(writer?.answeredAt?.getTime() ?? 0);

    // The planner is told the agents and the shape, and may only name the agents.
    const [firstPlan, secondPlan] = requestsOf('planner');
    expect(firstPlan?.lastUserMessage).toContain(`Objective: ${OBJECTIVE}`);
    expect(firstPlan?.lastUserMessage).toContain('1. researcher\n   Description: You research topics.');
    expect(firstPlan?.lastUserMessage).toContain('No steps have been carried out yet.');
    expect(JSON.stringify(firstPlan?.body.response_format)).toContain('"enum":["researcher","writer","critic","translator"]');
    expect(secondPlan?.lastUserMessage).toContain('Step 1: Research\n  - Task: Collect facts about sea otters (agent: researcher)\n    Result: FACT:');
    expect(secondPlan?.lastUserMessage).toContain('Result: DRAFT: Sea otters sleep holding hands.');
    expect(secondPlan?.lastUserMessage).toContain('Result: CRITIQUE: no source is given.');

    // Each worker sees the objective, the plan so far, the results of earlier steps and its task.
    const researcherPrompt = requestsOf('researcher')[0]?.lastUserMessage ?? '';
    expect(researcherPrompt).toContain(OBJECTIVE);
    expect(researcherPrompt).toContain('1. Research (this step)\n   - Collect facts about sea otters (agent: researcher)\n2. Draft and review (to do)');
    expect(researcherPrompt).toContain('No steps have been carried out yet.');
    expect(researcherPrompt).toContain('Your task: Collect facts about sea otters');
    const writerPrompt = writer?.lastUserMessage ?? '';
    expect(writerPrompt).toContain(OBJECTIVE);
    expect(writerPrompt).toContain('1. Research (done)\n2. Draft and review (this step)');
    expect(writerPrompt).toContain('Result: FACT: sea otters hold hands while they sleep.');
    expect(writerPrompt).toContain('Your task: Write a paragraph from the facts');
    expect(writerPrompt).not.toContain('CRITIQUE');
    expect(critic?.lastUserMessage).toContain('Your task: List weak points of the facts');
    // No history: a worker's request holds its system prompt and its prompt only.
    expect(writer?.body.messages).toHaveLength(2);

    // The synthesizer gets the objective and every result.
    const synthesis = requestsOf('synthesizer')[0]?.lastUserMessage ?? '';
    expect(synthesis).toContain(OBJECTIVE);
    for (const text of ['FACT: sea otters', 'DRAFT: Sea otters', 'CRITIQUE: no source']) expect(synthesis).toContain(text);
    expect(synthesis).toContain('judged that these results achieve the objective');

    // Progress, as a query would read it while the second step ran.
    expect(seenByWriter).toMatchObject({ phase: 'executing', iteration: 1, currentStep: { description: 'Draft and review' } });
    expect(seenByWriter?.planResult?.stepResults.map((stepResult) => stepResult.step.description)).toEqual(['Research']);

    expect(planResult).toEqual({
      objective: OBJECTIVE,
      plan: {
        steps: [
          { description: 'Research', tasks: [{ description: 'Collect facts about sea otters', agent: 'researcher' }] },
          {
            description: 'Draft and review',
            tasks: [
              { description: 'Write a paragraph from the facts', agent: 'writer' },
              { description: 'List weak points of the facts', agent: 'critic' },
            ],
          },
        ],
        isComplete: true,
      },
      stepResults: [
        {
          step: { description: 'Research', tasks: [{ description: 'Collect facts about sea otters', agent: 'researcher' }] },
          taskResults: [{ task: 'Collect facts about sea otters', agent: 'researcher', result: 'FACT: sea otters hold hands while they sleep.' }],
        },
        {
          step: expect.objectContaining({ description: 'Draft and review' }),
          taskResults: [
            { task: 'Write a paragraph from the facts', agent: 'writer', result: 'DRAFT: Sea otters sleep holding hands.' },
            { task: 'List weak points of the facts', agent: 'critic', result: 'CRITIQUE: no source is given.' },
          ],
        },
      ],
      isComplete: true,
      result: 'FINAL: a note about sea otters.',
    });

    // Usage: the planner, the workers used (not the translator), the synthesizer.
    expect(tree.name).toBe('orchestrator');
    expect(tree.kind).toBe('orchestrator');
    expect(tree.children.map((child) => [child.name, child.kind, child.usage.calls])).toEqual([
      ['planner', 'llm', 2],
      ['researcher', 'llm', 1],
      ['writer', 'llm', 1],
      ['critic', 'llm', 1],
      ['synthesizer', 'llm', 1],
    ]);
    expect(tree.usage.calls).toBe(6);
    expect(result.usage.totalTokens).toBe(tree.usage.totalTokens);
  });
});

describe('iterative planning', () => {
  it('plans one step at a time from the results so far, reading lenient JSON, until the planner says complete', async () => {
    answer('planner', json({ description: 'Research', tasks: [{ description: 'Collect facts', agent: 'researcher' }], isComplete: false }), 1);
    // Code fences, Python-style `is_complete` and an agent name in another case are accepted.
    answer('planner', { text: '```json\n{"description": "Write", "tasks": [{"description": "Write the note", "agent": "Writer"}], "is_complete": false}\n```' }, 1);
    answer('planner', json({ description: '', tasks: [], isComplete: true }), 1);
    answer('researcher', { text: 'FACT: otters use stones as tools.' });
    answer('writer', { text: 'DRAFT: Otters use stones.' });
    answer('synthesizer', { text: 'FINAL: otters and stones.' });

    const { text, planResult } = await harness.inWorkflow(async () => {
      const orchestrator = createOrchestrator({
        availableAgents: workers(),
        planType: 'iterative',
        overrides: { taskPrompt: (input) => `${defaultTaskPrompt(input)}\nKeep it short.` },
      });
      return { text: await orchestrator.generateStr(OBJECTIVE), planResult: orchestrator.lastPlanResult };
    });

    expect(text).toBe('FINAL: otters and stones.');
    expect(model.requests.map(roleOf)).toEqual(['planner', 'researcher', 'planner', 'writer', 'planner', 'synthesizer']);
    const plans = requestsOf('planner').map((request) => request.lastUserMessage ?? '');
    expect(plans[0]).toContain('Decide the next step towards an objective');
    expect(plans[0]).toContain('No steps have been carried out yet.');
    expect(plans[1]).toContain('Result: FACT: otters use stones as tools.');
    expect(plans[2]).toContain('Result: DRAFT: Otters use stones.');
    const writerPrompt = requestsOf('writer')[0]?.lastUserMessage ?? '';
    expect(writerPrompt).toContain('1. Research (done)\n2. Write (this step)');
    expect(writerPrompt).toContain('Result: FACT: otters use stones as tools.');
    expect(writerPrompt.endsWith('\nKeep it short.')).toBe(true);
    expect(planResult?.plan?.steps.map((step) => step.description)).toEqual(['Research', 'Write']);
    expect(planResult?.stepResults[1]?.taskResults).toEqual([{ task: 'Write the note', agent: 'writer', result: 'DRAFT: Otters use stones.' }]);
    expect(planResult?.isComplete).toBe(true);
  });

  it('stops at maxIterations and has the synthesizer answer from the results so far', async () => {
    answer('planner', json({ description: 'Research more', tasks: [{ description: 'Find one more fact', agent: 'researcher' }], isComplete: false }));
    answer('researcher', { text: 'FACT: another one.' });
    answer('synthesizer', { text: 'PARTIAL answer.' });
    const { text, planResult, progress } = await harness.inWorkflow(async () => {
      const orchestrator = createOrchestrator({ availableAgents: workers(), planType: 'iterative', maxIterations: 2 });
      return { text: await orchestrator.generateStr(OBJECTIVE), planResult: orchestrator.lastPlanResult, progress: orchestrator.progress() };
    });
    expect(text).toBe('PARTIAL answer.');
    expect(model.requests.map(roleOf)).toEqual(['planner', 'researcher', 'planner', 'researcher', 'synthesizer']);
    expect(requestsOf('synthesizer')[0]?.lastUserMessage).toContain('stopped at its iteration limit before the planner judged the objective achieved');
    expect(planResult?.isComplete).toBe(false);
    expect(planResult?.stepResults).toHaveLength(2);
    expect(progress).toMatchObject({ phase: 'done', iteration: 2 });
    expect(progress.currentStep).toBeUndefined();
  });
});

describe('invalid plans', () => {
  it('sends a plan naming an unknown agent back with the error and the valid names, then raises PlanError', async () => {
    const bad = { steps: [{ description: 'Translate', tasks: [{ description: 'Translate the note', agent: 'translator' }] }], isComplete: false };
    answer('planner', json(bad));
    const outcome = await harness.inWorkflow(async () => {
      const orchestrator = createOrchestrator({ availableAgents: workers().slice(0, 2), maxPlanRetries: 1 });
      try {
        await orchestrator.generateStr(OBJECTIVE);
        return { failed: false };
      } catch (error) {
        return {
          failed: true,
          isPlanError: isPlanError(error),
          isInstance: error instanceof PlanError,
          nonRetryable: (error as WorkflowApplicationError).nonRetryable,
          message: (error as Error).message,
          phase: orchestrator.progress().phase,
        };
      }
    });
    expect(outcome).toMatchObject({ failed: true, isPlanError: true, isInstance: true, nonRetryable: true, phase: 'failed' });
    expect(outcome.message).toMatch(/the planner "planner" gave no valid plan in 2 attempts; the last problem: step 1, task 1: there is no agent named "translator"/);
    expect(outcome.message).toContain('The available agents are: researcher, writer.');
    // Two planner requests (one retry), no worker ran.
    expect(model.requests.map(roleOf)).toEqual(['planner', 'planner']);
    const retry = model.requests[1]?.lastUserMessage ?? '';
    expect(retry.startsWith(model.requests[0]?.lastUserMessage ?? '-')).toBe(true);
    expect(retry).toContain(`Your previous answer was:\n${JSON.stringify(bad)}`);
    expect(retry).toContain('Your previous answer was rejected: step 1, task 1: there is no agent named "translator"');
    expect(retry).toContain('The valid agent names are: researcher, writer.');
  });

  it('recovers when a retry gives a valid plan, telling the planner what was wrong with its text', async () => {
    answer('planner', { text: 'Sure, I will plan this carefully.' }, 1);
    answer('planner', json({ steps: [{ description: 'Research', tasks: [] }], isComplete: false }), 1);
    answer('planner', json({ steps: [{ description: 'Research', tasks: [{ description: 'Collect facts', agent: 'researcher' }] }], isComplete: false }), 1);
    answer('planner', json({ steps: [], isComplete: true }), 1);
    answer('researcher', { text: 'FACT: fine.' });
    answer('synthesizer', { text: 'FINAL: fine.' });
    const text = await harness.inWorkflow(() => createOrchestrator({ availableAgents: workers() }).generateStr(OBJECTIVE));
    expect(text).toBe('FINAL: fine.');
    expect(model.requests.map(roleOf)).toEqual(['planner', 'planner', 'planner', 'researcher', 'planner', 'synthesizer']);
    expect(model.requests[1]?.lastUserMessage).toContain('rejected: the answer is not a JSON object');
    expect(model.requests[2]?.lastUserMessage).toContain('rejected: step 1 ("Research") has no tasks');
  });

  it('recognises a plan error that crossed a boundary as a plain WorkflowApplicationError', () => {
    const crossed = new WorkflowApplicationError('no plan', { type: 'PlanError', nonRetryable: true });
    expect(isPlanError(crossed)).toBe(true);
    expect(crossed instanceof PlanError).toBe(true);
    expect(PlanError.is(new WorkflowApplicationError('other', { type: 'StructuredOutputError' }))).toBe(false);
    expect(new PlanError('x')).toMatchObject({ type: 'PlanError', nonRetryable: true, name: 'PlanError' });
  });
});

/** A small pattern for the composition test: asks each of its LLMs and joins their answers. */
class Panel extends PatternLlm {
  readonly kind = 'panel';
  constructor(
    name: string,
    private readonly members: Llm[],
  ) {
    super(name);
  }
  async generate(message: Message, params?: RequestParams): Promise<GenerateResult> {
    const answers = await Promise.all(this.members.map((member) => member.generateStr(message, params)));
    return textResult(answers.join(' | '), { inputTokens: 0, outputTokens: 0, totalTokens: 0 });
  }
  usageTree(): UsageNode {
    return usageNode(this.name, this.kind, this.members);
  }
  protected async structuringLlm(): Promise<Llm> {
    return this.members[0] as Llm;
  }
}

describe('composition', () => {
  it('uses a pattern and an LLM (of another provider) as workers, and shows them in the usage tree', async () => {
    answer(
      'planner',
      json({
        steps: [
          {
            description: 'Review',
            tasks: [
              { description: 'Draft and critique the note', agent: 'panel' },
              { description: 'Check the facts', agent: 'checker' },
            ],
          },
        ],
        isComplete: false,
      }),
      1,
    );
    answer('planner', json({ steps: [], isComplete: true }), 1);
    answer('writer', { text: 'DRAFT from the panel.' });
    answer('critic', { text: 'CRITIQUE from the panel.' });
    answer('checker', { text: 'CHECKED.' });
    answer('synthesizer', { text: 'FINAL composed.' });

    const { text, tree, planResult } = await harness.inWorkflow(async () => {
      const factory = llmFactoryOf();
      const panel = new Panel('panel', [
        await factory(new Agent({ name: 'writer', instruction: 'You write drafts.' })),
        await factory(new Agent({ name: 'critic', instruction: 'You criticise drafts.' })),
      ]);
      const checker = await llmFactoryOf({ provider: 'anthropic' })(new Agent({ name: 'checker', instruction: 'You check facts.' }));
      const orchestrator = createOrchestrator({ availableAgents: [panel, checker], name: 'composer' });
      return { text: await orchestrator.generateStr(OBJECTIVE), tree: orchestrator.usageTree(), planResult: orchestrator.lastPlanResult };
    });

    expect(text).toBe('FINAL composed.');
    expect(requestsOf('planner')[0]?.lastUserMessage).toContain('1. panel\n   Description: A workflow pattern (panel) made of other agents.');
    expect(requestsOf('planner')[0]?.lastUserMessage).toContain('2. checker\n   Description: You check facts.');
    for (const role of ['writer', 'critic']) expect(requestsOf(role)[0]?.lastUserMessage).toContain('Your task: Draft and critique the note');
    expect(requestsOf('checker')[0]?.provider).toBe('anthropic');
    expect(planResult?.stepResults[0]?.taskResults.map((taskResult) => taskResult.result)).toEqual(['DRAFT from the panel. | CRITIQUE from the panel.', 'CHECKED.']);

    const shape = (node: UsageNode): unknown => [node.name, node.kind, node.usage.calls, node.children.map(shape)];
    expect(shape(tree)).toEqual([
      'composer',
      'orchestrator',
      6,
      [
        ['planner', 'llm', 2, []],
        [
          'panel',
          'panel',
          2,
          [
            ['writer', 'llm', 1, []],
            ['critic', 'llm', 1, []],
          ],
        ],
        ['checker', 'llm', 1, []],
        ['synthesizer', 'llm', 1, []],
      ],
    ]);
  });

  it('reports empty planner and synthesizer nodes before its first run', () => {
    const tree = createOrchestrator({ availableAgents: workers() }).usageTree();
    expect(tree.children.map((child) => [child.name, child.usage.calls])).toEqual([
      ['planner', 0],
      ['synthesizer', 0],
    ]);
  });
});

describe('options', () => {
  it('refuses bad options with errors that name the value and the fix', () => {
    const [researcher, writer] = workers() as [Agent, Agent];
    const attempts: Array<[() => unknown, RegExp]> = [
      [() => createOrchestrator({ availableAgents: [] }), /availableAgents: expected a non-empty array/],
      [
        () => createOrchestrator({ availableAgents: [researcher, new Agent({ name: 'researcher' })] }),
        /the name "researcher" is used by entries 0 and 1; give each worker a unique name/,
      ],
      [() => createOrchestrator({ availableAgents: [researcher, 'writer' as unknown as Agent] }), /availableAgents\[1\]: expected an Agent, an AugmentedLLM or a pattern, got "writer"/],
      [() => createOrchestrator({ availableAgents: [writer], planType: 'stepwise' as 'full' }), /planType: expected "full" or "iterative", got "stepwise"/],
      [() => createOrchestrator({ availableAgents: [writer], maxIterations: 0 }), /maxIterations: expected a whole number >= 1, got 0/],
      [() => createOrchestrator({ availableAgents: [writer], maxPlanRetries: -1 }), /maxPlanRetries: expected a whole number >= 0, got -1/],
      [
        () => createOrchestrator({ availableAgents: [writer], planner: researcher, overrides: { plannerInstruction: 'Plan well.' } }),
        /overrides.plannerInstruction sets the default planner's instruction, but a planner was given/,
      ],
      [() => createOrchestrator({ availableAgents: [writer], overrides: { taskPrompt: 'Do it' as unknown as () => string } }), /overrides.taskPrompt: expected a function/],
    ];
    for (const [attempt, message] of attempts) {
      expect(attempt).toThrow(WorkflowUsageError);
      expect(attempt).toThrow(message);
    }
  });
});
