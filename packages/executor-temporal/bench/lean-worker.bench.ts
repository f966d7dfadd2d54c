/**
 * The framework's worker against a bare Temporal SDK worker written by hand, side by side, each in
 * its own process, on one Temporal dev server.
 *
 * Both workers do the same work: agent workflows of ten activities (the filesystem MCP server's
 * tools listed once, then six model calls to the local model server of `@mcp-agent/testing`
 * through the `openai` client and three tool calls to `@modelcontextprotocol/server-filesystem`
 * over stdio). The framework's side is an mcp-agent app (`Agent`, `OpenAIAugmentedLLM`,
 * `agent.callTool`) run by `createTemporalWorker` as `mcp-agent worker` runs it; the bare side a
 * workflow function with `proxyActivities` whose activities call the `openai` client and an MCP
 * SDK `Client` directly. Both bundle their workflow module at start-up. The framework's packages
 * load from their build, as an installed app has them (`npm run bench` builds them first).
 *
 * Each round starts a fresh worker process per side (the order alternates between rounds), times
 * it from spawn to polling, runs a few warm-up workflows, then 50 workflows started at once, and
 * reads the worker's resident memory afterwards. Prints, per side, throughput (workflows per
 * second), p50 latency (start to result), RSS and start-up; and the four ratios framework/bare,
 * each the median of the per-round ratios, against the targets.
 *
 * Run: npm run bench (root), or from this package: tsx --conditions=mcp-agent-source bench/lean-worker.bench.ts
 * Environment: LEAN_BENCH_ROUNDS (default 3), LEAN_BENCH_WORKFLOWS (default 50),
 * LEAN_BENCH_FRAMEWORK_NODE_ARGS / LEAN_BENCH_BARE_NODE_ARGS (extra node flags for that side's
 * worker processes, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`), LEAN_BENCH_HISTORY_DIR (a folder
 * where each side's first measured history is written as JSON), LEAN_BENCH_FRAMEWORK_FROM=src (the
 * framework's packages from their TypeScript sources, through tsx, instead of their build),
 * LEAN_BENCH_BARE_SCHEMA_CACHE=1 (the bare worker's MCP client compiles each output schema once,
 * as the framework's does, instead of at every listing as the SDK's client does on its own).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startLocalLlmServer, type LocalLlmServer } from '@mcp-agent/testing';
import { Client, Connection } from '@temporalio/client';
import { elapsedMs, median, percentile, startDevServer, type DevServer } from './dev-server.js';
import { LEAN_NOTE_FILE, LEAN_NOTE_TEXT, leanOutputProblem, type LeanInput, type LeanOutput } from './lean-plan.js';
import type { LeanWorkerArgs, LeanWorkerEvent } from './lean-worker-protocol.js';

const ROUNDS = positiveInteger('LEAN_BENCH_ROUNDS', 3);
const WORKFLOWS = positiveInteger('LEAN_BENCH_WORKFLOWS', 50);
/** Where the framework's packages load from: `dist`, their build, as an installed app has them (the default), or `src`, their TypeScript sources. */
const FRAMEWORK_FROM = process.env.LEAN_BENCH_FRAMEWORK_FROM === 'src' ? 'src' : 'dist';

/** Workflows each worker runs before the measured batch, not counted (JIT, connections, the MCP server process). */
const WARM_UP_WORKFLOWS = 5;
/** Ceilings of framework/bare: throughput and latency within 1.05x of bare, memory and start-up within 1.15x. */
const TARGETS = { throughput: 1.05, latency: 1.05, rss: 1.15, startUp: 1.15 } as const;
const API_KEY = 'sk-local-test';
/** A worker process that has not said `polling` by then is a failure. */
const START_UP_LIMIT_MS = 120_000;
/** The whole benchmark ends by then, killing what it started. */
const BENCH_DEADLINE_MS = 10 * 60_000;

