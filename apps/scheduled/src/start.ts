/**
 * Starts a scheduled report that fires every two seconds, four times, continuing as new every
 * two runs; prints each run as it happens (from the `status` query), the result, and the chain of
 * workflow runs that continueAsNew made. On Temporal it needs `pnpm worker` running.
 */
import { runMain, type Executor } from '@mcp-agent/core';
import { ScheduledReportWorkflowClient } from './generated/clients.js';
import { app, type RunRecord, type ScheduleInput } from './workflows.js';

const sleep = (milliseconds: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, milliseconds));
const print = (line: string): void => void process.stdout.write(`${line}\n`);

async function main(executor: Executor): Promise<void> {
  // Every two seconds: a Temporal dev server keeps timers to whole seconds, so a run may be up to a second late.
  const input: ScheduleInput = { schedule: { everySeconds: 2 }, stopAfter: 4, runsPerHistory: 2 };
  const workflowId = `scheduled-report-${Date.now()}`;
  const handle = await ScheduledReportWorkflowClient.start(executor, input, { workflowId });
  print(`engine: ${executor.engine}; started ScheduledReportWorkflow ${workflowId}: every 2 seconds, 4 runs, continueAsNew after every 2`);

  // Follows the schedule as it runs. The handle's query reaches the current run of the chain.
  const result = handle.result();
  let finished = false;
  void result.finally(() => (finished = true)).catch(() => undefined);
  let seen = 0;
  const show = (record: RunRecord): void => {
    seen = record.run;
    print(`  run ${record.run} (workflow run ${record.chainRun} of the chain) scheduled for ${record.scheduledFor}, ran at ${record.ranAt}: ${record.report}`);
  };
  while (!finished) {
    const status = await handle.queries.status().catch(() => undefined);
    if (status?.lastRun !== undefined && status.lastRun.run > seen) show(status.lastRun);
    await sleep(100);
  }

  const summary = (await result).value;
  if (summary === undefined) throw new Error('the schedule reported no summary');
  summary.recent.filter((record) => record.run > seen).forEach(show);
  print(`result: ${summary.runs} runs of "${summary.schedule}" in ${summary.chainRuns} workflow runs, the first started at ${summary.startedAt}`);

  // The chain, newest first: each run before the last ended as CONTINUED_AS_NEW.
  const chain = [];
  for (let description = await executor.describeWorkflow(workflowId); ; ) {
    chain.push(`${description.runId} ${description.status}`);
    if (description.continuedFromRunId === undefined) break;
    description = await executor.describeWorkflow(workflowId, description.continuedFromRunId);
  }
  print(`runs of ${workflowId}, newest first: ${chain.join(' <- ')}`);
}

await runMain(() =>
  app.run(async ({ executor }) => {
    await main(executor);
  }),
);
