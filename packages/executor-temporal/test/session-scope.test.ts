// `run`-scoped MCP sessions across worker processes on the dev server: the failure of the Python
// mcp-agent (sessions tied to the worker that opened them, its issues #304 and #380) beaten. With
// two live workers a run's calls all go to the worker that holds its session (worker affinity);
// after that worker is SIGKILLed halfway, the run finishes on the other worker with a fresh
// session; concurrent runs spread over two workers never see each other's session state; a run's
// sessions close once idle after it ends; the histories replay.
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createLogger } from '@mcp-agent/core';
import { parseSettings, type SettingsInput } from '@mcp-agent/core/config';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { createTemporalEngine, fetchWorkflowHistory, replayWorkflowHistories, type TemporalExecutor } from '../src/index.js';
import { SessionCounterWorkflow, sessionScopeApp, type CountStep } from './session-scope-workflows.js';

const address = inject('temporalAddress');
/** How long a run's idle session lives on a worker: long enough that a loaded machine never closes it between two of the run's calls. */
const IDLE_SECONDS = 10;
/** How long a call waits for the worker holding its run's session before the run moves: short, so the test after a kill is quick. */
const AFFINITY_SECONDS = 3;
/** A stdio MCP server whose `count` tool counts its session's calls and names its processes. */
const COUNTER_SERVER = join(dirname(createRequire(import.meta.url).resolve('@mcp-agent/mcp-client/package.json')), 'src/__fixtures__/session-counter-server.mjs');

function settingsFor(taskQueue: string): SettingsInput {
  const [host, port] = address.split(':');
  return {
    execution_engine: 'temporal',
    temporal: { host, port: Number(port), task_queue: taskQueue, timeout_seconds: 10 },
    mcp: {
      servers: {
        counter: {
          transport: 'stdio',
          command: process.execPath,
          args: [COUNTER_SERVER],
          session: { scope: 'run', idle_seconds: IDLE_SECONDS, affinity_timeout_seconds: AFFINITY_SECONDS },
        },
      },
    },
  };
}

/** Starts a worker process and resolves once it polls (bounded: 40 s). */
async function startWorker(settings: SettingsInput): Promise<ChildProcess> {
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  const script = fileURLToPath(new URL('./session-scope-worker.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', tsx, '--conditions=mcp-agent-source', script, JSON.stringify(settings)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let errors = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    errors = (errors + chunk.toString()).slice(-4_000);
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`worker process not ready within 40 s:\n${errors}`));
    }, 40_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`worker process exited (${code ?? signal}) before it was ready:\n${errors}`));
    });
  });
  return child;
}

/** Stops a worker process: SIGTERM, then SIGKILL after 10 s. */
async function stopWorker(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/** The living session counter servers started by a process (its children), from /proc. */
function mcpServerChildren(parent: number): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const [state, parentId] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(parentId) !== parent || state === 'Z') continue;
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes('session-counter-server')) found.push(Number(entry));
    } catch {
      // It went away meanwhile.
    }
  }
  return found;
}

