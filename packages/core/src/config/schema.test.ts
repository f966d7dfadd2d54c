import { describe, expect, it } from 'vitest';
import { ConfigError } from '../sandbox/errors.js';
import { parseSettings, ProviderSettingsSchema, registerConfigSection, RetryPolicyConfigSchema, type ProviderSettings, type Settings } from './index.js';

// The provider packages register their sections when loaded.
registerConfigSection({ key: 'openai', schema: ProviderSettingsSchema, owner: '@mcp-agent/providers-openai' });
const provider = (settings: Settings, key: 'openai') => settings[key] as ProviderSettings | undefined;

/** Runs `parseSettings` and returns the ConfigError it throws. */
function settingsError(raw: unknown, source?: string): ConfigError {
  try {
    parseSettings(raw, source);
  } catch (error) {
    if (ConfigError.is(error)) return error;
    throw error;
  }
  throw new Error('expected parseSettings to throw a ConfigError');
}

describe('parseSettings defaults', () => {
  it('fills every default for empty settings and leaves optional sections absent', () => {
    const settings = parseSettings({});
    expect(settings).toEqual({
      execution_engine: 'asyncio',
      workflow_task_modules: [],
      workflow_task_retry_policies: {},
      logger: { level: 'info' },
      mcp: { servers: {} },
      model_prices: {},
      models: [],
    });
    expect(settings.temporal).toBeUndefined();
    expect(settings.openai).toBeUndefined();
  });

  it('treats null and undefined as empty settings', () => {
    expect(parseSettings(null).execution_engine).toBe('asyncio');
    expect(parseSettings(undefined).mcp.servers).toEqual({});
  });

  it('treats a null mapping value as unset', () => {
    const settings = parseSettings({ temporal: null, mcp: { servers: null } });
    expect(settings.temporal).toBeUndefined();
    expect(settings.mcp.servers).toEqual({});
  });

  it('keeps unknown top-level sections and unknown keys inside sections', () => {
    const settings = parseSettings({
      usage_telemetry: { enabled: false },
      logger: { progress_display: true },
      openai: { reasoning_effort: 'low' },
      mcp: { servers: { fetch: { command: 'uvx', roots: [{ uri: 'file:///tmp' }] } } },
    });
    expect(settings['usage_telemetry']).toEqual({ enabled: false });
    expect(settings.logger['progress_display']).toBe(true);
    expect(provider(settings, 'openai')?.['reasoning_effort']).toBe('low');
    expect(settings.mcp.servers['fetch']?.['roots']).toEqual([{ uri: 'file:///tmp' }]);
  });

  it('does not modify the object it was given', () => {
    const raw = { temporal: { host: 'example.com:7234' }, logger: null };
    parseSettings(raw);
    expect(raw).toEqual({ temporal: { host: 'example.com:7234' }, logger: null });
  });
});

