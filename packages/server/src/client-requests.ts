/**
 * Requests from a running workflow to the MCP client that started it: a person's answer as MCP
 * elicitation, a model call as MCP sampling, and a log (and progress) notification when the run
 * ends. The server remembers which client session started which run, in this process only; the
 * engine stays the record of every run.
 *
 * - On Temporal a watcher asks the client for each human input request the run lists (the query
 *   `__human_input_pending__`) and answers with the signal `__human_input__`.
 * - On the in-process engine the app's handler answers: {@link elicitingHumanInput} asks the
 *   client of the run's session.
 * - {@link mcpSamplingProvider} is a model provider (`mcp-sampling`) whose round trips the
 *   client's model answers. On Temporal the server runs them itself: a worker in its process
 *   serves only `llm.mcp-sampling.complete`, on a task queue of its own that each run a client
 *   starts names in its memo (`mcp_agent.task_queues`).
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import {
  HUMAN_INPUT_QUERY,
  HUMAN_INPUT_SIGNAL,
  messageOf,
  TASK_QUEUES_MEMO_KEY,
  WorkflowApplicationError,
  WorkflowUsageError,
  type Executor,
  type HumanInputHandler,
  type HumanInputRequest,
  type HumanInputResponse,
  type LlmMessage,
  type StartWorkflowOptions,
  type TaskQueueRoute,
} from '@mcp-agent/core';
import type { Settings } from '@mcp-agent/core/config';
import {
  createTaskMap,
  currentTaskContext,
  llmTaskName,
  type LlmProvider,
  type LlmProviderContext,
  type LlmRequest,
  type LlmResponse,
  type LlmStopReason,
  type TaskDefinition,
} from '@mcp-agent/core/engine';
import type { CreateMessageRequest, CreateMessageResult, LoggingLevel } from '@modelcontextprotocol/sdk/types.js';
import type { AppMcpServer, ServableApp } from './app-server.js';
import { addRunStartOptions } from './run-start.js';
import { runStatus, type ClientSession, type RunStatus, type StartedRun } from './workflow-tools.js';

/**
 * The name of the model provider whose round trips the MCP client's model answers.
 *
 * @example
 * ```ts
 * class ClientLLM extends AugmentedLLM { readonly provider = MCP_SAMPLING_PROVIDER; }
 * ```
 */
export const MCP_SAMPLING_PROVIDER = 'mcp-sampling';

/**
 * Options of {@link attachClientRequests} (and `createMcpServerForApp`'s `clientRequests`).
 *
 * @example
 * ```ts
 * const server = createMcpServerForApp(app, { clientRequests: { pollIntervalMs: 500 } });
 * ```
 */
export interface ClientRequestsOptions {
  /** How often a watched run is looked at (its status, and on Temporal the human input it waits for), in milliseconds. Default 1000. */
  pollIntervalMs?: number;
  /** How long a client has to answer an elicitation, in milliseconds. Default: the request's own timeout, else 24 hours. */
  elicitationTimeoutMs?: number;
  /**
   * Sampling on Temporal: the server runs a worker that serves only the model calls of the
   * `mcp-sampling` provider (`llm.mcp-sampling.complete`), on a task queue of its own
   * (`<task queue>.mcp-server.<instance id>`), started with the first run a client starts, and
   * each such run names that queue in its memo, so its model calls reach this process, which
   * holds the client's session. These options are that provider's. `false` turns it off (the
   * calls then run on the app's workers, where no client session is). In-process, the app's own
   * `mcpSamplingProvider()` answers and this is not used.
   */
  sampling?: McpSamplingServerOptions | false;
}

/**
 * Options of the server's sampling on Temporal (`clientRequests.sampling`): the provider's, and how
 * long a model call waits for the server to take it.
 *
 * @example
 * ```ts
 * const server = createMcpServerForApp(app, { clientRequests: { sampling: { timeoutMs: 120_000, pickupTimeoutMs: 30_000 } } });
 * ```
 */
