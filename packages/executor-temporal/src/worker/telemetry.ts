/**
 * What a worker records of its activities: the framework's metrics (model requests, tokens and
 * latency; MCP tool calls and their latency), through the Temporal runtime's meter, so that they
 * come out where Temporal's own worker metrics do; and, with tracing on, Temporal's activity
 * spans, a span of our own around each model round trip and tool call, and the sink that takes
 * the spans of workflow code out of the sandbox. Node only.
 */
import { createRequire } from 'node:module';
import type * as otel from '@opentelemetry/api';
import type { Context as ActivityContext } from '@temporalio/activity';
import type * as TemporalOtelWorker from '@temporalio/interceptors-opentelemetry/lib/worker/index.js';
import type { ActivityExecuteInput, ActivityInboundCallsInterceptor, ActivityInterceptorsFactory, InjectedSinks, Next, Worker, WorkerOptions } from '@temporalio/worker';
import { MCP_TASK_NAMES, type LlmRequest, type LlmResponse, type McpCallToolRequest } from '@mcp-agent/core/engine';
import type { Logger, McpToolResult } from '@mcp-agent/core';
import type { Settings } from '@mcp-agent/core/config';
import { createTracing, openTelemetrySdk, type Tracing, type TracingOptions } from '../telemetry/tracing.js';

const require = createRequire(import.meta.url);

/** The names of the framework's metrics. */
export const METRIC_NAMES = Object.freeze({
  llmRequests: 'mcp_agent_llm_requests',
  llmTokens: 'mcp_agent_llm_tokens',
  llmRequestLatency: 'mcp_agent_llm_request_latency',
  mcpToolCalls: 'mcp_agent_mcp_tool_calls',
  mcpToolCallLatency: 'mcp_agent_mcp_tool_call_latency',
  workflowOutcomes: 'mcp_agent_workflow_outcomes',
} as const);

/** The names of the framework's own spans, children of Temporal's `RunActivity` span. */
export const SPAN_NAMES = Object.freeze({ llmComplete: 'mcp_agent.llm.complete', mcpCallTool: 'mcp_agent.mcp.call_tool' } as const);

const LLM_ACTIVITY = /^llm\.(.+)\.complete$/;

type Outcome = 'ok' | 'error';

/** Runs `fn` in a span of `tracer` (when there is one), ending it with the outcome. */
async function inSpan<T>(tracer: otel.Tracer | undefined, name: string, attributes: otel.Attributes, fn: (span: otel.Span | undefined) => Promise<T>): Promise<T> {
  if (tracer === undefined) return fn(undefined);
  const { SpanKind, SpanStatusCode } = openTelemetrySdk().api;
  return tracer.startActiveSpan(name, { kind: SpanKind.CLIENT, attributes }, async (span) => {
    try {
      const value = await fn(span);
      span.setStatus({ code: SpanStatusCode.OK });
      return value;
    } catch (error) {
      span.recordException(error instanceof Error ? error : String(error));
      span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
      throw error;
    } finally {
      span.end();
    }
  });
}

/** Records metrics and spans of the model and MCP tool-call activities; other activities pass through. */
class McpAgentActivityInterceptor implements ActivityInboundCallsInterceptor {
  constructor(
    private readonly context: ActivityContext,
    private readonly settings: Settings,
    private readonly tracer: otel.Tracer | undefined,
  ) {}

  execute(input: ActivityExecuteInput, next: Next<ActivityInboundCallsInterceptor, 'execute'>): Promise<unknown> {
    const type = this.context.info.activityType;
    const llm = LLM_ACTIVITY.exec(type);
    if (llm?.[1] !== undefined) return this.#llm(llm[1], input, next);
    if (type === MCP_TASK_NAMES.callTool) return this.#callTool(input, next);
    return next(input);
  }

