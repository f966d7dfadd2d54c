/**
 * The workflow tools an app serves, named as the Python project names them so clients and prompts
 * written for it keep working: `workflows-list`, `workflows-runs-list`, `workflows-run`,
 * `workflows-get_status`, `workflows-resume`, `workflows-cancel`, and `workflows-<Name>-run` per
 * workflow. They hold no state: each call goes to the app's executor (on Temporal, its client), so
 * any number of servers can serve the same runs and a restart loses nothing.
 */
import {
  HUMAN_INPUT_QUERY,
  HUMAN_INPUT_SIGNAL,
  messageOf,
  WorkflowFailedError,
  type Executor,
  type HumanInputRequest,
  type StartWorkflowOptions,
  type WorkflowDescription,
  type WorkflowStatus,
} from '@mcp-agent/core';
import { checkAgainstSchema, type JsonSchema } from '@mcp-agent/core/engine';

/** A tool as the server lists it. */
export interface ServedTool {
  name: string;
  title?: string;
  description: string;
  inputSchema: { type: 'object'; [key: string]: unknown };
  outputSchema?: { type: 'object'; [key: string]: unknown };
  annotations?: { readOnlyHint?: boolean; destructiveHint?: boolean; idempotentHint?: boolean; openWorldHint?: boolean; title?: string };
  /** Runs the call; throws a {@link ToolInputError} for input a client must fix. */
  call(args: Record<string, unknown>, session: ClientSession | undefined): Promise<unknown>;
}

/** The client session a call came from: its id (HTTP transports) and the SDK server that holds it. */
export interface ClientSession {
  readonly id: string | undefined;
  readonly server: import('@modelcontextprotocol/sdk/server/index.js').Server;
  /** The progress token the call carried (`_meta.progressToken`), if any: a run it starts reports its end there. */
  readonly progressToken?: string | number | undefined;
}

/** A run a client started through the server, and the session it came from. */
export interface StartedRun {
  workflowName: string;
  workflowId: string;
  runId: string;
  session: ClientSession | undefined;
}

/** Input a client must fix: the tool answers with `isError` and this message. */
export class ToolInputError extends Error {
  override readonly name = 'ToolInputError';
}

/** What the workflow tools need: the workflows served, their input schemas, and the executor. */
export interface WorkflowToolsContext {
  workflows: readonly string[];
  inputSchemaOf(workflowName: string): JsonSchema | undefined;
  executor(): Promise<Executor>;
  /** Told of every run a client starts. */
  onRunStarted?(run: StartedRun): void;
  /** Options for each run a client starts (such as a memo), added by what serves the app. */
  startOptions?(workflowName: string, executor: Executor): Promise<StartWorkflowOptions | undefined>;
}

const STATUS_WORDS: Record<WorkflowStatus, string> = {
  RUNNING: 'running',
  COMPLETED: 'completed',
  FAILED: 'failed',
  CANCELLED: 'cancelled',
  TERMINATED: 'terminated',
  TIMED_OUT: 'timed_out',
  CONTINUED_AS_NEW: 'continued_as_new',
} as Record<WorkflowStatus, string>;

/** The arguments of a workflow's own tool: the input itself when it is an object, else `{ input }`. */
function runToolSchema(schema: JsonSchema | undefined): { type: 'object'; [key: string]: unknown } {
  if (schema !== undefined && schema.type === 'object') {
    const { $comment: _comment, $schema: _schema, title: _title, ...rest } = schema as Record<string, unknown>;
    return { ...rest, type: 'object' };
  }
  if (schema === undefined) return { type: 'object', properties: { input: { description: 'The workflow input' } } };
  const { $comment: _comment, $schema: _schema, title: _title, ...inner } = schema as Record<string, unknown>;
  return { type: 'object', properties: { input: inner }, required: ['input'], additionalProperties: false };
}

/** The workflow input from a workflow tool's arguments (see {@link runToolSchema}). */
function inputFromArguments(schema: JsonSchema | undefined, args: Record<string, unknown>): unknown {
  if (schema !== undefined && schema.type === 'object') return args;
  return args['input'];
}

