/**
 * The configured MCP servers by name: validation, look-up with helpful errors, the per-server
 * tool filter, and the import of Claude Desktop's `mcpServers` file.
 */
import { McpClientError } from '@mcp-agent/core';
import { McpServerConfigSchema } from '@mcp-agent/core/config';
import type { McpServerAuthSchema, McpSessionConfigSchema } from '@mcp-agent/core/config';
import type { McpServerConfig } from '@mcp-agent/core/config';

/** The `mcp.servers.<name>` keys this package reads, apart from those retyped below. */
type ServerKeys = 'name' | 'description' | 'command' | 'args' | 'cwd' | 'url' | 'read_timeout_seconds' | 'http_timeout_seconds' | 'allowed_tools' | 'roots';

/**
 * One server's settings as they may be written: a validated {@link McpServerConfig}, or the same
 * keys before defaults (`transport` may be left out and means `stdio`; `env` and `headers`
 * values may be numbers or booleans, which become strings).
 *
 * @example
 * ```ts
 * const filesystem: McpServerConfigInput = { command: 'npx', args: ['-y', '@modelcontextprotocol/server-filesystem', '.'] };
 * ```
 */
export type McpServerConfigInput = Pick<McpServerConfig, ServerKeys> & {
  /** `stdio` (the default), `sse`, `streamable_http` or `websocket` (not supported by this package). */
  transport?: McpServerConfig['transport'] | undefined;
  /** Environment variables of a stdio server, merged over a safe default environment (PATH, HOME, ...). */
  env?: Record<string, string | number | boolean> | undefined;
  /** HTTP headers of an `sse` or `streamable_http` server. */
  headers?: Record<string, string | number | boolean> | undefined;
  /** Credentials of an HTTP server: `api_key` (a bearer token) or `oauth` (see the README's OAuth section). */
  auth?: (typeof McpServerAuthSchema)['_zod']['input'] | undefined;
  /** How its sessions are shared: `{ scope: 'process' | 'run' | 'pool', ... }` (see the README's "Session scopes"). */
  session?: (typeof McpSessionConfigSchema)['_zod']['input'] | undefined;
};

/**
 * Servers by name, as under `mcp.servers` in `mcp_agent.config.yaml` (`Settings['mcp']['servers']`).
 *
 * @example
 * ```ts
 * const servers: McpServersInput = { fetch: { command: 'uvx', args: ['mcp-server-fetch'] } };
 * ```
 */
export type McpServersInput = Record<string, McpServerConfigInput>;

/** `a, b, c`, or `(none)` for an empty list. */
function listNames(names: readonly string[]): string {
  return names.length === 0 ? '(none)' : names.join(', ');
}

/** A short, quoted rendering of a value for error messages. */
function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  return String(value);
}

/**
 * Validates one server entry with core's `McpServerConfigSchema`.
 *
 * @throws McpClientError `MCP_SERVER_CONFIG` naming the server and each bad field.
 */
function validateServer(name: string, config: unknown, location: string): McpServerConfig {
  const parsed = McpServerConfigSchema.safeParse(config);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => {
    const path = [location, name, ...issue.path.map(String)].join('.');
    return `${path}: ${issue.message}`;
  });
  throw new McpClientError('MCP_SERVER_CONFIG', name, problems.join('; '));
}

/**
 * The configured MCP servers. Validates every entry on construction and answers look-ups by
 * name with an error that lists what is configured.
 *
 * A server's `allowed_tools` limits the tools the framework shows and calls: unset means every
 * tool the server offers, an empty list means none.
 *
 * @example
 * ```ts
 * const registry = new ServerRegistry(settings.mcp.servers);
 * registry.names;                       // ['fetch', 'filesystem']
 * registry.get('fs');                   // throws: unknown MCP server "fs"; configured: fetch, filesystem
 * registry.isToolAllowed('fetch', 'fetch'); // true unless allowed_tools says otherwise
 * ```
 */
export class ServerRegistry {
  readonly #servers: ReadonlyMap<string, McpServerConfig>;

  /**
   * @param servers - Servers by name, validated or as written; defaults to none.
   * @throws McpClientError `MCP_SERVER_CONFIG` when an entry is invalid (the message names the
   *   server and the field, e.g. `mcp.servers.fetch: a stdio server needs "command" ...`).
   */
  constructor(servers: McpServersInput = {}) {
    const validated = new Map<string, McpServerConfig>();
    for (const [name, config] of Object.entries(servers)) {
      validated.set(name, validateServer(name, config, 'mcp.servers'));
    }
    this.#servers = validated;
  }

