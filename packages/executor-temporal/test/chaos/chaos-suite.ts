/**
 * The chaos suite: agent workflows (an OpenAI model on the local model server of
 * `@mcp-agent/testing`, an MCP stdio server) on a Temporal dev server with a persisted database,
 * with workers in their own processes, through one phase per fault:
 *
 * - `model-faults`: 429, 5xx and malformed answers from the model server;
 * - `mcp-faults`: tool calls that crash their MCP server process or hang;
 * - `worker-kills`: workers SIGKILLed at random points, replacements started;
 * - `server-restart`: the Temporal server killed with `kill -9` mid-run and restarted on its
 *   database file.
 *
 * For each phase it measures the workflows started, completed correctly and lost (not completed
 * correctly by the deadline), the model calls repeated beyond those in flight at a fault (counted
 * per workflow and step at the model server, against each call's completion in the history), and
 * the time to recover from each fault. Everything it starts listens on 127.0.0.1 and is killed
 * when it ends, even when it fails.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createLogger } from '@mcp-agent/core';
import { parseSettings, type SettingsInput } from '@mcp-agent/core/config';
import type { temporal } from '@temporalio/proto';
import { startLocalLlmServer, type LlmReply, type LocalLlmServer, type RecordedLlmRequest } from '@mcp-agent/testing';
import { createTemporalEngine, type TemporalExecutor } from '../../src/index.js';
import type { ChaosMcpEvent } from './chaos-mcp-server.js';
import { ChaosAgentWorkflow, chaosAnswer, chaosApp, chaosEcho, type ChaosRunInput, type ChaosRunOutput } from './chaos-workflows.js';

/** Options of {@link runChaosSuite}; the defaults finish in about two to three minutes on two cores. */
export interface ChaosSuiteOptions {
  /** The Temporal CLI (`temporal`), as `tools/install-temporal.sh` prints it. */
  temporalCliPath: string;
  /** Workflows started in each phase. Default 16. */
  workflowsPerPhase?: number;
  /** Model round trips (each followed by a tool call) per workflow. Default 4. */
  steps?: number;
  /** Worker processes polling at once. Default 2. */
  workers?: number;
  /** Workers SIGKILLed in the `worker-kills` phase. Default 5. */
  workerKills?: number;
  /** Times the Temporal server is killed and restarted in the `server-restart` phase. Default 2. */
  serverRestarts?: number;
  /** How long the Temporal server stays down in the `server-restart` phase, in seconds. Default 2. */
  serverDownSeconds?: number;
  /** A phase's workflows not completed correctly by this many seconds after its start are lost. Default 90. */
  phaseDeadlineSeconds?: number;
  /** `temporal.heartbeat_timeout_seconds` of the workers. Default 4. */
  heartbeatTimeoutSeconds?: number;
  /**
   * `mcp.servers.chaos.session.scope` of the workers (`process`, `run` or `pool`). Default: unset,
   * so the config's default (`process`: one session shared by every run on a worker).
   */
  mcpSessionScope?: 'process' | 'run' | 'pool';
  /** Seed of the random fault points, fault draws and model delays (timing still varies between runs). Default: from the clock (printed). */
  seed?: number;
  /** Where progress lines go. Default: nowhere. */
  log?: (line: string) => void;
}

/** One fault of a phase and how long the suite took to get over it. */
export interface ChaosFault {
  /** What happened: `server-kill`, `worker-kill`, `mcp-crash`, `mcp-hang`, `model-429`, `model-5xx`, `model-malformed`. */
  kind: string;
  /** When, in milliseconds after the phase started. */
  atMs: number;
  /** From the fault to the next activity completed in the phase, in milliseconds; undefined when none followed. */
  firstCompletionMs: number | undefined;
  /**
   * From the fault until every model call in flight at it (for a scripted model fault, the call it
   * answered) had completed, in milliseconds; undefined when one never completed. Equal to
   * `firstCompletionMs` when no call was in flight.
   */
  recoveryMs: number | undefined;
}

/** The figures of one phase. */
export interface ChaosPhaseFigures {
  name: string;
  /** What the phase does, in words. */
  description: string;
  started: number;
  completed: number;
  lost: number;
  /** Why each lost workflow is lost. */
  lostWorkflows: { workflowId: string; reason: string }[];
  /** Requests that reached the model server. */
  modelCalls: number;
  /** Requests beyond one per (workflow, step) that an earlier request explains: in flight at a kill, or answered with a scripted fault. */
  retriedInFlight: number;
  /** Requests beyond one per (workflow, step) that nothing explains, or that came after the call had completed. */
  repeatedBeyondInFlight: number;
  /** Of those, the requests sent after the call's completion was in the history. */
  repeatedAfterCompletion: number;
  /** Tool calls (echo) that completed on a later attempt than their first. */
  toolCallsRetried: number;
  /** Worker processes that exited without being killed by the suite. */
  workersExitedUnasked: number;
  faults: ChaosFault[];
  durationMs: number;
}

