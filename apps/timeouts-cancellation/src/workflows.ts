/**
 * Timeouts and cancellation, each reported rather than left to crash the run. A batch job:
 * 1. exports a report from a service that hangs: each attempt is cut at its start-to-close
 *    timeout and retried, then the task fails;
 * 2. waits for an operator's approval with a timeout that passes;
 * 3. archives the batch in a child workflow whose execution timeout, set when it starts, passes;
 * 4. holds the batch's lease until the client cancels it, then releases the lease (cleanup that
 *    cancellation can't interrupt) and reports all four outcomes as its result.
 */
import {
  ChildWorkflowFailedError,
  isCancellation,
  MCPApp,
  messageOf,
  TaskFailedError,
  taskContext,
  TimeoutError,
  Workflow,
  WorkflowApplicationError,
  WorkflowResult,
} from '@mcp-agent/core';

export const app = new MCPApp({ name: 'timeouts-cancellation' });

/** The batch to process, and how long each step may take. */
export interface BatchInput {
  batchId: string;
  /** Start-to-close timeout of one export attempt, milliseconds. Default 1000. */
  exportAttemptTimeoutMs?: number;
  /** How long to wait for the operator's approval, milliseconds. Default 1000. */
  approvalWindowMs?: number;
  /** Execution timeout of the archive child workflow, milliseconds. Default 2000. */
  archiveTimeoutMs?: number;
}

/** How each step ended. */
export interface BatchReport {
  batchId: string;
  export: { status: 'exported'; attempts: number } | { status: 'failed'; attempts: number; error: string; timeout?: TimeoutError['timeoutType'] };
  approval: { status: 'approved'; by: string } | { status: 'no approval in time'; windowMs: number };
  archive: { status: 'archived' } | { status: 'timed out'; workflow: string; executionTimeoutMs: number } | { status: 'failed'; workflow: string; error: string };
  cancellation: { status: 'cancelled by the client'; cleanup: string } | { status: 'not cancelled' };
}

/** Where the batch is, for the `stage` query. */
export type BatchStage = 'running steps' | 'holding the lease' | 'cleaning up' | 'done';

/** What the tasks did, by workflow id: they run in the worker's process (for the test and the starter). */
export const taskLog = new Map<string, string[]>();
function log(workflowId: string, event: string): void {
  taskLog.set(workflowId, [...(taskLog.get(workflowId) ?? []), event]);
}

/**
 * An export from a service that hangs. A well-behaved long task heartbeats while it waits and
 * stops when its attempt is aborted (`taskContext().signal`). In-process the engine aborts the
 * attempt when its start-to-close timeout passes; under Temporal the server times the attempt
 * out, and the worker learns of it when the next heartbeat is refused, then aborts it.
 */
export const exportReport = app.workflowTask(
  async function exportReport(batchId: string): Promise<string> {
    const { attempt, signal, heartbeat, workflowId } = taskContext();
    log(workflowId, `export attempt ${attempt} started`);
    return new Promise<string>((resolve, reject) => {
      const answer = setTimeout(() => resolve(`exported ${batchId}`), 3_600_000); // the service would answer in an hour
      const beat = setInterval(() => heartbeat(), 100);
      signal.addEventListener('abort', () => {
        clearTimeout(answer);
        clearInterval(beat);
        log(workflowId, `export attempt ${attempt} aborted`);
        reject(signal.reason);
      });
    });
  },
  { name: 'batch.exportReport', startToCloseTimeout: '1s', heartbeatTimeout: '1s' },
);

/** The cleanup: gives the batch's lease back. */
export const releaseLease = app.workflowTask(
  async function releaseLease(batchId: string): Promise<string> {
    log(taskContext().workflowId, 'lease released');
    return `released the lease on ${batchId}`;
  },
  { name: 'batch.releaseLease' },
);