  /** The model label: the requested model, else the provider's configured default; bounded by the app's config. */
  #model(provider: string, request: Partial<LlmRequest> | undefined): string {
    const configured = (this.settings as Record<string, { default_model?: unknown } | undefined>)[provider]?.default_model;
    return request?.model ?? (typeof configured === 'string' ? configured : 'default');
  }

  async #llm(provider: string, input: ActivityExecuteInput, next: Next<ActivityInboundCallsInterceptor, 'execute'>): Promise<unknown> {
    const request = input.args[0] as Partial<LlmRequest> | undefined;
    const labels = { provider, model: this.#model(provider, request) };
    const meter = this.context.metricMeter;
    const started = performance.now();
    let outcome: Outcome = 'error';
    try {
      return await inSpan(this.tracer, SPAN_NAMES.llmComplete, { 'gen_ai.system': provider, 'gen_ai.request.model': labels.model }, async (span) => {
        const response = (await next(input)) as Partial<LlmResponse> | undefined;
        outcome = 'ok';
        const usage = response?.usage;
        if (usage !== undefined) {
          const tokens = meter.createCounter(METRIC_NAMES.llmTokens, 'tokens', 'Tokens of model requests, by provider, model and token_type (input or output)');
          tokens.add(usage.inputTokens, { ...labels, token_type: 'input' });
          tokens.add(usage.outputTokens, { ...labels, token_type: 'output' });
        }
        span?.setAttributes({
          ...(response?.model === undefined ? {} : { 'gen_ai.response.model': response.model }),
          ...(usage === undefined ? {} : { 'gen_ai.usage.input_tokens': usage.inputTokens, 'gen_ai.usage.output_tokens': usage.outputTokens }),
          ...(response?.stopReason === undefined ? {} : { 'gen_ai.response.finish_reasons': [response.stopReason] }),
        });
        return response;
      });
    } finally {
      const tags = { ...labels, outcome };
      meter.createCounter(METRIC_NAMES.llmRequests, 'requests', 'Model requests (activity attempts), by provider, model and outcome').add(1, tags);
      meter
        .createHistogram(METRIC_NAMES.llmRequestLatency, 'int', 'ms', 'Latency of model requests in milliseconds, by provider, model and outcome')
        .record(Math.round(performance.now() - started), tags);
    }
  }

  async #callTool(input: ActivityExecuteInput, next: Next<ActivityInboundCallsInterceptor, 'execute'>): Promise<unknown> {
    const request = input.args[0] as Partial<McpCallToolRequest> | undefined;
    const labels = { server: String(request?.server ?? 'unknown'), tool: String(request?.tool ?? 'unknown') };
    const meter = this.context.metricMeter;
    const started = performance.now();
    let outcome: Outcome = 'error';
    try {
      return await inSpan(this.tracer, SPAN_NAMES.mcpCallTool, { 'mcp.server': labels.server, 'mcp.tool': labels.tool }, async (span) => {
        const result = (await next(input)) as Partial<McpToolResult> | undefined;
        // A tool's own failure comes back as a result with isError: an error for the metrics too.
        outcome = result?.isError === true ? 'error' : 'ok';
        span?.setAttribute('mcp.tool.is_error', result?.isError === true);
        return result;
      });
    } finally {
      const tags = { ...labels, outcome };
      meter.createCounter(METRIC_NAMES.mcpToolCalls, 'calls', 'MCP tool calls (activity attempts), by server, tool and outcome').add(1, tags);
      meter
        .createHistogram(METRIC_NAMES.mcpToolCallLatency, 'int', 'ms', 'Latency of MCP tool calls in milliseconds, by server, tool and outcome')
        .record(Math.round(performance.now() - started), tags);
    }
  }
}

/** A worker's telemetry: its interceptors and sinks, and the tracing to close when it stops. */
export interface WorkerTelemetry {
  readonly tracing: Tracing | undefined;
  /** The worker options that install it: activity interceptors, and with tracing the sink of workflow spans. */
  readonly workerOptions: Pick<WorkerOptions, 'interceptors' | 'sinks'>;
  /** Makes `worker.run()` send the last spans once the worker has stopped. */
  attach(worker: Worker): Worker;
}

/** The telemetry of a worker with these settings (tracing on when `otel.enabled`). */
export function workerTelemetry(settings: Settings, logger: Logger, options?: TracingOptions): WorkerTelemetry {
  const tracing = createTracing(settings, options, logger);
  const tracer = tracing?.tracer;
  // Temporal's OpenTelemetry interceptors, loaded only with tracing on (CommonJS, so synchronously).
  const temporalOtel = tracing === undefined ? undefined : (require('@temporalio/interceptors-opentelemetry/lib/worker/index.js') as typeof TemporalOtelWorker);
  // Temporal's span first, so that ours run inside it and become its children.
  const activity: ActivityInterceptorsFactory[] = [
    ...(tracing === undefined || temporalOtel === undefined
      ? []
      : [
          (context: ActivityContext) => ({
            inbound: new temporalOtel.OpenTelemetryActivityInboundInterceptor(context, { tracer: tracing.tracer }),
            outbound: new temporalOtel.OpenTelemetryActivityOutboundInterceptor(context),
          }),
        ]),
    (context: ActivityContext) => ({ inbound: new McpAgentActivityInterceptor(context, settings, tracer) }),
  ];
  const sinks: InjectedSinks<Record<string, never>> | undefined =
    tracing === undefined || temporalOtel === undefined
      ? undefined
      : ({ exporter: temporalOtel.makeWorkflowExporter(tracing.spanProcessor, tracing.resource) } as unknown as InjectedSinks<Record<string, never>>);
  return {
    tracing,
    workerOptions: { interceptors: { activity }, ...(sinks === undefined ? {} : { sinks }) },
    attach(worker: Worker): Worker {
      if (tracing === undefined) return worker;
      const run = worker.run.bind(worker);
      worker.run = async () => {
        try {
          await run();
        } finally {
          await tracing.close();
        }
      };
      return worker;
    },
  };
}