/** The figures of a whole run. */
export interface ChaosReport {
  seed: number;
  startedAt: string;
  durationMs: number;
  phases: ChaosPhaseFigures[];
  lost: number;
  repeatedBeyondInFlight: number;
  /** True when no workflow was lost and no completed model call was repeated beyond those in flight. */
  passed: boolean;
}

/** A run's model calls are recognised by the tag and step its prompts carry. */
const CHAOS_PROMPT = /^\[chaos (\S+) step (\d+)\]/;
const MODEL_ACTIVITY = 'llm.openai.complete';
const TOOL_ACTIVITY = 'mcp.callTool';
const HERE = path.dirname(fileURLToPath(import.meta.url));
/** The package's directory: workers run there, so that the app's services find its MCP client package. */
const PACKAGE_DIRECTORY = path.resolve(HERE, '../..');

/** A small seeded generator (mulberry32): a run's draws follow from its printed seed. */
function randomFrom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function portAccepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Milliseconds of a history event time (protobuf seconds may be a Long). */
function millis(time: { seconds?: unknown; nanos?: number | null } | null | undefined): number {
  const seconds = time?.seconds as { toNumber?: () => number } | number | undefined;
  return (typeof seconds === 'object' && seconds?.toNumber !== undefined ? seconds.toNumber() : Number(seconds ?? 0)) * 1000 + (time?.nanos ?? 0) / 1e6;
}

function callsText(count: number): string {
  return `${count} model call${count === 1 ? '' : 's'}`;
}

function secondsText(milliseconds: number | undefined): string {
  return milliseconds === undefined ? 'never' : `${(milliseconds / 1000).toFixed(1)} s`;
}

/** A process the suite started: killed (SIGKILL) on the way out whatever happens. */
const children = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

/** Waits for a child to exit, or gives up after `milliseconds`. */
async function exited(child: ChildProcess, milliseconds: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await Promise.race([new Promise((resolve) => child.once('exit', resolve)), delay(milliseconds)]);
}

/** The Temporal dev server of the suite: its own ports and SQLite file, killed and restarted at will. */
class ChaosTemporalServer {
  #process: ChildProcess | undefined;
  #stderr = '';