/** Archiving a batch takes an hour; the parent gives it a shorter execution timeout. */
@app.workflow
export class ArchiveWorkflow extends Workflow<string> {
  @app.workflowRun
  async run(batchId: string): Promise<WorkflowResult<string>> {
    await this.sleep('1 hour');
    return new WorkflowResult({ value: `archived ${batchId}` });
  }
}

@app.workflow
export class BatchWorkflow extends Workflow<BatchReport> {
  #stage: BatchStage = 'running steps';
  #approvedBy: string | undefined;

  @app.workflowSignal
  approve(operator: string): void {
    this.#approvedBy = operator;
  }

  @app.workflowQuery
  stage(): BatchStage {
    return this.#stage;
  }

  @app.workflowRun
  async run(input: BatchInput): Promise<WorkflowResult<BatchReport>> {
    if (typeof input?.batchId !== 'string' || input.batchId === '') {
      throw WorkflowApplicationError.nonRetryable(`batchId: expected a non-empty string, got ${JSON.stringify(input?.batchId)}`, 'InvalidBatch');
    }
    const { batchId } = input;
    // The three steps are independent: they run at once, and each reports how it ended.
    const [exported, approval, archive] = await Promise.all([
      this.#export(batchId, input.exportAttemptTimeoutMs ?? 1_000),
      this.#awaitApproval(input.approvalWindowMs ?? 1_000),
      this.#archive(batchId, input.archiveTimeoutMs ?? 2_000),
    ]);
    const report: BatchReport = { batchId, export: exported, approval, archive, cancellation: { status: 'not cancelled' } };

    this.#stage = 'holding the lease';
    try {
      // Holds the lease until the client cancels the workflow (or a week passes).
      await this.sleep('7 days');
    } catch (error) {
      if (!isCancellation(error)) throw error;
      this.#stage = 'cleaning up';
      // Cancellation interrupts whatever the workflow awaits; cleanup runs where it can't.
      const cleanup = await this.nonCancellable(() => releaseLease(batchId));
      report.cancellation = { status: 'cancelled by the client', cleanup };
      this.#stage = 'done';
      return new WorkflowResult({ value: report, error: `batch ${batchId} was cancelled; ${cleanup}` });
    }
    this.#stage = 'done';
    return new WorkflowResult({ value: report });
  }

  async #export(batchId: string, attemptTimeoutMs: number): Promise<BatchReport['export']> {
    try {
      await this.executeTask(exportReport, [batchId], { startToCloseTimeout: attemptTimeoutMs });
      return { status: 'exported', attempts: 1 };
    } catch (error) {
      if (!TaskFailedError.is(error)) throw error;
      const cause = error.cause;
      return {
        status: 'failed',
        attempts: error.attempts,
        error: TimeoutError.is(cause) ? `attempt timed out (${cause.timeoutType})` : messageOf(cause),
        ...(TimeoutError.is(cause) ? { timeout: cause.timeoutType } : {}),
      };
    }
  }

  async #awaitApproval(windowMs: number): Promise<BatchReport['approval']> {
    const approved = await this.condition(() => this.#approvedBy !== undefined, windowMs);
    return approved ? { status: 'approved', by: this.#approvedBy ?? '' } : { status: 'no approval in time', windowMs };
  }

  async #archive(batchId: string, timeoutMs: number): Promise<BatchReport['archive']> {
    try {
      // The child's execution timeout, set when it starts, bounds it however long it would run.
      await this.executeChild(ArchiveWorkflow, batchId, { workflowId: `${this.id}-archive`, executionTimeout: timeoutMs });
      return { status: 'archived' };
    } catch (error) {
      if (!ChildWorkflowFailedError.is(error)) throw error;
      if (TimeoutError.is(error.cause)) return { status: 'timed out', workflow: 'ArchiveWorkflow', executionTimeoutMs: timeoutMs };
      return { status: 'failed', workflow: 'ArchiveWorkflow', error: messageOf(error.cause) };
    }
  }
}
