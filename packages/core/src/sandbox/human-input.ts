/**
 * Human input: a workflow (or an agent's model, through a tool) asks a person and waits for the
 * answer. Safe for the workflow sandbox.
 *
 * - On a durable engine (Temporal) the run waits on the built-in signal `__human_input__` for as
 *   long as it takes (days), and the built-in query `__human_input_pending__` lists what it waits
 *   for; `mcp-agent workflows resume <id> --payload '...'` answers.
 * - On the in-process engine, and outside workflows, the app's handler answers (the console by
 *   default), run as the task `human_input.request`.
 */
import { toMilliseconds, type Duration } from './duration.js';
import { TimeoutError, WorkflowUsageError } from './errors.js';
import { currentWorkflowContext, type WorkflowContext } from './model/workflow-context.js';
import { servicesOf, type AppServices, type ServicesOwner } from './services.js';
import type { AgentFunctionTool } from './agent/agent.js';

/** The signal that answers a human input request on a durable engine (the Python project's name). */
export const HUMAN_INPUT_SIGNAL = '__human_input__';
/** The query that lists the human input requests a run waits for. */
export const HUMAN_INPUT_QUERY = '__human_input_pending__';
/** The task that asks the app's handler on the in-process engine. */
export const HUMAN_INPUT_TASK = 'human_input.request';

/** What is asked of a person. */
export interface HumanInputRequest {
  /** Identifies the request; an answer names it (or answers the oldest pending request). */
  requestId: string;
  /** The question. */
  prompt: string;
  /** What the answer is for. */
  description?: string | undefined;
  workflowId?: string | undefined;
  runId?: string | undefined;
  /** How long the request waits before it fails with a `TimeoutError`; unset waits for ever. */
  timeoutSeconds?: number | undefined;
  metadata?: Record<string, unknown> | undefined;
}

/** A person's answer. */
export interface HumanInputResponse {
  requestId: string;
  response: string;
  metadata?: Record<string, unknown> | undefined;
}

/**
 * Answers human input requests in-process: the console by default, or a function given to
 * `new MCPApp({ humanInput })`. It may return the answer's text alone.
 */
export type HumanInputHandler = (request: HumanInputRequest) => Promise<HumanInputResponse | string> | HumanInputResponse | string;

/** What {@link requestHumanInput} asks. */
export interface HumanInputAsk {
  prompt: string;
  description?: string;
  /** Fails the wait with a `TimeoutError` after this long. Default: waits for ever. */
  timeout?: Duration;
  metadata?: Record<string, unknown>;
  /** Default: a replay-safe UUID. */
  requestId?: string;
  /** The app whose handler answers outside a workflow. Default: the app running the caller. */
  app?: ServicesOwner;
}

interface HumanInputState {
  pending: HumanInputRequest[];
  answers: Map<string, HumanInputResponse>;
  /** Answers that named no request and found none pending: they go to the next request. */
  unaddressed: HumanInputResponse[];
}

// Per run, kept with the run's context so it goes when the run does.
const states = new WeakMap<object, HumanInputState>();

function stateOf(context: WorkflowContext): HumanInputState {
  let state = states.get(context);
  if (state === undefined) {
    state = { pending: [], answers: new Map(), unaddressed: [] };
    states.set(context, state);
  }
  return state;
}

/**
 * Asks a person and waits for the answer: durably on Temporal (a signal, for days if need be), by
 * the app's handler in-process.
 *
 * @throws TimeoutError when `timeout` passes first.
 *
 * @example
 * ```ts
 * const { response } = await requestHumanInput({ prompt: 'Approve the refund of 420 EUR?', timeout: '3 days' });
 * ```
 */
export async function requestHumanInput(ask: HumanInputAsk | string): Promise<HumanInputResponse> {
  const options: HumanInputAsk = typeof ask === 'string' ? { prompt: ask } : ask;
  if (typeof options?.prompt !== 'string' || options.prompt === '') {
    throw new WorkflowUsageError(`requestHumanInput: prompt must be a non-empty string, got ${JSON.stringify(options?.prompt)}`);
  }
  const timeoutMilliseconds = options.timeout === undefined ? undefined : toMilliseconds(options.timeout, 'requestHumanInput timeout');
  const context = currentWorkflowContext();
  const request: HumanInputRequest = {
    requestId: options.requestId ?? context?.uuid() ?? randomId(),
    prompt: options.prompt,
    ...(options.description === undefined ? {} : { description: options.description }),
    ...(context === undefined ? {} : { workflowId: context.info.workflowId, runId: context.info.runId }),
    ...(timeoutMilliseconds === undefined ? {} : { timeoutSeconds: timeoutMilliseconds / 1000 }),
    ...(options.metadata === undefined ? {} : { metadata: options.metadata }),
  };
  if (context === undefined) return normalise(request, await handlerOf(servicesOf(options.app))(request));
  const state = stateOf(context);
  state.pending.push(request);
  try {
    if (context.durable !== true) {
      return normalise(request, await context.executeTask<HumanInputResponse | string>(HUMAN_INPUT_TASK, [request], undefined));
    }
    const unaddressed = state.unaddressed.shift();
    if (unaddressed !== undefined) return { ...unaddressed, requestId: request.requestId };
    const answered = await context.condition(() => state.answers.has(request.requestId), timeoutMilliseconds);
    if (!answered) {
      throw new TimeoutError('signal', `no answer to the human input request "${request.prompt}" (${request.requestId}) arrived within ${timeoutMilliseconds} ms`);
    }
    const answer = state.answers.get(request.requestId) as HumanInputResponse;
    state.answers.delete(request.requestId);
    return answer;
  } finally {
    const index = state.pending.indexOf(request);
    if (index >= 0) state.pending.splice(index, 1);
  }
}

