// The codec server: Temporal's remote codec protocol over HTTP, CORS for the Web UI, a bearer
// token, clear errors; and the Temporal CLI itself using it to show and to send encrypted payloads.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { ConfigError, createLogger } from '@mcp-agent/core';
import { parseSettings } from '@mcp-agent/core/config';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTemporalEngine, deriveKeyId, EncryptionCodec, startCodecServer, startCodecServerFromSettings, type CodecServer, type TemporalExecutor } from '../src/index.js';
import { encryptionApp, type ReviewedDocumentWorkflow } from './fixtures/encryption-workflows.js';

const run = promisify(execFile);
const key = randomBytes(32);
const codec = new EncryptionCodec({ current: { id: deriveKeyId(key), key } });
const TOKEN = 'codec-token-93ab';
const DOCUMENT = 'board minutes, not for the server 4412';

const asJson = (payload: Payload) => ({
  metadata: Object.fromEntries(Object.entries(payload.metadata ?? {}).map(([name, value]) => [name, Buffer.from(value ?? []).toString('base64')])),
  data: Buffer.from(payload.data ?? []).toString('base64'),
});
const fromJson = (payload: { metadata: Record<string, string>; data: string }): Payload => ({
  metadata: Object.fromEntries(Object.entries(payload.metadata).map(([name, value]) => [name, Buffer.from(value, 'base64')])),
  data: Buffer.from(payload.data, 'base64'),
});

/** The payloads (objects with metadata.encoding and data, base64 in the CLI's JSON) of a history the CLI printed. */
function payloadsOf(output: string): Array<{ metadata: Record<string, string>; data: string }> {
  const found: Array<{ metadata: Record<string, string>; data: string }> = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (typeof node === 'object' && node !== null) {
      const candidate = node as { metadata?: Record<string, string>; data?: string };
      if (typeof candidate.metadata?.['encoding'] === 'string' && typeof candidate.data === 'string') found.push(candidate as { metadata: Record<string, string>; data: string });
      else Object.values(node).forEach(walk);
    }
  };
  walk(JSON.parse(output));
  return found;
}
const payloadTexts = (output: string) => payloadsOf(output).map((payload) => Buffer.from(payload.data, 'base64').toString('utf8'));
const payloadEncodings = (output: string) => payloadsOf(output).map((payload) => Buffer.from(payload.metadata['encoding'] ?? '', 'base64').toString('utf8'));

describe('codec server', () => {
  let server: CodecServer;
  const post = (route: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${server.url}${route}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}`, ...headers }, body: JSON.stringify(body) });

  beforeAll(async () => {
    server = await startCodecServer({ codec, port: 0, token: TOKEN });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('encodes and decodes payloads in the JSON form the Web UI sends', async () => {
    const encoded = (await (await post('/encode', { payloads: [asJson(defaultPayloadConverter.toPayload({ text: DOCUMENT }))] })).json()) as {
      payloads: Array<{ metadata: Record<string, string>; data: string }>;
    };
    const [first] = encoded.payloads;
    expect(Buffer.from(first?.metadata['encoding'] ?? '', 'base64').toString()).toBe('binary/encrypted');
    expect(Buffer.from(first?.data ?? '', 'base64').toString()).not.toContain(DOCUMENT);
    // The UI may put the namespace in the path.
    const decoded = (await (await post('/default/decode', encoded, { 'x-namespace': 'default' })).json()) as typeof encoded;
    expect(defaultPayloadConverter.fromPayload(fromJson(decoded.payloads[0] as (typeof decoded.payloads)[number]))).toEqual({ text: DOCUMENT });
  });

  it('answers the Web UI preflight for its origin, and refuses other origins', async () => {
    const preflight = await fetch(`${server.url}/decode`, {
      method: 'OPTIONS',
      headers: { origin: 'http://localhost:8233', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,x-namespace,authorization' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('http://localhost:8233');
    expect(preflight.headers.get('access-control-allow-headers')).toContain('Authorization');
    expect(preflight.headers.get('access-control-allow-credentials')).toBe('true');
    const other = await post('/decode', { payloads: [] }, { origin: 'https://elsewhere.example' });
    expect(other.status).toBe(403);
    expect(((await other.json()) as { message: string }).message).toContain('origin https://elsewhere.example is not allowed');
  });

  it('needs the bearer token', async () => {
    const missing = await fetch(`${server.url}/decode`, { method: 'POST', body: JSON.stringify({ payloads: [] }) });
    expect(missing.status).toBe(401);
    expect((await post('/decode', { payloads: [] }, { authorization: 'Bearer wrong' })).status).toBe(401);
  });

  it('names the problem: bad JSON, a wrong shape, an unknown path, a key it does not have', async () => {
    const badJson = await fetch(`${server.url}/decode`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` }, body: '{"payloads": [' });
    expect(badJson.status).toBe(400);
    expect(((await badJson.json()) as { message: string }).message).toContain('the body is not JSON');
    const shape = await post('/decode', { payload: [] });
    expect(shape.status).toBe(400);
    expect(((await shape.json()) as { message: string }).message).toContain('expected a body {"payloads": [...]}');
    expect((await post('/translate', { payloads: [] })).status).toBe(404);
    const otherKey = randomBytes(32);
    const [foreign] = await new EncryptionCodec({ current: { id: 'other-key', key: otherKey } }).encode([defaultPayloadConverter.toPayload('x')]);
    const refused = await post('/decode', { payloads: [asJson(foreign as Payload)] });
    expect(refused.status).toBe(422);
    expect(((await refused.json()) as { message: string }).message).toContain('key id "other-key"');
  });

  it('says when its port is taken, and refuses settings that do not encrypt', async () => {
    const error = await startCodecServer({ codec, port: server.port }).catch((caught: unknown) => caught);
    expect(ConfigError.is(error)).toBe(true);
    expect((error as Error).message).toContain(`port ${server.port} on 127.0.0.1 is in use`);
    await expect(startCodecServerFromSettings(parseSettings({}, 'test'), { port: 0 })).rejects.toThrow('nothing to decode');
  });

  it('refuses to listen beyond loopback without a token, unless told it is insecure', async () => {
    const refused = await startCodecServer({ codec, port: 0, host: '0.0.0.0' }).catch((caught: unknown) => caught);
    expect(ConfigError.is(refused)).toBe(true);
    expect((refused as Error).message).toBe(
      'codec server: listening on 0.0.0.0 without a token would decrypt payloads for anyone who can reach it; ' +
        'set a token (MCP_AGENT_CODEC_SERVER_TOKEN for mcp-agent codec-server), listen on 127.0.0.1, or pass --insecure (insecure: true) to accept the risk',
    );
    // With a token, or insecure on purpose, it listens (and warns about the latter).
    const warnings: string[] = [];
    const logger = { ...createLogger({ transports: ['none'] }), warn: (message: string) => void warnings.push(message) };
    for (const options of [{ token: TOKEN }, { insecure: true, logger }]) {
      const wide = await startCodecServer({ codec, port: 0, host: '0.0.0.0', ...options });
      await wide.close();
    }
    expect(warnings).toEqual(['codec server listens beyond loopback without a token: anyone who can reach it can decrypt payloads']);
    // Loopback needs no token: ::1 and 127.x too.
    const local = await startCodecServer({ codec, port: 0, host: '127.0.0.2' });
    await local.close();
  });
});

