// The guide's monitoring workflow (30 days of hourly checks by an agent) on the time-skipping
// test server: 720 durable one-hour sleeps and 720 model round trips finish in seconds.
import { createLogger, type AppServices } from '@mcp-agent/core';
import { parseSettings } from '@mcp-agent/core/config';
import { llmProvider } from '@mcp-agent/providers-openai';
import { startLocalLlmServer, type LocalLlmServer } from '@mcp-agent/testing';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createAppServices } from '@mcp-agent/core/engine';
import { createTemporalEngine, type TemporalExecutor } from '../src/index.js';
import { MonitoringWorkflow, proofApp } from './fixtures/proof-workflows.js';

describe('time skipping', { timeout: 180_000 }, () => {
  let environment: TestWorkflowEnvironment;
  let llm: LocalLlmServer;
  let executor: TemporalExecutor;
  let services: AppServices | undefined;

  beforeAll(async () => {
    environment = await TestWorkflowEnvironment.createTimeSkipping({
      server: { executable: { type: 'existing-path', path: inject('temporalTestServerPath') } },
    });
    llm = await startLocalLlmServer({
      script: {
        rules: [
          { match: (request) => (request.lastUserMessage ?? '').includes('(day 7, hour 13)'), reply: { text: 'CRITICAL: database disk 98% full' } },
          { match: () => true, reply: { text: 'all systems nominal' } },
        ],
      },
    });
    const settings = parseSettings(
      {
        execution_engine: 'temporal',
        temporal: { task_queue: `monitoring-${process.pid}` },
        openai: { api_key: 'sk-local-test', base_url: llm.openaiBaseUrl, default_model: 'gpt-4o-mini' },
      },
      'time-skipping settings',
    );
    const logger = createLogger({ transports: ['none'] });
    services = await createAppServices({ registry: proofApp.registry, settings: settings, logger, llmProviders: [llmProvider] });
    executor = (await createTemporalEngine({
      client: environment.client,
      worker: { workflowsPath: new URL('./fixtures/proof-workflows.ts', import.meta.url), connection: environment.nativeConnection },
    }).createExecutor({
      appName: proofApp.name,
      registry: proofApp.registry,
      settings,
      logger,
      tasks: services.tasks,
    })) as TemporalExecutor;
  });

  afterAll(async () => {
    await executor?.close();
    await services?.close();
    await llm?.close();
    await environment?.teardown();
  });

  it('runs 30 days of hourly checks, alerting on "critical", in seconds of real time', async () => {
    const started = Date.now();
    const handle = await executor.startWorkflow(MonitoringWorkflow, { systems: ['api', 'database'], days: 30 }, { workflowId: `monitoring-${Date.now()}` });
    const result = await handle.result();
    const seconds = (Date.now() - started) / 1000;
    expect(result.value?.checks).toHaveLength(720);
    expect(result.value?.checks[0]).toEqual({ day: 0, hour: 0, status: 'all systems nominal' });
    expect(result.value?.checks[7 * 24 + 13]).toEqual({ day: 7, hour: 13, status: 'CRITICAL: database disk 98% full' });
    expect(result.value?.alerts).toBe(1);
    expect(llm.requests).toHaveLength(720);
    // Workflow time moved 30 days; real time, seconds.
    expect((result.value && result.endTime && result.startTime ? result.endTime - result.startTime : 0) / 86_400_000).toBeGreaterThanOrEqual(30);
    console.log(`monitoring: 720 hourly checks over 30 workflow days in ${seconds.toFixed(1)} s of real time`);
  });
});