function requireString(args: Record<string, unknown>, key: string): string {
  const value = args[key];
  if (typeof value !== 'string' || value === '') throw new ToolInputError(`${key}: expected a non-empty string, got ${JSON.stringify(value) ?? 'nothing'}`);
  return value;
}

function optionalString(args: Record<string, unknown>, key: string): string | undefined {
  const value = args[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || value === '') throw new ToolInputError(`${key}: expected a non-empty string, got ${JSON.stringify(value)}`);
  return value;
}

/** A run's status as the tools report it. */
export interface RunStatus {
  workflow_id: string;
  run_id: string;
  name: string;
  status: string;
  running: boolean;
  completed: boolean;
  start_time: string;
  close_time: string | null;
  /** The result's value and metadata, once completed. */
  result?: { value: unknown; metadata: Record<string, unknown> };
  /** Why it did not complete, once failed, cancelled, terminated or timed out. */
  error?: string;
  /** The human input requests the run waits for: answer one with `workflows-resume`. */
  pending_human_input?: HumanInputRequest[];
}

function statusOf(description: WorkflowDescription): RunStatus {
  return {
    workflow_id: description.workflowId,
    run_id: description.runId,
    name: description.workflowName,
    status: STATUS_WORDS[description.status] ?? String(description.status).toLowerCase(),
    running: description.status === 'RUNNING',
    completed: description.status === 'COMPLETED',
    start_time: description.startTime.toISOString(),
    close_time: description.closeTime === undefined ? null : description.closeTime.toISOString(),
  };
}

/** Finds the run a call names: by workflow id (and run id), or by run id alone. */
async function describeTarget(executor: Executor, args: Record<string, unknown>): Promise<WorkflowDescription> {
  const workflowId = optionalString(args, 'workflow_id');
  const runId = optionalString(args, 'run_id');
  if (workflowId === undefined && runId === undefined) throw new ToolInputError('give workflow_id or run_id (both come from workflows-run or workflows-runs-list)');
  if (workflowId !== undefined) {
    try {
      return await executor.describeWorkflow(workflowId, runId);
    } catch (error) {
      throw new ToolInputError(`no run ${runId === undefined ? `of workflow "${workflowId}"` : `"${runId}" of workflow "${workflowId}"`}: ${messageOf(error)}`);
    }
  }
  const runs = await executor.listWorkflows(executor.engine === 'temporal' ? { query: `RunId = '${(runId as string).replace(/'/g, '')}'` } : { limit: 10_000 });
  const found = runs.find((run) => run.runId === runId);
  if (found === undefined) throw new ToolInputError(`no run "${runId}": give workflow_id as well, or check the id with workflows-runs-list`);
  return found;
}

async function pendingHumanInput(executor: Executor, run: WorkflowDescription): Promise<HumanInputRequest[]> {
  if (run.status !== 'RUNNING') return [];
  try {
    return await executor.queryWorkflow<HumanInputRequest[]>(undefined, run.workflowId, HUMAN_INPUT_QUERY);
  } catch {
    return [];
  }
}

/** The status of a run, with its result or error once it has ended and what it waits for while it runs. */
export async function runStatus(executor: Executor, run: WorkflowDescription): Promise<RunStatus> {
  const status = statusOf(run);
  if (run.status === 'RUNNING') {
    const pending = await pendingHumanInput(executor, run);
    if (pending.length > 0) status.pending_human_input = pending;
    return status;
  }
  try {
    const result = await executor.getHandle(run.workflowId, run.runId).result();
    if (run.status === 'COMPLETED') status.result = { value: result.value, metadata: result.metadata };
  } catch (error) {
    status.error = WorkflowFailedError.is(error) && error.cause !== undefined ? messageOf(error.cause) : messageOf(error);
  }
  return status;
}

const TARGET_PROPERTIES = {
  workflow_id: { type: 'string', description: 'The workflow id, from workflows-run or workflows-runs-list' },
  run_id: { type: 'string', description: 'The run id; default the latest run of workflow_id' },
};

