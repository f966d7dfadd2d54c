import { describe, expect, it } from 'vitest';
import { parseSettings } from '../config/index.js';
import { WorkflowApplicationError } from './errors.js';
import {
  DEFAULT_RETRY_POLICY,
  nextRetryDelay,
  requestedRetryDelay,
  matchRetryPolicy,
  resolveRetryPolicy,
  retryDelay,
  retryPolicyFromConfig,
  shouldRetry,
  taskRetryPolicy,
  type ResolvedRetryPolicy,
} from './retry.js';

describe('matchRetryPolicy', () => {
  const policies = {
    'billing.tasks.charge': 'exact',
    'tasks.charge': 'suffix-long',
    charge: 'suffix-short',
    'billing.*': 'prefix-short',
    'billing.tasks.*': 'prefix-long',
    '*': 'wildcard',
  };

  it('prefers the exact name over every other rule', () => {
    expect(matchRetryPolicy('billing.tasks.charge', policies)).toEqual({ pattern: 'billing.tasks.charge', rule: 'exact', policy: 'exact' });
  });

  it('prefers a dotted suffix over a prefix, and the longest suffix key', () => {
    expect(matchRetryPolicy('shop.tasks.charge', policies)).toEqual({ pattern: 'tasks.charge', rule: 'suffix', policy: 'suffix-long' });
    expect(matchRetryPolicy('billing.api.charge', policies)).toEqual({ pattern: 'charge', rule: 'suffix', policy: 'suffix-short' });
  });

  it('picks the longest suffix key whatever the order of the entries', () => {
    const reversed = { charge: 'short', 'tasks.charge': 'long' };
    const ordered = { 'tasks.charge': 'long', charge: 'short' };
    expect(matchRetryPolicy('a.tasks.charge', reversed)?.policy).toBe('long');
    expect(matchRetryPolicy('a.tasks.charge', ordered)?.policy).toBe('long');
  });

  it('does not treat a bare string suffix without the dot as a suffix match', () => {
    expect(matchRetryPolicy('recharge', { charge: 'suffix' })).toBeUndefined();
    expect(matchRetryPolicy('billing.recharge', { charge: 'suffix', '*': 'wildcard' })).toEqual({
      pattern: '*',
      rule: 'wildcard',
      policy: 'wildcard',
    });
  });

  it('prefers a prefix over the wildcard, and the longest prefix', () => {
    expect(matchRetryPolicy('billing.tasks.refund', policies)).toEqual({ pattern: 'billing.tasks.*', rule: 'prefix', policy: 'prefix-long' });
    expect(matchRetryPolicy('billing.invoice', policies)).toEqual({ pattern: 'billing.*', rule: 'prefix', policy: 'prefix-short' });
    const reversed = { 'billing.tasks.*': 'long', 'billing.*': 'short' };
    expect(matchRetryPolicy('billing.tasks.refund', reversed)?.policy).toBe('long');
  });

  it('matches a prefix without a dot boundary, as a plain string prefix', () => {
    expect(matchRetryPolicy('llmcall', { 'llm*': 'prefix' })).toEqual({ pattern: 'llm*', rule: 'prefix', policy: 'prefix' });
  });

  it('ignores keys with a star that is not at the end', () => {
    expect(matchRetryPolicy('billing.charge', { 'billing.*.charge': 'middle', '*charge': 'leading' })).toBeUndefined();
  });

  it('falls back to "*", and returns undefined when nothing matches', () => {
    expect(matchRetryPolicy('other.task', policies)).toEqual({ pattern: '*', rule: 'wildcard', policy: 'wildcard' });
    expect(matchRetryPolicy('other.task', { 'billing.*': 1, charge: 2 })).toBeUndefined();
    expect(matchRetryPolicy('anything', {})).toBeUndefined();
  });

  it('does not match names inherited from Object.prototype', () => {
    expect(matchRetryPolicy('toString', {})).toBeUndefined();
    expect(matchRetryPolicy('a.constructor', {})).toBeUndefined();
  });
});