/**
 * Hands an answer that arrived as the `__human_input__` signal to the request it names, or to the
 * oldest pending one. The payload is the answer's text, or `{ requestId?, response, metadata? }`.
 * Called by the built-in signal handler of every workflow.
 */
export function deliverHumanInput(context: WorkflowContext, payload: unknown): void {
  const state = stateOf(context);
  const answer = parseAnswer(payload);
  const target = answer.requestId ?? state.pending.find((request) => !state.answers.has(request.requestId))?.requestId;
  if (target === undefined) {
    state.unaddressed.push({ ...answer, requestId: '' });
    return;
  }
  state.answers.set(target, { ...answer, requestId: target });
}

/** The requests the run waits for, oldest first. Answers the built-in `__human_input_pending__` query. */
export function pendingHumanInput(context: WorkflowContext): HumanInputRequest[] {
  const state = stateOf(context);
  return state.pending.filter((request) => !state.answers.has(request.requestId)).map((request) => ({ ...request }));
}

/**
 * Reads an answer. It never throws: a run that waited days must not fail on a typo. Text is the
 * answer; `{ requestId?, response }` names its request; anything else (a number, another object)
 * becomes its JSON text, so what was sent is not lost.
 */
function parseAnswer(payload: unknown): { requestId?: string; response: string; metadata?: Record<string, unknown> } {
  if (typeof payload === 'string') return { response: payload };
  if (typeof payload === 'object' && payload !== null && !Array.isArray(payload)) {
    const { requestId, request_id: snake, response, metadata } = payload as Record<string, unknown>;
    const id = requestId ?? snake;
    if (response !== undefined) {
      return {
        ...(typeof id === 'string' ? { requestId: id } : {}),
        response: typeof response === 'string' ? response : JSON.stringify(response),
        ...(typeof metadata === 'object' && metadata !== null ? { metadata: metadata as Record<string, unknown> } : {}),
      };
    }
  }
  return { response: typeof payload === 'number' || typeof payload === 'boolean' ? String(payload) : (JSON.stringify(payload) ?? '') };
}

function normalise(request: HumanInputRequest, answer: HumanInputResponse | string): HumanInputResponse {
  if (typeof answer === 'string') return { requestId: request.requestId, response: answer };
  if (typeof answer?.response !== 'string') {
    throw new WorkflowUsageError(`the human input handler answered ${JSON.stringify(answer)?.slice(0, 120)}; return the answer's text or { response: string }`);
  }
  return { ...answer, requestId: request.requestId };
}

/** The app's handler, or an error saying how to give one. */
export function handlerOf(services: AppServices): HumanInputHandler {
  if (services.humanInput === undefined) {
    throw new WorkflowUsageError('requestHumanInput: this app has no human input handler; pass one: new MCPApp({ humanInput: async (request) => answer })');
  }
  return services.humanInput;
}

function randomId(): string {
  return `human-input-${Date.now().toString(36)}-${Math.floor(Math.random() * 1e9).toString(36)}`;
}

/**
 * A tool that lets an agent's model ask a person (`__human_input__`, as in the Python project):
 * add it to an agent's `functions`. Inside a workflow it waits as {@link requestHumanInput} does.
 *
 * @example
 * ```ts
 * const agent = new Agent({ name: 'planner', functions: [humanInputTool()] });
 * ```
 */
export function humanInputTool(options: { timeout?: Duration } = {}): AgentFunctionTool {
  return {
    name: HUMAN_INPUT_SIGNAL,
    description: 'Ask a person for input or a decision you cannot make yourself; returns their answer.',
    inputSchema: {
      type: 'object',
      properties: { prompt: { type: 'string', description: 'The question for the person' }, description: { type: 'string', description: 'Why you ask' } },
      required: ['prompt'],
    },
    run: async (args) => {
      const answer = await requestHumanInput({
        prompt: String(args['prompt'] ?? ''),
        ...(typeof args['description'] === 'string' ? { description: args['description'] } : {}),
        ...(options.timeout === undefined ? {} : { timeout: options.timeout }),
      });
      return answer.response;
    },
  };
}
