/**
 * The model. With an OpenAI key configured (openai.api_key in mcp_agent.secrets.yaml, or
 * OPENAI_API_KEY) the agents ask OpenAI. Without one, a scripted model answers on a local server
 * that speaks the OpenAI wire protocol, so the real `openai` SDK, the patterns and the engine run
 * as they would against OpenAI; only the model is a stand-in. Node only.
 *
 * The scripted model answers each agent by its instruction (the request's system prompt), and a
 * pattern's decisions (a route, a plan, a rating) by the structure the request asks for.
 */
import { loadSettings } from '@mcp-agent/core/config';
// The openai section (its key, base URL and model) belongs to the provider, which registers it.
import '@mcp-agent/providers-openai/config';
import { startLocalLlmServer, type LlmReply, type LocalLlmServer, type RecordedLlmRequest } from '@mcp-agent/testing';

interface WireMessage {
  role: string;
  content?: unknown;
  tool_calls?: Array<{ function: { name: string; arguments: string } }>;
}

const textOf = (content: unknown): string =>
  typeof content === 'string'
    ? content
    : Array.isArray(content)
      ? content.map((part) => (typeof part === 'object' && part !== null && 'text' in part ? String((part as { text: unknown }).text) : '')).join('\n')
      : '';

/** What a request holds, as the script reads it. */
function read(request: RecordedLlmRequest) {
  const messages = (request.body.messages ?? []) as WireMessage[];
  const system = textOf(messages.find((message) => message.role === 'system')?.content);
  const user = request.lastUserMessage ?? '';
  const toolResults = messages.filter((message) => message.role === 'tool').map((message) => textOf(message.content));
  const format = request.body.response_format as { json_schema?: { name?: string; schema?: { properties?: Record<string, unknown> } } } | undefined;
  const structure = Object.keys(format?.json_schema?.schema?.properties ?? {});
  return { system, user, toolResults, structure };
}

const json = (value: unknown): LlmReply => ({ text: JSON.stringify(value) });

/** The misspellings in the story the proofreader points out. */
const CORRECTIONS: Array<[string, string]> = [
  ['knowed', 'known'],
  ['they where', 'they were'],
  ['brighter then', 'brighter than'],
];

