/**
 * `mcp-agent dev`: `mcp-agent worker` in a child process, restarted when a file of the app changes.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { type FSWatcher, watch } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { CommandIo, CommandRun } from '../command.js';
import { appModulesFrom } from '../settings.js';

/** How long to wait for more changes (an editor's save writes several times) before restarting. */
const SETTLE_MS = 200;
/** Changes to these are not the app's code: the generated files (codegen rewrites them), dependencies, git. */
const IGNORED = /(^|[\\/])(generated|node_modules|\.git|dist)([\\/]|$)/;
const CODE = /\.(m|c)?(t|j)sx?$|\.json$|\.ya?ml$/;

/** The command line that runs this package's `mcp-agent` in a child: the built entry, or from source with tsx. */
function workerCommandLine(args: readonly string[]): string[] {
  const bin = fileURLToPath(new URL('../../bin/mcp-agent.js', import.meta.url));
  if (!import.meta.url.endsWith('.ts')) return [bin, 'worker', ...args];
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  return ['--import', tsx, '--conditions=mcp-agent-source', bin, 'worker', ...args];
}

/** The worker's arguments: the options given to `dev`, with the app and config as absolute paths. */
function workerArguments(values: Record<string, unknown>, modules: readonly string[], cwd: string): string[] {
  const args = modules.flatMap((module) => ['--app', module]);
  if (values['config'] !== undefined) args.push('--config', path.resolve(cwd, values['config'] as string));
  if (values['task-queue'] !== undefined) args.push('--task-queue', values['task-queue'] as string);
  if (values['max-concurrent-activities'] !== undefined) args.push('--max-concurrent-activities', values['max-concurrent-activities'] as string);
  return args;
}

/** Starts the worker; its output goes to `io` as it comes. */
function startWorker(commandLine: readonly string[], io: CommandIo): ChildProcess {
  const child = spawn(process.execPath, commandLine, { cwd: io.cwd, env: { ...io.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.on('data', (chunk: Buffer) => io.stdout(chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => io.stderr(chunk.toString()));
  return child;
}

/** Stops a worker (it shuts down on SIGTERM, finishing its tasks) and resolves once it has exited. */
async function stopWorker(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  await exited;
}

export const dev: CommandRun = async ({ values }, io) => {
  const modules = appModulesFrom(values, io.cwd, true) as string[];
  const commandLine = workerCommandLine(workerArguments(values, modules, io.cwd));
  const folders = [...new Set(modules.map((module) => path.dirname(module)))];
  io.stdout(`watching ${folders.map((folder) => path.relative(io.cwd, folder) || '.').join(', ')}: the worker restarts when a file there changes; Ctrl-C to stop\n`);
  let worker = startWorker(commandLine, io);
  let timer: NodeJS.Timeout | undefined;
  let restarting = Promise.resolve();
  const changed = new Set<string>();
  const restart = (): void => {
    const files = [...changed].sort();
    changed.clear();
    restarting = restarting.then(async () => {
      io.stdout(`${files.join(', ')} changed: restarting the worker\n`);
      await stopWorker(worker);
      if (!io.signal.aborted) worker = startWorker(commandLine, io);
    });
  };
  const watchers: FSWatcher[] = folders.map((folder) =>
    watch(folder, { recursive: true }, (_event, file) => {
      if (file === null || IGNORED.test(file) || !CODE.test(file)) return;
      changed.add(path.relative(io.cwd, path.join(folder, file)));
      clearTimeout(timer);
      timer = setTimeout(restart, SETTLE_MS);
    }),
  );
  await new Promise<void>((resolve) => {
    if (io.signal.aborted) resolve();
    else io.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  clearTimeout(timer);
  for (const watcher of watchers) watcher.close();
  await restarting;
  await stopWorker(worker);
  io.stdout('dev stopped\n');
  return 0;
};
