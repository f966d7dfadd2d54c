// The workflows commands' checks before they reach a run: `workflows query` and `pending` to a run
// no worker serves answer at once, naming the task queue, instead of waiting for the server's
// query timeout; `workflows signal` without --app checks the name against the workflows the
// generated manifest names.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createLogger } from '@mcp-agent/core';
import { parseSettings } from '@mcp-agent/core/config';
import { createTemporalEngine, type TemporalExecutor } from '@mcp-agent/executor-temporal';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { main } from '../src/index.js';
import { app } from './app/src/workflows.js';

const appDirectory = path.join(import.meta.dirname, 'app');

async function cli(argv: string[], cwd?: string) {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    stdout: (text) => void (stdout += text),
    stderr: (text) => void (stderr += text),
    signal: new AbortController().signal,
    env: {},
    ...(cwd === undefined ? {} : { cwd }),
  });
  return { code, stdout, stderr };
}

describe('workflows commands on a run no worker serves', { timeout: 60_000 }, () => {
  const directory = mkdtempSync(path.join(tmpdir(), 'mcp-agent-cli-query-'));
  const config = path.join(directory, 'mcp_agent.config.yaml');
  const [host, port] = inject('temporalAddress').split(':');
  // A task queue no worker ever polls.
  const taskQueue = `cli-unserved-${process.pid}-${Date.now()}`;
  let executor: TemporalExecutor;

  beforeAll(async () => {
    writeFileSync(config, ['execution_engine: temporal', 'temporal:', `  host: "${host}"`, `  port: ${port}`, `  task_queue: ${taskQueue}`, ''].join('\n'));
    const settings = parseSettings({ execution_engine: 'temporal', temporal: { task_queue: taskQueue } }, 'cli');
    executor = (await createTemporalEngine({ address: inject('temporalAddress') }).createExecutor({
      appName: app.name,
      registry: app.registry,
      settings,
      logger: createLogger({ transports: ['none'] }),
    })) as TemporalExecutor;
  });

  afterAll(async () => {
    await executor?.close();
    rmSync(directory, { recursive: true, force: true });
  });

  it('names the task queue and the fix within seconds, for an ended run and a running one', async () => {
    const ended = `cli-unserved-ended-${Date.now()}`;
    await executor.client.workflow.start('GreetingWorkflow', { taskQueue, workflowId: ended, args: ['ada'] });
    await executor.client.workflow.getHandle(ended).terminate('no worker in this test');
    const started = performance.now();
    const query = await cli(['workflows', 'query', ended, 'status', '--config', config]);
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(query.code).toBe(1);
    expect(query.stderr).toContain(`no worker is polling task queue "${taskQueue}": start one with \`mcp-agent worker\``);
    expect(query.stderr).toContain(`(${ended} is TERMINATED)`);

    const running = `cli-unserved-running-${Date.now()}`;
    await executor.client.workflow.start('WaitingWorkflow', { taskQueue, workflowId: running, args: [{ item: 'x', priority: 1 }] });
    const pending = await cli(['workflows', 'pending', running, '--config', config]);
    expect(pending.code).toBe(1);
    expect(pending.stderr).toContain(`no worker is polling task queue "${taskQueue}"`);
    await executor.client.workflow.getHandle(running).terminate('end of test');
  });

  it('refuses a signal the workflow does not define without --app, from the workflows of the generated manifest', async () => {
    const running = `cli-signal-manifest-${Date.now()}`;
    await executor.client.workflow.start('WaitingWorkflow', { taskQueue, workflowId: running, args: [{ item: 'x', priority: 1 }] });
    // In the app's src/, where no src/workflows.ts is: only the manifest of src/generated/ above names the app's modules.
    const refused = await cli(['workflows', 'signal', running, 'relase', '--input', '"go"', '--config', config], path.join(appDirectory, 'src'));
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('relase');
    expect(refused.stderr).toContain('release');
    const sent = await cli(['workflows', 'signal', running, 'release', '--input', '"go"', '--config', config], path.join(appDirectory, 'src'));
    expect(sent.code, sent.stderr).toBe(0);
    expect(sent.stdout).toContain(`sent release to ${running}`);
    await executor.client.workflow.getHandle(running).terminate('end of test');
  });
});
