/**
 * The official MCP client conformance suite (`@modelcontextprotocol/conformance`) against this
 * package's client: every client scenario of the pinned suite version, one test each, with
 * conformance/client.ts (an `McpConnectionManager`) as the client under test.
 *
 * The suite needs Node 22; tools/install-conformance.sh installs it and Node 22 (the npm `node`
 * package) into .cache/conformance, outside the workspace. The suite runs on that Node and starts
 * the client under test on this process's Node (the project's), through tsx, on the sources.
 * Each scenario passes when the suite's runner does: no failed check, no warning, and the client
 * exited 0 (or the scenario expects it to fail). A failing test's message lists the checks that
 * failed, with their details, and the end of the client's stderr.
 *
 * Also writes .conformance-results.json (every scenario's checks) beside package.json; the CI
 * summary (tools/test-summary.mjs) prints the pass/fail counts of the tests below.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const PACKAGE_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const REPOSITORY_ROOT = path.resolve(PACKAGE_ROOT, '../..');
const CLIENT = path.join(PACKAGE_ROOT, 'conformance', 'client.ts');
const RESULTS_FILE = path.join(PACKAGE_ROOT, '.conformance-results.json');

/** The suite version tools/install-conformance.sh installs. */
const SUITE_VERSION = '0.1.16';

/** The client scenarios of that version, as `conformance list --client` prints them. */
const SCENARIOS = [
  'initialize',
  'tools_call',
  'elicitation-sep1034-client-defaults',
  'sse-retry',
  'auth/metadata-default',
  'auth/metadata-var1',
  'auth/metadata-var2',
  'auth/metadata-var3',
  'auth/basic-cimd',
  'auth/scope-from-www-authenticate',
  'auth/scope-from-scopes-supported',
  'auth/scope-omitted-when-undefined',
  'auth/scope-step-up',
  'auth/scope-retry-limit',
  'auth/token-endpoint-auth-basic',
  'auth/token-endpoint-auth-post',
  'auth/token-endpoint-auth-none',
  'auth/pre-registration',
  'auth/2025-03-26-oauth-metadata-backcompat',
  'auth/2025-03-26-oauth-endpoint-fallback',
  'auth/resource-mismatch',
  'auth/offline-access-scope',
  'auth/offline-access-not-supported',
  'auth/client-credentials-jwt',
  'auth/client-credentials-basic',
  'auth/cross-app-access-complete-flow',
] as const;

/**
 * Scenarios run at once after sse-retry. Each is a suite process, its servers and a client
 * process; three keep a 2-core machine busy without stretching the suite's timing checks.
 */
const CONCURRENCY = 3;

/** How long the suite gives the client of one scenario (its `--timeout`). */
const CLIENT_TIMEOUT_MILLISECONDS = 30_000;

/** A suite process still running after this long is killed and its scenario fails. */
const SCENARIO_KILL_MILLISECONDS = 90_000;

/**
 * sse-retry also times the client's reconnect (the server's `retry: 500` give or take 50/200 ms);
 * a machine busy with other packages' tests can stretch that. A run whose only problem is that
 * timing is repeated, up to this many runs in all; any other failure counts at once.
 */
const SSE_RETRY_RUNS = 3;

/**
 * How long the first install may take (about 130 MB from the npm registry): three bounded npm
 * attempts in tools/install-conformance.sh, with room to spare.
 */
const INSTALL_TIMEOUT_MILLISECONDS = 780_000;

/** One check the suite recorded (its checks.json). */
interface Check {
  id: string;
  name?: string;
  description?: string;
  status: 'SUCCESS' | 'FAILURE' | 'WARNING' | 'INFO' | string;
  errorMessage?: string;
  details?: unknown;
}

/** What one scenario run gave. */
interface ScenarioResult {
  scenario: string;
  passed: boolean;
  /** The suite runner's exit code, or null when it was killed. */
  exitCode: number | null;
  durationMilliseconds: number;
  checks: Check[];
  /** The end of the suite runner's output (its verdict, the client's exit code or timeout). */
  runnerOutputTail: string;
  /** The end of the client's stderr. */
  clientStderrTail: string;
  /** Earlier runs of the scenario that failed on timing alone (sse-retry), explained. */
  earlierRuns?: string[];
}

const execFileAsync = promisify(execFile);

