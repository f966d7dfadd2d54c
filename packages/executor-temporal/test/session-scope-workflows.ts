// Workflows for the session scope tests on the dev server: a run that calls the session counter
// server's `count` tool (how many calls its session served, and which server and worker processes
// answered), pausing for a signal halfway so that a test can kill the worker between the halves.
// The worker bundles this module.
import { Agent, MCPApp, Workflow, WorkflowResult } from '@mcp-agent/core';

export const sessionScopeApp = new MCPApp({ name: 'session-scopes' });
const app = sessionScopeApp;

/** One `count` call: the session's count, its server process and the worker process that ran the call. */
export interface CountStep {
  count: number;
  server: number;
  worker: number;
}

/** Calls `count` `before` times, waits for the `resume` signal when `after` > 0, then calls it `after` times more. */
@app.workflow
export class SessionCounterWorkflow extends Workflow<CountStep[]> {
  private resumed = false;
  private done = 0;

  @app.workflowSignal
  resume(): void {
    this.resumed = true;
  }

  @app.workflowQuery
  progress(): number {
    return this.done;
  }

  @app.workflowRun
  async run(input: { before: number; after: number }): Promise<WorkflowResult<CountStep[]>> {
    const agent = new Agent({ name: 'counter', instruction: 'Counts.', serverNames: ['counter'] });
    await agent.initialize();
    const steps: CountStep[] = [];
    const step = async (): Promise<void> => {
      const result = await agent.callTool('counter_count', {});
      const { count, serverPid, workerPid } = JSON.parse(String(result.content[0]?.text)) as { count: number; serverPid: number; workerPid: number };
      steps.push({ count, server: serverPid, worker: workerPid });
      this.done += 1;
    };
    for (let index = 0; index < input.before; index += 1) await step();
    if (input.after > 0) {
      await this.condition(() => this.resumed);
      for (let index = 0; index < input.after; index += 1) await step();
    }
    await agent.close();
    return new WorkflowResult({ value: steps });
  }
}
