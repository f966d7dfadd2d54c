/**
 * Starts a job on a local job service, then the polling workflow through its generated typed
 * client, and prints each status request the service gets and the workflow's report. The job
 * finishes on the third status read; the second read meets a 503, which the engine retries.
 * In-process by default; with EXECUTION_ENGINE=temporal on the Temporal server (start
 * `pnpm worker` first: its status checks reach this process's job service over HTTP).
 */
import { runMain } from '@mcp-agent/core';
import { JobPollingWorkflowClient } from './generated/clients.js';
import { startJobService } from './job-service.js';
import { app, events } from './workflows.js';

const started = Date.now();
const print = (line: string): void => void process.stdout.write(`[${((Date.now() - started) / 1000).toFixed(1).padStart(5)} s] ${line}\n`);

await runMain(async () => {
  const service = await startJobService({ onRequest: print });
  try {
    await app.run(async ({ executor }) => {
      print(`engine: ${executor.engine}; job service on ${service.url}`);
      events.print = (line) => print(`task: ${line}`);
      const jobId = service.createJob({ id: `export-${started.toString(36)}`, readyAfterPolls: 3, unavailableOnReads: [2], result: 'https://files.example.com/exports/q3.csv' });
      print(`created job ${jobId}`);
      const handle = await JobPollingWorkflowClient.start(
        executor,
        { serviceUrl: service.url, jobId, policy: { maxPolls: 5, initialDelay: 1, backoffCoefficient: 2, maxDelay: 4 } },
        { workflowId: `poll-${jobId}` },
      );
      print(`started JobPollingWorkflow ${handle.workflowId}`);
      const result = await handle.result();
      const report = result.value;
      print(
        `report: ${report?.outcome} after ${report?.polls} polls (${report?.states.join(' -> ')}), waits ${report?.delays.map((seconds) => `${seconds} s`).join(', ')}${report?.result === undefined ? '' : `; result: ${report.result}`}`,
      );
      if (result.error !== undefined) print(`error: ${result.error}`);
      print(`the job service answered ${service.reads(jobId).join(', ')}`);
    });
  } finally {
    await service.close();
  }
});
