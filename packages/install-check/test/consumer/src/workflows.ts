// A consumer's app in one file: a task reading a file, a workflow with a signal and a query.
import { readFileSync } from 'node:fs';
import { MCPApp, Workflow, WorkflowResult } from '@mcp-agent/core';

export const app = new MCPApp({ name: 'consumer' });

export const countLines = app.workflowTask(async (file: string): Promise<number> => readFileSync(file, 'utf8').split('\n').length, { name: 'consumer.countLines' });

@app.workflow
export class ReviewWorkflow extends Workflow<{ lines: number; reviewer: string }> {
  private reviewer = '';

  @app.workflowSignal
  review(reviewer: string): void {
    this.reviewer = reviewer;
  }

  @app.workflowQuery
  reviewed(): boolean {
    return this.reviewer !== '';
  }

  @app.workflowRun
  async run(file: string): Promise<WorkflowResult<{ lines: number; reviewer: string }>> {
    const lines = await countLines(file);
    await this.condition(() => this.reviewer !== '');
    return new WorkflowResult({ value: { lines, reviewer: this.reviewer } });
  }
}
