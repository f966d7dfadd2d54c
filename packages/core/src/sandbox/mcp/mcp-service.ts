/**
 * What workflow code and agents need from MCP servers, as plain data. Engines provide an
 * implementation (`@mcp-agent/mcp-client`); each operation also runs as a task with a stable name
 * so that under Temporal it is an activity. Safe for the workflow sandbox (types and constants).
 */

/** One content item of a tool result or prompt message, as MCP defines it (`text`, `image`, `audio`, `resource`, `resource_link`). */
export interface McpContent {
  type: string;
  [key: string]: unknown;
}

/** A tool a server offers, with its description and input schema kept as the server gave them. */
export interface McpToolDescriptor {
  /** The server it belongs to. */
  server: string;
  /** The tool's name on its server. */
  name: string;
  title?: string | undefined;
  description?: string | undefined;
  /** The tool's JSON Schema for its arguments. */
  inputSchema: Record<string, unknown>;
  outputSchema?: Record<string, unknown> | undefined;
  annotations?: Record<string, unknown> | undefined;
}

/** A tool call's result. `isError` is the tool's own failure, reported as a result rather than thrown. */
export interface McpToolResult {
  content: McpContent[];
  isError: boolean;
  structuredContent?: Record<string, unknown> | undefined;
  /**
   * The {@link toolListFingerprint} of the server's tool list as the service knew it when the
   * call ended, once the service saw that list change (a `tools/list_changed` notification, or a
   * new session after the server was lost). An agent whose list of that server's tools has
   * another fingerprint lists them again (a new `mcp.listTools` task inside a workflow, so replay
   * takes the same path). Absent while the list never changed, and in results recorded before
   * the field existed.
   */
  toolListFingerprint?: string | undefined;
}

/** A prompt a server offers. */
export interface McpPromptDescriptor {
  server: string;
  name: string;
  title?: string | undefined;
  description?: string | undefined;
  arguments?: Array<{ name: string; description?: string | undefined; required?: boolean | undefined }> | undefined;
}

/** A prompt filled in with arguments. */
export interface McpPromptResult {
  description?: string | undefined;
  messages: Array<{ role: string; content: McpContent }>;
}

/** A resource a server offers. */
export interface McpResourceDescriptor {
  server: string;
  uri: string;
  name: string;
  title?: string | undefined;
  description?: string | undefined;
  mimeType?: string | undefined;
}

/** A resource template a server offers: an RFC 6570 URI template such as `file:///{path}`. */
export interface McpResourceTemplateDescriptor {
  server: string;
  uriTemplate: string;
  name: string;
  title?: string | undefined;
  description?: string | undefined;
  mimeType?: string | undefined;
}

/** What a completion is for: a prompt's argument, or a resource template's variable. */
export type McpCompletionReference = { type: 'ref/prompt'; name: string } | { type: 'ref/resource'; uri: string };

/**
 * A `completion/complete` request: suggestions for one argument of a prompt or one variable of a
 * resource template, given what the user typed so far.
 */
export interface McpCompleteRequest {
  server: string;
  ref: McpCompletionReference;
  /** The argument (or template variable) being completed and its partial value. */
  argument: { name: string; value: string };
  /** Arguments already chosen, which may narrow the suggestions. */
  context?: { arguments?: Record<string, string> | undefined } | undefined;
}

/** The suggestions of a `completion/complete` request (at most 100). */
export interface McpCompletionResult {
  values: string[];
  /** How many suggestions there are in all, when the server says. */
  total?: number | undefined;
  /** True when there are more suggestions than `values` holds. */
  hasMore?: boolean | undefined;
}

/**
 * How often each of a server's lists changed in this process: counts of its `list_changed`
 * notifications (and of reconnects, after which any list may differ). They only grow; compare two
 * readings to know whether to list again.
 */
export interface McpListVersions {
  tools: number;
  prompts: number;
  resources: number;
}

/** A progress notification of a tool call: `progress` grows; `total` when known. */
export interface McpProgress {
  progress: number;
  total?: number | undefined;
  message?: string | undefined;
}

/** A resource's contents: text or base64 `blob` items. */
export interface McpResourceResult {
  contents: Array<{ uri: string; mimeType?: string | undefined; text?: string | undefined; blob?: string | undefined }>;
}

/** A tool call by server name alone: what a worker activity receives. */
export interface McpCallToolRequest {
  server: string;
  tool: string;
  arguments?: Record<string, unknown> | undefined;
}

/**
 * MCP servers by name, for code that runs outside the workflow sandbox (activities, app code).
 * Stateless from the caller's side: connections are the implementation's business.
 */
