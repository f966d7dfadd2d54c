import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createLogger } from '@mcp-agent/core';
import { parseSettings } from '@mcp-agent/core/config';
import { readWorkflowHistory, replayWorkflowHistories } from '@mcp-agent/executor-temporal';
import { afterEach, describe, expect, inject, it } from 'vitest';

const appDirectory = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const mainFile = path.join(appDirectory, 'src', 'main.ts');
// tsx's loader, given by URL so that the demo can run from any directory.
const tsxLoader = pathToFileURL(createRequire(path.join(appDirectory, 'package.json')).resolve('tsx')).href;

function runDemo(cwd: string, environment: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--conditions=mcp-agent-source', '--import', tsxLoader, mainFile],
      { cwd, timeout: 90_000, env: { ...process.env, OPENAI_API_KEY: '', OPENAI_BASE_URL: '', ...environment } },
      (error, stdout, stderr) => resolve({ code: error === null ? 0 : (error.code as number | null), stdout, stderr }),
    );
  });
}

describe('the demo', () => {
  const directories: string[] = [];
  afterEach(async () => {
    await Promise.all(directories.splice(0).map((directory) => rm(directory, { recursive: true, force: true })));
  });

  it('retries the risk task, answers queries, refuses a wrong run id and finishes on the approve signal', async () => {
    const { code, stdout, stderr } = await runDemo(appDirectory);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout.split('\n')[0]).toContain('model: no OpenAI key is configured (openai.api_key or OPENAI_API_KEY), so a scripted model answers on a local OpenAI wire-protocol server');
    expect(stdout).toContain('engine: asyncio');
    expect(stdout).toContain('task demo.assessRisk attempt 1: risk service unavailable');
    expect(stdout).toContain('task demo.assessRisk attempt 2: risk service unavailable');
    expect(stdout).toContain('task demo.assessRisk attempt 3: risk is low');
    expect(stdout).toContain('query status -> {"stage":"awaiting approval","comments":"","risk":"low"}');
    expect(stdout).toContain('signal to a wrong run id refused: workflow "expense-ada-420" has no run "an-old-run"');
    expect(stdout).toContain('"decision":"approved","comments":"Within the travel budget"');
    expect(stdout).toContain('workflow COMPLETED');
    // Part 2: the agent reads the folder through the filesystem MCP server.
    expect(stdout).toContain('tool calls: filesystem_list_directory, filesystem_read_text_file');
    expect(stdout).toContain('answer after 3 model round trips (end_turn): The folder holds 3 invoices; the largest is "Invoice 42: 420 EUR, conference travel".');
    const tokens = /tokens used by the workflow: (\d+) in 3 calls/.exec(stdout);
    expect(Number(tokens?.[1])).toBeGreaterThan(0);
  });

  it('runs the same workflows on Temporal when execution_engine says temporal, and nothing else changes', { timeout: 120_000 }, async () => {
    const { code, stdout, stderr } = await runDemo(appDirectory, { EXECUTION_ENGINE: 'temporal', TEMPORAL__HOST: inject('temporalAddress') });
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain('engine: temporal');
    expect(stdout).toContain('worker: polling task queue "demo"');
    expect(stdout).toContain('task demo.assessRisk attempt 2: risk service unavailable');
    expect(stdout).toContain('task demo.assessRisk attempt 3: risk is low');
    expect(stdout).toContain('query status -> {"stage":"awaiting approval","comments":"","risk":"low"}');
    expect(stdout).toContain('signal to a wrong run id refused: workflow "expense-ada-420" has no run "an-old-run"');
    expect(stdout).toContain('"decision":"approved","comments":"Within the travel budget"');
    expect(stdout).toContain('workflow COMPLETED');
    expect(stdout).toContain('tool calls: filesystem_list_directory, filesystem_read_text_file');
    expect(stdout).toContain('answer after 3 model round trips (end_turn): The folder holds 3 invoices; the largest is "Invoice 42: 420 EUR, conference travel".');
  });

  it('replays a recorded Temporal run of the expense approval against the current workflow code (histories/)', async () => {
    const { app } = await import('./workflows.js');
    await replayWorkflowHistories(
      { registry: app.registry, settings: parseSettings({ execution_engine: 'temporal' }, 'replay'), logger: createLogger({ transports: ['none'] }) },
      { workflowsPath: new URL('./workflows.ts', import.meta.url) },
      [{ workflowId: 'expense-recorded', history: readWorkflowHistory(path.join(appDirectory, 'histories', 'expense-approval.json')) }],
    );
  });

  it('exits 1 with the path, value and expectation of a bad config value, and no stack trace', async () => {
    const directory = await mkdtemp(path.join(tmpdir(), 'demo-bad-config-'));
    directories.push(directory);
    await writeFile(path.join(directory, 'mcp_agent.config.yaml'), 'execution_engine: asyncio\ntemporal:\n  max_concurrent_activities: abc\n');
    const { code, stdout, stderr } = await runDemo(directory);
    expect(code).toBe(1);
    expect(stdout).not.toContain('started');
    expect(stderr).toContain('temporal.max_concurrent_activities: expected a number, got "abc"');
    expect(stderr).not.toMatch(/^\s+at /m);
  });

  it('exits 1 naming the line and column of a YAML syntax error', async () => {
    const directory = await mkdtemp(path.join(tmpdir(), 'demo-bad-yaml-'));
    directories.push(directory);
    await writeFile(path.join(directory, 'mcp_agent.config.yaml'), 'execution_engine: asyncio\ntemporal:\n  host: [unclosed\n');
    const { code, stderr } = await runDemo(directory);
    expect(code).toBe(1);
    expect(stderr).toMatch(/mcp_agent\.config\.yaml:\d+:\d+/);
    expect(stderr).not.toMatch(/^\s+at /m);
  });
});