export interface McpSamplingServerOptions extends McpSamplingProviderOptions {
  /**
   * How long a model call of a run waits for this server's worker to take it, in milliseconds.
   * It waits longer only when the server has gone (or all its slots are busy); then the call
   * fails, not retried, saying so. Default 60,000.
   */
  pickupTimeoutMs?: number;
  /** How many model calls the server's worker runs at once. Default `temporal.max_concurrent_activities`. */
  maxConcurrentCalls?: number;
}

const DEFAULT_POLL_INTERVAL_MS = 1000;
const DAY_MS = 24 * 60 * 60 * 1000;
// Timers hold at most this (about 24.8 days).
const MAX_TIMER_MS = 2 ** 31 - 1;
// The run's session is recorded just after the engine starts the run; a request made before that waits this long for it.
const DEFAULT_SESSION_WAIT_MS = 1000;
const LOGGER_NAME = 'mcp-agent.workflows';

// --- Which client session started which run (this process) ----------------------------------

interface SessionRegistry {
  byRun: Map<string, ClientSession>;
  waiters: Map<string, Set<() => void>>;
}

// On globalThis, so that the server and an app loaded through another copy of this package agree.
const REGISTRY_KEY = Symbol.for('mcp-agent.server.client-sessions-by-run');
const holder = globalThis as unknown as Record<symbol, SessionRegistry | undefined>;
const registry = (holder[REGISTRY_KEY] ??= { byRun: new Map(), waiters: new Map() });

function register(runId: string, session: ClientSession): void {
  registry.byRun.set(runId, session);
  const waiting = registry.waiters.get(runId);
  registry.waiters.delete(runId);
  for (const wake of waiting ?? []) wake();
}

function unregister(runId: string, session: ClientSession): void {
  if (registry.byRun.get(runId) === session) registry.byRun.delete(runId);
}

/** Whether the session's client is still connected. */
function isOpen(session: ClientSession): boolean {
  return session.server.transport !== undefined;
}

/** The open session that started run `runId`, waiting up to `waitMs` for the server to record it. */
async function sessionOfRun(runId: string | undefined, waitMs: number): Promise<ClientSession | undefined> {
  if (runId === undefined || runId === '') return undefined;
  const found = registry.byRun.get(runId);
  if (found !== undefined || waitMs <= 0) return found !== undefined && isOpen(found) ? found : undefined;
  await new Promise<void>((resolve) => {
    const waiting = registry.waiters.get(runId) ?? new Set<() => void>();
    registry.waiters.set(runId, waiting);
    const wake = (): void => {
      clearTimeout(timer);
      waiting.delete(wake);
      if (waiting.size === 0 && registry.waiters.get(runId) === waiting) registry.waiters.delete(runId);
      resolve();
    };
    const timer = setTimeout(wake, waitMs);
    waiting.add(wake);
  });
  const session = registry.byRun.get(runId);
  return session !== undefined && isOpen(session) ? session : undefined;
}

/** Whether the client declared form elicitation (an empty `elicitation: {}` means form). */
function canElicit(session: ClientSession): boolean {
  const elicitation = session.server.getClientCapabilities()?.elicitation as { form?: unknown; url?: unknown } | undefined;
  if (elicitation === undefined) return false;
  return elicitation.form !== undefined || elicitation.url === undefined;
}

// --- Human input as elicitation ------------------------------------------------------------

function elicitationTimeout(request: HumanInputRequest, timeoutMs: number | undefined): number {
  const ms = timeoutMs ?? (request.timeoutSeconds === undefined ? DAY_MS : request.timeoutSeconds * 1000);
  return Math.max(1, Math.min(ms, MAX_TIMER_MS));
}

/**
 * Asks the client for a person's answer with `elicitation/create`: the prompt (after its
 * description), and a form of one string field, `response`. An accepted form answers with its
 * text; a declined or dismissed one answers `decline` or `cancel` (as the Python project does),
 * with `metadata.elicitation` saying which.
 */
