// Runs carry memo and search attributes for the Web UI and `temporal workflow list --query`: the
// workflow name from the start, the tokens of the run's model round trips (to the local LLM
// server) from its end. With temporal.search_attributes on, a namespace without the attributes is
// refused by the client and the worker before anything starts.
import { ConfigError, createLogger, type AppServices } from '@mcp-agent/core';
import { parseSettings } from '@mcp-agent/core/config';
import { createAppServices } from '@mcp-agent/core/engine';
import { llmProvider } from '@mcp-agent/providers-openai';
import { mcpTestServerStdioCommand, startLocalLlmServer, type LocalLlmServer } from '@mcp-agent/testing';
import { msToTs } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { createTemporalEngine, createTemporalWorker, type TemporalExecutor } from '../src/index.js';
import { DurableAgentWorkflow, proofApp } from './fixtures/proof-workflows.js';

const USAGE = { inputTokens: 120, outputTokens: 8 };

describe('memo and search attributes of runs', { timeout: 120_000 }, () => {
  const logger = createLogger({ transports: ['none'] });
  let llm: LocalLlmServer;
  let services: AppServices | undefined;
  let executor: TemporalExecutor | undefined;

  const settingsWith = (temporal: Record<string, unknown>) => {
    const server = mcpTestServerStdioCommand();
    return parseSettings(
      {
        execution_engine: 'temporal',
        temporal,
        openai: { api_key: 'sk-local', base_url: llm.openaiBaseUrl, default_model: 'gpt-4o-mini' },
        mcp: { servers: { test: { transport: 'stdio', command: server.command, args: server.args } } },
      },
      'run-metadata',
    );
  };

  beforeAll(async () => {
    llm = await startLocalLlmServer({ script: { rules: [{ match: () => true, reply: (request) => ({ text: `noted ${request.lastUserMessage}`, usage: USAGE }) }] } });
  });

  afterAll(async () => {
    await executor?.close();
    await services?.close();
    await llm?.close();
  });

  it('records the workflow name at start and the token totals and agent names at the end, found by a list query', async () => {
    const settings = settingsWith({ search_attributes: true });
    services = await createAppServices({ registry: proofApp.registry, settings, logger, llmProviders: [llmProvider] });
    executor = (await createTemporalEngine({
      address: inject('temporalAddress'),
      worker: { workflowsPath: new URL('./fixtures/proof-workflows.ts', import.meta.url), taskQueue: `run-metadata-${process.pid}` },
    }).createExecutor({ appName: proofApp.name, registry: proofApp.registry, settings, logger, tasks: services.tasks })) as TemporalExecutor;

    const workflowId = `run-metadata-${Date.now()}`;
    const result = await executor.executeWorkflow(DurableAgentWorkflow, { topic: 'memo', steps: 2 }, { workflowId, memo: { team: 'research' } });
    expect(result.value?.answers).toHaveLength(2);

    const description = await executor.client.workflow.getHandle(workflowId).describe();
    const memo = await description.memo;
    expect(memo).toMatchObject({ team: 'research', 'mcp_agent.workflow': 'DurableAgentWorkflow', 'mcp_agent.agents': ['analyst'] });
    const usage = memo?.['mcp_agent.usage'] as { llmCalls: number; inputTokens: number; outputTokens: number; totalTokens: number };
    expect(usage).toMatchObject({ llmCalls: 2, inputTokens: 2 * USAGE.inputTokens, outputTokens: 2 * USAGE.outputTokens });
    expect(usage.totalTokens).toBe(usage.inputTokens + usage.outputTokens);

    // Visibility catches up after the run closes.
    const query = `McpAgentWorkflow = 'DurableAgentWorkflow' AND McpAgentTotalTokens >= ${usage.totalTokens} AND WorkflowId = '${workflowId}'`;
    await vi.waitFor(
      async () => {
        const found: string[] = [];
        for await (const run of executor!.client.workflow.list({ query })) found.push(run.workflowId);
        expect(found).toEqual([workflowId]);
      },
      { timeout: 15_000, interval: 250 },
    );
    const fewer: string[] = [];
    for await (const run of executor.client.workflow.list({ query: `McpAgentTotalTokens > ${usage.totalTokens} AND WorkflowId = '${workflowId}'` })) fewer.push(run.workflowId);
    expect(fewer).toEqual([]);
  });

  it('refuses search attributes on a namespace that has not registered them, naming the command', async () => {
    const namespace = `no-attributes-${process.pid}`;
    await executor!.client.workflowService.registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs('1 day') }).catch((error: unknown) => {
      if (!String(error).includes('already')) throw error;
    });
    const settings = settingsWith({ namespace, search_attributes: true });
    await vi.waitFor(
      async () => {
        const engine = createTemporalEngine({ address: inject('temporalAddress') });
        const error = await Promise.resolve(engine.createExecutor({ appName: proofApp.name, registry: proofApp.registry, settings, logger })).catch((caught: unknown) => caught);
        expect(ConfigError.is(error)).toBe(true);
        expect((error as Error).message).toContain(`namespace "${namespace}" has no search attributes McpAgentWorkflow, McpAgentTotalTokens`);
        expect((error as Error).message).toContain(`temporal operator search-attribute create --namespace ${namespace} --name McpAgentWorkflow --type Keyword`);
      },
      { timeout: 15_000, interval: 500 },
    );
    // The worker checks too, since its runs would fail their workflow tasks over and over.
    const [host, port] = inject('temporalAddress').split(':');
    const workerSettings = settingsWith({ host, port: Number(port), namespace, search_attributes: true });
    const refused = await createTemporalWorker({ registry: proofApp.registry, settings: workerSettings, logger }, { activitiesOnly: true }).catch((caught: unknown) => caught);
    expect(ConfigError.is(refused)).toBe(true);
    expect((refused as Error).message).toContain(`namespace "${namespace}" has no search attributes`);
  });
});
