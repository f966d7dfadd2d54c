/**
 * The Temporal engine against the bare Temporal SDK on a real dev server, in the same run.
 *
 * Each side runs 200 workflows, all started at once, each doing the same activities: it lists the
 * tools of the in-repo MCP test server over stdio, then makes three model round trips to the local
 * LLM server (OpenAI wire protocol) and two `echo` calls to the MCP server, alternating. The
 * engine's side is an mcp-agent workflow (`Agent`, `OpenAIAugmentedLLM`, `agent.callTool`) run by
 * `createTemporalEngine` with an in-process worker; the bare side is a plain workflow function with
 * `proxyActivities` whose activities call the `openai` client and an MCP SDK `Client` directly.
 * Prints workflows per second, p50 and p99 latency (start to result) per side, the ratios
 * engine/bare (target: under 1.15), the cost of payload encryption (the engine again with
 * `temporal.data_converter.encryption_key`, every payload AES-256-GCM encrypted, as a ratio to the
 * engine without it), and the worker's start-up time with and without a prebuilt workflow bundle.
 *
 * Run: pnpm --filter @mcp-agent/executor-temporal bench:in-process
 * (tsx --conditions=mcp-agent-source bench/temporal.bench.ts from the package directory).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { createLogger } from '@mcp-agent/core';
import { parseSettings, type Settings } from '@mcp-agent/core/config';
import { createAppServices } from '@mcp-agent/core/engine';
import type { AppServices } from '@mcp-agent/core';
import { llmProvider } from '@mcp-agent/providers-openai';
import { mcpTestServerStdioCommand, startLocalLlmServer, type LocalLlmServer } from '@mcp-agent/testing';
import { Client as McpClient } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { Context } from '@temporalio/activity';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { OpenAI } from 'openai';
import { bundleWorkflowsForParts, createTemporalEngine, createTemporalWorker, type TemporalExecutor, type TemporalWorkerParts } from '../src/index.js';
import type { BareActivities, bareModelAndTools } from './bare-workflows.js';
import { benchApp, ModelAndToolsWorkflow } from './bench-workflows.js';
import { elapsedMs, median, percentile, startDevServer } from './dev-server.js';

const WORKFLOWS = 200;
const WARM_UP_WORKFLOWS = 10;
/** Rounds of WORKFLOWS per side, in the order engine-bare, bare-engine, bare-engine, engine-bare, so drift hits both alike. */
const ROUNDS = 4;
/** Worker start-ups timed per way of starting. */
const START_UPS = 3;
const TARGET_RATIO = 1.15;
const MODEL = 'gpt-4o-mini';
const INSTRUCTION = 'Answer in one line.';
const API_KEY = 'sk-local-test';
/** The attempt timeout of every activity, on both sides. */
const ATTEMPT_TIMEOUT_SECONDS = 60;

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const BENCH_WORKFLOWS = new URL('./bench-workflows.ts', import.meta.url);
const BARE_WORKFLOWS = fileURLToPath(new URL('./bare-workflows.ts', import.meta.url));

type BenchOutput = { answers: string[]; echoes: string[] };
/** Starts workflow `id` and resolves once its result is in. */
type RunOne = (id: number, workflowId: string) => Promise<BenchOutput | undefined>;

interface Batch {
  milliseconds: number;
  latencies: number[];
}

// --- the bare side -------------------------------------------------------------------------

/** The bare worker's activities: one OpenAI client and one MCP connection, shared by every activity. */
function bareActivities(openai: OpenAI, mcp: McpClient): BareActivities {
  return {
    async listTools() {
      const { tools } = await mcp.listTools(undefined, { signal: Context.current().cancellationSignal });
      return tools.map((tool) => tool.name);
    },
    async complete(prompt) {
      const completion = await openai.chat.completions.create(
        {
          model: MODEL,
          messages: [
            { role: 'system', content: INSTRUCTION },
            { role: 'user', content: prompt },
          ],
        },
        { signal: Context.current().cancellationSignal },
      );
      return completion.choices[0]?.message.content ?? '';
    },
    async echo(text) {
      const result = await mcp.callTool({ name: 'echo', arguments: { text } }, undefined, { signal: Context.current().cancellationSignal });
      const first = (result.content as Array<{ type: string; text?: string }>)[0];
      return first?.text ?? '';
    },
  };
}

// --- running batches -----------------------------------------------------------------------

function check(id: number, output: BenchOutput | undefined): void {
  const answers = [1, 2, 3].map((step) => `ok workflow ${id} step ${step}`);
  const echoes = [1, 2].map((step) => `workflow ${id} echo ${step}`);
  if (JSON.stringify(output) !== JSON.stringify({ answers, echoes })) throw new Error(`workflow ${id} returned ${JSON.stringify(output)}`);
}