async function elicit(session: ClientSession, request: HumanInputRequest, options: { timeoutMs?: number | undefined; signal?: AbortSignal | undefined }): Promise<HumanInputResponse> {
  const message = request.description === undefined || request.description === '' ? request.prompt : `${request.description}\n\n${request.prompt}`;
  const result = await session.server.elicitInput(
    {
      message,
      requestedSchema: { type: 'object', properties: { response: { type: 'string', title: 'Response', description: 'Your answer' } }, required: ['response'] },
    },
    { timeout: elicitationTimeout(request, options.timeoutMs), ...(options.signal === undefined ? {} : { signal: options.signal }) },
  );
  const metadata = { elicitation: result.action };
  if (result.action === 'accept') {
    const response = result.content?.['response'];
    return { requestId: request.requestId, response: typeof response === 'string' ? response : response === undefined ? '' : JSON.stringify(response), metadata };
  }
  return { requestId: request.requestId, response: result.action, metadata };
}

/**
 * Options of {@link elicitingHumanInput}.
 *
 * @example
 * ```ts
 * const humanInput = elicitingHumanInput({ fallback: async (request) => `no one to ask about ${request.prompt}`, timeoutMs: 60_000 });
 * ```
 */
export interface ElicitingHumanInputOptions {
  /**
   * Answers requests of runs no open client session started (or whose client can't elicit), and
   * requests made outside a workflow. Without one such a request fails with a message saying so.
   */
  fallback?: HumanInputHandler;
  /** How long a client has to answer, in milliseconds. Default: the request's own timeout, else 24 hours. */
  timeoutMs?: number;
  /** How long to wait for the server to record the run's session, in milliseconds (a run can ask before its start is recorded). Default 1000. */
  sessionWaitMs?: number;
}

/**
 * A human input handler for an app served over MCP on the in-process engine: a request of a run
 * that a client started through the agent server is asked of that client (`elicitation/create`);
 * any other goes to `fallback`. On Temporal it is not used for runs (they wait on a signal, which
 * the server answers from the client); it still answers requests made outside workflows.
 *
 * @example
 * ```ts
 * const app = new MCPApp({ name: 'approvals', humanInput: elicitingHumanInput({ fallback: async () => 'no one to ask' }) });
 * const running = await serveApp(createMcpServerForApp(app), { transport: 'http', port: 8000 });
 * ```
 */
export function elicitingHumanInput(options: ElicitingHumanInputOptions = {}): HumanInputHandler {
  return async (request) => {
    const session = await sessionOfRun(request.runId, options.sessionWaitMs ?? DEFAULT_SESSION_WAIT_MS);
    if (session === undefined || !canElicit(session)) {
      if (options.fallback !== undefined) return options.fallback(request);
      throw new WorkflowUsageError(
        session === undefined
          ? `human input "${request.prompt}": no connected MCP client started ${request.runId === undefined ? 'this request (it was made outside a workflow)' : `run ${request.runId}`}, so there is no one to ask; pass a fallback: elicitingHumanInput({ fallback })`
          : `human input "${request.prompt}": the MCP client that started run ${request.runId} does not support elicitation; pass a fallback: elicitingHumanInput({ fallback })`,
      );
    }
    return elicit(session, request, { timeoutMs: options.timeoutMs });
  };
}

// --- The watcher: run ends and (on Temporal) human input -----------------------------------

function levelOf(status: string): LoggingLevel {
  if (status === 'failed' || status === 'timed_out') return 'error';
  if (status === 'cancelled' || status === 'terminated') return 'warning';
  return 'info';
}

/** Tells the session that its run ended: a log message with the status, and progress when the start call asked for it. */
async function notifyEnded(session: ClientSession, run: StartedRun, status: RunStatus): Promise<void> {
  const message = `${run.workflowName} ${status.status}${status.error === undefined ? '' : `: ${status.error}`} (workflow_id ${run.workflowId}, run_id ${run.runId})`;
  try {
    await session.server.sendLoggingMessage(
      {
        level: levelOf(status.status),
        logger: LOGGER_NAME,
        data: { message, workflow_id: run.workflowId, run_id: run.runId, name: run.workflowName, status: status.status, ...(status.error === undefined ? {} : { error: status.error }) },
      },
      session.id,
    );
    if (session.progressToken !== undefined) {
      await session.server.notification({ method: 'notifications/progress', params: { progressToken: session.progressToken, progress: 1, total: 1, message } });
    }
  } catch {
    // The client went away: nothing to tell.
  }
}

