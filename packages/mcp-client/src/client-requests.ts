/**
 * What the client answers when a server asks (server-to-client requests): sampling
 * (`sampling/createMessage`), elicitation (`elicitation/create`) and roots (`roots/list`), and the
 * capabilities that offer them. A capability is declared only when it is configured. Internal to
 * this package: `ServerConnection` calls these while opening a session.
 */
import type { Logger } from '@mcp-agent/core';
import type { McpServerConfig } from '@mcp-agent/core/config';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { ClientCapabilities, CreateMessageRequest, CreateMessageResult, ElicitRequest, ElicitResult } from '@modelcontextprotocol/sdk/types.js';

/** Who asks, for a handler: the configured server name, and the signal of the server's request. */
export interface ClientRequestContext {
  server: string;
  signal: AbortSignal;
}

/** Answers a server's `sampling/createMessage`. */
export type SamplingHandler = (params: CreateMessageRequest['params'], context: ClientRequestContext) => Promise<CreateMessageResult>;

/** Answers a server's `elicitation/create` (form or URL mode). */
export type ElicitationHandler = (params: ElicitRequest['params'], context: ClientRequestContext) => Promise<ElicitResult>;

/** The handlers of server-to-client requests; each absent one is not offered to servers. */
export interface ClientRequestHandlers {
  sampling?: SamplingHandler | undefined;
  elicitation?: ElicitationHandler | undefined;
}

/** The capabilities a session with `config`'s server declares in `initialize`. */
export function clientCapabilities(_config: McpServerConfig, _handlers: ClientRequestHandlers): ClientCapabilities {
  return {};
}

/** Installs the request handlers the capabilities declared on a client before it connects. */
export function installClientRequestHandlers(_client: Client, _server: string, _config: McpServerConfig, _handlers: ClientRequestHandlers, _logger: Logger): void {}
