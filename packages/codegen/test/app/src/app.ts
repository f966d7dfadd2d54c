// A whole app in one file: the app, a task that reads a file with node:fs, and a workflow with a
// signal, a query and an update. Codegen makes it run on Temporal from a prebuilt bundle.
import { readFileSync } from 'node:fs';
import { MCPApp, Workflow, WorkflowResult } from '@mcp-agent/core';

export const invoiceApp = new MCPApp({ name: 'invoices' });

export interface InvoiceRequest {
  customer: string;
  lines: Array<{ item: string; amount: number }>;
}

export interface Invoice {
  customer: string;
  total: number;
  approvedBy: string;
  template: string;
}

/** Reads the invoice template from disk: I/O, so a task, run as an activity. */
export const loadTemplate = invoiceApp.workflowTask(
  async (customer: string): Promise<string> => {
    const firstLine = readFileSync(new URL(import.meta.url), 'utf8').split('\n')[0] ?? '';
    return `${customer}: ${firstLine.length > 0 ? 'template loaded' : 'empty template'}`;
  },
  { name: 'invoices.loadTemplate' },
);

@invoiceApp.workflow
export class InvoiceWorkflow extends Workflow<Invoice> {
  private approver = '';
  private discount = 0;

  @invoiceApp.workflowSignal
  approve(approver: string): void {
    this.approver = approver;
  }

  @invoiceApp.workflowQuery
  pending(): boolean {
    return this.approver === '';
  }

  @invoiceApp.workflowUpdate
  async applyDiscount(percent: number): Promise<number> {
    this.discount = percent;
    return percent;
  }

  @invoiceApp.workflowRun
  async run(request: InvoiceRequest): Promise<WorkflowResult<Invoice>> {
    const template = await loadTemplate(request.customer);
    await this.condition(() => this.approver !== '');
    const gross = request.lines.reduce((sum, line) => sum + line.amount, 0);
    return new WorkflowResult({ value: { customer: request.customer, total: gross * (1 - this.discount / 100), approvedBy: this.approver, template } });
  }
}
