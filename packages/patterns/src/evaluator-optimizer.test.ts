// The evaluator-optimizer pattern inside a workflow on the in-process engine: the refinement loop
// and its prompts, the best attempt when the bar is never met, invalid ratings sent back, and an
// optimizer that is itself a pattern.
import { Agent, messageOf, WorkflowApplicationError } from '@mcp-agent/core';
import type { LlmReply, RecordedLlmRequest } from '@mcp-agent/testing';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { startPatternTestApp } from '../test/support.js';
import { createEvaluatorOptimizerLlm, type EvaluatorOptimizerResult, QUALITY_RATINGS, QualityRating, ratingRank } from './evaluator-optimizer.js';
import { createParallelLlm } from './parallel.js';

const harness = await startPatternTestApp({ name: 'evaluator-optimizer-tests' });
const { model } = harness;

afterAll(() => harness.close());
beforeEach(() => model.reset());

const WRITER = 'Write short greetings.';
const CRITERIA = 'Rate greetings for warmth.';

function systemOf(request: RecordedLlmRequest): string | undefined {
  const first = (request.body.messages as Array<{ role: string; content: unknown }>)[0];
  return first?.role === 'system' ? String(first.content) : undefined;
}

function requestsOf(instruction: string): RecordedLlmRequest[] {
  return model.requests.filter((request) => systemOf(request) === instruction);
}

function rated(rating: string, feedback: string, focusAreas: string[] = []): LlmReply {
  return { text: JSON.stringify({ rating, feedback, needsImprovement: rating !== 'EXCELLENT', focusAreas }) };
}

const writer = () => new Agent({ name: 'writer', instruction: WRITER });

describe('the refinement loop', () => {
  it('refines with the feedback until the rating reaches the bar', async () => {
    model.enqueue(
      { text: 'Hi.', usage: { inputTokens: 10, outputTokens: 2 } },
      { ...rated('FAIR', 'Too curt; greet by name.', ['name', 'warmth']), usage: { inputTokens: 30, outputTokens: 20 } },
      { text: 'Hello, Ada! Lovely to see you.', usage: { inputTokens: 50, outputTokens: 8 } },
      { ...rated('GOOD', 'Warm and personal.'), usage: { inputTokens: 40, outputTokens: 20 } },
    );
    const { result, history, tree } = await harness.inWorkflow(async () => {
      const llm = createEvaluatorOptimizerLlm({ optimizer: writer(), evaluator: CRITERIA });
      const result = await llm.generateWithEvaluation('Greet Ada.');
      return { result, history: [...llm.refinementHistory], tree: llm.usageTree() };
    });

    expect(model.requests.map(systemOf)).toEqual([WRITER, CRITERIA, WRITER, CRITERIA]);
    const [first, evaluation, second] = model.requests;
    expect(first?.lastUserMessage).toBe('Greet Ada.');
    expect(evaluation?.body.response_format).toMatchObject({ type: 'json_schema', json_schema: { name: 'evaluation', strict: true } });
    expect(evaluation?.lastUserMessage).toContain('<request>\nGreet Ada.\n</request>');
    expect(evaluation?.lastUserMessage).toContain('<response attempt="1">\nHi.\n</response>');
    expect(evaluation?.lastUserMessage).toContain('exactly one of POOR, FAIR, GOOD, EXCELLENT');
    const refinement = second?.lastUserMessage ?? '';
    expect(refinement).toContain('<request>\nGreet Ada.\n</request>');
    expect(refinement).toContain('<previous_response attempt="1">\nHi.\n</previous_response>');
    expect(refinement).toContain('Rating: FAIR\nFeedback: Too curt; greet by name.\nFocus areas: name; warmth');

    expect(result).toMatchObject({ text: 'Hello, Ada! Lovely to see you.', stopReason: 'end_turn', rating: 'GOOD' });
    expect(result.usage).toEqual({ inputTokens: 130, outputTokens: 50, totalTokens: 180 });
    expect(result.attempts).toEqual([
      { attempt: 1, text: 'Hi.', rating: 'FAIR', feedback: 'Too curt; greet by name.', needsImprovement: true, focusAreas: ['name', 'warmth'] },
      { attempt: 2, text: 'Hello, Ada! Lovely to see you.', rating: 'GOOD', feedback: 'Warm and personal.', needsImprovement: true, focusAreas: [] },
    ]);
    expect(history).toEqual(result.attempts);
    expect(tree).toMatchObject({ name: 'writer', kind: 'evaluator_optimizer', usage: { calls: 4, inputTokens: 130, outputTokens: 50 } });
    expect(tree.children.map((child) => [child.name, child.usage.calls])).toEqual([
      ['writer', 2],
      ['evaluator', 2],
    ]);
  });

  it('returns the best attempt (the earliest of equals) with stopReason max_refinements when the bar is never met', async () => {
    model.enqueue({ text: 'Draft one.' }, rated('FAIR', 'Plain.'), { text: 'Draft two.' }, rated('POOR', 'Worse.'), { text: 'Draft three.' }, rated('fair', 'Plain again.'));
    const evaluator = new Agent({ name: 'judge', instruction: CRITERIA });
    const result = await harness.inWorkflow(async () => {
      const llm = createEvaluatorOptimizerLlm({ name: 'greeter', optimizer: writer(), evaluator, minRating: QualityRating.EXCELLENT, maxRefinements: 2 });
      return (await llm.generate('Greet Bob.')) as unknown as EvaluatorOptimizerResult;
    });
    expect(requestsOf(WRITER)).toHaveLength(3);
    expect(requestsOf(CRITERIA)).toHaveLength(3);
    expect(requestsOf(WRITER)[2]?.lastUserMessage).toContain('<previous_response attempt="2">\nDraft two.\n</previous_response>');
    expect(result).toMatchObject({ text: 'Draft one.', stopReason: 'max_refinements', rating: 'FAIR' });
    expect(result.attempts.map((attempt) => [attempt.text, attempt.rating])).toEqual([
      ['Draft one.', 'FAIR'],
      ['Draft two.', 'POOR'],
      ['Draft three.', 'FAIR'],
    ]);
  });

  it('with maxRefinements 0, evaluates the first answer only', async () => {
    model.enqueue({ text: 'Yo.' }, rated('POOR', 'Rude.'));
    const result = await harness.inWorkflow(() => createEvaluatorOptimizerLlm({ optimizer: writer(), evaluator: CRITERIA, maxRefinements: 0 }).generateWithEvaluation('Greet Cy.'));
    expect(model.requests).toHaveLength(2);
    expect(result).toMatchObject({ text: 'Yo.', stopReason: 'max_refinements', rating: 'POOR' });
  });
});