describe('resolveRetryPolicy', () => {
  it('returns the defaults with no layers', () => {
    expect(resolveRetryPolicy()).toEqual({
      initialIntervalMs: 1_000,
      backoffCoefficient: 2,
      maximumIntervalMs: 100_000,
      maximumAttempts: 5,
      nonRetryableErrorTypes: [],
    });
    expect(resolveRetryPolicy(undefined, {})).toEqual(resolveRetryPolicy());
  });

  it('layers field by field, later layers winning', () => {
    const resolved = resolveRetryPolicy(
      { initialInterval: '2s', maximumAttempts: 3, nonRetryableErrorTypes: ['A'] },
      undefined,
      { backoffCoefficient: 3, maximumAttempts: 7 },
      { nonRetryableErrorTypes: ['B', 'C'] },
    );
    expect(resolved).toEqual({
      initialIntervalMs: 2_000,
      backoffCoefficient: 3,
      maximumIntervalMs: 200_000,
      maximumAttempts: 7,
      nonRetryableErrorTypes: ['B', 'C'],
    });
  });

  it('defaults maximumInterval to 100 times the final initial interval', () => {
    expect(resolveRetryPolicy({ initialInterval: 250 }).maximumIntervalMs).toBe(25_000);
    expect(resolveRetryPolicy({ initialInterval: '1s' }, { initialInterval: '3s' }).maximumIntervalMs).toBe(300_000);
  });

  it('keeps an explicit maximumInterval', () => {
    expect(resolveRetryPolicy({ initialInterval: '1s', maximumInterval: '10s' }).maximumIntervalMs).toBe(10_000);
  });

  it('copies the non-retryable types so later changes to the input do not leak in', () => {
    const types = ['A'];
    const resolved = resolveRetryPolicy({ nonRetryableErrorTypes: types });
    types.push('B');
    expect(resolved.nonRetryableErrorTypes).toEqual(['A']);
    expect(DEFAULT_RETRY_POLICY.nonRetryableErrorTypes).toEqual([]);
  });

  it.each([0.5, 0, -2, Number.NaN])('rejects backoffCoefficient %s', (value) => {
    expect(() => resolveRetryPolicy({ backoffCoefficient: value })).toThrow(new TypeError(`retryPolicy.backoffCoefficient: expected a number >= 1, got ${String(value)}`));
  });

  it('accepts backoffCoefficient 1 (constant delay)', () => {
    expect(resolveRetryPolicy({ backoffCoefficient: 1 }).backoffCoefficient).toBe(1);
  });

  it.each([-1, 1.5, Number.NaN])('rejects maximumAttempts %s', (value) => {
    expect(() => resolveRetryPolicy({ maximumAttempts: value })).toThrow(
      new TypeError(`retryPolicy.maximumAttempts: expected a whole number >= 0 (0 = unlimited), got ${String(value)}`),
    );
  });

  it('rejects maximumInterval below initialInterval, naming both', () => {
    expect(() => resolveRetryPolicy({ initialInterval: '10s', maximumInterval: '5s' })).toThrow(
      new TypeError('retryPolicy.maximumInterval: 5000 ms is less than initialInterval 10000 ms'),
    );
  });

  it('names the field of a bad duration', () => {
    expect(() => resolveRetryPolicy({ initialInterval: 'soon' })).toThrow(/^retryPolicy\.initialInterval: .*got "soon"$/);
    expect(() => resolveRetryPolicy({ maximumInterval: -1 })).toThrow(/^retryPolicy\.maximumInterval: /);
  });
});

describe('retryDelay', () => {
  const policy: ResolvedRetryPolicy = {
    initialIntervalMs: 100,
    backoffCoefficient: 2,
    maximumIntervalMs: 1_000,
    maximumAttempts: 0,
    nonRetryableErrorTypes: [],
  };

  it('grows exponentially from the initial interval', () => {
    expect([1, 2, 3, 4].map((attempt) => retryDelay(policy, attempt))).toEqual([100, 200, 400, 800]);
  });

  it('is capped at the maximum interval', () => {
    expect(retryDelay(policy, 5)).toBe(1_000);
    expect(retryDelay(policy, 50)).toBe(1_000);
  });

  it('stays constant with coefficient 1', () => {
    expect(retryDelay({ ...policy, backoffCoefficient: 1 }, 9)).toBe(100);
  });

  it('follows the default policy: 1 s doubling up to 100 s', () => {
    expect(retryDelay(DEFAULT_RETRY_POLICY, 1)).toBe(1_000);
    expect(retryDelay(DEFAULT_RETRY_POLICY, 7)).toBe(64_000);
    expect(retryDelay(DEFAULT_RETRY_POLICY, 8)).toBe(100_000);
  });
});

