// The in-process engine runs every task itself: a call's `taskQueue` and `scheduleToStartTimeout`,
// and a run's memo routes (`mcp_agent.task_queues`), are for Temporal and change nothing here.
import { createLogger, MCPApp, TASK_QUEUES_MEMO_KEY, Workflow, WorkflowResult, type TaskCallOptions } from '@mcp-agent/core';
import { describe, expect, it } from 'vitest';
import { createAsyncioEngine } from './asyncio-executor.js';

const app = new MCPApp({ name: 'asyncio-task-queues', settings: {}, logger: createLogger({ transports: ['none'] }), engines: { asyncio: createAsyncioEngine() } });

const calls: string[] = [];
const record = app.workflowTask(
  async (label: string): Promise<string> => {
    calls.push(label);
    return `ran ${label}`;
  },
  { name: 'record' },
);

@app.workflow
class RoutedWorkflow extends Workflow<string> {
  @app.workflowRun
  async run(options: TaskCallOptions): Promise<WorkflowResult<string>> {
    return new WorkflowResult({ value: await this.executeTask(record, [String(options.taskQueue)], options) });
  }
}

describe('task queues on the in-process engine', () => {
  it('ignores a call’s taskQueue and scheduleToStartTimeout, and the run’s memo routes: the task runs here', async () => {
    const values = await app.run(async ({ executor }) => {
      const byCall = await executor.startWorkflow(RoutedWorkflow, { taskQueue: 'nobody-polls-this', scheduleToStartTimeout: '1 ms' });
      const byMemo = await executor.startWorkflow(RoutedWorkflow, {}, { memo: { [TASK_QUEUES_MEMO_KEY]: { record: { taskQueue: 'nobody', scheduleToStartTimeoutMs: 1 } } } });
      return [(await byCall.result()).value, (await byMemo.result()).value];
    });
    expect(values).toEqual(['ran nobody-polls-this', 'ran undefined']);
    expect(calls).toEqual(['nobody-polls-this', 'undefined']);
  });
});
