/**
 * The Temporal runtime of a worker process, made from the settings in one place: the logger that
 * forwards Temporal's lines to the app's logger, and the metrics exporter of `temporal.metrics`
 * (Prometheus or OTLP), which carries Temporal's own worker metrics and the framework's
 * `mcp_agent_*` metrics. Node only.
 *
 * The runtime is process-wide and can be installed once: the first worker of a process installs
 * it; later workers with the same metrics settings share it, and a worker whose settings ask for
 * other metrics than the installed runtime has gets a warning, not a second exporter.
 */
import { makeTelemetryFilterString, Runtime, type LogLevel, type LogMetadata, type MetricsExporterConfig, type RuntimeOptions } from '@temporalio/worker';
import { ConfigError, messageOf, type Logger } from '@mcp-agent/core';
import type { Settings } from '@mcp-agent/core/config';

const LEVELS: Record<LogLevel, 'debug' | 'warn' | 'error'> = { TRACE: 'debug', DEBUG: 'debug', INFO: 'debug', WARN: 'warn', ERROR: 'error' };

function plain(meta: LogMetadata | undefined): Record<string, unknown> | undefined {
  if (meta === undefined) return undefined;
  return Object.fromEntries(
    Object.entries(meta)
      .filter(([key]) => key !== 'taskToken')
      .map(([key, value]) => [key, value instanceof Error ? value.message : value]),
  );
}

/**
 * The runtime options that forward Temporal's log lines to `logger` (Temporal's INFO as debug,
 * the SDK core's own lines from warnings up).
 */
export function runtimeLoggerOptions(
  logger: Logger,
): Pick<RuntimeOptions, 'logger'> & { telemetryOptions: { logging: NonNullable<NonNullable<RuntimeOptions['telemetryOptions']>['logging']> } } {
  const temporal = logger.child('temporal');
  // The SDK logs every activation and task at debug: copied only when the logger writes that level.
  const log = (level: LogLevel, message: string, meta?: LogMetadata): void => {
    const target = LEVELS[level];
    if (temporal.enabled?.(target) === false) return;
    temporal[target](message, plain(meta));
  };
  return {
    // The SDK core's own lines (from Rust) are forwarded to the same logger, warnings and up.
    telemetryOptions: { logging: { forward: {}, filter: makeTelemetryFilterString({ core: 'WARN', other: 'ERROR' }) } },
    logger: {
      log,
      trace: (message, meta) => log('TRACE', message, meta),
      debug: (message, meta) => log('DEBUG', message, meta),
      info: (message, meta) => log('INFO', message, meta),
      warn: (message, meta) => log('WARN', message, meta),
      error: (message, meta) => log('ERROR', message, meta),
    },
  };
}

/** Bucket bounds, in milliseconds, of the framework's latency histograms (a model round trip takes seconds, a tool call less). */
export const MCP_AGENT_HISTOGRAM_BUCKETS: Readonly<Record<string, number[]>> = Object.freeze({
  mcp_agent_llm_request_latency: [100, 250, 500, 1_000, 2_500, 5_000, 10_000, 30_000, 60_000, 120_000],
  mcp_agent_mcp_tool_call_latency: [5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 30_000],
});

/** The metrics exporter of `temporal.metrics`, or undefined when none is configured. */
export function metricsExporterConfig(settings: Settings): MetricsExporterConfig | undefined {
  const metrics = settings.temporal?.metrics;
  if (metrics?.prometheus !== undefined) {
    return { prometheus: { bindAddress: metrics.prometheus.bind_address, histogramBucketOverrides: { ...MCP_AGENT_HISTOGRAM_BUCKETS } } };
  }
  if (metrics?.otlp !== undefined) {
    return {
      otel: {
        url: metrics.otlp.url,
        ...(metrics.otlp.http === undefined ? {} : { http: metrics.otlp.http }),
        ...(metrics.otlp.headers === undefined ? {} : { headers: metrics.otlp.headers }),
        histogramBucketOverrides: { ...MCP_AGENT_HISTOGRAM_BUCKETS },
      },
    };
  }
  return undefined;
}

/** The options of the runtime a worker with these settings installs (without metrics when `metrics` is false). */
export function runtimeOptions(settings: Settings, logger: Logger, { metrics: withMetrics = true }: { metrics?: boolean } = {}): RuntimeOptions {
  const base = runtimeLoggerOptions(logger);
  const metrics = withMetrics ? metricsExporterConfig(settings) : undefined;
  return { ...base, telemetryOptions: { ...base.telemetryOptions, ...(metrics === undefined ? {} : { metrics }) } };
}

/** The metrics settings the runtime of this process was installed with by {@link installRuntime}, as JSON. */
let installedMetrics: string | undefined;

/** `temporal.metrics.prometheus.bind_address` or `temporal.metrics.otlp.url`, for messages. */
function metricsKey(settings: Settings): string {
  return settings.temporal?.metrics?.prometheus !== undefined ? 'temporal.metrics.prometheus.bind_address' : 'temporal.metrics.otlp.url';
}

/**
 * Installs Temporal's runtime from the settings, unless one is installed already. True when this
 * call installed it. With `metrics: false` (replay) it forwards logs only.
 *
 * @throws ConfigError naming `temporal.metrics.prometheus.bind_address` when the endpoint can't listen there (the port is taken).
 */
export function installRuntime(settings: Settings, logger: Logger, options: { metrics?: boolean } = {}): boolean {
  const wanted = settings.temporal?.metrics === undefined || options.metrics === false ? undefined : JSON.stringify(settings.temporal.metrics);
  if (Runtime._instance !== undefined) {
    if (wanted !== undefined && wanted !== installedMetrics) {
      logger.warn(
        `temporal.metrics is not applied: this process's Temporal runtime was installed earlier ${installedMetrics === undefined ? '(by the app, a NativeConnection or a test harness)' : `with other metrics settings (${installedMetrics})`} ` +
          'and can be installed only once; metrics go where that runtime sends them. Create the first worker of the process with these settings, or call Runtime.install with them before anything else uses Temporal',
        { metrics: settings.temporal?.metrics },
      );
    }
    return false;
  }
  try {
    Runtime.install(runtimeOptions(settings, logger, options));
  } catch (error) {
    if (wanted === undefined) throw error;
    const value = settings.temporal?.metrics?.prometheus?.bind_address ?? settings.temporal?.metrics?.otlp?.url;
    throw new ConfigError(`${metricsKey(settings)}: the Temporal runtime can't export metrics to ${JSON.stringify(value)}: ${messageOf(error)}`, [], { cause: error });
  }
  installedMetrics = wanted;
  return true;
}
