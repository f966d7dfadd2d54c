/**
 * What a pattern costs over a hand-written loop making the same model calls, in the same run:
 *
 * - in-process: a parallel fan-out (three branches and a fan-in, 4 model calls) and an
 *   orchestrator (a 10-step plan of 2 tasks each, 23 model calls), each against a workflow that
 *   makes the same calls by hand, all to the local wire-protocol server through the real `openai`
 *   SDK; rounds alternate so drift in the machine's load hits both alike. Prints the mean time per
 *   run of each and the ratio (target <= 1.05);
 * - on a Temporal dev server started here: the orchestrator's history, in bytes (as the server
 *   stores it) and events per step of its plan, with the hand-written loop's for comparison.
 *
 * Run: pnpm --filter @mcp-agent/patterns bench
 */
import { execFileSync, spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLogger, type Executor } from '@mcp-agent/core';
import { parseSettings } from '@mcp-agent/core/config';
import { createExecutorWithServices } from '@mcp-agent/core/engine';
import { createAsyncioEngine } from '@mcp-agent/executor-asyncio';
import { createTemporalEngine, type TemporalExecutor } from '@mcp-agent/executor-temporal';
import { llmProvider } from '@mcp-agent/providers-openai';
import { startLocalLlmServer, type RecordedLlmRequest } from '@mcp-agent/testing';
import { DEFAULT_PLANNER_INSTRUCTION, DEFAULT_SYNTHESIZER_INSTRUCTION } from '../src/orchestrator-prompts.js';
import { BRANCH_INSTRUCTIONS, benchApp, FAN_IN_INSTRUCTION, OrchestratorByHand, OrchestratorPattern, ParallelByHand, ParallelPattern, WORKER_INSTRUCTION } from './bench-workflows.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const STEPS = 10;
const WORKERS = 2;
const RUNS = { parallel: 150, orchestrator: 30 };
const ROUNDS = 4;
const TARGET = 1.05;
const logger = createLogger({ transports: ['none'] });

function systemOf(request: RecordedLlmRequest): string {
  const messages = (request.body.messages ?? []) as Array<{ role: string; content: unknown }>;
  return String(messages.find((message) => message.role === 'system')?.content ?? '');
}

function reply(request: RecordedLlmRequest): { text: string; usage: { inputTokens: number; outputTokens: number } } {
  const usage = { inputTokens: 100, outputTokens: 10 };
  const system = systemOf(request);
  if (system === DEFAULT_PLANNER_INSTRUCTION) {
    if ((request.lastUserMessage ?? '').includes('RESULT')) return { text: JSON.stringify({ steps: [], isComplete: true }), usage };
    const steps = Array.from({ length: STEPS }, (_, step) => ({
      description: `Step ${step + 1}`,
      tasks: Array.from({ length: WORKERS }, (_, worker) => ({ description: `Part ${worker + 1} of step ${step + 1}`, agent: `worker_${worker}` })),
    }));
    return { text: JSON.stringify({ steps, isComplete: false }), usage };
  }
  if (system === WORKER_INSTRUCTION) return { text: 'RESULT: done', usage };
  if (system === DEFAULT_SYNTHESIZER_INSTRUCTION) return { text: 'All steps are done.', usage };
  if (BRANCH_INSTRUCTIONS.includes(system)) return { text: 'An analysis.', usage };
  if (system === FAN_IN_INSTRUCTION) return { text: 'The report.', usage };
  return { text: `no scripted reply for: ${system.slice(0, 40)}`, usage };
}

const model = await startLocalLlmServer({ script: { rules: [{ match: () => true, reply }] } });
const settings = (engine: string, extra: Record<string, unknown> = {}) =>
  parseSettings({ execution_engine: engine, openai: { api_key: 'sk-bench', base_url: model.openaiBaseUrl, default_model: 'gpt-4o-mini' }, ...extra }, 'bench settings');

async function timed(run: () => Promise<unknown>, count: number): Promise<number> {
  const started = performance.now();
  for (let index = 0; index < count; index += 1) await run();
  return (performance.now() - started) / count;
}

function mean(values: readonly number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

/** Mean milliseconds per run of the pattern and of the hand-written loop, alternating rounds. */
async function compare(executor: Executor, pattern: () => Promise<unknown>, byHand: () => Promise<unknown>, runs: number): Promise<{ pattern: number; byHand: number; calls: number }> {
  const before = model.requests.length;
  await pattern();
  const calls = model.requests.length - before;
  await byHand();
  if (model.requests.length - before !== 2 * calls) throw new Error(`the hand-written loop made ${model.requests.length - before - calls} model calls, the pattern ${calls}`);
  for (let index = 0; index < 10; index += 1) await Promise.all([pattern(), byHand()]);
  const patternTimes: number[] = [];
  const handTimes: number[] = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    if (round % 2 === 0) {
      patternTimes.push(await timed(pattern, runs));
      handTimes.push(await timed(byHand, runs));
    } else {
      handTimes.push(await timed(byHand, runs));
      patternTimes.push(await timed(pattern, runs));
    }
  }
  void executor;
  return { pattern: mean(patternTimes), byHand: mean(handTimes), calls };
}

