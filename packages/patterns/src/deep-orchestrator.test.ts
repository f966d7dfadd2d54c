// The deep orchestrator inside a workflow on the in-process engine, with the planner, workers,
// knowledge extractor, verifier and synthesizer answered by rules keyed on their system prompts.
import { Agent, WorkflowApplicationError, WorkflowUsageError } from '@mcp-agent/core';
import { currentWorkflowContext } from '@mcp-agent/core/engine/workflow';
import { type LlmReply, type RecordedLlmRequest, replyWithText } from '@mcp-agent/testing';
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { startPatternTestApp } from '../test/support.js';
import { createDeepOrchestrator, type PolicyState } from './deep-orchestrator.js';
import { BudgetTracker, resolveBudget } from './deep-orchestrator-budget.js';
import { KnowledgeBase } from './deep-orchestrator-knowledge.js';
import { verifyPlan } from './deep-orchestrator-plan.js';
import { KNOWLEDGE_EXTRACTOR_INSTRUCTION, PLANNER_INSTRUCTION, SYNTHESIZER_INSTRUCTION, VERIFIER_INSTRUCTION } from './deep-orchestrator-prompts.js';
import { type DeepOrchestratorAgentSpec, defineDeepOrchestratorStepWorkflow } from './deep-orchestrator-step.js';
import { llmFactoryOf } from './llm.js';

const harness = await startPatternTestApp();
const { model } = harness;
afterAll(() => harness.close());
beforeEach(() => model.reset());

const RESEARCHER = 'You research facts.';
const WRITER = 'You write reports.';
const researcher = () => new Agent({ name: 'researcher', instruction: RESEARCHER });
const writer = () => new Agent({ name: 'writer', instruction: WRITER });

function systemOf(request: RecordedLlmRequest): string {
  const messages = (request.body.messages ?? []) as Array<{ role: string; content: unknown }>;
  const system = messages.find((message) => message.role === 'system');
  return typeof system?.content === 'string' ? system.content : '';
}

const ROLES: Record<string, string> = {
  [PLANNER_INSTRUCTION]: 'planner',
  [KNOWLEDGE_EXTRACTOR_INSTRUCTION]: 'extractor',
  [VERIFIER_INSTRUCTION]: 'verifier',
  [SYNTHESIZER_INSTRUCTION]: 'synthesizer',
  [RESEARCHER]: 'researcher',
  [WRITER]: 'writer',
};
/** Who was asked, in order. */
const roles = () => model.requests.map((request) => ROLES[systemOf(request)] ?? 'unknown');
const asked = (role: string) => model.requests.filter((request) => ROLES[systemOf(request)] === role).map((request) => request.lastUserMessage ?? '');

function on(instruction: string, reply: LlmReply | ((request: RecordedLlmRequest) => LlmReply), times?: number): void {
  model.addRule({ match: (request) => systemOf(request) === instruction, reply, ...(times === undefined ? {} : { times }) });
}
const json = (value: unknown, usage?: { inputTokens: number; outputTokens: number }): LlmReply => ({ text: JSON.stringify(value), ...(usage === undefined ? {} : { usage }) });
const task = (name: string, agent: string, extra: { dependsOn?: string[]; requiredKnowledge?: string[]; description?: string } = {}) => ({
  name,
  description: extra.description ?? `Do ${name}`,
  agent,
  dependsOn: extra.dependsOn ?? [],
  requiredKnowledge: extra.requiredKnowledge ?? [],
});
const twoStepPlan = {
  reasoning: 'find, then write',
  isComplete: false,
  steps: [
    { description: 'Research', tasks: [task('find_capital', 'researcher')] },
    { description: 'Write', tasks: [task('write_report', 'writer', { dependsOn: ['find_capital'], requiredKnowledge: ['capital'] })] },
  ],
};
const complete = { isComplete: true, confidence: 0.9, reasoning: 'all done', missing: [] };

