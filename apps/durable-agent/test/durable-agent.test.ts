// The analyst on both engines, against the real filesystem MCP server and the real openai SDK
// (pointed at the local scripted model): the same report in-process and on Temporal, three model
// round trips per run that reach the model server in order, each fed by the one before, and the
// MCP tool calls and model calls as activities in the Temporal history.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createLogger, WorkflowFailedError, type Executor } from '@mcp-agent/core';
import { parseSettings, type SettingsInput } from '@mcp-agent/core/config';
import { createAsyncioEngine } from '@mcp-agent/executor-asyncio';
import { createTemporalEngine, type TemporalExecutor } from '@mcp-agent/executor-temporal';
import { llmProvider } from '@mcp-agent/providers-openai';
import { startLocalLlmServer, type LocalLlmServer } from '@mcp-agent/testing';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { createExecutorWithServices } from '@mcp-agent/core/engine';
import { filesystemServerEntry, writeDataFiles } from '../src/data.js';
import { AnalystWorkflowClient } from '../src/generated/clients.js';
import { scriptedReply, startScriptedModel } from '../src/model.js';
import { app, type AnalysisReport } from '../src/workflows.js';

const appDirectory = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const taskQueue = `durable-agent-${process.pid}`;
const logger = createLogger({ transports: ['none'] });
const question = 'How did revenue develop last quarter, and why?';

