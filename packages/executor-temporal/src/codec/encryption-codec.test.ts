import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { defaultPayloadConverter, type FailureConverter, type Payload } from '@temporalio/common';
import { ConfigError } from '@mcp-agent/core';
import { parseSettings } from '@mcp-agent/core/config';
import { describe, expect, it } from 'vitest';
import { clientDataConverter, encryptionCodecFromSettings, listingDataConverter, UNREADABLE_MEMO_VALUE, workerDataConverter } from './data-converter.js';
import { COMPRESSION_METADATA, deriveKeyId, EncryptionCodec, ENCRYPTED_ENCODING, KEY_ID_METADATA, parseEncryptionKey, PayloadDecryptionError } from './encryption-codec.js';

const text = (bytes: Uint8Array | null | undefined): string => Buffer.from(bytes ?? new Uint8Array()).toString('utf8');
const keyA = randomBytes(32);
const keyB = randomBytes(32);
const codecOf = (key: Buffer, options: { id?: string; previous?: Buffer[]; compress?: boolean } = {}) =>
  new EncryptionCodec({
    current: { id: options.id ?? deriveKeyId(key), key },
    previous: (options.previous ?? []).map((old) => ({ id: deriveKeyId(old), key: old })),
    compress: options.compress ?? false,
  });
const payloadOf = (value: unknown): Payload => defaultPayloadConverter.toPayload(value);

describe('EncryptionCodec', () => {
  it('encrypts the whole payload, metadata included, and decrypts it back', async () => {
    const codec = codecOf(keyA);
    const original = payloadOf({ prompt: 'quarterly revenue of ACME' });
    const [encrypted] = await codec.encode([original]);
    expect(text(encrypted?.metadata?.['encoding'])).toBe(ENCRYPTED_ENCODING);
    expect(text(encrypted?.metadata?.[KEY_ID_METADATA])).toBe(deriveKeyId(keyA));
    expect(Object.keys(encrypted?.metadata ?? {}).sort()).toEqual(['encoding', KEY_ID_METADATA].sort());
    expect(text(encrypted?.data)).not.toContain('ACME');
    expect(text(encrypted?.data)).not.toContain('json/plain');
    const [decoded] = await codec.decode([encrypted as Payload]);
    expect(defaultPayloadConverter.fromPayload(decoded as Payload)).toEqual({ prompt: 'quarterly revenue of ACME' });
    expect(text(decoded?.metadata?.['encoding'])).toBe('json/plain');
  });

  it('uses a fresh nonce for every payload', async () => {
    const codec = codecOf(keyA);
    const [first, second] = await codec.encode([payloadOf('same'), payloadOf('same')]);
    expect(Buffer.from(first?.data ?? []).equals(Buffer.from(second?.data ?? []))).toBe(false);
  });

  it('passes through payloads that were never encrypted', async () => {
    const clear = payloadOf('written before encryption was turned on');
    expect(await codecOf(keyA).decode([clear])).toEqual([clear]);
  });

  it('deflates large payloads when asked, and only when that makes them smaller', async () => {
    const codec = codecOf(keyA, { compress: true });
    const large = payloadOf('agent transcript '.repeat(500));
    const [compressed] = await codec.encode([large]);
    expect(text(compressed?.metadata?.[COMPRESSION_METADATA])).toBe('deflate');
    expect(compressed?.data?.length).toBeLessThan((large.data?.length ?? 0) / 10);
    expect(defaultPayloadConverter.fromPayload((await codec.decode([compressed as Payload]))[0] as Payload)).toBe('agent transcript '.repeat(500));
    const [small] = await codec.encode([payloadOf('short')]);
    expect(small?.metadata?.[COMPRESSION_METADATA]).toBeUndefined();
    const uncompressed = await codecOf(keyA).encode([large]);
    expect(uncompressed[0]?.metadata?.[COMPRESSION_METADATA]).toBeUndefined();
  });

  it('decrypts payloads of a previous key after a rotation, and encrypts new ones with the current key', async () => {
    const [old] = await codecOf(keyA).encode([payloadOf('before rotation')]);
    const rotated = codecOf(keyB, { previous: [keyA] });
    expect(defaultPayloadConverter.fromPayload((await rotated.decode([old as Payload]))[0] as Payload)).toBe('before rotation');
    const [fresh] = await rotated.encode([payloadOf('after')]);
    expect(text(fresh?.metadata?.[KEY_ID_METADATA])).toBe(deriveKeyId(keyB));
  });

  it('names the key id when no configured key has it', async () => {
    const [encrypted] = await codecOf(keyA).encode([payloadOf('x')]);
    const error = await codecOf(keyB)
      .decode([encrypted as Payload])
      .catch((caught: unknown) => caught);
    expect(PayloadDecryptionError.is(error)).toBe(true);
    expect((error as PayloadDecryptionError).keyId).toBe(deriveKeyId(keyA));
    expect((error as Error).message).toContain(`key id "${deriveKeyId(keyA)}": no configured key has that id (configured: "${deriveKeyId(keyB)}")`);
    expect((error as Error).message).toContain('previous_keys');
  });

  it('refuses, naming the key id, a key that has the right id but is not the key, and an altered payload', async () => {
    const [encrypted] = await codecOf(keyA, { id: 'prod-1' }).encode([payloadOf('x')]);
    const wrong = await codecOf(keyB, { id: 'prod-1' })
      .decode([encrypted as Payload])
      .catch((caught: unknown) => caught);
    expect((wrong as Error).message).toContain('key id "prod-1": the configured key with that id is not the one that encrypted it');
    const data = Buffer.from(encrypted?.data ?? []);
    data[20] = (data[20] ?? 0) ^ 1;
    const altered = await codecOf(keyA, { id: 'prod-1' })
      .decode([{ ...encrypted, data }])
      .catch((caught: unknown) => caught);
    expect(PayloadDecryptionError.is(altered)).toBe(true);
    // Relabelling a payload to another configured key is caught too (the id is authenticated).
    const relabelled = { ...encrypted, metadata: { ...encrypted?.metadata, [KEY_ID_METADATA]: Buffer.from('other') } };
    const both = new EncryptionCodec({ current: { id: 'prod-1', key: keyA }, previous: [{ id: 'other', key: keyA }] });
    expect(PayloadDecryptionError.is(await both.decode([relabelled]).catch((caught: unknown) => caught))).toBe(true);
  });

  it('refuses two different keys under one id', () => {
    expect(() => new EncryptionCodec({ current: { id: 'k', key: keyA }, previous: [{ id: 'k', key: keyB }] })).toThrow('two different keys have the id "k"');
  });
});

