/**
 * OpenTelemetry tracing of the Temporal engine, made from the `otel` settings: the tracer of the
 * client and the worker's activities, and the span processor that the spans of workflow code
 * reach through the worker's sink. Node only.
 */
import { createRequire } from 'node:module';
import type * as OtelApi from '@opentelemetry/api';
import type * as ContextAsyncHooks from '@opentelemetry/context-async-hooks';
import type * as OtelCore from '@opentelemetry/core';
import type * as OtlpHttp from '@opentelemetry/exporter-trace-otlp-http';
import type * as Resources from '@opentelemetry/resources';
import type { Resource } from '@opentelemetry/resources';
import type * as TraceBase from '@opentelemetry/sdk-trace-base';
import type { ReadableSpan, Span, SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { Logger } from '@mcp-agent/core';
import type { Settings } from '@mcp-agent/core/config';

/** Tracing set up in code, next to the `otel` settings (which still decide whether tracing is on). */
export interface TracingOptions {
  /**
   * Where spans go, instead of the exporters of `otel.exporters`; an `InMemorySpanExporter` in
   * tests. Spans reach it one by one (a simple span processor); the engine never shuts it down.
   */
  spanExporter?: SpanExporter;
  /** A span processor that gets every span, instead of the exporters of `otel.exporters`; never shut down by the engine. */
  spanProcessor?: SpanProcessor;
}

/** The tracing of a client or worker. */
export interface Tracing {
  /** The tracer of the client's and the activities' spans. */
  readonly tracer: OtelApi.Tracer;
  /** What every span ends in, those of workflow code too (the worker hands them over through a sink). */
  readonly spanProcessor: SpanProcessor;
  /** `service.name` and `service.version` of the spans. */
  readonly resource: Resource;
  /** Sends the spans still buffered; shuts down the exporters made from the settings. */
  close(): Promise<void>;
}

const require = createRequire(import.meta.url);

/** The OpenTelemetry SDK modules tracing uses. */
interface OpenTelemetrySdk {
  api: typeof OtelApi;
  contextAsyncHooks: typeof ContextAsyncHooks;
  core: typeof OtelCore;
  otlpHttp: typeof OtlpHttp;
  resources: typeof Resources;
  traceBase: typeof TraceBase;
}

let loadedSdk: OpenTelemetrySdk | undefined;

/**
 * The OpenTelemetry SDK, loaded on first use: a client or worker with tracing off never loads it
 * (some 240 CommonJS modules). Its packages are CommonJS, so they load synchronously here.
 */
export function openTelemetrySdk(): OpenTelemetrySdk {
  loadedSdk ??= {
    api: require('@opentelemetry/api') as typeof OtelApi,
    contextAsyncHooks: require('@opentelemetry/context-async-hooks') as typeof ContextAsyncHooks,
    core: require('@opentelemetry/core') as typeof OtelCore,
    otlpHttp: require('@opentelemetry/exporter-trace-otlp-http') as typeof OtlpHttp,
    resources: require('@opentelemetry/resources') as typeof Resources,
    traceBase: require('@opentelemetry/sdk-trace-base') as typeof TraceBase,
  };
  return loadedSdk;
}

/** The instrumentation scope of the engine's spans. */
export const TRACER_NAME = '@mcp-agent/executor-temporal';

/** Hands each span to several processors. */
class FanOutSpanProcessor implements SpanProcessor {
  constructor(private readonly processors: readonly SpanProcessor[]) {}
  onStart(span: Span, parentContext: OtelApi.Context): void {
    for (const processor of this.processors) processor.onStart(span, parentContext);
  }
  onEnd(span: ReadableSpan): void {
    for (const processor of this.processors) processor.onEnd(span);
  }
  async forceFlush(): Promise<void> {
    await Promise.all(this.processors.map((processor) => processor.forceFlush()));
  }
  async shutdown(): Promise<void> {
    await Promise.all(this.processors.map((processor) => processor.shutdown()));
  }
}

let propagationInstalled = false;

/**
 * Spans started in an activity find their parent through the active context, and the trace
 * crosses from client to workflow to activity in W3C `traceparent` headers: both need the
 * process's context manager and propagator. Installed once, unless the app installed its own
 * (an OpenTelemetry NodeSDK, say), which then stays.
 */
function installContextPropagation(): void {
  if (propagationInstalled) return;
  propagationInstalled = true;
  const { api, contextAsyncHooks, core } = openTelemetrySdk();
  const contextManager = new contextAsyncHooks.AsyncLocalStorageContextManager().enable();
  if (!api.context.setGlobalContextManager(contextManager)) contextManager.disable();
  api.propagation.setGlobalPropagator(new core.CompositePropagator({ propagators: [new core.W3CTraceContextPropagator(), new core.W3CBaggagePropagator()] }));
}

/**
 * The tracing of the `otel` settings, or undefined when `otel.enabled` is not true. Spans go to
 * `options.spanExporter` or `options.spanProcessor` when given, else to the exporters of
 * `otel.exporters` (`console`: printed as they end; `otlp`: sent in batches to
 * `otel.otlp_settings.endpoint`).
 */
export function createTracing(settings: Settings, options: TracingOptions = {}, logger?: Logger): Tracing | undefined {
  const config = settings.otel;
  const given = options.spanExporter !== undefined || options.spanProcessor !== undefined;
  if (config?.enabled !== true) {
    if (given) logger?.warn('a span exporter or processor was given but otel.enabled is not true in the settings: tracing stays off');
    return undefined;
  }
  installContextPropagation();
  const { otlpHttp, resources, traceBase } = openTelemetrySdk();
  const owned: SpanProcessor[] = [];
  const processors: SpanProcessor[] = [];
  if (options.spanProcessor !== undefined) processors.push(options.spanProcessor);
  if (options.spanExporter !== undefined) processors.push(new traceBase.SimpleSpanProcessor(options.spanExporter));
  if (!given) {
    for (const exporter of new Set(config.exporters ?? [])) {
      if (exporter === 'console') owned.push(new traceBase.SimpleSpanProcessor(new traceBase.ConsoleSpanExporter()));
      if (exporter === 'otlp' && config.otlp_settings !== undefined) {
        owned.push(new traceBase.BatchSpanProcessor(new otlpHttp.OTLPTraceExporter({ url: config.otlp_settings.endpoint, headers: { ...config.otlp_settings.headers } })));
      }
    }
    processors.push(...owned);
    if (processors.length === 0) logger?.warn('otel.enabled is true but otel.exporters is empty and no span exporter was given in code: spans go nowhere');
  }
  const spanProcessor = new FanOutSpanProcessor(processors);
  const resource = new resources.Resource({
    'service.name': config.service_name ?? 'mcp-agent',
    ...(config.service_version === undefined ? {} : { 'service.version': config.service_version }),
  });
  const provider = new traceBase.BasicTracerProvider({
    resource,
    sampler: new traceBase.ParentBasedSampler({ root: new traceBase.TraceIdRatioBasedSampler(config.sample_rate ?? 1) }),
    spanProcessors: [spanProcessor],
  });
  return {
    tracer: provider.getTracer(TRACER_NAME),
    spanProcessor,
    resource,
    close: async () => {
      await spanProcessor.forceFlush().catch((error: unknown) => logger?.warn('could not send the last spans', { error: String(error) }));
      await Promise.all(owned.map((processor) => processor.shutdown().catch(() => undefined)));
    },
  };
}