  constructor(
    readonly cli: string,
    readonly port: number,
    readonly databaseFile: string,
  ) {}

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** Starts the server on its database file and resolves once its port accepts connections. */
  async start(): Promise<void> {
    const [httpPort, metricsPort] = [await freePort(), await freePort()];
    const args = [
      'server',
      'start-dev',
      '--db-filename',
      this.databaseFile,
      '--ip',
      '127.0.0.1',
      '--port',
      String(this.port),
      '--http-port',
      String(httpPort),
      '--metrics-port',
      String(metricsPort),
      '--headless',
      '--log-level',
      'error',
    ];
    const child = spawn(this.cli, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    children.add(child);
    child.once('exit', () => children.delete(child));
    child.stderr?.on('data', (chunk: Buffer) => {
      this.#stderr = (this.#stderr + chunk.toString()).slice(-4_000);
    });
    this.#process = child;
    const deadline = Date.now() + 60_000;
    while (!(await portAccepts(this.port))) {
      if (child.exitCode !== null) throw new Error(`the Temporal dev server (${this.cli} ${args.join(' ')}) exited with code ${child.exitCode}:\n${this.#stderr}`);
      if (Date.now() > deadline) throw new Error(`the Temporal dev server did not accept connections on ${this.address} within 60 s:\n${this.#stderr}`);
      await delay(100);
    }
  }

  /** kill -9, then waits for the process to be gone. */
  async kill(): Promise<void> {
    const child = this.#process;
    if (child === undefined) return;
    child.kill('SIGKILL');
    await exited(child, 10_000);
    this.#process = undefined;
  }
}

/** A worker process of the suite. */
interface ChaosWorker {
  identity: string;
  child: ChildProcess;
  /** Set when the suite killed it on purpose. */
  killed: boolean;
}

/** What a phase needs to know while it runs. */
interface PhaseContext {
  /** When the phase started (epoch milliseconds). */
  startedAt: number;
  /** Whether every workflow of the phase has ended, or the phase's deadline has passed. */
  done: () => boolean;
  /** Requests of this phase's workflows at the model server still waiting for their answer. */
  modelCallsInFlight: () => number;
  /** Records a fault at this moment. */
  fault: (kind: string) => void;
}

/** One phase: its workflows and what goes wrong while they run. */
interface PhasePlan {
  name: string;
  description: string;
  inputs: (tag: (index: number) => string) => ChaosRunInput[];
  /** The scripted model fault of a request, if any (only the first request of each call is asked). */
  modelFault?: (tag: string, step: number) => { kind: string; reply: LlmReply } | undefined;
  /** The faults, while the workflows run. */
  during?: (context: PhaseContext) => Promise<void>;
}

/** A history reduced to what the figures need. */
interface HistoryFacts {
  /** Completion time of each model call, by step (1-based index into the array minus one). */
  modelCompletions: number[];
  /** Completion time of every activity. */
  activityCompletions: number[];
  /** Completion times of tool calls. */
  toolCompletions: number[];
  /** Tool calls completed on an attempt after the first. */
  toolCallsRetried: number;
}

function historyFacts(events: readonly temporal.api.history.v1.IHistoryEvent[]): HistoryFacts {
  const scheduled = new Map<string, string>();
  const attempts = new Map<string, number>();
  const facts: HistoryFacts = { modelCompletions: [], activityCompletions: [], toolCompletions: [], toolCallsRetried: 0 };
  for (const event of events) {
    const name = event.activityTaskScheduledEventAttributes?.activityType?.name;
    if (name !== undefined && name !== null) scheduled.set(String(event.eventId), name);
    const startedAttributes = event.activityTaskStartedEventAttributes;
    if (startedAttributes !== undefined && startedAttributes !== null) attempts.set(String(startedAttributes.scheduledEventId), startedAttributes.attempt ?? 1);
    const completed = event.activityTaskCompletedEventAttributes;
    if (completed === undefined || completed === null) continue;
    const time = millis(event.eventTime);
    const type = scheduled.get(String(completed.scheduledEventId));
    facts.activityCompletions.push(time);
    if (type === MODEL_ACTIVITY) facts.modelCompletions.push(time);
    if (type === TOOL_ACTIVITY) {
      facts.toolCompletions.push(time);
      if ((attempts.get(String(completed.scheduledEventId)) ?? 1) > 1) facts.toolCallsRetried += 1;
    }
  }
  return facts;
}

/** How the requests of one model call beyond its first are counted. */
export interface ModelCallRepeats {
  /** Sent while an earlier request was in flight at a kill, or after a scripted fault answered it. */
  retriedInFlight: number;
  /** Sent with nothing to explain them, or after the call had completed. */
  repeatedBeyondInFlight: number;
  /** Of those, sent after the call's completion was in the history. */
  repeatedAfterCompletion: number;
}

/**
 * Counts the requests of one model call (one workflow step) beyond its first. A request after the
 * call completed (its activity's completion in the history) is a repeat of a completed call. One
 * before is explained when the request before it was answered with a scripted fault, or a kill
 * (worker or server) came between the two: that request was in flight at the kill. Any other is a
 * repeat beyond those in flight (a spurious timeout, a duplicate delivery).
 *
 * @param requests - The call's requests at the model server, oldest first: when each arrived and
 *   whether the server answered it with a scripted fault.
 * @param completedAt - When the call's activity completed, if it did (epoch milliseconds).
 * @param killTimes - When workers or the server were killed (epoch milliseconds).
 *
 * @example
 * ```ts
 * classifyModelCallRequests([{ time: 0, faulted: false }, { time: 5_000, faulted: false }], 6_000, [1_000]);
 * // { retriedInFlight: 1, repeatedBeyondInFlight: 0, repeatedAfterCompletion: 0 }
 * ```
 */
export function classifyModelCallRequests(requests: readonly { time: number; faulted: boolean }[], completedAt: number | undefined, killTimes: readonly number[]): ModelCallRepeats {
  const counted: ModelCallRepeats = { retriedInFlight: 0, repeatedBeyondInFlight: 0, repeatedAfterCompletion: 0 };
  for (let index = 1; index < requests.length; index += 1) {
    const previous = requests[index - 1] as { time: number; faulted: boolean };
    const { time } = requests[index] as { time: number };
    if (completedAt !== undefined && time > completedAt) {
      counted.repeatedAfterCompletion += 1;
      counted.repeatedBeyondInFlight += 1;
    } else if (previous.faulted || killTimes.some((kill) => previous.time <= kill && kill <= time)) {
      counted.retriedInFlight += 1;
    } else {
      counted.repeatedBeyondInFlight += 1;
    }
  }
  return counted;
}

/** Why a run's output is wrong, or undefined when it is right. */
function wrongOutput(input: ChaosRunInput, output: ChaosRunOutput | undefined): string | undefined {
  if (output === undefined) return 'completed without a value';
  for (let step = 1; step <= input.steps; step += 1) {
    if (output.answers[step - 1] !== chaosAnswer(input.tag, step))
      return `step ${step}: answer ${JSON.stringify(output.answers[step - 1])}, expected ${JSON.stringify(chaosAnswer(input.tag, step))}`;
    if (output.echoes[step - 1] !== chaosEcho(input.tag, step))
      return `step ${step}: echo ${JSON.stringify(output.echoes[step - 1])}, expected ${JSON.stringify(chaosEcho(input.tag, step))}`;
  }
  if (input.toolFault !== undefined && output.toolFault !== 'failed') return `the ${input.toolFault} tool call ended "${output.toolFault}", expected "failed"`;
  return undefined;
}

/**
 * Runs the chaos suite and returns its figures; see the module comment for the phases. It never
 * throws for a lost workflow (that is in the figures), only when the suite itself can't run (the
 * Temporal CLI is missing, a worker never starts).
 *
 * @example
 * ```ts
 * const report = await runChaosSuite({ temporalCliPath: '/path/to/temporal', log: console.log });
 * console.log(formatChaosReport(report));
 * process.exitCode = report.passed ? 0 : 1;
 * ```
 */
export async function runChaosSuite(options: ChaosSuiteOptions): Promise<ChaosReport> {
  const workflowsPerPhase = options.workflowsPerPhase ?? 16;
  const steps = options.steps ?? 4;
  const workerCount = options.workers ?? 2;
  const workerKills = options.workerKills ?? 5;
  const serverDownMs = (options.serverDownSeconds ?? 2) * 1000;
  const serverRestarts = options.serverRestarts ?? 2;
  const deadlineMs = (options.phaseDeadlineSeconds ?? 90) * 1000;
  const heartbeatTimeoutSeconds = options.heartbeatTimeoutSeconds ?? 4;
  const seed = options.seed ?? Date.now() % 2 ** 31;
  const random = randomFrom(seed);
  const log = options.log ?? (() => undefined);
  if (!existsSync(options.temporalCliPath)) {
    throw new Error(`chaos suite: no Temporal CLI at ${options.temporalCliPath}; run bash tools/install-temporal.sh and pass the TEMPORAL_CLI_PATH it prints`);
  }

  const startedAt = Date.now();
  const directory = mkdtempSync(path.join(os.tmpdir(), 'mcp-agent-chaos-'));
  const mcpLog = path.join(directory, 'mcp-events.jsonl');
  const bundleFile = path.join(directory, 'workflow-bundle.js');
  const server = new ChaosTemporalServer(options.temporalCliPath, await freePort(), path.join(directory, 'temporal.sqlite'));
  const workers: ChaosWorker[] = [];
  const pendingWorkers = new Set<Promise<unknown>>();
  let workersExitedUnasked = 0;
  let llm: LocalLlmServer | undefined;
  let executor: TemporalExecutor | undefined;
  /** Set once the phases are over: a worker exiting then is not replaced. */
  let stopping = false;
  const track = (promise: Promise<unknown>): void => {
    const settled = promise.catch((error: unknown) => log(`chaos: ${error instanceof Error ? error.message : String(error)}`));
    pendingWorkers.add(settled);
    void settled.finally(() => pendingWorkers.delete(settled));
  };

  // The model server: each chaos prompt answered after a random delay, unless the phase scripts a fault.
  let modelFault: PhasePlan['modelFault'];
  const faultedRequests = new Map<RecordedLlmRequest, string>();
  const seenCalls = new Set<string>();
  try {
    llm = await startLocalLlmServer({
      script: {
        rules: [
          {
            match: (request) => CHAOS_PROMPT.test(request.lastUserMessage ?? ''),
            reply: (request) => {
              const [, tag = '', step = '0'] = CHAOS_PROMPT.exec(request.lastUserMessage ?? '') ?? [];
              const key = `${tag}#${step}`;
              const first = !seenCalls.has(key);
              seenCalls.add(key);
              const fault = first ? modelFault?.(tag, Number(step)) : undefined;
              if (fault !== undefined) {
                faultedRequests.set(request, fault.kind);
                return fault.reply;
              }
              return { text: chaosAnswer(tag, Number(step)), delayMilliseconds: 200 + Math.floor(random() * 600) };
            },
          },
        ],
      },
    });
    const mcpCommand = {
      command: process.execPath,
      args: ['--import', pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href, '--conditions=mcp-agent-source', path.join(HERE, 'chaos-mcp-server.ts')],
    };
    const settings: SettingsInput = {
      execution_engine: 'temporal',
      temporal: {
        host: '127.0.0.1',
        port: server.port,
        task_queue: `chaos-${seed}`,
        // A lost attempt is noticed by its missing heartbeats; the attempt timeout only bounds a slow one.
        timeout_seconds: 30,
        heartbeat_timeout_seconds: heartbeatTimeoutSeconds,
        retry_policy: { initial_interval: 0.5, backoff_coefficient: 1.5, maximum_interval: 2, maximum_attempts: 10 },
      },
      openai: { api_key: 'sk-local-chaos', base_url: llm.openaiBaseUrl, default_model: 'gpt-4o-mini' },
      mcp: {
        servers: {
          chaos: {
            transport: 'stdio',
            ...mcpCommand,
            env: { CHAOS_MCP_LOG: mcpLog },
            read_timeout_seconds: 10,
            ...(options.mcpSessionScope === undefined ? {} : { session: { scope: options.mcpSessionScope } }),
          },
        },
      },
    };

    log(`chaos: seed ${seed}; MCP session scope ${options.mcpSessionScope ?? 'default'}; Temporal dev server on ${server.address}, database ${server.databaseFile}`);
    await server.start();
    executor = (await createTemporalEngine().createExecutor({
      appName: chaosApp.name,
      registry: chaosApp.registry,
      settings: parseSettings(settings, 'chaos client settings'),
      logger: createLogger({ transports: ['none'] }),
    })) as TemporalExecutor;
    const client = executor;

    // Workers: each in its own process; one that exits unasked is replaced and counted.
    let workerNumber = 0;
    const startWorker = async (): Promise<ChaosWorker> => {
      workerNumber += 1;
      const identity = `chaos-worker-${workerNumber}`;
      const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
      const child = spawn(process.execPath, ['--import', tsx, '--conditions=mcp-agent-source', path.join(HERE, 'chaos-worker.ts'), JSON.stringify(settings), bundleFile, identity], {
        cwd: PACKAGE_DIRECTORY,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      children.add(child);
      const worker: ChaosWorker = { identity, child, killed: false };
      let ready = false;
      workers.push(worker);
      let errors = '';
      child.stderr?.on('data', (chunk: Buffer) => {
        errors = (errors + chunk.toString()).slice(-4_000);
      });
      child.once('exit', (code, signal) => {
        children.delete(child);
        // One that never got ready fails its start instead (no endless replacements of a broken worker).
        if (ready && !worker.killed && !stopping) {
          workersExitedUnasked += 1;
          log(`chaos: ${identity} exited unasked (${code ?? signal}): ${errors.trim().split('\n').slice(-3).join(' | ')}; starting a replacement`);
          track(startWorker());
        }
      });
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`chaos: ${identity} not ready within 90 s:\n${errors}`)), 90_000);
        child.stdout?.on('data', (chunk: Buffer) => {
          if (!ready && chunk.toString().includes('ready')) {
            ready = true;
            clearTimeout(timer);
            resolve();
          }
        });
        child.once('exit', (code, signal) => {
          clearTimeout(timer);
          if (worker.killed) resolve();
          else reject(new Error(`chaos: ${identity} exited (${code ?? signal}) before it was ready:\n${errors}`));
        });
      });
      return worker;
    };
    const live = (): ChaosWorker[] => workers.filter((worker) => !worker.killed && worker.child.exitCode === null && worker.child.signalCode === null);

    const workersStarted = Date.now();
    await startWorker(); // bundles the workflows for the others
    await Promise.all(Array.from({ length: workerCount - 1 }, () => startWorker()));
    log(`chaos: ${workerCount} workers polling after ${secondsText(Date.now() - workersStarted)}`);

    const plans: PhasePlan[] = [
      {
        name: 'model-faults',
        description: 'the model server answers the first request of some calls with 429, 500/503 or a malformed body',
        inputs: (tag) => Array.from({ length: workflowsPerPhase }, (_, index) => ({ tag: tag(index), steps })),
        modelFault: () => {
          const draw = random();
          if (draw < 0.2) return { kind: 'model-429', reply: { error: { status: 429, retryAfterSeconds: 1 } } };
          if (draw < 0.3) return { kind: 'model-5xx', reply: { error: { status: 500 } } };
          if (draw < 0.4) return { kind: 'model-5xx', reply: { error: { status: 503 } } };
          if (draw < 0.55) return { kind: 'model-malformed', reply: { malformedBody: '{"choices": [' } };
          return undefined;
        },
      },
      {
        name: 'mcp-faults',
        description: 'tool calls crash their MCP stdio server (exit 7) or hang (3 s attempt timeout), twice each, while other runs call tools',
        inputs: (tag) =>
          Array.from({ length: workflowsPerPhase }, (_, index) => ({
            tag: tag(index),
            steps,
            ...(index % 5 === 1 ? { toolFault: 'crash' as const } : index % 5 === 3 ? { toolFault: 'hang' as const } : {}),
          })),
      },
      {
        name: 'worker-kills',
        description: `${workerKills} workers SIGKILLed at random points while model calls are in flight, a replacement started at each`,
        inputs: (tag) => Array.from({ length: workflowsPerPhase }, (_, index) => ({ tag: tag(index), steps })),
        during: async (context) => {
          for (let kill = 0; kill < workerKills && !context.done(); kill += 1) {
            await delay(500 + Math.floor(random() * 2_500));
            while (!context.done() && (context.modelCallsInFlight() === 0 || live().length === 0)) await delay(50);
            if (context.done()) break;
            const candidates = live();
            const victim = candidates[Math.floor(random() * candidates.length)] as ChaosWorker;
            victim.killed = true;
            victim.child.kill('SIGKILL');
            context.fault('worker-kill');
            log(`chaos: SIGKILL ${victim.identity} at +${secondsText(Date.now() - context.startedAt)} (${callsText(context.modelCallsInFlight())} in flight)`);
            track(startWorker());
          }
        },
      },
      {
        name: 'server-restart',
        description: `the Temporal server killed with kill -9 ${serverRestarts === 1 ? 'once' : `${serverRestarts} times`} mid-run, restarted on its database file after ${secondsText(serverDownMs)}`,
        inputs: (tag) => Array.from({ length: workflowsPerPhase }, (_, index) => ({ tag: tag(index), steps })),
        during: async (context) => {
          const answered = (): number => llm?.requests.filter((request) => request.answeredAt !== undefined && request.time.getTime() >= context.startedAt).length ?? 0;
          const calls = workflowsPerPhase * steps;
          for (let restart = 1; restart <= serverRestarts; restart += 1) {
            // Mid-run: the restarts spread over the run's model calls, each with some in flight.
            const threshold = Math.floor((calls * restart) / (serverRestarts + 1.5));
            while (!context.done() && (answered() < threshold || context.modelCallsInFlight() === 0)) await delay(50);
            if (context.done()) return;
            const inFlight = context.modelCallsInFlight();
            await server.kill();
            context.fault('server-kill');
            log(`chaos: kill -9 of the Temporal server at +${secondsText(Date.now() - context.startedAt)} (${callsText(inFlight)} in flight)`);
            await delay(serverDownMs);
            const restarting = Date.now();
            await server.start();
            log(`chaos: Temporal server restarted on ${server.databaseFile}, accepting connections after ${secondsText(Date.now() - restarting)}`);
          }
        },
      },
    ];

    const phases: ChaosPhaseFigures[] = [];
    for (const plan of plans) {
      phases.push(await runPhase(plan));
      const figures = phases.at(-1) as ChaosPhaseFigures;
      log(formatPhase(figures));
    }
    stopping = true;
    const lost = phases.reduce((sum, phase) => sum + phase.lost, 0);
    const repeated = phases.reduce((sum, phase) => sum + phase.repeatedBeyondInFlight, 0);
    return {
      seed,
      startedAt: new Date(startedAt).toISOString(),
      durationMs: Date.now() - startedAt,
      phases,
      lost,
      repeatedBeyondInFlight: repeated,
      passed: lost === 0 && repeated === 0,
    };

    async function runPhase(plan: PhasePlan): Promise<ChaosPhaseFigures> {
      const phaseStart = Date.now();
      const unaskedBefore = workersExitedUnasked;
      const inputs = plan.inputs((index) => `chaos-${seed}-${plan.name}-${index + 1}`);
      const tags = new Set(inputs.map((input) => input.tag));
      const ofPhase = (request: RecordedLlmRequest): string | undefined => {
        const tag = CHAOS_PROMPT.exec(request.lastUserMessage ?? '')?.[1];
        return tag !== undefined && tags.has(tag) ? tag : undefined;
      };
      const faults: { kind: string; time: number; request?: RecordedLlmRequest }[] = [];
      modelFault = plan.modelFault;
      log(`chaos: phase ${plan.name}: ${inputs.length} workflows of ${steps} steps; ${plan.description}`);
      for (const input of inputs) await client.startWorkflow(ChaosAgentWorkflow, input, { workflowId: input.tag });

      const outcomes = new Map<string, { status: string; output?: ChaosRunOutput; error?: string }>();
      const done = (): boolean => outcomes.size === inputs.length;
      const context: PhaseContext = {
        startedAt: phaseStart,
        // Past the deadline the faults stop too, so that a phase whose runs are stuck still ends.
        done: () => done() || Date.now() - phaseStart >= deadlineMs,
        modelCallsInFlight: () => llm?.requests.filter((request) => request.answeredAt === undefined && !faultedRequests.has(request) && ofPhase(request) !== undefined).length ?? 0,
        fault: (kind) => faults.push({ kind, time: Date.now() }),
      };
      const faulting = (plan.during?.(context) ?? Promise.resolve()).catch((error: unknown) => {
        log(`chaos: phase ${plan.name}: the fault injection failed: ${error instanceof Error ? error.message : String(error)}`);
      });
      // Until every run has ended or the deadline: describe each (the server may be down meanwhile).
      while (!done() && Date.now() - phaseStart < deadlineMs) {
        for (const input of inputs) {
          if (outcomes.has(input.tag)) continue;
          try {
            const description = await client.client.workflow.getHandle(input.tag).describe();
            const status = description.status.name;
            if (status === 'RUNNING') continue;
            if (status !== 'COMPLETED') {
              outcomes.set(input.tag, { status });
              continue;
            }
            const result = await client.getHandle(input.tag).result();
            outcomes.set(input.tag, { status, output: result.value as ChaosRunOutput | undefined, ...(result.error === undefined ? {} : { error: String(result.error) }) });
          } catch {
            // The server is down or restarting: ask again on the next round.
          }
        }
        await delay(250);
      }
      await faulting;
      const durationMs = Date.now() - phaseStart;

      // The histories: when each call completed, and the tool calls retried.
      const facts = new Map<string, HistoryFacts>();
      for (const input of inputs) {
        for (let attempt = 1; attempt <= 20; attempt += 1) {
          try {
            const history = await client.client.workflow.getHandle(input.tag).fetchHistory();
            facts.set(input.tag, historyFacts(history.events ?? []));
            break;
          } catch {
            await delay(500);
          }
        }
      }

      const lostWorkflows: { workflowId: string; reason: string }[] = [];
      for (const input of inputs) {
        const outcome = outcomes.get(input.tag);
        const reason =
          outcome === undefined
            ? `not completed within ${secondsText(deadlineMs)}`
            : outcome.status !== 'COMPLETED'
              ? `ended ${outcome.status}`
              : (outcome.error ?? wrongOutput(input, outcome.output));
        if (reason !== undefined) lostWorkflows.push({ workflowId: input.tag, reason });
      }

      // Model calls per (workflow, step), against the completion of each call in the history.
      const requests = (llm?.requests ?? []).filter((request) => ofPhase(request) !== undefined);
      for (const [request, kind] of faultedRequests) if (ofPhase(request) !== undefined) faults.push({ kind, time: request.time.getTime(), request });
      const kills = faults.filter((fault) => fault.request === undefined && (fault.kind === 'worker-kill' || fault.kind === 'server-kill'));
      const byCall = new Map<string, RecordedLlmRequest[]>();
      for (const request of requests) {
        const [, tag = '', step = '0'] = CHAOS_PROMPT.exec(request.lastUserMessage ?? '') ?? [];
        const key = `${tag}#${step}`;
        byCall.set(key, [...(byCall.get(key) ?? []), request]);
      }
      const completedAt = (key: string): number | undefined => {
        const [tag = '', step = '0'] = key.split('#');
        return facts.get(tag)?.modelCompletions[Number(step) - 1];
      };
      let retriedInFlight = 0;
      let repeatedBeyondInFlight = 0;
      let repeatedAfterCompletion = 0;
      const killTimes = kills.map((fault) => fault.time);
      for (const [key, calls] of byCall) {
        const counted = classifyModelCallRequests(
          calls.map((request) => ({ time: request.time.getTime(), faulted: faultedRequests.has(request) })),
          completedAt(key),
          killTimes,
        );
        retriedInFlight += counted.retriedInFlight;
        repeatedBeyondInFlight += counted.repeatedBeyondInFlight;
        repeatedAfterCompletion += counted.repeatedAfterCompletion;
      }

      // Time to recover from each fault.
      const mcpEvents: ChaosMcpEvent[] = existsSync(mcpLog)
        ? readFileSync(mcpLog, 'utf8')
            .split('\n')
            .filter((line) => line.trim() !== '')
            .map((line) => JSON.parse(line) as ChaosMcpEvent)
        : [];
      for (const event of mcpEvents) {
        if ((event.event === 'crash' || event.event === 'hang') && event.time >= phaseStart && event.time <= phaseStart + durationMs)
          faults.push({ kind: `mcp-${event.event}`, time: event.time });
      }
      const allCompletions = [...facts.values()].flatMap((fact) => fact.activityCompletions).sort((a, b) => a - b);
      const toolCompletions = [...facts.values()].flatMap((fact) => fact.toolCompletions).sort((a, b) => a - b);
      const figuresOfFaults: ChaosFault[] = faults
        .sort((a, b) => a.time - b.time)
        .map((fault) => {
          const after = (fault.kind.startsWith('mcp-') ? toolCompletions : allCompletions).find((time) => time > fault.time);
          const firstCompletionMs = after === undefined ? undefined : after - fault.time;
          let recoveryMs: number | undefined = firstCompletionMs;
          const inFlight =
            fault.request !== undefined
              ? [fault.request]
              : fault.kind.startsWith('mcp-')
                ? []
                : requests.filter((request) => request.time.getTime() <= fault.time && !faultedRequests.has(request));
          for (const request of inFlight) {
            const [, tag = '', step = '0'] = CHAOS_PROMPT.exec(request.lastUserMessage ?? '') ?? [];
            const completion = completedAt(`${tag}#${step}`);
            if (completion !== undefined && completion < fault.time) continue;
            if (completion === undefined) {
              recoveryMs = undefined;
              break;
            }
            recoveryMs = Math.max(recoveryMs ?? 0, completion - fault.time);
          }
          return { kind: fault.kind, atMs: fault.time - phaseStart, firstCompletionMs, recoveryMs };
        });

      return {
        name: plan.name,
        description: plan.description,
        started: inputs.length,
        completed: inputs.length - lostWorkflows.length,
        lost: lostWorkflows.length,
        lostWorkflows,
        modelCalls: requests.length,
        retriedInFlight,
        repeatedBeyondInFlight,
        repeatedAfterCompletion,
        toolCallsRetried: [...facts.values()].reduce((sum, fact) => sum + fact.toolCallsRetried, 0),
        workersExitedUnasked: workersExitedUnasked - unaskedBefore,
        faults: figuresOfFaults,
        durationMs,
      };
    }
  } finally {
    // Whatever happened: every process gone, every port closed, the database removed.
    const stop = async (): Promise<void> => {
      stopping = true;
      for (const worker of workers) worker.killed = true;
      await Promise.race([Promise.all([...pendingWorkers]), delay(5_000)]);
      for (const worker of workers) worker.child.kill('SIGKILL');
      await Promise.all(workers.map((worker) => exited(worker.child, 5_000)));
      await Promise.race([executor?.close(), delay(5_000)]).catch(() => undefined);
      await server.kill().catch(() => undefined);
      await llm?.close();
      rmSync(directory, { recursive: true, force: true });
    };
    await stop();
  }
}