describe('shouldRetry', () => {
  const error = new Error('boom');

  it('retries until maximumAttempts attempts were made', () => {
    const policy = resolveRetryPolicy({ maximumAttempts: 3 });
    expect(shouldRetry(policy, error, 1)).toBe(true);
    expect(shouldRetry(policy, error, 2)).toBe(true);
    expect(shouldRetry(policy, error, 3)).toBe(false);
  });

  it('never retries with maximumAttempts 1', () => {
    expect(shouldRetry(resolveRetryPolicy({ maximumAttempts: 1 }), error, 1)).toBe(false);
  });

  it('retries without limit with maximumAttempts 0', () => {
    expect(shouldRetry(resolveRetryPolicy({ maximumAttempts: 0 }), error, 1_000_000)).toBe(true);
  });

  it('never retries a non-retryable WorkflowApplicationError', () => {
    const policy = resolveRetryPolicy({ maximumAttempts: 0 });
    expect(shouldRetry(policy, WorkflowApplicationError.nonRetryable('bad input', 'ValidationError'), 1)).toBe(false);
    expect(shouldRetry(policy, new WorkflowApplicationError('try again', { type: 'ValidationError' }), 1)).toBe(true);
  });

  it('never retries an error whose WorkflowApplicationError type is listed', () => {
    const policy = resolveRetryPolicy({ nonRetryableErrorTypes: ['CardDeclined'] });
    expect(shouldRetry(policy, new WorkflowApplicationError('declined', { type: 'CardDeclined' }), 1)).toBe(false);
    expect(shouldRetry(policy, new WorkflowApplicationError('timeout', { type: 'GatewayTimeout' }), 1)).toBe(true);
  });

  it('never retries an error whose name is listed', () => {
    class QuotaExceeded extends Error {
      override name = 'QuotaExceeded';
    }
    const policy = resolveRetryPolicy({ nonRetryableErrorTypes: ['QuotaExceeded', 'TypeError'] });
    expect(shouldRetry(policy, new QuotaExceeded('no'), 1)).toBe(false);
    expect(shouldRetry(policy, new TypeError('no'), 1)).toBe(false);
    expect(shouldRetry(policy, new RangeError('yes'), 1)).toBe(true);
    expect(shouldRetry(policy, { name: 'QuotaExceeded', message: 'plain object' }, 1)).toBe(false);
  });

  it('matches a WorkflowApplicationError by its type, not its class name', () => {
    const policy = resolveRetryPolicy({ nonRetryableErrorTypes: ['WorkflowApplicationError'] });
    expect(shouldRetry(policy, new WorkflowApplicationError('x', { type: 'Other' }), 1)).toBe(true);
    expect(shouldRetry(policy, new WorkflowApplicationError('x'), 1)).toBe(false);
  });
});

describe('retryPolicyFromConfig', () => {
  it('converts seconds to milliseconds and renames fields', () => {
    expect(
      retryPolicyFromConfig({
        initial_interval: 1.5,
        maximum_interval: 30,
        backoff_coefficient: 3,
        maximum_attempts: 4,
        non_retryable_error_types: ['A'],
      }),
    ).toEqual({ initialInterval: 1_500, maximumInterval: 30_000, backoffCoefficient: 3, maximumAttempts: 4, nonRetryableErrorTypes: ['A'] });
  });

  it('converts duration strings', () => {
    expect(retryPolicyFromConfig({ initial_interval: '500ms', maximum_interval: '2 minutes' })).toEqual({
      initialInterval: 500,
      maximumInterval: 120_000,
    });
  });

  it('leaves unset fields unset, so they do not override earlier layers', () => {
    expect(retryPolicyFromConfig({})).toEqual({});
    expect(Object.keys(retryPolicyFromConfig({ maximum_attempts: 0 }))).toEqual(['maximumAttempts']);
  });

  it('converts every duration the config schema accepts', () => {
    const settings = parseSettings({ temporal: { retry_policy: { initial_interval: '.5s', maximum_interval: '1.5 minutes' } } });
    const config = settings.temporal?.retry_policy;
    expect(config).toBeDefined();
    expect(retryPolicyFromConfig(config ?? {})).toEqual({ initialInterval: 500, maximumInterval: 90_000 });
  });

  it('names the config path of a bad value', () => {
    expect(() => retryPolicyFromConfig({ initial_interval: 'soon' }, 'temporal.retry_policy')).toThrow(/^temporal\.retry_policy\.initial_interval: .*got "soon"$/);
    expect(() => retryPolicyFromConfig({ maximum_interval: 'never' })).toThrow(/^retry_policy\.maximum_interval: /);
  });
});

