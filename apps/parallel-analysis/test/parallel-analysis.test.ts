// The parallel analysis on both engines: three agents' model requests in flight together (each
// scripted answer takes a while, and all three requests arrive before the first is answered), the
// same combined report in-process and on Temporal, and on Temporal three model activities
// scheduled by one workflow task.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createLogger, WorkflowFailedError, type Executor } from '@mcp-agent/core';
import { parseSettings, type SettingsInput } from '@mcp-agent/core/config';
import { createAsyncioEngine } from '@mcp-agent/executor-asyncio';
import { createTemporalEngine, type TemporalExecutor } from '@mcp-agent/executor-temporal';
import { llmProvider } from '@mcp-agent/providers-openai';
import type { LocalLlmServer, RecordedLlmRequest } from '@mcp-agent/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createExecutorWithServices } from '@mcp-agent/core/engine';
import { ParallelAnalysisWorkflowClient } from '../src/generated/clients.js';
import { startScriptedModel } from '../src/model.js';
import { app, type AnalysisDocument } from '../src/workflows.js';

const appDirectory = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const taskQueue = `parallel-analysis-${process.pid}`;
const logger = createLogger({ transports: ['none'] });
/** How long each scripted answer takes: requests made one after another could not overlap. */
const replyMilliseconds = 800;

const memo: AnalysisDocument = {
  title: 'Warehouse report',
  text: 'Orders grew 8% in October. A shortage of packaging delays 40 shipments. Staff turnover improved to 6%.',
};

describe('parallel analysis', { timeout: 60_000 }, () => {
  let model: LocalLlmServer;
  let inProcess: Executor;
  let temporal: TemporalExecutor;

  beforeAll(async () => {
    model = await startScriptedModel(replyMilliseconds);
    const settings = (engine: 'asyncio' | 'temporal'): SettingsInput => ({
      execution_engine: engine,
      temporal: { task_queue: taskQueue },
      openai: { api_key: 'sk-local-test', base_url: model.openaiBaseUrl, default_model: 'gpt-4o-mini' },
    });
    const parts = { appName: app.name, registry: app.registry, logger, llmProviders: [llmProvider] };
    inProcess = await createExecutorWithServices(createAsyncioEngine(), { ...parts, settings: parseSettings(settings('asyncio'), 'test settings') });
    temporal = (await createExecutorWithServices(
      createTemporalEngine({
        address: inject('temporalAddress'),
        worker: { workflowsPath: new URL('../src/workflows.ts', import.meta.url), taskQueue },
      }),
      { ...parts, settings: parseSettings(settings('temporal'), 'test settings') },
    )) as TemporalExecutor;
  });

  afterAll(async () => {
    await inProcess?.close();
    await temporal?.close();
    await model?.close();
  });

  /** Runs the analysis; returns its result and the model requests it made. */
  async function analyse(executor: Executor) {
    const before = model.requests.length;
    const handle = await ParallelAnalysisWorkflowClient.start(executor, memo);
    const result = await handle.result();
    return { value: result.value, requests: model.requests.slice(before), workflowId: handle.workflowId };
  }

  const systemPrompt = (request: RecordedLlmRequest): string => String((request.body.messages as Array<{ role: string; content: unknown }>)[0]?.content);
  const millis = (date: Date | undefined): number => date?.getTime() ?? Number.NaN;

  it('has the three agents’ model requests in flight together, and gives the same combined report on both engines', async () => {
    const local = await analyse(inProcess);
    const remote = await analyse(temporal);

    for (const run of [local, remote]) {
      expect(run.requests).toHaveLength(3);
      // Three agents: three instructions, three questions.
      expect(run.requests.map((request) => (request.lastUserMessage ?? '').split(':')[0]).sort()).toEqual(['Key points', 'Risks', 'Sentiment']);
      expect(new Set(run.requests.map(systemPrompt)).size).toBe(3);
      // In flight together: the last request arrived before the first answer went out. Made one
      // after another, each would wait for the previous answer (800 ms).
      const lastArrival = Math.max(...run.requests.map((request) => millis(request.time)));
      const firstAnswer = Math.min(...run.requests.map((request) => millis(request.answeredAt)));
      expect(lastArrival).toBeLessThan(firstAnswer);
    }

    expect(local.value).toEqual({
      title: 'Warehouse report',
      sentiment: 'mixed: positive (grew, improved), negative (delay, shortage)',
      keyPoints: '- Orders grew 8% in October.\n- A shortage of packaging delays 40 shipments.\n- Staff turnover improved to 6%.',
      risks: '- A shortage of packaging delays 40 shipments.',
      report: expect.stringMatching(
        /^# Analysis: Warehouse report\n\n## Sentiment\n\nmixed: .*\n\n## Key points\n\n- Orders grew .*\n\n## Risks\n\n- A shortage of packaging delays 40 shipments\.$/s,
      ),
    });
    expect(remote.value).toEqual(local.value);

    // On Temporal the three model calls are activities scheduled together, by one workflow task.
    const history = await temporal.client.workflow.getHandle(remote.workflowId).fetchHistory();
    const scheduled = (history.events ?? []).flatMap((event) => event.activityTaskScheduledEventAttributes ?? []);
    expect(scheduled.map((attributes) => attributes.activityType?.name)).toEqual(['llm.openai.complete', 'llm.openai.complete', 'llm.openai.complete']);
    expect(new Set(scheduled.map((attributes) => String(attributes.workflowTaskCompletedEventId))).size).toBe(1);
  });

  it('fails at once, with no model call, for a document without text (both engines)', async () => {
    for (const executor of [inProcess, temporal]) {
      const before = model.requests.length;
      const handle = await ParallelAnalysisWorkflowClient.start(executor, { title: 'Empty', text: '' });
      const error = await handle.result().catch((thrown: unknown) => thrown);
      expect(WorkflowFailedError.is(error), executor.engine).toBe(true);
      expect((error as Error).message).toContain('ParallelAnalysisWorkflow needs { title, text } with some text, got {"title":"Empty","text":""}');
      expect(model.requests.length).toBe(before);
    }
  });

  it('pnpm start: prints the combined report in-process, the three answers taking about as long as one, and exits 0', async () => {
    const tsxLoader = pathToFileURL(createRequire(path.join(appDirectory, 'package.json')).resolve('tsx')).href;
    const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, ['--conditions=mcp-agent-source', '--import', tsxLoader, path.join(appDirectory, 'src', 'start.ts')], {
        cwd: appDirectory,
        env: { ...process.env, EXECUTION_ENGINE: '', OPENAI_API_KEY: '', OPENAI_BASE_URL: '' },
      });
      let out = '';
      let err = '';
      child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
      child.once('exit', (exitCode) => resolve({ code: exitCode, stdout: out, stderr: err }));
    });
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain('each answer after 500 ms');
    // Three answers of 500 ms each, at once: well under the 1500 ms they would take in a row.
    const took = Number(/the three analyses took (\d+) ms together/.exec(stdout)?.[1]);
    expect(took).toBeGreaterThanOrEqual(500);
    expect(took).toBeLessThan(1_500);
    expect(stdout).toContain(
      '## Risks\n\n- The mobile app slips to March because of a supplier delay.\n- All hosting depends on a single cloud provider whose contract expires in January.',
    );
  });
});
