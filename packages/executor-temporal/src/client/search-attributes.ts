/**
 * The check, by the client and the worker, that the server knows the search attributes runs set
 * when `temporal.search_attributes` is on: a run started with an unknown one is refused, and a run
 * that sets one fails its workflow task over and over. Node only.
 */
import type { Connection } from '@temporalio/client';
import type { NativeConnection } from '@temporalio/worker';
import { ConfigError, type Logger, messageOf } from '@mcp-agent/core';
import { MCP_AGENT_SEARCH_ATTRIBUTES, searchAttributeTypeName } from '../run-metadata.js';

/**
 * Checks that `namespace` has mcp-agent's search attributes registered.
 *
 * @throws ConfigError naming those missing and the command that registers them. When the server
 *   won't list them (no permission, as with some cloud API keys), says so as a warning and goes on.
 */
export async function assertSearchAttributesRegistered(connection: Pick<Connection | NativeConnection, 'operatorService'>, namespace: string, logger: Logger): Promise<void> {
  let registered: Record<string, unknown>;
  try {
    registered = (await connection.operatorService.listSearchAttributes({ namespace })).customAttributes ?? {};
  } catch (error) {
    logger.warn(`temporal.search_attributes: cannot list the search attributes of namespace "${namespace}" (${messageOf(error)}); assuming they are registered`);
    return;
  }
  const missing = MCP_AGENT_SEARCH_ATTRIBUTES.filter((key) => !(key.name in registered));
  if (missing.length === 0) return;
  const create = missing.map((key) => `--name ${key.name} --type ${searchAttributeTypeName(key.type)}`);
  throw new ConfigError(
    `temporal.search_attributes is on but namespace "${namespace}" has no search attribute${missing.length === 1 ? '' : 's'} ${missing.map((key) => key.name).join(', ')}: ` +
      `register ${missing.length === 1 ? 'it' : 'them'} (${create.map((flags) => `temporal operator search-attribute create --namespace ${namespace} ${flags}`).join('; ')}), ` +
      'or start the dev server with --search-attribute McpAgentWorkflow=Keyword --search-attribute McpAgentTotalTokens=Int; or turn temporal.search_attributes off',
  );
}