describe('taskRetryPolicy', () => {
  it('uses the defaults with no settings', () => {
    expect(taskRetryPolicy('any.task', {})).toEqual(resolveRetryPolicy());
  });

  it('layers default < temporal.retry_policy < task policy < matched config entry < call policy', () => {
    const settings = {
      temporal: { retry_policy: { initial_interval: 2, backoff_coefficient: 3, maximum_attempts: 10, non_retryable_error_types: ['FromTemporal'] } },
      workflow_task_retry_policies: {
        'billing.*': { maximum_attempts: 4 },
        'tasks.charge': { maximum_attempts: 6, initial_interval: '4s' },
      },
    };
    const resolved = taskRetryPolicy('billing.tasks.charge', settings, { backoffCoefficient: 5, maximumAttempts: 8, initialInterval: '3s' }, { initialInterval: '5s' });
    expect(resolved).toEqual({
      initialIntervalMs: 5_000, // call policy beats the matched entry's 4s, the task's 3s and temporal's 2s
      backoffCoefficient: 5, // task policy beats temporal
      maximumIntervalMs: 500_000, // default: 100 x the final initial interval
      maximumAttempts: 6, // matched entry ("tasks.charge", a suffix, beats "billing.*") beats the task policy
      nonRetryableErrorTypes: ['FromTemporal'], // temporal beats the default
    });
  });

  it('lets the config entry override the task policy so operators can tune without a code change', () => {
    const settings = { workflow_task_retry_policies: { fetch_page: { maximum_attempts: 2 } } };
    expect(taskRetryPolicy('crawler.fetch_page', settings, { maximumAttempts: 9 }).maximumAttempts).toBe(2);
    expect(taskRetryPolicy('crawler.parse', settings, { maximumAttempts: 9 }).maximumAttempts).toBe(9);
  });

  it('names the matched config entry in a conversion error', () => {
    const settings = { workflow_task_retry_policies: { 'llm.*': { initial_interval: 'eventually' } } };
    expect(() => taskRetryPolicy('llm.complete', settings)).toThrow(/^workflow_task_retry_policies\.llm\.\*\.initial_interval: /);
  });

  it('validates the merged result', () => {
    const settings = { temporal: { retry_policy: { maximum_interval: 10 } } };
    expect(() => taskRetryPolicy('t', settings, { initialInterval: '30s' })).toThrow('retryPolicy.maximumInterval: 10000 ms is less than initialInterval 30000 ms');
  });
});

describe('nextRetryDelay', () => {
  const policy = resolveRetryPolicy({ initialInterval: 100, backoffCoefficient: 2, maximumInterval: 1_000 });

  it('waits as long as a rate limit asks when that is longer than the backoff', () => {
    const rateLimited = new WorkflowApplicationError('429', { details: [{ retryAfterMilliseconds: 700 }] });
    expect(requestedRetryDelay(rateLimited)).toBe(700);
    expect(nextRetryDelay(policy, rateLimited, 1)).toBe(700);
  });

  it('keeps the backoff when it is longer, and caps a request at twice the maximum interval', () => {
    expect(nextRetryDelay(policy, new WorkflowApplicationError('429', { details: [{ retryAfterMilliseconds: 10 }] }), 3)).toBe(400);
    expect(nextRetryDelay(policy, new WorkflowApplicationError('429', { details: [{ retryAfterMilliseconds: 3_600_000 }] }), 1)).toBe(2_000);
  });

  it('uses the backoff for failures that ask nothing', () => {
    expect(requestedRetryDelay(new Error('boom'))).toBeUndefined();
    expect(nextRetryDelay(policy, new Error('boom'), 2)).toBe(200);
  });
});
