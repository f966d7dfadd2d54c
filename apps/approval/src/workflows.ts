/**
 * Human in the loop. An agent reads a document and summarises it for a reviewer (one model round
 * trip), then the workflow waits for a person to `approve` or `reject` it: for seconds, or for
 * weeks. While it waits, `getStatus` answers. On Temporal the wait costs nothing: no worker holds
 * the run in memory, and a worker restart changes nothing.
 */
import { Agent, MCPApp, Workflow, WorkflowApplicationError, WorkflowResult } from '@mcp-agent/core';
import { OpenAIAugmentedLLM } from '@mcp-agent/providers-openai';

export const app = new MCPApp({ name: 'approval' });

/** A document that needs someone's approval. */
export interface ApprovalDocument {
  id: string;
  title: string;
  text: string;
}

/** What a reviewer sends with `approve` or `reject`. */
export interface Review {
  reviewer: string;
  comments: string;
}

/** The approved document: what the approval workflow returns (null when rejected). */
export interface ApprovedDocument {
  id: string;
  title: string;
  text: string;
  /** The agent's summary that the reviewer saw. */
  summary: string;
  approvedBy: string;
  comments: string;
}

/** What `getStatus` answers. */
export interface ApprovalStatus {
  stage: 'summarising' | 'awaiting decision' | 'approved' | 'rejected';
  documentId: string;
  title: string;
  /** Set once the agent has summarised the document. */
  summary?: string | undefined;
  /** Set once a reviewer has decided. */
  review?: Review | undefined;
}

/** A reviewer's decision. */
type Decision = { outcome: 'approved' | 'rejected'; review: Review };

@app.workflow
export class DocumentApprovalWorkflow extends Workflow<ApprovedDocument | null> {
  #status: ApprovalStatus = { stage: 'summarising', documentId: '', title: '' };
  #decision: Decision | undefined;

  /** Approves the document. The first decision counts; later ones are ignored. */
  @app.workflowSignal
  approve(review: Review): void {
    this.#decision ??= { outcome: 'approved', review };
  }

  /** Rejects the document. The first decision counts; later ones are ignored. */
  @app.workflowSignal
  reject(review: Review): void {
    this.#decision ??= { outcome: 'rejected', review };
  }

  /** Where the approval is. Answered at any time, also while the workflow waits. */
  @app.workflowQuery
  getStatus(): ApprovalStatus {
    return this.#status;
  }

  @app.workflowRun
  async run(document: ApprovalDocument): Promise<WorkflowResult<ApprovedDocument | null>> {
    for (const field of ['id', 'title', 'text'] as const) {
      if (typeof document?.[field] !== 'string' || document[field].trim() === '') {
        throw WorkflowApplicationError.nonRetryable(`DocumentApprovalWorkflow needs a document with a non-empty ${field}, got ${JSON.stringify(document)}`, 'InvalidInput');
      }
    }
    this.#status = { stage: 'summarising', documentId: document.id, title: document.title };

    // One model round trip: an activity on Temporal, recorded, never repeated once done.
    const agent = new Agent({
      name: 'approval-assistant',
      instruction: 'You prepare documents for a reviewer: a short summary, then anything that needs their attention (amounts, dates, risks).',
    });
    const llm = await agent.attachLlm(OpenAIAugmentedLLM);
    const summary = await llm.generateStr(`Process document "${document.title}" for approval:\n\n${document.text}`);
    this.#status = { ...this.#status, stage: 'awaiting decision', summary };

    // Wait for a person, with no timeout. On Temporal this is durable: the run sleeps on the
    // server, and the signal wakes it on whichever worker is up.
    await this.condition(() => this.#decision !== undefined);
    const { outcome, review } = this.#decision as Decision;
    this.#status = { ...this.#status, stage: outcome, review };

    if (outcome === 'rejected') {
      // A rejection is an answer, not a failure: the run completes and reports it. There is no
      // approved document: the value is null (said explicitly, so that it survives JSON).
      return new WorkflowResult<ApprovedDocument | null>({
        value: null,
        error: `Document "${document.title}" rejected by ${review.reviewer}: ${review.comments}`,
        metadata: { documentId: document.id, rejectedBy: review.reviewer, reason: review.comments },
      });
    }
    return new WorkflowResult({
      value: { id: document.id, title: document.title, text: document.text, summary, approvedBy: review.reviewer, comments: review.comments },
    });
  }
}
