// The chaos suite in CI, at its default size (`npm run chaos` runs the same): agent workflows
// through model faults, MCP server crashes and hangs, worker SIGKILLs and a kill -9 of the Temporal
// server; none may be lost and no completed model call may be repeated. The figures are printed and
// written to .cache/chaos/results.json, which tools/test-summary.mjs reports.
import { rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, inject, it } from 'vitest';
import { chaosResultsFile, classifyModelCallRequests, formatChaosReport, runChaosSuite, writeChaosResults } from './chaos-suite.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');

describe('counting repeated model calls', () => {
  it('counts a request after the call completed as a repeat, even with a kill between', () => {
    expect(
      classifyModelCallRequests(
        [
          { time: 0, faulted: false },
          { time: 5_000, faulted: false },
        ],
        4_000,
        [1_000],
      ),
    ).toEqual({
      retriedInFlight: 0,
      repeatedBeyondInFlight: 1,
      repeatedAfterCompletion: 1,
    });
  });

  it('explains a request that follows one in flight at a kill, or one answered with a scripted fault', () => {
    expect(
      classifyModelCallRequests(
        [
          { time: 0, faulted: false },
          { time: 5_000, faulted: false },
        ],
        6_000,
        [1_000],
      ).retriedInFlight,
    ).toBe(1);
    expect(
      classifyModelCallRequests(
        [
          { time: 0, faulted: true },
          { time: 600, faulted: false },
        ],
        1_000,
        [],
      ).retriedInFlight,
    ).toBe(1);
  });

  it('counts a second request with nothing to explain it as a repeat beyond those in flight', () => {
    expect(
      classifyModelCallRequests(
        [
          { time: 2_000, faulted: false },
          { time: 5_000, faulted: false },
        ],
        6_000,
        [1_000],
      ),
    ).toEqual({
      retriedInFlight: 0,
      repeatedBeyondInFlight: 1,
      repeatedAfterCompletion: 0,
    });
    expect(classifyModelCallRequests([{ time: 0, faulted: false }], 1_000, [])).toEqual({ retriedInFlight: 0, repeatedBeyondInFlight: 0, repeatedAfterCompletion: 0 });
  });
});

describe('chaos suite', () => {
  it('loses no workflow and repeats no completed model call through model, MCP, worker and server faults', { timeout: 480_000 }, async () => {
    // The figures of an earlier run must not pass for this one's.
    rmSync(chaosResultsFile(root), { force: true });
    const report = await runChaosSuite({ temporalCliPath: inject('temporalCliPath'), log: (line) => console.log(line) });
    writeChaosResults(report, root);
    console.log(formatChaosReport(report).split('\n').at(-1));
    // Every phase ran its faults (a phase without one proves nothing).
    for (const phase of report.phases) expect(phase.faults.length, `faults of phase ${phase.name}`).toBeGreaterThan(0);
    expect(report.phases.flatMap((phase) => phase.lostWorkflows)).toEqual([]);
    expect(report.phases.map((phase) => [phase.name, phase.repeatedBeyondInFlight])).toEqual(report.phases.map((phase) => [phase.name, 0]));
    expect(report.passed).toBe(true);
  });
});
