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
  listTools(server: string): Promise<McpToolDescriptor[]>;
  /** `options.signal` aborts the call (a task attempt that timed out or was cancelled passes its own). */
  callTool(request: McpCallToolRequest, options?: { signal?: AbortSignal | undefined; timeoutMilliseconds?: number | undefined }): Promise<McpToolResult>;
  listPrompts(server: string): Promise<McpPromptDescriptor[]>;
  getPrompt(request: { server: string; name: string; arguments?: Record<string, string> | undefined }): Promise<McpPromptResult>;
  listResources(server: string): Promise<McpResourceDescriptor[]>;
  readResource(request: { server: string; uri: string }): Promise<McpResourceResult>;
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
} as const);
