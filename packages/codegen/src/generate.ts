/**
 * Runs codegen for an app: reads its workflow files, reports diagnostics, and writes (or, with
 * `check`, compares) the generated files.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { installedPackageVersion } from '@mcp-agent/core/engine';
import type { PrebuiltBundleManifest } from '@mcp-agent/executor-temporal';
import { IndentationText, Project, QuoteKind } from 'ts-morph';
import { diagnose, formatDiagnostic, isNodeOnly, type CodegenDiagnostic } from './diagnostics.js';
import { BANNER, emitActivityManifest, emitClients, emitSchemas } from './emit.js';
import { sandboxModule, sandboxPath } from './sandbox-module.js';
import { buildModel, relativePath, type AppModel } from './model.js';

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
  project: Project;
}

function collect(entry: string, outDir: string, into: string[]): void {
  if (!existsSync(entry)) return;
  const stats = statSync(entry);
  if (stats.isFile()) {
    if (/\.tsx?$/.test(entry) && !/\.d\.ts$/.test(entry) && !/\.test\.tsx?$/.test(entry)) into.push(entry);
    return;
  }
  if (entry === outDir || path.basename(entry) === 'node_modules') return;
  for (const name of readdirSync(entry).sort()) collect(path.join(entry, name), outDir, into);
}

/** Every file under `directory` (relative paths, sorted). */
function listFiles(directory: string, base = directory): string[] {
  if (!existsSync(directory)) return [];
  return readdirSync(directory, { withFileTypes: true })
    .flatMap((entry) => (entry.isDirectory() ? listFiles(path.join(directory, entry.name), base) : [path.relative(base, path.join(directory, entry.name))]))
    .sort();
}

/** A source or folder that does not exist, or another misuse: the CLI exits 2. */
export class CodegenUsageError extends Error {}

/** The generated files this run owns in `outDir`; others (the bundle, a .gitignore) are left alone. */
function owned(relative: string): boolean {
  return relative === 'clients.ts' || relative === 'activities.ts' || relative.endsWith('.sandbox.ts') || relative.startsWith(`schemas${path.sep}`);
}

/**
 * Reads the app, diagnoses it and generates its files. Diagnostics do not stop generation; the
 * CLI fails when there are any.
 */
export function runCodegen(options: CodegenOptions): CodegenResult {
  const root = path.resolve(options.root);
  const outDir = path.resolve(root, options.outDir ?? 'src/generated');
  const tsconfig = path.resolve(root, options.tsconfig ?? 'tsconfig.json');
  const manipulationSettings = { indentationText: IndentationText.TwoSpaces, quoteKind: QuoteKind.Single };
  const project = existsSync(tsconfig)
    ? new Project({ tsConfigFilePath: tsconfig, skipAddingFilesFromTsConfig: true, manipulationSettings })
    : new Project({ compilerOptions: { strict: true }, manipulationSettings });
  if (!existsSync(root)) throw new CodegenUsageError(`the app folder ${root} does not exist`);
  const files: string[] = [];
  for (const source of options.sources ?? ['src']) {
    const entry = path.resolve(root, source);
    if (!existsSync(entry)) throw new CodegenUsageError(`${source} does not exist in ${root}; give files or folders of the app`);
    collect(entry, outDir, files);
  }
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
  }
  return { model, diagnostics, files: generated, stale: stale.sort(), written, root, outDir, project };
}

/** The diagnostics as the CLI prints them. */
export function formatDiagnostics(result: CodegenResult, root: string): string {
  return result.diagnostics.map((diagnostic) => formatDiagnostic(diagnostic, path.resolve(root))).join('\n');
}

/** The bundle codegen leaves for workers: built from the sandbox copies, named by its content's hash. */
export interface PrebuiltBundle {
  /** Relative to `root`. */
  bundle: string;
  manifest: string;
  milliseconds: number;
}

/**
 * Builds the prebuilt workflow bundle from the sandbox copies written by {@link runCodegen}, with
 * `@mcp-agent/executor-temporal`'s bundler, and writes `workflow-bundle.<hash>.js` and
 * `workflow-bundle.json` (the sources it was built from, with their hashes) into `outDir`. A worker
 * given those workflow files loads it instead of bundling at start-up.
 */
export async function buildPrebuiltBundle(result: CodegenResult): Promise<PrebuiltBundle | undefined> {
  if (result.model.workflowFiles.length === 0) return undefined;
  const started = performance.now();
  const { root, outDir } = result;
  const temporal = (await import('@mcp-agent/executor-temporal')) as typeof import('@mcp-agent/executor-temporal');
  const bundle = await temporal.bundleWorkflows({
    workflowsPaths: result.model.workflowFiles.map((file) => sandboxPath(file, root, outDir)),
    // A fixed entry folder keeps module ids, and so the bundle, the same from run to run.
    entryDirectory: path.join(outDir, '.bundle-entry'),
  });
  const hash = createHash('sha256').update(bundle.code).digest('hex');
  const name = temporal.prebuiltBundleFileName(hash);
  for (const old of readdirSync(outDir)) if (temporal.PREBUILT_BUNDLE_FILE_PATTERN.test(old) && old !== name) rmSync(path.join(outDir, old));
  writeFileSync(path.join(outDir, name), bundle.code);
  const manifest: PrebuiltBundleManifest = {
    $comment: 'Code generated by @mcp-agent/codegen. DO NOT EDIT. Regenerate with: pnpm codegen.',
    bundle: name,
    sha256: hash,
    // Every local file the workflows reach, and the framework's versions: a change to any makes the bundle stale.
    sources: Object.fromEntries(localSources(result).map((file) => [relativePath(outDir, file), createHash('sha256').update(readFileSync(file)).digest('hex')])),
    packages: packageVersions(root),
    activities: [...result.model.tasks, ...result.model.workflows.flatMap((workflow) => workflow.tasks)]
      .map((task) => ({ name: task.name, source: `${relativePath(root, task.file)}:${task.line}` }))
      .sort((a, b) => a.name.localeCompare(b.name)),
    workflowFiles: result.model.workflowFiles.map((file) => relativePath(outDir, file)),
  };
  writeFileSync(path.join(outDir, temporal.PREBUILT_MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
  // The bundle holds absolute paths of this machine: it is built, not committed.
  writeFileSync(path.join(outDir, '.gitignore'), 'workflow-bundle.*\n.bundle-entry/\n');
  return {
    bundle: relativePath(root, path.join(outDir, name)),
    manifest: relativePath(root, path.join(outDir, temporal.PREBUILT_MANIFEST_FILE)),
    milliseconds: performance.now() - started,
  };
}

/** The workflow files and every local (non-package) file they import, directly or not. */
function localSources(result: CodegenResult): string[] {
  const seen = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file) || file.includes(`${path.sep}node_modules${path.sep}`) || file.startsWith(result.outDir)) return;
    seen.add(file);
    const source = result.project.getSourceFile(file);
    for (const referenced of source?.getReferencedSourceFiles() ?? []) visit(referenced.getFilePath());
  };
  result.model.workflowFiles.forEach(visit);
  return [...seen].sort();
}

/** The versions of the framework's packages the app resolves. */
function packageVersions(root: string): Record<string, string> {
  const versions: Record<string, string> = {};
  for (const name of ['@mcp-agent/core', '@mcp-agent/executor-temporal', '@temporalio/workflow']) {
    const version = installedPackageVersion(name, root);
    if (version !== undefined) versions[name] = version;
  }
  return versions;
}