/** Starts `count` workflows at once; returns the time to the last result and each one's start-to-result latency. */
async function batch(run: RunOne, count: number, prefix: string): Promise<Batch> {
  const started = process.hrtime.bigint();
  const latencies = await Promise.all(
    Array.from({ length: count }, async (_, id) => {
      const own = process.hrtime.bigint();
      check(id, await run(id, `${prefix}-${id}`));
      return elapsedMs(own);
    }),
  );
  return { milliseconds: elapsedMs(started), latencies };
}

/** The activity types a finished run scheduled, in order, from its history. */
async function activitiesOf(client: Client, workflowId: string): Promise<string[]> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  return (history.events ?? []).flatMap((event) => {
    const name = event.activityTaskScheduledEventAttributes?.activityType?.name;
    return name === undefined || name === null ? [] : [name];
  });
}

// --- worker start-up -----------------------------------------------------------------------

/** Stops a worker that was created and never run (its own connection closes with it). */
async function discard(worker: Worker): Promise<void> {
  const running = worker.run();
  worker.shutdown();
  await running;
}

interface StartUp {
  firstBundleMs: number;
  bundleBytes: number;
  bundlingMs: number[];
  prebuiltMs: number[];
  code: string;
}

/** Bundles once (loading the bundler), then times `createTemporalWorker` bundling at start-up and with the bundle, alternately. */
async function measureStartUp(settings: Settings, taskQueue: string): Promise<StartUp> {
  const logger = createLogger({ transports: ['none'] });
  const services = await createAppServices({ registry: benchApp.registry, settings, logger, llmProviders: [llmProvider] });
  const parts: TemporalWorkerParts = { registry: benchApp.registry, settings, logger, tasks: services.tasks };
  try {
    let started = process.hrtime.bigint();
    const { code } = await bundleWorkflowsForParts(parts, { workflowsPath: BENCH_WORKFLOWS });
    const firstBundleMs = elapsedMs(started);
    const bundlingMs: number[] = [];
    const prebuiltMs: number[] = [];
    for (let index = 0; index < START_UPS; index += 1) {
      started = process.hrtime.bigint();
      const bundling = await createTemporalWorker(parts, { workflowsPath: BENCH_WORKFLOWS, taskQueue: `${taskQueue}-bundling-${index}` });
      bundlingMs.push(elapsedMs(started));
      await discard(bundling);
      started = process.hrtime.bigint();
      const prebuilt = await createTemporalWorker(parts, { workflowBundle: { code }, taskQueue: `${taskQueue}-prebuilt-${index}` });
      prebuiltMs.push(elapsedMs(started));
      await discard(prebuilt);
    }
    return { firstBundleMs, bundleBytes: Buffer.byteLength(code), bundlingMs, prebuiltMs, code };
  } finally {
    await services.close();
  }
}

// --- main ----------------------------------------------------------------------------------

