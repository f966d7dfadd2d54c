/**
 * Wording of configuration problems: how a received value is described, how an issue path is
 * printed and how zod issues become `path: message` lines inside a {@link ConfigError}.
 *
 * Internal to the config module; the public surface is `parseSettings` and `loadSettings`.
 */

import type { z } from 'zod';
import { ConfigError } from '../sandbox/errors.js';

/** The longest string quoted verbatim in a message; longer ones are cut with an ellipsis. */
const QUOTED_STRING_LIMIT = 60;

/**
 * Describes a received value for an error message: strings quoted, numbers and booleans as
 * written, containers by kind.
 *
 * @example
 * ```ts
 * describeValue('abc'); // '"abc"'
 * describeValue([1]);   // 'a list'
 * ```
 */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (typeof value === 'string') {
    const shown = value.length > QUOTED_STRING_LIMIT ? `${value.slice(0, QUOTED_STRING_LIMIT)}…` : value;
    return JSON.stringify(shown);
  }
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (value instanceof Date) return `a date (${Number.isNaN(value.getTime()) ? 'invalid' : value.toISOString().slice(0, 10)})`;
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return typeof value;
}

/**
 * Lists values for a message, strings quoted; `conjunction` defaults to `or`.
 *
 * @example
 * ```ts
 * listValues(['a', 'b', 'c']); // '"a", "b" or "c"'
 * ```
 */
export function listValues(values: readonly unknown[], conjunction = 'or'): string {
  const shown = values.map((value) => (typeof value === 'string' ? JSON.stringify(value) : String(value)));
  if (shown.length <= 1) return shown.join('');
  return `${shown.slice(0, -1).join(', ')} ${conjunction} ${shown[shown.length - 1]}`;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/**
 * Prints an issue path the way a reader finds the key in YAML: dotted names, `[0]` for list
 * items and `["a.b"]` for keys that contain dots or other punctuation. The empty path is `(root)`.
 *
 * @example
 * ```ts
 * formatPath(['workflow_task_retry_policies', 'my.task', 'maximum_attempts']);
 * // 'workflow_task_retry_policies["my.task"].maximum_attempts'
 * ```
 */
export function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(root)';
  let text = '';
  for (const key of path) {
    if (typeof key === 'number') text += `[${key}]`;
    else if (typeof key === 'string' && IDENTIFIER.test(key)) text += text === '' ? key : `.${key}`;
    else text += `[${JSON.stringify(String(key))}]`;
  }
  return text;
}

const EXPECTED_TYPE_NAMES: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'true or false',
  array: 'a list',
  tuple: 'a list',
  object: 'a mapping',
  record: 'a mapping',
  map: 'a mapping',
};

/** The received value of a raw issue, including the NaN and Infinity zod reports separately. */
function receivedOf(issue: z.core.$ZodRawIssue): string {
  const received = (issue as { received?: unknown }).received;
  if (typeof received === 'string' && (issue.input === null || issue.input === undefined)) return received;
  return describeValue(issue.input);
}

/**
 * Edit distance between two words, used to suggest the key a typo meant.
 */
