/**
 * The built-in tasks: MCP operations and model round trips, each under a stable name. Under
 * Temporal each is an activity type, so renaming one breaks running workflows. Node only.
 */
import type { Settings } from '../config/schema.js';
import type { Logger } from './logger.js';
import type { LlmProvider } from '../sandbox/llm/llm-provider.js';
import { llmTaskName, type LlmRequest } from '../sandbox/llm/llm-types.js';
import { costOf } from '../sandbox/llm/model-prices.js';
import { embeddingTaskName, type EmbeddingProvider, type EmbeddingRequest } from '../sandbox/llm/embedding.js';
import { HUMAN_INPUT_TASK, type HumanInputHandler, type HumanInputRequest } from '../sandbox/human-input.js';
import { McpClientError } from '../sandbox/errors.js';
import { MCP_TASK_NAMES, type McpCompleteRequest, type McpService } from '../sandbox/mcp/mcp-service.js';
import type { TaskDefinition } from '../sandbox/model/definitions.js';
import { currentTaskContext } from './task-context.js';

function define(name: string, run: (...args: never[]) => Promise<unknown>): TaskDefinition {
  return Object.freeze({ name, run: run as (...args: unknown[]) => Promise<unknown>, options: Object.freeze({ name }) });
}

/**
 * The session key of the workflow run whose task runs now, `<workflowId>/<runId>`, or undefined
 * outside a task (or in a task that knows no run). MCP servers whose session scope is `run` give
 * each key its own session, on whichever worker runs the task.
 *
 * @example
 * ```ts
 * await mcp.callTool({ server: 'browser', tool: 'open', arguments: { url } }, { sessionKey: runSessionKey() });
 * ```
 */
export function runSessionKey(): string | undefined {
  const context = currentTaskContext();
  if (context === undefined || (context.workflowId === '' && context.runId === '')) return undefined;
  return `${context.workflowId}/${context.runId}`;
}

/**
 * What an engine calls when a workflow run ends (`CreateExecutorOptions.onRunClosed`): closes the
 * run's MCP sessions (servers whose session scope is `run`), in the background, logging failures.
 *
 * @example
 * ```ts
 * const executor = await engine.createExecutor({ ...options, onRunClosed: closeRunSessions(services.mcp, logger) });
 * ```
 */
export function closeRunSessions(mcp: McpService, logger: Logger): (run: { workflowId: string; runId: string }) => void {
  return ({ workflowId, runId }) => {
    if (mcp.closeSessions === undefined) return;
    const sessionKey = `${workflowId}/${runId}`;
    mcp.closeSessions(sessionKey).catch((error: unknown) => {
      logger.warn(`could not close the MCP sessions of run ${sessionKey}: ${error instanceof Error ? error.message : String(error)}`, { workflowId, runId });
    });
  };
}

/**
 * The MCP operations as tasks. A tool call gets the attempt's abort signal, so an attempt that
 * timed out or was cancelled stops its request; tool calls and tool listings name the run
 * ({@link runSessionKey}), for servers whose session scope is `run`.
 */
export function mcpTasks(mcp: McpService): TaskDefinition[] {
  return [
    define(MCP_TASK_NAMES.listTools, (server: string) => mcp.listTools(server, { sessionKey: runSessionKey() })),
    define(MCP_TASK_NAMES.callTool, (request: Parameters<McpService['callTool']>[0]) => mcp.callTool(request, { signal: currentTaskContext()?.signal, sessionKey: runSessionKey() })),
    define(MCP_TASK_NAMES.listPrompts, (server: string) => mcp.listPrompts(server)),
    define(MCP_TASK_NAMES.getPrompt, (request: Parameters<McpService['getPrompt']>[0]) => mcp.getPrompt(request)),
    define(MCP_TASK_NAMES.listResources, (server: string) => mcp.listResources(server)),
    define(MCP_TASK_NAMES.readResource, (request: Parameters<McpService['readResource']>[0]) => mcp.readResource(request)),
    define(MCP_TASK_NAMES.listResourceTemplates, async (server: string) => {
      if (mcp.listResourceTemplates === undefined) throw unsupported('listResourceTemplates', server);
      return mcp.listResourceTemplates(server);
    }),
    define(MCP_TASK_NAMES.complete, async (request: McpCompleteRequest) => {
      if (mcp.complete === undefined) throw unsupported('complete', request.server);
      return mcp.complete(request);
    }),
  ];
}

/** What an optional MCP operation raises when the app's MCP service lacks it: not retried. */
function unsupported(operation: string, server: string): McpClientError {
  return new McpClientError(
    'MCP_PROTOCOL_ERROR',
    server,
    `the app's MCP service has no ${operation}(); use the MCP service of @mcp-agent/mcp-client, or add ${operation} to the service passed as new MCPApp({ mcp })`,
    { retryable: false },
  );
}

/**
 * The task `llm.<provider>.complete` of a provider: its input is the request, never a key; the
 * provider resolves credentials from the settings inside the task, on the worker.
 */
export function llmTask(provider: LlmProvider, settings: Settings): TaskDefinition {
  return define(llmTaskName(provider.name), async (request: LlmRequest) => {
    const response = await provider.complete(request, { settings, signal: currentTaskContext()?.signal });
    return { ...response, costUsd: response.costUsd ?? costOf(settings, response.model, response.usage) };
  });
}

/** The task `embedding.<provider>.embed` of an embedding provider: its input is the request, never a key. */
export function embeddingTask(provider: EmbeddingProvider, settings: Settings): TaskDefinition {
  return define(embeddingTaskName(provider.name), async (request: EmbeddingRequest) => {
    const response = await provider.embed(request, { settings, signal: currentTaskContext()?.signal });
    return { ...response, costUsd: response.costUsd ?? costOf(settings, response.model, { inputTokens: response.usage.inputTokens, outputTokens: 0 }) };
  });
}

/**
 * The task `human_input.request`: the app's handler answers (in-process; on Temporal a run waits
 * on a signal instead). It is not retried: a person who was asked once is not asked again.
 */
export function humanInputTask(handler: HumanInputHandler): TaskDefinition {
  return Object.freeze({
    name: HUMAN_INPUT_TASK,
    run: async (...args: unknown[]) => handler(args[0] as HumanInputRequest),
    options: Object.freeze({ name: HUMAN_INPUT_TASK, retryPolicy: Object.freeze({ maximumAttempts: 1 }) }),
  }) as TaskDefinition;
}