describe('validation messages', () => {
  it('takes any engine name (engines load by name), but not an empty one', () => {
    expect(parseSettings({ execution_engine: 'celery' }).execution_engine).toBe('celery');
    expect(settingsError({ execution_engine: '' }).message).toBe('settings: execution_engine: expected an engine name such as "asyncio" or "temporal", got ""');
  });

  it('rejects a negative maximum_attempts', () => {
    expect(settingsError({ workflow_task_retry_policies: { 'my_package.tasks.my_activity': { maximum_attempts: -1 } } }).issues).toEqual([
      'workflow_task_retry_policies["my_package.tasks.my_activity"].maximum_attempts: expected an integer >= 0 (0 means unlimited), got -1',
    ]);
  });

  it('rejects an unknown key in a retry policy and suggests the right one', () => {
    expect(settingsError({ temporal: { retry_policy: { maximum_attemps: 3 } } }).issues).toEqual([
      'temporal.retry_policy: unknown key "maximum_attemps" (did you mean "maximum_attempts"?); allowed keys: ' +
        '"initial_interval", "maximum_interval", "backoff_coefficient", "maximum_attempts" or "non_retryable_error_types"',
    ]);
  });

  it('rejects a stdio server without command, naming the server and the fix', () => {
    expect(settingsError({ mcp: { servers: { fetch: { args: ['mcp-server-fetch'] } } } }).message).toContain('settings: mcp.servers.fetch: a stdio server needs "command"');
    expect(settingsError({ mcp: { servers: { fetch: { args: [] } } } }).message).toContain('add command, or set transport to "sse", "streamable_http" or "websocket" and give its url');
  });

  it('rejects a remote server without url', () => {
    expect(settingsError({ mcp: { servers: { remote: { transport: 'sse' } } } }).message).toContain(
      'mcp.servers.remote: an sse server needs "url", its endpoint (for example url: "http://localhost:8000/sse")',
    );
  });

  it('refuses a server url without scheme, naming the value and the fix', () => {
    expect(settingsError({ mcp: { servers: { remote: { transport: 'streamable_http', url: 'localhost:8000/mcp' } } } }).issues).toEqual([
      'mcp.servers.remote.url: expected an absolute URL (http:// or https://) such as "http://localhost:8000/mcp", got "localhost:8000/mcp"; ' +
        'add the scheme: "http://localhost:8000/mcp"',
    ]);
    expect(settingsError({ mcp: { servers: { socket: { transport: 'websocket', url: 'http://localhost:8000/ws' } } } }).issues).toEqual([
      'mcp.servers.socket.url: expected an absolute URL (ws:// or wss://) such as "ws://localhost:8000/ws", got "http://localhost:8000/ws"',
    ]);
    const servers = parseSettings({
      mcp: { servers: { a: { transport: 'sse', url: 'https://example.com/sse' }, b: { transport: 'websocket', url: 'wss://example.com/ws' } } },
    }).mcp.servers;
    expect(Object.keys(servers)).toEqual(['a', 'b']);
  });

  it('passes unknown keys to onWarning with a suggestion, or rejects them when strict', () => {
    const warnings: string[] = [];
    const settings = parseSettings({ exectuion_engine: 'temporal', logger: { level: 'debug' } }, 'app settings', { onWarning: (warning) => warnings.push(warning) });
    expect(settings.execution_engine).toBe('asyncio');
    expect(warnings).toEqual(['app settings: exectuion_engine: unknown key, so it has no effect (did you mean "execution_engine"?)']);
    expect(() => parseSettings({ exectuion_engine: 'temporal' }, 'app settings', { strict: true })).toThrow(
      'app settings: exectuion_engine: unknown key, so it has no effect (did you mean "execution_engine"?)',
    );
  });

  it('lists every problem, one per line, each starting with the source', () => {
    const error = settingsError({ execution_engine: '', temporal: { max_concurrent_activities: 'abc' } }, 'app settings');
    expect(error.issues).toHaveLength(2);
    expect(error.message.split('\n')).toEqual([
      'app settings: execution_engine: expected an engine name such as "asyncio" or "temporal", got ""',
      'app settings: temporal.max_concurrent_activities: expected a number, got "abc"',
    ]);
  });

  it('rejects a top level that is not a mapping', () => {
    expect(settingsError(['execution_engine']).message).toBe('settings: (root): expected a mapping of settings at the top level (for example "execution_engine: asyncio"), got a list');
  });

  it('names the type expected for a section', () => {
    expect(settingsError({ mcp: [] }).issues).toEqual(['mcp: expected a mapping, got a list']);
    expect(settingsError({ workflow_task_modules: 'tasks' }).issues).toEqual(['workflow_task_modules: expected a list, got "tasks"']);
  });
});