describe('deep orchestrator: plan, steps, knowledge, answer', () => {
  it('runs a two-step plan; the facts of step 1 and its result reach the step 2 worker', async () => {
    on(PLANNER_INSTRUCTION, json(twoStepPlan));
    on(RESEARCHER, replyWithText('The capital of France is Paris, with about 2.1 million inhabitants.'));
    on(KNOWLEDGE_EXTRACTOR_INSTRUCTION, (request) =>
      json(
        request.lastUserMessage?.includes('find_capital')
          ? { facts: [{ key: 'capital', value: 'Paris', confidence: 0.95 }] }
          : { facts: [{ key: 'report_tone', value: 'short and factual', confidence: 0.5 }] },
      ),
    );
    on(WRITER, replyWithText('Report: Paris is the capital of France.'));
    on(VERIFIER_INSTRUCTION, json(complete));
    on(SYNTHESIZER_INSTRUCTION, replyWithText('Final: Paris is the capital.'));

    const { result, progress, tree } = await harness.inWorkflow(async () => {
      const orchestrator = createDeepOrchestrator({ availableAgents: [researcher(), writer()], name: 'study' });
      const result = await orchestrator.orchestrate('Write a short report on the capital of France');
      return { result, progress: orchestrator.progress(), tree: orchestrator.usageTree() };
    });

    expect(result.text).toBe('Final: Paris is the capital.');
    expect(result.stopReason).toBe('completed');
    expect(result.exceededBudget).toBeUndefined();
    expect(roles()).toEqual(['planner', 'researcher', 'extractor', 'writer', 'extractor', 'verifier', 'synthesizer']);

    const [planning] = asked('planner');
    expect(planning).toContain('Write a short report on the capital of France');
    expect(planning).toContain(`- researcher: ${RESEARCHER}`);
    expect(planning).toContain(`- writer: ${WRITER}`);

    const [research] = asked('researcher');
    expect(research).toContain('<task name="find_capital">');
    expect(research).not.toContain('<knowledge>');
    const [writing] = asked('writer');
    expect(writing).toContain('<knowledge>\n- capital: Paris (confidence 0.95)\n</knowledge>');
    expect(writing).toContain('<result task="find_capital">\nThe capital of France is Paris, with about 2.1 million inhabitants.\n</result>');

    const synthesis = asked('synthesizer')[0] ?? '';
    expect(synthesis).toContain('Report: Paris is the capital of France.');
    expect(synthesis).toContain('- capital: Paris');
    expect(synthesis).not.toContain('<note>');

    expect(progress.status).toBe('done');
    expect(progress.completedSteps.map((step) => [step.number, step.description, step.tasks.map((t) => t.name)])).toEqual([
      [1, 'Research', ['find_capital']],
      [2, 'Write', ['write_report']],
    ]);
    expect(progress.knowledge.map((item) => [item.key, item.step])).toEqual([
      ['capital', 1],
      ['report_tone', 2],
    ]);
    expect(progress.budget.spent.iterations).toBe(2);
    expect(progress.budget.spent.tokens).toBe(result.budget.spent.tokens);

    expect(tree.name).toBe('study');
    expect(tree.kind).toBe('deep-orchestrator');
    expect(tree.children.map((child) => [child.name, child.usage.calls])).toEqual([
      ['planner', 1],
      ['knowledge-extractor', 2],
      ['verifier', 1],
      ['workers', 2],
      ['synthesizer', 1],
    ]);
    expect(tree.children[3]?.children.map((child) => [child.name, child.usage.calls])).toEqual([
      ['researcher', 1],
      ['writer', 1],
    ]);
    expect(tree.usage.calls).toBe(7);
    expect(result.usage.totalTokens).toBe(tree.usage.totalTokens);
  });

  it('sends a rejected plan back with its errors, then fails with a PlanError', async () => {
    const bad = {
      reasoning: 'r',
      isComplete: false,
      steps: [
        { description: 'Go', tasks: [task('a', 'editor'), task('a', 'researcher')] },
        { description: 'Nothing', tasks: [] },
      ],
    };
    on(PLANNER_INSTRUCTION, replyWithText('I think we should research first.'), 1);
    on(PLANNER_INSTRUCTION, json(bad));

    const failure = await harness.inWorkflow(async () => {
      const orchestrator = createDeepOrchestrator({ availableAgents: [researcher(), writer()], maxPlanAttempts: 3 });
      try {
        await orchestrator.generateStr('Do the thing');
        return undefined;
      } catch (error) {
        const e = error as WorkflowApplicationError;
        return { isApplicationError: WorkflowApplicationError.is(e), type: e.type, nonRetryable: e.nonRetryable, message: e.message, status: orchestrator.progress().status };
      }
    });

    expect(failure).toMatchObject({ isApplicationError: true, type: 'PlanError', nonRetryable: true, status: 'failed' });
    expect(failure?.message).toContain('the planner gave no valid plan in 3 attempts');
    expect(failure?.message).toContain('task "a" (step 1) names the agent "editor", which does not exist; use one of: researcher, writer');
    expect(failure?.message).toContain('task name "a" is used twice (steps 1 and 1)');
    expect(failure?.message).toContain('step 2 ("Nothing") has no tasks');
    expect(roles()).toEqual(['planner', 'planner', 'planner']);
    const [first, second, third] = asked('planner');
    expect(first).not.toContain('<plan_errors>');
    expect(second).toContain('<plan_errors>');
    expect(second).toMatch(/does not match the schema/);
    expect(third).toContain('<rejected_plan>');
    expect(third).toContain('"agent": "editor"');
    expect(third).toContain('names the agent "editor"');
  });
});

