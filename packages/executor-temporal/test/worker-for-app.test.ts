// createTemporalWorkerForApp as an app uses it: settings from config (here, the environment),
// the app's tasks including those of workflow_task_modules, the worker and the app's executor.
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createTemporalWorkerForApp } from '../src/index.js';
import { reportApp, ReportWorkflow } from './fixtures/report-app.js';

describe('createTemporalWorkerForApp', { timeout: 120_000 }, () => {
  const overrides = {
    EXECUTION_ENGINE: 'temporal',
    TEMPORAL__HOST: inject('temporalAddress'),
    TEMPORAL__TASK_QUEUE: `reports-${process.pid}`,
    WORKFLOW_TASK_MODULES: JSON.stringify([fileURLToPath(new URL('./fixtures/report-tasks.ts', import.meta.url))]),
    LOGGER__LEVEL: 'error',
  };
  const previous = Object.fromEntries(Object.keys(overrides).map((key) => [key, process.env[key]]));
  Object.assign(process.env, overrides);

  afterAll(async () => {
    await reportApp.cleanup();
    for (const [key, value] of Object.entries(previous)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  });

  it('runs the app’s workflows with a task from workflow_task_modules, on the configured task queue', async () => {
    const worker = await createTemporalWorkerForApp(reportApp, { workflowsPath: new URL('./fixtures/report-app.ts', import.meta.url) });
    expect(reportApp.config.temporal?.task_queue).toBe(overrides.TEMPORAL__TASK_QUEUE);
    expect(reportApp.registry.tasks.has('reports.render')).toBe(true);
    const result = await worker.runUntil(reportApp.executor.executeWorkflow(ReportWorkflow, 'Q3'));
    expect(result.value).toMatch(/^report for Q3, rendered by a task module of \d+ lines$/);
    expect(reportApp.executor.engine).toBe('temporal');
  });
});