async function main(): Promise<void> {
  // Worker logs at WARN and above only, for both sides.
  Runtime.install({ logger: new DefaultLogger('WARN') });

  // The server's log is shown only when it fails (it logs an error for each poll cut short when a
  // worker stops right after it starts, as the start-up measurement does).
  const server = await startDevServer(ROOT);

  let llm: LocalLlmServer | undefined;
  let ours: TemporalExecutor | undefined;
  let encrypted: TemporalExecutor | undefined;
  let services: AppServices | undefined;
  let bareConnection: Connection | undefined;
  let bareWorkerConnection: NativeConnection | undefined;
  let bareWorker: Worker | undefined;
  let bareRunning: Promise<void> | undefined;
  let bareMcp: McpClient | undefined;
  try {
    const address = server.address;
    llm = await startLocalLlmServer({ script: { rules: [{ match: () => true, reply: (request) => ({ text: `ok ${request.lastUserMessage}` }) }] } });
    const testServer = mcpTestServerStdioCommand();
    const oursQueue = `bench-ours-${process.pid}`;
    const bareQueue = `bench-bare-${process.pid}`;
    const settings = parseSettings(
      {
        execution_engine: 'temporal',
        temporal: { host: '127.0.0.1', port: Number(address.split(':')[1]), task_queue: oursQueue, timeout_seconds: ATTEMPT_TIMEOUT_SECONDS },
        openai: { api_key: API_KEY, base_url: llm.openaiBaseUrl, default_model: MODEL },
        mcp: { servers: { test: { transport: 'stdio', command: testServer.command, args: testServer.args } } },
      },
      'bench settings',
    );

    const startUp = await measureStartUp(settings, `bench-start-${process.pid}`);

    // The engine with an in-process worker, on the bundle made above, running the tasks of the app's services.
    services = await createAppServices({ registry: benchApp.registry, settings, logger: createLogger({ transports: ['none'] }), llmProviders: [llmProvider] });
    ours = (await createTemporalEngine({ address, worker: { workflowBundle: { code: startUp.code }, taskQueue: oursQueue } }).createExecutor({
      appName: benchApp.name,
      registry: benchApp.registry,
      settings,
      logger: createLogger({ transports: ['none'] }),
      tasks: services.tasks,
    })) as TemporalExecutor;
    const executor = ours;

    // The same engine with payload encryption, on its own task queue and in-process worker.
    const encryptedQueue = `bench-encrypted-${process.pid}`;
    const encryptedSettings: Settings = {
      ...settings,
      temporal: { ...(settings.temporal as NonNullable<Settings['temporal']>), task_queue: encryptedQueue, data_converter: { encryption_key: randomBytes(32).toString('base64') } },
    };
    encrypted = (await createTemporalEngine({ address, worker: { workflowBundle: { code: startUp.code }, taskQueue: encryptedQueue } }).createExecutor({
      appName: benchApp.name,
      registry: benchApp.registry,
      settings: encryptedSettings,
      logger: createLogger({ transports: ['none'] }),
      tasks: services.tasks,
    })) as TemporalExecutor;
    const encryptedExecutor = encrypted;

    // The bare SDK: one OpenAI client and one MCP connection for the worker's activities.
    const openai = new OpenAI({ baseURL: llm.openaiBaseUrl, apiKey: API_KEY, maxRetries: 0 });
    bareMcp = new McpClient({ name: 'bench-bare', version: '0.0.0' });
    await bareMcp.connect(new StdioClientTransport({ command: testServer.command, args: testServer.args, stderr: 'ignore' }));
    bareConnection = await Connection.connect({ address });
    const client = new Client({ connection: bareConnection });
    bareWorkerConnection = await NativeConnection.connect({ address });
    const started = process.hrtime.bigint();
    bareWorker = await Worker.create({
      connection: bareWorkerConnection,
      taskQueue: bareQueue,
      workflowsPath: BARE_WORKFLOWS,
      activities: bareActivities(openai, bareMcp),
    });
    const bareCreateMs = elapsedMs(started);
    bareRunning = bareWorker.run();

    const runOurs: RunOne = async (id, workflowId) => {
      const handle = await executor.startWorkflow(ModelAndToolsWorkflow, { id }, { workflowId });
      return (await handle.result()).value;
    };
    const runEncrypted: RunOne = async (id, workflowId) => {
      const handle = await encryptedExecutor.startWorkflow(ModelAndToolsWorkflow, { id }, { workflowId });
      return (await handle.result()).value;
    };
    const runBare: RunOne = async (id, workflowId) => {
      const handle = await client.workflow.start<typeof bareModelAndTools>('bareModelAndTools', { taskQueue: bareQueue, workflowId, args: [{ id }] });
      return handle.result();
    };

    // Warm-up, not counted: connections, the MCP server processes, the workflow caches.
    await batch(runOurs, WARM_UP_WORKFLOWS, 'warm-ours');
    await batch(runBare, WARM_UP_WORKFLOWS, 'warm-bare');
    await batch(runEncrypted, WARM_UP_WORKFLOWS, 'warm-encrypted');
    const oursActivities = await activitiesOf(executor.client, 'warm-ours-0');
    const bareActivitiesSeen = await activitiesOf(client, 'warm-bare-0');

    const results: { ours: Batch[]; bare: Batch[]; encrypted: Batch[] } = { ours: [], bare: [], encrypted: [] };
    const order: string[] = [];
    const runners = { ours: runOurs, bare: runBare, encrypted: runEncrypted };
    const names = { ours: 'engine', bare: 'bare', encrypted: 'encrypted' };
    for (let round = 0; round < ROUNDS; round += 1) {
      // Each side goes first, second and third in turn, so drift hits all alike.
      const rotation = (['ours', 'bare', 'encrypted'] as const).map((_, index, all) => all[(index + round) % all.length] as (typeof all)[number]);
      const sides = round % 2 === 0 ? rotation : [...rotation].reverse();
      for (const side of sides) {
        results[side].push(await batch(runners[side], WORKFLOWS, `${side}-${round}`));
        order.push(names[side]);
      }
    }

    // --- report --------------------------------------------------------------------------
    const summary = (batches: Batch[]) => {
      const sorted = batches.flatMap((entry) => entry.latencies).sort((left, right) => left - right);
      const totalMs = batches.reduce((sum, entry) => sum + entry.milliseconds, 0);
      const batchMs = totalMs / batches.length;
      return { batchMs, perSecond: sorted.length / (totalMs / 1000), p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99) };
    };
    const engine = summary(results.ours);
    const bare = summary(results.bare);
    const withEncryption = summary(results.encrypted);
    const rows = [
      { path: 'mcp-agent engine', ...engine },
      { path: 'engine, encrypted', ...withEncryption },
      { path: 'bare Temporal SDK', ...bare },
    ];

    console.log(
      `\n${WORKFLOWS} workflows per batch, all started at once, ${ROUNDS} batches per side (order: ${order.join(', ')}), after ${WARM_UP_WORKFLOWS} warm-up workflows per side`,
    );
    console.log(`activities per workflow: engine ${oursActivities.length} (${oursActivities.join(', ')})`);
    console.log(`                         bare   ${bareActivitiesSeen.length} (${bareActivitiesSeen.join(', ')})`);
    console.log(`(batch ms: mean time from the first start to the last result; wf/s: all workflows of a side over its total batch time;`);
    console.log(` p50, p99: start-to-result latency over all ${WORKFLOWS * ROUNDS} workflows of a side)\n`);
    console.log(`${'path'.padEnd(20)}${'batch ms'.padStart(10)}${'wf/s'.padStart(9)}${'p50 ms'.padStart(10)}${'p99 ms'.padStart(10)}`);
    for (const row of rows) {
      console.log(
        `${row.path.padEnd(20)}${row.batchMs.toFixed(0).padStart(10)}${row.perSecond.toFixed(1).padStart(9)}${row.p50.toFixed(1).padStart(10)}${row.p99.toFixed(1).padStart(10)}`,
      );
    }
    console.log('');
    for (const [side, batches] of [
      ['engine', results.ours],
      ['encrypted', results.encrypted],
      ['bare', results.bare],
    ] as const) {
      console.log(`${side.padEnd(10)}batches: ${batches.map((entry) => `${entry.milliseconds.toFixed(0)} ms`).join(', ')}`);
    }
    console.log('');
    const timeRatio = engine.batchMs / bare.batchMs;
    const p50Ratio = engine.p50 / bare.p50;
    const p99Ratio = engine.p99 / bare.p99;
    const verdict = (ratio: number): string => `${ratio < TARGET_RATIO ? 'under' : 'OVER'} the ${TARGET_RATIO.toFixed(2)} target`;
    console.log(`engine/bare batch time ${timeRatio.toFixed(3)} (${verdict(timeRatio)})`);
    console.log(`engine/bare p50        ${p50Ratio.toFixed(3)} (${verdict(p50Ratio)})`);
    console.log(`engine/bare p99        ${p99Ratio.toFixed(3)}`);
    const perRound = results.ours.map((entry, round) => entry.milliseconds / (results.bare[round] as Batch).milliseconds);
    console.log(`engine/bare batch time per round: ${perRound.map((ratio) => ratio.toFixed(3)).join(', ')}`);
    console.log(`\ncost of payload encryption (AES-256-GCM on every payload; encrypted engine / engine):`);
    console.log(
      `  batch time ${(withEncryption.batchMs / engine.batchMs).toFixed(3)}, p50 ${(withEncryption.p50 / engine.p50).toFixed(3)}, p99 ${(withEncryption.p99 / engine.p99).toFixed(3)}`,
    );

    console.log(`\nworker start-up (createTemporalWorker, ms; ${START_UPS} each, alternating, after one bundling has loaded the bundler)\n`);
    console.log(`first bundleWorkflowsForParts:       ${startUp.firstBundleMs.toFixed(0)} ms (${(startUp.bundleBytes / 1024).toFixed(0)} KiB of code)`);
    console.log(`bundling at start-up (workflowsPath): ${startUp.bundlingMs.map((ms) => ms.toFixed(0)).join(', ')} ms (median ${median(startUp.bundlingMs).toFixed(0)})`);
    console.log(`prebuilt bundle (workflowBundle):     ${startUp.prebuiltMs.map((ms) => ms.toFixed(0)).join(', ')} ms (median ${median(startUp.prebuiltMs).toFixed(0)})`);
    console.log(`bare Worker.create (workflowsPath):   ${bareCreateMs.toFixed(0)} ms, for reference`);
    const rssMiB = process.memoryUsage().rss / 1024 / 1024;
    console.log(`\nrss of the bench process: ${rssMiB.toFixed(0)} MiB; model requests served: ${llm.requests.length}`);
  } finally {
    if (bareWorker !== undefined && bareWorker.getState() === 'RUNNING') bareWorker.shutdown();
    await bareRunning?.catch(() => undefined);
    await ours?.close();
    await encrypted?.close();
    await services?.close();
    await bareWorkerConnection?.close();
    await bareConnection?.close();
    await bareMcp?.close();
    await llm?.close();
    await server.stop();
  }
}

await main();