/**
 * Watches the runs clients start through `server` while their sessions stay open: when a run
 * ends its client gets a log notification with the status (and `notifications/progress` when
 * the start call carried a progress token); on Temporal, each human input request the run lists
 * is asked of the client once, by elicitation, and the answer signalled to the run. The server
 * holds no run state: what it keeps is what to ask and whom, and a run whose client has gone
 * keeps waiting, to be answered with `workflows-resume`. `createMcpServerForApp` calls it unless
 * given `clientRequests: false`.
 *
 * @returns A function that stops watching.
 * @example
 * ```ts
 * const server = createMcpServerForApp(app, { clientRequests: false });
 * const stop = attachClientRequests(server, { pollIntervalMs: 250 });
 * ```
 */
export function attachClientRequests(server: Pick<AppMcpServer, 'app' | 'onRunStarted'>, options: ClientRequestsOptions = {}): () => void {
  const interval = options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
  if (!Number.isFinite(interval) || interval < 10) throw new WorkflowUsageError(`clientRequests.pollIntervalMs: expected a number of milliseconds from 10, got ${String(interval)}`);
  const sampling = options.sampling === false ? undefined : samplingOnTemporal(server.app, options.sampling ?? {});
  const asked = new Set<string>();
  const stops = new Set<() => void>();

  const watch = (run: StartedRun, session: ClientSession): void => {
    register(run.runId, session);
    const open = new Map<string, AbortController>();
    let timer: NodeJS.Timeout | undefined;
    let stopped = false;
    let failures = 0;
    const stop = (): void => {
      if (stopped) return;
      stopped = true;
      clearTimeout(timer);
      stops.delete(stop);
      unregister(run.runId, session);
      for (const [requestId, controller] of open) {
        controller.abort();
        asked.delete(`${run.runId}/${requestId}`);
      }
    };
    stops.add(stop);

    const ask = (executor: Executor, request: HumanInputRequest): void => {
      const controller = new AbortController();
      open.set(request.requestId, controller);
      void (async () => {
        try {
          const answer = await elicit(session, request, { timeoutMs: options.elicitationTimeoutMs, signal: controller.signal });
          // Answered meanwhile (workflows-resume), or the run ended: the answer goes nowhere.
          const pending = await executor.queryWorkflow<HumanInputRequest[]>(undefined, run.workflowId, HUMAN_INPUT_QUERY);
          if (!pending.some((waiting) => waiting.requestId === request.requestId)) return;
          await executor.signalWorkflow(run.workflowName, run.workflowId, HUMAN_INPUT_SIGNAL, answer, { runId: run.runId });
        } catch {
          // The client went away, did not answer in time, or the run ended: the run keeps waiting
          // (if it still runs) and workflows-resume answers it.
        } finally {
          open.delete(request.requestId);
        }
      })();
    };

    const tick = async (): Promise<void> => {
      if (stopped) return;
      if (!isOpen(session)) return stop();
      try {
        const { executor } = await server.app.initialize();
        const description = await executor.describeWorkflow(run.workflowId, run.runId);
        failures = 0;
        if (description.status !== 'RUNNING') {
          stop();
          await notifyEnded(session, run, await runStatus(executor, description));
          return;
        }
        // In-process the app's handler answers (see elicitingHumanInput); a durable engine waits on the signal.
        if (executor.engine !== 'asyncio' && canElicit(session)) {
          const pending = await executor.queryWorkflow<HumanInputRequest[]>(undefined, run.workflowId, HUMAN_INPUT_QUERY);
          const ids = new Set(pending.map((request) => request.requestId));
          for (const [requestId, controller] of open) if (!ids.has(requestId)) controller.abort();
          for (const request of pending) {
            const key = `${run.runId}/${request.requestId}`;
            if (asked.has(key)) continue;
            asked.add(key);
            ask(executor, request);
          }
        }
      } catch {
        failures += 1;
        // The engine can't tell us about the run (gone, or unreachable for a while): stop watching it.
        if (failures >= 5) return stop();
      }
      if (!stopped) timer = setTimeout(() => void tick(), interval).unref();
    };
    timer = setTimeout(() => void tick(), 0).unref();
  };

  const stopListening = server.onRunStarted((run) => {
    if (run.session !== undefined && isOpen(run.session)) watch(run, run.session);
  });
  return () => {
    stopListening();
    for (const stop of [...stops]) stop();
    sampling?.stop();
  };
}

