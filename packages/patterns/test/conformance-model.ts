// The scripted model of the pattern conformance suite: a deterministic function of each request
// (its system prompt, its user messages, its tool results and the structure it asks for in
// `response_format`), served on the local OpenAI wire-protocol server. The same request gets the
// same reply whatever the engine and whatever order parallel branches arrive in, and the token
// counts are given (not estimated from the body), so usage and cost can be compared exactly.
import { type LlmReply, type LocalLlmServer, type RecordedLlmRequest, startLocalLlmServer } from '@mcp-agent/testing';
import { DEFAULT_PLANNER_INSTRUCTION, DEFAULT_SYNTHESIZER_INSTRUCTION } from '@mcp-agent/patterns';
import { KNOWLEDGE_EXTRACTOR_INSTRUCTION, PLANNER_INSTRUCTION, SYNTHESIZER_INSTRUCTION, VERIFIER_INSTRUCTION } from '../src/deep-orchestrator-prompts.js';
import { flightInstruction, INSTRUCTIONS } from './conformance-workflows.js';

interface WireMessage {
  role: string;
  content?: unknown;
  tool_calls?: Array<{ id: string; function: { name: string; arguments: string } }>;
}

/** What a request holds, as the script reads it. */
export interface ReadRequest {
  system: string;
  /** The last user message's text. */
  user: string;
  /** Every user message's text, in order. */
  users: string[];
  /** The tool results, in order. */
  toolResults: string[];
  /** The name of the structure asked for (`response_format.json_schema.name`), if any. */
  structure: string | undefined;
}

const textOf = (content: unknown): string =>
  typeof content === 'string'
    ? content
    : Array.isArray(content)
      ? content.map((part) => (typeof part === 'object' && part !== null && 'text' in part ? String((part as { text: unknown }).text) : '')).join('\n')
      : '';

/** Reads a recorded request. */
export function readRequest(request: RecordedLlmRequest): ReadRequest {
  const messages = (request.body.messages ?? []) as WireMessage[];
  const format = request.body.response_format as { json_schema?: { name?: string } } | undefined;
  return {
    system: textOf(messages.find((message) => message.role === 'system')?.content),
    user: request.lastUserMessage ?? '',
    users: messages.filter((message) => message.role === 'user').map((message) => textOf(message.content)),
    toolResults: messages.filter((message) => message.role === 'tool').map((message) => textOf(message.content)),
    structure: format?.json_schema?.name,
  };
}

/** Given token counts, from the lengths of what was asked and answered: the same on every engine. */
function tokens(read: ReadRequest, answer: string): { inputTokens: number; outputTokens: number } {
  return { inputTokens: Math.ceil((read.system.length + read.users.join('\n').length) / 4) + 1, outputTokens: Math.ceil(answer.length / 4) + 1 };
}

function text(read: ReadRequest, answer: string): LlmReply {
  return { text: answer, usage: tokens(read, answer) };
}

function json(read: ReadRequest, value: unknown): LlmReply {
  return text(read, JSON.stringify(value));
}

function toolCall(read: ReadRequest, id: string, name: string, args: Record<string, unknown>): LlmReply {
  // Ids are given, so the conversation that follows is the same on every engine.
  return { toolCalls: [{ id, name, arguments: args }], usage: tokens(read, `${name}${JSON.stringify(args)}`) };
}

/** The line of a worker's prompt that says its own task, else the whole prompt. */
function ownTask(prompt: string): string {
  return /^Your task: (.*)$/m.exec(prompt)?.[1] ?? prompt;
}

/** The request a routing or classification prompt is about (the first user message holds it). */
function requestOf(read: ReadRequest): string {
  const first = read.users[0] ?? '';
  const request = /The request:\n([\s\S]*?)(?:\n\nAnswer with|$)/.exec(first)?.[1] ?? first;
  return ownTask(request);
}

