/**
 * A usage tree as text, one line per node: tokens, calls and cost. Safe for the workflow sandbox.
 */
import type { UsageNode } from '@mcp-agent/core/workflow';

/**
 * Formats a usage tree, children indented under their parent, as the Python project's
 * `format_tree()` does.
 *
 * @example
 * ```ts
 * console.log(formatUsageTree(parallel.usageTree()));
 * // story_review (parallel): 1,234 tokens in 4 calls, $0.000321
 * //   proofreader (llm): 310 tokens in 1 call, $0.000080
 * ```
 */
export function formatUsageTree(node: UsageNode, indent = ''): string {
  const { calls, totalTokens, costUsd } = node.usage;
  const line = `${indent}${node.name} (${node.kind}): ${totalTokens.toLocaleString('en-US')} tokens in ${calls} ${calls === 1 ? 'call' : 'calls'}, $${costUsd.toFixed(6)}`;
  return [line, ...node.children.map((child) => formatUsageTree(child, `${indent}  `))].join('\n');
}
