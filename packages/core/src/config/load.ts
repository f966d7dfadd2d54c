/**
 * Finding, reading and validating `mcp_agent.config.yaml` and `mcp_agent.secrets.yaml`. Node only.
 */

import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { ConfigError } from '../sandbox/errors.js';
import { applyEnvironmentOverrides, applyProviderKeyVariables, type Environment } from './environment.js';
import { interpolateTree } from './interpolate.js';
import { configErrorFor, describeValue, formatProblems, settingsErrorMap } from './messages.js';
import { settingsSchema, unknownSettingsKeys, type Settings, type SettingsInput } from './schema.js';
import { dropUnsetValues, isPlainObject, mergeTrees, ValueOrigins, type SettingsTree } from './tree.js';

/** The config file name shared with the Python project. */
const CONFIG_FILE_NAME = 'mcp_agent.config.yaml';

/** The secrets file name shared with the Python project. */
const SECRETS_FILE_NAME = 'mcp_agent.secrets.yaml';

/** The source named in errors when no config file was read. */
const DEFAULT_SOURCE = 'settings';

/**
 * Options of {@link loadSettings}. Every option is optional.
 *
 * @example
 * ```ts
 * const options: LoadSettingsOptions = { configPath: 'config/production.yaml', overrides: { logger: { level: 'debug' } } };
 * ```
 */
export interface LoadSettingsOptions {
  /**
   * The config file to read. Relative paths resolve against `cwd`. When set, the file must exist.
   * Default: `mcp_agent.config.yaml` (or `.yml`) found in `cwd` or its nearest parent; when none
   * is found, settings are defaults plus environment and overrides.
   */
  configPath?: string;
  /**
   * The secrets file merged over the config. Relative paths resolve against `cwd`. When set, the
   * file must exist. Default: `mcp_agent.secrets.yaml` (or `.yml`) next to the config file, else
   * found from `cwd` like the config file; none is fine.
   */
  secretsPath?: string;
  /** The directory searches start from and relative paths resolve against. Default: `process.cwd()`. */
  cwd?: string;
  /** Variables for `${VAR}` interpolation and environment overrides. Default: `process.env`. */
  env?: Record<string, string | undefined>;
  /** Settings applied last, over files and environment; mappings merge, other values replace. */
  overrides?: SettingsInput;
  /**
   * When true, what would be a warning is an error: an unknown key (likely a typo) and an empty
   * config file. Default: false (they are returned in {@link LoadedSettings.warnings}).
   */
  strict?: boolean;
}

/**
 * What {@link loadSettings} returns: the settings and the files they came from.
 *
 * @example
 * ```ts
 * const { settings, configPath }: LoadedSettings = loadSettings();
 * ```
 */
export interface LoadedSettings {
  /** The validated settings. */
  settings: Settings;
  /** Absolute path of the config file read, if any. */
  configPath?: string;
  /** Absolute path of the secrets file merged, if any. */
  secretsPath?: string;
  /**
   * Mistakes that do not stop the app, one line each, starting with the file: unknown keys (with
   * the key they probably meant) and an empty config file. Empty when there are none.
   */
  warnings: string[];
}

/** True when `candidate` exists and is a file. */
function isFile(candidate: string): boolean {
  try {
    return statSync(candidate).isFile();
  } catch {
    return false;
  }
}

/** The names tried for `fileName`: itself, then its `.yml`/`.yaml` twin. */
function candidateNames(fileName: string): string[] {
  if (fileName.endsWith('.yaml')) return [fileName, `${fileName.slice(0, -'.yaml'.length)}.yml`];
  if (fileName.endsWith('.yml')) return [fileName, `${fileName.slice(0, -'.yml'.length)}.yaml`];
  return [fileName];
}

