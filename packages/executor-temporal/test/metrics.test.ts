// Metrics on the Temporal engine: a worker with temporal.metrics.prometheus serves Temporal's own
// worker metrics and the framework's mcp_agent_* metrics on one endpoint, scraped here after real
// runs of an agent workflow (model requests to the local LLM server, tool calls to the MCP test
// server). The Temporal runtime is process-wide and installed once; this file runs in its own
// process (vitest's forks pool isolates files), and its first worker installs it.
import net from 'node:net';
import { ConfigError, createLogger, WorkflowFailedError, type AppServices, type LogRecord } from '@mcp-agent/core';
import { parseSettings, type Settings } from '@mcp-agent/core/config';
import { llmProvider } from '@mcp-agent/providers-openai';
import { mcpTestServerStdioCommand, startLocalLlmServer, type LocalLlmServer } from '@mcp-agent/testing';
import { Runtime } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { createAppServices } from '@mcp-agent/core/engine';
import { createTemporalEngine, installRuntime, type TemporalExecutor } from '../src/index.js';
import { DurableAgentWorkflow, proofApp } from './fixtures/proof-workflows.js';

const USAGE = { inputTokens: 120, outputTokens: 8 };

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** The value of the samples of `name` whose labels include `labels`, summed (Prometheus text format). */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  let total: number | undefined;
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? ([^ ]+)$/.exec(line);
    if (match === null || match[1] !== name) continue;
    const found = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((pair) => [pair[1], pair[2]]));
    if (Object.entries(labels).every(([key, value]) => found[key] === value)) total = (total ?? 0) + Number(match[3]);
  }
  return total;
}

function settingsWith(llm: LocalLlmServer, bindAddress: string): Settings {
  const server = mcpTestServerStdioCommand();
  return parseSettings(
    {
      execution_engine: 'temporal',
      temporal: { metrics: { prometheus: { bind_address: bindAddress } } },
      openai: { api_key: 'sk-local', base_url: llm.openaiBaseUrl, default_model: 'gpt-4o-mini' },
      mcp: { servers: { test: { transport: 'stdio', command: server.command, args: server.args } } },
    },
    'metrics',
  );
}

