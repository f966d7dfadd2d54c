/**
 * What workflow runs carry for the Temporal Web UI and `temporal workflow list --query`: memo
 * entries (always) and search attributes (when `temporal.search_attributes` is on, for servers
 * where they are registered). Safe for the workflow sandbox.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/** Memo key of the mcp-agent workflow name, set when a run starts. */
export const WORKFLOW_MEMO_KEY = 'mcp_agent.workflow';

/** Memo key of the tokens a run's model round trips used ({@link RunUsage}), set when the run ends. */
export const USAGE_MEMO_KEY = 'mcp_agent.usage';

/** Memo key of the names of the agents a run made (a list), set when the run ends. */
export const AGENTS_MEMO_KEY = 'mcp_agent.agents';

/** At most this many agent names are kept in the memo of a run. */
export const MAX_AGENT_NAMES = 50;

/** The tokens of a run's model round trips, and how many there were. */
export interface RunUsage {
  llmCalls: number;
  inputTokens: number;
  outputTokens: number;
  totalTokens: number;
}

/** Search attribute of the mcp-agent workflow name (Keyword), set when a run starts. */
export const WORKFLOW_SEARCH_ATTRIBUTE = defineSearchAttributeKey('McpAgentWorkflow', SearchAttributeType.KEYWORD);

/** Search attribute of the total tokens of a run's model round trips (Int), set when the run ends. */
export const TOTAL_TOKENS_SEARCH_ATTRIBUTE = defineSearchAttributeKey('McpAgentTotalTokens', SearchAttributeType.INT);

/** The search attributes mcp-agent sets, to register on the server (`temporal operator search-attribute create`). */
export const MCP_AGENT_SEARCH_ATTRIBUTES = [WORKFLOW_SEARCH_ATTRIBUTE, TOTAL_TOKENS_SEARCH_ATTRIBUTE] as const;

/** The Temporal CLI's name of a search attribute type (`Keyword`, `Int`). */
export function searchAttributeTypeName(type: SearchAttributeType): string {
  return type === SearchAttributeType.KEYWORD_LIST ? 'KeywordList' : type === SearchAttributeType.DATETIME ? 'Datetime' : `${type.slice(0, 1)}${type.slice(1).toLowerCase()}`;
}

/** `memo` without the entries the framework sets, as workflow code sees its memo on every engine. */
export function withoutRunMetadata(memo: Record<string, unknown>): Record<string, unknown> {
  if (!(WORKFLOW_MEMO_KEY in memo) && !(USAGE_MEMO_KEY in memo) && !(AGENTS_MEMO_KEY in memo)) return memo;
  const { [WORKFLOW_MEMO_KEY]: _workflow, [USAGE_MEMO_KEY]: _usage, [AGENTS_MEMO_KEY]: _agents, ...rest } = memo;
  return rest;
}
