/**
 * The demo's workflow: an expense claim is risk-assessed by a task that fails twice before it
 * succeeds (and is retried with backoff), then waits for a manager to approve or reject it,
 * answering status queries all the while.
 */
import { MCPApp, taskContext, Workflow, WorkflowApplicationError, WorkflowResult } from '@mcp-agent/core';

export const app = new MCPApp({ name: 'expense-demo' });

/** An expense claim. */
export interface ExpenseClaim {
  employee: string;
  amount: number;
  description: string;
}

/** What the workflow reports. */
export interface ExpenseDecision {
  employee: string;
  amount: number;
  risk: 'low' | 'high';
  decision: 'approved' | 'rejected';
  comments: string;
}

/** Where the workflow is, for the `status` query. */
export interface ExpenseStatus {
  stage: 'assessing risk' | 'awaiting approval' | 'done';
  risk?: 'low' | 'high' | undefined;
  decision?: 'approved' | 'rejected' | undefined;
  comments: string;
}

/** Calls into the demo print what happens; the main program sets this. */
export const events = { print: (line: string): void => void line };

/**
 * A risk check against a flaky service: attempts 1 and 2 fail with a transient error. A task may
 * do I/O; under Temporal each attempt is an activity.
 */
export const assessRisk = app.workflowTask(
  async function assessRisk(claim: ExpenseClaim): Promise<'low' | 'high'> {
    const { attempt } = taskContext();
    if (claim.amount > 100_000) {
      throw WorkflowApplicationError.nonRetryable(`claims over 100000 need a board decision, got ${claim.amount}`, 'PolicyViolation');
    }
    if (attempt < 3) {
      events.print(`task demo.assessRisk attempt ${attempt}: risk service unavailable, the engine will retry`);
      throw new Error('risk service unavailable (503)');
    }
    const risk = claim.amount > 1_000 ? 'high' : 'low';
    events.print(`task demo.assessRisk attempt ${attempt}: risk is ${risk}`);
    return risk;
  },
  { name: 'demo.assessRisk' },
);

@app.workflow
export class ExpenseApprovalWorkflow extends Workflow<ExpenseDecision> {
  #status: ExpenseStatus = { stage: 'assessing risk', comments: '' };

  @app.workflowSignal
  approve(comments: string): void {
    this.#status = { ...this.#status, decision: 'approved', comments };
  }

  @app.workflowSignal
  reject(reason: string): void {
    this.#status = { ...this.#status, decision: 'rejected', comments: reason };
  }

  @app.workflowQuery
  status(): ExpenseStatus {
    return this.#status;
  }

  @app.workflowRun
  async run(claim: ExpenseClaim): Promise<WorkflowResult<ExpenseDecision>> {
    const risk = await assessRisk(claim);
    this.#status = { ...this.#status, stage: 'awaiting approval', risk };
    // Waits durably for a signal: for seconds here, for days under Temporal.
    await this.condition(() => this.#status.decision !== undefined);
    this.#status = { ...this.#status, stage: 'done' };
    const decision: ExpenseDecision = {
      employee: claim.employee,
      amount: claim.amount,
      risk,
      decision: this.#status.decision ?? 'rejected',
      comments: this.#status.comments,
    };
    return new WorkflowResult({
      value: decision,
      ...(decision.decision === 'rejected' ? { error: `expense rejected: ${decision.comments}` } : {}),
    });
  }
}
