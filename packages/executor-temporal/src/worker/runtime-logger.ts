/**
 * Temporal's own log lines (worker state, activity failures, core's warnings) go to the app's
 * logger instead of the console. Node only.
 */
import { makeTelemetryFilterString, Runtime, type LogLevel, type LogMetadata, type RuntimeOptions } from '@temporalio/worker';
import type { Logger } from '@mcp-agent/core';

const LEVELS: Record<LogLevel, 'debug' | 'warn' | 'error'> = { TRACE: 'debug', DEBUG: 'debug', INFO: 'debug', WARN: 'warn', ERROR: 'error' };

function plain(meta: LogMetadata | undefined): Record<string, unknown> | undefined {
  if (meta === undefined) return undefined;
  return Object.fromEntries(Object.entries(meta).filter(([key]) => key !== 'taskToken').map(([key, value]) => [key, value instanceof Error ? value.message : value]));
}

/**
 * The runtime options that forward Temporal's log lines to `logger` (Temporal's INFO as debug,
 * the SDK core's own lines from warnings up).
 */
export function runtimeLoggerOptions(logger: Logger): Pick<RuntimeOptions, 'logger'> & { telemetryOptions: { logging: NonNullable<NonNullable<RuntimeOptions['telemetryOptions']>['logging']> } } {
  const temporal = logger.child('temporal');
  const log = (level: LogLevel, message: string, meta?: LogMetadata): void => temporal[LEVELS[level]](message, plain(meta));
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

/**
 * Installs Temporal's runtime with a logger that forwards to `logger` (Temporal's INFO as debug),
 * unless a runtime is already installed (by an earlier worker, or by the app itself). True when
 * this call installed it. Workers install it with the metrics exporter of the settings as well
 * (see `installRuntime` in `./runtime.ts`).
 */
export function installRuntimeLogger(logger: Logger): boolean {
  if (Runtime._instance !== undefined) return false;
  Runtime.install(runtimeLoggerOptions(logger));
  return true;
}
