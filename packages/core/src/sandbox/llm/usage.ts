/**
 * Token usage and cost, per model and as a tree over the LLMs and patterns of a run. Safe for the
 * workflow sandbox: plain data and arithmetic.
 */
import type { LlmUsage } from './llm-types.js';

/** Tokens used, added up, with the calls that used them and their cost when the model's price is known. */
export interface UsageTotals extends LlmUsage {
  calls: number;
  /** US dollars, from the price table (`model_prices` in the config over the built-in one); 0 when no price is known. */
  costUsd: number;
}

/**
 * A node of a usage tree: an LLM (a leaf, `kind: 'llm'`) or a pattern (a router, an
 * orchestrator, ...) whose `usage` adds up its own calls and its children's.
 */
export interface UsageNode {
  /** The agent's or the pattern's name. */
  name: string;
  /** `llm` for an AugmentedLLM, else the pattern's kind (`parallel`, `router`, `orchestrator`, ...). */
  kind: string;
  /** Every call under this node, added up. */
  usage: UsageTotals;
  /** The models used directly by this node, each with its own totals (LLM nodes only). */
  models?: Record<string, UsageTotals>;
  children: UsageNode[];
}

/** No tokens, no calls, no cost. */
export function emptyUsage(): UsageTotals {
  return { calls: 0, inputTokens: 0, outputTokens: 0, totalTokens: 0, costUsd: 0 };
}

/** Adds `from` into `into` and returns `into`. */
export function addUsage(into: UsageTotals, from: UsageTotals): UsageTotals {
  into.calls += from.calls;
  into.inputTokens += from.inputTokens;
  into.outputTokens += from.outputTokens;
  into.totalTokens += from.totalTokens;
  into.costUsd = roundCost(into.costUsd + from.costUsd);
  return into;
}

/** Anything that reports a usage tree: an AugmentedLLM, a pattern. */
export interface UsageReporter {
  usageTree(): UsageNode;
}

/**
 * A pattern's node: its own calls (`own`, such as a router's routing calls made by an LLM it
 * holds) plus its children's, added up.
 */
export function usageNode(name: string, kind: string, children: readonly (UsageReporter | UsageNode)[]): UsageNode {
  const nodes = children.map((child) => ('usageTree' in child ? child.usageTree() : child));
  const usage = emptyUsage();
  for (const node of nodes) addUsage(usage, node.usage);
  return { name, kind, usage, children: nodes };
}

/** Rounds dollars to a billionth, so sums of many small costs print cleanly. */
export function roundCost(value: number): number {
  return Math.round(value * 1e9) / 1e9;
}
