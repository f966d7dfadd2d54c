/**
 * Settings, app modules and executors for the commands.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createLogger, messageOf, type Executor, type Logger } from '@mcp-agent/core';
import { createExecutorWithServices, getWorkflowDefinition, importTaskModules, loadExecutionEngine, MCPAppBase, WorkflowRegistry, type WorkflowDefinition } from '@mcp-agent/core/engine';
import { loadSettings, type LoadedSettings, type Settings } from '@mcp-agent/core/config';
import { inputSchemaFileName } from '@mcp-agent/codegen/schema-files';
import type { TemporalExecutor } from '@mcp-agent/executor-temporal';
import type { JsonSchema } from '@mcp-agent/core/engine';
import { UsageError } from './command.js';

export { APP_OPTION, CONFIG_OPTION } from './command.js';

/** Where commands look for the app when `--app` is not given. */
export const DEFAULT_APP_MODULES = ['src/workflows.ts', 'src/workflows.js', 'dist/workflows.js'];

interface IoPaths {
  cwd: string;
  env: Readonly<Record<string, string | undefined>>;
  /** Where warnings about the config (unknown keys, an empty file) are printed. */
  stderr?: (text: string) => void;
}

/**
 * The settings of `--config`, or of mcp_agent.config.yaml (and its secrets file) found from `cwd` up, with the files read.
 * Warnings (unknown keys, an empty file) go to `io.stderr` unless `printWarnings` is false.
 */
export function loadedSettingsFrom(values: Record<string, unknown>, io: IoPaths, options: { printWarnings?: boolean } = {}): LoadedSettings {
  const configPath = values['config'] as string | undefined;
  const loaded = loadSettings({ cwd: io.cwd, env: io.env, ...(configPath === undefined ? {} : { configPath }) });
  if (options.printWarnings !== false) for (const warning of loaded.warnings) io.stderr?.(`warning: ${warning}\n`);
  return loaded;
}

/** The settings of `--config`, or of mcp_agent.config.yaml (and its secrets file) found from `cwd` up. */
export function settingsFrom(values: Record<string, unknown>, io: IoPaths): Settings {
  return loadedSettingsFrom(values, io).settings;
}

/** The logger of the settings, at warning level unless the config says otherwise. */
export function loggerFor(settings: Settings): Logger {
  return createLogger({ level: settings.logger?.level ?? 'warning', transports: ['console'] });
}

/** The app modules of `--app`/`--workflows`, or the default one that exists; `undefined` when optional and none. */
export function appModulesFrom(values: Record<string, unknown>, cwd: string, required: boolean): string[] | undefined {
  const given = [...((values['app'] as string[] | undefined) ?? []), ...((values['workflows'] as string[] | undefined) ?? [])];
  if (given.length > 0) return given.map((file) => path.resolve(cwd, file));
  const found = DEFAULT_APP_MODULES.map((file) => path.resolve(cwd, file)).find((file) => existsSync(file));
  if (found !== undefined) return [found];
  if (!required) return undefined;
  throw new UsageError(`--app <module> is required: the module that defines the workflows (looked for ${DEFAULT_APP_MODULES.join(', ')} in ${cwd})`);
}

/** Where codegen writes the manifest of an app's workflows, below the app's folder. */
const GENERATED_MANIFEST = path.join('src', 'generated', 'activities.ts');

/**
 * The modules that define the workflows, as the manifest codegen wrote (`WORKFLOW_MANIFEST` of
 * src/generated/activities.ts) names them, for the app in `cwd` or a folder above; `undefined`
 * when there is none.
 */
export async function appModulesFromManifest(cwd: string): Promise<string[] | undefined> {
  for (let directory = path.resolve(cwd), depth = 0; depth < 5; directory = path.dirname(directory), depth += 1) {
    const manifest = path.join(directory, GENERATED_MANIFEST);
    if (existsSync(manifest)) {
      const { tsImport } = await import('tsx/esm/api');
      const { WORKFLOW_MANIFEST } = (await tsImport(pathToFileURL(manifest).href, import.meta.url)) as { WORKFLOW_MANIFEST?: ReadonlyArray<{ source: string }> };
      const modules = [...new Set((WORKFLOW_MANIFEST ?? []).map((entry) => path.resolve(directory, entry.source.replace(/:\d+$/, ''))))];
      return modules.length === 0 ? undefined : modules;
    }
    if (path.dirname(directory) === directory) break;
  }
  return undefined;
}

/** What a command knows of the app: its workflows and tasks, and a name. */
export interface LoadedApp {
  name: string;
  registry: WorkflowRegistry;
  modules: string[];
}

/**
 * Imports the modules that define an app's workflows (TypeScript too) and returns the registry of
 * the apps they export, and of their workflow classes.
 */