/**
 * Finds a config file in `startDirectory` or its nearest parent, trying `fileName` and then its
 * `.yml`/`.yaml` twin in each directory.
 *
 * @param startDirectory where the search starts. Default: `process.cwd()`.
 * @param fileName the file to look for. Default: `mcp_agent.config.yaml`.
 * @returns the absolute path of the file, or `undefined` when no directory up to the root has one.
 * @example
 * ```ts
 * const configPath = findConfigFile('/work/project/src'); // '/work/project/mcp_agent.config.yaml'
 * const secretsPath = findConfigFile(process.cwd(), 'mcp_agent.secrets.yaml');
 * ```
 */
export function findConfigFile(startDirectory: string = process.cwd(), fileName: string = CONFIG_FILE_NAME): string | undefined {
  const names = candidateNames(fileName);
  let directory = path.resolve(startDirectory);
  for (;;) {
    for (const name of names) {
      const candidate = path.join(directory, name);
      if (isFile(candidate)) return candidate;
    }
    const parent = path.dirname(directory);
    if (parent === directory) return undefined;
    directory = parent;
  }
}

/** How a file is named in messages: relative to `cwd` when inside it, else absolute. */
function displayPath(absolutePath: string, cwd: string): string {
  const relative = path.relative(cwd, absolutePath);
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : absolutePath;
}

/** Resolves an explicitly given file, which must exist. */
function requireFile(given: string, cwd: string, option: 'configPath' | 'secretsPath'): string {
  const absolutePath = path.resolve(cwd, given);
  if (!isFile(absolutePath)) {
    const what = option === 'configPath' ? 'config file' : 'secrets file';
    const issue = `${what} not found (the ${option} option is ${JSON.stringify(given)})`;
    throw new ConfigError(`${absolutePath}: ${issue}`, [issue]);
  }
  return absolutePath;
}

/**
 * The top-level-must-be-a-mapping problem, shared by files and {@link parseSettings}.
 */
function notAMappingError(source: string, value: unknown): ConfigError {
  const issue = `(root): expected a mapping of settings at the top level (for example "execution_engine: asyncio"), got ${describeValue(value)}`;
  return configErrorFor(source, [issue]);
}

/**
 * Reads a YAML file that must hold a mapping. An empty file is an empty mapping.
 *
 * YAML 1.2 is used, so only `true`/`false` are booleans and `y`, `no`, `on` or `1:30` stay
 * strings. Boolean fields still accept `yes`/`no`/`on`/`off`, which PyYAML (YAML 1.1) reads as
 * booleans in the Python project, so files written for it validate the same way.
 *
 * @throws ConfigError naming `file:line:column` for syntax errors.
 */
function readYamlMapping(absolutePath: string, shownAs: string): { readonly tree: SettingsTree; readonly empty: boolean } {
  let text: string;
  try {
    text = readFileSync(absolutePath, 'utf8');
  } catch (error) {
    const issue = `cannot read the file (${error instanceof Error ? error.message : String(error)})`;
    throw new ConfigError(`${shownAs}: ${issue}`, [issue]);
  }
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { prettyErrors: false, lineCounter, uniqueKeys: true });
  if (document.errors.length > 0) {
    const issues = document.errors.map((error) => {
      const position = lineCounter.linePos(error.pos[0]);
      return `${position.line}:${position.col}: ${error.message}`;
    });
    throw new ConfigError(issues.map((issue) => `${shownAs}:${issue}`).join('\n'), issues);
  }
  let value: unknown;
  try {
    value = document.toJS();
  } catch (error) {
    const issue = `cannot read the YAML (${error instanceof Error ? error.message : String(error)})`;
    throw new ConfigError(`${shownAs}: ${issue}`, [issue]);
  }
  if (value === null || value === undefined) return { tree: {}, empty: true };
  if (!isPlainObject(value)) throw notAMappingError(shownAs, value);
  return { tree: value, empty: false };
}

/** Reads a file and interpolates `${VAR}` references in its values. */
function readSettingsFile(absolutePath: string, shownAs: string, environment: Environment): { readonly tree: SettingsTree; readonly empty: boolean } {
  const { tree: raw, empty } = readYamlMapping(absolutePath, shownAs);
  const { tree, problems } = interpolateTree(raw, environment);
  if (problems.length > 0) throw configErrorFor(shownAs, formatProblems(problems));
  return { tree, empty };
}

