/**
 * Runs codegen for an app: reads its workflow files, reports diagnostics, and writes (or, with
 * `check`, compares) the generated files.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { IndentationText, Project, QuoteKind } from 'ts-morph';
import { writeBundle, type PrebuiltBundle } from './bundle.js';
import { cacheKey, collectSources, hashFiles, listFiles, owned, readCache, resolveOptions, sha256, writeCache, type CodegenCache, type ResolvedOptions } from './cache.js';
import { diagnose, formatDiagnostic, isNodeOnly, type CodegenDiagnostic } from './diagnostics.js';
import { BANNER, emitActivityManifest, emitClients, emitSchemas } from './emit.js';
import { sandboxModule, sandboxPath } from './sandbox-module.js';
import { buildModel, relativePath, type AppModel } from './model.js';

export { CodegenUsageError } from './cache.js';
export type { PrebuiltBundle } from './bundle.js';

/** Options of {@link runCodegen}. */
export interface CodegenOptions {
  /** The app's folder (where its tsconfig.json is). */
  root: string;
  /** Files or folders to read, relative to `root`. Default `['src']`. */
  sources?: string[];
  /** Where to write, relative to `root`. Default `src/generated`. */
  outDir?: string;
  /** Compare instead of writing; stale or missing files are reported. */
  check?: boolean;
  /** Neither write nor compare: only return the files. */
  dryRun?: boolean;
  /** The tsconfig.json to read the files with. Default `<root>/tsconfig.json`, else strict defaults. */
  tsconfig?: string;
}

/** What a run found and did. */
export interface CodegenResult {
  model: AppModel;
  diagnostics: CodegenDiagnostic[];
  /** Generated files by path relative to `outDir`, with their content. */
  files: Map<string, string>;
  /** With `check`: the files (relative to `root`) whose content differs, is missing or is left over. */
  stale: string[];
  /** Without `check`: the files written (relative to `root`). */
  written: string[];
  root: string;
  outDir: string;
  /** The options, resolved against `root` with their defaults. */
  options: ResolvedOptions;
  project: Project;
}

/**
 * Reads the app, diagnoses it and generates its files. Diagnostics do not stop generation; the
 * CLI fails when there are any. A run that writes (neither `check` nor `dryRun`) and finds no
 * problem records the cache that lets the next CLI run stop early when nothing changed.
 */
export function runCodegen(options: CodegenOptions): CodegenResult {
  const resolved = resolveOptions(options);
  const { root, outDir, tsconfig } = resolved;
  const manipulationSettings = { indentationText: IndentationText.TwoSpaces, quoteKind: QuoteKind.Single };
  const project = existsSync(tsconfig)
    ? new Project({ tsConfigFilePath: tsconfig, skipAddingFilesFromTsConfig: true, manipulationSettings })
    : new Project({ compilerOptions: { strict: true }, manipulationSettings });
  const files = collectSources(resolved);
  project.addSourceFilesAtPaths(files);
  project.resolveSourceFileDependencies();
  const model = buildModel(project, files);
  const diagnostics = diagnose(project, model, root);
  const workflowFiles = new Set(model.workflowFiles);
  const copyOf = (target: string): string | undefined => (workflowFiles.has(target) ? sandboxPath(target, root, outDir) : undefined);

  const generated = new Map<string, string>([
    ['clients.ts', emitClients(model, outDir)],
    ['activities.ts', emitActivityManifest(model, root)],
    ...emitSchemas(project, model),
    ...model.workflowFiles.map((file): [string, string] => [
      path.relative(outDir, sandboxPath(file, root, outDir)),
      sandboxModule(project, file, sandboxPath(file, root, outDir), copyOf, isNodeOnly, BANNER),
    ]),
  ]);

  const stale: string[] = [];
  const written: string[] = [];
  const existing = listFiles(outDir).filter(owned);
  if (options.dryRun) {
    // nothing to write or compare
  } else if (options.check) {
    for (const [relative, content] of generated) {
      const target = path.join(outDir, relative);
      if (!existsSync(target) || readFileSync(target, 'utf8') !== content) stale.push(relativePath(root, target));
    }
    for (const relative of existing) if (!generated.has(relative)) stale.push(relativePath(root, path.join(outDir, relative)));
  } else {
    for (const relative of existing) if (!generated.has(relative)) rmSync(path.join(outDir, relative));
    for (const [relative, content] of generated) {
      const target = path.join(outDir, relative);
      if (existsSync(target) && readFileSync(target, 'utf8') === content) continue;
      mkdirSync(path.dirname(target), { recursive: true });
      writeFileSync(target, content);
      written.push(relativePath(root, target));
    }
    if (diagnostics.length === 0) recordRun(resolved, project, model, files, generated, outDir);
  }
  return { model, diagnostics, files: generated, stale: stale.sort(), written, root, outDir, options: resolved, project };
}

