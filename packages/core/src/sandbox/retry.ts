/**
 * Retry policies for tasks and the rules that pick one from config by task name.
 * Safe for the workflow sandbox.
 */
import { errorTypeOf, MCPAgentError, WorkflowApplicationError } from './errors.js';
import { secondsOrDurationToMilliseconds, toMilliseconds, type Duration } from './duration.js';
import type { RetryPolicyConfig } from '../config/sections.js';

/**
 * How a failed task is retried. Field meanings follow Temporal's retry policy.
 *
 * @example
 * ```ts
 * const policy: RetryPolicy = { initialInterval: '1s', backoffCoefficient: 2, maximumAttempts: 5, nonRetryableErrorTypes: ['ValidationError'] };
 * ```
 */
export interface RetryPolicy {
  /** Delay before the first retry. Default 1 second. */
  initialInterval?: Duration;
  /** Factor by which the delay grows after each retry. Default 2. */
  backoffCoefficient?: number;
  /** Upper bound of the delay. Default 100 times the initial interval. */
  maximumInterval?: Duration;
  /** Total attempts, the first included; 0 means unlimited. Default 5. */
  maximumAttempts?: number;
  /** Error types (a {@link WorkflowApplicationError}'s `type`, else the error's `name`) that are never retried. */
  nonRetryableErrorTypes?: string[];
}

/** A retry policy with every field filled in and durations in milliseconds. */
export interface ResolvedRetryPolicy {
  initialIntervalMs: number;
  backoffCoefficient: number;
  maximumIntervalMs: number;
  maximumAttempts: number;
  nonRetryableErrorTypes: readonly string[];
}

/**
 * The framework's default task retry policy: Temporal's intervals (1 s, doubling, at most 100 s)
 * with at most 5 attempts, so that a task that always fails fails its workflow instead of retrying
 * forever. Set `maximumAttempts: 0` for unlimited attempts.
 */
export const DEFAULT_RETRY_POLICY: ResolvedRetryPolicy = Object.freeze({
  initialIntervalMs: 1_000,
  backoffCoefficient: 2,
  maximumIntervalMs: 100_000,
  maximumAttempts: 5,
  nonRetryableErrorTypes: Object.freeze([]) as readonly string[],
});

/** Converts a config file retry policy (seconds) into a {@link RetryPolicy} (milliseconds). */
export function retryPolicyFromConfig(config: RetryPolicyConfig, path = 'retry_policy'): RetryPolicy {
  const policy: RetryPolicy = {};
  if (config.initial_interval !== undefined) {
    policy.initialInterval = secondsOrDurationToMilliseconds(config.initial_interval, `${path}.initial_interval`);
  }
  if (config.maximum_interval !== undefined) {
    policy.maximumInterval = secondsOrDurationToMilliseconds(config.maximum_interval, `${path}.maximum_interval`);
  }
  if (config.backoff_coefficient !== undefined) policy.backoffCoefficient = config.backoff_coefficient;
  if (config.maximum_attempts !== undefined) policy.maximumAttempts = config.maximum_attempts;
  if (config.non_retryable_error_types !== undefined) policy.nonRetryableErrorTypes = [...config.non_retryable_error_types];
  return policy;
}

/**
 * Merges policies, later ones overriding earlier ones field by field, over {@link DEFAULT_RETRY_POLICY}.
 *
 * @throws TypeError naming the field when a value is out of range.
 */
