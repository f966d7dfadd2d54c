// The parallel pattern inside a workflow on the in-process engine: branches in flight together,
// the fan-in's prompt, functions as branches and as fan-in, the failure policies, bad options.
import { Agent, messageOf, WorkflowApplicationError, type GenerateResult } from '@mcp-agent/core';
import type { RecordedLlmRequest } from '@mcp-agent/testing';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startPatternTestApp } from '../test/support.js';
import { createParallelLlm, type FanOutResults } from './parallel.js';

const harness = await startPatternTestApp({ name: 'parallel-tests' });
const { model } = harness;

afterAll(() => harness.close());
beforeEach(() => model.reset());

function systemOf(request: RecordedLlmRequest): string | undefined {
  const first = (request.body.messages as Array<{ role: string; content: unknown }>)[0];
  return first?.role === 'system' ? String(first.content) : undefined;
}

/** Answers every request whose system prompt is `instruction` with `text` (after `delay` ms). */
function answer(instruction: string, text: string, extra: { delayMilliseconds?: number; usage?: { inputTokens: number; outputTokens: number } } = {}) {
  model.addRule({ match: (request) => systemOf(request) === instruction, reply: { text, ...extra } });
}

function requestsOf(instruction: string): RecordedLlmRequest[] {
  return model.requests.filter((request) => systemOf(request) === instruction);
}

const agents = () => ({
  grammar: new Agent({ name: 'grammar', instruction: 'Check grammar.' }),
  style: new Agent({ name: 'style', instruction: 'Check style.' }),
  facts: new Agent({ name: 'facts', instruction: 'Check facts.' }),
  editor: new Agent({ name: 'editor', instruction: 'Merge the reviews.' }),
});

