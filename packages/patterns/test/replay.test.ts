// Replay: the histories recorded from the conformance suite's Temporal runs (test/histories/*.json,
// one per pattern scenario) replay against the current workflow code and patterns, so a change
// that would break workflows already running fails here, with no server. When a change is meant
// to alter what the patterns do, re-record the histories (see conformance.test.ts):
//   cd packages/patterns && UPDATE_HISTORIES=1 npx vitest run test/conformance.test.ts
import { readdirSync } from 'node:fs';
import { createLogger } from '@mcp-agent/core';
import { parseSettings } from '@mcp-agent/core/config';
import {
  bundleWorkflowsForParts,
  readWorkflowHistory,
  ReplayFailedError,
  replayWorkflowHistories,
  type TemporalWorkerParts,
  type WorkflowHistory,
  workflowTypeOf,
} from '@mcp-agent/executor-temporal';
import { beforeAll, describe, expect, it } from 'vitest';
import { app, CONFORMANCE_WORKFLOWS } from './conformance-workflows.js';

const directory = new URL('./histories/', import.meta.url);
const fixtures = readdirSync(directory)
  .filter((file) => file.endsWith('.json'))
  .sort();
const historyOf = (fixture: string): WorkflowHistory => readWorkflowHistory(new URL(fixture, directory).pathname);

const parts: TemporalWorkerParts = {
  registry: app.registry,
  settings: parseSettings({ execution_engine: 'temporal', openai: { default_model: 'gpt-4o-mini' } }, 'replay settings'),
  logger: createLogger({ transports: ['none'] }),
};

type Events = {
  events: Array<{
    eventType?: string;
    workflowExecutionStartedEventAttributes?: { workflowId?: string };
    activityTaskScheduledEventAttributes?: { activityType?: { name?: string } };
  }>;
};

/** The id the recorded run had: replay must use it, as ids derived from it (child workflows') are in the history. */
function workflowIdOf(fixture: string): string {
  return (historyOf(fixture) as Events).events[0]?.workflowExecutionStartedEventAttributes?.workflowId ?? fixture.replace(/\.json$/, '');
}

describe('the recorded pattern histories replay against the current code', { timeout: 120_000 }, () => {
  let bundle: { code: string };

  beforeAll(async () => {
    // One bundle for every replay.
    bundle = await bundleWorkflowsForParts(parts, { workflowsPath: new URL('./conformance-workflows.ts', import.meta.url) });
  });

  it('has a completed run of every workflow of the suite, with its model calls as activities', () => {
    const types = new Set(fixtures.map((fixture) => workflowTypeOf(historyOf(fixture))));
    expect([...types].sort()).toEqual(Object.keys(CONFORMANCE_WORKFLOWS).sort());
    for (const fixture of fixtures) {
      const { events } = historyOf(fixture) as Events;
      expect(events.at(-1)?.eventType, fixture).toBe('EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED');
      const activities = events.flatMap((event) => event.activityTaskScheduledEventAttributes?.activityType?.name ?? []);
      expect(activities.length, fixture).toBeGreaterThan(0);
      expect(new Set(activities), fixture).toSatisfy((names: Set<string>) => [...names].every((name) => name === 'llm.openai.complete' || name === 'embedding.openai.embed'));
    }
  });

  it.each(fixtures)('%s', async (fixture) => {
    await replayWorkflowHistories(parts, { workflowBundle: bundle }, [{ workflowId: workflowIdOf(fixture), history: historyOf(fixture) }]);
  });

  it('fails, naming the run, when the code would make other calls than the history recorded', async () => {
    // The recorded router asked an Anthropic model first; the code asks OpenAI's.
    const history = structuredClone(historyOf('router-llm.json')) as Events;
    const scheduled = history.events.find((event) => event.activityTaskScheduledEventAttributes?.activityType !== undefined);
    (scheduled?.activityTaskScheduledEventAttributes?.activityType as { name: string }).name = 'llm.anthropic.complete';
    const error = await replayWorkflowHistories(parts, { workflowBundle: bundle }, [{ workflowId: 'router-llm-changed', history }]).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(ReplayFailedError.is(error)).toBe(true);
    expect((error as Error).message).toContain('replaying workflow router-llm-changed against the current code failed');
    expect((error as Error).message).toMatch(/llm\.anthropic\.complete/);
  });
});