describe('deep orchestrator: budgets', () => {
  it('stops after step 1 when the token budget is used up, and answers from the work done', async () => {
    const usage = { inputTokens: 100, outputTokens: 100 };
    on(PLANNER_INSTRUCTION, json(twoStepPlan, usage));
    on(RESEARCHER, { text: 'Paris is the capital.', usage });
    on(KNOWLEDGE_EXTRACTOR_INSTRUCTION, json({ facts: [{ key: 'capital', value: 'Paris', confidence: 0.9 }] }, usage));
    on(SYNTHESIZER_INSTRUCTION, { text: 'Partial answer: Paris.', usage });

    const { result, progress } = await harness.inWorkflow(async () => {
      const orchestrator = createDeepOrchestrator({ availableAgents: [researcher(), writer()], budget: { maxTokens: 600 } });
      const result = await orchestrator.orchestrate('Report on the capital of France');
      return { result, progress: orchestrator.progress() };
    });

    // 200 tokens after planning (under 90% of 600); 600 after step 1: no step 2, no verifier.
    expect(roles()).toEqual(['planner', 'researcher', 'extractor', 'synthesizer']);
    expect(result).toMatchObject({ text: 'Partial answer: Paris.', stopReason: 'budget_exceeded', exceededBudget: 'tokens' });
    // The budget's spending covers the whole run, final answer included.
    expect(result.budget).toMatchObject({ spent: { tokens: 800, iterations: 1 }, limits: { tokens: 600, costUsd: 10, timeMs: 1_800_000, iterations: 20 } });
    expect(result.usage.totalTokens).toBe(800);
    const synthesis = asked('synthesizer')[0] ?? '';
    expect(synthesis).toContain('Paris is the capital.');
    expect(synthesis).toContain('the token budget was used up');
    expect(progress).toMatchObject({ status: 'done', stopReason: 'budget_exceeded', exceededBudget: 'tokens' });
  });

  it('stops at maxIterations steps with the iterations budget named', async () => {
    on(PLANNER_INSTRUCTION, json(twoStepPlan));
    on(RESEARCHER, replyWithText('Paris.'));
    on(KNOWLEDGE_EXTRACTOR_INSTRUCTION, json({ facts: [] }));
    on(SYNTHESIZER_INSTRUCTION, replyWithText('Paris, probably.'));
    const result = await harness.inWorkflow(() => createDeepOrchestrator({ availableAgents: [researcher(), writer()], maxIterations: 1 }).orchestrate('Capital?'));
    expect(result).toMatchObject({ stopReason: 'budget_exceeded', exceededBudget: 'iterations', text: 'Paris, probably.' });
    expect(roles()).toEqual(['planner', 'researcher', 'extractor', 'synthesizer']);
    expect(asked('synthesizer')[0]).toContain('step limit (maxIterations)');
  });

  it('refuses bad options with the value and the fix', () => {
    expect(() => createDeepOrchestrator({ availableAgents: [] })).toThrow(WorkflowUsageError);
    expect(() => createDeepOrchestrator({ availableAgents: [researcher(), researcher()] })).toThrow(/two available agents are named "researcher"/);
    expect(() => createDeepOrchestrator({ availableAgents: [researcher()], budget: { maxTokens: 0 } })).toThrow(/budget\.maxTokens: expected a number above 0/);
    expect(() => createDeepOrchestrator({ availableAgents: [researcher()], budget: { maxTime: 'soon' } })).toThrow(/budget\.maxTime: expected milliseconds or a string like/);
    expect(() => createDeepOrchestrator({ availableAgents: [researcher()], maxReplans: -1 })).toThrow(/maxReplans: expected a whole number >= 0, got -1/);
    expect(() => createDeepOrchestrator({ availableAgents: [researcher()], childWorkflows: { workflow: '' } })).toThrow(/childWorkflows must be true, false or/);
  });
});