describe('fan-out and fan-in', () => {
  it('asks every branch at once, then the fan-in with each answer under its name', async () => {
    const usage = { inputTokens: 10, outputTokens: 5 };
    answer('Check grammar.', 'No grammar errors.', { delayMilliseconds: 150, usage });
    answer('Check style.', 'Too many adverbs.', { delayMilliseconds: 150, usage });
    answer('Check facts.', 'Paris is the capital.', { delayMilliseconds: 150, usage });
    answer('Merge the reviews.', 'Fix the adverbs; the rest is fine.', { usage: { inputTokens: 40, outputTokens: 8 } });
    const { grammar, style, facts, editor } = agents();
    const { result, tree } = await harness.inWorkflow(async () => {
      const review = createParallelLlm({ name: 'review', fanOut: [grammar, style, facts], fanIn: editor });
      const result = await review.generate('Paris is really the capital of France.');
      return { result, tree: review.usageTree() };
    });

    expect(result.text).toBe('Fix the adverbs; the rest is fine.');
    expect(result.usage).toEqual({ inputTokens: 70, outputTokens: 23, totalTokens: 93 });
    const branches = ['Check grammar.', 'Check style.', 'Check facts.'].map((instruction) => requestsOf(instruction));
    for (const requests of branches) {
      expect(requests).toHaveLength(1);
      expect(requests[0]?.lastUserMessage).toBe('Paris is really the capital of France.');
    }
    // All three were asked before any of them answered: they were in flight together.
    const lastArrival = Math.max(...branches.map(([request]) => request?.time.getTime() ?? Number.NaN));
    const firstAnswer = Math.min(...branches.map(([request]) => request?.answeredAt?.getTime() ?? Number.NaN));
    expect(lastArrival).toBeLessThan(firstAnswer);

    const [fanIn] = requestsOf('Merge the reviews.');
    expect(model.requests.at(-1)).toBe(fanIn);
    expect(fanIn?.time.getTime()).toBeGreaterThanOrEqual(Math.max(...branches.map(([request]) => request?.answeredAt?.getTime() ?? Number.NaN)));
    const prompt = fanIn?.lastUserMessage ?? '';
    expect(prompt).toContain('<request>\nParis is really the capital of France.\n</request>');
    expect(prompt).toContain('<answer name="grammar">\nNo grammar errors.\n</answer>');
    expect(prompt).toContain('<answer name="style">\nToo many adverbs.\n</answer>');
    expect(prompt).toContain('<answer name="facts">\nParis is the capital.\n</answer>');
    expect(prompt.indexOf('name="grammar"')).toBeLessThan(prompt.indexOf('name="style"'));
    expect(prompt.indexOf('name="style"')).toBeLessThan(prompt.indexOf('name="facts"'));

    expect(tree).toMatchObject({ name: 'review', kind: 'parallel', usage: { calls: 4, inputTokens: 70, outputTokens: 23 } });
    expect(tree.children.map((child) => [child.name, child.kind, child.usage.calls])).toEqual([
      ['grammar', 'llm', 1],
      ['style', 'llm', 1],
      ['facts', 'llm', 1],
      ['editor', 'llm', 1],
    ]);
  });

  it('runs functions as branches, named by their name or position, and shows their values to a fan-in agent', async () => {
    answer('Check grammar.', 'Fine.');
    answer('Merge the reviews.', 'Merged.');
    const { grammar, editor } = agents();
    const seen: string[] = [];
    const wordCount = (message: string) => {
      seen.push(message);
      return `${message.split(' ').length} words`;
    };
    const text = await harness.inWorkflow(async () => {
      const review = createParallelLlm({ fanOut: [grammar, wordCount, async (message: string) => ({ characters: message.length })], fanIn: editor });
      expect(review.branchNames).toEqual(['grammar', 'wordCount', 'function_2']);
      return review.generateStr([
        { role: 'user', content: 'ignored earlier turn' },
        { role: 'user', content: 'One two three.' },
      ]);
    });
    expect(text).toBe('Merged.');
    expect(seen).toEqual(['One two three.']);
    const prompt = requestsOf('Merge the reviews.')[0]?.lastUserMessage ?? '';
    expect(prompt).toContain('<answer name="grammar">\nFine.\n</answer>');
    expect(prompt).toContain('<answer name="wordCount">\n3 words\n</answer>');
    expect(prompt).toContain('<answer name="function_2">\n{"characters":14}\n</answer>');
  });

  it('hands the results, keyed by name, to a fan-in function, and returns what it returns', async () => {
    answer('Check grammar.', 'Grammar is fine.', { usage: { inputTokens: 3, outputTokens: 4 } });
    answer('Check style.', 'Style is plain.', { usage: { inputTokens: 3, outputTokens: 4 } });
    const { grammar, style } = agents();
    const received: FanOutResults[] = [];
    const { first, second, tree } = await harness.inWorkflow(async () => {
      const joined = createParallelLlm({
        fanOut: [grammar, style, () => 'constant'],
        fanIn: function joinAll(results) {
          received.push(results);
          return Object.values(results)
            .map((result) => (result.ok ? `${result.name}=${result.text}` : `${result.name} failed`))
            .join(' | ');
        },
      });
      const asResult = createParallelLlm({
        fanOut: [() => 'x'],
        fanIn: (results): GenerateResult => ({
          messages: [],
          text: `got ${Object.keys(results).join(',')}`,
          stopReason: 'end_turn',
          iterations: 0,
          usage: { inputTokens: 1, outputTokens: 1, totalTokens: 2 },
        }),
      });
      return { first: await joined.generate('Review this.'), second: await asResult.generate('go'), tree: joined.usageTree() };
    });
    expect(first.text).toBe('grammar=Grammar is fine. | style=Style is plain. | function_2=constant');
    expect(first.usage).toEqual({ inputTokens: 6, outputTokens: 8, totalTokens: 14 });
    expect(Object.keys(received[0] ?? {})).toEqual(['grammar', 'style', 'function_2']);
    expect(received[0]?.grammar).toMatchObject({ name: 'grammar', ok: true, text: 'Grammar is fine.', value: { text: 'Grammar is fine.', stopReason: 'end_turn' } });
    expect(received[0]?.function_2).toEqual({ name: 'function_2', ok: true, text: 'constant', value: 'constant' });
    expect(second).toMatchObject({ text: 'got function_0', usage: { inputTokens: 1, outputTokens: 1, totalTokens: 2 } });
    expect(tree.children.map((child) => [child.name, child.kind])).toEqual([
      ['grammar', 'llm'],
      ['style', 'llm'],
      ['function_2', 'function'],
      ['joinAll', 'function'],
    ]);
    expect(tree.usage.calls).toBe(2);
  });

  it('asks the fan-in for structured output directly', async () => {
    answer('Check grammar.', 'Two typos.');
    answer('Merge the reviews.', '{"issues":2}');
    const { grammar, editor } = agents();
    const value = await harness.inWorkflow(() =>
      createParallelLlm({ fanOut: [grammar], fanIn: editor }).generateStructured('Check: teh cat sat on teh mat.', z.object({ issues: z.number() })),
    );
    expect(value).toEqual({ issues: 2 });
    expect(model.requests).toHaveLength(2);
    const fanIn = requestsOf('Merge the reviews.')[0];
    expect(fanIn?.body.response_format).toMatchObject({ type: 'json_schema' });
    expect(fanIn?.lastUserMessage).toContain('<answer name="grammar">\nTwo typos.\n</answer>');
  });
});