describe('invalid evaluations', () => {
  it('sends an unknown rating back to the evaluator with the validation error', async () => {
    model.enqueue({ text: 'Hello!' }, rated('AMAZING', 'Great.'), rated('excellent', 'Great.'));
    const result = await harness.inWorkflow(() => createEvaluatorOptimizerLlm({ optimizer: writer(), evaluator: CRITERIA }).generateWithEvaluation('Greet Di.'));
    const asks = requestsOf(CRITERIA);
    expect(asks).toHaveLength(2);
    const again = asks[1]?.lastUserMessage ?? '';
    expect(again).toMatch(/^Your evaluation could not be used: rating: Invalid option: expected one of "POOR"\|"FAIR"\|"GOOD"\|"EXCELLENT" \(got "AMAZING"\)\./);
    expect(again).toContain('<response attempt="1">\nHello!\n</response>');
    expect(result).toMatchObject({ text: 'Hello!', stopReason: 'end_turn', rating: 'EXCELLENT' });
  });

  it('fails with an EvaluationError after two more tries', async () => {
    model.enqueue({ text: 'Hello!' }, rated('AMAZING', 'Great.'), { text: 'not json at all' }, { text: '{"rating":"GOOD"}' });
    const outcome = await harness.inWorkflow(async () => {
      try {
        await createEvaluatorOptimizerLlm({ optimizer: writer(), evaluator: CRITERIA }).generate('Greet Di.');
        return { type: 'no error', message: '' };
      } catch (error) {
        return { type: WorkflowApplicationError.is(error) ? `${error.type} ${error.nonRetryable}` : 'other', message: messageOf(error) };
      }
    });
    expect(requestsOf(CRITERIA)).toHaveLength(3);
    expect(requestsOf(CRITERIA)[2]?.lastUserMessage).toMatch(/could not be used: \(the answer\): .*\(got "not json at all"\)/);
    expect(outcome.type).toBe('EvaluationError true');
    expect(outcome.message).toMatch(/^writer: the evaluator "evaluator" gave no valid evaluation of attempt 1 in 3 tries; the last one: feedback: .*\(got nothing\)/);
  });
});