/** One line per fault kind: how many, and the longest and median recovery. */
function faultSummary(faults: readonly ChaosFault[]): string {
  if (faults.length === 0) return 'no faults';
  const kinds = [...new Set(faults.map((fault) => fault.kind))];
  return kinds
    .map((kind) => {
      const ofKind = faults.filter((fault) => fault.kind === kind);
      const recoveries = ofKind.map((fault) => fault.recoveryMs);
      const never = recoveries.filter((value) => value === undefined).length;
      const known = recoveries.filter((value): value is number => value !== undefined).sort((a, b) => a - b);
      const median = known[Math.floor((known.length - 1) / 2)];
      const firsts = ofKind.map((fault) => fault.firstCompletionMs).filter((value): value is number => value !== undefined);
      const firstMax = firsts.length === 0 ? undefined : Math.max(...firsts);
      return `${ofKind.length} ${kind}: recovered in ${known.length === 0 ? 'never' : `${secondsText(median)} median, ${secondsText(known.at(-1))} max`}${never > 0 ? ` (${never} never)` : ''}, next completion within ${secondsText(firstMax)}`;
    })
    .join('; ');
}

/** The figures of one phase, in a few lines. */
export function formatPhase(phase: ChaosPhaseFigures): string {
  const lines = [
    `chaos phase ${phase.name} (${phase.description}), ${secondsText(phase.durationMs)}:`,
    `  workflows ${phase.started} started, ${phase.completed} completed, ${phase.lost} lost`,
    `  model calls ${phase.modelCalls}: ${phase.retriedInFlight} retried in flight at a fault, ${phase.repeatedBeyondInFlight} repeated beyond those (${phase.repeatedAfterCompletion} after completing)`,
    `  tool calls retried: ${phase.toolCallsRetried}${phase.workersExitedUnasked > 0 ? `; workers that exited unasked: ${phase.workersExitedUnasked}` : ''}`,
    `  faults: ${faultSummary(phase.faults)}`,
  ];
  for (const lost of phase.lostWorkflows) lines.push(`  LOST ${lost.workflowId}: ${lost.reason}`);
  return lines.join('\n');
}

