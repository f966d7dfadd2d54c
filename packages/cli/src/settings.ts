/**
 * Settings and app modules for the commands.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { getWorkflowDefinition, loadSettings, MCPAppBase, WorkflowRegistry, type Settings } from '@mcp-agent/core';
import { UsageError } from './main.js';

/** The shared `--config` option. */
export const CONFIG_OPTION = { config: { type: 'string' } } as const;

/** The settings of `--config`, or of mcp_agent.config.yaml (and its secrets file) found from `cwd` up. */
export function settingsFrom(values: Record<string, unknown>, io: { cwd: string; env: Readonly<Record<string, string | undefined>> }): Settings {
  const configPath = values['config'] as string | undefined;
  return loadSettings({ cwd: io.cwd, env: io.env, ...(configPath === undefined ? {} : { configPath }) }).settings;
}

/**
 * Imports the modules that define an app's workflows (TypeScript too) and returns the registry of
 * the app they export, or of their workflow classes.
 */
export async function registryOf(modules: readonly string[], cwd: string): Promise<WorkflowRegistry> {
  const { tsImport } = await import('tsx/esm/api');
  const registry = new WorkflowRegistry();
  for (const file of modules) {
    const absolute = path.resolve(cwd, file);
    if (!existsSync(absolute)) throw new UsageError(`--workflows ${file}: no such file (${absolute})`);
    const url = pathToFileURL(absolute).href;
    const exports = (/\.[mc]?tsx?$/.test(absolute) ? await tsImport(url, import.meta.url) : await import(url)) as Record<string, unknown>;
    for (const value of Object.values(exports)) {
      if (MCPAppBase.isApp(value)) {
        value.registry.workflows.forEach((definition) => registry.addWorkflow(definition));
        value.registry.tasks.forEach((task) => registry.addTask(task));
      }
      const definition = getWorkflowDefinition(value);
      if (definition !== undefined) registry.addWorkflow(definition);
    }
  }
  return registry;
}
