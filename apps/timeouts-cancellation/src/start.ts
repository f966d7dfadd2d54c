/**
 * Runs a batch until it holds its lease, cancels it from the client and prints the report the
 * workflow returns (each timeout it met, and its cleanup); then starts a second batch with an
 * execution timeout shorter than its work, which ends TIMED_OUT. On Temporal it needs
 * `pnpm worker` running.
 */
import { runMain, WorkflowFailedError, type Executor } from '@mcp-agent/core';
import { BatchWorkflowClient } from './generated/clients.js';
import { app, type BatchStage } from './workflows.js';

const started = Date.now();
const print = (line: string): void => void process.stdout.write(`[${String(Date.now() - started).padStart(5)} ms] ${line}\n`);
const sleep = (milliseconds: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, milliseconds));

async function main(executor: Executor): Promise<void> {
  print(`engine: ${executor.engine}`);
  const workflowId = `batch-${Date.now()}`;
  const handle = await BatchWorkflowClient.start(executor, { batchId: 'batch-42' }, { workflowId });
  print(`started BatchWorkflow ${workflowId}: export (1 s per attempt, 2 attempts), approval (1 s window) and archive (2 s execution timeout) at once`);
  let stage: BatchStage | undefined;
  while (stage !== 'holding the lease') {
    await sleep(50);
    const now = await handle.queries.stage();
    if (now !== stage) print(`stage: ${now}`);
    stage = now;
  }
  print('cancel from the client');
  await handle.cancel();
  const result = await handle.result();
  const report = result.value;
  print(`result (${(await handle.describe()).status}): ${result.error}`);
  print(`  export:       ${JSON.stringify(report?.export)}`);
  print(`  approval:     ${JSON.stringify(report?.approval)}`);
  print(`  archive:      ${JSON.stringify(report?.archive)} (child ${workflowId}-archive: ${(await executor.describeWorkflow(`${workflowId}-archive`)).status})`);
  print(`  cancellation: ${JSON.stringify(report?.cancellation)}`);

  // An execution timeout set at start bounds the whole workflow: the server (or the in-process
  // engine) ends it, and no workflow code runs after it, so there is no cleanup to report.
  const timedId = `batch-timed-${Date.now()}`;
  const timed = await BatchWorkflowClient.start(executor, { batchId: 'batch-43' }, { workflowId: timedId, executionTimeout: '2s' });
  print(`started BatchWorkflow ${timedId} with executionTimeout 2s`);
  try {
    await timed.result();
    throw new Error(`${timedId} completed, but it should have timed out`);
  } catch (error) {
    if (!WorkflowFailedError.is(error)) throw error;
    print(`${timedId}: result() rejected with ${error.status}; describe says ${(await timed.describe()).status}`);
  }
}

await runMain(() => app.run(({ executor }) => main(executor)));
