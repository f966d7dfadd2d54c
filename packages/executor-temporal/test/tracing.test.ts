// Tracing on the Temporal engine: with otel.enabled, one run of an agent workflow makes one trace
// from the client's StartWorkflow through RunWorkflow, StartActivity and RunActivity down to the
// framework's spans of each model request and tool call. Spans are collected by an in-memory
// exporter given in code; the OTLP exporter of the settings is checked against a local HTTP
// receiver.
import http from 'node:http';
import type net from 'node:net';
import { createLogger, type LogRecord, type AppServices } from '@mcp-agent/core';
import { parseSettings, type Settings } from '@mcp-agent/core/config';
import { llmProvider } from '@mcp-agent/providers-openai';
import { mcpTestServerStdioCommand, startLocalLlmServer, type LocalLlmServer } from '@mcp-agent/testing';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { createAppServices, createTaskMap } from '@mcp-agent/core/engine';
import { createTemporalEngine, createTracing, fetchWorkflowHistory, replayWorkflowHistories, type TemporalExecutor } from '../src/index.js';
import { DurableAgentWorkflow, proofApp } from './fixtures/proof-workflows.js';

const USAGE = { inputTokens: 57, outputTokens: 9 };

/** The spans as an indented tree, children under their parent, in start order. */
function tree(spans: readonly ReadableSpan[]): string {
  const ids = new Set(spans.map((span) => span.spanContext().spanId));
  const byStart = [...spans].sort((a, b) => a.startTime[0] - b.startTime[0] || a.startTime[1] - b.startTime[1]);
  const lines: string[] = [];
  const walk = (parent: string | undefined, depth: number): void => {
    for (const span of byStart.filter((candidate) => (candidate.parentSpanId !== undefined && ids.has(candidate.parentSpanId) ? candidate.parentSpanId : undefined) === parent)) {
      lines.push(`${'  '.repeat(depth)}${span.name}`);
      walk(span.spanContext().spanId, depth + 1);
    }
  };
  walk(undefined, 0);
  return lines.join('\n');
}

