// `npm run chaos`: runs the chaos suite, prints its figures, writes them to
// .cache/chaos/results.json (for tools/test-summary.mjs) and exits 1 when a workflow was lost or a
// completed model call repeated. Environment: CHAOS_SEED (rerun a run's draws), CHAOS_WORKFLOWS
// (workflows per phase, default 16), CHAOS_DEADLINE_SECONDS (a phase's deadline, default 90),
// CHAOS_MCP_SCOPE (the MCP session scope: process, run or pool).
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatChaosReport, runChaosSuite, writeChaosResults } from './chaos-suite.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');

/** The Temporal CLI that tools/install-temporal.sh installs (or finds on PATH). */
function temporalCliPath(): string {
  const output = execFileSync('bash', [path.join(root, 'tools/install-temporal.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const line = output.split('\n').find((entry) => entry.startsWith('TEMPORAL_CLI_PATH='));
  if (line === undefined) throw new Error('tools/install-temporal.sh printed no TEMPORAL_CLI_PATH');
  return line.slice('TEMPORAL_CLI_PATH='.length);
}

function numberFromEnvironment(name: string): number | undefined {
  const value = process.env[name];
  if (value === undefined || value === '') return undefined;
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) throw new Error(`${name}: expected a whole number from 1, got "${value}"`);
  return number;
}

// A hard stop, whatever hangs: the suite's own deadlines come first.
const hardStop = setTimeout(() => {
  console.error('chaos: still running after 10 minutes; giving up');
  process.exit(1);
}, 600_000);
hardStop.unref();

try {
  const seed = numberFromEnvironment('CHAOS_SEED');
  const workflowsPerPhase = numberFromEnvironment('CHAOS_WORKFLOWS');
  const phaseDeadlineSeconds = numberFromEnvironment('CHAOS_DEADLINE_SECONDS');
  const scope = process.env.CHAOS_MCP_SCOPE || undefined;
  if (scope !== undefined && scope !== 'process' && scope !== 'run' && scope !== 'pool') throw new Error(`CHAOS_MCP_SCOPE: expected process, run or pool, got "${scope}"`);
  const report = await runChaosSuite({
    temporalCliPath: temporalCliPath(),
    ...(seed === undefined ? {} : { seed }),
    ...(workflowsPerPhase === undefined ? {} : { workflowsPerPhase }),
    ...(scope === undefined ? {} : { mcpSessionScope: scope }),
    ...(phaseDeadlineSeconds === undefined ? {} : { phaseDeadlineSeconds }),
    log: (line) => console.log(line),
  });
  console.log(formatChaosReport(report).split('\n').at(-1));
  console.log(`figures written to ${path.relative(process.cwd(), writeChaosResults(report, root))}`);
  process.exit(report.passed ? 0 : 1);
} catch (error) {
  console.error(`chaos: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exit(1);
}
