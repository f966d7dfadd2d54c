/**
 * `mcp-agent workflows list | describe | signal | query | resume | pending | cancel | terminate`:
 * workflows on the Temporal server of the config.
 */
import { HUMAN_INPUT_QUERY, HUMAN_INPUT_SIGNAL, type Executor, type HumanInputRequest, type WorkflowDescription, type WorkflowStatus } from '@mcp-agent/core';
import { UsageError, type Command } from '../main.js';
import { APP_OPTION, appModulesFrom, CONFIG_OPTION, inputFrom, loadApp, settingsFrom, temporalExecutor } from '../settings.js';

const SERVER_NOTE = 'Talks to the Temporal server of temporal.* in the config (start one with `mcp-agent server start-dev`).';
const COMMON_USAGE = `  --app <module>       the module that defines the workflows (default src/workflows.ts when it exists);
                       \`workflows signal\` checks the signal's name against it
  --config <file>      mcp_agent.config.yaml to read (default: found from the current folder up)`;
const STATUSES: readonly WorkflowStatus[] = ['RUNNING', 'COMPLETED', 'FAILED', 'CANCELLED', 'TERMINATED', 'CONTINUED_AS_NEW', 'TIMED_OUT'];

type Io = Parameters<Command['run']>[1];

/**
 * Runs `work` with an executor on the config's server. Only `useApp` (signal, whose name the
 * executor checks against the workflow) imports the app; the others never read it.
 */
async function withExecutor<T>(values: Record<string, unknown>, io: Io, work: (executor: Executor) => Promise<T>, useApp = false): Promise<T> {
  const settings = settingsFrom(values, io);
  const modules = useApp ? appModulesFrom(values, io.cwd, false) : undefined;
  const app = modules === undefined ? undefined : await loadApp(modules, io.cwd);
  const executor = await temporalExecutor(settings, app);
  try {
    return await work(executor);
  } finally {
    await executor.close();
  }
}

function row(description: WorkflowDescription): string {
  const time = (date: Date | undefined) => (date === undefined ? '-' : date.toISOString().replace('.000Z', 'Z'));
  return `${description.workflowId.padEnd(36)} ${description.workflowName.padEnd(28)} ${description.status.padEnd(17)} ${time(description.startTime).padEnd(21)} ${time(description.closeTime)}`;
}

function asJson(description: WorkflowDescription): Record<string, unknown> {
  return { ...description, startTime: description.startTime.toISOString(), closeTime: description.closeTime?.toISOString() ?? null };
}

const jsonOption = { json: { type: 'boolean' } } as const;

/** gRPC's code for a request the server refuses as invalid. */
const GRPC_INVALID_ARGUMENT = 3;

/**
 * The server's own words under a failed call: the `details` of the gRPC error in its causes (the
 * client's message is only "Failed to list workflows"), with its code; `undefined` when none.
 */