  /**
   * The registry of the `mcp.servers` section of loaded settings.
   *
   * @example
   * ```ts
   * const registry = ServerRegistry.fromSettings(loadSettings().settings);
   * ```
   */
  static fromSettings(settings: { mcp: { servers: McpServersInput } }): ServerRegistry {
    return new ServerRegistry(settings.mcp.servers);
  }

  /** The configured server names, in configuration order. */
  get names(): string[] {
    return [...this.#servers.keys()];
  }

  /** Every validated server entry by name (a copy). */
  get configs(): Record<string, McpServerConfig> {
    return Object.fromEntries(this.#servers);
  }

  /** True when a server of that name is configured. */
  has(name: string): boolean {
    return this.#servers.has(name);
  }

  /**
   * The validated settings of one server.
   *
   * @throws McpClientError `MCP_UNKNOWN_SERVER`, e.g. `unknown MCP server "fs"; configured: fetch, filesystem`.
   */
  get(name: string): McpServerConfig {
    const config = this.#servers.get(name);
    if (config === undefined) {
      throw new McpClientError(
        'MCP_UNKNOWN_SERVER',
        name,
        `unknown MCP server "${name}"; configured: ${listNames(this.names)}. ` + `Add "${name}" under mcp.servers in mcp_agent.config.yaml, or use one of the configured names.`,
      );
    }
    return config;
  }

  /**
   * The server's `allowed_tools`, or undefined when every tool is allowed.
   *
   * @throws McpClientError `MCP_UNKNOWN_SERVER` for a name that is not configured.
   */
  allowedTools(server: string): readonly string[] | undefined {
    return this.get(server).allowed_tools;
  }

  /**
   * Whether the framework may show and call `tool` of `server` (always true without `allowed_tools`).
   *
   * @throws McpClientError `MCP_UNKNOWN_SERVER` for a name that is not configured.
   */
  isToolAllowed(server: string, tool: string): boolean {
    const allowed = this.allowedTools(server);
    return allowed === undefined || allowed.includes(tool);
  }

  /**
   * The items of `tools` that `allowed_tools` lets through, in their order.
   *
   * @example
   * ```ts
   * registry.filterTools('filesystem', tools); // only read_file and list_directory when those are allowed
   * ```
   */
  filterTools<Tool extends { name: string }>(server: string, tools: readonly Tool[]): Tool[] {
    const allowed = this.allowedTools(server);
    return allowed === undefined ? [...tools] : tools.filter((tool) => allowed.includes(tool.name));
  }
}

/** Claude Desktop `type` spellings of the HTTP transports (other clients use the same file shape). */
const CLAUDE_TRANSPORTS: Readonly<Record<string, McpServerConfig['transport']>> = {
  stdio: 'stdio',
  sse: 'sse',
  http: 'streamable_http',
  'streamable-http': 'streamable_http',
  streamable_http: 'streamable_http',
  streamableHttp: 'streamable_http',
  websocket: 'websocket',
  ws: 'websocket',
};

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Checks that `value` is a mapping of strings (numbers and booleans become strings). */
function stringMap(server: string, field: string, value: unknown): Record<string, string> | undefined {
  if (value === undefined) return undefined;
  if (!isRecord(value)) {
    throw new McpClientError('MCP_SERVER_CONFIG', server, `mcpServers.${server}.${field}: expected a mapping of names to strings, got ${describe(value)}`);
  }
  const result: Record<string, string> = {};
  for (const [key, entry] of Object.entries(value)) {
    if (typeof entry !== 'string' && typeof entry !== 'number' && typeof entry !== 'boolean') {
      throw new McpClientError('MCP_SERVER_CONFIG', server, `mcpServers.${server}.${field}.${key}: expected a string, got ${describe(entry)}`);
    }
    result[key] = String(entry);
  }
  return result;
}

function optionalString(server: string, field: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.trim() === '') {
    throw new McpClientError('MCP_SERVER_CONFIG', server, `mcpServers.${server}.${field}: expected a non-empty string, got ${describe(value)}`);
  }
  return value;
}

/** One `mcpServers` entry as `mcp.servers` settings. */
function importServer(name: string, entry: unknown): McpServerConfig {
  if (!isRecord(entry)) {
    throw new McpClientError('MCP_SERVER_CONFIG', name, `mcpServers.${name}: expected a mapping with "command" (and "args", "env") or "url" (and "headers"), got ${describe(entry)}`);
  }
  const command = optionalString(name, 'command', entry['command']);
  const url = optionalString(name, 'url', entry['url']);
  if (command !== undefined && url !== undefined) {
    throw new McpClientError('MCP_SERVER_CONFIG', name, `mcpServers.${name}: give either "command" (a local server) or "url" (a remote one), not both`);
  }
  if (command === undefined && url === undefined) {
    throw new McpClientError(
      'MCP_SERVER_CONFIG',
      name,
      `mcpServers.${name}: expected "command" (for example "npx" with args ["-y", "my-mcp-server"]) or "url" (for example "http://localhost:8000/mcp"), got neither`,
    );
  }
  const typeValue = entry['type'] ?? entry['transport'];
  let transport: McpServerConfig['transport'] | undefined;
  if (typeValue !== undefined) {
    transport = typeof typeValue === 'string' ? CLAUDE_TRANSPORTS[typeValue] : undefined;
    if (transport === undefined) {
      throw new McpClientError('MCP_SERVER_CONFIG', name, `mcpServers.${name}.type: expected one of ${Object.keys(CLAUDE_TRANSPORTS).join(', ')}, got ${describe(typeValue)}`);
    }
  }

  const config: Record<string, unknown> = {};
  if (command !== undefined) {
    const args = entry['args'];
    if (args !== undefined && !(Array.isArray(args) && args.every((argument) => typeof argument === 'string'))) {
      throw new McpClientError('MCP_SERVER_CONFIG', name, `mcpServers.${name}.args: expected a list of strings, got ${describe(args)}`);
    }
    if (transport !== undefined && transport !== 'stdio') {
      throw new McpClientError('MCP_SERVER_CONFIG', name, `mcpServers.${name}.type: "${String(typeValue)}" needs "url", but the entry has "command"; remove type or use url`);
    }
    config['transport'] = 'stdio';
    config['command'] = command;
    if (args !== undefined) config['args'] = [...(args as string[])];
    const env = stringMap(name, 'env', entry['env']);
    if (env !== undefined) config['env'] = env;
    const cwd = optionalString(name, 'cwd', entry['cwd']);
    if (cwd !== undefined) config['cwd'] = cwd;
  } else if (url !== undefined) {
    if (transport === 'stdio') {
      throw new McpClientError('MCP_SERVER_CONFIG', name, `mcpServers.${name}.type: "stdio" needs "command", but the entry has "url"; remove type or use command`);
    }
    // Without a type, a URL ending in /sse is the legacy SSE transport; anything else is Streamable HTTP.
    config['transport'] = transport ?? (/\/sse\/?$/.test(new URL(url, 'http://placeholder').pathname) ? 'sse' : 'streamable_http');
    config['url'] = url;
    const headers = stringMap(name, 'headers', entry['headers']);
    if (headers !== undefined) config['headers'] = headers;
  }
  return validateServer(name, config, 'mcpServers');
}

/**
 * Turns a Claude Desktop configuration (`claude_desktop_config.json`, also the shape of Cursor's
 * and others' `mcp.json`) into `mcp.servers` settings.
 *
 * Each `mcpServers` entry is either local, `{ command, args?, env?, cwd? }`, which becomes a
 * `stdio` server, or remote, `{ url, headers?, type? }`: `type` `sse` gives `sse`; `http` or
 * `streamable-http` gives `streamable_http`; without `type`, a URL whose path ends in `/sse` is
 * `sse` and any other `streamable_http`. Other keys are ignored.
 *
 * @param json - The parsed file, or its text.
 * @returns Servers by name, ready for `new ServerRegistry(...)` or `createMcpConnectionManager({ servers })`.
 * @throws McpClientError `MCP_SERVER_CONFIG` naming the server and the field, e.g.
 *   `mcpServers.fetch.args: expected a list of strings, got "mcp-server-fetch"`.
 *
 * @example
 * ```ts
 * const servers = importClaudeDesktopConfig(await readFile('claude_desktop_config.json', 'utf8'));
 * const manager = createMcpConnectionManager({ servers });
 * ```
 */
export function importClaudeDesktopConfig(json: unknown): Record<string, McpServerConfig> {
  let document = json;
  if (typeof json === 'string') {
    try {
      document = JSON.parse(json) as unknown;
    } catch (error) {
      throw new McpClientError('MCP_SERVER_CONFIG', '', `the Claude Desktop config is not valid JSON: ${error instanceof Error ? error.message : String(error)}`, {
        cause: error,
      });
    }
  }
  if (!isRecord(document) || !isRecord(document['mcpServers'])) {
    throw new McpClientError(
      'MCP_SERVER_CONFIG',
      '',
      `expected a Claude Desktop config, a mapping with "mcpServers": { "<name>": { "command": ..., "args": [...] } }, got ${
        isRecord(document) ? `a mapping whose "mcpServers" is ${describe(document['mcpServers'])}` : describe(document)
      }`,
    );
  }
  const servers: Record<string, McpServerConfig> = {};
  for (const [name, entry] of Object.entries(document['mcpServers'])) {
    servers[name] = importServer(name, entry);
  }
  return servers;
}