// --- Sampling on Temporal: the server's own worker --------------------------------------------

const SAMPLING_TASK = llmTaskName(MCP_SAMPLING_PROVIDER);
const DEFAULT_PICKUP_TIMEOUT_MS = 60_000;

/** What the server needs of a Temporal executor to serve sampling itself (`TemporalExecutor` has it). */
interface TaskServingExecutor extends Executor {
  readonly taskQueue: string;
  readonly settings: Settings;
  serveTasks(
    tasks: readonly TaskDefinition[],
    options: { taskQueue: string; identity?: string; maxConcurrentActivities?: number },
  ): Promise<{ taskQueue: string; close(): Promise<void> }>;
}

function servesTasks(executor: Executor): executor is TaskServingExecutor {
  const candidate = executor as Partial<TaskServingExecutor>;
  return executor.engine === 'temporal' && typeof candidate.serveTasks === 'function' && typeof candidate.taskQueue === 'string';
}

/**
 * The server's sampling on Temporal: on the first run a client starts, a worker in this process
 * serving only `llm.mcp-sampling.complete` on `<task queue>.mcp-server.<instance id>`; every run
 * started through the server names that queue in its memo. The worker stops with the executor.
 */
function samplingOnTemporal(app: Pick<ServableApp, 'registry' | 'initialize'>, options: McpSamplingServerOptions): { stop(): void } {
  const registry = app.registry;
  const pickupTimeoutMs = options.pickupTimeoutMs ?? DEFAULT_PICKUP_TIMEOUT_MS;
  if (!Number.isFinite(pickupTimeoutMs) || pickupTimeoutMs < 1)
    throw new WorkflowUsageError(`clientRequests.sampling.pickupTimeoutMs: expected a number of milliseconds from 1, got ${String(pickupTimeoutMs)}`);
  const instance = randomUUID();
  const workers = new Map<Executor, Promise<{ taskQueue: string; close(): Promise<void> }>>();
  let stopped = false;

  const workerFor = (executor: TaskServingExecutor): Promise<{ taskQueue: string; close(): Promise<void> }> => {
    let worker = workers.get(executor);
    if (worker === undefined) {
      const task = createTaskMap({ registry, settings: executor.settings, llmProviders: [mcpSamplingProvider(options)] }).get(SAMPLING_TASK);
      worker = executor.serveTasks([task], {
        taskQueue: `${executor.taskQueue}.mcp-server.${instance}`,
        identity: `mcp-agent server ${process.pid}@${hostname()} (sampling)`,
        ...(options.maxConcurrentCalls === undefined ? {} : { maxConcurrentActivities: options.maxConcurrentCalls }),
      });
      workers.set(executor, worker);
      // A worker that could not start is tried again with the next run.
      worker.catch(() => workers.delete(executor));
    }
    return worker;
  };

  const startOptions = async ({ executor }: { executor: Executor }): Promise<StartWorkflowOptions | undefined> => {
    // Another server of the same app, over another executor, routes its own runs.
    if (stopped || !servesTasks(executor) || (await app.initialize()).executor !== executor) return undefined;
    let taskQueue: string;
    try {
      ({ taskQueue } = await workerFor(executor));
    } catch (error) {
      throw new WorkflowUsageError(
        `the server could not start its worker for sampling (the client's model answering the run's model calls): ${messageOf(error)}; ` +
          'fix the Temporal connection, or turn it off with createMcpServerForApp(app, { clientRequests: { sampling: false } })',
      );
    }
    const route: TaskQueueRoute = {
      taskQueue,
      scheduleToStartTimeoutMs: pickupTimeoutMs,
      whenUnserved:
        'the agent server that started this run (it holds the session of the MCP client whose model answers this call) has stopped or lost its connection to Temporal, ' +
        'so no client can answer; start the run again through a running agent server, or give this LLM another provider',
    };
    return { memo: { [TASK_QUEUES_MEMO_KEY]: { [SAMPLING_TASK]: route } } };
  };

  const remove = addRunStartOptions(registry, startOptions);
  return {
    stop: () => {
      if (stopped) return;
      stopped = true;
      remove();
      for (const worker of workers.values()) void worker.then((served) => served.close()).catch(() => undefined);
      workers.clear();
    },
  };
}

