// TLS, mTLS and API keys from the `temporal` settings, on a real server: the dev server behind a
// TLS proxy on loopback, with certificates made by openssl at the start. The client and the
// in-process worker both connect through it, and every good case runs a workflow end to end.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigError, createLogger } from '@mcp-agent/core';
import { parseSettings, type Settings } from '@mcp-agent/core/config';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTemporalEngine, createTemporalWorker, TemporalAuthError, TemporalUnreachableError, type TemporalExecutor } from '../src/index.js';
import { GreetWorkflow, tlsApp } from './fixtures/tls-workflows.js';
import { startTlsProxy, type TlsProxy, type TlsProxyOptions } from './support/tls-proxy.js';

const address = inject('temporalAddress');
const logger = createLogger({ transports: ['none'] });
const SERVER_NAME = 'temporal.test';

// openssl's extensions for each kind of certificate, so the test does not depend on the system's openssl.cnf.
const OPENSSL_CONFIG = `
[req]
distinguished_name = dn
prompt = no
[dn]
[ca]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[server]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:${SERVER_NAME},IP:127.0.0.1
authorityKeyIdentifier = keyid
[client]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = clientAuth
authorityKeyIdentifier = keyid
`;

/** Paths of the PEM files made by {@link makeCertificates}. */
interface Certificates {
  ca: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  /** A CA that signed none of the above. */
  otherCa: string;
}

/** Makes the certificates in `directory`: P-256 keys (quick to make), valid for a day. */
function makeCertificates(directory: string): Certificates {
  const config = path.join(directory, 'openssl.cnf');
  writeFileSync(config, OPENSSL_CONFIG);
  const file = (name: string): string => path.join(directory, name);
  const openssl = (...args: string[]): void => {
    execFileSync('openssl', args, { cwd: directory, stdio: 'pipe' });
  };
  const newKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  const makeCa = (name: string): void => {
    openssl('req', '-x509', '-new', '-config', config, '-extensions', 'ca', ...newKey, '-keyout', file(`${name}.key`), '-out', file(`${name}.crt`), '-days', '1', '-subj', `/CN=${name}`);
  };
  let serial = 1;
  const makeLeaf = (name: string, kind: 'server' | 'client', commonName: string): void => {
    openssl('req', '-new', '-config', config, ...newKey, '-keyout', file(`${name}.key`), '-out', file(`${name}.csr`), '-subj', `/CN=${commonName}`);
    serial += 1;
    openssl(
      'x509',
      '-req',
      '-in',
      file(`${name}.csr`),
      '-CA',
      file('ca.crt'),
      '-CAkey',
      file('ca.key'),
      '-set_serial',
      String(serial),
      '-days',
      '1',
      '-extfile',
      config,
      '-extensions',
      kind,
      '-out',
      file(`${name}.crt`),
    );
  };
  makeCa('ca');
  makeCa('other-ca');
  makeLeaf('server', 'server', SERVER_NAME);
  makeLeaf('client', 'client', 'mcp-agent test client');
  return {
    ca: file('ca.crt'),
    serverCert: file('server.crt'),
    serverKey: file('server.key'),
    clientCert: file('client.crt'),
    clientKey: file('client.key'),
    otherCa: file('other-ca.crt'),
  };
}

async function failureOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

/** The messages of an error and of its causes, outermost first. */
function messageChain(error: unknown): string[] {
  const messages: string[] = [];
  for (let current = error; current instanceof Error; current = current.cause) messages.push(current.message);
  return messages;
}

/** The `temporal` settings of a connection to the proxy on `port`. */
function settingsFor(port: number, temporal: Record<string, unknown>): Settings {
  return parseSettings({ execution_engine: 'temporal', temporal: { host: '127.0.0.1', port, ...temporal } }, 'tls test');
}

/** A worker alone, from the settings: its connection is made before the bundle is looked at. */
function workerFor(settings: Settings): Promise<unknown> {
  return createTemporalWorker({ registry: tlsApp.registry, settings, logger }, { workflowBundle: { code: 'unused: the connection fails first' } });
}

/** The bound on the client's connection in the cases that fail; the worker's is the product's 10 s. */
const FAILING_CONNECT_MS = 3_000;

