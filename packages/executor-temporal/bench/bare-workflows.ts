/**
 * The benchmark's workflow on the bare Temporal SDK: the same six activities as
 * `ModelAndToolsWorkflow` (list the MCP server's tools, then three model round trips and two echo
 * calls, alternating), with the same attempt timeout. Bundled by `Worker.create({ workflowsPath })`.
 */
import { proxyActivities } from '@temporalio/workflow';

/** The activities of the bare worker, implemented in `temporal.bench.ts`. */
export interface BareActivities {
  listTools(): Promise<string[]>;
  complete(prompt: string): Promise<string>;
  echo(text: string): Promise<string>;
}

const { listTools, complete, echo } = proxyActivities<BareActivities>({ startToCloseTimeout: '60s' });

export async function bareModelAndTools(input: { id: number }): Promise<{ answers: string[]; echoes: string[] }> {
  const tools = await listTools();
  if (!tools.includes('echo')) throw new Error(`the MCP server has no echo tool: ${tools.join(', ')}`);
  const answers: string[] = [];
  const echoes: string[] = [];
  answers.push(await complete(`workflow ${input.id} step 1`));
  echoes.push(await echo(`workflow ${input.id} echo 1`));
  answers.push(await complete(`workflow ${input.id} step 2`));
  echoes.push(await echo(`workflow ${input.id} echo 2`));
  answers.push(await complete(`workflow ${input.id} step 3`));
  return { answers, echoes };
}