/** The workflow tools of an app. */
export function workflowTools(context: WorkflowToolsContext): ServedTool[] {
  const served = new Set(context.workflows);
  const requireWorkflow = (name: string): void => {
    if (!served.has(name)) throw new ToolInputError(`no workflow "${name}"; the workflows are: ${[...served].join(', ') || '(none)'}`);
  };
  const start = async (workflowName: string, input: unknown, session: ClientSession | undefined): Promise<{ workflow_id: string; run_id: string }> => {
    requireWorkflow(workflowName);
    const schema = context.inputSchemaOf(workflowName);
    if (schema !== undefined) {
      const problems = checkAgainstSchema(input, schema);
      if (problems.length > 0) throw new ToolInputError(`the input does not match ${workflowName}'s input schema: ${problems.join('; ')}`);
    }
    const executor = await context.executor();
    const handle = await executor.startWorkflow(workflowName, input, await context.startOptions?.(workflowName, executor));
    const runId = handle.runId ?? (await handle.describe()).runId;
    context.onRunStarted?.({ workflowName, workflowId: handle.workflowId, runId, session });
    return { workflow_id: handle.workflowId, run_id: runId };
  };
  const startedSchema = {
    type: 'object' as const,
    properties: { workflow_id: { type: 'string' }, run_id: { type: 'string' } },
    required: ['workflow_id', 'run_id'],
  };

  const tools: ServedTool[] = [
    {
      name: 'workflows-list',
      title: 'List workflows',
      description: 'Lists the workflows this server runs, with the tool that starts each and the parameters it takes.',
      inputSchema: { type: 'object', properties: {} },
      annotations: { readOnlyHint: true, openWorldHint: false },
      call: async () =>
        Object.fromEntries(
          [...served].map((name) => [
            name,
            {
              name,
              capabilities: ['run', 'get_status', 'resume', 'cancel'],
              tool_endpoints: [`workflows-${name}-run`],
              run_parameters: runToolSchema(context.inputSchemaOf(name)),
            },
          ]),
        ),
    },
    {
      name: 'workflows-runs-list',
      title: 'List runs',
      description: 'Lists workflow runs, newest first, with their status.',
      inputSchema: {
        type: 'object',
        properties: {
          limit: { type: 'integer', minimum: 1, maximum: 1000, description: 'At most this many runs. Default 100.' },
          workflow_name: { type: 'string', description: 'Only runs of this workflow' },
          status: { type: 'string', enum: Object.values(STATUS_WORDS), description: 'Only runs with this status' },
        },
      },
      annotations: { readOnlyHint: true, openWorldHint: false },
      call: async (args) => {
        const limit = args['limit'] ?? 100;
        if (!Number.isInteger(limit) || (limit as number) < 1 || (limit as number) > 1000)
          throw new ToolInputError(`limit: expected a whole number from 1 to 1000, got ${JSON.stringify(limit)}`);
        const workflowName = optionalString(args, 'workflow_name');
        if (workflowName !== undefined) requireWorkflow(workflowName);
        const statusWord = optionalString(args, 'status');
        const status = statusWord === undefined ? undefined : (Object.entries(STATUS_WORDS).find(([, word]) => word === statusWord)?.[0] as WorkflowStatus | undefined);
        if (statusWord !== undefined && status === undefined) throw new ToolInputError(`status: expected one of ${Object.values(STATUS_WORDS).join(', ')}, got "${statusWord}"`);
        const executor = await context.executor();
        const runs = await executor.listWorkflows({ limit: limit as number, ...(workflowName === undefined ? {} : { workflowName }), ...(status === undefined ? {} : { status }) });
        return { runs: runs.filter((run) => served.has(run.workflowName)).map(statusOf) };
      },
    },
    {
      name: 'workflows-run',
      title: 'Run a workflow',
      description:
        'Starts a workflow by name with its run parameters (see workflows-list) and returns its workflow_id and run_id, for workflows-get_status, workflows-resume and workflows-cancel.',
      inputSchema: {
        type: 'object',
        properties: {
          workflow_name: { type: 'string', description: 'The workflow to run', enum: [...served] },
          run_parameters: { description: "The workflow's input, as workflows-list describes it" },
        },
        required: ['workflow_name'],
      },
      outputSchema: startedSchema,
      annotations: { openWorldHint: true },
      call: async (args, session) => {
        const name = requireString(args, 'workflow_name');
        requireWorkflow(name);
        const parameters = args['run_parameters'];
        const schema = context.inputSchemaOf(name);
        const input =
          schema !== undefined && schema.type !== 'object' && typeof parameters === 'object' && parameters !== null && 'input' in parameters
            ? (parameters as { input: unknown }).input
            : parameters;
        return start(name, input, session);
      },
    },
    {
      name: 'workflows-get_status',
      title: 'Get a run’s status',
      description: 'The status of a run: running or how it ended, its result once completed, its error once failed, and the human input it waits for.',
      inputSchema: { type: 'object', properties: TARGET_PROPERTIES },
      annotations: { readOnlyHint: true, openWorldHint: false },
      call: async (args) => {
        const executor = await context.executor();
        return runStatus(executor, await describeTarget(executor, args));
      },
    },
    {
      name: 'workflows-resume',
      title: 'Resume a run',
      description:
        'Sends a signal with a payload to a running workflow. With no signal_name, a run waiting for human input gets the answer (__human_input__); any other run gets the signal "resume".',
      inputSchema: {
        type: 'object',
        properties: {
          ...TARGET_PROPERTIES,
          signal_name: { type: 'string', description: 'The signal to send' },
          payload: { description: 'What the signal carries, such as the answer to a question' },
        },
      },
      annotations: { openWorldHint: false },
      call: async (args) => {
        const executor = await context.executor();
        const run = await describeTarget(executor, args);
        if (run.status !== 'RUNNING') throw new ToolInputError(`the run ${run.runId} of ${run.workflowName} is not waiting: it is ${STATUS_WORDS[run.status] ?? run.status}`);
        const given = optionalString(args, 'signal_name');
        const signalName = given ?? ((await pendingHumanInput(executor, run)).length > 0 ? HUMAN_INPUT_SIGNAL : 'resume');
        try {
          await executor.signalWorkflow(run.workflowName, run.workflowId, signalName, args['payload'], { runId: run.runId });
        } catch (error) {
          throw new ToolInputError(`could not signal "${signalName}" to ${run.workflowName} (${run.workflowId}): ${messageOf(error)}`);
        }
        return { resumed: true, workflow_id: run.workflowId, run_id: run.runId, signal_name: signalName };
      },
    },
    {
      name: 'workflows-cancel',
      title: 'Cancel a run',
      description: 'Asks a running workflow to cancel; it ends as cancelled once it has cleaned up.',
      inputSchema: { type: 'object', properties: TARGET_PROPERTIES },
      annotations: { destructiveHint: true, idempotentHint: true, openWorldHint: false },
      call: async (args) => {
        const executor = await context.executor();
        const run = await describeTarget(executor, args);
        if (run.status !== 'RUNNING') throw new ToolInputError(`the run ${run.runId} of ${run.workflowName} has already ended: it is ${STATUS_WORDS[run.status] ?? run.status}`);
        await executor.cancelWorkflow(run.workflowId, run.runId);
        return { cancelled: true, workflow_id: run.workflowId, run_id: run.runId };
      },
    },
  ];
  for (const name of served) {
    const schema = context.inputSchemaOf(name);
    tools.push({
      name: `workflows-${name}-run`,
      title: `Run ${name}`,
      description: `Starts the workflow ${name} and returns its workflow_id and run_id; follow it with workflows-get_status.`,
      inputSchema: runToolSchema(schema),
      outputSchema: startedSchema,
      annotations: { openWorldHint: true },
      call: async (args, session) => start(name, inputFromArguments(schema, args), session),
    });
  }
  return tools;
}