/** The diagnostics as the CLI prints them. */
export function formatDiagnostics(result: CodegenResult, root: string): string {
  return result.diagnostics.map((diagnostic) => formatDiagnostic(diagnostic, path.resolve(root))).join('\n');
}

/**
 * Builds the prebuilt workflow bundle from the sandbox copies written by {@link runCodegen}, with
 * `@mcp-agent/executor-temporal`'s bundler, and writes `workflow-bundle.<hash>.js` and
 * `workflow-bundle.json` (the sources it was built from, with their hashes) into `outDir`. A worker
 * given those workflow files loads it instead of bundling at start-up.
 */
export async function buildPrebuiltBundle(result: CodegenResult): Promise<PrebuiltBundle | undefined> {
  return writeBundle(result.options, {
    workflowFiles: result.model.workflowFiles,
    sources: localSources(result.project, result.model, result.outDir),
    activities: activitiesOf(result.model, result.root),
  });
}

/** The tasks of the bundle manifest: every task the workflows may call, by name. */
function activitiesOf(model: AppModel, root: string): CodegenCache['bundle']['activities'] {
  return [...model.tasks, ...model.workflows.flatMap((workflow) => workflow.tasks)]
    .map((task) => ({ name: task.name, source: `${relativePath(root, task.file)}:${task.line}` }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * Records in the cache what this run read and wrote, so that the next run with nothing changed
 * stops after hashing files. The bundle's record is kept: it says which sandbox copies it was built from.
 */
function recordRun(options: ResolvedOptions, project: Project, model: AppModel, files: string[], generated: Map<string, string>, outDir: string): void {
  const read = project
    .getSourceFiles()
    .map((source) => source.getFilePath() as string)
    .filter((file) => !file.includes(`${path.sep}node_modules${path.sep}`) && !file.startsWith(`${outDir}${path.sep}`) && existsSync(file));
  const previous = readCache(options);
  writeCache(options, {
    key: cacheKey(options),
    sources: files.map((file) => path.relative(options.root, file)),
    inputs: hashFiles(options.root, read),
    outputs: Object.fromEntries([...generated].sort(([a], [b]) => a.localeCompare(b)).map(([relative, content]) => [relative, sha256(content)])),
    workflows: model.workflows.length,
    bundle: {
      workflowFiles: model.workflowFiles.map((file) => path.relative(options.root, file)),
      sources: localSources(project, model, outDir).map((file) => path.relative(options.root, file)),
      activities: activitiesOf(model, options.root),
      ...(previous?.bundle.builtFrom === undefined ? {} : { builtFrom: previous.bundle.builtFrom }),
    },
  });
}

/** The workflow files and every local (non-package) file they import, directly or not. */
function localSources(project: Project, model: AppModel, outDir: string): string[] {
  const seen = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file) || file.includes(`${path.sep}node_modules${path.sep}`) || file.startsWith(outDir)) return;
    seen.add(file);
    const source = project.getSourceFile(file);
    for (const referenced of source?.getReferencedSourceFiles() ?? []) visit(referenced.getFilePath());
  };
  model.workflowFiles.forEach(visit);
  return [...seen].sort();
}
