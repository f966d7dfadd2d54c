/**
 * The demo's workflow: an expense claim is risk-assessed by a task that fails twice before it
 * succeeds (and is retried with backoff), then waits for a manager to approve or reject it,
 * answering status queries all the while.
 */
import { Agent, MCPApp, taskContext, Workflow, WorkflowApplicationError, WorkflowResult, workflowUsage } from '@mcp-agent/core';
import { OpenAIAugmentedLLM } from '@mcp-agent/providers-openai/workflow';

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

/** What the file question workflow reports. */
export interface FileAnswer {
  answer: string;
  toolCalls: string[];
  modelRoundTrips: number;
  stopReason: string;
  /** Tokens this workflow's LLMs used, and their round trips. */
  tokens: number;
  calls: number;
}

/**
 * An agent with the filesystem MCP server answers a question about the files in a folder. Each
 * model round trip and each tool call is a task: an activity, checkpointed, under Temporal.
 */
@app.workflow
export class FileQuestionWorkflow extends Workflow<FileAnswer> {
  @app.workflowRun
  async run(question: string): Promise<WorkflowResult<FileAnswer>> {
    const agent = new Agent({
      name: 'archivist',
      instruction: 'You answer questions about the files in the folder you can read. Use the tools; quote what you found.',
      serverNames: ['filesystem'],
    });
    const llm = await agent.attachLlm(OpenAIAugmentedLLM);
    const result = await llm.generate(question);
    const toolCalls = result.messages.flatMap((message) => (message.role === 'assistant' ? (message.toolCalls ?? []).map((call) => call.name) : []));
    await agent.close();
    const usage = workflowUsage();
    return new WorkflowResult({
      value: { answer: result.text, toolCalls, modelRoundTrips: result.iterations, stopReason: result.stopReason, tokens: usage.totalTokens, calls: usage.calls },
    });
  }
}
