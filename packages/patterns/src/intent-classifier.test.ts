// The intent classifiers inside a workflow on the in-process engine: the prompt the model is shown,
// how its answer is checked and corrected, and classification by embeddings with examples.
import { replyWithText, type RecordedLlmRequest } from '@mcp-agent/testing';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { startPatternTestApp } from '../test/support.js';
import { createIntentClassifierEmbedding, createIntentClassifierLlm, type Intent } from './intent-classifier.js';

const harness = await startPatternTestApp();
const { model } = harness;

afterAll(() => harness.close());
beforeEach(() => model.reset());

const intents: Intent[] = [
  {
    name: 'schedule_meeting',
    description: 'Schedule or set up a meeting or an appointment',
    examples: ['Can you schedule a meeting with John?', 'Set up a call for next week'],
    metadata: { team: 'calendar' },
  },
  {
    name: 'check_calendar',
    description: 'Check availability or existing appointments',
    examples: ['What meetings do I have today?', 'Am I free tomorrow afternoon?'],
  },
  { name: 'small_talk' },
];

type WireMessage = { role: string; content: string | null };
const messagesOf = (request: RecordedLlmRequest | undefined) => (request?.body.messages ?? []) as WireMessage[];

/** A classifying model's answer with these intents, in order. */
function classified(...found: Array<[intent: string, confidence: string, pScore: number]>) {
  return replyWithText(
    JSON.stringify({
      classifications: found.map(([intent, confidence, pScore]) => ({
        intent,
        confidence,
        pScore,
        reasoning: `sounds like ${intent}`,
        entities: intent === 'schedule_meeting' ? [{ name: 'person', value: 'Sarah' }] : [],
      })),
    }),
  );
}

describe('LLM intent classifier', () => {
  it('lays out the intents with their examples, and returns the model’s classifications best first', async () => {
    model.enqueue(classified(['schedule_meeting', 'high', 0.92], ['check_calendar', 'low', 0.3], ['small_talk', 'low', 0.1]));
    const { results, tree } = await harness.inWorkflow(async () => {
      const classifier = createIntentClassifierLlm({ intents, name: 'calendar-intents' });
      const results = await classifier.classify('Can you set up a meeting with Sarah tomorrow?', 2);
      return { results, tree: classifier.usageTree() };
    });
    expect(results).toEqual([
      { intent: 'schedule_meeting', confidence: 'high', pScore: 0.92, reasoning: 'sounds like schedule_meeting', entities: [{ name: 'person', value: 'Sarah' }] },
      { intent: 'check_calendar', confidence: 'low', pScore: 0.3, reasoning: 'sounds like check_calendar', entities: [] },
    ]);
    const [system, user] = messagesOf(model.requests[0]);
    expect(system?.content).toContain('You classify requests by their intent');
    expect(user?.content).toContain(
      [
        '1. schedule_meeting',
        'Description: Schedule or set up a meeting or an appointment',
        'Examples:',
        '- Can you schedule a meeting with John?',
        '- Set up a call for next week',
        'More about it:',
        '- team: calendar',
        '',
        '2. check_calendar',
        'Description: Check availability or existing appointments',
        'Examples:',
        '- What meetings do I have today?',
        '- Am I free tomorrow afternoon?',
        '',
        '3. small_talk',
        'Description: none given',
      ].join('\n'),
    );
    expect(user?.content).toContain('The request:\nCan you set up a meeting with Sarah tomorrow?');
    expect(user?.content).toContain('up to 2 intents');
    expect(JSON.stringify(model.requests[0]?.body.response_format)).toContain('"enum":["schedule_meeting","check_calendar","small_talk"]');
    expect(tree).toMatchObject({ name: 'calendar-intents', kind: 'intent-classifier', usage: { calls: 1 } });
    expect(tree.children.map((child) => child.name)).toEqual(['calendar-intents-llm']);
  });

  it('uses a classification instruction with placeholders, and returns nothing when no intent fits', async () => {
    model.enqueue(replyWithText(JSON.stringify({ classifications: [] })));
    const results = await harness.inWorkflow(() =>
      createIntentClassifierLlm({ intents, classificationInstruction: 'Pick at most {top_k} of these:\n{context}\nfor: {request}' }).classify('Hello there', 3),
    );
    expect(results).toEqual([]);
    expect(messagesOf(model.requests[0])[1]?.content).toMatch(/^Pick at most 3 of these:\n1\. schedule_meeting\n[\s\S]*\nfor: Hello there$/);
  });

  it('sends an unknown intent back with the error and the valid names, then fails with a ClassificationError', async () => {
    model.enqueue(classified(['book_meeting', 'high', 0.9]), classified(['schedule_meeting', 'high', 0.9]));
    const [top] = await harness.inWorkflow(() => createIntentClassifierLlm({ intents }).classify('Book a meeting with Ana'));
    expect(top?.intent).toBe('schedule_meeting');
    const second = messagesOf(model.requests[1]);
    expect(second.map((message) => message.role)).toEqual(['system', 'user', 'assistant', 'user']);
    expect(second[3]?.content).toBe(
      'Your answer is not valid: "book_meeting" is not one of the intents. The intents are: "schedule_meeting", "check_calendar", "small_talk". Answer again, naming only these intents.',
    );

    model.reset();
    model.enqueue(classified(['book_meeting', 'high', 0.9]), classified(['meeting', 'high', 0.9]), classified(['book', 'high', 0.9]));
    const failure = await harness.inWorkflow(() => createIntentClassifierLlm({ intents }).classify('Book a meeting with Ana')).catch((error: unknown) => error);
    expect((failure as { cause?: { type?: string } }).cause?.type).toBe('ClassificationError');
    expect(String(failure)).toContain(
      'intent classifier "intent-classifier" could not classify "Book a meeting with Ana": after 3 answers the model\'s answer is still not valid ("book" is not one of the intents)',
    );
    expect(model.requests).toHaveLength(3);
    expect(messagesOf(model.requests[2]).filter((message) => message.role === 'user')).toHaveLength(3);
  });
});

