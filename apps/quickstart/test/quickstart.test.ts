// The quick start on both engines: the same result in-process and on the Temporal dev server,
// where the step is an activity in the workflow's history; bad input fails the workflow at once;
// and the app's own starter and worker, run as the README runs them.
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createLogger, WorkflowFailedError, type Executor, type WorkflowResult } from '@mcp-agent/core';
import { parseSettings } from '@mcp-agent/core/config';
import { createAsyncioEngine } from '@mcp-agent/executor-asyncio';
import { createTemporalEngine, type TemporalExecutor } from '@mcp-agent/executor-temporal';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { MyWorkflowClient } from '../src/generated/clients.js';
import { app } from '../src/workflows.js';

const appDirectory = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const taskQueue = `quickstart-${process.pid}`;
const logger = createLogger({ transports: ['none'] });

/** The outcome of a run, without its timestamps (which differ between runs). */
const outcome = (result: WorkflowResult<string>): { value: string | undefined; error: string | undefined } => ({ value: result.value, error: result.error });

describe('quickstart', { timeout: 60_000 }, () => {
  let inProcess: Executor;
  let temporal: TemporalExecutor;

  beforeAll(async () => {
    inProcess = await createAsyncioEngine().createExecutor({
      appName: app.name,
      registry: app.registry,
      settings: parseSettings({ execution_engine: 'asyncio' }, 'test settings'),
      logger,
    });
    // A client and, in this process, a worker on a task queue of this test run.
    temporal = (await createTemporalEngine({
      address: inject('temporalAddress'),
      worker: { workflowsPath: new URL('../src/workflows.ts', import.meta.url), taskQueue },
    }).createExecutor({
      appName: app.name,
      registry: app.registry,
      settings: parseSettings({ execution_engine: 'temporal', temporal: { task_queue: taskQueue } }, 'test settings'),
      logger,
    })) as TemporalExecutor;
  });

  afterAll(async () => {
    await inProcess?.close();
    await temporal?.close();
  });

  it('returns "Processed: <input>" on both engines, the step an activity in the Temporal history', async () => {
    const local = await MyWorkflowClient.execute(inProcess, 'Hello Temporal!');
    const handle = await MyWorkflowClient.start(temporal, 'Hello Temporal!');
    const remote = await handle.result();

    expect(outcome(local)).toEqual({ value: 'Processed: Hello Temporal!', error: undefined });
    expect(outcome(remote)).toEqual(outcome(local));

    const history = await temporal.client.workflow.getHandle(handle.workflowId).fetchHistory();
    const activities = (history.events ?? []).flatMap((event) => event.activityTaskScheduledEventAttributes?.activityType?.name ?? []);
    expect(activities).toEqual(['quickstart.processInput']);
    expect((await handle.describe()).status).toBe('COMPLETED');
  });

  it('fails the workflow at once, naming the problem, on empty input (both engines)', async () => {
    const failures = await Promise.all(
      [inProcess, temporal].map(async (executor) => {
        const handle = await MyWorkflowClient.start(executor, '   ');
        const error = await handle.result().then(
          () => undefined,
          (thrown: unknown) => thrown,
        );
        return { error, status: (await handle.describe()).status, workflowId: handle.workflowId };
      }),
    );
    for (const { error, status } of failures) {
      expect(WorkflowFailedError.is(error)).toBe(true);
      expect((error as Error).message).toContain('MyWorkflow needs some text to process, got "   "');
      expect(status).toBe('FAILED');
    }
    // Not retried and no step run: the history holds no activity.
    const history = await temporal.client.workflow.getHandle(failures[1]?.workflowId as string).fetchHistory();
    expect((history.events ?? []).some((event) => event.activityTaskScheduledEventAttributes != null)).toBe(false);
  });

  describe('the app as the README runs it', () => {
    // tsx's loader by URL, so the scripts run with plain node and the workspace's source condition.
    const tsxLoader = pathToFileURL(createRequire(path.join(appDirectory, 'package.json')).resolve('tsx')).href;
    const script = (name: string): string[] => ['--conditions=mcp-agent-source', '--import', tsxLoader, path.join(appDirectory, 'src', name)];
    const processes: ChildProcess[] = [];

    function run(name: string, args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
      return new Promise((resolve) => {
        const child = spawn(process.execPath, [...script(name), ...args], { cwd: appDirectory, env: { ...process.env, ...env } });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
        child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
        child.once('exit', (code) => resolve({ code, stdout, stderr }));
      });
    }

    afterAll(() => {
      for (const child of processes) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });

    it('pnpm start: in-process, prints the result and exits 0', async () => {
      const { code, stdout, stderr } = await run('start.ts', [], { EXECUTION_ENGINE: '' });
      expect(stderr).toBe('');
      expect(code).toBe(0);
      expect(stdout).toContain('engine: asyncio');
      expect(stdout).toContain('Result: Processed: Hello Temporal!');
    });

    it('pnpm worker + EXECUTION_ENGINE=temporal pnpm start: the starter is answered by the worker process, which stops on SIGTERM', async () => {
      const env = { EXECUTION_ENGINE: 'temporal', TEMPORAL__HOST: inject('temporalAddress'), TEMPORAL__TASK_QUEUE: `${taskQueue}-processes` };
      const worker = spawn(process.execPath, script('worker.ts'), { cwd: appDirectory, env: { ...process.env, ...env } });
      processes.push(worker);
      let workerOutput = '';
      worker.stderr.on('data', (chunk: Buffer) => (workerOutput += chunk.toString()));
      await new Promise<void>((resolve, reject) => {
        worker.stdout.on('data', (chunk: Buffer) => {
          workerOutput += chunk.toString();
          if (workerOutput.includes('worker: polling')) resolve();
        });
        worker.once('exit', (code) => reject(new Error(`the worker exited (${code}) before polling:\n${workerOutput}`)));
      });
      expect(workerOutput).toContain(`worker: polling task queue "${env.TEMPORAL__TASK_QUEUE}"`);

      const { code, stdout, stderr } = await run('start.ts', ['Hello from a test'], env);
      expect(stderr).toBe('');
      expect(code).toBe(0);
      expect(stdout).toContain('engine: temporal');
      expect(stdout).toMatch(/watch it in the Web UI: http:\/\/localhost:\d+\/namespaces\/default\/workflows\/MyWorkflow-/);
      expect(stdout).toContain('Result: Processed: Hello from a test');

      const exited = new Promise<number | null>((resolve) => worker.once('exit', resolve));
      worker.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(workerOutput).toContain('worker: stopped');
    });
  });
});
