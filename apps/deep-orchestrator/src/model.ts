/**
 * The model. With an OpenAI key configured (openai.api_key in mcp_agent.secrets.yaml, or
 * OPENAI_API_KEY) the agents ask OpenAI. Without one, a scripted model answers on a local server
 * that speaks the OpenAI wire protocol, so the real `openai` SDK, the deep orchestrator and the
 * engine run as they would against OpenAI; only the model is a stand-in. Node only.
 *
 * The scripted model answers the orchestrator's planner, knowledge extractor and verifier by the
 * structure they ask for (`plan`, `knowledge`, `verification`), its synthesizer and the workers by
 * their instructions (the request's system prompt), and each worker's task by the task's name.
 */
import { loadSettings } from '@mcp-agent/core/config';
// The openai section (its key, base URL and model) belongs to the provider, which registers it.
import '@mcp-agent/providers-openai/config';
import { type LlmReply, type LocalLlmServer, type RecordedLlmRequest, startLocalLlmServer } from '@mcp-agent/testing';
import { INSTRUCTIONS } from './workflows.js';

interface WireMessage {
  role: string;
  content?: unknown;
}

const textOf = (content: unknown): string =>
  typeof content === 'string'
    ? content
    : Array.isArray(content)
      ? content.map((part) => (typeof part === 'object' && part !== null && 'text' in part ? String((part as { text: unknown }).text) : '')).join('\n')
      : '';

/** Who a request is from: `planner`, `knowledge-extractor`, `verifier`, `synthesizer`, a worker's name, or `unknown`. */
export function roleOf(request: RecordedLlmRequest): string {
  const format = request.body.response_format as { json_schema?: { name?: string } } | undefined;
  const structure = format?.json_schema?.name;
  if (structure === 'plan') return 'planner';
  if (structure === 'knowledge') return 'knowledge-extractor';
  if (structure === 'verification') return 'verifier';
  const system = systemOf(request);
  if (system.startsWith('You write the final answer to an objective')) return 'synthesizer';
  const worker = Object.entries(INSTRUCTIONS).find(([, instruction]) => instruction === system);
  return worker?.[0] ?? 'unknown';
}

function systemOf(request: RecordedLlmRequest): string {
  const messages = (request.body.messages ?? []) as WireMessage[];
  return textOf(messages.find((message) => message.role === 'system')?.content);
}

const json = (value: unknown): LlmReply => ({ text: JSON.stringify(value) });

/** The result of an earlier task, as a task prompt or the extractor's prompt shows it. */
function resultOf(prompt: string, task: string): string | undefined {
  const match = new RegExp(`<result task="${task}"[^>]*>\\n([\\s\\S]*?)\\n</result>`).exec(prompt);
  return match?.[1];
}

const bullets = (text: string | undefined): string[] => (text ?? '').split('\n').filter((line) => line.startsWith('- '));

/** The facts of a prompt's knowledge section, by key. */
function knowledgeOf(prompt: string): Map<string, string> {
  const facts = new Map<string, string>();
  for (const [, key = '', value = ''] of prompt.matchAll(/^- (\w+): (.*) \(confidence [\d.]+\)$/gm)) facts.set(key, value);
  return facts;
}

/** The mistakes in the story the proofreader corrects. */
const CORRECTIONS: Array<[string, string]> = [
  ['knowed', 'known'],
  ['there home', 'their home'],
  ['attack the village', 'attacked the village'],
  ['lead by', 'led by'],
  ['which was said', 'which were said'],
  ['stones true', 'stones’ true'],
  ['never confirm,', 'never confirmed,'],
];

/** The style guide's rules the story breaks: [rule, its words in the guide, the offending words in the story]. */
const STYLE_ISSUES: Array<[string, string, string]> = [
  ['Rule 1 (past tense)', 'past tense', 'the Dark Marauders attack the village'],
  ['Rule 2 (no comma splices)', 'comma splices', 'Elara rallied the villagers, she remembered'],
  ['Rule 3 (possessives)', 'apostrophe', 'the stones true power'],
];