describe('embedding intent classifier', () => {
  it('embeds every intent’s description and examples once, and scores a request by its best match', async () => {
    const { first, second, tree } = await harness.inWorkflow(async () => {
      const classifier = createIntentClassifierEmbedding({ intents });
      const first = await classifier.classify('Am I free tomorrow afternoon?', 3);
      const second = await classifier.classify('Please set up a call with Sarah');
      return { first, second, tree: classifier.usageTree() };
    });
    // The request is one of check_calendar's examples word for word: its best similarity is 1.
    expect(first.map((result) => result.intent)).toEqual(['check_calendar', expect.any(String), expect.any(String)]);
    expect(first[0]?.pScore).toBeCloseTo(1, 5);
    expect(first[0]?.confidence).toBe('high');
    expect(first[1]?.pScore).toBeLessThan(0.5);
    expect(second).toEqual([{ intent: 'schedule_meeting', pScore: expect.any(Number), confidence: expect.stringMatching(/high|medium|low/) }]);
    expect(model.embeddingRequests.map((request) => request.inputs)).toEqual([
      [
        'schedule_meeting: Schedule or set up a meeting or an appointment',
        'Can you schedule a meeting with John?',
        'Set up a call for next week',
        'check_calendar: Check availability or existing appointments',
        'What meetings do I have today?',
        'Am I free tomorrow afternoon?',
        'small_talk',
      ],
      ['Am I free tomorrow afternoon?'],
      ['Please set up a call with Sarah'],
    ]);
    expect(tree).toMatchObject({ name: 'intent-classifier', kind: 'intent-classifier', usage: { calls: 3 } });
    expect(tree.children[0]).toMatchObject({ name: 'intent-classifier-embeddings', kind: 'embedding', usage: { calls: 3 } });
    expect(tree.usage.inputTokens).toBeGreaterThan(0);
  });
});

describe('intent classifier options', () => {
  it('refuses bad options with errors naming the value and the fix', async () => {
    expect(() => createIntentClassifierLlm({ intents: [] })).toThrow(
      'createIntentClassifierLlm: intents must be a non-empty array of { name, description, examples }, got an object (Array)',
    );
    expect(() => createIntentClassifierEmbedding({ intents: [{ name: 'a' }, { name: 'a' }] })).toThrow(
      'createIntentClassifierEmbedding: two intents are named "a"; every intent needs a unique name',
    );
    expect(() => createIntentClassifierLlm({ intents: [{ name: '' }] })).toThrow('createIntentClassifierLlm: intents[0].name must be a non-empty string, got ""');
    expect(() => createIntentClassifierLlm({ intents: [{ name: 'a', examples: 'hello' as never }] })).toThrow(/intents\[0\]\.examples must be an array of non-empty strings/);
    expect(() => createIntentClassifierLlm({ intents, classificationInstruction: ' ' })).toThrow(/classificationInstruction must be a non-empty string/);
    await expect(createIntentClassifierEmbedding({ intents }).classify('hi', 0)).rejects.toThrow('intent-classifier.classify: topK must be a whole number from 1, got 0');
    expect(model.requests).toHaveLength(0);
    expect(model.embeddingRequests).toHaveLength(0);
  });
});