describe('deep orchestrator: replanning', () => {
  it('replans when the policy says so, with the work done and the facts in the new planning prompt', async () => {
    on(PLANNER_INSTRUCTION, json(twoStepPlan), 1);
    on(
      PLANNER_INSTRUCTION,
      json({ reasoning: 'write from the facts', isComplete: false, steps: [{ description: 'Final write', tasks: [task('final_report', 'writer', { dependsOn: ['find_capital'] })] }] }),
    );
    on(RESEARCHER, replyWithText('Paris is the capital.'));
    on(WRITER, replyWithText('The report.'));
    on(KNOWLEDGE_EXTRACTOR_INSTRUCTION, json({ facts: [{ key: 'capital', value: 'Paris', confidence: 0.9 }] }));
    on(VERIFIER_INSTRUCTION, json(complete));
    on(SYNTHESIZER_INSTRUCTION, replyWithText('Done.'));
    const seen: PolicyState[] = [];

    const { result, progress } = await harness.inWorkflow(async () => {
      const orchestrator = createDeepOrchestrator({
        availableAgents: [researcher(), writer()],
        policy: {
          decide: (state) => {
            seen.push(state);
            return state.replans === 0 ? 'replan' : undefined;
          },
        },
      });
      const result = await orchestrator.orchestrate('Report on the capital');
      return { result, progress: orchestrator.progress() };
    });

    expect(roles()).toEqual(['planner', 'researcher', 'extractor', 'planner', 'writer', 'extractor', 'verifier', 'synthesizer']);
    expect(seen.map((state) => [state.step.number, state.remainingSteps, state.replans])).toEqual([
      [1, 1, 0],
      [2, 0, 1],
    ]);
    const replanning = asked('planner')[1] ?? '';
    expect(replanning).toContain('<why_replan>\nAfter step 1, the policy asked for a new plan.\n</why_replan>');
    expect(replanning).toContain('- find_capital (researcher): done. Result: Paris is the capital.');
    expect(replanning).toContain('- capital: Paris (confidence 0.90)');
    expect(asked('writer')[0]).toContain('<task name="final_report">');
    expect(result.stopReason).toBe('completed');
    expect(result.replans).toBe(1);
    expect(progress.plan?.reasoning).toBe('write from the facts');
    expect(progress.completedSteps.map((step) => step.description)).toEqual(['Research', 'Final write']);
  });

  it('replans after a failed task by default, and stops at maxReplans when the objective is still not met', async () => {
    on(PLANNER_INSTRUCTION, json(twoStepPlan), 1);
    on(PLANNER_INSTRUCTION, json({ reasoning: 'try the writer', isComplete: false, steps: [{ description: 'Write anyway', tasks: [task('write_anyway', 'writer')] }] }));
    on(RESEARCHER, { error: { status: 400, message: 'the research source is down' } });
    on(WRITER, replyWithText('A guess.'));
    on(KNOWLEDGE_EXTRACTOR_INSTRUCTION, json({ facts: [] }));
    on(VERIFIER_INSTRUCTION, json({ isComplete: false, confidence: 0.7, reasoning: 'only a guess', missing: ['a sourced answer'] }));
    on(SYNTHESIZER_INSTRUCTION, replyWithText('Best effort.'));

    const result = await harness.inWorkflow(() => createDeepOrchestrator({ availableAgents: [researcher(), writer()], maxReplans: 1 }).orchestrate('Capital?'));

    expect(roles().filter((role) => role !== 'researcher')).toEqual(['planner', 'planner', 'writer', 'extractor', 'verifier', 'synthesizer']);
    expect(result.steps[0]?.tasks[0]).toMatchObject({ name: 'find_capital', error: expect.stringContaining('the research source is down') });
    const replanning = asked('planner')[1] ?? '';
    expect(replanning).toContain('Tasks of step 1 failed:\n- find_capital (researcher):');
    expect(replanning).toContain('- find_capital (researcher): FAILED:');
    expect(result).toMatchObject({ stopReason: 'max_replans', replans: 1, text: 'Best effort.' });
    expect(asked('synthesizer')[0]).toContain('after the allowed number of new plans');
  });
});

