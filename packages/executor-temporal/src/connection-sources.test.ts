// Where the connection comes from: the config file, Temporal's environment variables, a
// temporal.toml profile, or the defaults — the config file winning where both are set.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigError, createLogger } from '@mcp-agent/core';
import { WorkflowRegistry } from '@mcp-agent/core/engine';
import { parseSettings } from '@mcp-agent/core/config';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTemporalEngine } from './engine.js';
import { connectionSettings, resolveConnection } from './connection-options.js';

describe('connection settings from the config file, the environment and temporal.toml', () => {
  let directory: string;
  let profiles: string;
  beforeAll(async () => {
    directory = await mkdtemp(path.join(tmpdir(), 'envconfig-'));
    profiles = path.join(directory, 'temporal.toml');
    await writeFile(path.join(directory, 'ca.pem'), '-----BEGIN CERTIFICATE-----\nprofile-ca\n');
    await writeFile(
      profiles,
      [
        '[profile.default]',
        'address = "default-profile.example:7233"',
        'namespace = "from-default-profile"',
        '',
        '[profile.prod]',
        'address = "prod.tmprl.cloud:7233"',
        'namespace = "prod.a1b2c"',
        'api_key = "profile-key"',
        '[profile.prod.tls]',
        `server_ca_cert_path = "${path.join(directory, 'ca.pem')}"`,
        'server_name = "prod.internal"',
        '[profile.prod.grpc_meta]',
        'x-team = "agents"',
      ].join('\n'),
    );
  });
  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it('take the defaults, from no file and no environment', () => {
    expect(resolveConnection(parseSettings({}, 's'), {})).toEqual({
      connection: { address: 'localhost:7233', namespace: 'default', taskQueue: 'mcp-agent', tls: undefined, apiKey: undefined, metadata: undefined },
      sources: { address: 'default', namespace: 'default', apiKey: 'default', tls: 'default', metadata: 'default' },
    });
  });

  it('read TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE and TEMPORAL_API_KEY (the key turning TLS on)', () => {
    const env = { TEMPORAL_ADDRESS: 'env.example:7233', TEMPORAL_NAMESPACE: 'env-ns', TEMPORAL_API_KEY: 'env-key' };
    const { connection, sources } = resolveConnection(parseSettings({ temporal: { task_queue: 'agents' } }, 's'), env);
    expect(connection).toEqual({ address: 'env.example:7233', namespace: 'env-ns', taskQueue: 'agents', tls: true, apiKey: 'env-key', metadata: undefined });
    expect(sources).toEqual({
      address: 'environment variable TEMPORAL_ADDRESS',
      namespace: 'environment variable TEMPORAL_NAMESPACE',
      apiKey: 'environment variable TEMPORAL_API_KEY',
      tls: 'implied by the API key',
      metadata: 'default',
    });
  });

  it('let the config file win over the environment where both are set', () => {
    const settings = parseSettings({ temporal: { host: 'file.example', port: 7300, namespace: 'file-ns', tls: false } }, 's');
    const env = { TEMPORAL_ADDRESS: 'env.example:7233', TEMPORAL_NAMESPACE: 'env-ns', TEMPORAL_API_KEY: 'env-key', TEMPORAL_TLS: 'true' };
    const { connection, sources } = resolveConnection(settings, env);
    expect(connection).toMatchObject({ address: 'file.example:7300', namespace: 'file-ns', tls: false, apiKey: 'env-key' });
    expect(sources).toMatchObject({ address: 'config file', namespace: 'config file', tls: 'config file', apiKey: 'environment variable TEMPORAL_API_KEY' });
  });

  it('count a port alone as the address given, and a namespace written as "default" as given', () => {
    const settings = parseSettings({ temporal: { port: 7300, namespace: 'default' } }, 's');
    const { connection, sources } = resolveConnection(settings, { TEMPORAL_ADDRESS: 'env.example:7233', TEMPORAL_NAMESPACE: 'env-ns' });
    expect(connection).toMatchObject({ address: 'localhost:7300', namespace: 'default' });
    expect(sources).toMatchObject({ address: 'config file', namespace: 'config file' });
  });

  it('read the profile named by TEMPORAL_PROFILE from TEMPORAL_CONFIG_FILE, with its TLS files and metadata', () => {
    const { connection, sources } = resolveConnection(parseSettings({}, 's'), { TEMPORAL_CONFIG_FILE: profiles, TEMPORAL_PROFILE: 'prod' });
    const profile = `profile "prod" in ${profiles}`;
    expect(connection).toMatchObject({ address: 'prod.tmprl.cloud:7233', namespace: 'prod.a1b2c', apiKey: 'profile-key', metadata: { 'x-team': 'agents' } });
    const tls = connection.tls as { serverNameOverride: string; serverRootCACertificate: Buffer };
    expect(tls.serverNameOverride).toBe('prod.internal');
    expect(tls.serverRootCACertificate.toString()).toContain('profile-ca');
    expect(sources).toEqual({ address: profile, namespace: profile, apiKey: profile, tls: profile, metadata: profile });
  });

  it('take the default profile, the environment over it, and the config file over both', () => {
    const settings = parseSettings({ temporal: { namespace: 'file-ns' } }, 's');
    const { connection, sources } = resolveConnection(settings, { TEMPORAL_CONFIG_FILE: profiles, TEMPORAL_ADDRESS: 'env.example:7233', TEMPORAL_GRPC_META_X_TRACE: 'on' });
    expect(connection).toMatchObject({ address: 'env.example:7233', namespace: 'file-ns', tls: undefined, metadata: { 'x-trace': 'on' } });
    expect(sources).toMatchObject({ address: 'environment variable TEMPORAL_ADDRESS', namespace: 'config file', metadata: 'environment variable TEMPORAL_GRPC_META_X_TRACE' });
    const profileOnly = resolveConnection(parseSettings({}, 's'), { TEMPORAL_CONFIG_FILE: profiles });
    expect(profileOnly.connection.namespace).toBe('from-default-profile');
    expect(profileOnly.sources.namespace).toBe(`profile "default" in ${profiles}`);
  });

  it('read temporal.toml from the user config folder when TEMPORAL_CONFIG_FILE is not set', async () => {
    const folder = path.join(directory, 'xdg', 'temporalio');
    await mkdir(folder, { recursive: true });
    await writeFile(path.join(folder, 'temporal.toml'), '[profile.default]\naddress = "xdg.example:7233"\n');
    const { connection, sources } = resolveConnection(parseSettings({}, 's'), { XDG_CONFIG_HOME: path.join(directory, 'xdg'), HOME: directory });
    expect(connection.address).toBe(process.platform === 'linux' ? 'xdg.example:7233' : 'localhost:7233');
    if (process.platform === 'linux') expect(sources.address).toBe(`profile "default" in ${path.join(folder, 'temporal.toml')}`);
  });

  it('refuse a profile that is not there, and an unreadable profile certificate, naming the profile', async () => {
    expect(() => connectionSettings(parseSettings({}, 's'), { TEMPORAL_CONFIG_FILE: profiles, TEMPORAL_PROFILE: 'staging' })).toThrow(
      new ConfigError(`cannot read the Temporal profile "staging" in ${profiles}: Profile 'staging' not found in config data`),
    );
    const broken = path.join(directory, 'broken.toml');
    await writeFile(broken, `[profile.default]\naddress = "x:7233"\n[profile.default.tls]\nserver_ca_cert_path = "${path.join(directory, 'missing.pem')}"\n`);
    const error = (() => {
      try {
        connectionSettings(parseSettings({}, 's'), { TEMPORAL_CONFIG_FILE: broken });
      } catch (caught) {
        return caught;
      }
    })();
    expect(ConfigError.is(error)).toBe(true);
    expect((error as Error).message).toContain(`profile "default" in ${broken}`);
    expect((error as Error).message).toContain('missing.pem');
  });

  it('let the address given to createTemporalEngine win over TEMPORAL_ADDRESS', async () => {
    const previous = process.env['TEMPORAL_ADDRESS'];
    process.env['TEMPORAL_ADDRESS'] = '10.255.255.1:7233';
    try {
      const engine = createTemporalEngine({ address: '127.0.0.1:1', connectTimeoutMs: 200 });
      const options = { appName: 'sources', registry: new WorkflowRegistry(), settings: parseSettings({}, 's'), logger: createLogger({ level: 'error' }) };
      const error = await Promise.resolve(engine.createExecutor(options)).catch((caught: unknown) => caught);
      expect((error as Error).message).toContain('127.0.0.1:1');
    } finally {
      if (previous === undefined) delete process.env['TEMPORAL_ADDRESS'];
      else process.env['TEMPORAL_ADDRESS'] = previous;
    }
  });
});