describe('tracing', { timeout: 120_000 }, () => {
  let llm: LocalLlmServer;
  let executor: TemporalExecutor;
  let services: AppServices | undefined;
  let settings: Settings;
  const exporter = new InMemorySpanExporter();
  const lines: LogRecord[] = [];

  beforeAll(async () => {
    llm = await startLocalLlmServer({ script: { rules: [{ match: () => true, reply: (request) => ({ text: `noted ${request.lastUserMessage}`, usage: USAGE }) }] } });
    const server = mcpTestServerStdioCommand();
    settings = parseSettings(
      {
        execution_engine: 'temporal',
        otel: { enabled: true, service_name: 'tracing-test' },
        openai: { api_key: 'sk-local', base_url: llm.openaiBaseUrl, default_model: 'gpt-4o-mini' },
        mcp: { servers: { test: { transport: 'stdio', command: server.command, args: server.args } } },
      },
      'tracing',
    );
    const logger = createLogger({ level: 'debug', sink: (line) => lines.push(line) });
    services = await createAppServices({ registry: proofApp.registry, settings: settings, logger, llmProviders: [llmProvider] });
    executor = (await createTemporalEngine({
      address: inject('temporalAddress'),
      tracing: { spanExporter: exporter },
      worker: { workflowsPath: new URL('./fixtures/proof-workflows.ts', import.meta.url), taskQueue: `tracing-${process.pid}` },
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
  });

  it('puts one run in one trace: client, workflow, activities, model requests and tool calls', async () => {
    const workflowId = `traced-${Date.now()}`;
    const result = await executor.executeWorkflow(DurableAgentWorkflow, { topic: 'tracing', steps: 2 }, { workflowId });
    expect(result.value?.echoes).toEqual(['checked step 1', 'checked step 2']);

    // Workflow spans leave the sandbox through the worker's sink after the activation that ends them.
    let spans: ReadableSpan[] = [];
    await vi.waitFor(
      () => {
        spans = exporter.getFinishedSpans();
        expect(spans.map((span) => span.name)).toContain('RunWorkflow:DurableAgentWorkflow');
      },
      { timeout: 15_000, interval: 100 },
    );
    const start = spans.find((span) => span.name === 'StartWorkflow:DurableAgentWorkflow');
    expect(start).toBeDefined();
    const traceId = start?.spanContext().traceId;
    const trace = spans.filter((span) => span.spanContext().traceId === traceId);
    expect(trace).toHaveLength(spans.length);
    const byId = new Map(trace.map((span) => [span.spanContext().spanId, span]));
    const parentOf = (span: ReadableSpan | undefined) => (span?.parentSpanId === undefined ? undefined : byId.get(span.parentSpanId));
    const named = (name: string) => trace.filter((span) => span.name === name);

    // Client -> workflow.
    const run = named('RunWorkflow:DurableAgentWorkflow');
    expect(run).toHaveLength(1);
    expect(parentOf(run[0])?.name).toBe('StartWorkflow:DurableAgentWorkflow');
    expect(run[0]?.resource.attributes['service.name']).toBe('tracing-test');

    // Workflow -> activities -> our spans, each under the RunActivity span of its attempt.
    for (const [activity, ours, count] of [
      ['llm.openai.complete', 'mcp_agent.llm.complete', 2],
      ['mcp.callTool', 'mcp_agent.mcp.call_tool', 2],
    ] as const) {
      const started = named(`StartActivity:${activity}`);
      const ran = named(`RunActivity:${activity}`);
      expect(started).toHaveLength(count);
      expect(ran).toHaveLength(count);
      for (const span of started) expect(parentOf(span)?.name).toBe('RunWorkflow:DurableAgentWorkflow');
      for (const span of ran) expect(parentOf(span)?.name).toBe(`StartActivity:${activity}`);
      const own = named(ours);
      expect(own).toHaveLength(count);
      for (const span of own) expect(parentOf(span)?.name).toBe(`RunActivity:${activity}`);
    }
    for (const span of named('mcp_agent.llm.complete')) {
      expect(span.attributes).toMatchObject({
        'gen_ai.system': 'openai',
        'gen_ai.request.model': 'gpt-4o-mini',
        'gen_ai.usage.input_tokens': USAGE.inputTokens,
        'gen_ai.usage.output_tokens': USAGE.outputTokens,
      });
    }
    for (const span of named('mcp_agent.mcp.call_tool')) expect(span.attributes).toMatchObject({ 'mcp.server': 'test', 'mcp.tool': 'echo', 'mcp.tool.is_error': false });
    console.info(`span tree of one run:\n${tree(trace)}`);

    // Tracing adds no command: the traced run's history replays with tracing on and with it off.
    const history = await fetchWorkflowHistory(executor.client, workflowId);
    const logger = createLogger({ level: 'warning', sink: () => undefined });
    const workflowsPath = new URL('./fixtures/proof-workflows.ts', import.meta.url);
    for (const replayed of [settings, { ...settings, otel: undefined }]) {
      await replayWorkflowHistories(
        { registry: proofApp.registry, settings: replayed, logger, tasks: createTaskMap({ registry: proofApp.registry, settings: replayed, llmProviders: [llmProvider] }) },
        { workflowsPath },
        [{ workflowId, history }],
      );
    }
  });
});

describe('tracing exporters of the settings', () => {
  it('sends spans to otel.otlp_settings.endpoint over OTLP/HTTP, with its headers', async () => {
    const received: Array<{ url: string | undefined; headers: http.IncomingHttpHeaders; body: string }> = [];
    const receiver = http.createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      request.on('end', () => {
        received.push({ url: request.url, headers: request.headers, body });
        response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const { port } = receiver.address() as net.AddressInfo;
    try {
      const settings = parseSettings({
        otel: { enabled: true, service_name: 'otlp-test', exporters: ['otlp'], otlp_settings: { endpoint: `http://127.0.0.1:${port}/v1/traces`, headers: { 'x-api-key': 'k-123' } } },
      });
      const tracing = createTracing(settings);
      expect(tracing).toBeDefined();
      tracing?.tracer.startSpan('exported-span').end();
      await tracing?.close();
      expect(received).toHaveLength(1);
      expect(received[0]?.url).toBe('/v1/traces');
      expect(received[0]?.headers['x-api-key']).toBe('k-123');
      expect(received[0]?.body).toContain('exported-span');
      expect(received[0]?.body).toContain('otlp-test');
    } finally {
      await new Promise<void>((resolve) => receiver.close(() => resolve()));
    }
  });

  it('is off unless otel.enabled, and says so when an exporter was given in code', () => {
    const warnings: LogRecord[] = [];
    const logger = createLogger({ level: 'debug', sink: (line) => warnings.push(line) });
    expect(createTracing(parseSettings({}), {}, logger)).toBeUndefined();
    expect(createTracing(parseSettings({ otel: { enabled: false } }), { spanExporter: new InMemorySpanExporter() }, logger)).toBeUndefined();
    expect(warnings.map((line) => line.message)).toEqual(['a span exporter or processor was given but otel.enabled is not true in the settings: tracing stays off']);
  });
});
