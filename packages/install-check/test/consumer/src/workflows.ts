// A consumer's app in one file: a task reading a file, a workflow with a signal and a query.
import { readFileSync } from 'node:fs';
import { MCPApp, Workflow, WorkflowResult } from '@mcp-agent/core';
import { createParallelLlm } from '@mcp-agent/patterns';

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
    // A pattern from the installed package, bundled into the workflow: two checks of the name at once.
    const check = createParallelLlm({
      fanOut: [
        function trimmed(name: string) {
          return name.trim();
        },
        function nonEmpty(name: string) {
          return name.trim() !== '';
        },
      ],
      fanIn: (results) => (results['nonEmpty']?.ok === true && results['nonEmpty'].value === true && results['trimmed']?.ok === true ? String(results['trimmed'].value) : ''),
    });
    return new WorkflowResult({ value: { lines, reviewer: await check.generateStr(this.reviewer) } });
  }
}