const HERE = path.dirname(fileURLToPath(import.meta.url));
const PACKAGE_DIR = path.resolve(HERE, '..');
const ROOT = path.resolve(PACKAGE_DIR, '../..');
if (FRAMEWORK_FROM === 'dist') {
  const missing = ['core', 'mcp-client', 'providers-openai', 'executor-temporal'].filter((name) => !existsSync(path.join(ROOT, 'packages', name, 'dist')));
  if (missing.length > 0) {
    throw new Error(
      `the framework's build is missing (packages ${missing.join(', ')}): run npm run bench from the repository root, which builds it, or set LEAN_BENCH_FRAMEWORK_FROM=src`,
    );
  }
}
const require = createRequire(import.meta.url);
/** tsx's loader, so that a worker process is one `node` process (its pid is the worker's own, for /proc). */
const TSX_LOADER = pathToFileURL(path.join(path.dirname(require.resolve('tsx/package.json')), 'dist/loader.mjs')).href;
/** The filesystem server, as @mcp-agent/mcp-client (a dev dependency of this package) has it installed. */
const FILESYSTEM_ENTRY = path.join(
  path.dirname(createRequire(path.join(ROOT, 'packages/mcp-client/package.json')).resolve('@modelcontextprotocol/server-filesystem/package.json')),
  'dist/index.js',
);

type Side = 'framework' | 'bare';
const SIDES = {
  framework: { script: path.join(HERE, 'lean-framework-worker.ts'), workflowType: 'LeanAgentWorkflow', nodeArgs: process.env.LEAN_BENCH_FRAMEWORK_NODE_ARGS },
  bare: { script: path.join(HERE, 'lean-bare-worker.ts'), workflowType: 'leanBareAgent', nodeArgs: process.env.LEAN_BENCH_BARE_NODE_ARGS },
} as const;

