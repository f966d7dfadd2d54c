import { describe, expect, it } from 'vitest';
import { ConfigError } from '../sandbox/errors.js';
import { parseSettings, RetryPolicyConfigSchema } from './index.js';

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
    });
    expect(settings.temporal).toBeUndefined();
    expect(settings.openai).toBeUndefined();
  });

  it('treats null and undefined as empty settings', () => {
    expect(parseSettings(null).execution_engine).toBe('asyncio');
    expect(parseSettings(undefined).mcp.servers).toEqual({});
  });

  it('applies temporal defaults when the section is present', () => {
    expect(parseSettings({ temporal: {} }).temporal).toEqual({
      host: 'localhost',
      port: 7233,
      namespace: 'default',
      task_queue: 'mcp-agent',
      id_reuse_policy: 'allow_duplicate',
    });
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
    expect(settings.openai?.['reasoning_effort']).toBe('low');
    expect(settings.mcp.servers['fetch']?.['roots']).toEqual([{ uri: 'file:///tmp' }]);
  });

  it('does not modify the object it was given', () => {
    const raw = { temporal: { host: 'example.com:7234' }, logger: null };
    parseSettings(raw);
    expect(raw).toEqual({ temporal: { host: 'example.com:7234' }, logger: null });
  });
});

describe('temporal host and port', () => {
  it('splits host:port into host and port', () => {
    const temporal = parseSettings({ temporal: { host: 'my-namespace.a1b2c.tmprl.cloud:7233' } }).temporal;
    expect(temporal?.host).toBe('my-namespace.a1b2c.tmprl.cloud');
    expect(temporal?.port).toBe(7233);
  });

  it('accepts host:port together with the same port', () => {
    expect(parseSettings({ temporal: { host: 'example.com:7234', port: 7234 } }).temporal).toMatchObject({ host: 'example.com', port: 7234 });
  });

  it('keeps a plain host and an explicit port', () => {
    expect(parseSettings({ temporal: { host: 'temporal.internal', port: 8233 } }).temporal).toMatchObject({
      host: 'temporal.internal',
      port: 8233,
    });
  });

  it('keeps the brackets of an IPv6 host with a port', () => {
    expect(parseSettings({ temporal: { host: '[::1]:7300' } }).temporal).toMatchObject({ host: '[::1]', port: 7300 });
  });

  it('rejects host:port with a different port, naming both', () => {
    const error = settingsError({ temporal: { host: 'example.com:7233', port: 7234 } });
    expect(error.message).toBe(
      'settings: temporal.port: temporal.host "example.com:7233" includes port 7233 but temporal.port is 7234; give the port in one place only',
    );
  });

  it('rejects a host whose port part is not a port', () => {
    expect(settingsError({ temporal: { host: 'localhost:abc' } }).message).toContain(
      'temporal.host: expected "hostname" or "hostname:port" with a port from 1 to 65535, got "localhost:abc"',
    );
  });

  it('converts a numeric string port, as written by ${VAR} interpolation', () => {
    expect(parseSettings({ temporal: { port: '7235' } }).temporal?.port).toBe(7235);
  });

  it('folds the auth.api_key shape into api_key', () => {
    expect(parseSettings({ temporal: { auth: { api_key: 'secret-key' } } }).temporal?.api_key).toBe('secret-key');
  });

  it('rejects two different api keys without printing them', () => {
    const error = settingsError({ temporal: { api_key: 'first-key', auth: { api_key: 'second-key' } } });
    expect(error.message).toContain('temporal.auth.api_key: temporal.auth.api_key and temporal.api_key are both set to different keys');
    expect(error.message).not.toContain('first-key');
    expect(error.message).not.toContain('second-key');
  });

  it('accepts tls as true, false or a mapping of paths', () => {
    expect(parseSettings({ temporal: { tls: true } }).temporal?.tls).toBe(true);
    expect(parseSettings({ temporal: { tls: false } }).temporal?.tls).toBe(false);
    expect(parseSettings({ temporal: { tls: { ca_cert_path: 'ca.pem' } } }).temporal?.tls).toEqual({ ca_cert_path: 'ca.pem' });
  });

  it('rejects a misspelt tls key and suggests the right one', () => {
    expect(settingsError({ temporal: { tls: { client_cert: 'client.pem' } } }).message).toContain(
      'temporal.tls: unknown key "client_cert" (did you mean "client_cert_path"?)',
    );
  });
});

