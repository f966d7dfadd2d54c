/**
 * The data converter of `temporal.data_converter`, for the client, the worker and replay. Node only.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DefaultFailureConverter, defaultPayloadConverter, type DataConverter, type LoadedDataConverter, type Payload } from '@temporalio/common';
import { ConfigError } from '@mcp-agent/core';
import type { Settings } from '@mcp-agent/core/config';
import { deriveKeyId, EncryptionCodec, parseEncryptionKey, type EncryptionKey } from './encryption-codec.js';

const SETTING = 'temporal.data_converter';

/**
 * Whether the settings encrypt payloads, without reading the keys (that is
 * {@link encryptionCodecFromSettings}'s work, which also refuses bad ones).
 */
export function encryptsPayloads(settings: Settings): boolean {
  const converter = settings.temporal?.data_converter;
  return converter !== undefined && converter.codec !== 'none' && (converter.encryption_key ?? '').trim() !== '';
}

/**
 * The encryption codec the settings ask for, or `undefined` when payloads are not encrypted.
 * `encryption_key` turns encryption on; `codec: aes256gcm` without a key refuses to start, since
 * running on would write payloads in clear text.
 *
 * @throws ConfigError naming the setting: a missing or malformed key, or a key with `codec: none`.
 */
export function encryptionCodecFromSettings(settings: Settings): EncryptionCodec | undefined {
  const converter = settings.temporal?.data_converter;
  if (converter === undefined) return undefined;
  const key = converter.encryption_key;
  if (converter.codec === 'none') {
    if (key !== undefined) {
      throw new ConfigError(`${SETTING}: encryption_key is set but codec is "none"; remove codec (or set it to aes256gcm) to encrypt payloads, or remove the key`);
    }
    return undefined;
  }
  if (key === undefined || key.trim() === '') {
    if (converter.codec === undefined && converter.previous_keys === undefined && converter.key_id === undefined) return undefined;
    throw new ConfigError(
      `${SETTING}.encryption_key: payload encryption is configured${converter.codec === undefined ? '' : ` (codec ${converter.codec})`} but no key is set, ` +
        'so payloads would reach the server in clear text. Set encryption_key in mcp_agent.secrets.yaml, or as "${TEMPORAL_ENCRYPTION_KEY}" ' +
        'with that environment variable set (make a key with `openssl rand -base64 32`)',
    );
  }
  const currentKey = parseEncryptionKey(key, `${SETTING}.encryption_key`);
  const current: EncryptionKey = { id: converter.key_id ?? deriveKeyId(currentKey), key: currentKey };
  const previous = (converter.previous_keys ?? []).map((entry, index): EncryptionKey => {
    const setting = `${SETTING}.previous_keys[${index}]`;
    const text = typeof entry === 'string' ? entry : entry.key;
    const bytes = parseEncryptionKey(text, setting);
    return { id: typeof entry === 'string' || entry.key_id === undefined ? deriveKeyId(bytes) : entry.key_id, key: bytes };
  });
  return new EncryptionCodec({ current, previous, compress: converter.compress ?? false });
}

/**
 * The failure converter of a worker that encrypts: a CommonJS module (the worker `require`s it by
 * path) whose converter moves error messages and stack traces into an encoded payload.
 */
function encodedFailureConverterPath(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  return createRequire(import.meta.url).resolve(path.join(here, 'encoded-failure-converter.cjs'));
}

/** The client's data converter: the default one, or the encryption codec with failures encoded. */
export function clientDataConverter(settings: Settings): LoadedDataConverter | undefined {
  const codec = encryptionCodecFromSettings(settings);
  if (codec === undefined) return undefined;
  return {
    payloadConverter: defaultPayloadConverter,
    failureConverter: new DefaultFailureConverter({ encodeCommonAttributes: true }),
    payloadCodecs: [codec],
  };
}

/** The worker's (and replay's) data converter: the same, given to the worker by module path. */
export function workerDataConverter(settings: Settings): DataConverter | undefined {
  const codec = encryptionCodecFromSettings(settings);
  if (codec === undefined) return undefined;
  return { payloadCodecs: [codec], failureConverterPath: encodedFailureConverterPath() };
}

/** What a memo value that this client can't decode reads as when runs are listed. */
export const UNREADABLE_MEMO_VALUE = '[encoded: not readable with the temporal.data_converter of these settings]';

/**
 * The data converter for listing runs: `given`, except that a memo value it can't decode (encrypted
 * with a key these settings lack, or in an encoding it doesn't know) reads as
 * {@link UNREADABLE_MEMO_VALUE} instead of failing the whole list. A namespace holds the runs of
 * other apps and of older keys.
 */
export function listingDataConverter(given: LoadedDataConverter): LoadedDataConverter {
  const unreadable = defaultPayloadConverter.toPayload(UNREADABLE_MEMO_VALUE) as Payload;
  return {
    ...given,
    payloadCodecs: given.payloadCodecs.map((codec) => ({
      encode: (payloads: Payload[]) => codec.encode(payloads),
      decode: (payloads: Payload[]) => codec.decode(payloads).catch(() => payloads.map(() => unreadable)),
    })),
    payloadConverter: {
      toPayload: (value: unknown) => given.payloadConverter.toPayload(value),
      fromPayload: <T>(payload: Payload): T => {
        try {
          return given.payloadConverter.fromPayload<T>(payload);
        } catch {
          return UNREADABLE_MEMO_VALUE as T;
        }
      },
    },
  };
}
