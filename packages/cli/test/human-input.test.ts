// `mcp-agent workflows resume` and `workflows pending` against runs waiting for human input on the
// dev server: listing what a run waits for, answering it as text or by request id, another signal
// by --signal-name, and refusing an answer the run could not take before sending anything.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createLogger, type HumanInputRequest, type WorkflowHandle } from '@mcp-agent/core';
import { parseSettings } from '@mcp-agent/core/config';
import { createTemporalEngine, type TemporalExecutor } from '@mcp-agent/executor-temporal';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { main } from '../src/index.js';
import { app } from './fixtures/human-input-workflows.js';

const appModule = path.join(import.meta.dirname, 'fixtures', 'human-input-workflows.ts');

/** Runs the command line; returns the exit code and what it wrote. */
async function cli(argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    signal: new AbortController().signal,
    env: {},
  });
  return { code, stdout, stderr };
}

describe('workflows resume and pending: usage', () => {
  it('documents the human input signal as the default, and the pending command', async () => {
    const resume = await cli(['workflows', 'resume', '--help']);
    expect(resume.code).toBe(0);
    expect(resume.stdout).toContain('usage: mcp-agent workflows resume <workflow-id> [--payload <json or text>] [--run-id <id>] [--signal-name <name>]');
    expect(resume.stdout).toContain('Sends the built-in __human_input__ signal by default');
    expect(resume.stdout).toContain("the Python CLI's default is 'resume'");
    const pending = await cli(['workflows', 'pending', '--help']);
    expect(pending.code).toBe(0);
    expect(pending.stdout).toContain('usage: mcp-agent workflows pending <workflow-id> [--json]');
    const overview = await cli(['--help']);
    expect(overview.stdout).toContain('  workflows resume ');
    expect(overview.stdout).toContain('  workflows pending ');
  });

  it('refuses, with exit code 2 and before connecting, what a waiting run could not take', async () => {
    const missing = await cli(['workflows', 'resume']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('missing arguments');
    const noPayload = await cli(['workflows', 'resume', 'some-run']);
    expect(noPayload.code).toBe(2);
    expect(noPayload.stderr).toContain(`--payload is required to answer human input: the answer's text, or '{"requestId": "<id>", "response": "<answer>"}'`);
    const wrongShape = await cli(['workflows', 'resume', 'some-run', '--payload', '{"approved": true}']);
    expect(wrongShape.code).toBe(2);
    expect(wrongShape.stderr).toContain('--payload: an answer to human input is its text, or {"requestId"?: string, "response": string}; got {"approved": true}');
    expect(wrongShape.stderr).toContain('--signal-name');
    const emptyName = await cli(['workflows', 'resume', 'some-run', '--signal-name', '', '--payload', 'x']);
    expect(emptyName.code).toBe(2);
    expect(emptyName.stderr).toContain('--signal-name: expected a signal name');
  });
});

describe('workflows resume and pending on the dev server', { timeout: 120_000 }, () => {
  const directory = mkdtempSync(path.join(tmpdir(), 'mcp-agent-cli-human-input-'));
  const config = path.join(directory, 'mcp_agent.config.yaml');
  const [host, port] = inject('temporalAddress').split(':');
  const taskQueue = `cli-human-input-${process.pid}`;
  const common = ['--config', config, '--app', appModule];
  let executor: TemporalExecutor;

  const start = (workflowName: string, input?: unknown): Promise<WorkflowHandle> =>
    executor.startWorkflow(workflowName, input, { workflowId: `cli-${workflowName}-${Date.now()}-${Math.floor(Math.random() * 1e6)}` });
  const pending = async (workflowId: string): Promise<HumanInputRequest[]> => {
    const listed = await cli(['workflows', 'pending', workflowId, '--json', ...common]);
    expect(listed.stderr).toBe('');
    return JSON.parse(listed.stdout) as HumanInputRequest[];
  };

  beforeAll(async () => {
    writeFileSync(config, ['execution_engine: temporal', 'temporal:', `  host: "${host}"`, `  port: ${port}`, `  task_queue: ${taskQueue}`, 'logger:', '  level: error', ''].join('\n'));
    const settings = parseSettings({ execution_engine: 'temporal', temporal: { task_queue: taskQueue } }, 'cli-human-input');
    executor = (await createTemporalEngine({ address: inject('temporalAddress'), worker: { workflowsPath: appModule, taskQueue } }).createExecutor({
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

  it('lists the request a run waits for, and completes the run with an answer given as text', async () => {
    const handle = await start('ReviewWorkflow', 'the Q3 report');
    await expect.poll(async () => (await pending(handle.workflowId)).length, { timeout: 20_000 }).toBe(1);
    const [request] = await pending(handle.workflowId);
    expect(request).toMatchObject({ prompt: 'Approve the Q3 report?', description: 'Needed before it is sent', timeoutSeconds: 3600, workflowId: handle.workflowId });
    const text = await cli(['workflows', 'pending', handle.workflowId, ...common]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`1 human input request pending for ${handle.workflowId}, oldest first:`);
    expect(text.stdout).toContain(`  ${request?.requestId}  Approve the Q3 report?`);
    expect(text.stdout).toContain('Needed before it is sent');
    expect(text.stdout).toContain('fails if unanswered 3600 s after it was asked');
    expect(text.stdout).toContain(`answer with: mcp-agent workflows resume ${handle.workflowId} --payload '<answer>'`);

    const resumed = await cli(['workflows', 'resume', handle.workflowId, '--payload', 'approved, send it', ...common]);
    expect(resumed.stderr).toBe('');
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toBe(`sent __human_input__ to ${handle.workflowId}\n`);
    const result = await handle.result();
    expect(result.value).toBe('approved, send it');
    expect(await pending(handle.workflowId)).toEqual([]);
    expect((await cli(['workflows', 'pending', handle.workflowId, ...common])).stdout).toBe(`no human input requests pending for ${handle.workflowId}\n`);
  });

  it('answers the request a JSON payload names, and sends JSON that is no answer object as its text', async () => {
    const handle = await start('TwoQuestionsWorkflow');
    await expect.poll(async () => (await pending(handle.workflowId)).map((request) => request.requestId), { timeout: 20_000 }).toEqual(['colour', 'size']);
    const text = await cli(['workflows', 'pending', handle.workflowId, ...common]);
    expect(text.stdout).toContain(`2 human input requests pending for ${handle.workflowId}`);
    expect(text.stdout).toContain(`--payload '{"requestId": "colour", "response": "<answer>"}'`);

    const second = await cli(['workflows', 'resume', handle.workflowId, '--payload', '{"requestId": "size", "response": "large"}', ...common]);
    expect(second.code).toBe(0);
    await expect.poll(async () => (await pending(handle.workflowId)).map((request) => request.requestId), { timeout: 20_000 }).toEqual(['colour']);
    expect((await handle.describe()).status).toBe('RUNNING');
    // 42 parses as JSON, but an answer is text: the run gets "42".
    const first = await cli(['workflows', 'resume', handle.workflowId, '--payload', '42', '--run-id', handle.runId ?? '', ...common]);
    expect(first.stderr).toBe('');
    expect(first.stdout).toBe(`sent __human_input__ to ${handle.workflowId} (run ${handle.runId})\n`);
    expect((await handle.result()).value).toEqual({ colour: '42', size: 'large' });
  });

  it('sends the signal of --signal-name with the JSON payload parsed, checked against the app', async () => {
    const handle = await start('HoldWorkflow');
    const unknown = await cli(['workflows', 'resume', handle.workflowId, '--signal-name', 'relase', '--payload', 'go', ...common]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('relase');
    expect(unknown.stderr).toContain('release');
    const sent = await cli(['workflows', 'resume', handle.workflowId, '--signal-name', 'release', '--payload', '{"by": "ada", "approved": true}', ...common]);
    expect(sent.stderr).toBe('');
    expect(sent.stdout).toBe(`sent release to ${handle.workflowId}\n`);
    expect((await handle.result()).value).toEqual({ by: 'ada', approved: true });
    // Plain text, when it is not JSON.
    const again = await start('HoldWorkflow');
    expect((await cli(['workflows', 'resume', again.workflowId, '--signal-name', 'release', '--payload', 'go ahead', ...common])).code).toBe(0);
    expect((await again.result()).value).toBe('go ahead');
  });

  it('exits 1 naming the workflow when there is no such run, or it has ended', async () => {
    const missing = await cli(['workflows', 'resume', 'no-such-workflow', '--payload', 'yes', ...common]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no-such-workflow');
    const noPending = await cli(['workflows', 'pending', 'no-such-workflow', ...common]);
    expect(noPending.code).toBe(1);
    expect(noPending.stderr).toContain('no-such-workflow');
    const done = await start('HoldWorkflow');
    await executor.signalWorkflow(undefined, done.workflowId, 'release', 'x');
    await done.result();
    const late = await cli(['workflows', 'resume', done.workflowId, '--payload', 'too late', ...common]);
    expect(late.code).toBe(1);
    expect(late.stderr).toContain(`workflow "${done.workflowId}"`);
    expect(late.stderr).toContain('is not running (COMPLETED)');
  });
});
