// The app of the CLI tests: the workflow whose history they record and replay, and one that waits for a signal.
import { MCPApp, Workflow, WorkflowResult } from '@mcp-agent/core';

export const app = new MCPApp({ name: 'cli-greetings' });

export const greet = app.workflowTask(async (name: string): Promise<string> => `hello ${name}`, { name: 'cli.greet' });

@app.workflow({ name: 'GreetingWorkflow' })
export class GreetingWorkflow extends Workflow<string> {
  @app.workflowRun
  async run(name: string): Promise<WorkflowResult<string>> {
    const greeting = await greet(name);
    await this.sleep(1_000);
    return new WorkflowResult({ value: greeting });
  }
}

/** Waits for a release signal; answers a query meanwhile. For the signal, query, cancel and terminate commands. */
@app.workflow({ name: 'WaitingWorkflow' })
export class WaitingWorkflow extends Workflow<{ item: string; note: string }> {
  private note: string | undefined;

  @app.workflowSignal
  release(note: string): void {
    this.note = note;
  }

  @app.workflowQuery
  state(): string {
    return this.note === undefined ? 'waiting' : 'released';
  }

  @app.workflowRun
  async run(request: { item: string; priority: number }): Promise<WorkflowResult<{ item: string; note: string }>> {
    await this.condition(() => this.note !== undefined);
    return new WorkflowResult({ value: { item: request.item, note: this.note ?? '' } });
  }
}
