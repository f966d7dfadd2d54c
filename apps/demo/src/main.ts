/**
 * The main demo: `npm run demo` from the repository root. It runs on the in-process engine
 * (`execution_engine: asyncio` in mcp_agent.config.yaml) and prints what happens.
 */
import { runMain } from '@mcp-agent/core';
import { app, events, ExpenseApprovalWorkflow, type ExpenseStatus } from './workflows.js';

const started = Date.now();
const print = (line: string): void => {
  process.stdout.write(`[${String(Date.now() - started).padStart(5)} ms] ${line}\n`);
};
events.print = print;

const sleep = (milliseconds: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, milliseconds));

await runMain(async () => {
  await app.run(async ({ executor }) => {
    print(`engine: ${executor.engine}; workflows: ${[...app.registry.workflows.keys()].join(', ')}`);
    const claim = { employee: 'Ada', amount: 420, description: 'conference travel' };
    const handle = await executor.startWorkflow(ExpenseApprovalWorkflow, claim, { workflowId: 'expense-ada-420' });
    print(`started ExpenseApprovalWorkflow id=${handle.workflowId} run=${handle.runId}`);

    // Query while the task is being retried, then until the workflow waits for a decision.
    let status = await handle.query<ExpenseStatus>('status');
    print(`query status -> ${JSON.stringify(status)}`);
    while (status.stage !== 'awaiting approval') {
      await sleep(50);
      status = await handle.query<ExpenseStatus>('status');
    }
    print(`query status -> ${JSON.stringify(status)}`);

    // A signal for another run of this id is refused, not silently dropped.
    try {
      await executor.signalWorkflow('ExpenseApprovalWorkflow', handle.workflowId, 'approve', 'stale', { runId: 'an-old-run' });
    } catch (error) {
      print(`signal to a wrong run id refused: ${(error as Error).message}`);
    }

    print('signal approve("Within the travel budget")');
    await handle.signal('approve', 'Within the travel budget');
    const result = await handle.result();
    print(`result: ${JSON.stringify(result.value)}`);
    print(`workflow ${(await handle.describe()).status} in ${(result.endTime ?? 0) - (result.startTime ?? 0)} ms of workflow time`);
  });
});
