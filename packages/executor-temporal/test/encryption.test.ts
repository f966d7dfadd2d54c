// Payload encryption on the dev server: the server holds no document text (inputs, signals,
// results, failures), keys rotate with runs in flight, a wrong key names its key id, and a missing
// key refuses to start.
import { randomBytes } from 'node:crypto';
import { Client } from '@temporalio/client';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { ConfigError, createLogger, WorkflowFailedError } from '@mcp-agent/core';
import { parseSettings, type Settings } from '@mcp-agent/core/config';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  createTemporalEngine,
  createTemporalWorker,
  deriveKeyId,
  encryptionCodecFromSettings,
  fetchWorkflowHistory,
  KEY_ID_METADATA,
  PayloadDecryptionError,
  replayWorkflowHistories,
  type TemporalExecutor,
} from '../src/index.js';
import { encryptionApp, FailingDocumentWorkflow, ReviewedDocumentWorkflow } from './fixtures/encryption-workflows.js';

const DOCUMENT = 'CONFIDENTIAL merger terms 7731';
const NOTE = 'approved by counsel 5520';
const workflowsPath = new URL('./fixtures/encryption-workflows.ts', import.meta.url);
const logger = createLogger({ transports: ['none'] });
const keyA = randomBytes(32).toString('base64');
const keyB = randomBytes(32).toString('base64');
const keyC = randomBytes(32).toString('hex');
const idOf = (key: string) => deriveKeyId(Buffer.from(key, key.length === 64 ? 'hex' : 'base64'));

function settingsWith(dataConverter: Record<string, unknown>, taskQueue: string): Settings {
  return parseSettings({ execution_engine: 'temporal', temporal: { task_queue: taskQueue, data_converter: dataConverter } }, 'encryption');
}

async function executorFor(settings: Settings, withWorker: boolean): Promise<TemporalExecutor> {
  const taskQueue = settings.temporal?.task_queue ?? 'mcp-agent';
  return (await createTemporalEngine({ address: inject('temporalAddress'), ...(withWorker ? { worker: { workflowsPath, taskQueue } } : {}) }).createExecutor({
    appName: encryptionApp.name,
    registry: encryptionApp.registry,
    settings,
    logger,
  })) as TemporalExecutor;
}

/** Every string and byte string of a history as the server keeps it, read without any codec. */
async function rawHistoryText(client: Client, workflowId: string): Promise<string> {
  const raw = new Client({ connection: client.connection, namespace: client.options.namespace });
  const texts: string[] = [];
  const walk = (value: unknown): void => {
    if (value instanceof Uint8Array) texts.push(Buffer.from(value).toString('utf8'));
    else if (typeof value === 'string') texts.push(value);
    else if (Array.isArray(value)) value.forEach(walk);
    else if (typeof value === 'object' && value !== null) Object.values(value).forEach(walk);
  };
  walk(await fetchWorkflowHistory(raw, workflowId));
  return texts.join('\n');
}

/** The key ids named by the payloads of a history. */
async function keyIdsIn(client: Client, workflowId: string): Promise<Set<string>> {
  const ids = new Set<string>();
  const walk = (value: unknown): void => {
    if (value === null || typeof value !== 'object' || value instanceof Uint8Array) return;
    const metadata = (value as { metadata?: Record<string, Uint8Array> }).metadata;
    const id = metadata?.[KEY_ID_METADATA];
    if (id instanceof Uint8Array) ids.add(Buffer.from(id).toString('utf8'));
    Object.values(value).forEach(walk);
  };
  walk(await fetchWorkflowHistory(client, workflowId));
  return ids;
}