export function resolveRetryPolicy(...layers: Array<RetryPolicy | undefined>): ResolvedRetryPolicy {
  let initialIntervalMs = DEFAULT_RETRY_POLICY.initialIntervalMs;
  let maximumIntervalMs: number | undefined;
  let backoffCoefficient = DEFAULT_RETRY_POLICY.backoffCoefficient;
  let maximumAttempts = DEFAULT_RETRY_POLICY.maximumAttempts;
  let nonRetryableErrorTypes = DEFAULT_RETRY_POLICY.nonRetryableErrorTypes;
  for (const layer of layers) {
    if (layer === undefined) continue;
    if (layer.initialInterval !== undefined) initialIntervalMs = toMilliseconds(layer.initialInterval, 'retryPolicy.initialInterval');
    if (layer.maximumInterval !== undefined) maximumIntervalMs = toMilliseconds(layer.maximumInterval, 'retryPolicy.maximumInterval');
    if (layer.backoffCoefficient !== undefined) backoffCoefficient = layer.backoffCoefficient;
    if (layer.maximumAttempts !== undefined) maximumAttempts = layer.maximumAttempts;
    if (layer.nonRetryableErrorTypes !== undefined) nonRetryableErrorTypes = [...layer.nonRetryableErrorTypes];
  }
  if (!(backoffCoefficient >= 1)) {
    throw new TypeError(`retryPolicy.backoffCoefficient: expected a number >= 1, got ${String(backoffCoefficient)}`);
  }
  if (!Number.isInteger(maximumAttempts) || maximumAttempts < 0) {
    throw new TypeError(`retryPolicy.maximumAttempts: expected a whole number >= 0 (0 = unlimited), got ${String(maximumAttempts)}`);
  }
  const maximum = maximumIntervalMs ?? initialIntervalMs * 100;
  if (maximum < initialIntervalMs) {
    throw new TypeError(`retryPolicy.maximumInterval: ${maximum} ms is less than initialInterval ${initialIntervalMs} ms`);
  }
  return { initialIntervalMs, backoffCoefficient, maximumIntervalMs: maximum, maximumAttempts, nonRetryableErrorTypes };
}

/** Milliseconds to wait after attempt `attempt` (1-based) failed, before the next one. */
export function retryDelay(policy: ResolvedRetryPolicy, attempt: number): number {
  const delay = policy.initialIntervalMs * policy.backoffCoefficient ** (attempt - 1);
  return Math.min(delay, policy.maximumIntervalMs);
}

/**
 * Whether a task that failed with `error` on attempt `attempt` (1-based) should be tried again:
 * not when the attempts are used up, not for an mcp-agent error that is not retryable (a
 * non-retryable WorkflowApplicationError among them), not for a type in `nonRetryableErrorTypes`.
 */
export function shouldRetry(policy: ResolvedRetryPolicy, error: unknown, attempt: number): boolean {
  if (policy.maximumAttempts !== 0 && attempt >= policy.maximumAttempts) return false;
  // An mcp-agent error says itself whether trying again can help (a bad request to an MCP server
  // can't; a lost connection can); a WorkflowApplicationError says so with `nonRetryable`.
  if (MCPAgentError.is(error) && !error.retryable) return false;
  return !policy.nonRetryableErrorTypes.includes(errorTypeOf(error));
}

/**
 * The wait an HTTP response asks for before a retry: `retry-after-ms`, else `retry-after` in
 * seconds or as an HTTP date. Undefined when it names none. For providers' error classification.
 *
 * @example retryAfterMilliseconds(new Headers({ 'retry-after': '2' })) // 2000
 */