describe('durable analyst agent', { timeout: 60_000 }, () => {
  let folder: string;
  let model: LocalLlmServer;
  let inProcess: Executor;
  let temporal: TemporalExecutor;

  beforeAll(async () => {
    folder = await mkdtemp(path.join(tmpdir(), 'durable-agent-test-'));
    await writeDataFiles(folder);
    model = await startScriptedModel();
    const settings = (engine: 'asyncio' | 'temporal'): SettingsInput => ({
      execution_engine: engine,
      temporal: { task_queue: taskQueue },
      mcp: { servers: { filesystem: { command: process.execPath, args: [filesystemServerEntry(), folder] } } },
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
    await rm(folder, { recursive: true, force: true });
  });

  /** Runs the analyst on `executor`; returns its report, the model requests it made, and its workflow id. */
  async function analyse(executor: Executor): Promise<{ report: AnalysisReport | undefined; prompts: string[]; workflowId: string; stage: string }> {
    const before = model.requests.length;
    const handle = await AnalystWorkflowClient.start(executor, { folder, question });
    const result = await handle.result();
    const requests = model.requests.slice(before);
    return { report: result.value, prompts: requests.map((request) => request.lastUserMessage ?? ''), workflowId: handle.workflowId, stage: await handle.queries.stage() };
  }

  it('makes three model round trips, each building on the last, and gives the same report on both engines', async () => {
    const local = await analyse(inProcess);
    const remote = await analyse(temporal);

    for (const run of [local, remote]) {
      // Exactly the three steps reached the model server, in order.
      expect(run.prompts.map((prompt) => prompt.split(':')[0])).toEqual(['Gather', 'Analyse', 'Report']);
      // The gather prompt holds the files as the filesystem MCP server read them.
      expect(run.prompts[0]).toContain('--- revenue.csv\nquarter,region,revenue_eur\nQ1,north,120000');
      expect(run.prompts[0]).toContain('--- notes.md\n# Sales notes');
      // Each later step is fed the step before it.
      expect(run.prompts[1]).toContain(run.report?.findings);
      expect(run.prompts[2]).toContain(run.report?.analysis);
      expect(run.prompts[2]).toContain(question);
      expect(run.stage).toBe('done');
    }
    expect(local.report?.files).toEqual(['notes.md', 'revenue.csv']);
    expect(local.report?.findings).toContain('total (revenue.csv): Q1 200000 EUR, Q2 217000 EUR, Q3 185000 EUR.');
    expect(local.report?.report).toMatch(/^Revenue fell 14\.7% in Q3, to 185000 EUR\. North fell 33\.3% \(lost its largest customer, Contoso, in August\)/);
    expect(remote.report).toEqual(local.report);

    // On Temporal every tool call and model round trip is an activity in the history, in order.
    const history = await temporal.client.workflow.getHandle(remote.workflowId).fetchHistory();
    const activities = (history.events ?? []).flatMap((event) => {
      const scheduled = event.activityTaskScheduledEventAttributes;
      if (scheduled == null) return [];
      const type = scheduled.activityType?.name ?? '';
      const input = JSON.parse(Buffer.from(scheduled.input?.payloads?.[0]?.data ?? []).toString('utf8') || 'null') as { tool?: string } | null;
      return [type === 'mcp.callTool' ? `${type} ${input?.tool}` : type];
    });
    expect(activities).toEqual([
      'mcp.listTools',
      'mcp.callTool list_directory',
      'mcp.callTool read_text_file',
      'mcp.callTool read_text_file',
      'llm.openai.complete',
      'llm.openai.complete',
      'llm.openai.complete',
    ]);
  });

  it('fails with a clear error, without asking the model, for a folder the server may not read or a relative path (both engines)', async () => {
    for (const executor of [inProcess, temporal]) {
      const before = model.requests.length;
      const outside = await AnalystWorkflowClient.start(executor, { folder: '/etc', question });
      const denied = await outside.result().catch((error: unknown) => error);
      expect(WorkflowFailedError.is(denied), executor.engine).toBe(true);
      expect((denied as Error).message).toMatch(/list_directory failed: .*Access denied - path outside allowed directories/);

      const relative = await AnalystWorkflowClient.start(executor, { folder: 'data', question });
      const invalid = await relative.result().catch((error: unknown) => error);
      expect((invalid as Error).message).toContain('AnalystWorkflow needs { folder: an absolute path, question: some text }, got {"folder":"data"');
      expect(model.requests.length).toBe(before);
    }
  });

  describe('the app as the README runs it', () => {
    const tsxLoader = pathToFileURL(createRequire(path.join(appDirectory, 'package.json')).resolve('tsx')).href;
    const command = (name: string): string[] => ['--conditions=mcp-agent-source', '--import', tsxLoader, path.join(appDirectory, 'src', name)];
    // No key: the scripts start the scripted model themselves. Their own data folder.
    const env = (): NodeJS.ProcessEnv => ({ ...process.env, OPENAI_API_KEY: '', OPENAI_BASE_URL: '', ANALYST_DATA_FOLDER: path.join(folder, 'scripts') });

    function start(extra: Record<string, string> = {}, onOutput?: (stdout: string) => void): Promise<{ code: number | null; stdout: string; stderr: string }> {
      return new Promise((resolve) => {
        const child = spawn(process.execPath, command('start.ts'), { cwd: appDirectory, env: { ...env(), ...extra } });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (chunk: Buffer) => {
          stdout += chunk.toString();
          onOutput?.(stdout);
        });
        child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
        child.once('exit', (code) => resolve({ code, stdout, stderr }));
      });
    }

    it('pnpm start: writes the data, starts the scripted model, prints each step and exits 0', async () => {
      const { code, stdout, stderr } = await start({ EXECUTION_ENGINE: '' });
      expect(stderr).toBe('');
      expect(code).toBe(0);
      expect(stdout).toContain(`data: revenue.csv, notes.md in ${path.join(folder, 'scripts')}`);
      expect(stdout).toContain('model: no OpenAI key is configured');
      expect(stdout).toContain('engine: asyncio');
      expect(stdout).toContain('files read: notes.md, revenue.csv');
      expect(stdout).toMatch(/3\. report: How did revenue develop last quarter, and why\?\nRevenue fell 14\.7% in Q3/);
    });

    it('on Temporal: a worker killed (SIGKILL) during the analyse step is replaced, and the run finishes without reading the files or gathering again', { timeout: 90_000 }, async () => {
      // The worker processes use this test's model server (a configured key and base URL), whose
      // first analyse reply never comes: the worker is killed while waiting for it.
      const slow = await startLocalLlmServer({
        script: {
          rules: [
            { match: (request) => (request.lastUserMessage ?? '').startsWith('Analyse:'), reply: { text: 'never sent', delayMilliseconds: 60_000 }, times: 1 },
            { match: () => true, reply: scriptedReply },
          ],
        },
      });
      const temporalEnv = {
        EXECUTION_ENGINE: 'temporal',
        TEMPORAL__HOST: inject('temporalAddress'),
        TEMPORAL__TASK_QUEUE: `${taskQueue}-processes`,
        // A lost attempt is tried again after this (the default is 5 minutes).
        TEMPORAL__TIMEOUT_SECONDS: '2',
        OPENAI_API_KEY: 'sk-local-test',
        OPENAI_BASE_URL: slow.openaiBaseUrl,
      };
      const workers: ChildProcess[] = [];
      const startWorker = async (): Promise<ChildProcess> => {
        const worker = spawn(process.execPath, command('worker.ts'), { cwd: appDirectory, env: { ...env(), ...temporalEnv } });
        workers.push(worker);
        let output = '';
        worker.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
        await new Promise<void>((resolve, reject) => {
          worker.stdout.on('data', (chunk: Buffer) => {
            output += chunk.toString();
            if (output.includes('worker: polling')) resolve();
          });
          worker.once('exit', (code) => reject(new Error(`the worker exited (${code}) before polling:\n${output}`)));
        });
        expect(output).toContain('model: OpenAI (an API key is configured)');
        return worker;
      };
      const steps = (): string[] => slow.requests.map((request) => (request.lastUserMessage ?? '').split(':')[0] ?? '');
      try {
        const first = await startWorker();
        let workflowId = '';
        const starter = start(temporalEnv, (stdout) => (workflowId = /started AnalystWorkflow id=(\S+)/.exec(stdout)?.[1] ?? ''));
        await vi.waitFor(() => expect(steps()).toEqual(['Gather', 'Analyse']), { timeout: 30_000, interval: 20 });
        first.kill('SIGKILL');
        await new Promise((resolve) => first.once('exit', resolve));
        // A worker that shuts down tells the server to stop routing the workflow to its cache (its
        // sticky queue); a killed one can't, and the server would wait 10 s for it before giving the
        // next workflow task to another worker. Say it for the dead worker, as an operator would.
        await temporal.client.workflowService.resetStickyTaskQueue({ namespace: 'default', execution: { workflowId } });
        await startWorker();

        const { code, stdout, stderr } = await starter;
        expect(stderr).toBe('');
        expect(code).toBe(0);
        expect(stdout).toContain('model: the worker makes the model calls');
        expect(stdout).toContain('engine: temporal');
        expect(stdout).toMatch(/3\. report: How did revenue develop last quarter, and why\?\nRevenue fell 14\.7% in Q3/);
        // The gather round trip, finished before the kill, was not made again; the analyse step lost
        // with the first worker was, by the second.
        expect(steps()).toEqual(['Gather', 'Analyse', 'Analyse', 'Report']);
        const history = await temporal.client.workflow.getHandle(workflowId).fetchHistory();
        const scheduled = (history.events ?? []).flatMap((event) => event.activityTaskScheduledEventAttributes?.activityType?.name ?? []);
        expect(scheduled).toEqual(['mcp.listTools', 'mcp.callTool', 'mcp.callTool', 'mcp.callTool', 'llm.openai.complete', 'llm.openai.complete', 'llm.openai.complete']);
        const attempts = (history.events ?? []).flatMap((event) => event.activityTaskStartedEventAttributes?.attempt ?? []);
        expect(attempts).toEqual([1, 1, 1, 1, 1, 2, 1]);
      } finally {
        for (const worker of workers) if (worker.exitCode === null && worker.signalCode === null) worker.kill('SIGKILL');
        await slow.close();
      }
    });
  });
});
