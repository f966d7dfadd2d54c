/**
 * Starts the data pipeline through its generated typed client and prints the composed report and
 * the child workflows that ran each step. In-process by default; with EXECUTION_ENGINE=temporal
 * it runs on the Temporal server (start `pnpm worker` first).
 */
import { runMain } from '@mcp-agent/core';
import { DataPipelineWorkflowClient } from './generated/clients.js';
import { warehouse } from './warehouse.js';
import { app, type PipelineInput } from './workflows.js';

// A customer export with the usual problems: a short line, a bad email, a customer listed twice.
const input: PipelineInput = {
  source: 'crm-export-2026-05.csv',
  table: 'customers',
  batchSize: 2,
  csv: [
    'id,name,email,country,lifetime_value',
    'c-001,Ada Lovelace,ADA@example.com,gb,1250.50',
    'c-002,Grace Hopper,grace@example.com,US,980',
    'c-003,Alan Turing,alan.example.com,GB,400',
    'c-004,Katherine Johnson,katherine@example.com',
    'c-005,Edsger Dijkstra,edsger@example.nl,nl,310.25',
    'c-002,Grace Hopper,grace.hopper@example.com,US,1015',
  ].join('\n'),
};

await runMain(() =>
  app.run(async ({ executor }) => {
    console.log(`engine: ${executor.engine}`);
    const handle = await DataPipelineWorkflowClient.start(executor, input, { workflowId: `pipeline-${input.table}-${Date.now()}` });
    console.log(`started DataPipelineWorkflow ${handle.workflowId}`);
    const result = await handle.result();
    const report = result.value;
    if (report === undefined) throw new Error(`the pipeline returned no report: ${result.error ?? ''}`);
    for (const step of report.steps) {
      const child = await executor.describeWorkflow(step.workflowId);
      console.log(`step ${step.step}: child workflow ${child.workflowName} ${child.workflowId} ${child.status} (parent ${child.parentWorkflowId})`);
    }
    console.log(`extracted ${report.extracted} records from ${report.source}; rejected lines: ${report.rejected.map((issue) => `${issue.line} (${issue.reason})`).join(', ') || 'none'}`);
    console.log(
      `transformed ${report.transformed} customers; dropped lines: ${report.dropped.map((issue) => `${issue.line} (${issue.reason})`).join(', ') || 'none'}; duplicate ids: ${report.duplicates}`,
    );
    console.log(`loaded ${report.loaded} rows into "${report.table}" in ${report.batches} batches`);
    if (executor.engine === 'asyncio') {
      // In-process the warehouse is in this process; on Temporal it is in the worker's.
      for (const row of warehouse.rows(report.table)) console.log(`  ${JSON.stringify(row)}`);
    }
    if (result.error !== undefined) {
      console.log(`pipeline failed: ${result.error}`);
      process.exitCode = 1;
    }
  }),
);