describe('metrics', { timeout: 120_000 }, () => {
  let llm: LocalLlmServer;
  let executor: TemporalExecutor | undefined;
  let services: AppServices | undefined;
  let port: number;
  const lines: LogRecord[] = [];
  const logger = createLogger({ level: 'debug', sink: (line) => lines.push(line) });

  beforeAll(async () => {
    llm = await startLocalLlmServer({
      script: {
        rules: [
          { match: (request) => request.lastUserMessage?.includes('doomed') ?? false, reply: { error: { status: 400, message: 'refused by the script' } } },
          { match: () => true, reply: (request) => ({ text: `noted ${request.lastUserMessage}`, usage: USAGE }) },
        ],
      },
    });
    port = await freePort();
  });

  afterAll(async () => {
    await executor?.close();
    await services?.close();
    await llm?.close();
  });

  it('refuses a bind address without a port in the settings, naming the key', () => {
    expect(() => settingsWith(llm, '127.0.0.1')).toThrow(
      'metrics: temporal.metrics.prometheus.bind_address: expected an IP address and port such as "127.0.0.1:9464", "0.0.0.0:9464" or "[::1]:9464" (a hostname is not accepted), got "127.0.0.1"',
    );
  });

  it('names temporal.metrics.prometheus.bind_address when the port is taken, and installs nothing', async () => {
    const taken = net.createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const address = `127.0.0.1:${(taken.address() as net.AddressInfo).port}`;
    try {
      const error = (() => {
        try {
          installRuntime(settingsWith(llm, address), logger);
        } catch (caught) {
          return caught;
        }
        return undefined;
      })();
      expect(ConfigError.is(error)).toBe(true);
      expect((error as Error).message).toMatch(
        new RegExp(`^temporal\\.metrics\\.prometheus\\.bind_address: the Temporal runtime can't export metrics to "${address}": .*[Aa]ddress already in use`),
      );
      expect(Runtime._instance).toBeUndefined();
    } finally {
      await new Promise<void>((resolve) => taken.close(() => resolve()));
    }
  });

  it("serves Temporal's worker metrics and the framework's on the Prometheus endpoint", async () => {
    const settings = settingsWith(llm, `127.0.0.1:${port}`);
    services = await createAppServices({ registry: proofApp.registry, settings, logger, llmProviders: [llmProvider] });
    executor = (await createTemporalEngine({
      address: inject('temporalAddress'),
      worker: { workflowsPath: new URL('./fixtures/proof-workflows.ts', import.meta.url), taskQueue: `metrics-${process.pid}` },
    }).createExecutor({ appName: proofApp.name, registry: proofApp.registry, settings, logger, tasks: services.tasks })) as TemporalExecutor;

    const result = await executor.executeWorkflow(DurableAgentWorkflow, { topic: 'metrics', steps: 2 }, { workflowId: `run-ok-${Date.now()}` });
    expect(result.value?.answers).toEqual(['noted step 1 of metrics', 'noted step 2 of metrics']);
    const failed = await executor.executeWorkflow(DurableAgentWorkflow, { topic: 'doomed', steps: 1 }, { workflowId: `run-doomed-${Date.now()}` }).catch((error: unknown) => error);
    expect(failed).toBeInstanceOf(WorkflowFailedError);
    const answered = llm.requests.filter((request) => request.answeredAt !== undefined).length;
    expect(answered).toBe(2);

    const url = `http://127.0.0.1:${port}/metrics`;
    let text = '';
    // The workflow's own metric leaves the sandbox through a sink after its last activation.
    await vi.waitFor(
      async () => {
        text = await (await fetch(url)).text();
        expect(sample(text, 'mcp_agent_workflow_outcomes', { outcome: 'failed' })).toBe(1);
      },
      { timeout: 15_000, interval: 250 },
    );

    // Temporal's own metrics, with its prefix.
    expect(sample(text, 'temporal_workflow_completed', { workflow_type: 'DurableAgentWorkflow' })).toBe(1);
    expect(sample(text, 'temporal_workflow_failed', { workflow_type: 'DurableAgentWorkflow' })).toBe(1);
    expect(sample(text, 'temporal_activity_execution_latency_count', { activity_type: 'llm.openai.complete' })).toBeGreaterThanOrEqual(2);

    // Model requests: the tokens the local LLM server reported, per provider and model.
    const model = { provider: 'openai', model: 'gpt-4o-mini' };
    expect(sample(text, 'mcp_agent_llm_requests', { ...model, outcome: 'ok' })).toBe(answered);
    expect(sample(text, 'mcp_agent_llm_requests', { ...model, outcome: 'error' })).toBe(1);
    expect(sample(text, 'mcp_agent_llm_tokens', { ...model, token_type: 'input' })).toBe(answered * USAGE.inputTokens);
    expect(sample(text, 'mcp_agent_llm_tokens', { ...model, token_type: 'output' })).toBe(answered * USAGE.outputTokens);
    expect(sample(text, 'mcp_agent_llm_request_latency_count', { ...model, outcome: 'ok' })).toBe(answered);
    expect(sample(text, 'mcp_agent_llm_request_latency_bucket', { ...model, outcome: 'ok', le: '+Inf' })).toBe(answered);
    expect(sample(text, 'mcp_agent_llm_request_latency_bucket', { ...model, outcome: 'ok', le: '120000' })).toBe(answered);

    // Tool calls per server and tool.
    expect(sample(text, 'mcp_agent_mcp_tool_calls', { server: 'test', tool: 'echo', outcome: 'ok' })).toBe(2);
    expect(sample(text, 'mcp_agent_mcp_tool_call_latency_count', { server: 'test', tool: 'echo', outcome: 'ok' })).toBe(2);

    // Run outcomes per workflow type; no label carries a workflow id.
    expect(sample(text, 'mcp_agent_workflow_outcomes', { workflowType: 'DurableAgentWorkflow', outcome: 'completed' })).toBe(1);
    expect(sample(text, 'mcp_agent_workflow_outcomes', { workflowType: 'DurableAgentWorkflow', outcome: 'failed' })).toBe(1);
    expect(text.split('\n').filter((line) => line.startsWith('mcp_agent_') && /run-(ok|doomed)-/.test(line))).toEqual([]);
  });

  it('warns, naming temporal.metrics, when a later worker asks for other metrics than the installed runtime', () => {
    expect(Runtime._instance).toBeDefined();
    const before = lines.length;
    expect(installRuntime(settingsWith(llm, `127.0.0.1:${port}`), logger)).toBe(false);
    expect(lines.slice(before).filter((line) => line.level === 'warn')).toEqual([]);
    expect(installRuntime(settingsWith(llm, '127.0.0.1:1'), logger)).toBe(false);
    const warning = lines.slice(before).find((line) => line.level === 'warn');
    expect(warning?.message).toMatch(/^temporal\.metrics is not applied: this process's Temporal runtime was installed earlier with other metrics settings/);
  });
});
