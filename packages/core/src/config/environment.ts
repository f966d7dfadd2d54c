/**
 * Settings taken from environment variables, following the Python project (pydantic-settings with
 * `__` as the nested delimiter and no prefix): `TEMPORAL__PORT=7234` sets `temporal.port`.
 *
 * Internal to the config module; `loadSettings` applies these after reading the files.
 */

import { parse as parseYaml } from 'yaml';
import { describeValue, formatPath, type SettingsProblem } from './messages.js';
import { registeredConfigSections } from './schema.js';
import { getOwn, isPlainObject, mergeTrees, setOwn, type SettingsTree, type ValueOrigins } from './tree.js';

/** The top-level keys an environment variable may set, lowercase. */
/** Core's sections that environment variables may set; the sections packages registered may be set too. */
const CORE_OVERRIDABLE_KEYS: ReadonlySet<string> = new Set(['execution_engine', 'temporal', 'logger', 'mcp', 'otel', 'workflow_task_modules']);

function overridable(key: string): boolean {
  return CORE_OVERRIDABLE_KEYS.has(key) || registeredConfigSections().has(key);
}

/** Provider API keys read from their conventional variables when the files don't set one. */
const PROVIDER_KEY_VARIABLES: ReadonlyArray<readonly [section: string, variable: string]> = [
  ['openai', 'OPENAI_API_KEY'],
  ['anthropic', 'ANTHROPIC_API_KEY'],
];

/**
 * Variables read by `loadSettings`; `process.env` by default.
 *
 * @example
 * ```ts
 * const environment: Environment = { TEMPORAL__PORT: '7234' };
 * ```
 */
export type Environment = Readonly<Record<string, string | undefined>>;

/**
 * Parses an environment value: JSON when it starts with `[` or `{`; otherwise a YAML scalar, so
 * `7234` is a number and `true` a boolean, while a quoted value (`"0123"`) stays a string and
 * anything else is kept as written.
 *
 * @example
 * ```ts
 * parseEnvironmentValue('7234');     // 7234
 * parseEnvironmentValue('["a","b"]'); // ['a', 'b']
 * parseEnvironmentValue('"0123"');   // '0123'
 * ```
 */
export function parseEnvironmentValue(text: string): { readonly value: unknown } | { readonly problem: string } {
  const trimmed = text.trim();
  if (trimmed.startsWith('[') || trimmed.startsWith('{')) {
    try {
      return { value: JSON.parse(trimmed) as unknown };
    } catch (error) {
      return { problem: `is not valid JSON (${error instanceof Error ? error.message : String(error)})` };
    }
  }
  const quoted = /^(["']).*\1$/s.test(trimmed);
  let scalar: unknown;
  try {
    scalar = parseYaml(trimmed);
  } catch {
    return { value: text };
  }
  if (typeof scalar === 'boolean' || (typeof scalar === 'number' && Number.isFinite(scalar))) return { value: scalar };
  if (quoted && typeof scalar === 'string') return { value: scalar };
  return { value: text };
}

/** The key of `tree` equal to `key` ignoring case, preferring an exact match; else `key`. */
function matchingKey(tree: SettingsTree, key: string): string {
  if (Object.hasOwn(tree, key)) return key;
  return Object.keys(tree).find((candidate) => candidate.toLowerCase() === key) ?? key;
}

/**
 * Fills `openai.api_key` from `OPENAI_API_KEY` and `anthropic.api_key` from `ANTHROPIC_API_KEY`
 * when the files leave them unset, creating the section if needed. Empty variables are ignored.
 * Changes `tree` in place.
 *
 * @example
 * ```ts
 * const tree = {};
 * applyProviderKeyVariables(tree, { OPENAI_API_KEY: 'sk-1' }, new ValueOrigins()); // tree: { openai: { api_key: 'sk-1' } }
 * ```
 */
export function applyProviderKeyVariables(tree: SettingsTree, environment: Environment, origins: ValueOrigins): void {
  for (const [section, variable] of PROVIDER_KEY_VARIABLES) {
    const apiKey = environment[variable];
    if (apiKey === undefined || apiKey === '') continue;
    const existing = getOwn(tree, section);
    if (existing === undefined) {
      setOwn(tree, section, { api_key: apiKey });
    } else if (isPlainObject(existing) && getOwn(existing, 'api_key') === undefined) {
      setOwn(existing, 'api_key', apiKey);
    } else {
      continue;
    }
    origins.recordTree([section, 'api_key'], apiKey, `environment variable ${variable}`);
  }
}

/**
 * Applies every variable named `<KEY>` or `<KEY>__<NESTED>__...` whose first part (lowercase) is
 * a top-level key of core or of a section a package registered. Shorter paths apply first, so `TEMPORAL={"port":1}` followed by
 * `TEMPORAL__HOST=x` both take effect. A mapping value merges into the existing mapping; other
 * values replace. Nested keys match existing ones ignoring case (`MCP__SERVERS__FETCH__COMMAND`
 * reaches a server written `Fetch`). Empty variables are ignored.
 *
 * Changes `tree` in place.
 *
 * @returns problems such as invalid JSON or a path through a value that is not a mapping.
 * @example
 * ```ts
 * const tree = { temporal: { host: 'localhost' } };
 * applyEnvironmentOverrides(tree, { TEMPORAL__PORT: '7234' }, new ValueOrigins()); // tree.temporal.port === 7234
 * ```
 */
export function applyEnvironmentOverrides(tree: SettingsTree, environment: Environment, origins: ValueOrigins): SettingsProblem[] {
  const overrides: Array<{ readonly variable: string; readonly path: readonly string[]; readonly text: string }> = [];
  for (const [variable, text] of Object.entries(environment)) {
    if (text === undefined || text === '') continue;
    const path = variable.toLowerCase().split('__');
    const [topLevelKey] = path;
    if (topLevelKey === undefined || !overridable(topLevelKey) || path.some((part) => part === '')) continue;
    overrides.push({ variable, path, text });
  }
  overrides.sort((left, right) => left.path.length - right.path.length || left.variable.localeCompare(right.variable));

  const problems: SettingsProblem[] = [];
  for (const { variable, path, text } of overrides) {
    const parsed = parseEnvironmentValue(text);
    if ('problem' in parsed) {
      problems.push({ path, message: `environment variable ${variable} ${parsed.problem}` });
      continue;
    }
    let parent = tree;
    const actualPath: string[] = [];
    let blocked = false;
    let createdPath: string[] | undefined;
    for (const [index, part] of path.entries()) {
      const key = matchingKey(parent, part);
      actualPath.push(key);
      if (index === path.length - 1) {
        setOwn(parent, key, mergeTrees(getOwn(parent, key), parsed.value));
        break;
      }
      const child = getOwn(parent, key);
      if (child === undefined || child === null) {
        const created: SettingsTree = {};
        setOwn(parent, key, created);
        createdPath ??= [...actualPath];
        parent = created;
      } else if (isPlainObject(child)) {
        parent = child;
      } else {
        problems.push({
          path: actualPath,
          message: `environment variable ${variable} sets ${formatPath(path)}, but ${formatPath(actualPath)} is ${describeValue(child)}, not a mapping`,
        });
        blocked = true;
        break;
      }
    }
    if (blocked) continue;
    // A mapping this variable created came from it too, so problems reported on it name the variable.
    if (createdPath !== undefined) origins.recordTree(createdPath, undefined, `environment variable ${variable}`);
    origins.recordTree(actualPath, parsed.value, `environment variable ${variable}`);
  }
  return problems;
}
