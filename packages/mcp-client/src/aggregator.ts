/**
 * The tools, prompts and resources of several MCP servers under one set of names: what an agent
 * with `serverNames: ['fetch', 'filesystem']` sees.
 */
import { McpClientError } from '@mcp-agent/core';
import { NamespacedIndex, namespacedName } from '@mcp-agent/core/engine';
import type { McpPromptDescriptor, McpResourceDescriptor, McpService, McpToolDescriptor } from '@mcp-agent/core/engine';
import type { McpPromptResult, McpResourceResult, McpToolResult } from '@mcp-agent/core';

/**
 * A tool of one of the aggregated servers, with the name it has across all of them.
 *
 * @example
 * ```ts
 * const tool: AggregatedTool = { server: 'filesystem', name: 'read_file', namespacedName: 'filesystem_read_file', inputSchema };
 * ```
 */
export interface AggregatedTool extends McpToolDescriptor {
  /** `server_tool`, unique across the aggregated servers. */
  namespacedName: string;
}

/**
 * A prompt of one of the aggregated servers, with the name it has across all of them.
 *
 * @example
 * ```ts
 * const prompt: AggregatedPrompt = { server: 'everything', name: 'simple-prompt', namespacedName: 'everything_simple-prompt' };
 * ```
 */
export interface AggregatedPrompt extends McpPromptDescriptor {
  /** `server_prompt`, unique across the aggregated servers. */
  namespacedName: string;
}

/**
 * A resource of one of the aggregated servers, with the name it has across all of them.
 *
 * @example
 * ```ts
 * const resource: AggregatedResource = { server: 'docs', uri: 'docs://readme', name: 'readme', namespacedName: 'docs_docs://readme' };
 * ```
 */
export interface AggregatedResource extends McpResourceDescriptor {
  /** `server_uri`, unique across the aggregated servers. */
  namespacedName: string;
}

/**
 * Options of {@link McpAggregator}.
 *
 * @example
 * ```ts
 * const options: McpAggregatorOptions = { service: manager, serverNames: ['fetch', 'filesystem'] };
 * ```
 */
export interface McpAggregatorOptions {
  /** Where the servers are reached, usually an `McpConnectionManager`. */
  service: McpService;
  /** The servers to aggregate, in the order their items are listed. Each must be configured in `service`. */
  serverNames: readonly string[];
}

type Kind = 'tool' | 'prompt' | 'resource';

/** A lazily built index that is rebuilt after a failure or on request. */
class CachedIndex<Item> {
  #index: Promise<NamespacedIndex<Item>> | undefined;
  readonly #build: () => Promise<NamespacedIndex<Item>>;

  constructor(build: () => Promise<NamespacedIndex<Item>>) {
    this.#build = build;
  }

  /** The index, listing the servers on first use. */
  get(): Promise<NamespacedIndex<Item>> {
    if (this.#index === undefined) {
      const index = this.#build();
      // A failed listing is not kept: the next use lists again.
      index.catch(() => {
        if (this.#index === index) this.#index = undefined;
      });
      this.#index = index;
    }
    return this.#index;
  }

  /** Lists the servers again. */
  refresh(): Promise<NamespacedIndex<Item>> {
    this.#index = undefined;
    return this.get();
  }

  /** True once an index was built or is being built. */
  get present(): boolean {
    return this.#index !== undefined;
  }

  clear(): void {
    this.#index = undefined;
  }
}

/**
 * The tools, prompts and resources of several servers of an {@link McpService}, each under its
 * namespaced name `server_name` (via core's `NamespacedIndex`). A plain name that only one server
 * uses works too. Descriptions and schemas stay as the servers sent them.
 *
 * Listing is done once and kept: `listTools()` lists again, `refresh()` forgets everything, and a
 * name missing from a kept list triggers one fresh listing before the call fails.
 *
 * @example
 * ```ts
 * const aggregator = new McpAggregator({ service: manager, serverNames: ['everything', 'filesystem'] });
 * const tools = await aggregator.listTools(); // everything_echo, filesystem_read_file, ...
 * const result = await aggregator.callTool('everything_echo', { message: 'hi' });
 * ```
 */
export class McpAggregator {
  readonly #service: McpService;
  readonly #serverNames: readonly string[];
  readonly #tools: CachedIndex<AggregatedTool>;
  readonly #prompts: CachedIndex<AggregatedPrompt>;
  readonly #resources: CachedIndex<AggregatedResource>;