// biome-ignore lint/suspicious/noControlCharactersInRegex: the suite colours its output with ANSI escapes.
const ANSI = /\u001b\[[0-9;]*m/g;

/** The last lines of an output, without colours or stack frames (vitest would read those as its own). */
function tail(text: string, lines: number): string {
  return text
    .replace(ANSI, '')
    .trimEnd()
    .split('\n')
    .filter((line) => !/^\s+at /.test(line))
    .slice(-lines)
    .join('\n');
}

function shellQuote(value: string): string {
  return `'${value.replaceAll("'", "'\\''")}'`;
}

/** Node 22 and the suite's CLI script, installed (once) by tools/install-conformance.sh. */
async function installSuite(): Promise<{ node: string; cli: string }> {
  const { stdout } = await execFileAsync('bash', [path.join(REPOSITORY_ROOT, 'tools/install-conformance.sh')], {
    encoding: 'utf8',
    timeout: INSTALL_TIMEOUT_MILLISECONDS,
    maxBuffer: 16 * 1024 * 1024,
  });
  const value = (key: string): string => {
    const line = stdout.split('\n').find((entry) => entry.startsWith(`${key}=`));
    if (line === undefined) throw new Error(`tools/install-conformance.sh printed no ${key}=; its output was:\n${stdout}`);
    return line.slice(key.length + 1);
  };
  return { node: value('CONFORMANCE_NODE'), cli: value('CONFORMANCE_CLI') };
}

/** Every checks.json under a folder (the runner names its result folder after the scenario and the time). */
function readChecks(directory: string): Check[] {
  const files = (readdirSync(directory, { recursive: true }) as string[]).filter((file) => path.basename(file) === 'checks.json');
  return files.flatMap((file) => JSON.parse(readFileSync(path.join(directory, file), 'utf8')) as Check[]);
}

function readClientStderr(directory: string): string {
  const file = (readdirSync(directory, { recursive: true }) as string[]).find((entry) => path.basename(entry) === 'stderr.txt');
  return file === undefined ? '' : readFileSync(path.join(directory, file), 'utf8');
}

/** Runs one scenario with the suite's runner, the client under test as its `--command`. */
async function runScenario(suite: { node: string; cli: string }, scenario: string, outputRoot: string): Promise<ScenarioResult> {
  const started = Date.now();
  const outputDirectory = path.join(outputRoot, scenario.replaceAll('/', '_'));
  const tsx = createRequire(import.meta.url).resolve('tsx/cli');
  // The project's Node (this process's), not the suite's Node 22, runs the client.
  const command = [process.execPath, tsx, '--conditions=mcp-agent-source', CLIENT].map(shellQuote).join(' ');
  const args = [suite.cli, 'client', '--scenario', scenario, '--command', command, '--timeout', String(CLIENT_TIMEOUT_MILLISECONDS), '-o', outputDirectory];
  let output = '';
  const exitCode = await new Promise<number | null>((resolve) => {
    const child = spawn(suite.node, args, { cwd: PACKAGE_ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
    });
    const kill = setTimeout(() => {
      output += `\n(killed after ${SCENARIO_KILL_MILLISECONDS} ms)`;
      child.kill('SIGKILL');
    }, SCENARIO_KILL_MILLISECONDS);
    child.on('error', (error) => {
      output += `\n${String(error)}`;
    });
    child.on('close', (code) => {
      clearTimeout(kill);
      resolve(code);
    });
  });
  const checks = existsSync(outputDirectory) ? readChecks(outputDirectory) : [];
  const clientStderr = existsSync(outputDirectory) ? readClientStderr(outputDirectory) : '';
  return {
    scenario,
    passed: exitCode === 0,
    exitCode,
    durationMilliseconds: Date.now() - started,
    checks,
    runnerOutputTail: tail(output.slice(Math.max(0, output.lastIndexOf('Test Results:'))), 20),
    clientStderrTail: tail(clientStderr, 15),
  };
}

/** Runs sse-retry until it passes or fails on more than timing, at most {@link SSE_RETRY_RUNS} times. */
async function runSseRetry(suite: { node: string; cli: string }, outputRoot: string): Promise<ScenarioResult> {
  const earlierRuns: string[] = [];
  for (let run = 1; ; run += 1) {
    const result = await runScenario(suite, 'sse-retry', path.join(outputRoot, `run-${run}`));
    const problems = result.checks.filter((check) => check.status === 'FAILURE' || check.status === 'WARNING');
    const timingOnly = problems.length > 0 && problems.every((check) => check.id === 'client-sse-retry-timing');
    if (result.passed || !timingOnly || run === SSE_RETRY_RUNS) return { ...result, earlierRuns };
    earlierRuns.push(explain(result));
  }
}

/** The failure message of a scenario: its failed and warning checks, the verdict, the client's stderr. */
function explain(result: ScenarioResult): string {
  const problems = result.checks.filter((check) => check.status === 'FAILURE' || check.status === 'WARNING');
  const lines = [`conformance scenario ${result.scenario} failed (runner exit code ${String(result.exitCode)})`];
  for (const check of problems) {
    lines.push(`- ${check.status} ${check.id}: ${check.description ?? ''}${check.errorMessage === undefined ? '' : ` -- ${check.errorMessage}`}`);
    if (check.details !== undefined) lines.push(`    details: ${JSON.stringify(check.details).slice(0, 600)}`);
  }
  if (problems.length === 0) lines.push('- no failed check: the client exited with an error or timed out (see below)');
  lines.push('runner:', result.runnerOutputTail || '(no output)');
  lines.push('client stderr (end):', result.clientStderrTail || '(empty)');
  for (const earlier of result.earlierRuns ?? []) lines.push(`earlier run: ${earlier}`);
  return lines.join('\n');
}

/** Runs the tasks given to it with at most `limit` at once, in the order given. */
function limiter(limit: number): <T>(task: () => Promise<T>) => Promise<T> {
  let active = 0;
  const waiting: Array<() => void> = [];
  return async (task) => {
    if (active >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    active += 1;
    try {
      return await task();
    } finally {
      active -= 1;
      waiting.shift()?.();
    }
  };
}

let suite: { node: string; cli: string } | undefined;
let outputRoot: string | undefined;
let results = new Map<string, Promise<ScenarioResult>>();

beforeAll(async () => {
  rmSync(RESULTS_FILE, { force: true });
  suite = await installSuite();
  outputRoot = mkdtempSync(path.join(tmpdir(), 'mcp-client-conformance-'));
  const installed = suite;
  const root = outputRoot;
  // sse-retry measures how long the client waits before reconnecting: it runs alone, first.
  const first = runSseRetry(installed, root);
  const limit = limiter(CONCURRENCY);
  results = new Map([['sse-retry', first]]);
  for (const scenario of SCENARIOS) {
    if (scenario === 'sse-retry') continue;
    results.set(
      scenario,
      first.catch(() => undefined).then(() => limit(() => runScenario(installed, scenario, root))),
    );
  }
}, INSTALL_TIMEOUT_MILLISECONDS);

afterAll(async () => {
  const settled = (await Promise.allSettled(results.values())).flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome.value] : []));
  if (settled.length > 0) {
    const summary = {
      suite: '@modelcontextprotocol/conformance',
      version: SUITE_VERSION,
      passed: settled.filter((result) => result.passed).length,
      failed: settled.filter((result) => !result.passed).length,
      scenarios: settled,
    };
    writeFileSync(RESULTS_FILE, `${JSON.stringify(summary, null, 2)}\n`);
  }
  if (outputRoot !== undefined) rmSync(outputRoot, { recursive: true, force: true });
}, SCENARIO_KILL_MILLISECONDS);

describe('the conformance suite install', () => {
  it(`lists the ${SCENARIOS.length} client scenarios this file runs`, async () => {
    if (suite === undefined) throw new Error('tools/install-conformance.sh did not run');
    const { stdout } = await execFileAsync(suite.node, [suite.cli, 'list', '--client'], { encoding: 'utf8' });
    const listed = [...stdout.matchAll(/^\s*- (\S+)/gm)].map((match) => match[1]);
    expect(listed.sort()).toEqual([...SCENARIOS].sort());
  });
});

describe(`MCP client conformance (@modelcontextprotocol/conformance ${SUITE_VERSION})`, () => {
  for (const scenario of SCENARIOS) {
    it(
      scenario,
      async () => {
        const running = results.get(scenario);
        if (running === undefined) throw new Error('the suite was not installed (see the error of beforeAll)');
        const result = await running;
        expect(result.passed, explain(result)).toBe(true);
      },
      SCENARIO_KILL_MILLISECONDS * 2,
    );
  }
});
