// Replay: a history recorded on the dev server with the first version of a workflow replays
// against a change that inserts a step (refused, as it would break running workflows) and against
// the same change behind patched() (accepted).
import { createLogger, parseSettings } from '@mcp-agent/core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTemporalEngine, fetchWorkflowHistory, ReplayFailedError, replayWorkflowHistories, type TemporalExecutor, type WorkflowHistory } from '../src/index.js';
import { replayApp as changedApp } from './fixtures/replay/v2-changed.js';
import { replayApp as patchedApp } from './fixtures/replay/v2-patched.js';
import { replayApp as firstApp, ReplayWorkflow } from './fixtures/replay/v1.js';

const settings = parseSettings({ execution_engine: 'temporal' }, 'replay');
const logger = createLogger({ transports: ['none'] });
const parts = (app: typeof firstApp) => ({ registry: app.registry, settings, logger, mcp: undefined, llmProviders: [] });

describe('replay against new code', { timeout: 120_000 }, () => {
  let executor: TemporalExecutor;
  let history: WorkflowHistory;
  const workflowId = `replay-${Date.now()}`;

  beforeAll(async () => {
    executor = (await createTemporalEngine({
      address: inject('temporalAddress'),
      worker: { workflowsPath: new URL('./fixtures/replay/v1.ts', import.meta.url), taskQueue: `replay-${process.pid}` },
    }).createExecutor({ appName: firstApp.name, registry: firstApp.registry, settings, logger, llmProviders: [] })) as TemporalExecutor;
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
});