describe('failed branches', () => {
  const failStyle = () => model.addRule({ match: (request) => systemOf(request) === 'Check style.', reply: { error: { status: 400, message: 'style checker refused the text' } } });

  it('fail_fast (the default): the first failure fails the call and the fan-in is not asked', async () => {
    answer('Check grammar.', 'Fine.');
    failStyle();
    const { grammar, style, editor } = agents();
    const outcome = await harness.inWorkflow(async () => {
      try {
        await createParallelLlm({ fanOut: [grammar, style], fanIn: editor }).generate('Review.');
        return 'no error';
      } catch (error) {
        return messageOf(error);
      }
    });
    expect(outcome).toMatch(/llm\.openai\.complete.*style checker refused the text/);
    expect(requestsOf('Check style.')).toHaveLength(1); // a 400 is not retried
    expect(requestsOf('Merge the reviews.')).toHaveLength(0);
  });

  it('collect: the fan-in gets the failure under the branch’s name, next to the answers', async () => {
    answer('Check grammar.', 'Fine.');
    answer('Merge the reviews.', 'Grammar is fine; style was not checked.');
    failStyle();
    const { grammar, style, editor } = agents();
    const text = await harness.inWorkflow(() => createParallelLlm({ fanOut: [grammar, style], fanIn: editor, onError: 'collect' }).generateStr('Review.'));
    expect(text).toBe('Grammar is fine; style was not checked.');
    const prompt = requestsOf('Merge the reviews.')[0]?.lastUserMessage ?? '';
    expect(prompt).toContain('<answer name="grammar">\nFine.\n</answer>');
    expect(prompt).toMatch(/<answer name="style" failed="true">\nThis branch failed: .*style checker refused the text.*\n<\/answer>/);
  });

  it('collect: a fan-in function sees the error; the call fails when every branch failed', async () => {
    failStyle();
    const { style } = agents();
    const outcome = await harness.inWorkflow(async () => {
      const seen: string[] = [];
      const oneFails = createParallelLlm({
        fanOut: [style, () => 'ok'],
        fanIn: (results) =>
          Object.values(results)
            .map((result) => (result.ok ? result.text : `${result.name}: ${result.error.message}`))
            .join('\n'),
        onError: 'collect',
      });
      seen.push(await oneFails.generateStr('Review.'));
      const allFail = createParallelLlm({
        name: 'all_fail',
        fanOut: [
          style,
          function broken() {
            throw new Error('broken on purpose');
          },
        ],
        fanIn: () => 'never',
        onError: 'collect',
      });
      try {
        await allFail.generate('Review.');
      } catch (error) {
        return { seen, type: WorkflowApplicationError.is(error) ? error.type : 'other', message: messageOf(error) };
      }
      return { seen, type: 'no error', message: '' };
    });
    expect(outcome.seen[0]).toMatch(/^style: .*style checker refused the text.*\nok$/);
    expect(outcome.type).toBe('ParallelError');
    expect(outcome.message).toMatch(/^all_fail: every fan-out branch failed: style: .*style checker refused the text.*; broken: broken on purpose$/);
  });
});

describe('options', () => {
  it('refuses duplicate names, empty or bad branches, a bad fan-in and a bad policy, saying what to do', () => {
    const { grammar, editor } = agents();
    const twin = new Agent({ name: 'grammar', instruction: 'Another.' });
    expect(() => createParallelLlm({ fanOut: [grammar, twin], fanIn: editor })).toThrow(
      'fanOut: items 0 and 1 are both named "grammar"; the fan-in gets the results by name, so give each agent, LLM or function a different name',
    );
    function check() {
      return 1;
    }
    expect(() => createParallelLlm({ fanOut: [check, editor, check], fanIn: editor })).toThrow(/items 0 and 2 are both named "check"/);
    expect(() => createParallelLlm({ fanOut: [], fanIn: editor })).toThrow('fanOut: expected a non-empty array of agents, LLMs, patterns or functions, got an empty array');
    expect(() => createParallelLlm({ fanOut: [grammar, 'style' as never], fanIn: editor })).toThrow(/fanOut\[1\]: expected an Agent.*got "style"/);
    expect(() => createParallelLlm({ fanOut: [grammar], fanIn: 'editor' as never })).toThrow(/fanIn: expected an Agent.*got "editor"/);
    expect(() => createParallelLlm({ fanOut: [grammar], fanIn: editor, onError: 'ignore' as never })).toThrow(`onError: expected 'fail_fast' or 'collect', got "ignore"`);
  });

  it('reports an empty usage tree, named per branch, before the first call', () => {
    const { grammar, style, editor } = agents();
    const tree = createParallelLlm({ fanOut: [grammar, style], fanIn: editor }).usageTree();
    expect(tree).toMatchObject({ name: 'parallel', kind: 'parallel', usage: { calls: 0 } });
    expect(tree.children.map((child) => child.name)).toEqual(['grammar', 'style', 'editor']);
  });
});
