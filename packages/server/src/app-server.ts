/**
 * `createMcpServerForApp(app)`: an app's workflows (and, in time, its tools) as an MCP server. It
 * holds no run state: every tool call goes to the app's executor, so on Temporal any number of
 * servers serve the same runs and a restart loses nothing.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { messageOf, WorkflowUsageError, type Executor } from '@mcp-agent/core';
import { inputSchemaFileName, type JsonSchema, type WorkflowRegistry } from '@mcp-agent/core/engine';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { attachClientRequests, type ClientRequestsOptions } from './client-requests.js';
import { CallToolRequestSchema, ListToolsRequestSchema, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { attachAppPrompts } from './app-prompts.js';
import { withAppTools } from './app-tools.js';
import { ToolInputError, type ClientSession, type ServedTool, type StartedRun } from './workflow-tools.js';

/**
 * What a server needs of an app: its name, its registry and a started executor. An `MCPApp` is
 * one; so is anything that hands over an executor made otherwise.
 */
export interface ServableApp {
  readonly name: string;
  readonly registry: WorkflowRegistry;
  /** Starts the app once (later calls return the same context). */
  initialize(): Promise<{ executor: Executor }>;
}

/** Options of {@link createMcpServerForApp}. */
export interface McpServerForAppOptions {
  /** The server's name, as clients show it. Default: the app's name. */
  name?: string;
  /** Default `0.1.0`. */
  version?: string;
  /** What the server is for, shown to clients' models. */
  instructions?: string;
  /** The workflows served. Default: every workflow the app registers. */
  workflows?: readonly string[];
  /** Input schemas by workflow name. Default: those codegen wrote (`generated/schemas/<Name>.input.json`) under `schemasDirectories`. */
  inputSchemas?: Readonly<Record<string, JsonSchema>>;
  /** Where codegen's schemas are looked for. Default: `src/generated/schemas` and `generated/schemas` under the working directory. */
  schemasDirectories?: readonly string[];
  /** The largest tool arguments accepted, in bytes of JSON. Default 1 MiB. */
  maxPayloadBytes?: number;
  /** How runs reach the client that started them (elicitation, end-of-run notifications; see `attachClientRequests`), or `false` for not at all. */
  clientRequests?: ClientRequestsOptions | false;
}

/** An app served over MCP: its tools, and an SDK server per client session. */
export interface AppMcpServer {
  readonly app: ServableApp;
  readonly name: string;
  readonly version: string;
  /** The tools offered, as `tools/list` gives them. */
  listTools(): Array<Omit<ServedTool, 'call'>>;
  /** Calls a tool as a client would; bad input gives `isError` with a message, never a throw. */
  callTool(name: string, args: unknown, session?: ClientSession): Promise<CallToolResult>;
  /** Calls `listener` with every run a client starts (and the session it came from); returns a function that stops it. */
  onRunStarted(listener: (run: StartedRun) => void): () => void;
  /** A new SDK server for one client session (stdio has one; Streamable HTTP and SSE one per session). */
  createSessionServer(): Server;
}

const DEFAULT_MAX_PAYLOAD_BYTES = 1024 * 1024;

function readSchemas(directories: readonly string[]): (workflowName: string) => JsonSchema | undefined {
  const cache = new Map<string, JsonSchema | undefined>();
  return (workflowName) => {
    if (cache.has(workflowName)) return cache.get(workflowName);
    let found: JsonSchema | undefined;
    for (const directory of directories) {
      const file = path.join(directory, inputSchemaFileName(workflowName));
      if (existsSync(file)) {
        found = JSON.parse(readFileSync(file, 'utf8')) as JsonSchema;
        break;
      }
    }
    cache.set(workflowName, found);
    return found;
  };
}

function textResult(value: unknown): CallToolResult {
  const text = typeof value === 'string' ? value : JSON.stringify(value, null, 2);
  return {
    content: [{ type: 'text', text }],
    ...(typeof value === 'object' && value !== null && !Array.isArray(value) ? { structuredContent: value as Record<string, unknown> } : {}),
  };
}

function errorResult(message: string): CallToolResult {
  return { content: [{ type: 'text', text: message }], isError: true };
}

