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

/** The fix for an unset variable, with the default syntax. */
function unsetMessage(missing: readonly string[]): string {
  const names = missing.join(', ');
  const plural = missing.length > 1;
  return (
    `environment variable${plural ? 's' : ''} ${names} ${plural ? 'are' : 'is'} not set and ${plural ? 'have' : 'has'} no default; ` +
    `set ${plural ? 'them' : 'it'}, or give a default such as \${${missing[0] ?? 'NAME'}:-default} (\${${missing[0] ?? 'NAME'}:-} for an empty value)`
  );
}

function interpolateValue(value: unknown, environment: Readonly<Record<string, string | undefined>>, path: readonly PropertyKey[], problems: SettingsProblem[]): unknown {
  if (typeof value === 'string') {
    const result = interpolateString(value, environment);
    if ('value' in result) return result.value;
    problems.push({ path, message: unsetMessage(result.missing) });
    return value;
  }
  if (Array.isArray(value)) {
    return value.map((item: unknown, index) => interpolateValue(item, environment, [...path, index], problems));
  }
  if (isPlainObject(value)) {
    const copy: SettingsTree = {};
    for (const [key, child] of Object.entries(value)) setOwn(copy, key, interpolateValue(child, environment, [...path, key], problems));
    return copy;
  }
  return value;
}

/**
 * Interpolates every string value of a tree. A value that refers to an unset variable without
 * default is a problem naming the variable and the setting: left unset, the setting would fall
 * back to its default (another server, no API key) without a word.
 *
 * @example
 * ```ts
 * interpolateTree({ openai: { api_key: '${OPENAI_KEY}' } }, {}).problems;
 * // [{ path: ['openai', 'api_key'], message: 'environment variable OPENAI_KEY is not set and has no default; ...' }]
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
