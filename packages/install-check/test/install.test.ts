// Every public package as a user gets it: packed, installed with npm into a project outside the
// workspace, type-checked against, code-generated for, and run on both engines.
import { cp, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { run } from './run.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '../../..');
const PUBLIC = [
  'core',
  'mcp-client',
  'executor-asyncio',
  'executor-temporal',
  'providers-openai',
  'providers-anthropic',
  'providers-ai-sdk',
  'patterns',
  'server',
  'codegen',
  'testing',
  'cli',
];
const BIN = path.resolve(HERE, '../node_modules/.bin');

describe('the packages installed from their tarballs', () => {
  let packs: string;
  let consumer: string;
  const tarballs = new Map<string, string>();

  beforeAll(async () => {
    packs = await mkdtemp(path.join(tmpdir(), 'mcp-agent-packs-'));
    for (const name of PUBLIC) {
      const packed = await run('bash', [path.join(ROOT, 'tools/pnpm.sh'), 'pack', '--pack-destination', packs], path.join(ROOT, 'packages', name));
      expect(packed.code, `pnpm pack in packages/${name}: ${packed.stderr}`).toBe(0);
    }
    for (const file of await readdir(packs)) {
      const name = PUBLIC.find((candidate) => file === `mcp-agent-${candidate}-0.1.0.tgz`);
      if (name !== undefined) tarballs.set(name, path.join(packs, file));
    }
    consumer = await mkdtemp(path.join(tmpdir(), 'mcp-agent-consumer-'));
    await cp(path.join(HERE, 'consumer'), consumer, { recursive: true });
    const dependencies = Object.fromEntries(
      ['core', 'mcp-client', 'executor-asyncio', 'executor-temporal', 'providers-openai', 'providers-ai-sdk', 'patterns', 'server', 'codegen', 'cli'].map((name) => [
        `@mcp-agent/${name}`,
        `file:${tarballs.get(name)}`,
      ]),
    );
    await writeFile(
      path.join(consumer, 'package.json'),
      JSON.stringify(
        {
          name: 'consumer',
          private: true,
          type: 'module',
          dependencies: { ...dependencies, '@temporalio/workflow': '1.24.0' },
          devDependencies: { typescript: '5.9.3', tsx: '4.23.15', '@types/node': '^20.19.0' },
        },
        null,
        2,
      ),
    );
    const installed = await run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], consumer);
    expect(installed.code, installed.stderr).toBe(0);
  });

  afterAll(async () => {
    if (consumer !== undefined) await rm(consumer, { recursive: true, force: true });
    if (packs !== undefined) await rm(packs, { recursive: true, force: true });
  });

  it('packs every public package', () => {
    expect([...tarballs.keys()].sort()).toEqual([...PUBLIC].sort());
  });

  it('passes publint and are-the-types-wrong (ESM only) for every public package', async () => {
    for (const name of PUBLIC) {
      const lint = await run(path.join(BIN, 'publint'), ['run', '--strict', tarballs.get(name) as string], ROOT);
      expect(lint.code, `publint packages/${name}:\n${lint.stdout}${lint.stderr}`).toBe(0);
      const types = await run(path.join(BIN, 'attw'), [tarballs.get(name) as string, '--profile', 'esm-only', '--format', 'ascii'], ROOT);
      expect(types.code, `attw ${name}:\n${types.stdout}${types.stderr}`).toBe(0);
    }
  });

  it('installs one copy of each @temporalio package', async () => {
    const listed = await run('npm', ['ls', '--all', '--parseable', '@temporalio/workflow', '@temporalio/common', '@temporalio/worker'], consumer);
    const paths = listed.stdout.split('\n').filter((line) => line.includes('@temporalio'));
    for (const name of ['workflow', 'common', 'worker']) {
      expect(
        paths.filter((line) => line.endsWith(`@temporalio/${name}`)),
        `@temporalio/${name}: ${paths.join(', ')}`,
      ).toHaveLength(1);
    }
  });

  it('generates the app’s files with the installed codegen, and type-checks against the public API only', async () => {
    const generated = await run(path.join(consumer, 'node_modules/.bin/mcp-agent-codegen'), [], consumer);
    expect(generated.code, generated.stderr).toBe(0);
    expect(generated.stdout).toContain('wrote src/generated/clients.ts');
    expect(generated.stdout).toMatch(/workflow bundle src\/generated\/workflow-bundle\.[0-9a-f]+\.js/);
    const checked = await run(path.join(consumer, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.json'], consumer);
    expect(checked.code, checked.stdout).toBe(0);
  });

  it('runs the installed mcp-agent command', async () => {
    const help = await run(path.join(consumer, 'node_modules/.bin/mcp-agent'), ['--help'], consumer);
    expect(help.code, help.stderr).toBe(0);
    expect(help.stdout).toContain('replay');
    const version = await run(path.join(consumer, 'node_modules/.bin/mcp-agent'), ['--version'], consumer);
    expect(version).toMatchObject({ code: 0, stdout: '0.1.0\n' });
    // It loads the consumer's TypeScript app and checks input against the generated schema.
    const refused = await run(path.join(consumer, 'node_modules/.bin/mcp-agent'), ['run', 'ReviewWorkflow', '--input', '42'], consumer);
    expect(refused.code, refused.stderr).toBe(2);
    expect(refused.stderr).toContain("the input does not match ReviewWorkflow's input schema:\n  input: expected a string, got 42");
    const unknown = await run(path.join(consumer, 'node_modules/.bin/mcp-agent'), ['run', 'NoSuchWorkflow'], consumer);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('the app defines no workflow "NoSuchWorkflow"; it defines: ReviewWorkflow');
    // The agent server from its tarball: the client snippet for the consumer's app.
    const snippet = await run(path.join(consumer, 'node_modules/.bin/mcp-agent'), ['serve', '--transport', 'http', '--port', '8123', '--print-config'], consumer);
    expect(snippet.code, snippet.stderr).toBe(0);
    expect(JSON.parse(snippet.stdout)).toEqual({ mcpServers: { consumer: { url: 'http://127.0.0.1:8123/mcp' } } });
    // The OAuth commands from the tarball: status without OAuth servers, and a login refused by name.
    const status = await run(path.join(consumer, 'node_modules/.bin/mcp-agent'), ['auth', 'status'], consumer);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toContain('no MCP server in mcp.servers has auth.oauth');
    const login = await run(path.join(consumer, 'node_modules/.bin/mcp-agent'), ['auth', 'login', 'nosuch'], consumer);
    expect(login.code).toBe(2);
    expect(login.stderr).toContain('no MCP server "nosuch" in mcp.servers');
    // The worker command from the tarball (its light prepare entry first): a server that is not
    // there is named, and the command ends by itself.
    const started = Date.now();
    const worker = await run(path.join(consumer, 'node_modules/.bin/mcp-agent'), ['worker'], consumer, { EXECUTION_ENGINE: 'temporal', TEMPORAL__HOST: '127.0.0.1:1' }, 60_000);
    expect(Date.now() - started, 'killed at its time limit').toBeLessThan(55_000);
    expect(worker.code, worker.stderr).toBe(1);
    expect(worker.stderr).toContain('cannot reach the Temporal server at 127.0.0.1:1');
  });

  it('runs a workflow on the in-process engine and on the Temporal dev server, with the same result', async () => {
    const tsx = path.join(consumer, 'node_modules/.bin/tsx');
    const local = await run(tsx, ['src/main.ts'], consumer);
    expect(local.code, local.stderr).toBe(0);
    const remote = await run(tsx, ['src/main.ts'], consumer, {
      EXECUTION_ENGINE: 'temporal',
      TEMPORAL__HOST: inject('temporalAddress'),
      TEMPORAL__TASK_QUEUE: `consumer-${process.pid}`,
    });
    expect(remote.code, remote.stderr).toBe(0);
    const value = (output: string, engine: string): string | undefined =>
      output
        .split('\n')
        .find((line) => line.startsWith(`${engine}: `))
        ?.slice(engine.length + 2);
    expect(value(local.stdout, 'asyncio')).toMatch(/^\{"lines":\d+,"reviewer":"Ada"\}$/);
    expect(value(remote.stdout, 'temporal')).toBe(value(local.stdout, 'asyncio'));
  });

  it('saves the history of the Temporal run with the installed command, one protobufjs serving the Temporal SDK', async () => {
    // @temporalio/proto builds its types with one copy of protobufjs and @temporalio/common
    // converts histories to JSON with another unless both resolve the same one: then the
    // conversion fails with "type must be a Type".
    const copies = await run(
      'node',
      [
        '-e',
        "const { createRequire } = require('node:module'); for (const name of ['proto', 'common', 'worker']) console.log(createRequire(require.resolve(`@temporalio/${name}`)).resolve('protobufjs'))",
      ],
      consumer,
    );
    expect(copies.code, copies.stderr).toBe(0);
    expect(new Set(copies.stdout.trim().split('\n')).size, copies.stdout).toBe(1);
    const mcpAgent = path.join(consumer, 'node_modules/.bin/mcp-agent');
    const env = { TEMPORAL__HOST: inject('temporalAddress') };
    const listed = await run(mcpAgent, ['workflows', 'list', '--workflow', 'ReviewWorkflow', '--status', 'completed', '--json'], consumer, env);
    expect(listed.code, listed.stderr).toBe(0);
    const workflowId = (JSON.parse(listed.stdout) as Array<{ workflowId: string }>)[0]?.workflowId;
    expect(workflowId, 'the run of the previous test').toMatch(/^review-temporal-/);
    const saved = await run(mcpAgent, ['workflows', 'history', workflowId as string, '--out', 'review.json'], consumer, env);
    expect(saved.code, saved.stderr).toBe(0);
    expect(saved.stdout).toMatch(/saved the history of review-temporal-\d+ \(\d+ events\) to review.json/);
    const printed = await run(mcpAgent, ['workflows', 'history', workflowId as string], consumer, env);
    expect(printed.code, printed.stderr).toBe(0);
    const history = JSON.parse(printed.stdout) as { events: Array<{ eventType: string }> };
    expect(history.events[0]?.eventType).toBe('EVENT_TYPE_WORKFLOW_EXECUTION_STARTED');
    expect(history.events.at(-1)?.eventType).toBe('EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED');
  });

  it('validates sections of installed packages, makes the MCP service with the installed client, and types handles by class', async () => {
    const checked = await run(path.join(consumer, 'node_modules/.bin/tsx'), ['src/services.ts'], consumer, {}, 60_000);
    expect(checked.code, checked.stderr).toBe(0);
    expect(checked.stdout).toContain('config: settings: temporal.port: expected a number, got "abc"');
    expect(checked.stdout).toContain('sections: temporal');
    expect(checked.stdout).toContain('mcp servers: probe');
    expect(checked.stdout).toMatch(/typed: \{"lines":\d+,"reviewer":"Ada"\}/);
  });

  it('refuses workflow code that imports a Node module at bundle time, naming the chain, as in the workspace', async () => {
    // Bounded: a process that does not end by itself after the refusal fails the test.
    const refused = await run(path.join(consumer, 'node_modules/.bin/tsx'), ['refusal/bundle-refusal.ts'], consumer, { TEMPORAL__HOST: inject('temporalAddress') }, 60_000);
    expect(refused.stdout).toContain("workflow code imports modules that can't run in the workflow sandbox");
    expect(refused.stdout).toContain('refusal/node-only-workflows.ts -> node:child_process');
    expect(refused.code).toBe(0);
    expect(refused.stdout).toContain('app.workflowTask');
  });

  it('loads the AI SDK providers without any @ai-sdk model package, and names the one to install when a model is used', async () => {
    const script = [
      "import { llmProviders, createGoogleProvider } from '@mcp-agent/providers-ai-sdk';",
      "import { GoogleAugmentedLLM } from '@mcp-agent/providers-ai-sdk/workflow';",
      "import { parseSettings } from '@mcp-agent/core/config';",
      "console.log('providers: ' + llmProviders.map((provider) => provider.name).join(', ') + '; workflow class: ' + typeof GoogleAugmentedLLM);",
      "const settings = parseSettings({ google: { api_key: 'k' } });",
      "await createGoogleProvider().complete({ provider: 'google', messages: [{ role: 'user', content: 'Hi' }] }, { settings }).catch((error) => console.log('error: ' + error.message));",
    ].join('\n');
    await writeFile(path.join(consumer, 'ai-sdk-smoke.mjs'), script);
    const loaded = await run('node', ['ai-sdk-smoke.mjs'], consumer, {}, 60_000);
    expect(loaded.code, loaded.stderr).toBe(0);
    expect(loaded.stdout).toContain('providers: google, bedrock, azure; workflow class: function');
    expect(loaded.stdout).toContain('needs the package @ai-sdk/google, which is not installed: npm install @ai-sdk/google');
  });
});
