/**
 * The prompts and resources an app declares with `app.prompt` and `app.resource`, served beside
 * its tools: `prompts/list`, `prompts/get`, `resources/list` and `resources/read`. Rendering a
 * prompt or reading a resource runs the app's function in the server's process, after starting
 * the app, so that agents it uses find their MCP servers.
 */
import { messageOf } from '@mcp-agent/core';
import type { AppPromptDefinition, AppResourceDefinition } from '@mcp-agent/core/engine';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  ErrorCode,
  GetPromptRequestSchema,
  GetPromptResultSchema,
  ListPromptsRequestSchema,
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  ReadResourceRequestSchema,
  ReadResourceResultSchema,
  type GetPromptResult,
  type Prompt,
  type ReadResourceResult,
  type Resource,
} from '@modelcontextprotocol/sdk/types.js';
import type { ServableApp } from './app-server.js';

/** The MCP error code for a resource no one serves. */
const RESOURCE_NOT_FOUND = -32002;

/** An MCP error answered to the request that caused it: a JSON-RPC code and a plain message. */
class RequestError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'RequestError';
  }
}

function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'an array';
  if (value instanceof Uint8Array) return 'bytes';
  return (JSON.stringify(value) ?? typeof value).slice(0, 80);
}

/** The problems `schema` finds in `value`, or none. */
function problemsOf(schema: typeof GetPromptResultSchema | typeof ReadResourceResultSchema, value: unknown): string[] {
  const parsed = schema.safeParse(value);
  return parsed.success ? [] : parsed.error.issues.map((issue) => `${issue.path.join('.') || '(top)'}: ${issue.message}`);
}

function listPrompt(prompt: AppPromptDefinition): Prompt {
  return {
    name: prompt.name,
    ...(prompt.title === undefined ? {} : { title: prompt.title }),
    ...(prompt.description === undefined ? {} : { description: prompt.description }),
    arguments: prompt.arguments.map((argument) => ({ ...argument })),
  };
}

function listResource(resource: AppResourceDefinition): Resource {
  return {
    uri: resource.uri,
    name: resource.name,
    ...(resource.title === undefined ? {} : { title: resource.title }),
    ...(resource.description === undefined ? {} : { description: resource.description }),
    ...(resource.mimeType === undefined ? {} : { mimeType: resource.mimeType }),
  };
}

/** The arguments of a `prompts/get`, checked against the prompt's: all the required ones, no others. */
function checkPromptArguments(prompt: AppPromptDefinition, args: Record<string, string>): void {
  const known = prompt.arguments.map((argument) => argument.name);
  const missing = prompt.arguments.filter((argument) => argument.required === true && args[argument.name] === undefined).map((argument) => `"${argument.name}"`);
  if (missing.length > 0) {
    throw new RequestError(ErrorCode.InvalidParams, `prompt "${prompt.name}": missing the required argument${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`);
  }
  const unknown = Object.keys(args).filter((name) => !known.includes(name));
  if (unknown.length > 0) {
    throw new RequestError(
      ErrorCode.InvalidParams,
      `prompt "${prompt.name}": unknown argument${unknown.length > 1 ? 's' : ''} ${unknown.map((name) => `"${name}"`).join(', ')}; its arguments are ${known.join(', ') || '(none)'}`,
    );
  }
}

/** What a render function returned, as a `prompts/get` result. */
function promptResult(prompt: AppPromptDefinition, value: unknown): GetPromptResult {
  const shapes = "return a string, messages ([{ role: 'user', content: '...' }]) or { messages }";
  let description = prompt.description;
  let messages: unknown[];
  if (typeof value === 'string') messages = [{ role: 'user', content: value }];
  else if (Array.isArray(value)) messages = value;
  else if (typeof value === 'object' && value !== null && Array.isArray((value as Record<string, unknown>)['messages'])) {
    const given = value as { description?: unknown; messages: unknown[] };
    if (typeof given.description === 'string') description = given.description;
    messages = given.messages;
  } else throw new RequestError(ErrorCode.InternalError, `prompt "${prompt.name}": render returned ${describeValue(value)}; ${shapes}`);
  const result = {
    ...(description === undefined ? {} : { description }),
    messages: messages.map((message) => {
      const content = (message as Record<string, unknown> | null)?.['content'];
      return typeof content === 'string' ? { ...(message as Record<string, unknown>), content: { type: 'text', text: content } } : message;
    }),
  };
  const problems = problemsOf(GetPromptResultSchema, result);
  if (problems.length > 0) {
    throw new RequestError(ErrorCode.InternalError, `prompt "${prompt.name}": render returned messages MCP does not accept (${problems.slice(0, 3).join('; ')}); ${shapes}`);
  }
  return result as GetPromptResult;
}

