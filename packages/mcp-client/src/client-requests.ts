/**
 * What the client answers when a server asks (server-to-client requests): sampling
 * (`sampling/createMessage`), elicitation (`elicitation/create`) and roots (`roots/list`), and the
 * capabilities that offer them. A capability is declared only when it is configured: sampling
 * and elicitation when a handler is given, roots when the server has roots (configured, or set
 * with {@link setServerRoots}). `ServerConnection` calls these while opening a session.
 */
import type { Logger } from '@mcp-agent/core';
import { messageOf } from '@mcp-agent/core';
import type { McpRootConfig, McpServerConfig } from '@mcp-agent/core/config';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { CreateMessageRequestSchema, ElicitRequestSchema, ListRootsRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import type { ClientCapabilities, CreateMessageRequest, CreateMessageResult, ElicitRequest, ElicitResult, Root } from '@modelcontextprotocol/sdk/types.js';

import { completeElicitationAnswer } from './elicitation.js';

/**
 * Who asks, for a handler: the configured server name, and the signal of the server's request
 * (aborted when the server cancels it or the session ends).
 *
 * @example
 * ```ts
 * const sampling: SamplingHandler = async (params, { server, signal }) => answer(params, { signal, tag: server });
 * ```
 */
export interface ClientRequestContext {
  server: string;
  signal: AbortSignal;
}

/**
 * Answers a server's `sampling/createMessage`. Throw an `McpError` to refuse (code -1 for a
 * request a person refused).
 *
 * @example
 * ```ts
 * const sampling: SamplingHandler = async (params) => ({ role: 'assistant', content: { type: 'text', text: 'hi' }, model: 'my-model' });
 * ```
 */
export type SamplingHandler = (params: CreateMessageRequest['params'], context: ClientRequestContext) => Promise<CreateMessageResult>;

/**
 * Answers a server's `elicitation/create`, in form mode (`params.requestedSchema`) or URL mode
 * (`params.mode === 'url'`, `params.url`): `{ action: 'accept', content }`, `{ action: 'decline' }`
 * or `{ action: 'cancel' }`. `params.mode` is always set (`form` when the server left it out). An accepted form answer gets the schema's defaults for the fields it
 * leaves out and is validated against the schema before it is sent.
 *
 * @example
 * ```ts
 * const elicitation: ElicitationHandler = async (params) => (params.mode === 'url' ? { action: 'decline' } : { action: 'accept', content: { name: 'Ada' } });
 * ```
 */
export type ElicitationHandler = (params: ElicitRequest['params'], context: ClientRequestContext) => Promise<ElicitResult>;

/** The handlers of server-to-client requests; each absent one is not offered to servers. */
export interface ClientRequestHandlers {
  sampling?: SamplingHandler | undefined;
  elicitation?: ElicitationHandler | undefined;
}

/**
 * A root as code gives it to {@link setServerRoots}: the config's keys (`uri`, `name`,
 * `server_uri_alias`, which the server is shown instead of `uri` when set).
 *
 * @example
 * ```ts
 * const root: McpRootInput = { uri: 'file:///srv/data', name: 'data' };
 * ```
 */
export type McpRootInput = Pick<McpRootConfig, 'uri' | 'name' | 'server_uri_alias'>;

/** One server's roots and the live sessions to tell when they change. */
interface ServerRoots {
  roots: Root[];
  clients: Set<Client>;
}

// Roots set at run time, per manager (keyed by the handlers object a manager shares with its
// connections) and per server; servers without an entry use their config's roots.
const runtimeRoots = new WeakMap<ClientRequestHandlers, Map<string, ServerRoots>>();

/** The roots a server is shown: `server_uri_alias` instead of `uri` when set. */
function toRoots(roots: readonly McpRootInput[]): Root[] {
  return roots.map((root) => {
    const uri = root.server_uri_alias ?? root.uri;
    if (typeof uri !== 'string' || !uri.startsWith('file://')) {
      throw new TypeError(`roots: expected a file:// URI such as "file:///srv/data", got ${JSON.stringify(uri)}`);
    }
    return { uri, ...(root.name === undefined ? {} : { name: root.name }) };
  });
}

function serverRoots(handlers: ClientRequestHandlers, server: string, config: McpServerConfig): ServerRoots | undefined {
  const existing = runtimeRoots.get(handlers)?.get(server);
  if (existing !== undefined) return existing;
  if (config.roots === undefined || config.roots.length === 0) return undefined;
  let byServer = runtimeRoots.get(handlers);
  if (byServer === undefined) runtimeRoots.set(handlers, (byServer = new Map()));
  const created: ServerRoots = { roots: toRoots(config.roots), clients: new Set() };
  byServer.set(server, created);
  return created;
}

/**
 * Forgets the sessions that have closed (their client let go of its transport). The newest one
 * is kept while it has no transport: it may be connecting (a server has one connect at a time).
 */
function pruneClosed(roots: ServerRoots): void {
  const newest = [...roots.clients].at(-1);
  for (const client of roots.clients) if (client.transport === undefined && client !== newest) roots.clients.delete(client);
}

/**
 * The capabilities a session with `config`'s server declares in `initialize`: `sampling` when a
 * sampling handler is given, `elicitation` (form and URL modes) when an elicitation handler is,
 * `roots` (with `listChanged`) when the server has roots. Nothing else.
 *
 * @example
 * ```ts
 * clientCapabilities({ command: 'x', roots: [{ uri: 'file:///srv' }] }, {}); // { roots: { listChanged: true } }
 * ```
 */
export function clientCapabilities(config: McpServerConfig, handlers: ClientRequestHandlers, server?: string): ClientCapabilities {
  const hasRoots = server === undefined ? (config.roots?.length ?? 0) > 0 : serverRoots(handlers, server, config) !== undefined;
  return {
    ...(handlers.sampling === undefined ? {} : { sampling: {} }),
    ...(handlers.elicitation === undefined ? {} : { elicitation: { form: {}, url: {} } }),
    ...(hasRoots ? { roots: { listChanged: true } } : {}),
  };
}

/**
 * Installs the request handlers of the capabilities `clientCapabilities` declared on a client
 * before it connects. Handler failures reach the server as JSON-RPC errors and the logger at
 * `warn`; accepted elicitation answers get their schema's defaults and are validated first.
 */
export function installClientRequestHandlers(client: Client, server: string, config: McpServerConfig, handlers: ClientRequestHandlers, logger: Logger): void {
  const { sampling, elicitation } = handlers;
  if (sampling !== undefined) {
    client.setRequestHandler(CreateMessageRequestSchema, async (request, extra) => {
      try {
        return await sampling(request.params, { server, signal: extra.signal });
      } catch (error) {
        logger.warn(`answering sampling/createMessage of MCP server "${server}" failed: ${messageOf(error)}`, { server });
        throw error;
      }
    });
  }
  if (elicitation !== undefined) {
    client.setRequestHandler(ElicitRequestSchema, async (request, extra) => {
      try {
        // A request without `mode` is a form (the SDK's rule); handlers always see the mode.
        const params = (request.params.mode === undefined ? { ...request.params, mode: 'form' } : request.params) as ElicitRequest['params'];
        const answer = await elicitation(params, { server, signal: extra.signal });
        return completeElicitationAnswer(server, params, answer);
      } catch (error) {
        logger.warn(`answering elicitation/create of MCP server "${server}" failed: ${messageOf(error)}`, { server });
        throw error;
      }
    });
  }
  const roots = serverRoots(handlers, server, config);
  if (roots !== undefined) {
    roots.clients.add(client);
    pruneClosed(roots);
    client.setRequestHandler(ListRootsRequestSchema, async () => ({ roots: roots.roots.map((root) => ({ ...root })) }));
  }
}

/**
 * Replaces the roots a server is shown and sends `notifications/roots/list_changed` on its open
 * session, so that the server asks `roots/list` again. The manager's `setRoots(server, roots)`
 * calls it. A session that opened without the roots capability (the server had no roots then)
 * is not told; the next session declares it.
 *
 * @throws TypeError when a root's URI (or alias) is not a `file://` URI.
 *
 * @example
 * ```ts
 * await setServerRoots(handlers, 'filesystem', config, [{ uri: 'file:///srv/other', name: 'other' }], logger);
 * ```
 */
export async function setServerRoots(handlers: ClientRequestHandlers, server: string, config: McpServerConfig, roots: readonly McpRootInput[], logger: Logger): Promise<void> {
  const next = toRoots(roots);
  let byServer = runtimeRoots.get(handlers);
  if (byServer === undefined) runtimeRoots.set(handlers, (byServer = new Map()));
  const entry = serverRoots(handlers, server, config) ?? { roots: [], clients: new Set<Client>() };
  entry.roots = next;
  byServer.set(server, entry);
  pruneClosed(entry);
  await Promise.all(
    [...entry.clients].map(async (client) => {
      if (client.transport === undefined) return;
      try {
        await client.sendRootsListChanged();
      } catch (error) {
        // A session that is closing: the next one lists the new roots anyway.
        logger.debug(`telling MCP server "${server}" that its roots changed failed: ${messageOf(error)}`, { server });
      }
    }),
  );
}
