/**
 * Namespaced names for the tools, prompts and resources of several MCP servers, and the way back
 * from a namespaced name to its server. Safe for the workflow sandbox.
 */
import { McpClientError } from '../errors.js';

/** The separator between server and item names, as in the Python project: `filesystem_read_file`. */
export const NAMESPACE_SEPARATOR = '_';

/** `server_name` for an item of a server. */
export function namespacedName(server: string, name: string): string {
  return `${server}${NAMESPACE_SEPARATOR}${name}`;
}

/** Where a namespaced name leads. */
export interface IndexedItem<T> {
  server: string;
  /** The item's name on its server. */
  name: string;
  /** The name across all servers: `server_name`. */
  namespacedName: string;
  item: T;
}

/**
 * Items (tools, prompts) of several servers under unambiguous names. Every item is reachable by
 * its namespaced name; an item whose plain name no other server uses is reachable by that too.
 *
 * @example
 * ```ts
 * const index = new NamespacedIndex([{ server: 'fs', name: 'read_file', item: tool }]);
 * index.resolve('fs_read_file'); // { server: 'fs', name: 'read_file', ... }
 * index.resolve('read_file');    // the same, since only one server has it
 * ```
 */
export class NamespacedIndex<T> {
  readonly #byNamespacedName = new Map<string, IndexedItem<T>>();
  readonly #byPlainName = new Map<string, IndexedItem<T>[]>();

  /** @throws McpClientError when two different items would get the same namespaced name. */
  constructor(items: Iterable<{ server: string; name: string; item: T }>) {
    for (const { server, name, item } of items) {
      const key = namespacedName(server, name);
      const existing = this.#byNamespacedName.get(key);
      if (existing !== undefined) {
        throw new McpClientError('MCP_SERVER_CONFIG', server, `"${key}" names both ${existing.server}/${existing.name} and ${server}/${name}; rename one of the servers in mcp.servers`);
      }
      const entry: IndexedItem<T> = { server, name, namespacedName: key, item };
      this.#byNamespacedName.set(key, entry);
      const plain = this.#byPlainName.get(name) ?? [];
      plain.push(entry);
      this.#byPlainName.set(name, plain);
    }
  }

  /** Every item, in the order given. */
  get items(): IndexedItem<T>[] {
    return [...this.#byNamespacedName.values()];
  }

  /** The item a namespaced name, or an unambiguous plain name, leads to; undefined when none. */
  resolve(name: string): IndexedItem<T> | undefined {
    const namespaced = this.#byNamespacedName.get(name);
    if (namespaced !== undefined) return namespaced;
    const plain = this.#byPlainName.get(name);
    return plain?.length === 1 ? plain[0] : undefined;
  }

  /** Servers that have an item of this plain name (more than one means the plain name is ambiguous). */
  serversWith(name: string): string[] {
    return (this.#byPlainName.get(name) ?? []).map((entry) => entry.server);
  }
}