// --- Sampling: the client's model as a provider --------------------------------------------

/**
 * Options of {@link mcpSamplingProvider}.
 *
 * @example
 * ```ts
 * const provider = mcpSamplingProvider({ maxTokens: 2048, timeoutMs: 120_000 });
 * ```
 */
export interface McpSamplingProviderOptions {
  /** `maxTokens` when the request gives none (sampling requires one). Default 1024. */
  maxTokens?: number;
  /** How long the client has to answer, in milliseconds (it may ask a person to approve). Default 10 minutes. */
  timeoutMs?: number;
  /** How long to wait for the server to record the run's session, in milliseconds. Default 1000. */
  sessionWaitMs?: number;
}

function unavailable(message: string): WorkflowApplicationError {
  return WorkflowApplicationError.nonRetryable(`${MCP_SAMPLING_PROVIDER}: ${message}`, 'McpSamplingUnavailable');
}

function textOf(content: LlmMessage['content']): string {
  if (content === null) return '';
  if (typeof content === 'string') return content;
  return content.map((part) => (part.type === 'text' ? part.text : `[${part.mimeType} image]`)).join('\n');
}

type SamplingParams = CreateMessageRequest['params'];
type SamplingMessage = SamplingParams['messages'][number];

/** The sampling request for a model request: system messages (and a JSON instruction) as the system prompt, the rest as messages. */
function toSampling(request: LlmRequest, options: McpSamplingProviderOptions): SamplingParams {
  const system: string[] = [];
  const messages: SamplingMessage[] = [];
  for (const message of request.messages) {
    if (message.role === 'system') system.push(message.content);
    else if (message.role === 'tool') messages.push({ role: 'user', content: { type: 'text', text: `Result of the tool ${message.name}: ${textOf(message.content)}` } });
    else if (message.role === 'user' && typeof message.content !== 'string') {
      const content = message.content.map((part) =>
        part.type === 'text' ? { type: 'text' as const, text: part.text } : { type: 'image' as const, data: part.data, mimeType: part.mimeType },
      );
      messages.push({ role: 'user', content });
    } else if (textOf(message.content) !== '') messages.push({ role: message.role, content: { type: 'text', text: textOf(message.content) } });
  }
  if (request.responseFormat !== undefined) {
    system.push(`Answer with JSON only, no other text, matching this JSON Schema: ${JSON.stringify(request.responseFormat.schema)}`);
  }
  return {
    messages,
    maxTokens: request.maxTokens ?? options.maxTokens ?? 1024,
    ...(system.length === 0 ? {} : { systemPrompt: system.join('\n\n') }),
    ...(request.model === undefined ? {} : { modelPreferences: { hints: [{ name: request.model }] } }),
    ...(request.temperature === undefined ? {} : { temperature: request.temperature }),
    ...(request.stopSequences === undefined ? {} : { stopSequences: request.stopSequences }),
  };
}

const STOP_REASONS: Record<string, LlmStopReason> = { endTurn: 'end_turn', stopSequence: 'stop_sequence', maxTokens: 'max_tokens', toolUse: 'tool_use' };