function plan(objective: string): LlmReply {
  const story = /(\S*short_story\.md)/.exec(objective)?.[1] ?? 'short_story.md';
  const guide = /(\S*style_guide\.md)/.exec(objective)?.[1] ?? 'style_guide.md';
  const report = /(\S*graded_report\.md)/.exec(objective)?.[1] ?? 'graded_report.md';
  const task = (name: string, agent: string, description: string, dependsOn: string[] = [], requiredKnowledge: string[] = []) => ({
    name,
    description,
    agent,
    dependsOn,
    requiredKnowledge,
  });
  return json({
    reasoning: 'Read the story and the style guide, review the story three ways at once, then grade it and write the report.',
    isComplete: false,
    steps: [
      {
        description: 'Read the story and the style guide',
        tasks: [task('read_story', 'FileExpert', `Read ${story} and return its full text.`), task('read_style_guide', 'FileExpert', `Read ${guide} and return its full text.`)],
      },
      {
        description: 'Review the story',
        tasks: [
          task('proofread', 'Proofreader', 'List every grammar and spelling mistake of the story, with its correction.', ['read_story']),
          task('check_style', 'StyleChecker', 'Check the story against the class style guide; list each rule it breaks.', ['read_story', 'read_style_guide'], ['style_rules']),
          task('assess_structure', 'StoryAnalyst', 'Assess the structure and narrative flow of the story, and check its factual consistency and logic.', ['read_story']),
        ],
      },
      {
        description: 'Grade the story and write the report',
        tasks: [
          task(
            'write_report',
            'FileExpert',
            `Write the graded report, with the corrections, the style review, the structure and consistency assessment and an overall grade, to ${report}.`,
            ['proofread', 'check_style', 'assess_structure'],
            ['story_title'],
          ),
        ],
      },
    ],
  });
}

function fileExpert(task: string, user: string, toolResults: string[]): LlmReply {
  if (task === 'write_report') {
    const path = /to (\S+graded_report\.md)/.exec(user)?.[1] ?? 'graded_report.md';
    const corrections = bullets(resultOf(user, 'proofread'));
    const style = bullets(resultOf(user, 'check_style'));
    const structure = bullets(resultOf(user, 'assess_structure'));
    const grade = corrections.length + style.length + structure.length > 10 ? 'C+' : 'B';
    if (toolResults.length > 0) return { text: `Wrote the graded report to ${path}: grade ${grade}.` };
    const title = knowledgeOf(user).get('story_title') ?? 'the story';
    const content = [
      `# Graded report: ${title}`,
      '',
      '## Grammar and spelling',
      ...corrections,
      '',
      '## Style',
      ...style,
      '',
      '## Structure and consistency',
      ...structure,
      '',
      `## Grade: ${grade}`,
      `A vivid setting and a clear conflict, held back by ${corrections.length} grammar and spelling mistakes, ${style.length} breaches of the style guide and an ending that leaves threads loose.`,
      '',
    ].join('\n');
    return { toolCalls: [{ name: 'filesystem_write_file', arguments: { path, content } }] };
  }
  if (toolResults.length > 0) return { text: toolResults[0] ?? '' };
  const path = /Read (\S+) and return/.exec(user)?.[1] ?? 'short_story.md';
  return { toolCalls: [{ name: 'filesystem_read_text_file', arguments: { path } }] };
}