/** The category names a routing prompt lists. */
function listedNames(prompt: string): string[] {
  return [...prompt.matchAll(/^\d+\. (\S+) \(/gm)].map((match) => match[1] as string);
}

/** The routing decision: by keywords of the request, among the categories listed. */
function route(read: ReadRequest): LlmReply {
  const request = requestOf(read);
  const listed = listedNames(read.users[0] ?? '');
  const topK = Number(/Answer with up to (\d+) categories/.exec(read.users[0] ?? '')?.[1] ?? '1');
  // The opening hours: the first answer names a category that does not exist; the correction is followed.
  if (/\bopen\b/i.test(request) && read.users.length === 1) {
    return json(read, { categories: [{ category: 'hours', confidence: 'high', reasoning: 'About opening hours.' }] });
  }
  const preferences: Array<[RegExp, string[]]> = [
    [/charged|invoice/i, ['billing', 'tech']],
    [/crash|error/i, ['tech', 'billing']],
    [/\bopen\b/i, ['opening_hours']],
    [/table|book/i, ['concierge']],
  ];
  const wanted = preferences.find(([pattern]) => pattern.test(request))?.[1] ?? [];
  const chosen = wanted.filter((name) => listed.includes(name)).slice(0, topK);
  return json(read, {
    categories: chosen.map((name, index) => ({ category: name, confidence: index === 0 ? 'high' : 'low', reasoning: `The request "${request.slice(0, 40)}" is for ${name}.` })),
  });
}

/** The intent classification: by keywords, with the order number as an entity. */
function classify(read: ReadRequest): LlmReply {
  const request = requestOf(read);
  const order = /\b(\d{3,})\b/.exec(request)?.[1];
  const entities = order === undefined ? [] : [{ name: 'order_id', value: order }];
  const found = /cancel/i.test(request)
    ? [
        { intent: 'cancel_order', confidence: 'high', pScore: 0.9, reasoning: 'Asks to cancel.', entities },
        { intent: 'order_status', confidence: 'low', pScore: 0.2, reasoning: 'Mentions an order.', entities: [] },
      ]
    : [
        { intent: 'order_status', confidence: 'high', pScore: 0.85, reasoning: 'Asks where the order is.', entities },
        { intent: 'cancel_order', confidence: 'low', pScore: 0.1, reasoning: 'Mentions an order.', entities: [] },
      ];
  return json(read, { classifications: found });
}

/** Ratings: letters get FAIR, then an invalid rating that is sent back, then EXCELLENT; policy answers FAIR then GOOD. */
function evaluate(read: ReadRequest): LlmReply {
  const attempt = Number(/<response attempt="(\d+)">/.exec(read.user)?.[1] ?? '0');
  const retried = read.user.startsWith('Your evaluation could not be used');
  if (read.system === INSTRUCTIONS.letterCritic) {
    if (attempt === 1) return json(read, { rating: 'FAIR', feedback: 'Say why this company.', needsImprovement: true, focusAreas: ['company fit'] });
    if (!retried) return json(read, { rating: 'superb', feedback: 'Much better.', needsImprovement: false, focusAreas: [] });
    return json(read, { rating: 'EXCELLENT', feedback: 'Specific and warm.', needsImprovement: false, focusAreas: [] });
  }
  return attempt === 1
    ? json(read, { rating: 'FAIR', feedback: 'Mention the costs.', needsImprovement: true, focusAreas: ['costs'] })
    : json(read, { rating: 'GOOD', feedback: 'Balanced.', needsImprovement: false, focusAreas: [] });
}

/** The orchestrators' plans: researchers at once, then the author, then complete. */
function plan(read: ReadRequest): LlmReply {
  const prompt = read.user;
  if (read.system === INSTRUCTIONS.leadPlanner) {
    if (!prompt.includes('No steps have been carried out yet.')) return json(read, { steps: [], isComplete: true });
    return json(read, {
      steps: [
        {
          description: 'Handle the customer and the policy at once',
          tasks: [
            { description: 'Answer the customer who was charged twice on the invoice', agent: 'helpdesk' },
            { description: 'Write a balanced answer on the refund policy change', agent: 'policy_writer' },
          ],
        },
      ],
      isComplete: false,
    });
  }
  const researchStep = {
    description: 'Research',
    tasks: [
      { description: 'Find facts about the history of tea', agent: 'researcher' },
      { description: 'Find facts about the chemistry of tea', agent: 'researcher' },
    ],
  };
  const writeStep = { description: 'Write', tasks: [{ description: 'Write a paragraph about tea from the notes', agent: 'author' }] };
  if (read.structure === 'plan') {
    if (!prompt.includes('No steps have been carried out yet.')) return json(read, { steps: [], isComplete: true });
    return json(read, { steps: [researchStep, writeStep], isComplete: false });
  }
  // Step by step: the first answer names an agent that does not exist, and is corrected.
  if (prompt.includes('No steps have been carried out yet.')) {
    if (!prompt.includes('Your previous answer was rejected'))
      return json(read, { ...researchStep, tasks: [{ description: 'Find facts about tea', agent: 'historian' }], isComplete: false });
    return json(read, { ...researchStep, isComplete: false });
  }
  if (!prompt.includes('Step 2:')) return json(read, { ...writeStep, isComplete: false });
  return json(read, { description: '', tasks: [], isComplete: true });
}

/** The deep orchestrator's helpers: a two-step plan, a fact per research result, a verifier satisfied at once. */
function deep(read: ReadRequest): LlmReply | undefined {
  const { system, user } = read;
  const task = (name: string, agent: string, dependsOn: string[] = [], requiredKnowledge: string[] = []) => ({
    name,
    description: `Do ${name.replace(/_/g, ' ')}`,
    agent,
    dependsOn,
    requiredKnowledge,
  });
  switch (system) {
    case PLANNER_INSTRUCTION:
      return json(read, {
        reasoning: 'research both sides at once, then write',
        isComplete: false,
        steps: [
          { description: 'Research', tasks: [task('tea_history', 'deep_researcher'), task('tea_chemistry', 'deep_researcher')] },
          { description: 'Write', tasks: [task('tea_report', 'deep_writer', ['tea_history', 'tea_chemistry'], ['tea_origin'])] },
        ],
      });
    case KNOWLEDGE_EXTRACTOR_INSTRUCTION: {
      const facts = [
        ...(user.includes('<result task="tea_history">') ? [{ key: 'tea_origin', value: 'China', confidence: 0.9 }] : []),
        ...(user.includes('<result task="tea_chemistry">') ? [{ key: 'tea_stimulant', value: 'caffeine', confidence: 0.8 }] : []),
      ];
      return json(read, { facts });
    }
    case VERIFIER_INSTRUCTION:
      return json(read, { isComplete: true, confidence: 0.9, reasoning: 'Both questions are answered and the report is written.', missing: [] });
    case SYNTHESIZER_INSTRUCTION: {
      const results = [...user.matchAll(/<result task="(\w+)" agent="/g)].map((match) => match[1]);
      return text(read, `Deep answer from ${results.join(', ')}.`);
    }
    case INSTRUCTIONS.deepResearcher: {
      const name = /<task name="(\w+)">/.exec(user)?.[1] ?? '?';
      return text(read, `Findings on ${name}.`);
    }
    case INSTRUCTIONS.deepWriter: {
      const earlier = (user.match(/<result task="/g) ?? []).length;
      const knows = /- tea_origin: China/.test(user) ? 'knows the origin' : 'misses the origin';
      return text(read, `A report from ${earlier} results; it ${knows}.`);
    }
  }
  return undefined;
}

/** The agents' answers, by instruction. */
function answer(read: ReadRequest): LlmReply | undefined {
  const { system, user } = read;
  switch (system) {
    case INSTRUCTIONS.proofreader: {
      const mistakes = (user.match(/\bteh\b/g) ?? []).length;
      return text(read, `Spelling: ${mistakes} mistake${mistakes === 1 ? '' : 's'} ("teh" should be "the").`);
    }
    case INSTRUCTIONS.factChecker:
      return text(read, user.includes('cheese') ? 'Facts: the moon is not made of cheese.' : 'Facts: nothing wrong.');
    case INSTRUCTIONS.stylist:
      return text(read, 'Style: short sentences, a plain tone.');
    case INSTRUCTIONS.grader: {
      const names = [...user.matchAll(/<answer name="([^"]+)"/g)].map((match) => match[1]);
      const words = /(\d+) words/.exec(user)?.[1] ?? '?';
      return text(read, `Grade: B. Reviews from ${names.join(', ')}; ${words} words.`);
    }
    case INSTRUCTIONS.writer: {
      const previous = /<previous_response attempt="(\d+)">/.exec(user)?.[1];
      return text(
        read,
        previous === undefined ? 'Dear team, I would like the job.' : `Dear team at Acme, I would like the job because Acme builds tools I use (draft ${Number(previous) + 1}).`,
      );
    }
    case INSTRUCTIONS.billing:
      return text(read, 'Billing: the duplicate charge is refunded.');
    case INSTRUCTIONS.tech:
      return text(read, 'Tech: reinstall the app.');
    case INSTRUCTIONS.concierge: {
      const [guests] = read.toolResults;
      if (guests === undefined) return toolCall(read, 'call_ask_guests', '__human_input__', { prompt: 'For how many guests?' });
      return text(read, `Booked a table for ${guests.trim()} tonight.`);
    }
    case INSTRUCTIONS.researcher:
      return text(read, `Notes on ${ownTask(user).replace(/^Find facts about /, '')}.`);
    case INSTRUCTIONS.author: {
      const notes = (user.match(/Result: Notes on/g) ?? []).length;
      return text(read, `A paragraph about tea from ${notes} notes.`);
    }
    case INSTRUCTIONS.advocate:
      return text(read, user.includes('<evaluation>') ? 'For: fairer to customers, and it costs little.' : 'For: fairer to customers.');
    case INSTRUCTIONS.skeptic:
      return text(read, user.includes('<evaluation>') ? 'Against: it costs 2% of revenue.' : 'Against: harder to run.');
    case INSTRUCTIONS.moderator:
      return text(read, `Balanced view, round ${user.includes('<evaluation>') ? 2 : 1}.`);
    case INSTRUCTIONS.triage:
      return toolCall(read, 'call_transfer', 'transfer_to_flight_changes', {});
    case DEFAULT_SYNTHESIZER_INSTRUCTION: {
      const results = [...user.matchAll(/^ {4}Result: (.*)$/gm)].map((match) => match[1]);
      return text(read, `Final answer: ${results.join(' | ')}`);
    }
  }
  if (system === flightInstruction({ customer: 'Ada' })) return toolCall(read, 'call_change', 'change_flight', { flight: 'LH 123' });
  if (system === flightInstruction({ customer: 'Ada', changed: true })) return text(read, `Done: ${read.toolResults.at(-1) ?? ''}`);
  return undefined;
}

/** The scripted model: the server, and the requests it had no answer for (each answered with an error). */
export interface ConformanceModel {
  server: LocalLlmServer;
  unscripted: ReadRequest[];
  close(): Promise<void>;
}

/** The scripted reply to one request, or undefined when the script has none. */
export function conformanceReply(request: RecordedLlmRequest): LlmReply | undefined {
  const read = readRequest(request);
  const deepReply = deep(read);
  if (deepReply !== undefined) return deepReply;
  switch (read.structure) {
    case 'routing_decision':
      return route(read);
    case 'intent_classification':
      return classify(read);
    case 'evaluation':
      return evaluate(read);
    case 'plan':
    case 'next_step':
      if (read.system === DEFAULT_PLANNER_INSTRUCTION || read.system === INSTRUCTIONS.leadPlanner) return plan(read);
      return undefined;
    default:
      return answer(read);
  }
}

/** Starts the scripted model on the local OpenAI wire-protocol server. */
export async function startConformanceModel(): Promise<ConformanceModel> {
  const unscripted: ReadRequest[] = [];
  const server = await startLocalLlmServer({
    script: {
      rules: [
        {
          match: () => true,
          reply: (request) => {
            const reply = conformanceReply(request);
            if (reply !== undefined) return reply;
            const read = readRequest(request);
            unscripted.push(read);
            return { error: { status: 400, message: `the conformance script has no answer for the system prompt "${read.system.slice(0, 60)}" (${read.structure ?? 'text'})` } };
          },
        },
      ],
    },
  });
  return { server, unscripted, close: () => server.close() };
}