export function retryAfterMilliseconds(headers: { get(name: string): string | null } | undefined, now = Date.now()): number | undefined {
  if (headers === undefined) return undefined;
  const milliseconds = Number.parseFloat(headers.get('retry-after-ms') ?? '');
  if (Number.isFinite(milliseconds) && milliseconds >= 0) return Math.round(milliseconds);
  const value = headers.get('retry-after');
  if (value === null || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * The wait a failure asks for before the next attempt: a WorkflowApplicationError whose first
 * detail carries `retryAfterMilliseconds` (a provider's rate limit with `retry-after`).
 */
export function requestedRetryDelay(error: unknown): number | undefined {
  if (!WorkflowApplicationError.is(error)) return undefined;
  const detail = error.details[0] as { retryAfterMilliseconds?: unknown } | undefined;
  const milliseconds = detail?.retryAfterMilliseconds;
  return typeof milliseconds === 'number' && Number.isFinite(milliseconds) && milliseconds >= 0 ? milliseconds : undefined;
}

/**
 * The wait before the attempt after `attempt` failed with `error`: the policy's backoff, or longer
 * when the failure asks for it (`retry-after`), but never beyond the policy's maximum interval
 * times two, so that a server can't park a task for hours.
 */
export function nextRetryDelay(policy: ResolvedRetryPolicy, error: unknown, attempt: number): number {
  const backoff = retryDelay(policy, attempt);
  const requested = requestedRetryDelay(error);
  return requested === undefined ? backoff : Math.max(backoff, Math.min(requested, policy.maximumIntervalMs * 2));
}

/** Which rule matched a task name in {@link matchRetryPolicy}. */
export type RetryPolicyMatchRule = 'exact' | 'suffix' | 'prefix' | 'wildcard';

/**
 * Picks the config entry for a task name, by these rules in order:
 * 1. exact name (`my_package.tasks.fetch`);
 * 2. dotted suffix: the name ends with `.` and the key (`tasks.fetch`, `fetch`); the longest key wins;
 * 3. `prefix*`: the name starts with the prefix; the longest prefix wins;
 * 4. `*`.
 *
 * @example matchRetryPolicy('llm.openai.complete', { 'llm.*': a, '*': b }) // { pattern: 'llm.*', rule: 'prefix', policy: a }
 */
export function matchRetryPolicy<T>(taskName: string, policies: Readonly<Record<string, T>>): { pattern: string; rule: RetryPolicyMatchRule; policy: T } | undefined {
  const exact = Object.hasOwn(policies, taskName) ? policies[taskName] : undefined;
  if (exact !== undefined) return { pattern: taskName, rule: 'exact', policy: exact };
  let best: { pattern: string; rule: RetryPolicyMatchRule; policy: T } | undefined;
  for (const [pattern, policy] of Object.entries(policies)) {
    if (pattern.includes('*')) continue;
    if (taskName.endsWith(`.${pattern}`) && (best === undefined || pattern.length > best.pattern.length)) {
      best = { pattern, rule: 'suffix', policy };
    }
  }
  if (best !== undefined) return best;
  for (const [pattern, policy] of Object.entries(policies)) {
    if (pattern === '*' || !pattern.endsWith('*') || pattern.indexOf('*') !== pattern.length - 1) continue;
    const prefix = pattern.slice(0, -1);
    if (taskName.startsWith(prefix) && (best === undefined || prefix.length > best.pattern.length - 1)) {
      best = { pattern, rule: 'prefix', policy };
    }
  }
  if (best !== undefined) return best;
  const wildcard = policies['*'];
  return wildcard === undefined ? undefined : { pattern: '*', rule: 'wildcard', policy: wildcard };
}

/** The parts of the settings that decide task retry policies. */
export interface RetrySettings {
  workflow_task_retry_policies?: Record<string, RetryPolicyConfig> | undefined;
  temporal?: { retry_policy?: RetryPolicyConfig | undefined } | undefined;
}

/**
 * The retry policy of one task call. Later layers win, field by field:
 * the framework default, `temporal.retry_policy`, the task's own `retryPolicy`, the entry of
 * `workflow_task_retry_policies` that matches the task name (so operators can tune a task without
 * a code change), and last the options of the call itself.
 */
export function taskRetryPolicy(taskName: string, settings: RetrySettings, taskPolicy?: RetryPolicy, callPolicy?: RetryPolicy): ResolvedRetryPolicy {
  const defaults = settings.temporal?.retry_policy;
  const matched = matchRetryPolicy(taskName, settings.workflow_task_retry_policies ?? {});
  return resolveRetryPolicy(
    defaults === undefined ? undefined : retryPolicyFromConfig(defaults, 'temporal.retry_policy'),
    taskPolicy,
    matched === undefined ? undefined : retryPolicyFromConfig(matched.policy, `workflow_task_retry_policies.${matched.pattern}`),
    callPolicy,
  );
}