describe('RetryPolicyConfigSchema', () => {
  it('keeps durations as written', () => {
    expect(RetryPolicyConfigSchema.parse({ initial_interval: '500ms', maximum_interval: '5 minutes', backoff_coefficient: 2, maximum_attempts: 0 })).toEqual({
      initial_interval: '500ms',
      maximum_interval: '5 minutes',
      backoff_coefficient: 2,
      maximum_attempts: 0,
    });
    expect(RetryPolicyConfigSchema.parse({ initial_interval: 1.5, maximum_interval: '1h' })).toEqual({
      initial_interval: 1.5,
      maximum_interval: '1h',
    });
  });

  it('accepts each duration unit', () => {
    for (const duration of ['250ms', '2s', '2 seconds', '3m', '1 minute', '1h', '2 hours', '1d', '1 day', '1.5s']) {
      expect(RetryPolicyConfigSchema.safeParse({ maximum_interval: duration }).success, duration).toBe(true);
    }
  });

  it('rejects a duration without a known unit', () => {
    expect(settingsError({ temporal: { retry_policy: { initial_interval: '5 fortnights' } } }).issues).toEqual([
      'temporal.retry_policy.initial_interval: expected a number of seconds or a duration like "500ms", "2s", "5 minutes", "1h" or "2 days", got "5 fortnights"',
    ]);
  });

  it('rejects a backoff coefficient below 1 and a maximum interval below the initial one', () => {
    expect(settingsError({ temporal: { retry_policy: { backoff_coefficient: 0.5, initial_interval: '10s', maximum_interval: '1s' } } }).issues).toEqual([
      'temporal.retry_policy.backoff_coefficient: expected a number >= 1, got 0.5',
      'temporal.retry_policy.maximum_interval: expected at least initial_interval ("10s"), got "1s"',
    ]);
  });
});

describe('otel', () => {
  it('is absent unless configured, and off when given empty', () => {
    expect(parseSettings({}).otel).toBeUndefined();
    expect(parseSettings({ otel: {} }).otel).toEqual({ enabled: false });
  });

  it("reads the Python project's section, keeping keys it does not use", () => {
    const otel = parseSettings({
      otel: {
        enabled: 'yes',
        service_name: 'approvals',
        service_instance_id: 'worker-1',
        exporters: ['console', 'otlp'],
        otlp_settings: { endpoint: 'http://localhost:4318/v1/traces', headers: { authorization: 'Bearer k' } },
        sample_rate: '0.25',
      },
    }).otel;
    expect(otel).toEqual({
      enabled: true,
      service_name: 'approvals',
      service_instance_id: 'worker-1',
      exporters: ['console', 'otlp'],
      otlp_settings: { endpoint: 'http://localhost:4318/v1/traces', headers: { authorization: 'Bearer k' } },
      sample_rate: 0.25,
    });
  });

  it('rejects an unknown exporter, an otlp exporter without endpoint and a sample rate above 1', () => {
    expect(settingsError({ otel: { exporters: ['zipkin'] } }).issues).toEqual(['otel.exporters[0]: expected one of "console" or "otlp", got "zipkin"']);
    expect(settingsError({ otel: { enabled: true, exporters: ['otlp'] } }).issues).toEqual([
      'otel.otlp_settings: exporter "otlp" needs otlp_settings.endpoint, the collector\'s traces URL (for example "http://localhost:4318/v1/traces")',
    ]);
    expect(settingsError({ otel: { sample_rate: 1.5 } }).issues).toEqual(['otel.sample_rate: expected a number from 0 to 1, got 1.5']);
    expect(settingsError({ otel: { otlp_settings: { endpoint: 'http://localhost:4318/v1/traces', header: {} } } }).issues[0]).toContain(
      'otel.otlp_settings: unknown key "header" (did you mean "headers"?)',
    );
  });
});

describe('logger', () => {
  it('refuses the file transport without a path, naming the setting', () => {
    expect(settingsError({ logger: { transports: ['console', 'file'] } }).issues).toEqual([
      'logger.path: the file transport needs a path, such as logs/mcp-agent.jsonl; set logger.path or remove "file" from the transports',
    ]);
    expect(parseSettings({ logger: { type: 'file', path: 'logs/agent.jsonl' } }).logger.path).toBe('logs/agent.jsonl');
  });
});