function extract(user: string): LlmReply {
  const facts: Array<{ key: string; value: string; confidence: number }> = [];
  const story = resultOf(user, 'read_story');
  if (story !== undefined) {
    facts.push({ key: 'story_title', value: (story.split('\n')[0] ?? '').replace(/^#\s*/, ''), confidence: 1 });
    facts.push({ key: 'story_paragraphs', value: String(story.split(/\n\s*\n/).filter((part) => part.trim() !== '' && !part.startsWith('#')).length), confidence: 1 });
  }
  const guide = resultOf(user, 'read_style_guide');
  if (guide !== undefined) facts.push({ key: 'style_rules', value: `${guide.split('\n').filter((line) => /^\d+\./.test(line)).length} numbered rules`, confidence: 1 });
  const proofread = resultOf(user, 'proofread');
  if (proofread !== undefined) facts.push({ key: 'spelling_and_grammar_mistakes', value: String(bullets(proofread).length), confidence: 0.9 });
  const style = resultOf(user, 'check_style');
  if (style !== undefined) facts.push({ key: 'style_rules_broken', value: String(bullets(style).length), confidence: 0.9 });
  const structure = resultOf(user, 'assess_structure');
  if (structure !== undefined) facts.push({ key: 'consistency_gaps', value: String(bullets(structure).filter((line) => line.includes('never')).length), confidence: 0.8 });
  const report = resultOf(user, 'write_report');
  if (report !== undefined) {
    const [, path = '', grade = ''] = /to (\S+): grade (\S+)\./.exec(report) ?? [];
    facts.push({ key: 'report_file', value: path, confidence: 1 }, { key: 'grade', value: grade, confidence: 0.9 });
  }
  return json({ facts });
}

function synthesize(user: string): LlmReply {
  const facts = knowledgeOf(user);
  const title = facts.get('story_title') ?? 'the story';
  const note = /<note>\n([\s\S]*?)\n<\/note>/.exec(user)?.[1];
  if (note !== undefined) {
    const why = /because the (.+?) was used up/.exec(note)?.[1] ?? 'budget';
    const done = [...user.matchAll(/<result task="(\w+)"/g)].map((match) => match[1]);
    return { text: `The grading of "${title}" is incomplete: the ${why} ran out after the tasks ${done.join(' and ')}, so there is no review, no grade and no report yet.` };
  }
  return {
    text: [
      `"${title}" is graded ${facts.get('grade') ?? '?'}.`,
      `The review found ${facts.get('spelling_and_grammar_mistakes') ?? '?'} grammar and spelling mistakes, ${facts.get('style_rules_broken') ?? '?'} breaches of the style guide and ${facts.get('consistency_gaps') ?? '?'} consistency gaps.`,
      `The full report is in ${facts.get('report_file') ?? 'graded_report.md'}.`,
    ].join(' '),
  };
}

/** The scripted answer to one request. */
export function scriptedReply(request: RecordedLlmRequest): LlmReply {
  const messages = (request.body.messages ?? []) as WireMessage[];
  const user = request.lastUserMessage ?? '';
  const toolResults = messages.filter((message) => message.role === 'tool').map((message) => textOf(message.content));
  const task = /<task name="([^"]+)">/.exec(user)?.[1] ?? '';
  switch (roleOf(request)) {
    case 'planner':
      // Once the report is written, the objective is met.
      return user.includes('write_report (FileExpert): done') ? json({ reasoning: 'The report is written.', isComplete: true, steps: [] }) : plan(user);
    case 'knowledge-extractor':
      return extract(user);
    case 'verifier':
      return user.includes('Wrote the graded report')
        ? json({ isComplete: true, confidence: 0.95, reasoning: 'The story was reviewed in every aspect asked and the graded report was written.', missing: [] })
        : json({ isComplete: false, confidence: 0.9, reasoning: 'The graded report is not written yet.', missing: ['the graded report'] });
    case 'synthesizer':
      return synthesize(user);
    case 'FileExpert':
      return fileExpert(task, user, toolResults);
    case 'Proofreader': {
      const story = resultOf(user, 'read_story') ?? '';
      const found = CORRECTIONS.filter(([wrong]) => story.includes(wrong));
      return { text: found.map(([wrong, right]) => `- "${wrong}" should be "${right}".`).join('\n') || 'No mistakes found.' };
    }
    case 'StyleChecker': {
      const story = resultOf(user, 'read_story') ?? '';
      const guide = resultOf(user, 'read_style_guide') ?? '';
      const broken = STYLE_ISSUES.filter(([, rule, words]) => guide.includes(rule) && story.includes(words));
      return { text: broken.map(([rule, , words]) => `- ${rule}: "${words}".`).join('\n') || 'The story follows the style guide.' };
    }
    case 'StoryAnalyst':
      return {
        text: [
          '- Structure: a clear beginning, conflict and resolution in four short paragraphs, but the ending is abrupt.',
          '- Consistency: the story never says how Elara knew of the trap in the forest.',
          '- Logic: the secret ally appears in the last line and is never explained.',
        ].join('\n'),
      };
    default:
      return { text: 'I have no scripted answer for this request.' };
  }
}

/** Starts the scripted model on a local OpenAI wire-protocol server; `delay` holds back answers (milliseconds, or per request). */
export function startScriptedModel(delay: number | ((request: RecordedLlmRequest) => number) = 0): Promise<LocalLlmServer> {
  const delayOf = typeof delay === 'number' ? () => delay : delay;
  return startLocalLlmServer({ script: { rules: [{ match: () => true, reply: (request) => ({ ...scriptedReply(request), delayMilliseconds: delayOf(request) }) }] } });
}

/**
 * When no OpenAI key is configured, starts the scripted model and points the SDK at it
 * (OPENAI_API_KEY, OPENAI_BASE_URL). It answers after `delayMilliseconds`, so the run's progress
 * can be followed. Returns the server, if started, and a line saying which model answers. Call it
 * before the app initializes.
 */
export async function useLocalModelUnlessConfigured(delayMilliseconds = 150): Promise<{ server: LocalLlmServer | undefined; description: string }> {
  const key = loadSettings().settings.openai?.api_key;
  if (key !== undefined && key !== '') return { server: undefined, description: 'model: OpenAI (an API key is configured), gpt-4o-mini from mcp_agent.config.yaml' };
  const server = await startScriptedModel(delayMilliseconds);
  process.env.OPENAI_API_KEY = 'local-scripted-model';
  process.env.OPENAI_BASE_URL = server.openaiBaseUrl;
  return {
    server,
    description: `model: no OpenAI key is configured (openai.api_key or OPENAI_API_KEY), so a scripted model answers on a local OpenAI wire-protocol server (${server.openaiBaseUrl})`,
  };
}
