/**
 * The quick start: one workflow with one step.
 *
 * The step is a task. In-process it is a plain async call; on Temporal it is an activity, so its
 * result is recorded in the workflow's history and a worker that dies after it never repeats it.
 * The workflow itself only orchestrates, which is why it must be deterministic (no I/O, no clock).
 */
import { MCPApp, Workflow, WorkflowApplicationError, WorkflowResult } from '@mcp-agent/core';

export const app = new MCPApp({ name: 'quickstart' });

/**
 * The work itself. A task may do anything (call APIs, read files); here it formats the input.
 * Its name is its activity type on Temporal: keep it stable once workflows run in production.
 */
export const processInput = app.workflowTask(
  async function processInput(input: string): Promise<string> {
    return `Processed: ${input}`;
  },
  { name: 'quickstart.processInput' },
);

@app.workflow
export class MyWorkflow extends Workflow<string> {
  @app.workflowRun
  async run(input: string): Promise<WorkflowResult<string>> {
    // Bad input is not worth retrying: fail the workflow at once with a message that says why.
    if (typeof input !== 'string' || input.trim() === '') {
      throw WorkflowApplicationError.nonRetryable(`MyWorkflow needs some text to process, got ${JSON.stringify(input)}`, 'InvalidInput');
    }
    const processed = await processInput(input);
    return new WorkflowResult({ value: processed });
  }
}
