// The pipeline on the in-process engine and on a Temporal dev server: the same report on both,
// and each step a child workflow of its own (on Temporal: an execution the server lists by parent).
import { createLogger, WorkflowFailedError, WorkflowNotFoundError, type Executor } from '@mcp-agent/core';
import { loadSettings, type Settings } from '@mcp-agent/core/config';
import { createAsyncioEngine } from '@mcp-agent/executor-asyncio';
import { createTemporalEngine } from '@mcp-agent/executor-temporal';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it, vi } from 'vitest';
import { DataPipelineWorkflowClient } from '../src/generated/clients.js';
import { warehouse } from '../src/warehouse.js';
import { app, type PipelineInput, type PipelineReport } from '../src/workflows.js';

const logger = createLogger({ transports: ['none'] });
// The app's own config (its retry policies), with the engine chosen here.
const configured = loadSettings({ configPath: new URL('../mcp_agent.config.yaml', import.meta.url).pathname }).settings;
const settingsFor = (engine: 'asyncio' | 'temporal'): Settings => ({
  ...configured,
  execution_engine: engine,
  temporal: { ...configured.temporal!, task_queue: `pipeline-${process.pid}` },
});

const CSV = [
  'id,name,email,country,lifetime_value',
  'c-001,Ada Lovelace,ADA@example.com,gb,1250.50',
  'c-002,Grace Hopper,grace@example.com,US,980',
  'c-003,Alan Turing,alan.example.com,GB,400',
  'c-004,Katherine Johnson,katherine@example.com',
  'c-005,Edsger Dijkstra,edsger@example.nl,nl,310.25',
  'c-002,Grace Hopper,grace.hopper@example.com,US,1015',
  '',
].join('\n');

describe('the data pipeline', { timeout: 60_000 }, () => {
  const engines: Array<{ name: string; executor: Executor }> = [];
  const runId = `${process.pid}-${Date.now()}`;

  beforeAll(async () => {
    const inProcess = await createAsyncioEngine().createExecutor({ appName: app.name, registry: app.registry, settings: settingsFor('asyncio'), logger });
    const temporal = await createTemporalEngine({
      address: inject('temporalAddress'),
      worker: { workflowsPath: new URL('../src/workflows.ts', import.meta.url), taskQueue: `pipeline-${process.pid}` },
    }).createExecutor({ appName: app.name, registry: app.registry, settings: settingsFor('temporal'), logger });
    engines.push({ name: 'in-process', executor: inProcess }, { name: 'temporal', executor: temporal });
  });

  afterAll(async () => {
    await Promise.all(engines.map(({ executor }) => executor.close()));
  });

  beforeEach(() => warehouse.clear());

  it('runs extraction, transformation and loading as child workflows and composes one report, the same on both engines', async () => {
    const input: PipelineInput = { source: 'crm-export.csv', csv: CSV, table: 'customers', batchSize: 2 };
    const workflowId = `pipeline-${runId}`;
    const reports: PipelineReport[] = [];
    const tables: unknown[] = [];
    for (const { name, executor } of engines) {
      warehouse.clear();
      const result = await DataPipelineWorkflowClient.execute(executor, input, { workflowId });
      expect(result.error, name).toBeUndefined();
      reports.push(result.value!);
      tables.push(warehouse.rows('customers'));

      // Each step ran as its own workflow execution, a child of the pipeline, and completed.
      for (const step of result.value!.steps) {
        const child = await executor.describeWorkflow(step.workflowId);
        expect(child, `${name}: ${step.step}`).toMatchObject({ workflowName: step.workflowName, status: 'COMPLETED', parentWorkflowId: workflowId });
      }
    }

    const [inProcess, temporal] = reports;
    expect(temporal).toEqual(inProcess);
    expect(tables[1]).toEqual(tables[0]);
    expect(inProcess).toEqual({
      source: 'crm-export.csv',
      table: 'customers',
      extracted: 5,
      rejected: [{ line: 5, reason: 'expected 5 fields, got 3' }],
      transformed: 3,
      dropped: [{ line: 4, reason: 'invalid email "alan.example.com"' }],
      duplicates: 1,
      loaded: 3,
      batches: 2,
      steps: [
        { step: 'extract', workflowName: 'DataExtractionWorkflow', workflowId: `${workflowId}-extract` },
        { step: 'transform', workflowName: 'DataTransformationWorkflow', workflowId: `${workflowId}-transform` },
        { step: 'load', workflowName: 'DataLoadingWorkflow', workflowId: `${workflowId}-load` },
      ],
    });
    // What the load child wrote: normalised, the later c-002 line winning.
    expect(tables[0]).toEqual([
      { id: 'c-001', name: 'Ada Lovelace', email: 'ada@example.com', country: 'GB', lifetimeValueCents: 125050 },
      { id: 'c-002', name: 'Grace Hopper', email: 'grace.hopper@example.com', country: 'US', lifetimeValueCents: 101500 },
      { id: 'c-005', name: 'Edsger Dijkstra', email: 'edsger@example.nl', country: 'NL', lifetimeValueCents: 31025 },
    ]);

    // The Temporal server itself lists the three children under the pipeline (visibility is eventually consistent).
    const temporalExecutor = engines[1]!.executor;
    await vi.waitFor(
      async () => {
        const children = await temporalExecutor.listWorkflows({ query: `ParentWorkflowId = "${workflowId}"` });
        expect(children.map((child) => child.workflowName).sort()).toEqual(['DataExtractionWorkflow', 'DataLoadingWorkflow', 'DataTransformationWorkflow']);
        expect(children.every((child) => child.status === 'COMPLETED')).toBe(true);
      },
      { timeout: 15_000, interval: 250 },
    );
  });

  it('reports the step whose child failed, and starts no later step, on both engines', async () => {
    const input: PipelineInput = { source: 'broken.csv', csv: 'id,name,mail\nc-1,Ada,ada@example.com\n', table: 'customers' };
    const workflowId = `pipeline-broken-${runId}`;
    const results = [];
    for (const { name, executor } of engines) {
      const result = await DataPipelineWorkflowClient.execute(executor, input, { workflowId });
      expect(result.value?.failedStep, name).toBe('extract');
      expect(result.error, name).toContain('pipeline stopped at the extract step');
      expect(result.error, name).toContain('source "broken.csv" lacks the columns email, country, lifetime_value');
      expect((await executor.describeWorkflow(`${workflowId}-extract`)).status, name).toBe('FAILED');
      await expect(executor.describeWorkflow(`${workflowId}-transform`), name).rejects.toSatisfy(WorkflowNotFoundError.is);
      results.push({ value: result.value, error: result.error });
    }
    expect(results[1]).toEqual(results[0]);
    expect(warehouse.rows('customers')).toEqual([]);
  });

  it('fails a run with invalid input with a clear, non-retryable error', async () => {
    for (const { name, executor } of engines) {
      const handle = await DataPipelineWorkflowClient.start(executor, { source: '', csv: 'x', table: 'Customers!' }, { workflowId: `pipeline-invalid-${runId}` });
      const error = await handle.result().then(
        () => undefined,
        (failure: unknown) => failure,
      );
      expect(WorkflowFailedError.is(error), name).toBe(true);
      expect((error as Error).message, name).toContain('invalid pipeline input: source must be a non-empty string; table must be a lower-case identifier');
      expect((await handle.describe()).status, name).toBe('FAILED');
    }
  });
});