const ms = (value: number): string => `${value.toFixed(2)} ms`;

try {
  // In-process.
  const executor = await createExecutorWithServices(createAsyncioEngine(), {
    appName: benchApp.name,
    registry: benchApp.registry,
    logger,
    llmProviders: [llmProvider],
    settings: settings('asyncio'),
  });
  try {
    const document = 'Orders grew 8% in October. A packaging shortage delays 40 shipments.';
    const parallel = await compare(
      executor,
      () => executor.executeWorkflow(ParallelPattern, document),
      () => executor.executeWorkflow(ParallelByHand, document),
      RUNS.parallel,
    );
    const input = { objective: `Do the work in ${STEPS} steps`, workers: WORKERS };
    const orchestrator = await compare(
      executor,
      () => executor.executeWorkflow(OrchestratorPattern, input),
      () => executor.executeWorkflow(OrchestratorByHand, input),
      RUNS.orchestrator,
    );
    for (const [name, result] of [
      ['parallel (3 branches + fan-in)', parallel],
      [`orchestrator (${STEPS} steps x ${WORKERS} tasks)`, orchestrator],
    ] as const) {
      const ratio = result.pattern / result.byHand;
      console.log(
        `patterns in-process: ${name}, ${result.calls} model calls: ${ms(result.pattern)} per run vs ${ms(result.byHand)} by hand, ratio ${ratio.toFixed(3)} (target <= ${TARGET}${ratio <= TARGET ? ', met' : ', MISSED'})`,
      );
    }
  } finally {
    await executor.close();
  }

  // On Temporal: history bytes per step.
  const cli = /TEMPORAL_CLI_PATH=(.+)/.exec(execFileSync('bash', [path.join(ROOT, 'tools/install-temporal.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }))?.[1];
  if (cli === undefined) throw new Error('tools/install-temporal.sh printed no TEMPORAL_CLI_PATH');
  const port = await new Promise<number>((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port: free } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(free));
    });
  });
  const server = spawn(cli, ['server', 'start-dev', '--headless', '--ip', '127.0.0.1', '--port', String(port), '--log-level', 'error'], { stdio: 'ignore' });
  let temporal: TemporalExecutor | undefined;
  try {
    const address = `127.0.0.1:${port}`;
    const taskQueue = `patterns-bench-${process.pid}`;
    for (let attempt = 0; ; attempt += 1) {
      try {
        temporal = (await createExecutorWithServices(createTemporalEngine({ address, worker: { workflowsPath: new URL('./bench-workflows.ts', import.meta.url), taskQueue } }), {
          appName: benchApp.name,
          registry: benchApp.registry,
          logger,
          llmProviders: [llmProvider],
          settings: settings('temporal', { temporal: { task_queue: taskQueue } }),
        })) as TemporalExecutor;
        break;
      } catch (error) {
        if (attempt > 100) throw error;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
    const sizeOf = async (workflowId: string) => {
      const response = await (temporal as TemporalExecutor).client.workflowService.getWorkflowExecutionHistory({
        namespace: 'default',
        execution: { workflowId },
        maximumPageSize: 100_000,
      });
      const history = response.history;
      const bytes =
        history === null || history === undefined ? 0 : (history.constructor as unknown as { encode(message: unknown): { finish(): Uint8Array } }).encode(history).finish().byteLength;
      return { bytes, events: history?.events?.length ?? 0 };
    };
    const input = { objective: `Do the work in ${STEPS} steps`, workers: WORKERS };
    const pattern = await temporal.startWorkflow(OrchestratorPattern, input);
    await pattern.result();
    const byHand = await temporal.startWorkflow(OrchestratorByHand, input);
    await byHand.result();
    const [patternSize, handSize] = await Promise.all([sizeOf(pattern.workflowId), sizeOf(byHand.workflowId)]);
    console.log(
      `patterns on Temporal: orchestrator history ${Math.round(patternSize.bytes / STEPS).toLocaleString('en-US')} bytes and ${(patternSize.events / STEPS).toFixed(1)} events per step ` +
        `(${patternSize.bytes.toLocaleString('en-US')} bytes, ${patternSize.events} events for ${STEPS} steps of ${WORKERS} tasks); ` +
        `by hand ${Math.round(handSize.bytes / STEPS).toLocaleString('en-US')} bytes and ${(handSize.events / STEPS).toFixed(1)} events per step`,
    );
  } finally {
    await temporal?.close();
    server.kill('SIGKILL');
  }
} finally {
  await model.close();
}
