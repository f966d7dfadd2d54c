// The framework's test suites on the newer Node.js lines it supports. The workspace runs on Node
// 20; this file installs Node 22 and Node 24 from the npm package `node` (tools/install-node.sh,
// into .cache/node) and runs, with each, the whole suites of the engine-free core and the
// in-process engine, and the Temporal engine's conformance suite and replay tests (bundling, the
// native bridge, workers) against the shared dev server. Each suite is a vitest run in a child
// process whose JSON report is read back: a failed, skipped-by-error or empty suite fails.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, inject, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
/** The Node lines tested besides the workspace's own, as versions of the npm package `node`. */
const NODE_VERSIONS = ['22.23.3', '24.9.0'] as const;
/** Each suite: a package and, when not all of it, its test files. */
const SUITES: ReadonlyArray<{ name: string; directory: string; files?: string[] }> = [
  { name: 'core', directory: 'packages/core' },
  { name: 'executor-asyncio', directory: 'packages/executor-asyncio' },
  { name: 'executor-temporal (engine conformance, replay)', directory: 'packages/executor-temporal', files: ['test/conformance.test.ts', 'test/replay.test.ts'] },
];
/** A suite that has not finished by then has hung. */
const SUITE_LIMIT_MS = 240_000;

interface VitestReport {
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  testResults: Array<{ name: string; status: string; message?: string; assertionResults: Array<{ fullName: string; status: string; failureMessages?: string[] }> }>;
}

const scratch = mkdtempSync(path.join(os.tmpdir(), 'mcp-agent-node-versions-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Runs one suite with the given Node binary; resolves with its report and the tail of its output. */
function runSuite(node: string, suite: (typeof SUITES)[number], report: string): Promise<{ report: VitestReport | undefined; output: string; code: number | null }> {
  const directory = path.join(ROOT, suite.directory);
  const vitest = path.join(directory, 'node_modules/vitest/vitest.mjs');
  return new Promise((resolve) => {
    const child = spawn(node, [vitest, 'run', ...(suite.files ?? []), '--reporter=dot', '--reporter=json', `--outputFile=${report}`], {
      cwd: directory,
      env: { ...process.env, MCP_AGENT_TEMPORAL_ADDRESS: inject('temporalAddress'), CI: 'true' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const keep = (chunk: Buffer): void => {
      output = (output + chunk.toString()).slice(-6_000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const timer = setTimeout(() => child.kill('SIGKILL'), SUITE_LIMIT_MS);
    child.once('close', (code) => {
      clearTimeout(timer);
      let parsed: VitestReport | undefined;
      try {
        parsed = JSON.parse(readFileSync(report, 'utf8')) as VitestReport;
      } catch {
        parsed = undefined;
      }
      resolve({ report: parsed, output, code });
    });
  });
}

for (const version of NODE_VERSIONS) {
  describe(`Node ${version}`, () => {
    let node: string;

    it('installs from the npm package `node` and reports its version', () => {
      node = execFileSync('bash', [path.join(ROOT, 'tools/install-node.sh'), version], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
      expect(execFileSync(node, ['--version'], { encoding: 'utf8' }).trim()).toBe(`v${version}`);
    });

    for (const suite of SUITES) {
      it(`passes the ${suite.name} tests`, async () => {
        expect(node, 'the Node binary was installed by the test before').toBeDefined();
        const started = Date.now();
        const { report, output, code } = await runSuite(node, suite, path.join(scratch, `${version}-${suite.name.split(' ')[0]}.json`));
        expect(report, `no report from vitest on Node ${version} (exit ${code}):\n${output}`).toBeDefined();
        const { numPassedTests, numFailedTests, numPendingTests, testResults } = report as VitestReport;
        const failures = testResults.flatMap((file) => [
          ...(file.status === 'failed' && file.assertionResults.every((test) => test.status !== 'failed') ? [`${file.name}: ${file.message ?? 'failed to load'}`] : []),
          ...file.assertionResults.filter((test) => test.status === 'failed').map((test) => `${test.fullName}: ${(test.failureMessages ?? []).join('\n').slice(0, 800)}`),
        ]);
        console.log(
          `Node ${version}, ${suite.name}: ${numPassedTests} passed, ${numFailedTests} failed, ${numPendingTests} skipped, in ${((Date.now() - started) / 1_000).toFixed(1)} s`,
        );
        expect(failures, `failures on Node ${version}:\n${failures.join('\n\n')}\n${output}`).toEqual([]);
        expect(code).toBe(0);
        expect(numPassedTests).toBeGreaterThan(0);
      });
    }
  });
}