export interface McpService {
  /** The configured server names. */
  serverNames(): string[];
  /**
   * `options.sessionKey` names the workflow run asking (the `mcp.*` tasks pass
   * `<workflowId>/<runId>`): a server whose session scope is `run` answers on that run's session.
   */
  listTools(server: string, options?: { sessionKey?: string | undefined }): Promise<McpToolDescriptor[]>;
  /**
   * `options.signal` aborts the call (a task attempt that timed out or was cancelled passes its
   * own); `options.onProgress` receives the tool's progress notifications; `options.sessionKey`
   * names the workflow run asking, for servers whose session scope is `run`.
   */
  callTool(
    request: McpCallToolRequest,
    options?: {
      signal?: AbortSignal | undefined;
      timeoutMilliseconds?: number | undefined;
      onProgress?: ((progress: McpProgress) => void) | undefined;
      sessionKey?: string | undefined;
    },
  ): Promise<McpToolResult>;
  listPrompts(server: string): Promise<McpPromptDescriptor[]>;
  getPrompt(request: { server: string; name: string; arguments?: Record<string, string> | undefined }): Promise<McpPromptResult>;
  listResources(server: string): Promise<McpResourceDescriptor[]>;
  readResource(request: { server: string; uri: string }): Promise<McpResourceResult>;
  /** The server's resource templates (none when it lacks the resources capability). Optional: not every service has it. */
  listResourceTemplates?(server: string): Promise<McpResourceTemplateDescriptor[]>;
  /** Suggestions for a prompt argument or a template variable (`completion/complete`). Optional. */
  complete?(request: McpCompleteRequest): Promise<McpCompletionResult>;
  /** How often the server's lists changed in this process. Optional; agents outside a workflow use it to list again. */
  listVersions?(server: string): McpListVersions;
  /**
   * Closes the sessions opened for one workflow run (`sessionKey`, as passed to `callTool`), for
   * an engine that knows when a run ended. Optional; sessions of ended runs also close when idle.
   */
  closeSessions?(sessionKey: string): Promise<void>;
  /** Closes every session and stops every server process it started. */
  close(): Promise<void>;
}

/**
 * The stable task names of MCP operations. Under Temporal each is an activity type: renaming one
 * breaks running workflows.
 */
export const MCP_TASK_NAMES = Object.freeze({
  listTools: 'mcp.listTools',
  callTool: 'mcp.callTool',
  listPrompts: 'mcp.listPrompts',
  getPrompt: 'mcp.getPrompt',
  listResources: 'mcp.listResources',
  readResource: 'mcp.readResource',
  listResourceTemplates: 'mcp.listResourceTemplates',
  complete: 'mcp.complete',
} as const);

/**
 * A fingerprint of a server's tool list (the descriptors as `listTools` returns them): equal lists
 * give equal fingerprints in every process, whatever the order of keys or tools. A service puts
 * it on tool results ({@link McpToolResult.toolListFingerprint}) and an agent compares it with
 * that of the list it holds. Deterministic and safe for the workflow sandbox.
 *
 * @example
 * ```ts
 * if (result.toolListFingerprint !== undefined && result.toolListFingerprint !== toolListFingerprint(tools)) relist();
 * ```
 */
export function toolListFingerprint(tools: readonly McpToolDescriptor[]): string {
  const entries = tools.map((tool) => canonicalJson(tool)).sort();
  // cyrb53: a fast 53-bit string hash; ample to tell two versions of a list apart.
  const text = entries.join('\n');
  let first = 0xdeadbeef;
  let second = 0x41c6ce57;
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    first = Math.imul(first ^ code, 2654435761);
    second = Math.imul(second ^ code, 1597334677);
  }
  first = Math.imul(first ^ (first >>> 16), 2246822507) ^ Math.imul(second ^ (second >>> 13), 3266489909);
  second = Math.imul(second ^ (second >>> 16), 2246822507) ^ Math.imul(first ^ (first >>> 13), 3266489909);
  const hash = 4294967296 * (2097151 & second) + (first >>> 0);
  return `${tools.length}:${hash.toString(16)}`;
}

/** JSON with object keys sorted and undefined members left out, as a JSON round trip would. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((item) => (item === undefined ? 'null' : canonicalJson(item))).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const members = Object.keys(value)
      .sort()
      .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
      .map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`);
    return `{${members.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * Fills an RFC 6570 level-1 URI template (`demo://resource/{id}`): each `{name}` becomes the
 * variable's value, percent-encoded except for unreserved characters. Safe for the workflow sandbox.
 *
 * @throws TypeError naming a variable the template uses and `variables` lacks, or an expression
 *   beyond level 1 (`{+path}`, `{?query}`, lists).
 * @example
 * ```ts
 * fillUriTemplate('demo://resource/dynamic/text/{resourceId}', { resourceId: '3' }); // 'demo://resource/dynamic/text/3'
 * ```
 */
export function fillUriTemplate(template: string, variables: Readonly<Record<string, string | number | boolean>>): string {
  return template.replace(/\{([^}]*)\}/g, (_expression, name: string) => {
    if (!/^[A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*$/.test(name)) {
      throw new TypeError(`URI template "${template}": "{${name}}" is not a level-1 expression ({name}); fill it with the MCP client's expandUriTemplate`);
    }
    const value = variables[name];
    if (value === undefined) {
      throw new TypeError(`URI template "${template}" needs the variable "${name}"; got ${Object.keys(variables).join(', ') || 'none'}`);
    }
    return encodeURIComponent(String(value)).replace(/[!'()*]/g, (character) => `%${character.charCodeAt(0).toString(16).toUpperCase()}`);
  });
}
