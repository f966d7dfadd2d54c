/**
 * Whether this process resolves the repository's packages to their TypeScript sources: the same
 * test as `sourceConditionActive` of `@mcp-agent/core/engine`, without loading that entry, for the
 * modules a worker loads before anything else (the bundling process and its starter).
 */

/** The export condition under which this repository's packages point at their TypeScript sources. */
export const SOURCE_CONDITION = 'mcp-agent-source';

/** True when the flag is given (tsx in the repository) or the repository's own tests run. */
export function sourceConditionActive(): boolean {
  const flags = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)];
  return process.env.MCP_AGENT_SOURCE_CONDITION === '1' || flags.some((flag) => flag === `--conditions=${SOURCE_CONDITION}` || flag === SOURCE_CONDITION);
}