/** The warning (or, when strict, the error) for a config file with no settings in it. */
const EMPTY_FILE_ISSUE = 'the file has no settings (it is empty or only comments), so defaults apply; add settings such as "execution_engine: asyncio", or remove the file';

/**
 * Validates a raw tree, wording every issue as `path: message`, and reports unknown keys: as
 * warnings (lines starting with `source`), or as errors when `strict`.
 */
function validateSettings(
  raw: unknown,
  source: string,
  strict: boolean,
  earlierWarnings: readonly string[],
  originOf?: (path: readonly PropertyKey[]) => string | undefined,
  keyOriginOf = originOf,
): { settings: Settings; warnings: string[] } {
  if (raw !== null && raw !== undefined && !isPlainObject(raw)) throw notAMappingError(source, raw);
  const tree = dropUnsetValues(raw ?? {});
  const result = settingsSchema().safeParse(tree, { error: settingsErrorMap });
  if (!result.success) {
    const problems = result.error.issues.map((issue) => ({ path: issue.path, message: issue.message }));
    throw configErrorFor(source, formatProblems(problems, originOf));
  }
  const issues = [...earlierWarnings, ...formatProblems(unknownSettingsKeys(tree), keyOriginOf)];
  if (strict && issues.length > 0) throw configErrorFor(source, issues);
  return { settings: result.data, warnings: issues.map((issue) => `${source}: ${issue}`) };
}

/**
 * Options of {@link parseSettings}. Every option is optional.
 *
 * @example
 * ```ts
 * const options: ParseSettingsOptions = { strict: true };
 * ```
 */
export interface ParseSettingsOptions {
  /** When true, an unknown key (likely a typo) is an error. Default: false (a warning). */
  strict?: boolean;
  /**
   * Receives each warning, a line starting with the source, such as
   * `settings: exectuion_engine: unknown key, so it has no effect (did you mean "execution_engine"?)`.
   * Default: warnings are dropped.
   */
  onWarning?: (warning: string) => void;
}

/**
 * Validates settings given as an object (no file involved) and applies defaults. `null` values
 * count as unset.
 *
 * @param raw the settings, shaped like `mcp_agent.config.yaml`.
 * @param source how errors name the settings. Default: `settings`.
 * @param options `strict` makes unknown keys errors; `onWarning` receives them otherwise.
 * @throws ConfigError listing every problem as `path: message`.
 * @example
 * ```ts
 * const settings = parseSettings({ execution_engine: 'temporal', temporal: { host: 'localhost:7233' } });
 * settings.temporal?.port; // 7233
 * ```
 */
export function parseSettings(raw: unknown, source: string = DEFAULT_SOURCE, options: ParseSettingsOptions = {}): Settings {
  const { settings, warnings } = validateSettings(raw, source, options.strict === true, []);
  if (options.onWarning !== undefined) for (const warning of warnings) options.onWarning(warning);
  return settings;
}

/**
 * Loads settings the way the Python project does, in this order:
 *
 * 1. the config file (`options.configPath`, else `mcp_agent.config.yaml` found from `cwd` upwards;
 *    none found means defaults);
 * 2. the secrets file deep-merged over it (mappings merge, lists and scalars replace);
 * 3. `${VAR}` / `${VAR:-default}` interpolation in both files' string values (`$${VAR}` is a
 *    literal `${VAR}`; an unset variable without default is an error naming it and the setting);
 * 4. `OPENAI_API_KEY` / `ANTHROPIC_API_KEY` when the files set no provider key;
 * 5. environment overrides such as `TEMPORAL__PORT=7234` or `EXECUTION_ENGINE=temporal`;
 * 6. `options.overrides`;
 * 7. validation against {@link settingsSchema} (core's sections and those packages registered).
 *
 * Unknown keys (neither this project nor the Python project reads them, so probably typos) and an
 * empty config file are returned as {@link LoadedSettings.warnings}, or are errors with
 * `options.strict`.
 *
 * Reading is synchronous: it happens once at startup.
 *
 * @throws ConfigError whose message starts with the config file (or `settings`) and lists every
 *   problem, e.g. `mcp_agent.config.yaml: temporal.port: expected a number, got "abc"`.
 * @example
 * ```ts
 * const { settings, configPath } = loadSettings();
 * const { settings: forTests } = loadSettings({ cwd: directory, env: { TEMPORAL__PORT: '7234' } });
 * ```
 */
