// The app the client-request tests serve: a workflow that asks a person twice, two whose model is
// the client's (sampling; one waits for a signal first), and quick ones that end well or badly.
// Workflow code: bundled by the Temporal worker of the tests.
import { Agent, AugmentedLLM, MCPApp, requestHumanInput, Workflow, WorkflowApplicationError, WorkflowResult } from '@mcp-agent/core';

export const app = new MCPApp({ name: 'client-requests-app' });

/** An LLM whose round trips the MCP client's model answers. */
class ClientLLM extends AugmentedLLM {
  readonly provider = 'mcp-sampling';
}

/** Asks to approve, then for a note, and reports both answers. */
@app.workflow
export class AskWorkflow extends Workflow<string> {
  @app.workflowRun
  async run(subject: string): Promise<WorkflowResult<string>> {
    const approval = await requestHumanInput({ prompt: `Approve ${subject}?`, description: 'A refund request' });
    const note = await requestHumanInput({ prompt: 'Any note?' });
    return new WorkflowResult({ value: `${subject}: ${approval.response} (${String(approval.metadata?.['elicitation'])}); note: ${note.response}` });
  }
}

/** Writes a haiku with the client's model. */
@app.workflow
export class HaikuWorkflow extends Workflow<string> {
  @app.workflowRun
  async run(topic: string): Promise<WorkflowResult<string>> {
    const llm = new ClientLLM({ agent: new Agent({ name: 'poet', instruction: 'You write haiku.' }) });
    return new WorkflowResult({ value: await llm.generateStr(`A haiku on ${topic}`, { model: 'claude-haiku', temperature: 0.5 }) });
  }
}

/** Waits for the signal `go`, then writes a haiku with the client's model. */
@app.workflow({ signals: ['go'] })
export class LaterHaikuWorkflow extends Workflow<string> {
  @app.workflowRun
  async run(topic: string): Promise<WorkflowResult<string>> {
    await this.waitForSignal('go');
    const llm = new ClientLLM({ agent: new Agent({ name: 'poet', instruction: 'You write haiku.' }) });
    return new WorkflowResult({ value: await llm.generateStr(`A haiku on ${topic}`) });
  }
}

/** Ends at once. */
@app.workflow
export class QuickWorkflow extends Workflow<string> {
  @app.workflowRun
  async run(name: string): Promise<WorkflowResult<string>> {
    return new WorkflowResult({ value: `Hello, ${name}.` });
  }
}

/** Fails at once. */
@app.workflow
export class FailingWorkflow extends Workflow<string> {
  @app.workflowRun
  async run(): Promise<WorkflowResult<string>> {
    throw WorkflowApplicationError.nonRetryable('the ledger is closed', 'LedgerClosed');
  }
}