function serverReason(error: unknown): { reason: string; code: number | undefined } | undefined {
  for (let current: unknown = error, depth = 0; typeof current === 'object' && current !== null && depth < 6; depth += 1) {
    const { details, code } = current as { details?: unknown; code?: unknown };
    if (typeof details === 'string' && details.trim() !== '') return { reason: details.trim(), code: typeof code === 'number' ? code : undefined };
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * What to raise when listing fails: with a `--query`, the query and the server's reason (a
 * refused query is a usage error, exit 2); else the server's reason, or the failure as it is.
 */
function listFailure(error: unknown, query: string | undefined): unknown {
  const server = serverReason(error);
  if (server === undefined) return error;
  if (query === undefined) return new Error(`listing workflows failed: ${server.reason}`, { cause: error });
  const message =
    `--query '${query}': the server refused it: ${server.reason} ` +
    '(the query uses Temporal\'s list filter syntax, such as \'WorkflowType = "GreetingWorkflow" AND ExecutionStatus = "Running"\')';
  return server.code === GRPC_INVALID_ARGUMENT ? new UsageError(message, false) : new Error(message, { cause: error });
}

export const workflowsListCommand: Command = {
  words: ['workflows', 'list'],
  summary: 'list workflows (by name, status or a visibility query)',
  usage: `usage: mcp-agent workflows list [--workflow <name>] [--status <status>] [--query <visibility query>] [--limit <n>] [--json]

${SERVER_NOTE}

  --workflow <name>    only this workflow type
  --status <status>    ${STATUSES.join(', ')}
  --query <query>      a Temporal visibility query, e.g. 'StartTime > "2026-11-01T00:00:00Z"'
  --limit <n>          at most n (default 20)
  --json               one JSON array
${COMMON_USAGE}`,
  options: { ...CONFIG_OPTION, ...APP_OPTION, ...jsonOption, workflow: { type: 'string' }, status: { type: 'string' }, query: { type: 'string' }, limit: { type: 'string' } },
  positionals: { min: 0, max: 0 },
  async run({ values }, io) {
    const status = (values['status'] as string | undefined)?.toUpperCase();
    if (status !== undefined && !STATUSES.includes(status as WorkflowStatus))
      throw new UsageError(`--status: expected one of ${STATUSES.join(', ')}, got "${values['status'] as string}"`);
    const limitText = (values['limit'] as string | undefined) ?? '20';
    const limit = Number(limitText);
    if (!(/^\s*-?\d+\s*$/.test(limitText) && Number.isInteger(limit) && limit > 0)) {
      throw new UsageError(`--limit: expected a whole number from 1, got ${/^-?\d+(\.\d+)?$/.test(limitText) ? limitText : JSON.stringify(limitText)}`);
    }
    const query = values['query'] as string | undefined;
    const found = await withExecutor(values, io, (executor) =>
      executor
        .listWorkflows({
          limit,
          ...(values['workflow'] === undefined ? {} : { workflowName: values['workflow'] as string }),
          ...(status === undefined ? {} : { status: status as WorkflowStatus }),
          ...(query === undefined ? {} : { query }),
        })
        .catch((error: unknown) => {
          throw listFailure(error, query);
        }),
    );
    if (values['json'] === true) io.stdout(`${JSON.stringify(found.map(asJson))}\n`);
    else if (found.length === 0) io.stdout('no workflows\n');
    else io.stdout(`${'WORKFLOW ID'.padEnd(36)} ${'WORKFLOW'.padEnd(28)} ${'STATUS'.padEnd(17)} ${'STARTED'.padEnd(21)} CLOSED\n${found.map(row).join('\n')}\n`);
    return 0;
  },
};

export const workflowsDescribeCommand: Command = {
  words: ['workflows', 'describe'],
  summary: "show a workflow's status, times and chain",
  usage: `usage: mcp-agent workflows describe <workflow-id> [--run-id <id>] [--json]

${SERVER_NOTE}
${COMMON_USAGE}`,
  options: { ...CONFIG_OPTION, ...APP_OPTION, ...jsonOption, 'run-id': { type: 'string' } },
  positionals: { min: 1, max: 1 },
  async run({ values, positionals }, io) {
    const description = await withExecutor(values, io, (executor) => executor.describeWorkflow(positionals[0] as string, values['run-id'] as string | undefined));
    if (values['json'] === true) io.stdout(`${JSON.stringify(asJson(description))}\n`);
    else {
      const lines = [
        ['workflow id', description.workflowId],
        ['run id', description.runId],
        ['workflow', description.workflowName],
        ['status', description.status],
        ['started', description.startTime.toISOString()],
        ['closed', description.closeTime?.toISOString() ?? '-'],
        ...(description.parentWorkflowId === undefined ? [] : [['parent', description.parentWorkflowId]]),
        ...(description.continuedFromRunId === undefined ? [] : [['continued from run', description.continuedFromRunId]]),
        ...(Object.keys(description.memo).length === 0 ? [] : [['memo', JSON.stringify(description.memo)]]),
      ];
      io.stdout(`${lines.map(([key, value]) => `${(key as string).padEnd(19)} ${value as string}`).join('\n')}\n`);
    }
    return 0;
  },
};

const inputOptions = { input: { type: 'string' }, 'input-file': { type: 'string' } } as const;

export const workflowsSignalCommand: Command = {
  words: ['workflows', 'signal'],
  summary: 'send a signal with a JSON payload',
  usage: `usage: mcp-agent workflows signal <workflow-id> <signal> [--input <json> | --input-file <file>] [--run-id <id>]

${SERVER_NOTE}

  --input <json>       the signal's payload, as JSON ('"looks good"', '{"approved": true}')
  --run-id <id>        a specific run (default: the latest)
${COMMON_USAGE}`,
  options: { ...CONFIG_OPTION, ...APP_OPTION, ...inputOptions, 'run-id': { type: 'string' } },
  positionals: { min: 2, max: 2 },
  async run({ values, positionals }, io) {
    const [workflowId, signal] = positionals as [string, string];
    const input = inputFrom(values, io.cwd);
    const runId = values['run-id'] as string | undefined;
    await withExecutor(values, io, (executor) => executor.signalWorkflow(undefined, workflowId, signal, input.value, runId === undefined ? {} : { runId }), true);
    io.stdout(`sent ${signal} to ${workflowId}\n`);
    return 0;
  },
};

export const workflowsQueryCommand: Command = {
  words: ['workflows', 'query'],
  summary: 'ask a running (or closed) workflow a query; prints the answer as JSON',
  usage: `usage: mcp-agent workflows query <workflow-id> <query> [--input <json>]

${SERVER_NOTE} The answer is printed as JSON. A worker must be running to answer.

  --input <json>       the query's argument, as JSON
${COMMON_USAGE}`,
  options: { ...CONFIG_OPTION, ...APP_OPTION, ...inputOptions },
  positionals: { min: 2, max: 2 },
  async run({ values, positionals }, io) {
    const [workflowId, query] = positionals as [string, string];
    const input = inputFrom(values, io.cwd);
    const answer = await withExecutor(values, io, (executor) =>
      input.given ? executor.queryWorkflow(undefined, workflowId, query, input.value) : executor.queryWorkflow(undefined, workflowId, query),
    );
    io.stdout(`${JSON.stringify(answer ?? null, null, 2)}\n`);
    return 0;
  },
};

/** Whether `value` is an answer the `__human_input__` signal takes: `{ requestId?, response, metadata? }`. */
function isAnswerObject(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const { requestId, request_id: snake, response } = value as Record<string, unknown>;
  const id = requestId ?? snake;
  return typeof response === 'string' && (id === undefined || typeof id === 'string');
}

/**
 * `--payload`: JSON when it parses, else the text as it is. An answer to human input must be text
 * or `{ requestId?, response }`: other JSON values (`42`, `true`) are sent as the text typed, and an
 * object of another shape is refused here, as the run would fail on it.
 */
function payloadFrom(text: string | undefined, signal: string): unknown {
  if (text === undefined) {
    if (signal === HUMAN_INPUT_SIGNAL) {
      throw new UsageError(`--payload is required to answer human input: the answer's text, or '{"requestId": "<id>", "response": "<answer>"}'`);
    }
    return undefined;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return text;
  }
  if (signal !== HUMAN_INPUT_SIGNAL || typeof parsed === 'string') return parsed;
  if (typeof parsed !== 'object' || parsed === null) return text;
  if (isAnswerObject(parsed)) return parsed;
  throw new UsageError(
    `--payload: an answer to human input is its text, or {"requestId"?: string, "response": string}; got ${text.length > 120 ? `${text.slice(0, 120)}...` : text}` +
      ' (to send another signal, name it with --signal-name)',
  );
}

export const workflowsResumeCommand: Command = {
  words: ['workflows', 'resume'],
  summary: 'answer a workflow waiting for human input (or send the signal of --signal-name)',
  usage: `usage: mcp-agent workflows resume <workflow-id> [--payload <json or text>] [--run-id <id>] [--signal-name <name>]

${SERVER_NOTE} Sends the built-in ${HUMAN_INPUT_SIGNAL} signal by default: the signal a run
waiting in requestHumanInput (or an agent's human input tool) listens for. The answer goes to the
request it names, else to the oldest one pending; an answer sent before any request is kept for
the next. See what a run waits for with \`mcp-agent workflows pending <workflow-id>\`.

  --payload <value>    JSON if it parses, else the text as it is. For human input: the answer's
                       text ('approved'), or '{"requestId": "<id>", "response": "approved"}' to
                       answer one of several pending requests; other JSON (42, true) is sent as text
  --signal-name <name> send this signal instead (default ${HUMAN_INPUT_SIGNAL}; the Python CLI's default is 'resume')
  --run-id <id>        a specific run (default: the latest)
${COMMON_USAGE}`,
  options: { ...CONFIG_OPTION, ...APP_OPTION, payload: { type: 'string' }, 'signal-name': { type: 'string' }, 'run-id': { type: 'string' } },
  positionals: { min: 1, max: 1 },
  async run({ values, positionals }, io) {
    const workflowId = positionals[0] as string;
    const signal = (values['signal-name'] as string | undefined) ?? HUMAN_INPUT_SIGNAL;
    if (signal.trim() === '') throw new UsageError('--signal-name: expected a signal name, got ""');
    const payload = payloadFrom(values['payload'] as string | undefined, signal);
    const runId = values['run-id'] as string | undefined;
    await withExecutor(values, io, (executor) => executor.signalWorkflow(undefined, workflowId, signal, payload, runId === undefined ? {} : { runId }), true);
    io.stdout(`sent ${signal} to ${workflowId}${runId === undefined ? '' : ` (run ${runId})`}\n`);
    return 0;
  },
};

function pendingText(workflowId: string, requests: readonly HumanInputRequest[]): string {
  if (requests.length === 0) return `no human input requests pending for ${workflowId}\n`;
  const width = Math.max(...requests.map((request) => request.requestId.length));
  const lines = [`${requests.length} human input request${requests.length === 1 ? '' : 's'} pending for ${workflowId}, oldest first:`];
  for (const request of requests) {
    lines.push(`  ${request.requestId.padEnd(width)}  ${request.prompt}`);
    const more = ' '.repeat(width + 4);
    if (request.description !== undefined) lines.push(`${more}${request.description}`);
    if (request.timeoutSeconds !== undefined) lines.push(`${more}fails if unanswered ${request.timeoutSeconds} s after it was asked`);
  }
  lines.push(
    requests.length === 1
      ? `answer with: mcp-agent workflows resume ${workflowId} --payload '<answer>'`
      : `answer one with: mcp-agent workflows resume ${workflowId} --payload '{"requestId": "${requests[0]?.requestId ?? ''}", "response": "<answer>"}' (plain text answers the oldest)`,
  );
  return `${lines.join('\n')}\n`;
}

export const workflowsPendingCommand: Command = {
  words: ['workflows', 'pending'],
  summary: 'list the human input requests a workflow waits for',
  usage: `usage: mcp-agent workflows pending <workflow-id> [--json]

${SERVER_NOTE} Asks the built-in ${HUMAN_INPUT_QUERY} query of the latest run: each request's id,
prompt, description and timeout, oldest first. A worker must be running to answer. Answer with
\`mcp-agent workflows resume <workflow-id> --payload '...'\`.

  --json               the requests as one JSON array
${COMMON_USAGE}`,
  options: { ...CONFIG_OPTION, ...APP_OPTION, ...jsonOption },
  positionals: { min: 1, max: 1 },
  async run({ values, positionals }, io) {
    const workflowId = positionals[0] as string;
    const requests = (await withExecutor(values, io, (executor) => executor.queryWorkflow<HumanInputRequest[] | null>(undefined, workflowId, HUMAN_INPUT_QUERY))) ?? [];
    io.stdout(values['json'] === true ? `${JSON.stringify(requests)}\n` : pendingText(workflowId, requests));
    return 0;
  },
};

export const workflowsCancelCommand: Command = {
  words: ['workflows', 'cancel'],
  summary: 'ask a workflow to cancel (it can clean up and report)',
  usage: `usage: mcp-agent workflows cancel <workflow-id> [--run-id <id>]

${SERVER_NOTE} The workflow sees the cancellation and may run cleanup before it ends.
${COMMON_USAGE}`,
  options: { ...CONFIG_OPTION, ...APP_OPTION, 'run-id': { type: 'string' } },
  positionals: { min: 1, max: 1 },
  async run({ values, positionals }, io) {
    const workflowId = positionals[0] as string;
    await withExecutor(values, io, (executor) => executor.cancelWorkflow(workflowId, values['run-id'] as string | undefined));
    io.stdout(`asked ${workflowId} to cancel\n`);
    return 0;
  },
};

export const workflowsTerminateCommand: Command = {
  words: ['workflows', 'terminate'],
  summary: 'end a workflow at once, without cleanup',
  usage: `usage: mcp-agent workflows terminate <workflow-id> [--reason <text>] [--run-id <id>]

${SERVER_NOTE} The workflow ends at once; no code of it runs.
${COMMON_USAGE}`,
  options: { ...CONFIG_OPTION, ...APP_OPTION, reason: { type: 'string' }, 'run-id': { type: 'string' } },
  positionals: { min: 1, max: 1 },
  async run({ values, positionals }, io) {
    const workflowId = positionals[0] as string;
    await withExecutor(values, io, (executor) => executor.terminateWorkflow(workflowId, values['reason'] as string | undefined, values['run-id'] as string | undefined));
    io.stdout(`terminated ${workflowId}\n`);
    return 0;
  },
};