export function loadSettings(options: LoadSettingsOptions = {}): LoadedSettings {
  const cwd = path.resolve(options.cwd ?? process.cwd());
  const environment: Environment = options.env ?? process.env;

  const configPath = options.configPath === undefined ? findConfigFile(cwd, CONFIG_FILE_NAME) : requireFile(options.configPath, cwd, 'configPath');
  const secretsPath =
    options.secretsPath !== undefined
      ? requireFile(options.secretsPath, cwd, 'secretsPath')
      : ((configPath === undefined ? undefined : findSibling(configPath, SECRETS_FILE_NAME)) ?? findConfigFile(cwd, SECRETS_FILE_NAME));
  const source = configPath === undefined ? DEFAULT_SOURCE : displayPath(configPath, cwd);

  const origins = new ValueOrigins();
  const configFile = configPath === undefined ? undefined : readSettingsFile(configPath, source, environment);
  let tree: SettingsTree = configFile?.tree ?? {};
  if (secretsPath !== undefined) {
    const secretsShownAs = displayPath(secretsPath, cwd);
    const { tree: secrets } = readSettingsFile(secretsPath, secretsShownAs, environment);
    origins.recordTree([], secrets, secretsShownAs);
    tree = mergeTrees(tree, secrets) as SettingsTree;
  }
  tree = dropUnsetValues(tree) as SettingsTree;

  applyProviderKeyVariables(tree, environment, origins);
  const environmentProblems = applyEnvironmentOverrides(tree, environment, origins);
  if (environmentProblems.length > 0) throw configErrorFor(source, formatProblems(environmentProblems));

  if (options.overrides !== undefined) {
    if (!isPlainObject(options.overrides)) throw notAMappingError('overrides option', options.overrides);
    origins.recordTree([], options.overrides, 'the overrides option');
    tree = mergeTrees(tree, options.overrides) as SettingsTree;
  }

  const originOf = (issuePath: readonly PropertyKey[]) => origins.originOf(issuePath);
  // A key written as a mapping has no value of its own: it came from where its values did, unless the config file has it.
  const keyOriginOf = (keyPath: readonly PropertyKey[]) => origins.originOf(keyPath) ?? (hasPath(configFile?.tree, keyPath) ? undefined : origins.originWithin(keyPath));
  const { settings, warnings } = validateSettings(tree, source, options.strict === true, configFile?.empty === true ? [EMPTY_FILE_ISSUE] : [], originOf, keyOriginOf);
  const loaded: LoadedSettings = { settings, warnings };
  if (configPath !== undefined) loaded.configPath = configPath;
  if (secretsPath !== undefined) loaded.secretsPath = secretsPath;
  return loaded;
}

/** True when `tree` has a value at `keyPath`. */
function hasPath(tree: unknown, keyPath: readonly PropertyKey[]): boolean {
  let current = tree;
  for (const key of keyPath) {
    if (!isPlainObject(current) || !Object.hasOwn(current, String(key))) return false;
    current = current[String(key)];
  }
  return true;
}

/** `fileName` (or its `.yml` twin) in the directory of `siblingOf`, if it exists. */
function findSibling(siblingOf: string, fileName: string): string | undefined {
  const directory = path.dirname(siblingOf);
  return candidateNames(fileName)
    .map((name) => path.join(directory, name))
    .find(isFile);
}
