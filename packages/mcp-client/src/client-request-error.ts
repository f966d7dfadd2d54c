/**
 * The error a client-side handler throws to refuse a server's request: a JSON-RPC error whose
 * message reaches the server as written.
 */
import { McpError } from '@modelcontextprotocol/sdk/types.js';

/**
 * An `McpError` with `code` whose message is `message` alone (the SDK's constructor prefixes
 * `MCP error <code>: `, which the server would otherwise see twice).
 *
 * @example
 * ```ts
 * throw clientRequestError(-1, 'User rejected sampling request');
 * ```
 */
export function clientRequestError(code: number, message: string): McpError {
  const error = new McpError(code, message);
  error.message = message;
  return error;
}