describe('deep orchestrator: steps in child workflows', () => {
  it('runs each step in a child workflow whose workers are rebuilt from their specs', async () => {
    const children: Array<{ workflowName: string | undefined; parent: string | undefined; spec: DeepOrchestratorAgentSpec }> = [];
    defineDeepOrchestratorStepWorkflow(harness.app, {
      name: 'RecordingDeepStep',
      agents: (spec) => {
        const info = currentWorkflowContext()?.info;
        children.push({ workflowName: info?.workflowName, parent: info?.parent?.workflowId, spec });
        return undefined;
      },
    });
    on(PLANNER_INSTRUCTION, json(twoStepPlan));
    on(RESEARCHER, { text: 'Paris is the capital.', usage: { inputTokens: 40, outputTokens: 10 } });
    on(WRITER, { text: 'Report on Paris.', usage: { inputTokens: 30, outputTokens: 20 } });
    on(KNOWLEDGE_EXTRACTOR_INSTRUCTION, json({ facts: [{ key: 'capital', value: 'Paris', confidence: 0.9 }] }));
    on(VERIFIER_INSTRUCTION, json(complete));
    on(SYNTHESIZER_INSTRUCTION, replyWithText('Final.'));

    const { result, tree, parentId } = await harness.inWorkflow(async () => {
      const orchestrator = createDeepOrchestrator({ availableAgents: [researcher(), writer()], model: 'gpt-4o', childWorkflows: { workflow: 'RecordingDeepStep' } });
      const result = await orchestrator.orchestrate('Report on the capital');
      return { result, tree: orchestrator.usageTree(), parentId: currentWorkflowContext()?.info.workflowId };
    });

    expect(result).toMatchObject({ text: 'Final.', stopReason: 'completed' });
    expect(children).toEqual([
      { workflowName: 'RecordingDeepStep', parent: parentId, spec: { name: 'researcher', instruction: RESEARCHER, serverNames: [], provider: 'openai', model: 'gpt-4o' } },
      { workflowName: 'RecordingDeepStep', parent: parentId, spec: { name: 'writer', instruction: WRITER, serverNames: [], provider: 'openai', model: 'gpt-4o' } },
    ]);
    expect(asked('writer')[0]).toContain('<result task="find_capital">\nParis is the capital.\n</result>');
    expect(asked('writer')[0]).toContain('- capital: Paris (confidence 0.90)');
    expect(model.requests.filter((request) => ['researcher', 'writer'].includes(ROLES[systemOf(request)] ?? '')).map((request) => request.model)).toEqual(['gpt-4o', 'gpt-4o']);
    // The workers' usage comes back from the children into the tree and the budget.
    const workers = tree.children.find((child) => child.name === 'workers');
    expect(workers?.children.map((child) => [child.name, child.usage.calls, child.usage.totalTokens])).toEqual([
      ['researcher', 1, 50],
      ['writer', 1, 50],
    ]);
    expect(result.budget.spent.tokens).toBe(tree.usage.totalTokens);
  });

  it('names the fix when a worker’s local tools, or the orchestrator’s llmFactory, cannot be sent to a child workflow', async () => {
    defineDeepOrchestratorStepWorkflow(harness.app, { name: 'DataOnlyDeepStep' });
    on(PLANNER_INSTRUCTION, json({ reasoning: 'r', isComplete: false, steps: [{ description: 'Look up', tasks: [task('look_up', 'researcher')] }] }));
    const withTools = () => new Agent({ name: 'researcher', instruction: RESEARCHER, functions: [{ name: 'lookup', run: () => 'found' }] });
    await expect(
      harness.inWorkflow(() => createDeepOrchestrator({ availableAgents: [withTools()], childWorkflows: { workflow: 'DataOnlyDeepStep' } }).orchestrate('Go')),
    ).rejects.toThrow(/the worker "researcher" has local tools \(lookup\), which cannot be sent to a child workflow as data; give it in the step workflow's options/);
    await expect(
      harness.inWorkflow(() =>
        createDeepOrchestrator({ availableAgents: [researcher()], llmFactory: llmFactoryOf({ model: 'gpt-4o' }), childWorkflows: { workflow: 'DataOnlyDeepStep' } }).orchestrate('Go'),
      ),
    ).rejects.toThrow(/makes its workers' LLMs with an llmFactory, which cannot be sent to a child workflow; give the same factory to the step workflow/);
  });

  it('names the fix when a pattern worker cannot be sent to a child workflow', async () => {
    defineDeepOrchestratorStepWorkflow(harness.app, { name: 'PlainDeepStep' });
    on(PLANNER_INSTRUCTION, json({ reasoning: 'r', isComplete: false, steps: [{ description: 'Ask', tasks: [task('ask', 'inner')] }] }));
    const inner = createDeepOrchestrator({ availableAgents: [researcher()], name: 'inner' });
    await expect(harness.inWorkflow(() => createDeepOrchestrator({ availableAgents: [inner], childWorkflows: { workflow: 'PlainDeepStep' } }).orchestrate('Go'))).rejects.toThrow(
      /the worker "inner" is a deep-orchestrator pattern, which cannot be sent to a child workflow; give it in the step workflow's options/,
    );
  });
});

describe('deep orchestrator: its parts', () => {
  it('checks dependencies: earlier steps and work done only', () => {
    const plan = {
      reasoning: 'r',
      isComplete: false,
      steps: [
        { description: 'One', tasks: [task('a', 'researcher', { dependsOn: ['b'] }), task('b', 'researcher', { dependsOn: ['old'] })] },
        { description: 'Two', tasks: [task('c', 'writer', { dependsOn: ['a', 'ghost'] })] },
      ],
    };
    expect(verifyPlan(plan, ['researcher', 'writer'], new Set(['old']))).toEqual([
      'task "a" (step 1) depends on "b" of step 1; a task can only depend on tasks of earlier steps, so move it to a later step',
      'task "c" (step 2) depends on "ghost", which is no task of this plan or of the work done',
    ]);
    expect(verifyPlan({ reasoning: 'r', isComplete: false, steps: [] }, ['researcher'], new Set())).toEqual([
      'the plan has no steps; give at least one step, or set isComplete to true if the objective is already met',
    ]);
    expect(verifyPlan({ reasoning: 'r', isComplete: false, steps: [{ description: 'x', tasks: [task('old', 'researcher')] }] }, ['researcher'], new Set(['old']))).toEqual([
      'task name "old" (step 1) is taken by a task already done; choose a new name',
    ]);
  });

  it('keeps one fact per key and puts the required ones first', () => {
    const memory = new KnowledgeBase();
    memory.add([
      { key: 'capital', value: 'Lyon', confidence: 0.4, step: 1 },
      { key: 'population', value: '68 million', confidence: 0.9, step: 1 },
      { key: 'river', value: 'Seine', confidence: 0.6, step: 1 },
    ]);
    memory.add([{ key: ' Capital ', value: 'Paris', confidence: 1.7, step: 2 }]);
    expect(memory.items.map((item) => [item.key, item.value, item.confidence])).toEqual([
      ['population', '68 million', 0.9],
      ['river', 'Seine', 0.6],
      ['Capital', 'Paris', 1],
    ]);
    expect(memory.relevant(['river'], 2).map((item) => item.key)).toEqual(['river', 'Capital']);
  });

  it('stops for time at the threshold of the limit, in workflow time (the machine clock outside a workflow)', () => {
    vi.useFakeTimers({ toFake: ['Date'], now: 0 });
    try {
      const tracker = new BudgetTracker(resolveBudget({ maxTime: '30 minutes', maxTokens: Number.POSITIVE_INFINITY }, 5), 0.9);
      tracker.start({ calls: 0, inputTokens: 0, outputTokens: 0, totalTokens: 0, costUsd: 0 });
      vi.setSystemTime(26 * 60_000);
      tracker.update({ calls: 3, inputTokens: 10_000_000, outputTokens: 0, totalTokens: 10_000_000, costUsd: 1 }, 5);
      expect(tracker.exhausted()).toBeUndefined();
      expect(tracker.exhausted(true)).toBe('iterations');
      vi.setSystemTime(27 * 60_000);
      tracker.update({ calls: 3, inputTokens: 0, outputTokens: 0, totalTokens: 0, costUsd: 1 }, 0);
      expect(tracker.exhausted()).toBe('time');
      expect(tracker.report()).toEqual({ spent: { tokens: 0, costUsd: 1, timeMs: 1_620_000, iterations: 0 }, limits: { tokens: null, costUsd: 10, timeMs: 1_800_000, iterations: 5 } });
    } finally {
      vi.useRealTimers();
    }
  });
});