export async function loadApp(modules: readonly string[], cwd: string, loaded?: LoadedSettings): Promise<LoadedApp> {
  const { tsImport } = await import('tsx/esm/api');
  const apps: MCPAppBase[] = [];
  const workflows: WorkflowDefinition[] = [];
  const absolute = modules.map((file) => path.resolve(cwd, file));
  for (const [index, file] of absolute.entries()) {
    if (!existsSync(file)) throw new UsageError(`--app ${modules[index] ?? file}: no such file (${file})`);
    const url = pathToFileURL(file).href;
    const exports = (/\.[mc]?tsx?$/.test(file) ? await tsImport(url, import.meta.url) : await import(url)) as Record<string, unknown>;
    for (const value of Object.values(exports)) {
      if (MCPAppBase.isApp(value)) apps.push(value);
      const definition = getWorkflowDefinition(value);
      if (definition !== undefined) workflows.push(definition);
    }
  }
  // The tasks of workflow_task_modules register on the app as they load, as when the app starts.
  if (loaded !== undefined) {
    await importTaskModules(loaded.settings.workflow_task_modules ?? [], loaded.configPath === undefined ? cwd : path.dirname(loaded.configPath));
  }
  const registry = new WorkflowRegistry();
  for (const app of apps) {
    app.registry.workflows.forEach((definition) => registry.addWorkflow(definition));
    app.registry.tasks.forEach((task) => registry.addTask(task));
  }
  workflows.forEach((definition) => registry.addWorkflow(definition));
  if (registry.workflows.size === 0) {
    throw new UsageError(`${modules.join(', ')} defines no workflows; give the module that exports the app (export const app = new MCPApp(...)) and its workflow classes`);
  }
  return { name: apps[0]?.name ?? 'mcp-agent', registry, modules: absolute };
}

/** An executor on the Temporal server of the settings (whatever `execution_engine` says): for the server commands. */
export async function temporalExecutor(settings: Settings, app: LoadedApp | undefined): Promise<TemporalExecutor> {
  // Loaded here, not with this module: `mcp-agent worker` starts its bundle before the Temporal SDK loads.
  const { createTemporalEngine } = await import('@mcp-agent/executor-temporal');
  // The Temporal engine's executors are TemporalExecutors, with their client.
  return (await createTemporalEngine().createExecutor({
    appName: app?.name ?? 'mcp-agent',
    registry: app?.registry ?? new WorkflowRegistry(),
    settings,
    logger: loggerFor(settings),
  })) as TemporalExecutor;
}

/** An executor for the engine of `execution_engine` (in-process runs the workflows here). */
export async function executorFor(settings: Settings, app: LoadedApp, cwd: string): Promise<Executor> {
  if (settings.execution_engine === 'temporal') return temporalExecutor(settings, app);
  const name = settings.execution_engine ?? 'asyncio';
  // The app's own engine when it has one installed; else the in-process engine this command ships with.
  const engine = await loadExecutionEngine(name, undefined, cwd).catch(async (error: unknown) => {
    if (name !== 'asyncio') throw error;
    return (await import('@mcp-agent/executor-asyncio')).executionEngine;
  });
  // The app's services (MCP servers, installed model providers) run its tasks in this process.
  return createExecutorWithServices(engine, { appName: app.name, registry: app.registry, settings, logger: loggerFor(settings), cwd });
}

/** The input schema codegen wrote for a workflow, next to the app module (`generated/schemas/<name>.input.json`). */
export function inputSchemaOf(app: LoadedApp, workflowName: string): JsonSchema | undefined {
  for (const module of app.modules) {
    for (let directory = path.dirname(module), depth = 0; depth < 3; directory = path.dirname(directory), depth += 1) {
      const file = path.join(directory, 'generated', 'schemas', inputSchemaFileName(workflowName));
      if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as JsonSchema;
    }
  }
  return undefined;
}

/** Parses `--input` (or the file of `--input-file`) as JSON, naming the flag and the position of a syntax error. */
export function inputFrom(values: Record<string, unknown>, cwd: string): { given: boolean; value: unknown } {
  const text = values['input'] as string | undefined;
  const file = values['input-file'] as string | undefined;
  if (text !== undefined && file !== undefined) throw new UsageError('give --input or --input-file, not both');
  const source = file === undefined ? text : readInputFile(path.resolve(cwd, file), file);
  if (source === undefined) return { given: false, value: undefined };
  try {
    return { given: true, value: JSON.parse(source) };
  } catch (error) {
    const flag = file === undefined ? '--input' : `--input-file ${file}`;
    throw new UsageError(
      `${flag} is not JSON: ${messageOf(error)}` + (file === undefined && !/^[[{"\d-]|^(true|false|null)$/.test(source.trim()) ? ` (a string needs quotes: --input '"${source}"')` : ''),
    );
  }
}

function readInputFile(file: string, shown: string): string {
  if (!existsSync(file)) throw new UsageError(`--input-file ${shown}: no such file`);
  return readFileSync(file, 'utf8');
}