describe('TLS, mTLS and API keys through a TLS proxy', { timeout: 30_000 }, () => {
  let directory: string | undefined;
  let certificates: Certificates;
  /** Server TLS only; mTLS (a client certificate signed by the CA required); server TLS and an API key. */
  let tlsProxy: TlsProxy;
  let mtlsProxy: TlsProxy;
  let apiKeyProxy: TlsProxy;
  const proxies: TlsProxy[] = [];
  const executors: TemporalExecutor[] = [];

  async function startProxy(options: Partial<TlsProxyOptions> = {}): Promise<TlsProxy> {
    const proxy = await startTlsProxy({ upstream: address, key: readFileSync(certificates.serverKey), cert: readFileSync(certificates.serverCert), ...options });
    proxies.push(proxy);
    return proxy;
  }

  beforeAll(async () => {
    directory = mkdtempSync(path.join(tmpdir(), 'mcp-agent-tls-'));
    certificates = makeCertificates(directory);
    tlsProxy = await startProxy();
    mtlsProxy = await startProxy({ ca: readFileSync(certificates.ca), requireClientCert: true });
    apiKeyProxy = await startProxy({ apiKey: 'key-123' });
  });

  afterAll(async () => {
    for (const executor of executors) await executor.close().catch(() => undefined);
    for (const proxy of proxies) await proxy.close();
    if (directory !== undefined) rmSync(directory, { recursive: true, force: true });
  });

  /** An executor with an in-process worker, the client and the worker each connecting with `settings`. */
  async function connect(settings: Settings, connectTimeoutMs = 10_000): Promise<TemporalExecutor> {
    const executor = (await createTemporalEngine({
      connectTimeoutMs,
      worker: { workflowsPath: new URL('./fixtures/tls-workflows.ts', import.meta.url), taskQueue: `tls-${process.pid}-${settings.temporal?.port}` },
    }).createExecutor({ appName: tlsApp.name, registry: tlsApp.registry, settings, logger })) as TemporalExecutor;
    executors.push(executor);
    return executor;
  }

  /** Runs the greeting workflow to its end through `settings`, then closes the executor and its worker. */
  async function greet(settings: Settings, name: string): Promise<string | undefined> {
    const executor = await connect(settings);
    try {
      return (await executor.executeWorkflow(GreetWorkflow, name, { workflowId: `tls-${name}-${Date.now()}` })).value;
    } finally {
      await executor.close();
    }
  }

  /** The client's failure to connect with `settings`, checked to come within its bound. */
  async function clientFailure(settings: Settings): Promise<Error> {
    const started = Date.now();
    const error = await failureOf(connect(settings, FAILING_CONNECT_MS));
    expect(Date.now() - started).toBeLessThan(FAILING_CONNECT_MS + 2_000);
    return error;
  }

  /** The client's calls and the worker's: the workflow's start, and both kinds of task polled and answered. */
  const CLIENT_AND_WORKER_CALLS = ['StartWorkflowExecution', 'PollWorkflowTaskQueue', 'RespondWorkflowTaskCompleted', 'PollActivityTaskQueue', 'RespondActivityTaskCompleted'];

  it('server TLS: trusts the server by the CA and server name of the settings, for the client and the worker', async () => {
    const settings = settingsFor(tlsProxy.port, { tls: { ca_cert_path: certificates.ca, server_name: SERVER_NAME } });
    expect(await greet(settings, 'tls')).toBe('hello tls');
    // Only TLS reaches this port, so every call of the run crossed it encrypted.
    expect(tlsProxy.forwarded).toEqual(expect.arrayContaining(CLIENT_AND_WORKER_CALLS));
    expect(tlsProxy.tlsErrors).toEqual([]);
  });

  it('mTLS: presents the client certificate of the settings, for the client and the worker', async () => {
    const settings = settingsFor(mtlsProxy.port, {
      tls: { ca_cert_path: certificates.ca, server_name: SERVER_NAME, client_cert_path: certificates.clientCert, client_key_path: certificates.clientKey },
    });
    expect(await greet(settings, 'mtls')).toBe('hello mtls');
    expect(mtlsProxy.forwarded).toEqual(expect.arrayContaining(CLIENT_AND_WORKER_CALLS));
    expect(mtlsProxy.tlsErrors).toEqual([]);
  });

  it('mTLS without a client certificate: the client fails within its bound, the worker at once, naming the refusal', async () => {
    const settings = settingsFor(mtlsProxy.port, { tls: { ca_cert_path: certificates.ca, server_name: SERVER_NAME } });
    const client = await clientFailure(settings);
    expect(TemporalUnreachableError.is(client)).toBe(true);
    expect(client.message).toContain(`127.0.0.1:${mtlsProxy.port}`);
    // The client (grpc-js) keeps the handshake's reason to itself: a probe with Node's TLS learns it.
    expect(client.message).toContain('TLS: the server requires a client certificate: set temporal.tls.client_cert_path and temporal.tls.client_key_path');
    expect(client.message).not.toContain('temporal server start-dev');
    expect(mtlsProxy.tlsErrors.some((message) => message.includes('peer did not return a certificate'))).toBe(true);
    const worker = await failureOf(workerFor(settings));
    expect(TemporalUnreachableError.is(worker)).toBe(true);
    // The worker's client usually reports the server's alert; when the server closes first, the probe finds it.
    expect(worker.message).toContain('TLS: the server requires a client certificate: set temporal.tls.client_cert_path');
  });

  it('a CA that did not sign the server certificate: the client fails within its bound, the worker at once, naming the unknown issuer', async () => {
    const settings = settingsFor(tlsProxy.port, { tls: { ca_cert_path: certificates.otherCa, server_name: SERVER_NAME } });
    const calls = tlsProxy.forwarded.length;
    const client = await clientFailure(settings);
    expect(TemporalUnreachableError.is(client)).toBe(true);
    expect(client.message).toContain(`127.0.0.1:${tlsProxy.port}`);
    expect(client.message).toContain("TLS: the server's certificate is not signed by a CA this client trusts: set temporal.tls.ca_cert_path");
    const worker = await failureOf(workerFor(settings));
    expect(TemporalUnreachableError.is(worker)).toBe(true);
    expect(worker.message).toContain('InvalidCertificate(UnknownIssuer)');
    expect(worker.message).toContain("TLS: the server's certificate is not signed by a CA this client trusts");
    // Not a single call got through.
    expect(tlsProxy.forwarded.length).toBe(calls);
  });

  it('API key: sends `Bearer <api_key>` on every call of the client and the worker', async () => {
    const settings = settingsFor(apiKeyProxy.port, { tls: { ca_cert_path: certificates.ca, server_name: SERVER_NAME }, api_key: 'key-123' });
    expect(await greet(settings, 'api-key')).toBe('hello api-key');
    // The proxy forwards only calls with the right key, and refused none.
    expect(apiKeyProxy.forwarded).toEqual(expect.arrayContaining(CLIENT_AND_WORKER_CALLS));
    expect(apiKeyProxy.refused).toEqual([]);
  });

  it("a wrong API key: the client and the worker fail at once with the server's UNAUTHENTICATED answer", async () => {
    const settings = settingsFor(apiKeyProxy.port, { tls: { ca_cert_path: certificates.ca, server_name: SERVER_NAME }, api_key: 'key-999' });
    const client = await clientFailure(settings);
    expect(TemporalAuthError.is(client)).toBe(true);
    expect(client.message).toContain(`the Temporal server at 127.0.0.1:${apiKeyProxy.port} refused the credentials: 16 UNAUTHENTICATED: the proxy refused the API key`);
    expect(client.message).toContain('Check temporal.api_key');
    expect((client as TemporalAuthError).retryable).toBe(false);
    expect(messageChain(client)).toContain('16 UNAUTHENTICATED: the proxy refused the API key');
    const worker = await failureOf(workerFor(settings));
    expect(TemporalAuthError.is(worker)).toBe(true);
    expect(worker.message).toContain('the proxy refused the API key');
    // Both gave up at their first call, the check of the server.
    expect(new Set(apiKeyProxy.refused)).toEqual(new Set(['GetSystemInfo']));
  });

  it('a certificate path that cannot be read: a ConfigError naming the setting and the path, before any connection', async () => {
    const missing = path.join(directory as string, 'missing.crt');
    const error = await failureOf(connect(settingsFor(tlsProxy.port, { tls: { ca_cert_path: missing, server_name: SERVER_NAME } })));
    expect(ConfigError.is(error)).toBe(true);
    expect(error.message).toContain(`temporal.tls.ca_cert_path: cannot read "${missing}"`);
  });
});
