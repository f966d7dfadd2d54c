/**
 * The deep orchestrator's budgets: tokens, cost, wall time and steps. Safe for the workflow
 * sandbox: time is workflow time (see {@link workflowNow}).
 */
import { type Duration, type UsageTotals, WorkflowUsageError } from '@mcp-agent/core/workflow';
import { currentWorkflowContext, toMilliseconds } from '@mcp-agent/core/engine/workflow';

/**
 * Limits of one run of a deep orchestrator (one generate call). Between steps the orchestrator
 * compares what it has spent with them; once one is reached it starts no new step and writes
 * the final answer from what it has.
 *
 * @example
 * ```ts
 * const budget: DeepOrchestratorBudget = { maxTokens: 200_000, maxCostUsd: 2, maxTime: '15 minutes' };
 * ```
 */
export interface DeepOrchestratorBudget {
  /** Tokens of every model call of the run (planner, workers, extractor, verifier). Default 100 000; `Infinity` for none. */
  maxTokens?: number;
  /** US dollars, from the models' prices (`costUsd` of the usage tree). Default 10; `Infinity` for none. */
  maxCostUsd?: number;
  /** Wall time, in workflow time: milliseconds or a string such as `'30 minutes'`. Default 30 minutes; `Infinity` for none. */
  maxTime?: Duration;
}

/**
 * Which budget stopped a run; `iterations` is `maxIterations` (steps run).
 *
 * @example
 * ```ts
 * if (result.exceededBudget === 'costUsd') console.log('out of money');
 * ```
 */
export type BudgetName = 'tokens' | 'costUsd' | 'time' | 'iterations';

/**
 * What a run has spent so far, and its limits.
 *
 * @example
 * ```ts
 * const { spent, limits } = orchestrator.progress().budget;
 * console.log(`${spent.tokens} of ${limits.tokens} tokens`);
 * ```
 */
export interface BudgetReport {
  spent: { tokens: number; costUsd: number; timeMs: number; iterations: number };
  /** `null` where there is no limit (JSON has no Infinity). */
  limits: { tokens: number | null; costUsd: number | null; timeMs: number | null; iterations: number };
}

/**
 * The budget with defaults filled in, checked.
 *
 * @example
 * ```ts
 * const limits: ResolvedBudget = resolveBudget({ maxTokens: 50_000 }, 20);
 * ```
 */
export interface ResolvedBudget {
  tokens: number;
  costUsd: number;
  timeMs: number;
  iterations: number;
}

function positive(value: unknown, what: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || Number.isNaN(value) || value <= 0) {
    throw new WorkflowUsageError(`budget.${what}: expected a number above 0 (or Infinity for no limit), got ${JSON.stringify(value) ?? String(value)}`);
  }
  return value;
}

/**
 * Checks a budget and fills in the defaults (100 000 tokens, 10 USD, 30 minutes).
 *
 * @example
 * ```ts
 * resolveBudget({ maxTime: '10 minutes' }, 20); // { tokens: 100000, costUsd: 10, timeMs: 600000, iterations: 20 }
 * ```
 */
export function resolveBudget(budget: DeepOrchestratorBudget | undefined, maxIterations: number): ResolvedBudget {
  if (budget !== undefined && (typeof budget !== 'object' || budget === null)) {
    throw new WorkflowUsageError(`budget: expected an object such as { maxTokens: 100000, maxCostUsd: 5, maxTime: '30 minutes' }, got ${JSON.stringify(budget)}`);
  }
  let timeMs = 30 * 60_000;
  if (budget?.maxTime === Number.POSITIVE_INFINITY) timeMs = Number.POSITIVE_INFINITY;
  else if (budget?.maxTime !== undefined) {
    try {
      timeMs = toMilliseconds(budget.maxTime, 'budget.maxTime');
    } catch (error) {
      throw new WorkflowUsageError(error instanceof Error ? error.message : String(error));
    }
    if (timeMs <= 0) throw new WorkflowUsageError(`budget.maxTime: expected a duration above 0, got ${JSON.stringify(budget.maxTime)}`);
  }
  return {
    tokens: positive(budget?.maxTokens, 'maxTokens', 100_000),
    costUsd: positive(budget?.maxCostUsd, 'maxCostUsd', 10),
    timeMs,
    iterations: maxIterations,
  };
}

/**
 * Now, in epoch milliseconds, as workflow code may read it. Inside a workflow this is the
 * engine's workflow time: under Temporal its sandbox replaces `Date` with workflow time, which is
 * the same on replay; on the in-process engine it is the engine's clock (the real one unless a
 * virtual clock was given). Outside a workflow it is the machine's clock, read only here.
 *
 * @example
 * ```ts
 * const started = workflowNow();
 * ```
 */
export function workflowNow(): number {
  const context = currentWorkflowContext();
  return context === undefined ? Date.now() : context.now().getTime();
}

/**
 * Tracks one run's spending against its budget.
 *
 * @example
 * ```ts
 * const tracker = new BudgetTracker(resolveBudget({ maxTokens: 1000 }, 5), 0.9);
 * tracker.start(orchestrator.usageTree().usage);
 * tracker.update(orchestrator.usageTree().usage, 1);
 * tracker.exhausted(); // 'tokens' once 900 tokens are spent
 * ```
 */
export class BudgetTracker {
  readonly limits: ResolvedBudget;
  /** The share of a limit at which no new step starts, leaving the rest for the final answer. */
  readonly threshold: number;
  #startMs = 0;
  #base: UsageTotals = { calls: 0, inputTokens: 0, outputTokens: 0, totalTokens: 0, costUsd: 0 };
  #spent: BudgetReport['spent'] = { tokens: 0, costUsd: 0, timeMs: 0, iterations: 0 };

  constructor(limits: ResolvedBudget, threshold: number) {
    this.limits = limits;
    this.threshold = threshold;
  }

  /** Starts a run: spending counts from `totals` (the usage so far) and now. */
  start(totals: UsageTotals): void {
    this.#startMs = workflowNow();
    this.#base = { ...totals };
    this.#spent = { tokens: 0, costUsd: 0, timeMs: 0, iterations: 0 };
  }

  /** Updates the spending from the usage totals now and the steps run. */
  update(totals: UsageTotals, iterations: number): BudgetReport['spent'] {
    this.#spent = {
      tokens: totals.totalTokens - this.#base.totalTokens,
      costUsd: Math.round((totals.costUsd - this.#base.costUsd) * 1e9) / 1e9,
      timeMs: Math.max(0, workflowNow() - this.#startMs),
      iterations,
    };
    return this.#spent;
  }

  /**
   * The budget that is used up (reached `threshold` of its limit), if any; with `nextStep`, also
   * the steps (`iterations`), used up when another step would pass `maxIterations`.
   */
  exhausted(nextStep = false): BudgetName | undefined {
    const spent = this.#spent;
    if (spent.tokens >= this.limits.tokens * this.threshold) return 'tokens';
    if (spent.costUsd >= this.limits.costUsd * this.threshold) return 'costUsd';
    if (spent.timeMs >= this.limits.timeMs * this.threshold) return 'time';
    if (nextStep && spent.iterations >= this.limits.iterations) return 'iterations';
    return undefined;
  }

  /** The spending and limits, as plain JSON. */
  report(): BudgetReport {
    const finite = (value: number): number | null => (Number.isFinite(value) ? value : null);
    return {
      spent: { ...this.#spent },
      limits: { tokens: finite(this.limits.tokens), costUsd: finite(this.limits.costUsd), timeMs: finite(this.limits.timeMs), iterations: this.limits.iterations },
    };
  }
}