/**
 * Serves an app's workflows as MCP tools: `workflows-list`, `workflows-runs-list`,
 * `workflows-run`, `workflows-get_status`, `workflows-resume`, `workflows-cancel`, and
 * `workflows-<Name>-run` per workflow, whose input schema is the workflow's. The app is started on
 * the first call (`app.initialize()`), with the engine its config selects.
 *
 * @example
 * ```ts
 * const server = createMcpServerForApp(app);
 * const running = await serveApp(server, { transport: 'http', port: 8000 });
 * ```
 */
export function createMcpServerForApp(app: ServableApp, options: McpServerForAppOptions = {}): AppMcpServer {
  const registered = [...app.registry.workflows.keys()];
  const workflows = options.workflows ?? registered;
  for (const name of workflows) {
    if (!registered.includes(name)) throw new WorkflowUsageError(`createMcpServerForApp: the app has no workflow "${name}"; its workflows: ${registered.join(', ') || '(none)'}`);
  }
  const maxPayloadBytes = options.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES;
  if (!Number.isInteger(maxPayloadBytes) || maxPayloadBytes < 1)
    throw new WorkflowUsageError(`createMcpServerForApp: maxPayloadBytes must be a whole number of bytes from 1, got ${String(maxPayloadBytes)}`);
  const directories = options.schemasDirectories ?? [path.resolve('src/generated/schemas'), path.resolve('generated/schemas')];
  const fromFiles = readSchemas(directories);
  const inputSchemaOf = (name: string): JsonSchema | undefined => options.inputSchemas?.[name] ?? fromFiles(name);
  const runListeners = new Set<(run: StartedRun) => void>();
  const tools: ServedTool[] = [
    ...withAppTools(app.registry, {
      workflows,
      inputSchemaOf,
      executor: async () => (await app.initialize()).executor,
      onRunStarted: (run) => {
        for (const listener of runListeners) listener(run);
      },
    }),
  ];
  const byName = new Map(tools.map((tool) => [tool.name, tool]));
  const name = options.name ?? app.name;
  const version = options.version ?? '0.1.0';

  const listTools = (): Array<Omit<ServedTool, 'call'>> => tools.map(({ call: _call, ...tool }) => tool);

  const callTool = async (toolName: string, args: unknown, session?: ClientSession): Promise<CallToolResult> => {
    const tool = byName.get(toolName);
    if (tool === undefined) return errorResult(`no tool "${toolName}"; the tools are: ${[...byName.keys()].join(', ')}`);
    const given = args ?? {};
    if (typeof given !== 'object' || Array.isArray(given)) return errorResult(`${toolName}: the arguments must be a JSON object, got ${JSON.stringify(given).slice(0, 80)}`);
    const size = Buffer.byteLength(JSON.stringify(given));
    if (size > maxPayloadBytes) return errorResult(`${toolName}: the arguments are ${size} bytes, over the limit of ${maxPayloadBytes}; send less, or raise maxPayloadBytes`);
    try {
      return textResult(await tool.call(given as Record<string, unknown>, session));
    } catch (error) {
      if (error instanceof ToolInputError) return errorResult(`${toolName}: ${error.message}`);
      return errorResult(`${toolName} failed: ${messageOf(error)}`);
    }
  };

  const createSessionServer = (): Server => {
    const server = new Server(
      { name, version },
      { capabilities: { tools: { listChanged: false }, logging: {} }, ...(options.instructions === undefined ? {} : { instructions: options.instructions }) },
    );
    // The app's prompts and resources, with their capabilities, when it declares any.
    attachAppPrompts(server, app);
    server.setRequestHandler(ListToolsRequestSchema, async () => ({ tools: listTools() }));
    server.setRequestHandler(CallToolRequestSchema, async (request, extra) =>
      callTool(request.params.name, request.params.arguments, { id: extra.sessionId, server, progressToken: request.params._meta?.progressToken }),
    );
    return server;
  };

  const onRunStarted = (listener: (run: StartedRun) => void): (() => void) => {
    runListeners.add(listener);
    return () => runListeners.delete(listener);
  };

  const served: AppMcpServer = { app, name, version, listTools, callTool, createSessionServer, onRunStarted };
  if (options.clientRequests !== false) attachClientRequests(served, options.clientRequests);
  return served;
}
