/**
 * The work of one agent workflow in the lean-worker benchmark, shared by the framework's workflow,
 * the bare SDK workflow and the benchmark that checks their results: six model calls and three
 * tool calls of `@modelcontextprotocol/server-filesystem`, in the same order on both sides. Plain
 * data only: safe for the workflow sandbox.
 */

/** The model both sides ask for. */
export const LEAN_MODEL = 'gpt-4o-mini';
/** The system message of every model call, on both sides. */
export const LEAN_INSTRUCTION = 'Answer in one line.';
/** The file the filesystem server's tools read, in the folder the benchmark gives the server. */
export const LEAN_NOTE_FILE = 'note.txt';
/** What that file holds. */
export const LEAN_NOTE_TEXT = 'a note for the lean-worker benchmark';
/** The attempt (start-to-close) timeout of every activity, on both sides. */
export const LEAN_ATTEMPT_TIMEOUT_SECONDS = 60;

/** The filesystem server's tools the workflows call (without the framework's `filesystem_` prefix). */
export type LeanTool = 'read_text_file' | 'list_directory' | 'get_file_info';

/** One step of a workflow: a model call or a tool call. */
export type LeanStep = { kind: 'model'; prompt: string } | { kind: 'tool'; tool: LeanTool; arguments: { path: string } };

/** The input of one workflow run, on both sides. */
export interface LeanInput {
  id: number;
  /** The folder the filesystem server serves (an absolute path). */
  directory: string;
}

/** What one run returns, on both sides: the six answers and the text of the three tool results. */
export interface LeanOutput {
  answers: string[];
  toolTexts: string[];
}

/** The nine steps of run `id`: two model calls then a tool call, three times. */
export function leanSteps(input: LeanInput): LeanStep[] {
  const note = `${input.directory}/${LEAN_NOTE_FILE}`;
  const tools: Array<LeanStep & { kind: 'tool' }> = [
    { kind: 'tool', tool: 'read_text_file', arguments: { path: note } },
    { kind: 'tool', tool: 'list_directory', arguments: { path: input.directory } },
    { kind: 'tool', tool: 'get_file_info', arguments: { path: note } },
  ];
  return tools.flatMap((tool, index) => [
    { kind: 'model' as const, prompt: `workflow ${input.id} question ${2 * index + 1}` },
    { kind: 'model' as const, prompt: `workflow ${input.id} question ${2 * index + 2}` },
    tool,
  ]);
}

/** Why `output` is not what run `input.id` should return, or undefined when it is. */
export function leanOutputProblem(input: LeanInput, output: LeanOutput | undefined): string | undefined {
  const answers = leanSteps(input).flatMap((step) => (step.kind === 'model' ? [`ok ${step.prompt}`] : []));
  if (output === undefined || JSON.stringify(output.answers) !== JSON.stringify(answers)) return `answers ${JSON.stringify(output?.answers)}, expected ${JSON.stringify(answers)}`;
  const [read, listing, info] = output.toolTexts;
  if (read !== LEAN_NOTE_TEXT) return `read_text_file returned ${JSON.stringify(read)}`;
  if (listing === undefined || !listing.includes(LEAN_NOTE_FILE)) return `list_directory returned ${JSON.stringify(listing)}`;
  if (info === undefined || !/size/i.test(info)) return `get_file_info returned ${JSON.stringify(info)}`;
  return undefined;
}
