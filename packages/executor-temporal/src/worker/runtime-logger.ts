/**
 * Temporal's own log lines (worker state, activity failures, core's warnings) go to the app's
 * logger instead of the console. Node only.
 */
import { makeTelemetryFilterString, Runtime, type LogLevel, type LogMetadata } from '@temporalio/worker';
import type { Logger } from '@mcp-agent/core';

const LEVELS: Record<LogLevel, 'debug' | 'warn' | 'error'> = { TRACE: 'debug', DEBUG: 'debug', INFO: 'debug', WARN: 'warn', ERROR: 'error' };

function plain(meta: LogMetadata | undefined): Record<string, unknown> | undefined {
  if (meta === undefined) return undefined;
  return Object.fromEntries(Object.entries(meta).filter(([key]) => key !== 'taskToken').map(([key, value]) => [key, value instanceof Error ? value.message : value]));
}

/**
 * Installs Temporal's runtime with a logger that forwards to `logger` (Temporal's INFO as debug),
 * unless a runtime is already installed (by an earlier worker, or by the app itself). True when
 * this call installed it.
 */
export function installRuntimeLogger(logger: Logger): boolean {
  if (Runtime._instance !== undefined) return false;
  const temporal = logger.child('temporal');
  const log = (level: LogLevel, message: string, meta?: LogMetadata): void => temporal[LEVELS[level]](message, plain(meta));
  Runtime.install({
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
  });
  return true;
}
