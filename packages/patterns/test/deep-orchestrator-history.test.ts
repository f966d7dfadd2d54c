// A 100-step plan on a real Temporal dev server: with each step in a child workflow, the parent's
// history stays far below Temporal's limits (50,000 events, 50 MB, and 2 MB per payload), and so
// does every child's. Prints the sizes of both ways of running it.
import { createLogger } from '@mcp-agent/core';
import { parseSettings } from '@mcp-agent/core/config';
import { createExecutorWithServices } from '@mcp-agent/core/engine';
import { createTemporalEngine, type TemporalExecutor } from '@mcp-agent/executor-temporal';
import { llmProvider } from '@mcp-agent/providers-openai';
import { startLocalLlmServer, type LocalLlmServer, type RecordedLlmRequest } from '@mcp-agent/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { KNOWLEDGE_EXTRACTOR_INSTRUCTION, PLANNER_INSTRUCTION, SYNTHESIZER_INSTRUCTION, VERIFIER_INSTRUCTION } from '../src/deep-orchestrator-prompts.js';
import { app, LongPlanWorkflow, WORKER_INSTRUCTION } from './history-workflows.js';

const STEPS = 100;
const taskQueue = `deep-history-${process.pid}`;

function systemOf(request: RecordedLlmRequest): string {
  const messages = (request.body.messages ?? []) as Array<{ role: string; content: unknown }>;
  return String(messages.find((message) => message.role === 'system')?.content ?? '');
}

/** A planner that plans STEPS one-task steps; each worker answers in a line; each extraction keeps one fact. */
function reply(request: RecordedLlmRequest): { text: string } {
  const system = systemOf(request);
  const json = (value: unknown) => ({ text: JSON.stringify(value) });
  if (system === PLANNER_INSTRUCTION) {
    const steps = Array.from({ length: STEPS }, (_, index) => ({
      description: `Step ${index + 1}`,
      tasks: [{ name: `task_${index + 1}`, description: `Count to ${index + 1}`, agent: 'worker', dependsOn: [], requiredKnowledge: [] }],
    }));
    return json({ reasoning: 'one small task per step', isComplete: false, steps });
  }
  if (system === WORKER_INSTRUCTION) return { text: `Counted: ${/Count to (\d+)/.exec(request.lastUserMessage ?? '')?.[1] ?? '?'}` };
  if (system === KNOWLEDGE_EXTRACTOR_INSTRUCTION) {
    const step = /task_(\d+)/.exec(request.lastUserMessage ?? '')?.[1] ?? '0';
    return json({ facts: [{ key: `count_${step}`, value: step, confidence: 1 }] });
  }
  if (system === VERIFIER_INSTRUCTION) return json({ isComplete: true, confidence: 1, reasoning: 'every step is done', missing: [] });
  if (system === SYNTHESIZER_INSTRUCTION) return { text: `All ${STEPS} steps are done.` };
  return { text: 'unexpected request' };
}

interface HistorySize {
  events: number;
  bytes: number;
  largestPayloadBytes: number;
}