/** The scripted answer to one request. */
export function scriptedReply(request: RecordedLlmRequest): LlmReply {
  const { system, user, toolResults, structure } = read(request);

  // The evaluator's rating: the first letter is GOOD, a rewrite that names the company EXCELLENT.
  if (structure.includes('rating')) {
    const first = user.includes('attempt="1"');
    return first
      ? json({ rating: 'GOOD', feedback: 'Clear and polite, but it does not say why the candidate wants this company.', needsImprovement: true, focusAreas: ['company fit'] })
      : json({ rating: 'EXCELLENT', feedback: 'Specific, persuasive and tailored to the company.', needsImprovement: false, focusAreas: [] });
  }

  // The router's choices: by what the request asks for.
  if (structure.includes('categories')) {
    if (user.includes('verbatim')) return json({ categories: [{ category: 'finder', confidence: 'high', reasoning: 'It reads files and returns their contents.' }] });
    if (user.includes('Print the input to console')) {
      return json({
        categories: [
          { category: 'print_to_console', confidence: 'high', reasoning: 'It prints its input.' },
          { category: 'print_hello_world', confidence: 'low', reasoning: 'It prints, but not the input.' },
        ],
      });
    }
    return json({ categories: [{ category: 'filesystem', confidence: 'high', reasoning: 'The story is a file.' }] });
  }

  // The orchestrator's planner: load the story, review it three ways at once, write the report;
  // once the report is written, the objective is met.
  if (structure.includes('steps')) {
    if (user.includes('REPORT WRITTEN')) return json({ steps: [], isComplete: true });
    const story = /(\S*short_story\.md)/.exec(user)?.[1] ?? 'short_story.md';
    const report = /(\S*graded_report\.md)/.exec(user)?.[1] ?? 'graded_report.md';
    return json({
      steps: [
        { description: 'Load the story', tasks: [{ description: `Read ${story} and return its full text`, agent: 'finder' }] },
        {
          description: 'Review the story',
          tasks: [
            { description: 'Proofread the story', agent: 'proofreader' },
            { description: 'Check the story for consistency', agent: 'fact_checker' },
            { description: 'Review the story’s style', agent: 'style_enforcer' },
          ],
        },
        { description: 'Write the graded report', tasks: [{ description: `Write the graded report to ${report}`, agent: 'writer' }] },
      ],
      isComplete: false,
    });
  }
  if (system.startsWith('You are an agent with access to the filesystem. You find the file')) {
    if (toolResults.length === 0) return { toolCalls: [{ name: 'filesystem_read_text_file', arguments: { path: /Your task: Read (\S+)/.exec(user)?.[1] ?? 'short_story.md' } }] };
    return { text: toolResults[0] ?? '' };
  }
  if (system.startsWith('You are an agent that can write to the filesystem. You write')) {
    if (toolResults.length === 0) {
      const path = /Your task: Write the graded report to (\S+)/.exec(user)?.[1] ?? 'graded_report.md';
      const feedback = user.split('\n').filter((line) => line.startsWith('- '));
      return { toolCalls: [{ name: 'filesystem_write_file', arguments: { path, content: ['# Graded report', '', ...feedback, '', 'Grade: B', ''].join('\n') } }] };
    }
    return { text: `REPORT WRITTEN: ${toolResults[0] ?? ''}` };
  }
  if (system.startsWith('You write the final answer to an objective')) {
    const corrections = (user.match(/should be/g) ?? []).length;
    return { text: `The story was reviewed three ways (${corrections} spelling corrections) and the graded report was written: grade B.` };
  }

  // SimpleWorkflow's finder: reads the file it is asked about, then quotes it.
  if (system === 'You are a helpful assistant.' && /short_story\.md/.test(user)) {
    if (toolResults.length === 0) {
      const path = /(\S*short_story\.md)/.exec(user)?.[1] ?? 'short_story.md';
      return { toolCalls: [{ name: 'filesystem_read_text_file', arguments: { path } }] };
    }
    const [title = '', , paragraph = ''] = (toolResults[0] ?? '').split('\n');
    return { text: `${title.replace(/^#\s*/, '')}\n\n${paragraph}` };
  }

  // WorkflowWithInteraction's poet: asks a person for a subject, then writes about it.
  if (system === 'You are a helpful assistant.' && /poem/i.test(user)) {
    if (toolResults.length === 0) return { toolCalls: [{ name: '__human_input__', arguments: { prompt: 'What should the poem be about?' } }] };
    const subject = (toolResults[0] ?? '').trim() || 'nothing';
    return { text: `A poem about ${subject}:\n${subject} at dawn, ${subject} at night,\n${subject} in my thoughts, a steady light.` };
  }

  if (system.startsWith('Review the short story for grammar')) {
    const found = CORRECTIONS.filter(([wrong]) => user.includes(wrong));
    return { text: found.map(([wrong, right]) => `- "${wrong}" should be "${right}".`).join('\n') || '- No spelling errors.' };
  }
  if (system.startsWith('Verify the factual consistency')) {
    return { text: '- The Shadowhounds invade at night, yet the story never says how the village saw them coming.' };
  }
  if (system.startsWith('Analyse the story for adherence to style')) {
    return { text: '- Split the run-on sentence about the Shadowhounds.\n- Show Lira discovering her gift instead of telling it.' };
  }
  if (system.startsWith('Compile the feedback')) {
    const sections = ['proofreader', 'fact_checker', 'style_enforcer'].filter((name) => user.includes(name));
    return { text: `# Graded report\n\nFeedback from: ${sections.join(', ')}.\n\n${user.includes('should be') ? 'Spelling: three corrections.' : ''}\n\nGrade: B` };
  }

  // The cover letter, and its rewrite after feedback.
  if (system.startsWith('You are a career coach')) {
    return user.includes('<evaluation>')
      ? { text: 'Dear hiring team at LastMile AI,\nI want to build AI systems at LastMile AI because its tools make agents reliable...\nAlex Johnson' }
      : { text: 'Dear hiring team,\nI am applying for the Software Engineer role...\nAlex Johnson' };
  }

  return { text: `I have no scripted answer for this request (system prompt: ${system.slice(0, 60)}).` };
}

/** Starts the scripted model on a local OpenAI wire-protocol server. */
export function startScriptedModel(delayMilliseconds = 0): Promise<LocalLlmServer> {
  return startLocalLlmServer({ script: { rules: [{ match: () => true, reply: (request) => ({ ...scriptedReply(request), delayMilliseconds }) }] } });
}

/**
 * When no OpenAI key is configured, starts the scripted model and points the SDK at it
 * (OPENAI_API_KEY, OPENAI_BASE_URL). Returns the server, if started, and a line saying which
 * model answers. Call it before the app initializes.
 */
export async function useLocalModelUnlessConfigured(): Promise<{ server: LocalLlmServer | undefined; description: string }> {
  const key = loadSettings().settings.openai?.api_key;
  if (key !== undefined && key !== '') return { server: undefined, description: 'model: OpenAI (an API key is configured), gpt-4o-mini from mcp_agent.config.yaml' };
  const server = await startScriptedModel();
  process.env.OPENAI_API_KEY = 'local-scripted-model';
  process.env.OPENAI_BASE_URL = server.openaiBaseUrl;
  return {
    server,
    description: `model: no OpenAI key is configured (openai.api_key or OPENAI_API_KEY), so a scripted model answers on a local OpenAI wire-protocol server (${server.openaiBaseUrl})`,
  };
}
