// The temporal section this package owns, validated through core's loader once registered:
// host and port, API keys, TLS, metrics, defaults, and a whole Python-style Temporal Cloud file.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ConfigError } from '@mcp-agent/core';
import { loadSettings, parseSettings, type LoadSettingsOptions } from '@mcp-agent/core/config';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import './config.js';

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

let directory: string;
beforeEach(async () => {
  directory = await mkdtemp(path.join(os.tmpdir(), 'mcp-agent-temporal-config-'));
});
afterEach(async () => {
  await rm(directory, { recursive: true, force: true });
});

/** Writes `text` to a file of the test directory. */
async function write(name: string, text: string): Promise<void> {
  await writeFile(path.join(directory, name), text);
}

/** Loads with the test directory as cwd and the given environment. */
function load(options: LoadSettingsOptions = {}) {
  return loadSettings({ cwd: directory, env: {}, ...options });
}

describe('the temporal section', () => {
  it('applies temporal defaults when the section is present', () => {
    expect(parseSettings({ temporal: {} }).temporal).toEqual({
      host: 'localhost',
      port: 7233,
      namespace: 'default',
      task_queue: 'mcp-agent',
      id_reuse_policy: 'allow_duplicate',
    });
  });
  it('names the value of a port that is not a number', () => {
    const error = settingsError({ temporal: { port: 'abc' } });
    expect(error.message).toBe('settings: temporal.port: expected a number, got "abc"');
    expect(error.issues).toEqual(['temporal.port: expected a number, got "abc"']);
    expect(error.code).toBe('CONFIG_INVALID');
  });
  it('names the allowed range of a port', () => {
    expect(settingsError({ temporal: { port: 70000 } }).issues).toEqual(['temporal.port: expected an integer from 1 to 65535, got 70000']);
  });
  it('takes a heartbeat timeout in seconds, 0 to turn it off, and names a negative one', () => {
    expect(parseSettings({ temporal: { heartbeat_timeout_seconds: '3' } }).temporal?.heartbeat_timeout_seconds).toBe(3);
    expect(parseSettings({ temporal: { heartbeat_timeout_seconds: 0 } }).temporal?.heartbeat_timeout_seconds).toBe(0);
    expect(settingsError({ temporal: { heartbeat_timeout_seconds: -1 } }).issues).toEqual(['temporal.heartbeat_timeout_seconds: expected a number >= 0 (0 turns it off), got -1']);
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
    expect(error.message).toBe('settings: temporal.port: temporal.host "example.com:7233" includes port 7233 but temporal.port is 7234; give the port in one place only');
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
    expect(settingsError({ temporal: { tls: { client_cert: 'client.pem' } } }).message).toContain('temporal.tls: unknown key "client_cert" (did you mean "client_cert_path"?)');
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
    expect(settingsError({ temporal: { metrics: {} } }).issues).toEqual(['temporal.metrics: give an exporter: prometheus: { bind_address: "127.0.0.1:9464" } or otlp: { url: ... }']);
    expect(settingsError({ temporal: { metrics: { prometheus: { bind_address: '127.0.0.1:9464' }, otlp: { url: 'http://localhost:4317' } } } }).issues).toEqual([
      'temporal.metrics: give one exporter, prometheus or otlp, not both',
    ]);
    expect(settingsError({ temporal: { metrics: { prometheus: { bind_adress: '127.0.0.1:9464' } } } }).issues.join('\n')).toContain(
      'temporal.metrics.prometheus: unknown key "bind_adress" (did you mean "bind_address"?)',
    );
    expect(settingsError({ temporal: { metrics: { prometheus: {} } } }).issues[0]).toContain('temporal.metrics.prometheus.bind_address:');
  });
});

