/**
 * `${ENV_VAR}` interpolation inside the string values of a settings file.
 *
 * Internal to the config module; `loadSettings` applies it to the config and secrets files.
 */

import type { SettingsProblem } from './messages.js';
import { isPlainObject, setOwn, type SettingsTree } from './tree.js';

/**
 * `${NAME}`, `${NAME:-default}` and the escaped `$${...}`. The first group is the escaping `$`,
 * the second the variable name, the third the default (which may not contain `}`).
 */
const REFERENCE_PATTERN = /\$(\$?)\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/** The outcome of interpolating one string. */
type InterpolatedString = { readonly value: string } | { readonly missing: readonly string[] };

/**
 * Replaces every reference in `text`. `${NAME}` takes the variable's value (an empty value
 * counts as set); `${NAME:-default}` takes the default when the variable is unset or empty;
 * `$${NAME}` is the literal text `${NAME}`. Reports the names of unset variables without a default.
 *
 * @example
 * ```ts
 * interpolateString('${HOST:-localhost}:7233', {}); // { value: 'localhost:7233' }
 * ```
 */
export function interpolateString(text: string, environment: Readonly<Record<string, string | undefined>>): InterpolatedString {
  const missing: string[] = [];
  const value = text.replace(REFERENCE_PATTERN, (reference: string, escaping: string, name: string, fallback: string | undefined) => {
    if (escaping === '$') return reference.slice(1);
    const variable = environment[name];
    if (fallback !== undefined) return variable === undefined || variable === '' ? fallback : variable;
    if (variable === undefined) {
      missing.push(name);
      return '';
    }
    return variable;
  });
  return missing.length > 0 ? { missing } : { value };
}

/** Marks a mapping value whose interpolation left it unset. */
const ABSENT = Symbol('absent');

function interpolateValue(value: unknown, environment: Readonly<Record<string, string | undefined>>, path: readonly PropertyKey[], problems: SettingsProblem[]): unknown {
  if (typeof value === 'string') {
    const result = interpolateString(value, environment);
    return 'value' in result ? result.value : ABSENT;
  }
  if (Array.isArray(value)) {
    return value.map((item: unknown, index) => {
      if (typeof item !== 'string') return interpolateValue(item, environment, [...path, index], problems);
      const result = interpolateString(item, environment);
      if ('value' in result) return result.value;
      problems.push({
        path: [...path, index],
        message:
          `environment variable ${result.missing.join(', ')} is not set and has no default, and a list item can't be left out; ` +
          `set it, or give a default such as \${${result.missing[0] ?? 'NAME'}:-}`,
      });
      return item;
    });
  }
  if (isPlainObject(value)) {
    const copy: SettingsTree = {};
    for (const [key, child] of Object.entries(value)) {
      const interpolated = interpolateValue(child, environment, [...path, key], problems);
      if (interpolated !== ABSENT) setOwn(copy, key, interpolated);
    }
    return copy;
  }
  return value;
}

/**
 * Interpolates every string value of a tree. A mapping value that refers to an unset variable
 * without default is removed, so schema defaults and required-key rules apply as if it were not
 * written. Inside a list that would shift the other items, so it is reported as a problem instead.
 *
 * @example
 * ```ts
 * interpolateTree({ openai: { api_key: '${OPENAI_KEY}' } }, {}).tree; // { openai: {} }
 * ```
 */
export function interpolateTree(
  tree: SettingsTree,
  environment: Readonly<Record<string, string | undefined>>,
): { readonly tree: SettingsTree; readonly problems: readonly SettingsProblem[] } {
  const problems: SettingsProblem[] = [];
  const interpolated = interpolateValue(tree, environment, [], problems);
  return { tree: isPlainObject(interpolated) ? interpolated : {}, problems };
}
