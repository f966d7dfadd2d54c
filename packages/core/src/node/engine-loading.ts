/**
 * How an app finds the execution engine its config names. Node only.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError } from '../sandbox/errors.js';
import type { Executor } from '../sandbox/executor.js';
import type { Logger } from './logger.js';
import type { WorkflowRegistry } from '../sandbox/model/registry.js';
import { registeredConfigSections, type Settings } from '../config/index.js';
import type { LlmProvider } from '../sandbox/llm/llm-provider.js';
import type { EmbeddingProvider } from '../sandbox/llm/embedding.js';
import type { TaskMap } from '../sandbox/services.js';

/**
 * What an engine gets to build an executor for an app. Engines only schedule: the app assembles
 * the MCP service and the model providers and hands over the tasks that use them.
 */
export interface CreateExecutorOptions {
  appName: string;
  registry: WorkflowRegistry;
  settings: Settings;
  logger: Logger;
  /**
   * The tasks to run: the app's and the built-in MCP and model tasks (`AppServices.tasks`).
   * Default: the registry's tasks alone.
   */
  tasks?: TaskMap;
  /**
   * Called once for each workflow run that ends (completed, failed, cancelled, terminated, timed
   * out or continued as new), by engines that see run ends in this process (the in-process
   * engine; a Temporal worker does not). Apps close the run's MCP sessions with it
   * (`session.scope: run`). Errors it throws are logged, never raised.
   */
  onRunClosed?: ((run: { workflowId: string; runId: string }) => void) | undefined;
}

/**
 * An execution engine: `asyncio` (in-process) or `temporal`. Engine packages export one as
 * `executionEngine`, and a factory that takes engine-specific options.
 */
export interface ExecutionEngine {
  readonly name: string;
  createExecutor(options: CreateExecutorOptions): Executor | Promise<Executor>;
}

/** The package that provides each built-in engine. */
export const ENGINE_PACKAGES: Readonly<Record<string, string>> = {
  asyncio: '@mcp-agent/executor-asyncio',
  temporal: '@mcp-agent/executor-temporal',
};

/** The export condition under which workspace packages point at their TypeScript sources. */
export const SOURCE_CONDITION = 'mcp-agent-source';

/**
 * The variable the repository's test configuration sets (`vitest.shared.ts`) so that its tests, and
 * the processes they start, resolve {@link SOURCE_CONDITION} without the flag.
 */
export const SOURCE_CONDITION_VARIABLE = 'MCP_AGENT_SOURCE_CONDITION';

/**
 * True when this process resolves {@link SOURCE_CONDITION}: the flag is given (tsx in the
 * repository), or the repository's own tests run ({@link SOURCE_CONDITION_VARIABLE}). Vitest in a
 * project that installed the packages does not count: their sources are not built to run.
 */
export function sourceConditionActive(): boolean {
  const flags = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)];
  return process.env[SOURCE_CONDITION_VARIABLE] === '1' || flags.some((flag) => flag === `--conditions=${SOURCE_CONDITION}` || flag === SOURCE_CONDITION);
}

/**
 * Where an app's packages are looked up: a folder, or several tried in order (`MCPApp` gives the
 * working directory, then the config file's folder).
 */
export type AppDirectories = string | readonly string[];

/**
 * The manifest of a package installed for the app in `cwd`: `node_modules/<name>` in `cwd` or a
 * folder above it. Only what the app installs counts, not `NODE_PATH` or global folders.
 */
function findPackageManifest(packageName: string, cwd: AppDirectories): string {
  const starts = typeof cwd === 'string' ? [cwd] : cwd;
  for (const start of starts) {
    const found = findPackageManifestFrom(packageName, start);
    if (found !== undefined) return found;
  }
  throw new Error(`${packageName} is not installed in ${[...new Set(starts)].join(' or ')} or a folder above`);
}