describe('payload encryption on the server', { timeout: 120_000 }, () => {
  const queue = `encryption-${process.pid}`;
  const settingsA = settingsWith({ encryption_key: keyA, compress: true }, queue);
  const settingsB = settingsWith({ encryption_key: keyB, previous_keys: [keyA] }, queue);
  let executorA: TemporalExecutor | undefined;
  let executorB: TemporalExecutor | undefined;
  const rotatedId = `rotated-${Date.now()}`;

  beforeAll(async () => {
    executorA = await executorFor(settingsA, true);
  });

  afterAll(async () => {
    await executorA?.close();
    await executorB?.close();
  });

  it('keeps document text out of inputs, signals, queries and results the server holds', async () => {
    const executor = executorA as TemporalExecutor;
    const workflowId = `encrypted-${Date.now()}`;
    const handle = await executor.startWorkflow(ReviewedDocumentWorkflow, DOCUMENT, { workflowId });
    await expect.poll(() => handle.query('pending'), { timeout: 20_000 }).toBe(true);
    await handle.signal('review', NOTE);
    expect((await handle.result()).value).toEqual({ document: DOCUMENT, note: NOTE });
    const raw = await rawHistoryText(executor.client, workflowId);
    expect(raw).toContain('binary/encrypted');
    expect(raw).not.toContain(DOCUMENT);
    expect(raw).not.toContain(NOTE);
    expect(raw).not.toContain('json/plain');
    expect(await keyIdsIn(executor.client, workflowId)).toEqual(new Set([idOf(keyA)]));
  });

  it('keeps failure messages and stack traces out too, and the client still reads them', async () => {
    const executor = executorA as TemporalExecutor;
    for (const via of ['workflow', 'task'] as const) {
      const workflowId = `failing-${via}-${Date.now()}`;
      const error = await executor.executeWorkflow(FailingDocumentWorkflow, { document: DOCUMENT, via }, { workflowId }).catch((caught: unknown) => caught);
      expect(WorkflowFailedError.is(error)).toBe(true);
      expect((error as Error).message).toContain(`could not file: ${DOCUMENT}`);
      const raw = await rawHistoryText(executor.client, workflowId);
      expect(raw).toContain('Encoded failure');
      expect(raw).not.toContain(DOCUMENT);
      expect(raw).not.toContain('could not file');
    }
  });

  it('rotates keys with a run in flight: payloads of the old key still decrypt, new ones use the new key', async () => {
    const handle = await (executorA as TemporalExecutor).startWorkflow(ReviewedDocumentWorkflow, DOCUMENT, { workflowId: rotatedId });
    await expect.poll(() => handle.query('pending'), { timeout: 20_000 }).toBe(true);
    await executorA?.close();
    executorA = undefined;
    // The deploy: workers and clients now encrypt with key B and keep key A to decrypt.
    executorB = await executorFor(settingsB, true);
    const rotated = executorB.getHandle<ReviewedDocumentWorkflow>(rotatedId);
    await rotated.signal('review', NOTE);
    expect((await rotated.result()).value).toEqual({ document: DOCUMENT, note: NOTE });
    expect(await keyIdsIn(executorB.client, rotatedId)).toEqual(new Set([idOf(keyA), idOf(keyB)]));
    // Replay decrypts with the same keys.
    const history = await fetchWorkflowHistory(executorB.client, rotatedId);
    await replayWorkflowHistories({ registry: encryptionApp.registry, settings: settingsB, logger }, { workflowsPath }, [{ workflowId: rotatedId, history }]);
  });

  it('names the key id when the client lacks the key of a result', async () => {
    const onlyC = await executorFor(settingsWith({ encryption_key: keyC }, queue), false);
    try {
      const error = await onlyC
        .getHandle(rotatedId)
        .result()
        .catch((caught: unknown) => caught);
      expect(PayloadDecryptionError.is(error)).toBe(true);
      expect((error as Error).message).toContain(`key id "${idOf(keyB)}": no configured key has that id (configured: "${idOf(keyC)}")`);
    } finally {
      await onlyC.close();
    }
  });

  it('a worker without the key fails the workflow task, naming the key id, and the run waits for a worker that has it', async () => {
    const wrongQueue = `${queue}-wrong-key`;
    const starter = await executorFor(settingsWith({ encryption_key: keyB }, wrongQueue), false);
    const workerC = await executorFor(settingsWith({ encryption_key: keyC }, wrongQueue), true);
    const workflowId = `wrong-key-${Date.now()}`;
    try {
      await starter.startWorkflow(ReviewedDocumentWorkflow, DOCUMENT, { workflowId });
      const codecC = encryptionCodecFromSettings(settingsWith({ encryption_key: keyC }, wrongQueue));
      // The task failure is itself encrypted by worker C; read it with C's key.
      const failureMessage = async (): Promise<string | undefined> => {
        const history = (await fetchWorkflowHistory(starter.client, workflowId)) as {
          events?: Array<{ workflowTaskFailedEventAttributes?: { failure?: { message?: string; encodedAttributes?: Payload } } }>;
        };
        const failure = history.events?.find((event) => event.workflowTaskFailedEventAttributes)?.workflowTaskFailedEventAttributes?.failure;
        if (failure === undefined) return undefined;
        if (failure.encodedAttributes === undefined || failure.encodedAttributes === null) return failure.message;
        const [decoded] = await (codecC as NonNullable<typeof codecC>).decode([failure.encodedAttributes]);
        return (defaultPayloadConverter.fromPayload(decoded as Payload) as { message: string }).message;
      };
      await expect.poll(failureMessage, { timeout: 30_000, interval: 500 }).toContain(`key id "${idOf(keyB)}"`);
      expect((await starter.getHandle(workflowId).describe()).status).toBe('RUNNING');
    } finally {
      await starter
        .getHandle(workflowId)
        .terminate('test over')
        .catch(() => undefined);
      await workerC.close();
      await starter.close();
    }
  });
});

describe('encryption configured without a key', () => {
  it('refuses to start a client or a worker, before connecting', async () => {
    const settings = settingsWith({ codec: 'aes256gcm' }, 'never-used');
    const engine = createTemporalEngine({ address: '127.0.0.1:1' });
    const error = await Promise.resolve()
      .then(() => engine.createExecutor({ appName: encryptionApp.name, registry: encryptionApp.registry, settings, logger }))
      .catch((caught: unknown) => caught);
    expect(ConfigError.is(error)).toBe(true);
    expect((error as Error).message).toContain('temporal.data_converter.encryption_key: payload encryption is configured (codec aes256gcm) but no key is set');
    const workerError = await createTemporalWorker({ registry: encryptionApp.registry, settings, logger }, { workflowsPath }).catch((caught: unknown) => caught);
    expect(ConfigError.is(workerError)).toBe(true);
  });
});