function positiveInteger(name: string, fallback: number): number {
  const text = process.env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name}: expected a positive whole number, got ${JSON.stringify(text)}`);
  return value;
}

/** One side's figures from one round. */
interface SideRun {
  side: Side;
  round: number;
  /** Spawn to the worker's `polling` line. */
  startUpMs: number;
  /** Milliseconds since the process started at each start-up phase the worker printed. */
  phases: Record<string, number>;
  /** The measured batch: first start to last result. */
  batchMs: number;
  throughput: number;
  latencies: number[];
  p50: number;
  /** VmRSS of /proc/<pid>/status after the batch, in bytes. */
  rss: number;
  /** VmHWM (peak RSS) of the process, in bytes. */
  peakRss: number;
  /** `process.memoryUsage()` the worker reported after the batch. */
  memory: NodeJS.MemoryUsage;
  /** CPU time (user and system, all threads) the worker process spent on the measured batch, per workflow. */
  cpuMsPerWorkflow: number;
  /** The activity types of one run, from its history. */
  activities: string[];
  historyEvents: number;
  historyBytes: number;
}

/** Bytes of `VmRSS` or `VmHWM` in /proc/<pid>/status. */
function procStatus(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((entry) => entry.startsWith(`${field}:`));
  const kib = Number(line?.split(/\s+/)[1]);
  if (!Number.isFinite(kib)) throw new Error(`no ${field} in /proc/${pid}/status`);
  return kib * 1024;
}

/** Worker processes not yet exited, killed if the benchmark runs out of time. */
const LIVE_WORKERS = new Set<ChildProcess>();

/** A worker process and the events it prints. */
class WorkerProcess {
  readonly child: ChildProcess;
  readonly #events: LeanWorkerEvent[] = [];
  readonly #waiters: Array<() => void> = [];
  #stderr = '';

  constructor(side: Side, args: LeanWorkerArgs) {
    const extra = SIDES[side].nodeArgs?.split(/\s+/).filter((flag) => flag !== '') ?? [];
    const conditions = side === 'framework' && FRAMEWORK_FROM === 'dist' ? [] : ['--conditions=mcp-agent-source'];
    this.child = spawn(process.execPath, [...conditions, '--import', TSX_LOADER, ...extra, SIDES[side].script, JSON.stringify(args)], {
      cwd: PACKAGE_DIR,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    LIVE_WORKERS.add(this.child);
    this.child.once('exit', () => LIVE_WORKERS.delete(this.child));
    createInterface({ input: this.child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      try {
        this.#events.push(JSON.parse(line) as LeanWorkerEvent);
      } catch {
        this.#stderr = `${this.#stderr}${line}\n`.slice(-8_000);
      }
      for (const wake of this.#waiters.splice(0)) wake();
    });
    this.child.stderr?.on('data', (chunk: Buffer) => {
      this.#stderr = (this.#stderr + chunk.toString()).slice(-8_000);
    });
    this.child.once('exit', () => {
      for (const wake of this.#waiters.splice(0)) wake();
    });
  }

  get events(): readonly LeanWorkerEvent[] {
    return this.#events;
  }

  /** The first event `event` (after `after` events), waiting for it up to `milliseconds`. */
  async next(event: LeanWorkerEvent['event'], milliseconds: number, after = 0): Promise<LeanWorkerEvent> {
    const deadline = Date.now() + milliseconds;
    for (;;) {
      const found = this.#events.slice(after).find((entry) => entry.event === event);
      if (found !== undefined) return found;
      if (this.child.exitCode !== null || this.child.signalCode !== null) {
        throw new Error(`the worker process exited (${this.child.exitCode ?? this.child.signalCode}) before "${event}":\n${this.#stderr}`);
      }
      if (Date.now() > deadline) throw new Error(`no "${event}" from the worker process within ${milliseconds} ms:\n${this.#stderr}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 250);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Asks the worker to stop; kills it after 20 s. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.stdin?.end('stop\n');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 20_000);
    await exited;
    clearTimeout(timer);
  }
}

/** Starts `count` workflows at once on `taskQueue`; the time to the last result and each one's start-to-result latency. */
async function batch(client: Client, side: Side, taskQueue: string, directory: string, count: number, prefix: string): Promise<{ milliseconds: number; latencies: number[] }> {
  const started = process.hrtime.bigint();
  const latencies = await Promise.all(
    Array.from({ length: count }, async (_, id) => {
      const own = process.hrtime.bigint();
      const input: LeanInput = { id, directory };
      const handle = await client.workflow.start(SIDES[side].workflowType, { taskQueue, workflowId: `${prefix}-${id}`, args: [input] });
      const result = (await handle.result()) as unknown;
      const output = (side === 'framework' ? (result as { value?: LeanOutput }).value : result) as LeanOutput | undefined;
      const problem = leanOutputProblem(input, output);
      if (problem !== undefined) throw new Error(`${side} workflow ${prefix}-${id}: ${problem}`);
      return elapsedMs(own);
    }),
  );
  return { milliseconds: elapsedMs(started), latencies };
}

/** The activity types, event count and size of a finished run's history. */
async function historyOf(client: Client, workflowId: string): Promise<{ activities: string[]; events: number; bytes: number }> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const events = history.events ?? [];
  const activities = events.flatMap((event) => {
    const name = event.activityTaskScheduledEventAttributes?.activityType?.name;
    return name === undefined || name === null ? [] : [name];
  });
  if (process.env.LEAN_BENCH_HISTORY_DIR) writeFileSync(path.join(process.env.LEAN_BENCH_HISTORY_DIR, `${workflowId}.json`), JSON.stringify(history, null, 1));
  return { activities, events: events.length, bytes: Buffer.byteLength(JSON.stringify(history)) };
}

/** The worker's `report`: its memory and CPU time now. */
async function askReport(worker: WorkerProcess): Promise<LeanWorkerEvent> {
  const seen = worker.events.length;
  worker.child.stdin?.write('report\n');
  return worker.next('report', 10_000, seen);
}

async function runSide(side: Side, round: number, context: { client: Client; address: string; llm: LocalLlmServer; directory: string }): Promise<SideRun> {
  const taskQueue = `lean-${side}-${round}-${process.pid}`;
  const args: LeanWorkerArgs = {
    address: context.address,
    taskQueue,
    llmBaseUrl: context.llm.openaiBaseUrl,
    apiKey: API_KEY,
    directory: context.directory,
    filesystemEntry: FILESYSTEM_ENTRY,
    deadlineMs: BENCH_DEADLINE_MS,
  };
  const spawned = process.hrtime.bigint();
  const worker = new WorkerProcess(side, args);
  try {
    await worker.next('polling', START_UP_LIMIT_MS);
    const startUpMs = elapsedMs(spawned);
    const phases = Object.fromEntries(worker.events.filter((event) => event.event === 'phase').map((event) => [event.name ?? '?', event.at]));
    const polling = worker.events.find((event) => event.event === 'polling');
    if (polling !== undefined) phases.polling = polling.at;
    await batch(context.client, side, taskQueue, context.directory, WARM_UP_WORKFLOWS, `${taskQueue}-warm`);
    const before = await askReport(worker);
    const measured = await batch(context.client, side, taskQueue, context.directory, WORKFLOWS, taskQueue);
    const report = await askReport(worker);
    const cpuMicros = (report.cpu?.user ?? 0) + (report.cpu?.system ?? 0) - (before.cpu?.user ?? 0) - (before.cpu?.system ?? 0);
    const pid = worker.child.pid as number;
    const rss = procStatus(pid, 'VmRSS');
    const peakRss = procStatus(pid, 'VmHWM');
    const history = await historyOf(context.client, `${taskQueue}-0`);
    const sorted = [...measured.latencies].sort((left, right) => left - right);
    return {
      side,
      round,
      startUpMs,
      phases,
      batchMs: measured.milliseconds,
      throughput: WORKFLOWS / (measured.milliseconds / 1000),
      latencies: measured.latencies,
      p50: percentile(sorted, 0.5),
      rss,
      peakRss,
      memory: report.memory as NodeJS.MemoryUsage,
      cpuMsPerWorkflow: cpuMicros / 1000 / WORKFLOWS,
      activities: history.activities,
      historyEvents: history.events,
      historyBytes: history.bytes,
    };
  } finally {
    await worker.stop();
  }
}

const MiB = 1024 * 1024;

function report(runs: SideRun[]): boolean {
  const of = (side: Side) => runs.filter((run) => run.side === side).sort((left, right) => left.round - right.round);
  const framework = of('framework');
  const bare = of('bare');
  const first = { framework: framework[0] as SideRun, bare: bare[0] as SideRun };
  console.log(
    `\n${ROUNDS} rounds (order: ${runs.map((run) => run.side).join(', ')}); per worker process: ${WARM_UP_WORKFLOWS} warm-up workflows, then ${WORKFLOWS} started at once; the framework's packages from their ${FRAMEWORK_FROM === 'dist' ? 'build' : 'sources'}; the bare MCP client ${process.env.LEAN_BENCH_BARE_SCHEMA_CACHE === '1' ? 'compiling each output schema once (LEAN_BENCH_BARE_SCHEMA_CACHE=1)' : 'compiling output schemas at every listing, as the SDK does'}`,
  );
  for (const side of ['framework', 'bare'] as const) {
    const run = first[side];
    console.log(
      `${side.padEnd(10)} ${run.activities.length} activities per run (${run.activities.join(', ')}); history ${run.historyEvents} events, ${(run.historyBytes / 1024).toFixed(0)} KiB`,
    );
  }
  console.log(
    '\n(wf/s: workflows over first start to last result; p50: start-to-result latency; RSS: VmRSS after the batch, peak VmHWM; start-up: spawn to polling;\n' +
      ' CPU ms/wf: CPU time of the worker process (all threads) over the measured batch, per workflow, which other load on the machine disturbs less)\n',
  );
  console.log(
    `${'side'.padEnd(11)}${'round'.padStart(6)}${'wf/s'.padStart(8)}${'p50 ms'.padStart(9)}${'RSS MiB'.padStart(9)}${'peak'.padStart(7)}${'heap'.padStart(7)}${'start ms'.padStart(10)}${'CPU ms/wf'.padStart(11)}  phases (ms since process start)`,
  );
  for (const run of [...runs].sort((left, right) => left.side.localeCompare(right.side) || left.round - right.round)) {
    const phases = Object.entries(run.phases)
      .map(([name, at]) => `${name} ${at.toFixed(0)}`)
      .join(', ');
    console.log(
      `${run.side.padEnd(11)}${String(run.round + 1).padStart(6)}${run.throughput.toFixed(1).padStart(8)}${run.p50.toFixed(0).padStart(9)}${(run.rss / MiB).toFixed(0).padStart(9)}${(run.peakRss / MiB).toFixed(0).padStart(7)}${(run.memory.heapUsed / MiB).toFixed(0).padStart(7)}${run.startUpMs.toFixed(0).padStart(10)}${run.cpuMsPerWorkflow.toFixed(1).padStart(11)}  ${phases}`,
    );
  }
  const perRound = (value: (run: SideRun) => number, invert: boolean) =>
    framework.map((run, index) => {
      const ratio = value(run) / value(bare[index] as SideRun);
      return invert ? 1 / ratio : ratio;
    });
  // Throughput: bare/framework, so that every ratio reads "how many times worse than bare" (1.05 = 5% slower).
  const rows = [
    { name: 'throughput (bare/framework wf/s)', ratios: perRound((run) => run.throughput, true), target: TARGETS.throughput },
    { name: 'p50 latency (framework/bare)', ratios: perRound((run) => run.p50, false), target: TARGETS.latency },
    { name: 'RSS (framework/bare)', ratios: perRound((run) => run.rss, false), target: TARGETS.rss },
    { name: 'start-up (framework/bare)', ratios: perRound((run) => run.startUpMs, false), target: TARGETS.startUp },
  ];
  console.log(
    `\nmedians: framework ${median(framework.map((run) => run.throughput)).toFixed(1)} wf/s, p50 ${median(framework.map((run) => run.p50)).toFixed(0)} ms, RSS ${(median(framework.map((run) => run.rss)) / MiB).toFixed(0)} MiB, start-up ${median(framework.map((run) => run.startUpMs)).toFixed(0)} ms`,
  );
  console.log(
    `         bare      ${median(bare.map((run) => run.throughput)).toFixed(1)} wf/s, p50 ${median(bare.map((run) => run.p50)).toFixed(0)} ms, RSS ${(median(bare.map((run) => run.rss)) / MiB).toFixed(0)} MiB, start-up ${median(bare.map((run) => run.startUpMs)).toFixed(0)} ms`,
  );
  console.log(`\nratio (median of the per-round ratios; 1.00 = as bare, above = worse)\n`);
  let met = true;
  for (const row of rows) {
    const value = median(row.ratios);
    const ok = value <= row.target;
    met &&= ok;
    console.log(
      `${row.name.padEnd(34)}${value.toFixed(3).padStart(7)}  ${ok ? 'within' : 'OVER'} the ${row.target.toFixed(2)} target   rounds: ${row.ratios.map((ratio) => ratio.toFixed(3)).join(', ')}`,
    );
  }
  const cpu = median(perRound((run) => run.cpuMsPerWorkflow, false));
  console.log(`${'CPU per workflow (framework/bare)'.padEnd(34)}${cpu.toFixed(3).padStart(7)}  (no target; for reading the others on a busy machine)`);
  return met;
}

async function main(): Promise<void> {
  const started = Date.now();
  let server: DevServer | undefined;
  let llm: LocalLlmServer | undefined;
  let connection: Connection | undefined;
  const directory = mkdtempSync(path.join(os.tmpdir(), 'lean-worker-bench-'));
  const deadline = setTimeout(() => {
    console.error(`lean-worker bench: over its deadline of ${BENCH_DEADLINE_MS} ms; stopping`);
    for (const child of LIVE_WORKERS) child.kill('SIGKILL');
    server?.kill();
    process.exit(1);
  }, BENCH_DEADLINE_MS);
  deadline.unref();
  try {
    writeFileSync(path.join(directory, LEAN_NOTE_FILE), LEAN_NOTE_TEXT);
    server = await startDevServer(ROOT);
    llm = await startLocalLlmServer({ script: { rules: [{ match: () => true, reply: (request) => ({ text: `ok ${request.lastUserMessage}` }) }] } });
    connection = await Connection.connect({ address: server.address });
    const client = new Client({ connection });
    const context = { client, address: server.address, llm, directory };
    const runs: SideRun[] = [];
    for (let round = 0; round < ROUNDS; round += 1) {
      // framework first in even rounds, bare first in odd ones, so drift hits both alike.
      const order: Side[] = round % 2 === 0 ? ['framework', 'bare'] : ['bare', 'framework'];
      for (const side of order) runs.push(await runSide(side, round, context));
    }
    const met = report(runs);
    console.log(`\nmodel requests served: ${llm.requests.length}; bench took ${((Date.now() - started) / 1000).toFixed(0)} s${met ? '' : '; some targets not met (see above)'}`);
  } finally {
    await connection?.close();
    await llm?.close();
    await server?.stop();
    rmSync(directory, { recursive: true, force: true });
    clearTimeout(deadline);
  }
}

await main();
