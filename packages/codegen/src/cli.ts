/**
 * `mcp-agent-codegen [--check] [--force] [--root dir] [--out dir] [sources...]`: generates an app's
 * files, or with `--check` fails when they are stale. Exit codes: 0 done, 1 diagnostics or stale
 * files, 2 usage errors. A run first asks the cache whether anything changed; ts-morph (and
 * TypeScript) load only when something did.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { bundleCurrent, checkCache, CodegenUsageError, resolveOptions, type CodegenCache, type ResolvedOptions } from './cache.js';
import type { CodegenResult } from './generate.js';

const USAGE = `usage: mcp-agent-codegen [--check] [--force] [--no-bundle] [--root <app folder>] [--out <folder>] [<file or folder>...]

Reads the app's workflow files (default: src) and writes src/generated/: typed clients
(clients.ts), the activity manifest (activities.ts), input schemas (schemas/*.input.json), the
sandbox-safe copy of each workflow module (*.sandbox.ts) and, when @mcp-agent/executor-temporal
is installed, the prebuilt workflow bundle that workers load (workflow-bundle.*.js, not committed).
When no input changed and no generated file was touched since the last run (the cache in
node_modules/.cache/mcp-agent-codegen/ says so), it writes nothing and says so.

  --check        write nothing; exit 1 when a generated file is stale or missing
  --force        ignore the cache: read the app and rebuild the bundle even when nothing changed
  --no-bundle    skip the prebuilt workflow bundle
  --root <dir>   the app's folder, where its tsconfig.json is (default: the current folder)
  --out <dir>    the output folder, relative to the root (default: src/generated)
  --help         this text`;

/** Runs the CLI with `argv` (without node and the script); returns the exit code. */
export async function main(
  argv: readonly string[],
  write: (text: string) => void = (text) => process.stdout.write(text),
  writeError: (text: string) => void = (text) => process.stderr.write(text),
): Promise<number> {
  let check = false;
  let bundle = true;
  let force = false;
  let root = process.cwd();
  let outDir: string | undefined;
  const sources: string[] = [];
  for (let index = 0; index < argv.length; index += 1) {
    const argument = argv[index] as string;
    if (argument === '--help' || argument === '-h') {
      write(`${USAGE}\n`);
      return 0;
    }
    if (argument === '--check') check = true;
    else if (argument === '--no-bundle') bundle = false;
    else if (argument === '--force') force = true;
    else if (argument === '--root' || argument === '--out') {
      const value = argv[index + 1];
      if (value === undefined || value.startsWith('--')) {
        writeError(`mcp-agent-codegen: ${argument} needs a folder\n${USAGE}\n`);
        return 2;
      }
      if (argument === '--root') root = path.resolve(value);
      else outDir = value;
      index += 1;
    } else if (argument.startsWith('-')) {
      writeError(`mcp-agent-codegen: unknown option ${argument}\n${USAGE}\n`);
      return 2;
    } else sources.push(argument);
  }
  const options = resolveOptions({ root, ...(outDir === undefined ? {} : { outDir }), ...(sources.length === 0 ? {} : { sources }) });
  const withBundle = bundle && !check && temporalInstalled();
  let result: CodegenResult;
  let generate: typeof import('./generate.js');
  try {
    const verdict = force ? undefined : checkCache(options);
    if (verdict?.current === true) return await upToDate(options, verdict.cache, check, withBundle, write, writeError);
    generate = await import('./generate.js');
    result = generate.runCodegen({ ...options, check });
  } catch (error) {
    if (!(error instanceof CodegenUsageError)) throw error;
    writeError(`mcp-agent-codegen: ${error.message}\n${USAGE}\n`);
    return 2;
  }
  const { buildPrebuiltBundle, formatDiagnostics } = generate;
  const workflows = result.model.workflows.length;
  if (result.diagnostics.length > 0) {
    writeError(`${formatDiagnostics(result, root)}\nmcp-agent-codegen: ${result.diagnostics.length} problem${result.diagnostics.length === 1 ? '' : 's'} in workflow code\n`);
  }
  if (check) {
    if (result.stale.length > 0) {
      writeError(`mcp-agent-codegen: generated files are stale: ${result.stale.join(', ')}; run pnpm codegen\n`);
      return 1;
    }
    write(`mcp-agent-codegen: ${plural(workflows, 'workflow')}, generated files up to date\n`);
  } else {
    write(`mcp-agent-codegen: ${plural(workflows, 'workflow')}; ${result.written.length === 0 ? 'nothing changed' : `wrote ${result.written.join(', ')}`}\n`);
    if (withBundle && result.diagnostics.length === 0) {
      // The bundle is rebuilt only when its inputs (the sandbox copies and what they import) changed.
      const verdict = checkCache(options);
      if (!force && verdict.current && bundleCurrent(options, verdict.cache)) write('mcp-agent-codegen: workflow bundle up to date\n');
      else {
        const code = await reportBundle(() => buildPrebuiltBundle(result), write, writeError);
        if (code !== 0) return code;
      }
    }
  }
  return result.diagnostics.length > 0 ? 1 : 0;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/** A run where the cache says no input changed: nothing to read; at most the bundle to rebuild. */
async function upToDate(
  options: ResolvedOptions,
  cache: CodegenCache,
  check: boolean,
  withBundle: boolean,
  write: (text: string) => void,
  writeError: (text: string) => void,
): Promise<number> {
  if (check) {
    write(`mcp-agent-codegen: ${plural(cache.workflows, 'workflow')}, generated files up to date\n`);
    return 0;
  }
  if (!withBundle || cache.bundle.workflowFiles.length === 0 || bundleCurrent(options, cache)) {
    write(`mcp-agent-codegen: ${plural(cache.workflows, 'workflow')}; everything up to date\n`);
    return 0;
  }
  write(`mcp-agent-codegen: ${plural(cache.workflows, 'workflow')}; generated files up to date\n`);
  const { writeBundle } = await import('./bundle.js');
  const absolute = (files: string[]): string[] => files.map((file) => path.resolve(options.root, file));
  return reportBundle(
    () => writeBundle(options, { workflowFiles: absolute(cache.bundle.workflowFiles), sources: absolute(cache.bundle.sources), activities: cache.bundle.activities }),
    write,
    writeError,
  );
}

/** Builds the bundle and reports it; 1 when bundling fails. */
async function reportBundle(
  build: () => Promise<{ bundle: string; milliseconds: number } | undefined>,
  write: (text: string) => void,
  writeError: (text: string) => void,
): Promise<number> {
  try {
    const built = await build();
    if (built !== undefined) write(`mcp-agent-codegen: workflow bundle ${built.bundle} (${Math.round(built.milliseconds)} ms)\n`);
    return 0;
  } catch (error) {
    writeError(`mcp-agent-codegen: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}

/** Whether the Temporal engine (and its bundler) is installed beside codegen. */
function temporalInstalled(): boolean {
  try {
    createRequire(import.meta.url).resolve('@mcp-agent/executor-temporal/package.json');
    return true;
  } catch {
    return false;
  }
}
