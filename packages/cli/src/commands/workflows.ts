/**
 * `mcp-agent workflows list | describe | signal | query | resume | pending | cancel | terminate`:
 * workflows on the Temporal server of the config.
 */
import { HUMAN_INPUT_QUERY, HUMAN_INPUT_SIGNAL, type HumanInputRequest, type WorkflowDescription, type WorkflowStatus } from '@mcp-agent/core';
import { UsageError, type CommandIo, type CommandRun } from '../command.js';
import type { TemporalExecutor } from '@mcp-agent/executor-temporal';
import { WORKFLOW_STATUSES } from '../commands.js';
import { appModulesFrom, appModulesFromManifest, inputFrom, loadApp, settingsFrom, temporalExecutor } from '../settings.js';

type Io = CommandIo;

/**
 * Runs `work` with an executor on the config's server. Only `useApp` (signal, whose name the
 * executor checks against the workflow) imports the app; the others never read it.
 */
async function withExecutor<T>(values: Record<string, unknown>, io: Io, work: (executor: TemporalExecutor) => Promise<T>, useApp = false): Promise<T> {
  const settings = settingsFrom(values, io);
  // The app's modules: --app, the default module, or those the generated manifest names.
  const modules = useApp ? (appModulesFrom(values, io.cwd, false) ?? (await appModulesFromManifest(io.cwd))) : undefined;
  const app = modules === undefined ? undefined : await loadApp(modules, io.cwd);
  const executor = await temporalExecutor(settings, app);
  try {
    return await work(executor);
  } finally {
    await executor.close();
  }
}

/** The server's number for a task queue of workflow tasks (TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW), which queries go to. */
const WORKFLOW_TASK_QUEUE = 1;

/**
 * Refuses a query no worker can answer, in the time of two calls: the server holds a query until a
 * worker of the run's task queue takes it, and fails it only after its own timeout (35 s). A run
 * the server does not know is left to the query, which names it.
 */
async function refuseWithoutWorker(executor: TemporalExecutor, workflowId: string): Promise<void> {
  const { client } = executor;
  const description = await client.workflow
    .getHandle(workflowId)
    .describe()
    .catch(() => undefined);
  if (description === undefined) return;
  // A server that does not say (a role without the permission) leaves it to the query too.
  const taskQueue = await client.workflowService
    .describeTaskQueue({ namespace: client.options.namespace, taskQueue: { name: description.taskQueue }, taskQueueType: WORKFLOW_TASK_QUEUE })
    .catch(() => undefined);
  if (taskQueue !== undefined && (taskQueue.pollers ?? []).length === 0) {
    const ended = description.status.name === 'RUNNING' ? '' : `, also for a run that has ended (${workflowId} is ${description.status.name})`;
    throw new Error(`no worker is polling task queue "${description.taskQueue}": start one with \`mcp-agent worker\` (a worker answers queries${ended})`);
  }
}

/** Asks a run a query once a worker polls its task queue. */
async function queryWhenAnswered<R>(executor: TemporalExecutor, workflowId: string, query: string, args: unknown[]): Promise<R> {
  await refuseWithoutWorker(executor, workflowId);
  return executor.queryWorkflow<R>(undefined, workflowId, query, ...args);
}

function row(description: WorkflowDescription): string {
  const time = (date: Date | undefined) => (date === undefined ? '-' : date.toISOString().replace('.000Z', 'Z'));
  return `${description.workflowId.padEnd(36)} ${description.workflowName.padEnd(28)} ${description.status.padEnd(17)} ${time(description.startTime).padEnd(21)} ${time(description.closeTime)}`;
}

function asJson(description: WorkflowDescription): Record<string, unknown> {
  return { ...description, startTime: description.startTime.toISOString(), closeTime: description.closeTime?.toISOString() ?? null };
}

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

export const workflowsList: CommandRun = async ({ values }, io) => {
  const status = (values['status'] as string | undefined)?.toUpperCase();
  if (status !== undefined && !WORKFLOW_STATUSES.includes(status as WorkflowStatus))
    throw new UsageError(`--status: expected one of ${WORKFLOW_STATUSES.join(', ')}, got "${values['status'] as string}"`);
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
};

export const workflowsDescribe: CommandRun = async ({ values, positionals }, io) => {
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
};

export const workflowsSignal: CommandRun = async ({ values, positionals }, io) => {
  const [workflowId, signal] = positionals as [string, string];
  const input = inputFrom(values, io.cwd);
  const runId = values['run-id'] as string | undefined;
  await withExecutor(values, io, (executor) => executor.signalWorkflow(undefined, workflowId, signal, input.value, runId === undefined ? {} : { runId }), true);
  io.stdout(`sent ${signal} to ${workflowId}\n`);
  return 0;
};

export const workflowsQuery: CommandRun = async ({ values, positionals }, io) => {
  const [workflowId, query] = positionals as [string, string];
  const input = inputFrom(values, io.cwd);
  const answer = await withExecutor(values, io, (executor) => queryWhenAnswered(executor, workflowId, query, input.given ? [input.value] : []));
  io.stdout(`${JSON.stringify(answer ?? null, null, 2)}\n`);
  return 0;
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

export const workflowsResume: CommandRun = async ({ values, positionals }, io) => {
  const workflowId = positionals[0] as string;
  const signal = (values['signal-name'] as string | undefined) ?? HUMAN_INPUT_SIGNAL;
  if (signal.trim() === '') throw new UsageError('--signal-name: expected a signal name, got ""');
  const payload = payloadFrom(values['payload'] as string | undefined, signal);
  const runId = values['run-id'] as string | undefined;
  await withExecutor(values, io, (executor) => executor.signalWorkflow(undefined, workflowId, signal, payload, runId === undefined ? {} : { runId }), true);
  io.stdout(`sent ${signal} to ${workflowId}${runId === undefined ? '' : ` (run ${runId})`}\n`);
  return 0;
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

export const workflowsPending: CommandRun = async ({ values, positionals }, io) => {
  const workflowId = positionals[0] as string;
  const requests = (await withExecutor(values, io, (executor) => queryWhenAnswered<HumanInputRequest[] | null>(executor, workflowId, HUMAN_INPUT_QUERY, []))) ?? [];
  io.stdout(values['json'] === true ? `${JSON.stringify(requests)}\n` : pendingText(workflowId, requests));
  return 0;
};

export const workflowsCancel: CommandRun = async ({ values, positionals }, io) => {
  const workflowId = positionals[0] as string;
  await withExecutor(values, io, (executor) => executor.cancelWorkflow(workflowId, values['run-id'] as string | undefined));
  io.stdout(`asked ${workflowId} to cancel\n`);
  return 0;
};

export const workflowsTerminate: CommandRun = async ({ values, positionals }, io) => {
  const workflowId = positionals[0] as string;
  await withExecutor(values, io, (executor) => executor.terminateWorkflow(workflowId, values['reason'] as string | undefined, values['run-id'] as string | undefined));
  io.stdout(`terminated ${workflowId}\n`);
  return 0;
};