function editDistance(left: string, right: string): number {
  let previous = Array.from({ length: right.length + 1 }, (_, index) => index);
  for (let row = 1; row <= left.length; row++) {
    const current = [row];
    for (let column = 1; column <= right.length; column++) {
      const substitution = (previous[column - 1] ?? 0) + (left[row - 1] === right[column - 1] ? 0 : 1);
      current.push(Math.min((previous[column] ?? 0) + 1, (current[column - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[right.length] ?? 0;
}

/**
 * The allowed key closest to a misspelt one, when it is close enough to be a likely typo: the
 * first allowed key that starts with it (`client_cert` → `client_cert_path`), else the nearest by
 * edit distance.
 *
 * @example
 * ```ts
 * closestKey('maximum_attemps', ['maximum_attempts', 'initial_interval']); // 'maximum_attempts'
 * ```
 */
export function closestKey(key: string, allowed: readonly string[]): string | undefined {
  const lowerKey = key.toLowerCase();
  const extended = allowed.find((candidate) => lowerKey.length >= 3 && candidate.toLowerCase().startsWith(lowerKey));
  if (extended !== undefined) return extended;
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of allowed) {
    const distance = editDistance(lowerKey, candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(key.length / 4)) ? best : undefined;
}

/**
 * Message for unknown keys in a mapping that allows only `allowed`, with a "did you mean" hint.
 *
 * @example
 * ```ts
 * unknownKeysMessage(['maximum_attemps'], ['maximum_attempts']);
 * // 'unknown key "maximum_attemps" (did you mean "maximum_attempts"?); allowed keys: "maximum_attempts"'
 * ```
 */
export function unknownKeysMessage(keys: readonly string[], allowed: readonly string[]): string {
  const described = keys.map((key) => {
    const suggestion = closestKey(key, allowed);
    return suggestion === undefined ? JSON.stringify(key) : `${JSON.stringify(key)} (did you mean ${JSON.stringify(suggestion)}?)`;
  });
  const noun = keys.length === 1 ? 'unknown key' : 'unknown keys';
  return `${noun} ${described.join(', ')}; allowed keys: ${listValues(allowed)}`;
}

/**
 * The zod error map used when validating settings: every message says what was expected and
 * quotes what was received. Schemas that need more specific wording set their own `error`,
 * which takes precedence over this map.
 *
 * @example
 * ```ts
 * settingsSchema().safeParse(raw, { error: settingsErrorMap });
 * ```
 */
export function settingsErrorMap(issue: z.core.$ZodRawIssue): string {
  const received = receivedOf(issue);
  switch (issue.code) {
    case 'invalid_type': {
      const expected = EXPECTED_TYPE_NAMES[issue.expected] ?? issue.expected;
      if (issue.input === undefined && (issue as { received?: unknown }).received === undefined) {
        return `missing; expected ${expected}`;
      }
      return `expected ${expected}, got ${received}`;
    }
    case 'invalid_value':
      return issue.values.length === 1 ? `expected ${listValues(issue.values)}, got ${received}` : `expected one of ${listValues(issue.values)}, got ${received}`;
    case 'too_small': {
      const bound = `${issue.inclusive === false ? '>' : '>='} ${String(issue.minimum)}`;
      if (issue.origin === 'string') return `expected at least ${String(issue.minimum)} characters, got ${received}`;
      if (issue.origin === 'array' || issue.origin === 'set') return `expected at least ${String(issue.minimum)} items`;
      return `expected a number ${bound}, got ${received}`;
    }
    case 'too_big': {
      const bound = `${issue.inclusive === false ? '<' : '<='} ${String(issue.maximum)}`;
      if (issue.origin === 'string') return `expected at most ${String(issue.maximum)} characters, got ${received}`;
      if (issue.origin === 'array' || issue.origin === 'set') return `expected at most ${String(issue.maximum)} items`;
      return `expected a number ${bound}, got ${received}`;
    }
    case 'invalid_format':
      return issue.format === 'regex' && issue.pattern !== undefined
        ? `expected a string matching ${issue.pattern}, got ${received}`
        : `expected a ${issue.format} string, got ${received}`;
    case 'unrecognized_keys':
      return issue.keys.length === 1 ? `unknown key ${JSON.stringify(issue.keys[0])}` : `unknown keys ${listValues(issue.keys, 'and')}`;
    case 'invalid_key':
      return `invalid key ${received}`;
    case 'invalid_union':
      return `unexpected value ${received}`;
    default:
      return `invalid value ${received}`;
  }
}

/**
 * One validation problem, before it is printed.
 *
 * @example
 * ```ts
 * const problem: SettingsProblem = { path: ['temporal', 'port'], message: 'expected a number, got "abc"' };
 * ```
 */
export interface SettingsProblem {
  /** Where the problem is, as zod reports it. */
  readonly path: readonly PropertyKey[];
  /** What is wrong. */
  readonly message: string;
}

/**
 * Prints problems as `path: message` lines, appending `(from …)` when `originOf` says a value came
 * from somewhere other than the main file (secrets, environment, overrides).
 *
 * @example
 * ```ts
 * formatProblems([{ path: ['temporal', 'port'], message: 'expected a number, got "abc"' }]);
 * // ['temporal.port: expected a number, got "abc"']
 * ```
 */
export function formatProblems(problems: readonly SettingsProblem[], originOf: (path: readonly PropertyKey[]) => string | undefined = () => undefined): string[] {
  return problems.map((problem) => {
    const origin = originOf(problem.path);
    return `${formatPath(problem.path)}: ${problem.message}${origin === undefined ? '' : ` (from ${origin})`}`;
  });
}

/**
 * Builds the {@link ConfigError} for a list of issue lines: every line of the message starts with
 * `source`, so it reads like compiler output.
 *
 * @example
 * ```ts
 * configErrorFor('mcp_agent.config.yaml', ['temporal.port: expected a number, got "abc"']).message;
 * // 'mcp_agent.config.yaml: temporal.port: expected a number, got "abc"'
 * ```
 */
export function configErrorFor(source: string, issues: readonly string[]): ConfigError {
  const message = issues.length === 0 ? `${source}: invalid settings` : issues.map((issue) => `${source}: ${issue}`).join('\n');
  return new ConfigError(message, issues);
}
