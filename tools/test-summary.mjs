#!/usr/bin/env node
// Adds up the vitest JSON reports of every package and prints one line: `N passed, N failed`.
// A test file that failed with no failed test of its own (it failed to load, or a hook before its
// tests failed and they were skipped) counts as one failed test, so a broken suite is never silent.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
let passed = 0;
let failed = 0;
let skipped = 0;
const reports = [];
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
    }
  }
}
if (reports.length === 0) {
  console.log('no test reports found');
  console.log('0 passed, 1 failed');
  process.exit(1);
}
console.log(`test reports: ${reports.join(', ')}`);
console.log(`${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 ? 1 : 0);