describe('validation messages', () => {
  it('names the value of a port that is not a number', () => {
    const error = settingsError({ temporal: { port: 'abc' } });
    expect(error.message).toBe('settings: temporal.port: expected a number, got "abc"');
    expect(error.issues).toEqual(['temporal.port: expected a number, got "abc"']);
    expect(error.code).toBe('CONFIG_INVALID');
  });

  it('names the allowed range of a port', () => {
    expect(settingsError({ temporal: { port: 70000 } }).issues).toEqual(['temporal.port: expected an integer from 1 to 65535, got 70000']);
  });

  it('lists the allowed execution engines', () => {
    expect(settingsError({ execution_engine: 'celery' }).message).toBe(
      'settings: execution_engine: expected one of "asyncio" or "temporal", got "celery"',
    );
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
    expect(settingsError({ mcp: { servers: { fetch: { args: ['mcp-server-fetch'] } } } }).message).toContain(
      'settings: mcp.servers.fetch: a stdio server needs "command"',
    );
    expect(settingsError({ mcp: { servers: { fetch: { args: [] } } } }).message).toContain(
      'add command, or set transport to "sse", "streamable_http" or "websocket" and give its url',
    );
  });

  it('rejects a remote server without url', () => {
    expect(settingsError({ mcp: { servers: { remote: { transport: 'sse' } } } }).message).toContain(
      'mcp.servers.remote: an sse server needs "url", its endpoint (for example url: "http://localhost:8000/sse")',
    );
  });

  it('lists every problem, one per line, each starting with the source', () => {
    const error = settingsError({ execution_engine: 'celery', temporal: { port: 'abc' } }, 'app settings');
    expect(error.issues).toHaveLength(2);
    expect(error.message.split('\n')).toEqual([
      'app settings: execution_engine: expected one of "asyncio" or "temporal", got "celery"',
      'app settings: temporal.port: expected a number, got "abc"',
    ]);
  });

  it('rejects a top level that is not a mapping', () => {
    expect(settingsError(['execution_engine']).message).toBe(
      'settings: (root): expected a mapping of settings at the top level (for example "execution_engine: asyncio"), got a list',
    );
  });

  it('names the type expected for a section', () => {
    expect(settingsError({ mcp: [] }).issues).toEqual(['mcp: expected a mapping, got a list']);
    expect(settingsError({ workflow_task_modules: 'tasks' }).issues).toEqual(['workflow_task_modules: expected a list, got "tasks"']);
  });
});

describe('RetryPolicyConfigSchema', () => {
  it('keeps durations as written', () => {
    expect(
      RetryPolicyConfigSchema.parse({ initial_interval: '500ms', maximum_interval: '5 minutes', backoff_coefficient: 2, maximum_attempts: 0 }),
    ).toEqual({ initial_interval: '500ms', maximum_interval: '5 minutes', backoff_coefficient: 2, maximum_attempts: 0 });
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
      'temporal.retry_policy.initial_interval: expected a number of seconds or a duration like "500ms", "2s", "5 minutes" or "1h", got "5 fortnights"',
    ]);
  });

  it('rejects a backoff coefficient below 1 and a maximum interval below the initial one', () => {
    expect(
      settingsError({ temporal: { retry_policy: { backoff_coefficient: 0.5, initial_interval: '10s', maximum_interval: '1s' } } }).issues,
    ).toEqual([
      'temporal.retry_policy.backoff_coefficient: expected a number >= 1, got 0.5',
      'temporal.retry_policy.maximum_interval: expected at least initial_interval ("10s"), got "1s"',
    ]);
  });
});

describe('temporal.metrics', () => {
  it('takes a Prometheus bind address as ip:port', () => {
    for (const address of ['127.0.0.1:9464', '0.0.0.0:9464', '[::1]:9464', ' 10.0.0.5:65535 ']) {
      expect(parseSettings({ temporal: { metrics: { prometheus: { bind_address: address } } } }).temporal?.metrics, address).toEqual({
        prometheus: { bind_address: address.trim() },
      });
    }
  });

  it('rejects a bind address without a port, with a hostname or with a port out of range, naming the key', () => {
    for (const address of ['127.0.0.1', 'localhost:9464', '127.0.0.1:0', '127.0.0.1:70000', '256.0.0.1:9464', ':9464']) {
      expect(settingsError({ temporal: { metrics: { prometheus: { bind_address: address } } } }).issues, address).toEqual([
        `temporal.metrics.prometheus.bind_address: expected an IP address and port such as "127.0.0.1:9464", "0.0.0.0:9464" or "[::1]:9464" (a hostname is not accepted), got "${address}"`,
      ]);
    }
  });

  it('takes an OTLP collector instead, with its protocol and headers', () => {
    expect(parseSettings({ temporal: { metrics: { otlp: { url: 'http://localhost:4318/v1/metrics', http: 'true', headers: { 'x-key': 7 } } } } }).temporal?.metrics).toEqual({
      otlp: { url: 'http://localhost:4318/v1/metrics', http: true, headers: { 'x-key': '7' } },
    });
    expect(settingsError({ temporal: { metrics: { otlp: { url: 'collector:4317' } } } }).issues).toEqual([
      'temporal.metrics.otlp.url: expected an absolute http:// or https:// URL such as "http://localhost:4317", got "collector:4317"',
    ]);
  });

  it('wants exactly one exporter and rejects unknown keys', () => {
    expect(settingsError({ temporal: { metrics: {} } }).issues).toEqual([
      'temporal.metrics: give an exporter: prometheus: { bind_address: "127.0.0.1:9464" } or otlp: { url: ... }',
    ]);
    expect(
      settingsError({ temporal: { metrics: { prometheus: { bind_address: '127.0.0.1:9464' }, otlp: { url: 'http://localhost:4317' } } } }).issues,
    ).toEqual(['temporal.metrics: give one exporter, prometheus or otlp, not both']);
    expect(settingsError({ temporal: { metrics: { prometheus: { bind_adress: '127.0.0.1:9464' } } } }).issues.join('\n')).toContain(
      'temporal.metrics.prometheus: unknown key "bind_adress" (did you mean "bind_address"?)',
    );
    expect(settingsError({ temporal: { metrics: { prometheus: {} } } }).issues[0]).toContain('temporal.metrics.prometheus.bind_address:');
  });
});

describe('otel', () => {
  it('is absent unless configured, and off when given empty', () => {
    expect(parseSettings({}).otel).toBeUndefined();
    expect(parseSettings({ otel: {} }).otel).toEqual({ enabled: false });
  });

  it('reads the Python project\'s section, keeping keys it does not use', () => {
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
