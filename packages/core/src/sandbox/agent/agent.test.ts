import { afterEach, describe, expect, it } from 'vitest';

import { AugmentedLLM } from '../llm/augmented-llm.js';
import type { LlmResponse } from '../llm/llm-types.js';
import type { McpToolDescriptor, McpToolResult } from '../mcp/mcp-service.js';
import { addWorkflowContextProvider, SCHEDULE_ON_CALL_PATCH, type WorkflowContext } from '../model/workflow-context.js';
import { Agent } from './agent.js';

class TestLLM extends AugmentedLLM {
  readonly provider = 'test';
}

const tools: McpToolDescriptor[] = [{ server: 'files', name: 'read', inputSchema: { type: 'object' } }];
const answer: LlmResponse = {
  model: 'm',
  message: { role: 'assistant', content: 'ok', toolCalls: [] },
  stopReason: 'end_turn',
  usage: { inputTokens: 1, outputTokens: 1, totalTokens: 2 },
};
const toolResult: McpToolResult = { content: [{ type: 'text', text: 'read' }], isError: false };

// The context of a fake workflow run: records the tasks scheduled, in order, and answers at once.
let active: WorkflowContext | undefined;
addWorkflowContextProvider(() => active);

function fakeRun(recordedBeforeScheduleOnCall = false): { context: WorkflowContext; scheduled: string[] } {
  const scheduled: string[] = [];
  const results: Record<string, unknown> = { 'mcp.listTools': tools, 'mcp.callTool': toolResult, 'llm.test.complete': answer, 'user.task': 'done' };
  const context = {
    executeTask: (taskName: string) => {
      scheduled.push(taskName);
      return Promise.resolve(results[taskName]);
    },
    // As Temporal answers while replaying a history recorded before the change, or in a new run.
    patched: (patchId: string) => patchId !== SCHEDULE_ON_CALL_PATCH || !recordedBeforeScheduleOnCall,
  } as unknown as WorkflowContext;
  return { context, scheduled };
}

afterEach(() => {
  active = undefined;
});

/**
 * One turn that starts a tool call, a model round trip, a local function and a task of the
 * workflow's own, with the agents' tools listed: the tasks scheduled before any call returned,
 * and the results.
 */
async function listedTurn(recordedBeforeScheduleOnCall: boolean): Promise<{ scheduledAtOnce: string[]; scheduled: string[]; results: unknown[] }> {
  const { context, scheduled } = fakeRun(recordedBeforeScheduleOnCall);
  active = context;
  const files = await new Agent({ name: 'files', serverNames: ['files'], functions: [{ name: 'local', run: () => context.executeTask('user.task', [], undefined) }] }).initialize();
  const llm = await new Agent({ name: 'model' }).attachLlm(TestLLM);
  scheduled.length = 0;
  const started = [files.callTool('files_read'), llm.generateStr('hi'), files.callTool('local'), context.executeTask('user.task', [], undefined)];
  const scheduledAtOnce = [...scheduled];
  return { scheduledAtOnce, scheduled, results: await Promise.all(started) };
}

/** One turn that starts a model round trip, the first call of an agent whose tools are not listed yet, and a task: the tasks scheduled. */
async function listingTurn(recordedBeforeScheduleOnCall: boolean): Promise<string[]> {
  const { context, scheduled } = fakeRun(recordedBeforeScheduleOnCall);
  active = context;
  const llm = await new Agent({ name: 'model' }).attachLlm(TestLLM);
  const files = new Agent({ name: 'files', serverNames: ['files'] });
  scheduled.length = 0;
  await Promise.all([llm.generateStr('hi'), files.callTool('files_read'), context.executeTask('user.task', [], undefined)]);
  return scheduled;
}

describe('the order in which agents schedule tasks inside a workflow', () => {
  // Temporal matches the tasks a run schedules against its history in order, so the order of
  // tasks started in one turn must not change for runs already recorded.
  it('is the order they were started in, in a new run', async () => {
    const { scheduledAtOnce, results } = await listedTurn(false);
    // Scheduled before the calls return.
    expect(scheduledAtOnce).toEqual(['mcp.callTool', 'llm.test.complete', 'user.task', 'user.task']);
    expect(results).toEqual([toolResult, 'ok', expect.objectContaining({ isError: false }), 'done']);
  });

  it('lists an agent’s tools when its first call is made, in a new run', async () => {
    expect(await listingTurn(false)).toEqual(['llm.test.complete', 'mcp.listTools', 'user.task', 'mcp.callTool']);
  });

  it('is unchanged when replaying a run recorded before the change', async () => {
    const { scheduled } = await listedTurn(true);
    expect(scheduled).toEqual(['user.task', 'llm.test.complete', 'user.task', 'mcp.callTool']);
  });

  it('lists tools before anything else started in the same turn when replaying a run recorded before the change', async () => {
    expect(await listingTurn(true)).toEqual(['mcp.listTools', 'user.task', 'llm.test.complete', 'mcp.callTool']);
  });
});
