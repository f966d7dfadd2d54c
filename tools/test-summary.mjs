#!/usr/bin/env node
// Adds up the vitest JSON reports of every package and prints one line: `N passed, N failed`.
// A test file that failed with no failed test of its own (it failed to load, or a hook before its
// tests failed and they were skipped) counts as one failed test, so a broken suite is never silent.
// Before that line, one for the official MCP client conformance suite: its scenarios (the tests of
// packages/mcp-client/conformance/conformance.test.ts) passed and failed, or that it did not run;
// and one for the chaos suite (packages/executor-temporal/test/chaos): workflows lost per phase,
// model calls repeated beyond those in flight and the longest recovery.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
let passed = 0;
let failed = 0;
let skipped = 0;
const reports = [];
/** The describe block of the conformance scenarios; its title names the suite and its version. */
const CONFORMANCE_TITLE = /^MCP client conformance \((.+)\)$/;
let conformance;
for (const group of ['packages', 'apps']) {
  const directory = path.join(root, group);
  if (!existsSync(directory)) continue;
  for (const name of readdirSync(directory)) {
    const report = path.join(directory, name, '.vitest-results.json');
    if (!existsSync(report)) continue;
    const data = JSON.parse(readFileSync(report, 'utf8'));
    reports.push(`${group}/${name}`);
    passed += data.numPassedTests ?? 0;
    failed += data.numFailedTests ?? 0;
    skipped += (data.numPendingTests ?? 0) + (data.numTodoTests ?? 0);
    for (const file of data.testResults ?? []) {
      if (file.status === 'failed' && !(file.assertionResults ?? []).some((test) => test.status === 'failed')) failed += 1;
      for (const test of file.assertionResults ?? []) {
        const suite = CONFORMANCE_TITLE.exec(test.ancestorTitles?.[0] ?? '');
        if (suite === null) continue;
        conformance ??= { suite: suite[1], passed: 0, failed: [] };
        // A scenario that did not run (a hook before it failed) counts as failed.
        if (test.status === 'passed') conformance.passed += 1;
        else conformance.failed.push(test.title);
      }
    }
  }
}
if (reports.length === 0) {
  console.log('no test reports found');
  console.log('0 passed, 1 failed');
  process.exit(1);
}
console.log(`test reports: ${reports.join(', ')}`);
if (conformance !== undefined) {
  const names = conformance.failed.length === 0 ? '' : ` (${conformance.failed.join(', ')})`;
  console.log(`MCP client conformance (${conformance.suite}): ${conformance.passed} passed, ${conformance.failed.length} failed${names}`);
} else if (reports.includes('packages/mcp-client')) {
  console.log('MCP client conformance: did not run (packages/mcp-client/.vitest-results.json has no conformance scenario)');
}
// The chaos suite's figures, when its test ran with this report (it writes them while the package's tests run).
const chaosResults = path.join(root, '.cache', 'chaos', 'results.json');
const temporalReport = path.join(root, 'packages', 'executor-temporal', '.vitest-results.json');
if (existsSync(chaosResults) && existsSync(temporalReport) && statSync(chaosResults).mtimeMs > statSync(temporalReport).mtimeMs - 30 * 60_000) {
  const chaos = JSON.parse(readFileSync(chaosResults, 'utf8'));
  const workflows = chaos.phases.reduce((sum, phase) => sum + phase.started, 0);
  const recoveries = chaos.phases.flatMap((phase) => phase.faults.map((fault) => fault.recoveryMs)).filter((value) => typeof value === 'number');
  const longest = recoveries.length === 0 ? 'never' : `${(Math.max(...recoveries) / 1000).toFixed(1)} s`;
  console.log(
    `chaos: ${workflows} workflows, ${chaos.phases.map((phase) => `${phase.name} ${phase.lost} lost`).join(', ')}; ` +
      `${chaos.repeatedBeyondInFlight} model calls repeated beyond those in flight; longest recovery ${longest}`,
  );
} else if (reports.includes('packages/executor-temporal')) {
  console.log('chaos: did not run (no .cache/chaos/results.json from this run)');
}
console.log(`${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 ? 1 : 0);