/** True while a process of that id is alive and not a zombie. */
function alive(processId: number): boolean {
  try {
    const stat = readFileSync(`/proc/${processId}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0] !== 'Z';
  } catch {
    return false;
  }
}

describe('run-scoped MCP sessions across worker processes', { timeout: 45_000 }, () => {
  const workers: ChildProcess[] = [];
  let settings: SettingsInput;
  let client: TemporalExecutor;

  beforeAll(async () => {
    settings = settingsFor(`session-scope-${process.pid}-${Date.now()}`);
    client = (await createTemporalEngine().createExecutor({
      appName: sessionScopeApp.name,
      registry: sessionScopeApp.registry,
      settings: parseSettings(settings, 'client settings'),
      logger: createLogger({ transports: ['none'] }),
    })) as TemporalExecutor;
  }, 30_000);

  afterAll(async () => {
    await Promise.all(workers.map((worker) => stopWorker(worker)));
    await client?.close();
  }, 30_000);

  /** The workers started and not yet exited. */
  function liveWorkers(): ChildProcess[] {
    return workers.filter((worker) => worker.exitCode === null && worker.signalCode === null);
  }

  async function twoLiveWorkers(): Promise<ChildProcess[]> {
    while (liveWorkers().length < 2) workers.push(await startWorker(settings));
    return liveWorkers();
  }

  it('keeps a run on the worker holding its session while two workers poll, and moves it to the other with a fresh session after a SIGKILL', async () => {
    const [one, two] = (await twoLiveWorkers()) as [ChildProcess, ChildProcess];
    const workflowId = `session-kill-${Date.now()}`;
    const handle = await client.startWorkflow(SessionCounterWorkflow, { before: 3, after: 2 }, { workflowId });
    await vi.waitFor(async () => expect(await handle.query('progress')).toBe(3), { timeout: 20_000, interval: 100 });
    // One session for the run, on one of the two workers: its three calls all went there.
    const holders = [one, two].filter((worker) => mcpServerChildren(worker.pid as number).length > 0);
    expect(holders, 'exactly one worker holds the run session').toHaveLength(1);
    const first = holders[0] as ChildProcess;
    const other = first === one ? two : one;
    const firstServers = mcpServerChildren(first.pid as number);
    expect(firstServers).toHaveLength(1);

    first.kill('SIGKILL');
    await new Promise((resolve) => first.once('exit', resolve));
    expect(first.signalCode).toBe('SIGKILL');
    // The killed worker's server sees its stdin close and exits: nothing is left behind.
    await vi.waitFor(() => expect(firstServers.filter(alive)).toEqual([]), { timeout: 10_000, interval: 100 });

    const resumedAt = Date.now();
    await handle.signal('resume');
    const result = await handle.result();
    const finishedAt = Date.now();
    expect(result.error).toBeUndefined();
    const steps = result.value as CountStep[];
    // One session for the run's first half on the first worker (its calls counted 1, 2, 3), a
    // fresh one on the other worker for the rest (1, 2): the run is not tied to the dead worker.
    expect(steps.map(({ count, worker }) => ({ count, worker }))).toEqual([
      { count: 1, worker: first.pid },
      { count: 2, worker: first.pid },
      { count: 3, worker: first.pid },
      { count: 1, worker: other.pid },
      { count: 2, worker: other.pid },
    ]);
    expect(new Set(steps.slice(0, 3).map((step) => step.server))).toEqual(new Set(firstServers));
    expect(new Set(steps.slice(3).map((step) => step.server)).size).toBe(1);
    console.log(`session scope run: moved to the other worker and finished ${finishedAt - resumedAt} ms after the signal (affinity_timeout_seconds ${AFFINITY_SECONDS})`);

    // The run ended: its session on the other worker closes after idle_seconds.
    const otherServers = mcpServerChildren(other.pid as number);
    expect(otherServers).toHaveLength(1);
    await vi.waitFor(() => expect(otherServers.filter(alive)).toEqual([]), { timeout: (IDLE_SECONDS + 5) * 1_000, interval: 100 });
    console.log(`session scope run: the ended run's session closed ${Date.now() - finishedAt} ms after the run finished (idle_seconds ${IDLE_SECONDS})`);

    // The history, with its move between workers, replays against the workflow code.
    await replayWorkflowHistories(
      { registry: sessionScopeApp.registry, settings: parseSettings(settings, 'replay settings'), logger: createLogger({ transports: ['none'] }) },
      { workflowsPath: new URL('./session-scope-workflows.ts', import.meta.url) },
      [{ workflowId, history: await fetchWorkflowHistory(client.client, workflowId) }],
    );
  });

  it('keeps concurrent runs on two workers apart: each run has one session, on one worker, counting only its own calls', async () => {
    const live = new Set((await twoLiveWorkers()).map((worker) => worker.pid));
    const runs = 4;
    const calls = 4;
    const handles = await Promise.all(
      Array.from({ length: runs }, (_, index) => client.startWorkflow(SessionCounterWorkflow, { before: calls, after: 0 }, { workflowId: `session-apart-${Date.now()}-${index}` })),
    );
    const results = await Promise.all(handles.map(async (handle) => (await handle.result()).value as CountStep[]));
    const usedWorkers = new Set<number>();
    const servers: Array<{ server: number; run: number }> = [];
    results.forEach((steps, run) => {
      expect(steps).toHaveLength(calls);
      // All of a run's calls on one worker and one session, whose counter runs 1, 2, ... over that
      // run's calls alone: another run's call in it would show as a gap.
      expect(new Set(steps.map((step) => step.worker)).size, `run ${run} stayed on one worker`).toBe(1);
      expect(steps.map((step) => step.count)).toEqual(steps.map((_, index) => index + 1));
      for (const { worker, server } of steps) {
        expect(live.has(worker)).toBe(true);
        usedWorkers.add(worker);
        servers.push({ server, run });
      }
    });
    // No server process (session) served two runs.
    for (const { server, run } of servers) expect(servers.filter((entry) => entry.server === server).every((entry) => entry.run === run)).toBe(true);
    const names = new Map([...live].map((pid, index) => [pid, index === 0 ? 'A' : 'B']));
    const spread = results.map((steps) => steps.map((step) => names.get(step.worker)).join('')).join(' ');
    console.log(`session scope run: ${runs} concurrent runs of ${calls} calls on workers ${spread} (A/B per call); ${usedWorkers.size} worker(s) used`);
  });
});