describe('keys from settings', () => {
  const settingsWith = (dataConverter: Record<string, unknown>) => parseSettings({ temporal: { data_converter: dataConverter } }, 'test');

  it('reads base64, URL-safe base64 and hex keys, and derives stable ids', () => {
    expect(parseEncryptionKey(keyA.toString('base64'), 's').equals(keyA)).toBe(true);
    expect(parseEncryptionKey(keyA.toString('base64url'), 's').equals(keyA)).toBe(true);
    expect(parseEncryptionKey(keyA.toString('hex'), 's').equals(keyA)).toBe(true);
    expect(deriveKeyId(keyA)).toMatch(/^[0-9a-f]{12}$/);
    expect(deriveKeyId(keyA)).toBe(deriveKeyId(Buffer.from(keyA)));
    expect(deriveKeyId(keyA)).not.toBe(deriveKeyId(keyB));
  });

  it('refuses a key of the wrong size or form, naming the setting and never the value', () => {
    const short = randomBytes(16).toString('base64');
    expect(() => parseEncryptionKey(short, 'temporal.data_converter.encryption_key')).toThrow('temporal.data_converter.encryption_key: the key decodes to 16 bytes, not 32');
    const error = (() => {
      try {
        parseEncryptionKey('my passphrase!', 'temporal.data_converter.encryption_key');
      } catch (caught) {
        return caught as Error;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect(error?.message).toContain('neither base64 nor hex');
    expect(error?.message).toContain('openssl rand -base64 32');
    expect(error?.message).not.toContain('my passphrase!');
  });

  it('turns encryption on with a key, refuses to start when aes256gcm has no key, and stays off without a data_converter', () => {
    expect(encryptionCodecFromSettings(parseSettings({}, 'test'))).toBeUndefined();
    expect(clientDataConverter(parseSettings({}, 'test'))).toBeUndefined();
    const codec = encryptionCodecFromSettings(settingsWith({ encryption_key: keyA.toString('base64') }));
    expect(codec?.keyId).toBe(deriveKeyId(keyA));
    expect(() => encryptionCodecFromSettings(settingsWith({ codec: 'aes256gcm' }))).toThrow(
      'temporal.data_converter.encryption_key: payload encryption is configured (codec aes256gcm) but no key is set',
    );
    // What `encryption_key: ${TEMPORAL_ENCRYPTION_KEY}` leaves when the variable is not set: no key.
    expect(() => encryptionCodecFromSettings(settingsWith({ codec: 'aes256gcm', compress: true }))).toThrow(ConfigError);
    expect(() => encryptionCodecFromSettings(settingsWith({ key_id: 'k1' }))).toThrow('no key is set');
    expect(() => encryptionCodecFromSettings(settingsWith({ codec: 'none', encryption_key: keyA.toString('base64') }))).toThrow('codec is "none"');
    expect(encryptionCodecFromSettings(settingsWith({ codec: 'none' }))).toBeUndefined();
  });

  it('keeps previous keys with their given or derived ids', () => {
    const codec = encryptionCodecFromSettings(
      settingsWith({ encryption_key: keyB.toString('base64'), key_id: '2026-11', previous_keys: [keyA.toString('hex'), { key: randomBytes(32).toString('base64'), key_id: '2026-05' }] }),
    );
    expect(codec?.keyId).toBe('2026-11');
    expect(codec?.keyIds).toEqual(['2026-11', deriveKeyId(keyA), '2026-05']);
    expect(() => encryptionCodecFromSettings(settingsWith({ encryption_key: keyB.toString('base64'), previous_keys: ['short'] }))).toThrow('temporal.data_converter.previous_keys[0]');
  });

  it('gives the client a loaded converter with encoded failures, and the worker the codec and the failure converter module', async () => {
    const settings = settingsWith({ encryption_key: keyA.toString('base64') });
    const client = clientDataConverter(settings);
    expect(client?.payloadCodecs).toHaveLength(1);
    const failure = client?.failureConverter.errorToFailure(new Error('document text in an error'), defaultPayloadConverter);
    expect(failure?.message).toBe('Encoded failure');
    expect(failure?.encodedAttributes).toBeDefined();
    const worker = workerDataConverter(settings);
    expect(worker?.payloadCodecs).toHaveLength(1);
    const loaded = createRequire(import.meta.url)(worker?.failureConverterPath as string) as { failureConverter: FailureConverter };
    expect(loaded.failureConverter.errorToFailure(new Error('secret'), defaultPayloadConverter).message).toBe('Encoded failure');
  });
});

describe('listingDataConverter', () => {
  const convert = async (converter: ReturnType<typeof listingDataConverter>, payload: Payload): Promise<unknown> => {
    let decoded = [payload];
    for (const codec of [...converter.payloadCodecs].reverse()) decoded = await codec.decode(decoded);
    return converter.payloadConverter.fromPayload(decoded[0] as Payload);
  };

  it('reads a memo value it can decode, and one it cannot as a placeholder instead of failing', async () => {
    const [encrypted] = await codecOf(keyA).encode([payloadOf({ workflow: 'ReportWorkflow' })]);
    const withKey = listingDataConverter({
      payloadConverter: defaultPayloadConverter,
      failureConverter: clientDataConverter(parseSettings({ temporal: { data_converter: { encryption_key: keyA.toString('base64') } } }))?.failureConverter as FailureConverter,
      payloadCodecs: [codecOf(keyA)],
    });
    const withOtherKey = listingDataConverter({ ...withKey, payloadCodecs: [codecOf(keyB)] });
    const withoutKey = listingDataConverter({ ...withKey, payloadCodecs: [] });
    expect(await convert(withKey, encrypted as Payload)).toEqual({ workflow: 'ReportWorkflow' });
    expect(await convert(withOtherKey, encrypted as Payload)).toBe(UNREADABLE_MEMO_VALUE);
    expect(await convert(withoutKey, encrypted as Payload)).toBe(UNREADABLE_MEMO_VALUE);
    expect(await convert(withoutKey, payloadOf({ plain: true }))).toEqual({ plain: true });
  });
});
