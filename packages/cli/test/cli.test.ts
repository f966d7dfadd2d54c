// The mcp-agent command, run in-process through main(): usage errors, recording a history from
// the dev server, replaying it against current and changed code, and the codec server.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createLogger, parseSettings } from '@mcp-agent/core';
import { createTemporalEngine, type TemporalExecutor } from '@mcp-agent/executor-temporal';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { main } from '../src/index.js';
import { app, GreetingWorkflow } from './fixtures/workflows.js';

const fixture = (name: string) => path.join(import.meta.dirname, 'fixtures', name);

/** Runs the command line; returns the exit code and what it wrote. */
async function cli(argv: string[], options: { signal?: AbortSignal; env?: Record<string, string>; onOutput?: (text: string) => void } = {}) {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    stdout: (text) => {
      stdout += text;
      options.onOutput?.(stdout);
    },
    stderr: (text) => {
      stderr += text;
    },
    signal: options.signal ?? new AbortController().signal,
    env: options.env ?? {},
  });
  return { code, stdout, stderr };
}

describe('usage', () => {
  it('prints help, and refuses unknown commands and options with exit code 2', async () => {
    const help = await cli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('codec-server');
    expect(help.stdout).toContain('workflows history');
    expect((await cli([])).code).toBe(2);
    const typo = await cli(['repla']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('unknown command "repla" (did you mean "replay"?)');
    const option = await cli(['replay', '--bogus']);
    expect(option.code).toBe(2);
    expect(option.stderr).toContain("Unknown option '--bogus'");
    expect(option.stderr).toContain('usage: mcp-agent replay');
    const replayHelp = await cli(['replay', '--help']);
    expect(replayHelp.code).toBe(0);
    expect(replayHelp.stdout).toContain('--workflow-id <id>');
  });

  it('names what is missing or wrong in the arguments', async () => {
    expect((await cli(['replay', 'history.json'])).stderr).toContain('--workflows <module> is required');
    expect((await cli(['replay', '--workflows', 'w.ts'])).stderr).toContain('give history files, or --workflow-id');
    expect((await cli(['replay', '--workflows', 'w.ts', '--workflow-id', 'a', 'b.json'])).stderr).toContain('not both');
    const port = await cli(['codec-server', '--port', 'eighty']);
    expect(port.code).toBe(2);
    expect(port.stderr).toContain('--port: expected a port number from 0 to 65535, got "eighty"');
    expect((await cli(['codec-server', '--origin', 'localhost:8233'])).stderr).toContain('--origin: expected an origin such as http://localhost:8233');
    expect((await cli(['workflows', 'history'])).stderr).toContain('missing arguments');
  });
});

describe('histories, replay and the codec server on the dev server', { timeout: 120_000 }, () => {
  const directory = mkdtempSync(path.join(tmpdir(), 'mcp-agent-cli-'));
  const config = path.join(directory, 'mcp_agent.config.yaml');
  const historyFile = path.join(directory, 'greeting.json');
  const key = randomBytes(32).toString('base64');
  const [host, port] = inject('temporalAddress').split(':');
  const taskQueue = `cli-${process.pid}`;
  const workflowId = `cli-greeting-${Date.now()}`;
  let executor: TemporalExecutor;

  beforeAll(async () => {
    writeFileSync(
      config,
      ['execution_engine: temporal', 'temporal:', `  host: "${host}"`, `  port: ${port}`, `  task_queue: ${taskQueue}`, '  data_converter:', `    encryption_key: "${key}"`, ''].join('\n'),
    );
    const settings = parseSettings({ execution_engine: 'temporal', temporal: { task_queue: taskQueue, data_converter: { encryption_key: key } } }, 'cli');
    executor = (await createTemporalEngine({ address: inject('temporalAddress'), worker: { workflowsPath: fixture('workflows.ts'), taskQueue } }).createExecutor({
      appName: app.name,
      registry: app.registry,
      settings,
      logger: createLogger({ transports: ['none'] }),
      llmProviders: [],
    })) as TemporalExecutor;
    expect((await executor.executeWorkflow(GreetingWorkflow, 'ada', { workflowId })).value).toBe('hello ada');
  });

  afterAll(async () => {
    await executor?.close();
    rmSync(directory, { recursive: true, force: true });
  });

  it('saves a history (encrypted as the server keeps it) with workflows history', async () => {
    const saved = await cli(['workflows', 'history', workflowId, '--out', historyFile, '--config', config]);
    expect(saved.stderr).toBe('');
    expect(saved.code).toBe(0);
    expect(saved.stdout).toMatch(new RegExp(`saved the history of ${workflowId} \\(\\d+ events\\)`));
    const text = readFileSync(historyFile, 'utf8');
    expect(JSON.parse(text).events[0].eventType).toBe('EVENT_TYPE_WORKFLOW_EXECUTION_STARTED');
    expect(Buffer.from(text).includes(Buffer.from('hello ada'))).toBe(false);
  });

  it('replays the history against the code that made it, from the file and from the server', async () => {
    const fromFile = await cli(['replay', '--workflows', fixture('workflows.ts'), historyFile, '--config', config]);
    expect(fromFile.stderr).toBe('');
    expect(fromFile.code).toBe(0);
    expect(fromFile.stdout).toContain('replayed 1 history against the current code: greeting');
    const fromServer = await cli(['replay', '--workflows', fixture('workflows.ts'), '--workflow-id', workflowId, '--config', config, '--json']);
    expect(fromServer.code).toBe(0);
    expect(JSON.parse(fromServer.stdout)).toEqual({ replayed: [workflowId] });
  });

  it('exits 1 on a change that breaks the recorded run, and on a workflow type the code no longer defines', async () => {
    const changed = await cli(['replay', '--workflows', fixture('workflows-changed.ts'), historyFile, '--config', config]);
    expect(changed.code).toBe(1);
    expect(changed.stderr).toContain('replaying workflow greeting against the current code failed');
    expect(changed.stderr).toContain('this.patched("change-id")');
    const removed = await cli(['replay', '--workflows', fixture('other-workflows.ts'), historyFile, '--config', config, '--json']);
    expect(removed.code).toBe(1);
    const failed = JSON.parse(removed.stdout) as { failed: { code: string; message: string } };
    expect(failed.failed.code).toBe('UNKNOWN_WORKFLOW_TYPE');
    expect(failed.failed.message).toContain('its history is of workflow type "GreetingWorkflow", which the current code does not define (it defines: FarewellWorkflow)');
  });

  it('serves the codec of the config until stopped, with the token of the environment', async () => {
    const stop = new AbortController();
    let announced: (url: string) => void = () => undefined;
    const url = new Promise<string>((resolve) => {
      announced = resolve;
    });
    const running = cli(['codec-server', '--port', '0', '--config', config], {
      signal: stop.signal,
      env: { MCP_AGENT_CODEC_SERVER_TOKEN: 'cli-token' },
      onOutput: (text) => {
        const found = /listening on (http:\/\/\S+)/.exec(text)?.[1];
        if (found !== undefined) announced(found);
      },
    });
    const endpoint = await url;
    // The workflow's result payload, as the server keeps it, decrypted by the codec server.
    const history = JSON.parse(readFileSync(historyFile, 'utf8')) as { events: Array<{ workflowExecutionCompletedEventAttributes?: { result: { payloads: unknown[] } } }> };
    const result = history.events.find((event) => event.workflowExecutionCompletedEventAttributes)?.workflowExecutionCompletedEventAttributes?.result;
    const refused = await fetch(`${endpoint}/decode`, { method: 'POST', body: JSON.stringify(result) });
    expect(refused.status).toBe(401);
    const decoded = (await (await fetch(`${endpoint}/decode`, { method: 'POST', headers: { authorization: 'Bearer cli-token' }, body: JSON.stringify(result) })).json()) as {
      payloads: Array<{ data: string }>;
    };
    expect(Buffer.from(decoded.payloads[0]?.data ?? '', 'base64').toString()).toContain('hello ada');
    stop.abort();
    const finished = await running;
    expect(finished.code).toBe(0);
    expect(finished.stdout).toContain('bearer token required');
    expect(finished.stdout).toContain('temporal server start-dev --ui-codec-endpoint http://127.0.0.1:');
    expect(finished.stdout).toContain('codec server stopped');
  });
});
