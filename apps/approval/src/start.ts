/**
 * Submits two documents for approval, reads their status while they wait, then approves one and
 * rejects the other, printing what each workflow returns.
 *
 *   pnpm start                              # in-process (execution_engine: asyncio)
 *   EXECUTION_ENGINE=temporal pnpm start    # on Temporal; needs `pnpm worker` running
 */
import { loadSettings } from '@mcp-agent/core/config';
import { runMain, WorkflowAlreadyStartedError, type Executor } from '@mcp-agent/core';
import { DocumentApprovalWorkflowClient, type DocumentApprovalWorkflowHandle } from './generated/clients.js';
import { useLocalModelUnlessConfigured } from './model.js';
import { app, type ApprovalDocument, type ApprovalStatus } from './workflows.js';

const contract: ApprovalDocument = {
  id: 'contract-2026-17',
  title: 'Hosting contract with Acme Cloud',
  text: 'Acme Cloud hosts the customer portal for 24 months from 2026-12-01. The fee is EUR 4,000 a month, EUR 96,000 in all; either side may end it with 90 days notice.',
};
const budget: ApprovalDocument = {
  id: 'budget-2026-q4',
  title: 'Q4 marketing budget increase',
  text: 'Marketing asks for EUR 250,000 more for a television campaign from 2026-11-15. No audience research supports the channel yet.',
};

const sleep = (milliseconds: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, milliseconds));

/** Starts the approval of `document`, or picks up the one already waiting under its id. */
async function submit(executor: Executor, document: ApprovalDocument): Promise<DocumentApprovalWorkflowHandle> {
  // One workflow per document: its id is the document's, so submitting twice can't start two approvals.
  const workflowId = `approval-${document.id}`;
  try {
    const handle = await DocumentApprovalWorkflowClient.start(executor, document, { workflowId });
    console.log(`submitted "${document.title}": workflow ${workflowId}`);
    return handle;
  } catch (error) {
    if (!WorkflowAlreadyStartedError.is(error)) throw error;
    console.log(`"${document.title}" is already waiting in workflow ${workflowId}: picking it up`);
    return DocumentApprovalWorkflowClient.getHandle(executor, workflowId);
  }
}

/** Asks for the status until the agent's summary is ready. */
async function summaryReady(handle: DocumentApprovalWorkflowHandle): Promise<ApprovalStatus> {
  for (;;) {
    const status = await handle.queries.getStatus();
    if (status.stage !== 'summarising') return status;
    await sleep(100);
  }
}

await runMain(async () => {
  // In-process the model call happens here; on Temporal it happens in the worker.
  const onTemporal = loadSettings().settings.execution_engine === 'temporal';
  const model = onTemporal ? undefined : await useLocalModelUnlessConfigured();
  console.log(model?.description ?? 'model: the worker makes the model calls (its first line says which model)');

  try {
    await app.run(async ({ executor, config }) => {
      console.log(`engine: ${executor.engine}`);
      if (executor.engine === 'temporal') console.log(`(a worker on task queue "${config.temporal?.task_queue}" runs them: \`pnpm worker\` in another terminal)`);
      const approval = await submit(executor, contract);
      const rejection = await submit(executor, budget);

      // Both now wait for a person, with no timeout; queries are answered meanwhile.
      for (const handle of [approval, rejection]) {
        const status = await summaryReady(handle);
        console.log(`getStatus(${handle.workflowId}) -> ${status.stage}: ${status.summary}`);
      }

      await approval.signals.approve({ reviewer: 'Dana (legal)', comments: 'Notice period checked. Approved for 24 months.' });
      console.log(`signal approve -> ${approval.workflowId}`);
      const approved = await approval.result();
      console.log(`result: approved by ${approved.value?.approvedBy}: "${approved.value?.comments}"`);
      console.log(`        ${JSON.stringify(approved.value)}`);

      await rejection.signals.reject({ reviewer: 'Sam (finance)', comments: 'Needs audience research before we commit EUR 250,000.' });
      console.log(`signal reject -> ${rejection.workflowId}`);
      const rejected = await rejection.result();
      console.log(`result: ${rejected.error}`);
      console.log(`getStatus(${rejection.workflowId}) -> ${(await rejection.queries.getStatus()).stage}; workflow ${(await rejection.describe()).status}`);
    });
  } finally {
    await model?.server?.close();
  }
});
