/**
 * How the lean-worker benchmark talks to its worker processes (the framework's and the bare
 * one): the process gets its settings as one JSON argument, prints one JSON line per event on
 * stdout (`phase` as start-up goes on, `polling` once the worker polls, `report` with its memory
 * when asked), and takes `report` and `stop` on stdin. It stops when stdin closes (the benchmark
 * is gone) and exits by itself after its deadline.
 */
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';

/** What the benchmark hands a worker process. */
export interface LeanWorkerArgs {
  /** `host:port` of the Temporal dev server. */
  address: string;
  taskQueue: string;
  /** The OpenAI-compatible base URL of the local model server. */
  llmBaseUrl: string;
  apiKey: string;
  /** The folder the filesystem MCP server serves. */
  directory: string;
  /** The entry script of `@modelcontextprotocol/server-filesystem`, run with `node`. */
  filesystemEntry: string;
  /** The process exits with code 2 after this many milliseconds, whatever happens. */
  deadlineMs: number;
}

/** One line a worker process prints: what happened, and when (milliseconds since the process started). */
export interface LeanWorkerEvent {
  event: 'phase' | 'polling' | 'report' | 'stopped' | 'error';
  /** `performance.now()`: milliseconds since the process started. */
  at: number;
  name?: string;
  memory?: NodeJS.MemoryUsage;
  /** `process.cpuUsage()`: CPU time of the whole process (all its threads) so far, in microseconds. */
  cpu?: NodeJS.CpuUsage;
  message?: string;
}

/** The settings the benchmark passed as the first argument. */
export function leanWorkerArgs(): LeanWorkerArgs {
  const text = process.argv[2];
  if (text === undefined) throw new Error('a lean-worker process takes its settings as one JSON argument; it is started by lean-worker.bench.ts');
  return JSON.parse(text) as LeanWorkerArgs;
}

/** Prints one event line. */
export function say(event: LeanWorkerEvent['event'], data: Omit<LeanWorkerEvent, 'event' | 'at'> = {}): void {
  process.stdout.write(`${JSON.stringify({ event, at: performance.now(), ...data })}\n`);
}

/**
 * Says `polling` once the worker's run has begun (one turn of the event loop after `run()`), then
 * answers `report` and calls `stop` on `stop`, on the end of stdin, or never after the deadline
 * (the process exits with code 2 then).
 */
export function serveCommands(args: LeanWorkerArgs, stop: () => void): void {
  const deadline = setTimeout(() => {
    say('error', { message: `deadline of ${args.deadlineMs} ms passed` });
    process.exit(2);
  }, args.deadlineMs);
  deadline.unref();
  setImmediate(() => say('polling'));
  let stopped = false;
  const stopOnce = (): void => {
    if (stopped) return;
    stopped = true;
    stop();
  };
  const lines = createInterface({ input: process.stdin });
  lines.on('line', (line) => {
    if (line === 'report') say('report', { memory: process.memoryUsage(), cpu: process.cpuUsage() });
    if (line === 'stop') stopOnce();
  });
  lines.on('close', stopOnce);
}
