// A workflow whose task runs on the queue the call or the run's memo names, for the task queue
// tests on the Temporal dev server; the worker bundles this module for the sandbox.
import { MCPApp, Workflow, WorkflowResult, type TaskCallOptions } from '@mcp-agent/core';

export const taskQueueApp = new MCPApp({ name: 'task-queues' });
const app = taskQueueApp;

/** Answers where it ran: the app's workers say `home`; the tests' activity-only worker says otherwise. */
export const whereAmI = app.workflowTask(async (): Promise<string> => 'home', { name: 'whereAmI', retryPolicy: { maximumAttempts: 1 } });

/** Calls `whereAmI` with the options given and reports its answer, or how it failed. */
@app.workflow({ name: 'RouteWorkflow' })
export class RouteWorkflow extends Workflow<{ answer?: string; error?: string; errorCode?: string; causeType?: string }> {
  @app.workflowRun
  async run(options: TaskCallOptions = {}): Promise<WorkflowResult<{ answer?: string; error?: string; errorCode?: string; causeType?: string }>> {
    try {
      return new WorkflowResult({ value: { answer: await this.executeTask(whereAmI, [], options) } });
    } catch (error) {
      const failure = error as { message: string; code?: string; cause?: { type?: string } };
      return new WorkflowResult({
        value: {
          error: failure.message,
          ...(failure.code === undefined ? {} : { errorCode: failure.code }),
          ...(failure.cause?.type === undefined ? {} : { causeType: failure.cause.type }),
        },
      });
    }
  }
}
