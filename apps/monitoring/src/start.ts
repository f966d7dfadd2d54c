/**
 * Starts the monitoring workflow through its generated typed client and follows it.
 *
 *   pnpm start [-- --days 30] [--systems api,database,queue] [--detach]
 *
 * In-process, the engine runs on a virtual clock: while we wait for the result it jumps from one
 * timer to the next, so thirty days of hourly checks take seconds (the model round trips are
 * real). On Temporal (EXECUTION_ENGINE=temporal, with `pnpm worker` running) the hours are real:
 * the starter shows the first check, then stops the workflow with the `stop` signal and prints
 * its report; with --detach it leaves it running and says how to follow and stop it.
 */
import { parseArgs } from 'node:util';
import { loadSettings } from '@mcp-agent/core/config';
import { runMain, type Executor } from '@mcp-agent/core';
import { createAsyncioEngine, VirtualClock } from '@mcp-agent/executor-asyncio';
import { MonitoringWorkflowClient, type MonitoringWorkflowHandle } from './generated/clients.js';
import { useScriptedModelUnlessConfigured } from './model.js';
import { app, events, type MonitoringReport } from './workflows.js';

const { values: options } = parseArgs({
  // `pnpm start -- --days 2` hands the script a leading `--`.
  args: process.argv.slice(2).filter((argument, index) => !(index === 0 && argument === '--')),
  options: { days: { type: 'string', default: '30' }, systems: { type: 'string', default: 'api,database,queue' }, detach: { type: 'boolean', default: false } },
});
const input = { systems: options.systems.split(',').map((system) => system.trim()), days: Number(options.days) };
const print = (line: string): void => void process.stdout.write(`${line}\n`);
events.print = (line) => print(`  ${line}`);

function summary(report: MonitoringReport): void {
  const last = report.checks.at(-1);
  print(
    `report: ${report.checks.length} check${report.checks.length === 1 ? '' : 's'} of ${report.systems.join(', ')}, the last on day ${last?.day ?? '-'} at hour ${last?.hour ?? '-'}, ` +
      `in ${report.runs} run${report.runs === 1 ? '' : 's'} (one per day)${report.stopped === undefined ? '' : `; stopped: ${report.stopped}`}`,
  );
  const counts = new Map<string, number>();
  for (const check of report.checks) counts.set(check.status, (counts.get(check.status) ?? 0) + 1);
  for (const [status, count] of counts) print(`  ${String(count).padStart(4)} x ${status}`);
  print(`alerts: ${report.alerts.length === 0 ? 'none' : report.alerts.map((alert) => `day ${alert.day} hour ${alert.hour}: ${alert.message}`).join('; ')}`);
}

async function waitForFirstCheck(handle: MonitoringWorkflowHandle): Promise<void> {
  for (const deadline = Date.now() + 30_000; Date.now() < deadline; await new Promise((resolve) => setTimeout(resolve, 100))) {
    const status = await handle.queries.status();
    if (status.lastCheck !== undefined) {
      print(`query status -> first check: "${status.lastCheck.status}"; next check at ${new Date(status.nextCheckAt ?? 0).toISOString()} (workflow time)`);
      return;
    }
  }
  throw new Error(`no check within 30 s: is a worker polling task queue "monitoring"? (pnpm worker)`);
}

async function follow(executor: Executor, clock?: VirtualClock): Promise<void> {
  print(`engine: ${executor.engine}${clock === undefined ? '' : ' (virtual clock)'}`);
  const started = Date.now();
  const clockStarted = clock?.now() ?? 0;
  const handle = await MonitoringWorkflowClient.start(executor, input, { workflowId: `monitoring-${started.toString(36)}` });
  print(`started MonitoringWorkflow ${handle.workflowId}: ${input.systems.join(', ')} every hour for ${input.days} days`);
  await waitForFirstCheck(handle);
  if (executor.engine === 'temporal') {
    if (options.detach) {
      print('left running on the server. Follow and stop it with:');
      print(`  temporal workflow query --workflow-id ${handle.workflowId} --name status`);
      print(`  temporal workflow signal --workflow-id ${handle.workflowId} --name stop --input '"done watching"'`);
      return;
    }
    print('signal stop("demo over")');
    await handle.signals.stop('demo over');
  }
  const result = await handle.result();
  const report = result.value;
  if (report === undefined) throw new Error(`the workflow returned no report: ${result.error ?? ''}`);
  summary(report);
  const virtual = clock === undefined ? '' : `; workflow time on the virtual clock: ${((clock.now() - clockStarted) / 86_400_000).toFixed(2)} days`;
  print(`real time: ${((Date.now() - started) / 1000).toFixed(1)} s${virtual}`);
}

await runMain(async () => {
  const inProcess = loadSettings().settings.execution_engine === 'asyncio';
  // In-process the model round trips run here; on Temporal the worker makes them.
  const model = inProcess ? await useScriptedModelUnlessConfigured(print) : undefined;
  try {
    const clock = inProcess ? new VirtualClock() : undefined;
    // In-process, the engine runs on a virtual clock (30 days in seconds); it is chosen here, not in
    // the workflow module, which must stay free of Node-only imports such as the engine's.
    if (clock !== undefined) app.configure({ engines: { asyncio: createAsyncioEngine({ clock }) } });
    await app.run(({ executor }) => follow(executor, clock));
  } finally {
    await model?.close();
  }
});