describe('composition', () => {
  it('refines the answer of a parallel pattern, every branch getting the feedback', async () => {
    const count = new Map<string, number>();
    for (const [instruction, prefix] of [
      ['List pros.', 'pros'],
      ['List cons.', 'cons'],
      ['Merge pros and cons.', 'summary'],
    ] as const) {
      model.addRule({
        match: (request) => systemOf(request) === instruction,
        reply: () => {
          const n = (count.get(prefix) ?? 0) + 1;
          count.set(prefix, n);
          return { text: `${prefix} ${n}` };
        },
      });
    }
    model.enqueue(rated('FAIR', 'Mention the cost.', ['cost']), rated('GOOD', 'Balanced.'));
    const { result, tree } = await harness.inWorkflow(async () => {
      const analysis = createParallelLlm({
        name: 'analysis',
        fanOut: [new Agent({ name: 'pros', instruction: 'List pros.' }), new Agent({ name: 'cons', instruction: 'List cons.' })],
        fanIn: new Agent({ name: 'summary', instruction: 'Merge pros and cons.' }),
      });
      const llm = createEvaluatorOptimizerLlm({ optimizer: analysis, evaluator: new Agent({ name: 'judge', instruction: CRITERIA }) });
      return { result: await llm.generateWithEvaluation('Should we buy a car?'), tree: llm.usageTree() };
    });
    expect(result).toMatchObject({ text: 'summary 2', stopReason: 'end_turn', rating: 'GOOD' });
    for (const instruction of ['List pros.', 'List cons.']) {
      const [firstAsk, secondAsk] = requestsOf(instruction);
      expect(firstAsk?.lastUserMessage).toBe('Should we buy a car?');
      expect(secondAsk?.lastUserMessage).toContain('Rating: FAIR\nFeedback: Mention the cost.\nFocus areas: cost');
      expect(secondAsk?.lastUserMessage).toContain('<previous_response attempt="1">\nsummary 1\n</previous_response>');
    }
    expect(requestsOf(CRITERIA)[1]?.lastUserMessage).toContain('<response attempt="2">\nsummary 2\n</response>');
    expect(tree).toMatchObject({ name: 'analysis', kind: 'evaluator_optimizer', usage: { calls: 8 } });
    expect(tree.children.map((child) => [child.name, child.kind, child.usage.calls])).toEqual([
      ['analysis', 'parallel', 6],
      ['judge', 'llm', 2],
    ]);
    expect(tree.children[0]?.children.map((child) => child.name)).toEqual(['pros', 'cons', 'summary']);
  });
});

describe('ratings and options', () => {
  it('orders the ratings worst first', () => {
    expect(QUALITY_RATINGS).toEqual(['POOR', 'FAIR', 'GOOD', 'EXCELLENT']);
    expect(ratingRank(QualityRating.GOOD)).toBeGreaterThan(ratingRank('FAIR'));
    expect(() => ratingRank('GREAT' as never)).toThrow('expected a rating, one of POOR, FAIR, GOOD, EXCELLENT, got "GREAT"');
  });

  it('refuses bad options, naming the value and the fix', () => {
    const optimizer = writer();
    expect(() => createEvaluatorOptimizerLlm({ optimizer, evaluator: CRITERIA, minRating: 'GREAT' as never })).toThrow(
      'minRating: expected one of POOR, FAIR, GOOD, EXCELLENT (QualityRating.GOOD, ...), got "GREAT"',
    );
    expect(() => createEvaluatorOptimizerLlm({ optimizer, evaluator: CRITERIA, maxRefinements: -1 })).toThrow(
      'maxRefinements: expected a whole number >= 0 (0 evaluates the first answer only), got -1',
    );
    expect(() => createEvaluatorOptimizerLlm({ optimizer, evaluator: ' ' })).toThrow(/evaluator: the instruction is empty/);
    expect(() => createEvaluatorOptimizerLlm({ optimizer: 'writer' as never, evaluator: CRITERIA })).toThrow(/optimizer: expected an Agent.*got "writer"/);
    expect(() => createEvaluatorOptimizerLlm({ optimizer, evaluator: 42 as never })).toThrow(/evaluator: expected an Agent.*got 42/);
  });
});
