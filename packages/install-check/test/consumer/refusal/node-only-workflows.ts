// Workflow code that runs a process: the worker must refuse it at bundle time, naming the chain.
import { execSync } from 'node:child_process';
import { MCPApp, Workflow, WorkflowResult } from '@mcp-agent/core';

export const shellApp = new MCPApp({ name: 'shell' });

@shellApp.workflow
export class ShellWorkflow extends Workflow<string> {
  @shellApp.workflowRun
  async run(command: string): Promise<WorkflowResult<string>> {
    return new WorkflowResult({ value: execSync(command, { encoding: 'utf8' }) });
  }
}