function base64(blob: Uint8Array | string): string {
  return typeof blob === 'string' ? blob : Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength).toString('base64');
}

/** What a read function returned, as a `resources/read` result. */
function resourceResult(resource: AppResourceDefinition, value: unknown): ReadResourceResult {
  const shapes = 'return a string, { text }, { blob } (bytes or base64) or { contents: [...] }';
  const given = typeof value === 'object' && value !== null && !(value instanceof Uint8Array) && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  const mimeType = typeof given?.['mimeType'] === 'string' ? given['mimeType'] : resource.mimeType;
  const typed = mimeType === undefined ? {} : { mimeType };
  let result: unknown;
  if (typeof value === 'string') result = { contents: [{ uri: resource.uri, ...typed, text: value }] };
  else if (typeof given?.['text'] === 'string') result = { contents: [{ uri: resource.uri, ...typed, text: given['text'] }] };
  else if (typeof given?.['blob'] === 'string' || given?.['blob'] instanceof Uint8Array) result = { contents: [{ uri: resource.uri, ...typed, blob: base64(given['blob']) }] };
  else if (Array.isArray(given?.['contents'])) result = { contents: given['contents'] };
  else throw new RequestError(ErrorCode.InternalError, `resource "${resource.uri}": read returned ${describeValue(value)}; ${shapes}`);
  const problems = problemsOf(ReadResourceResultSchema, result);
  if (problems.length > 0) {
    throw new RequestError(ErrorCode.InternalError, `resource "${resource.uri}": read returned contents MCP does not accept (${problems.slice(0, 3).join('; ')}); ${shapes}`);
  }
  return result as ReadResourceResult;
}

/** Starts the app (once), then runs `fn`; a failure of either is an MCP error naming `what`. */
async function runStarted<T>(app: ServableApp, what: string, fn: () => Promise<T>): Promise<T> {
  try {
    await app.initialize();
  } catch (error) {
    throw new RequestError(ErrorCode.InternalError, `${what}: the app did not start: ${messageOf(error)}`);
  }
  try {
    return await fn();
  } catch (error) {
    if (error instanceof RequestError) throw error;
    throw new RequestError(ErrorCode.InternalError, `${what} failed: ${messageOf(error)}`);
  }
}

/**
 * Serves the prompts and resources of `app`'s registry on one SDK server (one client session):
 * declares the `prompts` and `resources` capabilities, each only when the app registers any, and
 * handles `prompts/list`, `prompts/get` (a missing required argument or an unknown one is an
 * invalid-params error naming it), `resources/list`, `resources/templates/list` (none) and
 * `resources/read` (an unknown URI is a resource-not-found error naming the known ones). Call it
 * before the server connects. `createMcpServerForApp` does this for every session.
 *
 * @returns The capabilities declared.
 * @example
 * ```ts
 * const server = new Server({ name: app.name, version: '1.0.0' }, { capabilities: { tools: {} } });
 * attachAppPrompts(server, app); // { prompts: true, resources: true }
 * await server.connect(new StdioServerTransport());
 * ```
 */
export function attachAppPrompts(server: Server, app: ServableApp): { prompts: boolean; resources: boolean } {
  const { prompts, resources } = app.registry;
  if (prompts.size > 0) {
    server.registerCapabilities({ prompts: { listChanged: false } });
    server.setRequestHandler(ListPromptsRequestSchema, async () => ({ prompts: [...prompts.values()].map(listPrompt) }));
    server.setRequestHandler(GetPromptRequestSchema, async (request) => {
      const { name, arguments: args = {} } = request.params;
      const prompt = prompts.get(name);
      if (prompt === undefined) throw new RequestError(ErrorCode.InvalidParams, `no prompt "${name}"; the prompts are ${[...prompts.keys()].join(', ')}`);
      checkPromptArguments(prompt, args);
      return runStarted(app, `prompt "${name}"`, async () => promptResult(prompt, await prompt.render(Object.freeze({ ...args }))));
    });
  }
  if (resources.size > 0) {
    server.registerCapabilities({ resources: { listChanged: false } });
    server.setRequestHandler(ListResourcesRequestSchema, async () => ({ resources: [...resources.values()].map(listResource) }));
    server.setRequestHandler(ListResourceTemplatesRequestSchema, async () => ({ resourceTemplates: [] }));
    server.setRequestHandler(ReadResourceRequestSchema, async (request) => {
      const { uri } = request.params;
      const resource = resources.get(uri);
      if (resource === undefined) throw new RequestError(RESOURCE_NOT_FOUND, `no resource "${uri}"; the resources are ${[...resources.keys()].join(', ')}`, { uri });
      return runStarted(app, `resource "${uri}"`, async () => resourceResult(resource, await resource.read()));
    });
  }
  return { prompts: prompts.size > 0, resources: resources.size > 0 };
}