function findPackageManifestFrom(packageName: string, cwd: string): string | undefined {
  for (let directory = path.resolve(cwd); ; directory = path.dirname(directory)) {
    const candidate = path.join(directory, 'node_modules', packageName, 'package.json');
    if (existsSync(candidate)) return candidate;
    // A package may load itself by name, as Node's self-reference allows.
    const own = path.join(directory, 'package.json');
    if (existsSync(own) && (JSON.parse(readFileSync(own, 'utf8')) as { name?: unknown }).name === packageName) return own;
    if (path.dirname(directory) === directory) break;
  }
  return undefined;
}

/** The version of a package installed for the app in `cwd` (or a folder above), or undefined. */
export function installedPackageVersion(packageName: string, cwd: AppDirectories): string | undefined {
  try {
    return (JSON.parse(readFileSync(findPackageManifest(packageName, cwd), 'utf8')) as { version?: string }).version;
  } catch {
    return undefined;
  }
}

/**
 * Resolves a package's ESM entry (`subpath`, default its main one) from `cwd`, honouring the source
 * condition when active.
 *
 * @throws Error when the package is not installed, or does not export `subpath`.
 */
function resolvePackageEntry(packageName: string, cwd: AppDirectories, subpath = '.'): string {
  const manifestPath = findPackageManifest(packageName, cwd);
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { exports?: Record<string, unknown>; main?: string };
  const root = manifest.exports?.[subpath];
  if (subpath !== '.' && root === undefined) throw new Error(`${packageName} exports no ${subpath}`);
  const conditions = sourceConditionActive() ? [SOURCE_CONDITION, 'import', 'default'] : ['import', 'default'];
  let target: string | undefined;
  if (typeof root === 'string') target = root;
  else if (typeof root === 'object' && root !== null) {
    for (const condition of conditions) {
      const value = (root as Record<string, unknown>)[condition];
      if (typeof value === 'string') {
        target = value;
        break;
      }
    }
  }
  target ??= manifest.main ?? 'index.js';
  return path.resolve(path.dirname(manifestPath), target);
}

/** The entry (`subpath`, default the main one) of a package installed for the app in `cwd`, or undefined when it is not installed or has no such entry. */
export function builtinPackageEntry(packageName: string, cwd: AppDirectories, subpath = '.'): string | undefined {
  try {
    return resolvePackageEntry(packageName, cwd, subpath);
  } catch {
    return undefined;
  }
}

/**
 * The packages that own the config sections of a Python config file, by section. Each exports a
 * light `./config` entry (its section schema alone) that registers the section when imported.
 */
export const CONFIG_SECTION_PACKAGES: Readonly<Record<string, string>> = {
  temporal: '@mcp-agent/executor-temporal',
  openai: '@mcp-agent/providers-openai',
  azure: '@mcp-agent/providers-openai',
  anthropic: '@mcp-agent/providers-anthropic',
  google: '@mcp-agent/providers-ai-sdk',
  bedrock: '@mcp-agent/providers-ai-sdk',
  server: '@mcp-agent/server',
};

/**
 * Registers the sections among `keys` whose owner package is installed for the app in `cwd`, by
 * importing its `./config` entry, so they are validated before anything else loads. A section whose
 * package is not installed stays unvalidated, as a Python config file's other sections do.
 *
 * @returns true when a section was registered (settings read earlier should be read again).
 */
export async function loadConfigSections(keys: Iterable<string>, cwd: AppDirectories = process.cwd()): Promise<boolean> {
  let registered = false;
  for (const key of new Set(keys)) {
    const packageName = CONFIG_SECTION_PACKAGES[key];
    if (packageName === undefined || registeredConfigSections().has(key)) continue;
    const entry = builtinPackageEntry(packageName, cwd, './config');
    if (entry === undefined) continue;
    await import(pathToFileURL(entry).href);
    registered ||= registeredConfigSections().has(key);
  }
  return registered;
}

function isEngine(value: unknown): value is ExecutionEngine {
  return typeof value === 'object' && value !== null && typeof (value as ExecutionEngine).createExecutor === 'function';
}

/**
 * Loads the engine named by `execution_engine`: from `engines` when given, else from its package,
 * resolved from the app's directory (`cwd`), so that the app chooses its engines by what it installs.
 *
 * @throws ConfigError naming the engine and the package to install.
 */
