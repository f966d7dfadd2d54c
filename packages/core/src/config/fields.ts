/**
 * Field builders for config sections: each writes its own messages, naming the received value and
 * what is allowed. Core's sections use them, and so do the sections that engine and provider
 * packages contribute (`registerConfigSection`), so every section words its errors alike.
 *
 * Numbers and booleans also accept their string spellings (`"7233"`, `"true"`), so values that
 * come from `${ENV_VAR}` interpolation validate like the values they stand for.
 */
import { z } from 'zod';
import { toMilliseconds } from '../sandbox/duration.js';
import { describeValue, listValues, unknownKeysMessage } from './messages.js';

/** Something a per-schema `error` function can read from an issue. */
export interface IssueInput {
  readonly input?: unknown;
}

/** A decimal number written as a string, such as `"7233"`, `"0.5"` or `"1e3"`. */
const NUMERIC_STRING = /^\s*[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?\s*$/;

/** What a number field allows. */
export interface NumberRule {
  /** Whole numbers only. */
  readonly integer?: boolean;
  /** The smallest allowed value. */
  readonly minimum?: number;
  /** When true, `minimum` itself is not allowed. */
  readonly exclusiveMinimum?: boolean;
  /** The largest allowed value, inclusive. */
  readonly maximum?: number;
  /** The noun used in messages; defaults to "number" or "integer". */
  readonly noun?: string;
  /** A note appended to range messages, such as "0 means unlimited". */
  readonly note?: string;
}

/** "a positive integer", "an integer from 1 to 65535", "a number >= 1", ... */
function describeNumberRule(rule: NumberRule): string {
  const noun = rule.noun ?? (rule.integer === true ? 'integer' : 'number');
  const article = /^[aeiou]/.test(noun) ? 'an' : 'a';
  if (rule.minimum !== undefined && rule.maximum !== undefined && rule.exclusiveMinimum !== true) {
    return `${article} ${noun} from ${rule.minimum} to ${rule.maximum}`;
  }
  if (rule.minimum === 0 && rule.exclusiveMinimum === true) return `a positive ${noun}`;
  const bounds: string[] = [];
  if (rule.minimum !== undefined) bounds.push(`${rule.exclusiveMinimum === true ? '>' : '>='} ${rule.minimum}`);
  if (rule.maximum !== undefined) bounds.push(`<= ${rule.maximum}`);
  return [`${article} ${noun}`, ...bounds].join(' ');
}

function satisfiesNumberRule(rule: NumberRule, value: number): boolean {
  if (rule.integer === true && !Number.isInteger(value)) return false;
  if (rule.minimum !== undefined && (rule.exclusiveMinimum === true ? value <= rule.minimum : value < rule.minimum)) return false;
  return rule.maximum === undefined || value <= rule.maximum;
}

/**
 * A number field: accepts a number or a numeric string (converted), then checks the rule.
 * Type errors read `expected a number, got "abc"`; range errors name the allowed range.
 */
export function numberSetting(rule: NumberRule = {}) {
  const notNumber = (issue: IssueInput) => `expected a number, got ${describeValue(issue.input)}`;
  const outOfRange = (issue: IssueInput) => `expected ${describeNumberRule(rule)}${rule.note === undefined ? '' : ` (${rule.note})`}, got ${describeValue(issue.input)}`;
  return z
    .union([z.number({ error: notNumber }), z.string().regex(NUMERIC_STRING, { error: notNumber }).transform(Number)], {
      error: notNumber,
    })
    .pipe(z.number({ error: notNumber }).refine((value) => satisfiesNumberRule(rule, value), { error: outOfRange }));
}

const BOOLEAN_WORDS = new Map<string, boolean>([
  ['true', true],
  ['yes', true],
  ['on', true],
  ['1', true],
  ['false', false],
  ['no', false],
  ['off', false],
  ['0', false],
]);

/** A boolean field: accepts `true`/`false` and the words `"true"`, `"yes"`, `"on"`, `"1"` and their opposites. */
export function booleanSetting() {
  const notBoolean = (issue: IssueInput) => `expected true or false, got ${describeValue(issue.input)}`;
  return z.union(
    [
      z.boolean({ error: notBoolean }),
      z
        .string()
        .refine((word) => BOOLEAN_WORDS.has(word.trim().toLowerCase()), { error: notBoolean })
        .transform((word) => BOOLEAN_WORDS.get(word.trim().toLowerCase()) === true),
    ],
    { error: notBoolean },
  );
}

/** An enum field whose message lists the allowed values and the received one. */
export function enumSetting<const Values extends readonly [string, ...string[]]>(values: Values) {
  return z.enum(values, { error: (issue: IssueInput) => `expected one of ${listValues(values)}, got ${describeValue(issue.input)}` });
}

/** A string-valued map entry that also accepts numbers and booleans, converted to strings (`PORT: 8080`). */
export const StringLikeSchema = z.union([z.string(), z.number().transform(String), z.boolean().transform(String)], {
  error: (issue: IssueInput) => `expected a string, got ${describeValue(issue.input)}`,
});

/** A mapping that rejects unknown keys, suggesting the closest allowed key. */
export function strictSection<Shape extends z.core.$ZodLooseShape>(shape: Shape) {
  const allowed = Object.keys(shape);
  return z.strictObject(shape, {
    error: (issue) => {
      if (issue.code === 'unrecognized_keys') return unknownKeysMessage(issue.keys, allowed);
      if (issue.code === 'invalid_type') return `expected a mapping with keys ${listValues(allowed)}, got ${describeValue(issue.input)}`;
      return undefined;
    },
  });
}

export const positiveInteger = () => numberSetting({ integer: true, minimum: 0, exclusiveMinimum: true });
export const positiveNumber = () => numberSetting({ minimum: 0, exclusiveMinimum: true });

// ---------------------------------------------------------------------------------------------
// Durations: one parser (`toMilliseconds`, the one workflow code uses) for code and config alike.
// ---------------------------------------------------------------------------------------------

const DURATION_EXPECTATION = 'a number of seconds or a duration like "500ms", "2s", "5 minutes", "1h" or "2 days"';

/** True when `value` is a duration string `toMilliseconds` reads. */
function isDurationString(value: string): boolean {
  try {
    toMilliseconds(value);
    return true;
  } catch {
    return false;
  }
}

/**
 * A duration: a number of seconds (>= 0) or a string such as `"500ms"`, `"2s"`, `"5 minutes"`,
 * `"1h"`, `"2 days"` (the units workflow code's `sleep('...')` takes). The value is kept as
 * written; `secondsOrDurationToMilliseconds` converts it.
 *
 * @example
 * ```ts
 * DurationSchema.parse('5 minutes'); // '5 minutes'
 * DurationSchema.parse(1.5);         // 1.5 (seconds)
 * ```
 */
export const DurationSchema = z.union(
  [
    numberSetting({ minimum: 0, noun: 'number of seconds' }),
    z.string().refine(isDurationString, {
      error: (issue: IssueInput) => `expected ${DURATION_EXPECTATION}, got ${describeValue(issue.input)}`,
    }),
  ],
  { error: (issue: IssueInput) => `expected ${DURATION_EXPECTATION}, got ${describeValue(issue.input)}` },
);

/**
 * A duration as written in the config: seconds as a number, or a string like `"2s"`.
 *
 * @example
 * ```ts
 * const interval: DurationSetting = '500ms';
 * ```
 */
export type DurationSetting = z.infer<typeof DurationSchema>;

/** An absolute `http://` or `https://` URL. */
export function httpUrlSetting(example: string) {
  const problem = (issue: IssueInput) => `expected an absolute http:// or https:// URL such as "${example}", got ${describeValue(issue.input)}`;
  return z.string({ error: problem }).refine((url) => URL.canParse(url) && /^https?:$/.test(new URL(url).protocol), { error: problem });
}
