// The app the server tests serve: a quick workflow, one that waits for a person, one that runs
// until cancelled. Workflow code: bundled by the Temporal worker of the tests.
import { MCPApp, requestHumanInput, Workflow, WorkflowResult } from '@mcp-agent/core';
import type { JsonSchema } from '@mcp-agent/core/engine';

export const app = new MCPApp({ name: 'served-app' });

/** Greets someone; the input is an object. */
@app.workflow
export class GreetWorkflow extends Workflow<string> {
  @app.workflowRun
  async run(input: { name: string; excited?: boolean }): Promise<WorkflowResult<string>> {
    return new WorkflowResult({ value: `Hello, ${input.name}${input.excited === true ? '!' : '.'}`, metadata: { length: input.name.length } });
  }
}

/** Asks a person to approve, then reports the answer; the input is a string. */
@app.workflow
export class ApprovalWorkflow extends Workflow<string> {
  @app.workflowRun
  async run(subject: string): Promise<WorkflowResult<string>> {
    const { response } = await requestHumanInput({ prompt: `Approve ${subject}?` });
    return new WorkflowResult({ value: `${subject}: ${response}` });
  }
}

/** Waits for the `resume` signal, up to a day. */
@app.workflow({ signals: ['resume'] })
export class PausedWorkflow extends Workflow<unknown> {
  @app.workflowRun
  async run(): Promise<WorkflowResult<unknown>> {
    const payload = await this.waitForSignal('resume', { timeout: '1 day' });
    return new WorkflowResult({ value: payload });
  }
}

/** The input schemas codegen would write for these workflows. */
export const INPUT_SCHEMAS: Record<string, JsonSchema> = {
  GreetWorkflow: { type: 'object', properties: { name: { type: 'string' }, excited: { type: 'boolean' } }, required: ['name'], additionalProperties: false },
  ApprovalWorkflow: { type: 'string' },
};