  /** @throws McpClientError `MCP_UNKNOWN_SERVER` for a server name the service does not know. */
  constructor(options: McpAggregatorOptions) {
    this.#service = options.service;
    const configured = options.service.serverNames();
    for (const server of options.serverNames) {
      if (!configured.includes(server)) {
        throw new McpClientError(
          'MCP_UNKNOWN_SERVER',
          server,
          `unknown MCP server "${server}"; configured: ${configured.length === 0 ? '(none)' : configured.join(', ')}. ` +
            `Add "${server}" under mcp.servers in mcp_agent.config.yaml, or remove it from serverNames.`,
        );
      }
    }
    this.#serverNames = [...new Set(options.serverNames)];
    this.#tools = new CachedIndex(() =>
      this.#index(
        (server) => this.#service.listTools(server),
        (item) => item.name,
      ),
    );
    this.#prompts = new CachedIndex(() =>
      this.#index(
        (server) => this.#service.listPrompts(server),
        (item) => item.name,
      ),
    );
    this.#resources = new CachedIndex(() =>
      this.#index(
        (server) => this.#service.listResources(server),
        (item) => item.uri,
      ),
    );
  }

  /** The aggregated server names. */
  get serverNames(): string[] {
    return [...this.#serverNames];
  }

  /** Every tool of every aggregated server, listed afresh, server by server in the configured order. */
  async listTools(): Promise<AggregatedTool[]> {
    return (await this.#tools.refresh()).items.map((entry) => entry.item);
  }

  /**
   * Calls a tool by its namespaced name (`filesystem_read_file`) or, when only one server has
   * it, its plain name (`read_file`).
   *
   * @throws McpClientError `MCP_UNKNOWN_TOOL` listing the available names, or whatever the
   *   service raises for the call.
   *
   * @example
   * ```ts
   * const result = await aggregator.callTool('filesystem_list_allowed_directories');
   * ```
   */
  async callTool(name: string, toolArguments?: Record<string, unknown>): Promise<McpToolResult> {
    const entry = await this.#resolve(this.#tools, 'tool', name);
    return this.#service.callTool({ server: entry.server, tool: entry.name, arguments: toolArguments });
  }

  /** Every prompt of every aggregated server, listed afresh. */
  async listPrompts(): Promise<AggregatedPrompt[]> {
    return (await this.#prompts.refresh()).items.map((entry) => entry.item);
  }

  /**
   * Fills in a prompt named by its namespaced or (unambiguous) plain name.
   *
   * @throws McpClientError `MCP_UNKNOWN_TOOL` (prompts have no code of their own) listing the available names.
   */
  async getPrompt(name: string, promptArguments?: Record<string, string>): Promise<McpPromptResult> {
    const entry = await this.#resolve(this.#prompts, 'prompt', name);
    return this.#service.getPrompt({ server: entry.server, name: entry.name, arguments: promptArguments });
  }

  /** Every resource of every aggregated server, listed afresh; `namespacedName` is `server_uri`. */
  async listResources(): Promise<AggregatedResource[]> {
    return (await this.#resources.refresh()).items.map((entry) => entry.item);
  }

  /**
   * Reads a resource by URI. Without `server`, the URI (or `server_uri`) must be listed by exactly
   * one aggregated server; with it, any URI of that server works (templates too).
   *
   * @throws McpClientError `MCP_UNKNOWN_TOOL` (resources have no code of their own) listing the
   *   available URIs, or `MCP_UNKNOWN_SERVER` for a server not aggregated.
   */
  async readResource(uri: string, server?: string): Promise<McpResourceResult> {
    if (server !== undefined) {
      if (!this.#serverNames.includes(server)) {
        throw new McpClientError(
          'MCP_UNKNOWN_SERVER',
          server,
          `MCP server "${server}" is not aggregated here; aggregated: ${this.#serverNames.join(', ') || '(none)'}`,
        );
      }
      return this.#service.readResource({ server, uri });
    }
    const entry = await this.#resolve(this.#resources, 'resource', uri);
    return this.#service.readResource({ server: entry.server, uri: entry.name });
  }

  /** Forgets every listing; the next call lists the servers again. */
  refresh(): void {
    this.#tools.clear();
    this.#prompts.clear();
    this.#resources.clear();
  }

  async #index<Item extends { server: string }>(
    list: (server: string) => Promise<Item[]>,
    nameOf: (item: Item) => string,
  ): Promise<NamespacedIndex<Item & { namespacedName: string }>> {
    const perServer = await Promise.all(this.#serverNames.map((server) => list(server)));
    return new NamespacedIndex(
      perServer.flat().map((item) => {
        const name = nameOf(item);
        return { server: item.server, name, item: { ...item, namespacedName: namespacedName(item.server, name) } };
      }),
    );
  }

  /** The aggregated server whose `server_` prefix `name` has (the longest such name), if any. */
  #serverNamedBy(name: string): string | undefined {
    return this.#serverNames
      .filter((server) => name.startsWith(`${server}_`))
      .sort((a, b) => b.length - a.length)[0];
  }

  async #resolve<Item>(cache: CachedIndex<Item>, kind: Kind, name: string): Promise<{ server: string; name: string }> {
    const wasPresent = cache.present;
    let index = await cache.get();
    let entry = index.resolve(name);
    if (entry === undefined && wasPresent) {
      // The servers may have changed since they were listed: look once more.
      index = await cache.refresh();
      entry = index.resolve(name);
    }
    if (entry !== undefined) return entry;
    const servers = index.serversWith(name);
    if (servers.length > 1) {
      // Several servers are involved: `server` names them all, comma-joined.
      throw new McpClientError(
        'MCP_UNKNOWN_TOOL',
        servers.join(','),
        `${kind} "${name}" is offered by several MCP servers (${servers.join(', ')}); use its namespaced name: ${index.items
          .filter((item) => item.name === name)
          .map((item) => item.namespacedName)
          .join(' or ')}`,
      );
    }
    const available = index.items.map((item) => item.namespacedName);
    // No server has it: `server` names the one the name points at (`fs_read` for a server "fs"),
    // else every aggregated server, comma-joined.
    throw new McpClientError(
      'MCP_UNKNOWN_TOOL',
      this.#serverNamedBy(name) ?? this.#serverNames.join(','),
      `unknown ${kind} "${name}" on MCP servers ${this.#serverNames.join(', ') || '(none)'}; available: ${available.length === 0 ? '(none)' : available.join(', ')}`,
    );
  }
}

/**
 * Creates an {@link McpAggregator}.
 *
 * @example
 * ```ts
 * const aggregator = createMcpAggregator({ service: manager, serverNames: ['fetch'] });
 * ```
 */
export function createMcpAggregator(options: McpAggregatorOptions): McpAggregator {
  return new McpAggregator(options);
}
