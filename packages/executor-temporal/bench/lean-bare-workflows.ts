/**
 * The lean-worker benchmark's workflow on the bare Temporal SDK: the same ten activities as
 * `LeanAgentWorkflow` (list the filesystem server's tools, then the six model calls and three tool
 * calls of {@link leanSteps}), with the same attempt timeout. Bundled by
 * `Worker.create({ workflowsPath })` in the bare worker process.
 */
import { proxyActivities } from '@temporalio/workflow';
import { LEAN_ATTEMPT_TIMEOUT_SECONDS, leanSteps, type LeanInput, type LeanOutput } from './lean-plan.js';

/** The activities of the bare worker, implemented in `lean-bare-worker.ts`. */
export interface LeanBareActivities {
  listTools(): Promise<string[]>;
  complete(prompt: string): Promise<string>;
  callTool(name: string, args: Record<string, unknown>): Promise<string>;
}

const { listTools, complete, callTool } = proxyActivities<LeanBareActivities>({ startToCloseTimeout: `${LEAN_ATTEMPT_TIMEOUT_SECONDS}s` });

export async function leanBareAgent(input: LeanInput): Promise<LeanOutput> {
  const tools = await listTools();
  const answers: string[] = [];
  const toolTexts: string[] = [];
  for (const step of leanSteps(input)) {
    if (step.kind === 'model') {
      answers.push(await complete(step.prompt));
    } else {
      if (!tools.includes(step.tool)) throw new Error(`the filesystem server has no tool ${step.tool}: ${tools.join(', ')}`);
      toolTexts.push(await callTool(step.tool, step.arguments));
    }
  }
  return { answers, toolTexts };
}