function toLlmResponse(result: CreateMessageResult): LlmResponse {
  const blocks = (Array.isArray(result.content) ? result.content : [result.content]) as Array<{ type: string; text?: string }>;
  const texts = blocks.filter((block) => block.type === 'text').map((block) => block.text ?? '');
  return {
    model: result.model,
    message: { role: 'assistant', content: texts.length === 0 ? null : texts.join(''), toolCalls: [] },
    stopReason: result.stopReason === undefined ? 'end_turn' : (STOP_REASONS[result.stopReason] ?? 'other'),
    // Sampling does not report tokens.
    usage: { inputTokens: 0, outputTokens: 0, totalTokens: 0 },
  };
}

/**
 * A model provider named `mcp-sampling`: each round trip is a `sampling/createMessage` request
 * to the MCP client whose session started the run, answered by the client's model. Use it with
 * an `AugmentedLLM` whose `provider` is `mcp-sampling` (such as `llmClassFor('mcp-sampling')`
 * from `@mcp-agent/patterns`). The session is found in this process. In-process, pass it in the
 * app's `llmProviders`. On Temporal the agent server runs these calls itself, for the runs its
 * clients start (see `ClientRequestsOptions.sampling`): the app's workers need not have it. For
 * runs no connected client started here the call fails (not retried) with a message saying so.
 * Tools are not offered to the client's model.
 *
 * @example
 * ```ts
 * class ClientLLM extends AugmentedLLM { readonly provider = 'mcp-sampling'; }
 * const app = new MCPApp({ name: 'writer', llmProviders: [mcpSamplingProvider()] });
 * // In a workflow: await new ClientLLM({ agent: new Agent({ name: 'poet' }) }).generateStr('A haiku on rain');
 * ```
 */
export function mcpSamplingProvider(options: McpSamplingProviderOptions = {}): LlmProvider {
  const complete = async (request: LlmRequest, context: LlmProviderContext): Promise<LlmResponse> => {
    const task = currentTaskContext();
    if (task === undefined) throw unavailable('the client’s model answers model calls of workflow runs a client started through the agent server; this call is not part of a run');
    const session = await sessionOfRun(task.runId, options.sessionWaitMs ?? DEFAULT_SESSION_WAIT_MS);
    if (session === undefined) {
      throw unavailable(
        `no connected MCP client in this process started run ${task.runId} of ${task.workflowId}. The client's model answers only runs a client started through the agent server, ` +
          'while its session stays open: on Temporal the server that started the run answers their model calls itself (its runs name its task queue in their memo); ' +
          'a run started otherwise, or whose client has gone, has no one to ask. Use another model provider for this run.',
      );
    }
    if (session.server.getClientCapabilities()?.sampling === undefined)
      throw unavailable(`the MCP client that started run ${task.runId} does not support sampling (it did not declare the sampling capability)`);
    if ((request.tools?.length ?? 0) > 0) {
      throw unavailable(`the client's model is not offered tools; give the agent no MCP servers or functions (it has ${request.tools?.map((tool) => tool.name).join(', ')})`);
    }
    try {
      const result = await session.server.createMessage(toSampling(request, options), {
        timeout: options.timeoutMs ?? 10 * 60 * 1000,
        ...(context.signal === undefined ? {} : { signal: context.signal }),
      });
      return toLlmResponse(result);
    } catch (error) {
      if (context.signal?.aborted === true) throw error;
      // A refusal (a person declined) or a failed client: asking again would not help.
      throw WorkflowApplicationError.nonRetryable(`${MCP_SAMPLING_PROVIDER}: the MCP client did not answer the model call: ${messageOf(error)}`, 'McpSamplingError');
    }
  };
  return {
    name: MCP_SAMPLING_PROVIDER,
    complete,
    // Sampling answers whole: the text arrives in one piece.
    stream: async (request, context, onText) => {
      const response = await complete(request, context);
      if (response.message.content !== null) onText(response.message.content);
      return response;
    },
  };
}
