/**
 * A small structured logger that follows the `logger` section of the config: lines to stderr
 * (`console`), JSON lines appended to a file (`file`, at `logger.path`), or nowhere (`none`).
 */
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../sandbox/errors.js';

/** Log levels, least severe first. `warning` is the Python spelling of `warn`. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

const LEVEL_ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** Where log lines go and how much of them. */
export interface LoggerOptions {
  /** Minimum level written. Default `info`. */
  level?: LogLevel | 'warning';
  /** `console` writes to stderr; `file` appends JSON lines to `path`; `none` discards. Default `console`. */
  transports?: Array<'console' | 'none' | 'file'>;
  /** The file of the `file` transport (its folder is made if missing). */
  path?: string;
  /** Replaces the transports, e.g. to collect lines in tests. */
  sink?: (line: LogRecord) => void;
  /** Prefix of every line; usually the app name. */
  namespace?: string;
}

/** One log line. */
export interface LogRecord {
  level: LogLevel;
  namespace: string;
  message: string;
  data: Record<string, unknown> | undefined;
  time: Date;
}

/** The logger an app hands to its code. */
export interface Logger {
  debug(message: string, data?: Record<string, unknown>): void;
  info(message: string, data?: Record<string, unknown>): void;
  warn(message: string, data?: Record<string, unknown>): void;
  error(message: string, data?: Record<string, unknown>): void;
  /** A logger whose namespace is this one's plus `.name`. */
  child(name: string): Logger;
  /**
   * Whether lines of `level` are written. Optional: a caller that would build a line's data at
   * some cost asks first, and writes to a logger without it as if the level were enabled.
   *
   * @example
   * ```ts
   * if (logger.enabled?.('debug') !== false) logger.debug('request', { body: describe(request) });
   * ```
   */
  enabled?(level: LogLevel): boolean;
}

function normaliseLevel(level: LoggerOptions['level']): LogLevel {
  return level === 'warning' ? 'warn' : (level ?? 'info');
}

function consoleSink(record: LogRecord): void {
  const data = record.data === undefined ? '' : ` ${JSON.stringify(record.data)}`;
  process.stderr.write(`${record.time.toISOString()} ${record.level.toUpperCase().padEnd(5)} ${record.namespace}: ${record.message}${data}\n`);
}

// One descriptor per file for the whole process, closed at exit: every logger (an app started
// again, a child logger) writing to the same file shares it.
const FILE_DESCRIPTORS = new Map<string, number>();
let closesAtExit = false;

function descriptorOf(file: string): number {
  const resolved = path.resolve(file);
  let descriptor = FILE_DESCRIPTORS.get(resolved);
  if (descriptor !== undefined) return descriptor;
  try {
    mkdirSync(path.dirname(resolved), { recursive: true });
    descriptor = openSync(resolved, 'a');
  } catch (error) {
    throw new ConfigError(
      `logger.path: cannot open ${JSON.stringify(file)} for the file transport (${error instanceof Error ? error.message : String(error)}); give a writable file`,
      [],
      {
        cause: error,
      },
    );
  }
  FILE_DESCRIPTORS.set(resolved, descriptor);
  if (!closesAtExit) {
    closesAtExit = true;
    process.once('exit', () => {
      for (const open of FILE_DESCRIPTORS.values()) closeSync(open);
      FILE_DESCRIPTORS.clear();
    });
  }
  return descriptor;
}

/**
 * A sink that appends one JSON object per line to `file` (relative to the working directory).
 * Writes are synchronous, so no line is lost when the process exits right after logging.
 */
function fileSink(file: string): (record: LogRecord) => void {
  const descriptor = descriptorOf(file);
  return (record) => {
    const line = {
      time: record.time.toISOString(),
      level: record.level,
      namespace: record.namespace,
      message: record.message,
      ...(record.data === undefined ? {} : { data: record.data }),
    };
    writeSync(descriptor, `${JSON.stringify(line)}\n`);
  };
}

/**
 * Creates a logger.
 *
 * @example
 * ```ts
 * const logger = createLogger({ level: 'debug', namespace: 'approvals' });
 * logger.info('workflow started', { workflowId });
 * ```
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const threshold = LEVEL_ORDER[normaliseLevel(options.level)];
  const transports = options.transports ?? ['console'];
  let sink = options.sink;
  if (sink === undefined) {
    if (transports.includes('file') && (options.path === undefined || options.path.trim() === '')) {
      throw new ConfigError('logger.path: the file transport needs a path, such as logs/mcp-agent.jsonl; set logger.path or remove "file" from logger.transports');
    }
    const sinks = [...(transports.includes('console') ? [consoleSink] : []), ...(transports.includes('file') ? [fileSink(options.path as string)] : [])];
    sink = sinks.length === 0 ? undefined : sinks.length === 1 ? sinks[0] : (record) => sinks.forEach((write) => write(record));
  }
  const make = (namespace: string): Logger => {
    const write = (level: LogLevel, message: string, data?: Record<string, unknown>): void => {
      if (sink === undefined || LEVEL_ORDER[level] < threshold) return;
      sink({ level, namespace, message, data, time: new Date() });
    };
    return {
      debug: (message, data) => write('debug', message, data),
      info: (message, data) => write('info', message, data),
      warn: (message, data) => write('warn', message, data),
      error: (message, data) => write('error', message, data),
      child: (name) => make(namespace === '' ? name : `${namespace}.${name}`),
      enabled: (level) => sink !== undefined && LEVEL_ORDER[level] >= threshold,
    };
  };
  return make(options.namespace ?? 'mcp-agent');
}
