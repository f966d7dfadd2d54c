/**
 * `mcp-agent-codegen [--check] [--root dir] [--out dir] [sources...]`: generates an app's files,
 * or with `--check` fails when they are stale. Exit codes: 0 done, 1 diagnostics or stale files,
 * 2 usage errors.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { buildPrebuiltBundle, CodegenUsageError, formatDiagnostics, runCodegen } from './generate.js';

const USAGE = `usage: mcp-agent-codegen [--check] [--no-bundle] [--root <app folder>] [--out <folder>] [<file or folder>...]

Reads the app's workflow files (default: src) and writes src/generated/: typed clients
(clients.ts), the activity manifest (activities.ts), input schemas (schemas/*.input.json), the
sandbox-safe copy of each workflow module (*.sandbox.ts) and, when @mcp-agent/executor-temporal
is installed, the prebuilt workflow bundle that workers load (workflow-bundle.*.js, not committed).

  --check        write nothing; exit 1 when a generated file is stale or missing
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
  let result: ReturnType<typeof runCodegen>;
  try {
    result = runCodegen({ root, check, ...(outDir === undefined ? {} : { outDir }), ...(sources.length === 0 ? {} : { sources }) });
  } catch (error) {
    if (!(error instanceof CodegenUsageError)) throw error;
    writeError(`mcp-agent-codegen: ${error.message}\n${USAGE}\n`);
    return 2;
  }
  const workflows = result.model.workflows.length;
  if (result.diagnostics.length > 0) {
    writeError(`${formatDiagnostics(result, root)}\nmcp-agent-codegen: ${result.diagnostics.length} problem${result.diagnostics.length === 1 ? '' : 's'} in workflow code\n`);
  }
  if (check) {
    if (result.stale.length > 0) {
      writeError(`mcp-agent-codegen: generated files are stale: ${result.stale.join(', ')}; run pnpm codegen\n`);
      return 1;
    }
    write(`mcp-agent-codegen: ${workflows} workflow${workflows === 1 ? '' : 's'}, generated files up to date\n`);
  } else {
    write(`mcp-agent-codegen: ${workflows} workflow${workflows === 1 ? '' : 's'}; ${result.written.length === 0 ? 'nothing changed' : `wrote ${result.written.join(', ')}`}\n`);
    if (bundle && result.diagnostics.length === 0 && temporalInstalled()) {
      try {
        const built = await buildPrebuiltBundle(result);
        if (built !== undefined) write(`mcp-agent-codegen: workflow bundle ${built.bundle} (${Math.round(built.milliseconds)} ms)\n`);
      } catch (error) {
        writeError(`mcp-agent-codegen: ${error instanceof Error ? error.message : String(error)}\n`);
        return 1;
      }
    }
  }
  return result.diagnostics.length > 0 ? 1 : 0;
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