export async function loadExecutionEngine(name: string, engines: Readonly<Record<string, ExecutionEngine>> | undefined, cwd: AppDirectories = process.cwd()): Promise<ExecutionEngine> {
  const given = engines?.[name];
  if (given !== undefined) return given;
  const packageName = ENGINE_PACKAGES[name];
  if (packageName === undefined) {
    throw new ConfigError(`execution_engine: expected one of ${Object.keys(ENGINE_PACKAGES).join(', ')}, got "${name}"`);
  }
  let entry: string;
  try {
    entry = resolvePackageEntry(packageName, cwd);
  } catch (error) {
    throw new ConfigError(
      `execution_engine: "${name}" needs the package ${packageName}, which cannot be found from ${typeof cwd === 'string' ? cwd : [...new Set(cwd)].join(' or ')}; ` +
        `install it (pnpm add ${packageName}) or pass it to new MCPApp({ engines: { ${name}: ... } })`,
      [],
      { cause: error },
    );
  }
  const loaded = (await import(pathToFileURL(entry).href)) as { executionEngine?: unknown };
  if (!isEngine(loaded.executionEngine)) {
    throw new ConfigError(`execution_engine: ${packageName} (${entry}) exports no executionEngine`);
  }
  return loaded.executionEngine;
}

/** The packages of the built-in model providers. */
export const LLM_PROVIDER_PACKAGES: readonly string[] = ['@mcp-agent/providers-openai', '@mcp-agent/providers-anthropic', '@mcp-agent/providers-ai-sdk'];

function isLlmProvider(value: unknown): value is LlmProvider {
  return typeof value === 'object' && value !== null && typeof (value as LlmProvider).name === 'string' && typeof (value as LlmProvider).complete === 'function';
}

/** The providers a package exports: its `llmProvider` and each of its `llmProviders` (a package may hold several, as the AI SDK one does). */
function exportedProviders<T>(single: unknown, several: unknown, isProvider: (value: unknown) => value is T): T[] {
  return [single, ...(Array.isArray(several) ? several : [])].filter(isProvider);
}

/**
 * The model providers installed for the app in `cwd`: each package of {@link LLM_PROVIDER_PACKAGES}
 * that resolves from there, with the providers it exports as `llmProvider` or `llmProviders`. A
 * package that is not installed is skipped.
 */
export async function loadInstalledLlmProviders(cwd: AppDirectories = process.cwd()): Promise<LlmProvider[]> {
  const providers: LlmProvider[] = [];
  for (const packageName of LLM_PROVIDER_PACKAGES) {
    let entry: string;
    try {
      entry = resolvePackageEntry(packageName, cwd);
    } catch {
      continue;
    }
    const loaded = (await import(pathToFileURL(entry).href)) as { llmProvider?: unknown; llmProviders?: unknown };
    providers.push(...exportedProviders(loaded.llmProvider, loaded.llmProviders, isLlmProvider));
  }
  return providers;
}

function isEmbeddingProvider(value: unknown): value is EmbeddingProvider {
  return typeof value === 'object' && value !== null && typeof (value as EmbeddingProvider).name === 'string' && typeof (value as EmbeddingProvider).embed === 'function';
}

/**
 * The embedding providers installed for the app in `cwd`: each package of
 * {@link LLM_PROVIDER_PACKAGES} that resolves from there, with the providers it exports as
 * `embeddingProvider` or `embeddingProviders`.
 */
export async function loadInstalledEmbeddingProviders(cwd: AppDirectories = process.cwd()): Promise<EmbeddingProvider[]> {
  const providers: EmbeddingProvider[] = [];
  for (const packageName of LLM_PROVIDER_PACKAGES) {
    let entry: string;
    try {
      entry = resolvePackageEntry(packageName, cwd);
    } catch {
      continue;
    }
    const loaded = (await import(pathToFileURL(entry).href)) as { embeddingProvider?: unknown; embeddingProviders?: unknown };
    providers.push(...exportedProviders(loaded.embeddingProvider, loaded.embeddingProviders, isEmbeddingProvider));
  }
  return providers;
}
