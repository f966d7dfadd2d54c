// The order of the tasks a workflow starts in one turn, on the dev server. A new run schedules
// them in the order the workflow started them, behind the change marker `mcp-agent.schedule-on-call`;
// a history recorded before that change (test/fixtures/replay/schedule-order-before.json) keeps
// its order and replays against the current code.
import { fileURLToPath } from 'node:url';
import { createLogger, type AppServices } from '@mcp-agent/core';
import { parseSettings } from '@mcp-agent/core/config';
import { createAppServices } from '@mcp-agent/core/engine';
import { llmProvider } from '@mcp-agent/providers-openai';
import { mcpTestServerStdioCommand, startLocalLlmServer, type LocalLlmServer } from '@mcp-agent/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  createTemporalEngine,
  fetchWorkflowHistory,
  readWorkflowHistory,
  replayWorkflowHistories,
  saveWorkflowHistory,
  type TemporalExecutor,
  type WorkflowHistory,
} from '../src/index.js';
import { ScheduleOrderWorkflow, scheduleOrderApp } from './fixtures/schedule-order-workflows.js';

const WORKFLOWS = new URL('./fixtures/schedule-order-workflows.ts', import.meta.url);
const BEFORE = fileURLToPath(new URL('./fixtures/replay/schedule-order-before.json', import.meta.url));
const EXPECTED = { first: ['one', 'answer to first question', 'task local', 'task direct'], second: ['answer to second question', 'two', 'task second'] };

/** The events of a history, as far as these checks read them. */
type HistoryEvents = {
  events?: Array<{
    activityTaskScheduledEventAttributes?: { activityType?: { name?: string | null } | null } | null;
    markerRecordedEventAttributes?: { details?: Record<string, { payloads?: Array<{ data?: unknown }> | null }> | null } | null;
  }> | null;
};

/** The activity types in the order the run scheduled them. */
function scheduledOrder(history: WorkflowHistory): string[] {
  return ((history as HistoryEvents).events ?? []).flatMap((event) => {
    const name = event.activityTaskScheduledEventAttributes?.activityType?.name;
    return name === undefined || name === null ? [] : [name];
  });
}

/** The patch ids of the run's change markers (in a fetched history, or one read from JSON, where payload data is base64). */
function patchMarkers(history: WorkflowHistory): string[] {
  return ((history as HistoryEvents).events ?? []).flatMap((event) => {
    const data: unknown = event.markerRecordedEventAttributes?.details?.['patch-data']?.payloads?.[0]?.data;
    if (data === undefined || data === null) return [];
    const bytes = typeof data === 'string' ? Buffer.from(data, 'base64') : Buffer.from(data as Uint8Array);
    return [(JSON.parse(bytes.toString('utf8')) as { id: string }).id];
  });
}

describe('the order of tasks a workflow starts in one turn', { timeout: 60_000 }, () => {
  let llm: LocalLlmServer;
  let executor: TemporalExecutor;
  let services: AppServices;
  const settings = () =>
    parseSettings(
      {
        execution_engine: 'temporal',
        openai: { api_key: 'sk-test', base_url: llm.openaiBaseUrl, default_model: 'gpt-4o-mini' },
        mcp: { servers: { test: { transport: 'stdio', ...mcpTestServerStdioCommand() } } },
      },
      'schedule-order',
    );
  const logger = createLogger({ transports: ['none'] });
  const parts = () => ({ registry: scheduleOrderApp.registry, settings: settings(), logger });

  beforeAll(async () => {
    llm = await startLocalLlmServer({ script: { rules: [{ match: () => true, reply: (request) => ({ text: `answer to ${request.lastUserMessage}` }) }] } });
    services = await createAppServices({ registry: scheduleOrderApp.registry, settings: settings(), logger, llmProviders: [llmProvider] });
    executor = (await createTemporalEngine({
      address: inject('temporalAddress'),
      worker: { workflowsPath: WORKFLOWS, taskQueue: `schedule-order-${process.pid}` },
    }).createExecutor({ appName: scheduleOrderApp.name, registry: scheduleOrderApp.registry, settings: settings(), logger, tasks: services.tasks })) as TemporalExecutor;
  });

  afterAll(async () => {
    await executor?.close();
    await services?.close();
    await llm?.close();
  });

  it('a new run schedules them in the order they were started, behind the change marker, and replays', async () => {
    const workflowId = `schedule-order-${Date.now()}`;
    const result = await executor.executeWorkflow(ScheduleOrderWorkflow, undefined, { workflowId });
    expect(result.value).toEqual(EXPECTED);
    if (process.env.SCHEDULE_ORDER_RECORD === '1') await saveWorkflowHistory(executor.client, workflowId, BEFORE);
    const history = await fetchWorkflowHistory(executor.client, workflowId);
    expect(patchMarkers(history)).toContain('mcp-agent.schedule-on-call');
    expect(scheduledOrder(history)).toEqual([
      'mcp.listTools',
      // Turn one: as started.
      'mcp.callTool',
      'llm.openai.complete',
      'order.task',
      'order.task',
      // Turn two: the late agent lists its tools first, as its call started.
      'llm.openai.complete',
      'mcp.listTools',
      'order.task',
      'mcp.callTool',
    ]);
    await replayWorkflowHistories(parts(), { workflowsPath: WORKFLOWS }, [{ workflowId, history }]);
  });

  it('a history recorded before the change keeps its order and replays against the current code', async () => {
    const history = readWorkflowHistory(BEFORE);
    expect(patchMarkers(history)).toEqual(['mcp-agent.run-usage']);
    expect(scheduledOrder(history)).toEqual([
      'mcp.listTools',
      'order.task',
      'llm.openai.complete',
      'order.task',
      'mcp.callTool',
      'mcp.listTools',
      'order.task',
      'llm.openai.complete',
      'mcp.callTool',
    ]);
    await replayWorkflowHistories(parts(), { workflowsPath: WORKFLOWS }, [{ workflowId: 'schedule-order-before', history }]);
  });
});
