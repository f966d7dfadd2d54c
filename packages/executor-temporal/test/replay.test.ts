// Replay: a history recorded on the dev server with the first version of a workflow replays
// against a change that inserts a step (refused, as it would break running workflows) and against
// the same change behind patched() (accepted).
import { createLogger } from '@mcp-agent/core';
import { parseSettings } from '@mcp-agent/core/config';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { MCPApp } from '@mcp-agent/core';
import {
  createTemporalEngine,
  fetchWorkflowHistory,
  ReplayFailedError,
  replayWorkflowHistories,
  UnknownWorkflowTypeError,
  type TemporalExecutor,
  type WorkflowHistory,
} from '../src/index.js';
import { replayApp as changedApp } from './fixtures/replay/v2-changed.js';
import { replayApp as patchedApp } from './fixtures/replay/v2-patched.js';
import { replayApp as firstApp, ReplayWorkflow } from './fixtures/replay/v1.js';

const settings = parseSettings({ execution_engine: 'temporal' }, 'replay');
const logger = createLogger({ transports: ['none'] });
const parts = (app: typeof firstApp) => ({ registry: app.registry, settings, logger });

describe('replay against new code', { timeout: 120_000 }, () => {
  let executor: TemporalExecutor;
  let history: WorkflowHistory;
  const workflowId = `replay-${Date.now()}`;

  beforeAll(async () => {
    executor = (await createTemporalEngine({
      address: inject('temporalAddress'),
      worker: { workflowsPath: new URL('./fixtures/replay/v1.ts', import.meta.url), taskQueue: `replay-${process.pid}` },
    }).createExecutor({ appName: firstApp.name, registry: firstApp.registry, settings, logger })) as TemporalExecutor;
    expect((await executor.executeWorkflow(ReplayWorkflow, undefined, { workflowId })).value).toEqual(['step a']);
    history = await fetchWorkflowHistory(executor.client, workflowId);
  });

  afterAll(async () => {
    await executor?.close();
  });

  it('replays the history against the code that made it', async () => {
    await replayWorkflowHistories(parts(firstApp), { workflowsPath: new URL('./fixtures/replay/v1.ts', import.meta.url) }, [{ workflowId, history }]);
  });

  it('refuses a change that inserts a step, naming the workflow and the fix', async () => {
    const error = await replayWorkflowHistories(parts(changedApp), { workflowsPath: new URL('./fixtures/replay/v2-changed.ts', import.meta.url) }, [{ workflowId, history }]).catch(
      (caught: unknown) => caught,
    );
    expect(ReplayFailedError.is(error)).toBe(true);
    expect((error as Error).message).toContain(`replaying workflow ${workflowId} against the current code failed`);
    expect((error as Error).message).toContain('this.patched("change-id")');
    expect((error as Error).message).toMatch(/nondetermin/i);
  });

  it('accepts the same change behind patched()', async () => {
    await replayWorkflowHistories(parts(patchedApp), { workflowsPath: new URL('./fixtures/replay/v2-patched.ts', import.meta.url) }, [{ workflowId, history }]);
  });

  it('says clearly when the history is of a workflow type the code no longer defines', async () => {
    // The JSON form a saved history has (readWorkflowHistory reads it).
    const renamed = JSON.parse(historyToJSON(history as Parameters<typeof historyToJSON>[0])) as {
      events: Array<{ workflowExecutionStartedEventAttributes?: { workflowType?: { name?: string } } }>;
    };
    const started = renamed.events[0]?.workflowExecutionStartedEventAttributes?.workflowType;
    if (started !== undefined) started.name = 'RetiredWorkflow';
    // Known from the registry before bundling...
    const error = await replayWorkflowHistories(parts(firstApp), { workflowsPath: new URL('./fixtures/replay/v1.ts', import.meta.url) }, [{ workflowId, history: renamed }]).catch(
      (caught: unknown) => caught,
    );
    expect(UnknownWorkflowTypeError.is(error)).toBe(true);
    expect((error as Error).message).toContain('its history is of workflow type "RetiredWorkflow", which the current code does not define (it defines: ReplayWorkflow)');
    // ...and from the bundle when the registry given is empty.
    const emptyParts = { ...parts(firstApp), registry: new MCPApp({ name: 'empty' }).registry };
    const fromBundle = await replayWorkflowHistories(emptyParts, { workflowsPath: new URL('./fixtures/replay/v1.ts', import.meta.url) }, [{ workflowId, history: renamed }]).catch(
      (caught: unknown) => caught,
    );
    expect(UnknownWorkflowTypeError.is(fromBundle)).toBe(true);
    expect((fromBundle as Error).message).toContain('"RetiredWorkflow"');
    expect((fromBundle as Error).message).toContain('it defines: ReplayWorkflow');
  });
});