/** The figures of a run: each phase, then one line with the totals. */
export function formatChaosReport(report: ChaosReport): string {
  const recoveries = report.phases.flatMap((phase) => phase.faults.map((fault) => fault.recoveryMs)).filter((value): value is number => value !== undefined);
  const faults = report.phases.reduce((sum, phase) => sum + phase.faults.length, 0);
  const workflows = report.phases.reduce((sum, phase) => sum + phase.started, 0);
  return [
    ...report.phases.map(formatPhase),
    `chaos: ${workflows} workflows through ${faults} faults: ${report.lost} lost, ${report.repeatedBeyondInFlight} model calls repeated beyond those in flight, ` +
      `longest recovery ${secondsText(recoveries.length === 0 ? undefined : Math.max(...recoveries))}; seed ${report.seed}, ${secondsText(report.durationMs)}: ${report.passed ? 'passed' : 'FAILED'}`,
  ].join('\n');
}

/** The file the figures of the last run go to, under the repository root: `.cache/chaos/results.json`. */
export function chaosResultsFile(root: string): string {
  return path.join(root, '.cache', 'chaos', 'results.json');
}

/** Writes the figures of a run to {@link chaosResultsFile} and returns its path. */
export function writeChaosResults(report: ChaosReport, root: string): string {
  const file = chaosResultsFile(root);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  return file;
}
