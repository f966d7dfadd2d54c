import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLogger, type LogRecord, type LoggerOptions } from './logger.js';

/** A logger that collects its records, and the list they land in. */
function collecting(options: LoggerOptions = {}): { logger: ReturnType<typeof createLogger>; records: LogRecord[] } {
  const records: LogRecord[] = [];
  return { logger: createLogger({ ...options, sink: (record) => records.push(record) }), records };
}

function writeAll(logger: ReturnType<typeof createLogger>): void {
  logger.debug('d');
  logger.info('i');
  logger.warn('w');
  logger.error('e');
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('createLogger', () => {
  it('writes info and above by default', () => {
    const { logger, records } = collecting();
    writeAll(logger);
    expect(records.map((record) => record.level)).toEqual(['info', 'warn', 'error']);
  });

  it.each([
    ['debug', ['debug', 'info', 'warn', 'error']],
    ['info', ['info', 'warn', 'error']],
    ['warn', ['warn', 'error']],
    ['error', ['error']],
  ] as const)('with level %s writes %j', (level, expected) => {
    const { logger, records } = collecting({ level });
    writeAll(logger);
    expect(records.map((record) => record.level)).toEqual(expected);
  });

  it('reads "warning" as "warn"', () => {
    const { logger, records } = collecting({ level: 'warning' });
    writeAll(logger);
    expect(records.map((record) => record.level)).toEqual(['warn', 'error']);
  });

  it('hands the sink a record with level, namespace, message, data and time', () => {
    const { logger, records } = collecting({ namespace: 'approvals' });
    const before = Date.now();
    logger.info('workflow started', { workflowId: 'w-1' });
    logger.error('no data');
    expect(records).toHaveLength(2);
    expect(records[0]).toMatchObject({ level: 'info', namespace: 'approvals', message: 'workflow started', data: { workflowId: 'w-1' } });
    expect(records[0]?.time).toBeInstanceOf(Date);
    expect(records[0]?.time.getTime()).toBeGreaterThanOrEqual(before);
    expect(records[1]?.data).toBeUndefined();
  });

  it('uses the namespace "mcp-agent" by default', () => {
    const { logger, records } = collecting();
    logger.info('x');
    expect(records[0]?.namespace).toBe('mcp-agent');
  });

  it('gives children dotted namespaces and the same level and sink', () => {
    const { logger, records } = collecting({ namespace: 'app', level: 'warn' });
    const child = logger.child('executor');
    const grandchild = child.child('temporal');
    child.info('dropped');
    child.warn('kept');
    grandchild.error('deep');
    expect(records.map((record) => [record.namespace, record.message])).toEqual([
      ['app.executor', 'kept'],
      ['app.executor.temporal', 'deep'],
    ]);
  });

  it('names a child of an empty namespace by its own name alone', () => {
    const { logger, records } = collecting({ namespace: '' });
    logger.child('worker').info('x');
    expect(records[0]?.namespace).toBe('worker');
  });

  it('writes console lines to stderr with time, level, namespace, message and data', () => {
    const write = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const logger = createLogger({ namespace: 'app' });
    logger.warn('slow task', { ms: 1200 });
    logger.debug('hidden');
    expect(write).toHaveBeenCalledTimes(1);
    expect(String(write.mock.calls[0]?.[0])).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z WARN {2}app: slow task \{"ms":1200\}\n$/);
  });

  it('writes nothing with the "none" transport', () => {
    const write = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    const error = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const logger = createLogger({ transports: ['none'], level: 'debug' });
    writeAll(logger);
    logger.child('x').error('still nothing');
    expect(write).not.toHaveBeenCalled();
    expect(log).not.toHaveBeenCalled();
    expect(error).not.toHaveBeenCalled();
  });

  it('says which levels it writes, children as their parent', () => {
    const { logger } = collecting({ level: 'warn' });
    expect((['debug', 'info', 'warn', 'error'] as const).map((level) => logger.enabled?.(level))).toEqual([false, false, true, true]);
    expect(logger.child('temporal').enabled?.('info')).toBe(false);
    expect(createLogger({ transports: ['none'], level: 'debug' }).enabled?.('error')).toBe(false);
  });

  it('lets a sink replace the transports', () => {
    const write = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const { logger, records } = collecting({ transports: ['none'] });
    logger.info('to the sink');
    expect(records.map((record) => record.message)).toEqual(['to the sink']);
    expect(write).not.toHaveBeenCalled();
  });
});

describe('the file transport', () => {
  it('appends one JSON object per line to logger.path, making its folder', async () => {
    const { mkdtemp, readFile, rm } = await import('node:fs/promises');
    const os = await import('node:os');
    const path = await import('node:path');
    const directory = await mkdtemp(path.join(os.tmpdir(), 'mcp-agent-log-'));
    try {
      const file = path.join(directory, 'logs', 'agent.jsonl');
      const logger = createLogger({ transports: ['file'], path: file, level: 'debug', namespace: 'app' });
      logger.info('started', { workflowId: 'w-1' });
      logger.child('mcp').debug('connected');
      const lines = (await readFile(file, 'utf8'))
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(lines).toHaveLength(2);
      expect(lines[0]).toMatchObject({ level: 'info', namespace: 'app', message: 'started', data: { workflowId: 'w-1' } });
      expect(lines[1]).toMatchObject({ level: 'debug', namespace: 'app.mcp', message: 'connected' });
      expect(typeof lines[0]?.['time']).toBe('string');
      // Another logger on the same file shares its descriptor and adds no exit listener.
      const listeners = process.listenerCount('exit');
      createLogger({ transports: ['file'], path: file }).warn('again');
      expect(process.listenerCount('exit')).toBe(listeners);
      expect((await readFile(file, 'utf8')).trim().split('\n')).toHaveLength(3);
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });

  it('is refused without a path, naming the setting', () => {
    expect(() => createLogger({ transports: ['file'] })).toThrow('logger.path: the file transport needs a path');
  });
});
