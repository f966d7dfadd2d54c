import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigError } from '@mcp-agent/core';
import { parseSettings } from '@mcp-agent/core/config';
import { afterAll, describe, expect, it } from 'vitest';
import { connectionSettings, connectWithin, TemporalUnreachableError } from './connection-options.js';

describe('connection settings from the temporal section', () => {
  const directories: string[] = [];
  afterAll(async () => {
    await Promise.all(directories.map((directory) => rm(directory, { recursive: true, force: true })));
  });

  it('default to localhost:7233, namespace default, task queue mcp-agent, no TLS', () => {
    expect(connectionSettings(parseSettings({}, 's'), {})).toEqual({
      address: 'localhost:7233',
      namespace: 'default',
      taskQueue: 'mcp-agent',
      tls: undefined,
      apiKey: undefined,
      metadata: undefined,
    });
  });

  it('take host:port, namespace, task queue, metadata, and an API key that turns TLS on', () => {
    const settings = parseSettings(
      { temporal: { host: 'my-ns.a1b2c.tmprl.cloud:7233', namespace: 'my-ns.a1b2c', task_queue: 'agents', rpc_metadata: { 'x-team': 'ai' }, auth: { api_key: 'key-1' } } },
      's',
    );
    expect(connectionSettings(settings)).toEqual({
      address: 'my-ns.a1b2c.tmprl.cloud:7233',
      namespace: 'my-ns.a1b2c',
      taskQueue: 'agents',
      tls: true,
      apiKey: 'key-1',
      metadata: { 'x-team': 'ai' },
    });
  });

  it('read the certificates of mTLS, with the server name', async () => {
    const directory = await mkdtemp(path.join(tmpdir(), 'tls-'));
    directories.push(directory);
    for (const name of ['client.crt', 'client.key', 'ca.crt']) await writeFile(path.join(directory, name), `-----BEGIN ${name}-----\n`);
    const tls = connectionSettings(
      parseSettings(
        {
          temporal: {
            tls: {
              client_cert_path: path.join(directory, 'client.crt'),
              client_key_path: path.join(directory, 'client.key'),
              ca_cert_path: path.join(directory, 'ca.crt'),
              server_name: 'my-ns.tmprl.cloud',
            },
          },
        },
        's',
      ),
    ).tls as { serverNameOverride: string; serverRootCACertificate: Buffer; clientCertPair: { crt: Buffer; key: Buffer } };
    expect(tls.serverNameOverride).toBe('my-ns.tmprl.cloud');
    expect(tls.serverRootCACertificate.toString()).toContain('ca.crt');
    expect(tls.clientCertPair.crt.toString()).toContain('client.crt');
    expect(tls.clientCertPair.key.toString()).toContain('client.key');
  });

  it('name a certificate path that cannot be read, and refuse a certificate without its key', () => {
    const missing = path.join(tmpdir(), 'no-such-dir', 'client.crt');
    const settings = parseSettings({ temporal: { tls: { client_cert_path: missing, client_key_path: missing } } }, 's');
    expect(() => connectionSettings(settings)).toThrow(`temporal.tls.client_cert_path: cannot read "${missing}"`);
    const half = parseSettings({ temporal: { tls: { client_cert_path: missing } } }, 's');
    expect(() => connectionSettings(half)).toThrow(ConfigError);
    expect(() => connectionSettings(half)).toThrow('needs both client_cert_path and client_key_path');
  });
});

describe('connecting within a bound', () => {
  it('gives up after the bound with an error naming the address and how to start a server', async () => {
    const error = await connectWithin('10.255.255.1:7233', 50, () => new Promise<{ close(): Promise<void> }>(() => undefined)).catch((caught: unknown) => caught);
    expect(TemporalUnreachableError.is(error)).toBe(true);
    expect((error as Error).message).toContain('10.255.255.1:7233');
    expect((error as Error).message).toContain('no answer within 50 ms');
    expect((error as Error).message).toContain('temporal server start-dev');
  });
});