describe(`a ${STEPS}-step deep orchestrator on Temporal`, { timeout: 300_000 }, () => {
  let model: LocalLlmServer;
  let temporal: TemporalExecutor;

  beforeAll(async () => {
    model = await startLocalLlmServer({ script: { rules: [{ match: () => true, reply }] } });
    temporal = (await createExecutorWithServices(
      createTemporalEngine({ address: inject('temporalAddress'), worker: { workflowsPath: new URL('./history-workflows.ts', import.meta.url), taskQueue } }),
      {
        appName: app.name,
        registry: app.registry,
        logger: createLogger({ transports: ['none'] }),
        llmProviders: [llmProvider],
        settings: parseSettings(
          { execution_engine: 'temporal', temporal: { task_queue: taskQueue }, openai: { api_key: 'sk-local-test', base_url: model.openaiBaseUrl, default_model: 'gpt-4o-mini' } },
          'test settings',
        ),
      },
    )) as TemporalExecutor;
  });

  afterAll(async () => {
    await temporal?.close();
    await model?.close();
  });

  /** The size of a run's history: events, bytes as the server stores them, and its largest payload. */
  async function sizeOf(workflowId: string, runId?: string): Promise<HistorySize> {
    const response = await temporal.client.workflowService.getWorkflowExecutionHistory({
      namespace: 'default',
      execution: { workflowId, ...(runId === undefined ? {} : { runId }) },
      maximumPageSize: 100_000,
    });
    const events = response.history?.events ?? [];
    const raw =
      response.history === null || response.history === undefined
        ? 0
        : (response.history.constructor as unknown as { encode(message: unknown): { finish(): Uint8Array } }).encode(response.history).finish().byteLength;
    let largestPayloadBytes = 0;
    const visit = (value: unknown): void => {
      if (typeof value !== 'object' || value === null) return;
      const data = (value as { data?: unknown }).data;
      if (data instanceof Uint8Array && 'metadata' in (value as object)) largestPayloadBytes = Math.max(largestPayloadBytes, data.byteLength);
      for (const child of Object.values(value as object)) visit(child);
    };
    visit(events);
    return { events: events.length, bytes: raw, largestPayloadBytes };
  }

  async function runLong(childWorkflows: boolean) {
    const before = model.requests.length;
    const handle = await temporal.startWorkflow(LongPlanWorkflow, { objective: `Count in ${STEPS} steps`, steps: STEPS, childWorkflows });
    const { value } = await handle.result();
    return { value, requests: model.requests.length - before, parent: await sizeOf(handle.workflowId), workflowId: handle.workflowId };
  }

  it('runs every step, each in a child workflow, keeping the parent’s and every child’s history small', async () => {
    const { value, requests, parent, workflowId } = await runLong(true);
    expect(value).toMatchObject({ stopReason: 'completed', steps: STEPS, text: `All ${STEPS} steps are done.` });
    // planner + (worker + extractor) per step + verifier + synthesizer; the workers' usage comes back from the children.
    expect(requests).toBe(1 + 2 * STEPS + 2);
    expect(value?.calls).toBe(requests);
    // Visibility is eventually consistent: wait until it lists every child of this run.
    let mine: Awaited<ReturnType<typeof temporal.listWorkflows>> = [];
    for (let attempt = 0; attempt < 50 && mine.length < STEPS; attempt += 1) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 200));
      mine = (await temporal.listWorkflows({ query: `WorkflowType = 'DeepOrchestratorStep' AND ExecutionStatus = 'Completed'`, limit: 1_000 })).filter(
        (child) => child.parentWorkflowId === workflowId,
      );
    }
    expect(mine).toHaveLength(STEPS);
    const childSizes = await Promise.all(mine.slice(0, 5).map((child) => sizeOf(child.workflowId, child.runId)));
    const largestChild = Math.max(...childSizes.map((size) => size.bytes));
    console.log(
      `deep orchestrator, ${STEPS} steps in child workflows: parent history ${parent.events} events, ${parent.bytes} bytes (${Math.round(parent.bytes / STEPS)} bytes per step), largest payload ${parent.largestPayloadBytes} bytes; a child's history ${childSizes[0]?.events} events, at most ${largestChild} bytes`,
    );
    expect(parent.events).toBeLessThan(5_000);
    expect(parent.bytes).toBeLessThan(2_000_000);
    expect(parent.largestPayloadBytes).toBeLessThan(200_000);
    expect(largestChild).toBeLessThan(50_000);
  });

  it('runs the same plan inline, for comparison: every model call in the one history', async () => {
    const { value, requests, parent } = await runLong(false);
    expect(value).toMatchObject({ stopReason: 'completed', steps: STEPS });
    expect(requests).toBe(1 + 2 * STEPS + 2);
    console.log(
      `deep orchestrator, ${STEPS} steps inline: history ${parent.events} events, ${parent.bytes} bytes (${Math.round(parent.bytes / STEPS)} bytes per step), largest payload ${parent.largestPayloadBytes} bytes`,
    );
    expect(parent.events).toBeLessThan(50_000);
  });
});