describe('the Temporal CLI through the codec server', { timeout: 120_000 }, () => {
  let server: CodecServer;
  let executor: TemporalExecutor;
  const taskQueue = `codec-cli-${process.pid}`;
  const settings = parseSettings({ execution_engine: 'temporal', temporal: { task_queue: taskQueue, data_converter: { encryption_key: key.toString('base64') } } }, 'codec-cli');
  const cli = (args: string[]) => run(inject('temporalCliPath'), [...args, '--address', inject('temporalAddress')], { encoding: 'utf8' });

  beforeAll(async () => {
    server = await startCodecServerFromSettings(settings, { port: 0, token: TOKEN });
    executor = (await createTemporalEngine({
      address: inject('temporalAddress'),
      worker: { workflowsPath: new URL('./fixtures/encryption-workflows.ts', import.meta.url), taskQueue },
    }).createExecutor({ appName: encryptionApp.name, registry: encryptionApp.registry, settings, logger: createLogger({ transports: ['none'] }) })) as TemporalExecutor;
  });
  afterAll(async () => {
    await executor?.close();
    await server?.close();
  });

  it('shows a history decrypted only with the codec endpoint, and encrypts input the CLI sends', async () => {
    const workflowId = `codec-cli-${Date.now()}`;
    // The CLI starts the workflow; its input goes through POST /encode, so the worker can decrypt it.
    await cli([
      'workflow',
      'start',
      '--type',
      'ReviewedDocumentWorkflow',
      '--task-queue',
      taskQueue,
      '--workflow-id',
      workflowId,
      '--input',
      JSON.stringify(DOCUMENT),
      '--codec-endpoint',
      server.url,
      '--codec-auth',
      `Bearer ${TOKEN}`,
    ]);
    const handle = executor.getHandle<ReviewedDocumentWorkflow>(workflowId);
    await handle.signal('review', 'ok');
    expect((await handle.result()).value).toEqual({ document: DOCUMENT, note: 'ok' });
    const plain = await cli(['workflow', 'show', '--workflow-id', workflowId, '--output', 'json']);
    expect(payloadTexts(plain.stdout).join('\n')).not.toContain(DOCUMENT);
    expect(new Set(payloadEncodings(plain.stdout))).toEqual(new Set(['binary/encrypted']));
    const decoded = await cli(['workflow', 'show', '--workflow-id', workflowId, '--output', 'json', '--codec-endpoint', server.url, '--codec-auth', `Bearer ${TOKEN}`]);
    expect(payloadTexts(decoded.stdout).join('\n')).toContain(DOCUMENT);
    expect(new Set(payloadEncodings(decoded.stdout))).toEqual(new Set(['json/plain']));
  });
});