describe('a Python-style Temporal Cloud config', () => {
  it('loads every section', async () => {
    await write(
      'mcp_agent.config.yaml',
      `
$schema: ../../schema/mcp-agent.config.schema.json

execution_engine: temporal

temporal:
  host: "my-namespace.a1b2c.tmprl.cloud:7233"
  namespace: "my-namespace.a1b2c"
  task_queue: "agent-tasks"
  max_concurrent_activities: 20
  timeout_seconds: 60
  id_reuse_policy: reject_duplicate
  tls:
    client_cert_path: "/etc/temporal/client.pem"
    client_key_path: "/etc/temporal/client.key"
  rpc_metadata:
    temporal-namespace: "my-namespace.a1b2c"
  data_converter:
    encryption_key: "\${PAYLOAD_ENCRYPTION_KEY}"
    codec: aes256gcm
    compress: true
  retry_policy:
    initial_interval: 1
    backoff_coefficient: 2.0
    maximum_interval: "100s"
    maximum_attempts: 5
    non_retryable_error_types: ["ValueError", "PermissionError"]

workflow_task_modules:
  - my_package.tasks

workflow_task_retry_policies:
  my_package.tasks.my_activity:
    maximum_attempts: 1
  "my_package.tasks.*":
    initial_interval: "500ms"
    maximum_interval: "5 minutes"

logger:
  transports: [console, file]
  level: warning
  path: "logs/mcp-agent.jsonl"
  progress_display: false

mcp:
  servers:
    fetch:
      command: "uvx"
      args: ["mcp-server-fetch"]
      description: "Fetch web pages"
    filesystem:
      command: "npx"
      args: ["-y", "@modelcontextprotocol/server-filesystem", "."]
      env:
        DEBUG: 1
    remote_search:
      transport: sse
      url: "https://search.example.com/sse"
      headers:
        Authorization: "Bearer \${SEARCH_TOKEN:-anonymous}"
      read_timeout_seconds: 30

openai:
  default_model: gpt-4o-mini

otel:
  enabled: false
`,
    );
    await write('mcp_agent.secrets.yaml', 'temporal:\n  api_key: "tc-secret"\nopenai:\n  api_key: "sk-secret"\n');

    const { settings } = load({ env: { PAYLOAD_ENCRYPTION_KEY: 'base64-key' } });

    expect(settings.execution_engine).toBe('temporal');
    expect(settings.temporal).toEqual({
      host: 'my-namespace.a1b2c.tmprl.cloud',
      port: 7233,
      namespace: 'my-namespace.a1b2c',
      task_queue: 'agent-tasks',
      max_concurrent_activities: 20,
      timeout_seconds: 60,
      id_reuse_policy: 'reject_duplicate',
      api_key: 'tc-secret',
      tls: { client_cert_path: '/etc/temporal/client.pem', client_key_path: '/etc/temporal/client.key' },
      rpc_metadata: { 'temporal-namespace': 'my-namespace.a1b2c' },
      data_converter: { encryption_key: 'base64-key', codec: 'aes256gcm', compress: true },
      retry_policy: {
        initial_interval: 1,
        backoff_coefficient: 2,
        maximum_interval: '100s',
        maximum_attempts: 5,
        non_retryable_error_types: ['ValueError', 'PermissionError'],
      },
    });
    expect(settings.workflow_task_modules).toEqual(['my_package.tasks']);
    expect(settings.workflow_task_retry_policies).toEqual({
      'my_package.tasks.my_activity': { maximum_attempts: 1 },
      'my_package.tasks.*': { initial_interval: '500ms', maximum_interval: '5 minutes' },
    });
    expect(settings.logger).toEqual({ transports: ['console', 'file'], level: 'warning', path: 'logs/mcp-agent.jsonl', progress_display: false });
    expect(settings.mcp.servers['fetch']).toEqual({ command: 'uvx', args: ['mcp-server-fetch'], description: 'Fetch web pages', transport: 'stdio' });
    expect(settings.mcp.servers['filesystem']?.env).toEqual({ DEBUG: '1' });
    expect(settings.mcp.servers['remote_search']).toEqual({
      transport: 'sse',
      url: 'https://search.example.com/sse',
      headers: { Authorization: 'Bearer anonymous' },
      read_timeout_seconds: 30,
    });
    expect(settings.openai).toEqual({ default_model: 'gpt-4o-mini', api_key: 'sk-secret' });
    expect(settings['otel']).toEqual({ enabled: false });
    expect(settings['$schema']).toBe('../../schema/mcp-agent.config.schema.json');
  });
});

describe('temporal section through the loader', () => {
  it('names the file and the variable behind a bad port', async () => {
    await write('mcp_agent.config.yaml', 'temporal: {}\n');
    const error = (() => {
      try {
        load({ env: { TEMPORAL__PORT: 'abc' } });
      } catch (caught) {
        return caught as Error;
      }
      throw new Error('expected loadSettings to throw');
    })();
    expect(error.message).toBe('mcp_agent.config.yaml: temporal.port: expected a number, got "abc" (from environment variable TEMPORAL__PORT)');
  });

  it('reads yes/no booleans and splits host:port from the environment', async () => {
    await write('mcp_agent.config.yaml', 'temporal:\n  tls: yes\n  data_converter:\n    compress: off\n');
    expect(load({ env: { TEMPORAL__HOST: 'temporal.internal:7234' } }).settings.temporal).toMatchObject({
      host: 'temporal.internal',
      port: 7234,
      tls: true,
      data_converter: { compress: false },
    });
  });
});
