/**
 * AES-256-GCM payload encryption with key ids, so that keys can rotate. Node only: it runs in
 * the client and in the worker outside the workflow sandbox (codecs never run inside it).
 *
 * An encrypted payload keeps the whole original payload (its metadata and data, as protobuf) in
 * its data, as `iv (12 bytes) | ciphertext | tag (16 bytes)`, and says in its own metadata only
 * `encoding: binary/encrypted`, the key id, and whether the plaintext was deflated. The key id
 * is also authenticated, so a payload can't be relabelled to another key.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { ConfigError, MCPAgentError } from '@mcp-agent/core';

/** The `encoding` of an encrypted payload. */
export const ENCRYPTED_ENCODING = 'binary/encrypted';
/** The metadata key holding the id of the key that encrypted a payload. */
export const KEY_ID_METADATA = 'encryption-key-id';
/** Present (as `deflate`) when the plaintext was compressed before encryption. */
export const COMPRESSION_METADATA = 'encryption-compression';

// CommonJS whose exports Node can't list for a named import; required instead.
const { temporal } = createRequire(import.meta.url)('@temporalio/proto') as typeof import('@temporalio/proto');

const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;
/** Payloads smaller than this are not worth deflating. */
const COMPRESS_FROM_BYTES = 256;

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const ENCRYPTED_ENCODING_BYTES = encoder.encode(ENCRYPTED_ENCODING);
const DEFLATE_BYTES = encoder.encode('deflate');

/** One AES-256 key and the id written into the payloads it encrypts. */
export interface EncryptionKey {
  readonly id: string;
  readonly key: Buffer;
}

/** A payload can't be decrypted: its key is not configured, or the key or payload is wrong. */
export class PayloadDecryptionError extends MCPAgentError {
  readonly keyId: string | undefined;
  constructor(message: string, keyId: string | undefined, cause?: unknown) {
    super('PAYLOAD_DECRYPTION_FAILED', message, cause === undefined ? {} : { cause });
    this.keyId = keyId;
  }
  static override is(value: unknown): value is PayloadDecryptionError {
    return MCPAgentError.is(value) && value.code === 'PAYLOAD_DECRYPTION_FAILED';
  }
}

const KEY_HINT =
  'expected 32 random bytes written as base64 (44 characters) or hex (64 characters); ' +
  'make one with `openssl rand -base64 32` and keep it in mcp_agent.secrets.yaml or an environment variable';

/**
 * The 32 bytes of a key given as base64 (standard or URL-safe) or hex. The error names the
 * setting and the length, never the value.
 */
export function parseEncryptionKey(text: string, setting: string): Buffer {
  const trimmed = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(trimmed)) return Buffer.from(trimmed, 'hex');
  if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(trimmed)) {
    const bytes = Buffer.from(trimmed.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    if (bytes.length === KEY_BYTES) return bytes;
    throw new ConfigError(`${setting}: the key decodes to ${bytes.length} bytes, not ${KEY_BYTES}; ${KEY_HINT}`);
  }
  throw new ConfigError(`${setting}: the key (${trimmed.length} characters) is neither base64 nor hex; ${KEY_HINT}`);
}

/**
 * The id of a key when none is given: the first 12 hex digits of a SHA-256 over a label and the
 * key. It tells keys apart without revealing anything usable about them.
 */
export function deriveKeyId(key: Buffer): string {
  return createHash('sha256').update('mcp-agent payload key\0').update(key).digest('hex').slice(0, 12);
}

/** Options of {@link EncryptionCodec}. */
export interface EncryptionCodecOptions {
  /** The key that encrypts new payloads. */
  current: EncryptionKey;
  /** Keys that only decrypt: those of payloads written before a rotation. */
  previous?: readonly EncryptionKey[];
  /** Deflate payloads (of 256 bytes or more) before encrypting them, when that makes them smaller. */
  compress?: boolean;
}

/**
 * The payload codec of `temporal.data_converter`: encrypts every payload with the current key
 * and decrypts with whichever configured key the payload names. Payloads that were never
 * encrypted pass through, so a namespace can turn encryption on with runs in flight.
 *
 * @example
 * ```ts
 * const key = parseEncryptionKey(process.env.PAYLOAD_KEY ?? '', 'PAYLOAD_KEY');
 * const codec = new EncryptionCodec({ current: { id: deriveKeyId(key), key } });
 * ```
 */
export class EncryptionCodec implements PayloadCodec {
  readonly #current: EncryptionKey;
  /** The current key's id as bytes: the metadata and the authenticated data of every payload it encrypts. */
  readonly #currentIdBytes: Uint8Array;
  readonly #keys: ReadonlyMap<string, Buffer>;
  readonly #compress: boolean;

  constructor(options: EncryptionCodecOptions) {
    const keys = new Map<string, Buffer>();
    for (const { id, key } of [options.current, ...(options.previous ?? [])]) {
      if (key.length !== KEY_BYTES) throw new ConfigError(`encryption key ${JSON.stringify(id)}: expected ${KEY_BYTES} bytes, got ${key.length}`);
      const known = keys.get(id);
      if (known !== undefined && !known.equals(key)) {
        throw new ConfigError(`temporal.data_converter: two different keys have the id ${JSON.stringify(id)}; give each key its own key_id`);
      }
      keys.set(id, key);
    }
    this.#current = options.current;
    this.#currentIdBytes = encoder.encode(options.current.id);
    this.#keys = keys;
    this.#compress = options.compress ?? false;
  }

  /** The id written into new payloads. */
  get keyId(): string {
    return this.#current.id;
  }

  /** Every key id this codec can decrypt. */
  get keyIds(): string[] {
    return [...this.#keys.keys()];
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => this.encodeOne(payload));
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => this.decodeOne(payload));
  }

  /** Encrypts one payload (synchronously; AES-GCM on a payload takes microseconds). */
  encodeOne(payload: Payload): Payload {
    let plaintext: Uint8Array = temporal.api.common.v1.Payload.encode(payload).finish();
    const metadata: Record<string, Uint8Array> = {
      encoding: ENCRYPTED_ENCODING_BYTES,
      [KEY_ID_METADATA]: this.#currentIdBytes,
    };
    if (this.#compress && plaintext.length >= COMPRESS_FROM_BYTES) {
      const deflated = deflateRawSync(plaintext);
      if (deflated.length < plaintext.length) {
        plaintext = deflated;
        metadata[COMPRESSION_METADATA] = DEFLATE_BYTES;
      }
    }
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#current.key, iv);
    cipher.setAAD(this.#currentIdBytes);
    const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return { metadata, data: Buffer.concat([iv, ciphertext, cipher.getAuthTag()]) };
  }

  /** Decrypts one payload; one that is not encrypted is returned as it is. */
  decodeOne(payload: Payload): Payload {
    const encoding = payload.metadata?.['encoding'];
    if (encoding === undefined || encoding === null || decoder.decode(encoding) !== ENCRYPTED_ENCODING) return payload;
    const idBytes = payload.metadata?.[KEY_ID_METADATA];
    const keyId = idBytes === undefined || idBytes === null ? undefined : decoder.decode(idBytes);
    if (keyId === undefined) {
      throw new PayloadDecryptionError('cannot decrypt a payload: it is marked encrypted but names no key id (it was not written by this codec)', undefined);
    }
    const key = this.#keys.get(keyId);
    if (key === undefined) {
      throw new PayloadDecryptionError(
        `cannot decrypt a payload encrypted with key id ${JSON.stringify(keyId)}: no configured key has that id ` +
          `(configured: ${this.keyIds.map((id) => JSON.stringify(id)).join(', ')}); ` +
          'add the key that encrypted it to temporal.data_converter.previous_keys',
        keyId,
      );
    }
    const data = payload.data ?? new Uint8Array();
    if (data.length < IV_BYTES + TAG_BYTES) {
      throw new PayloadDecryptionError(`cannot decrypt a payload encrypted with key id ${JSON.stringify(keyId)}: it is truncated (${data.length} bytes)`, keyId);
    }
    let plaintext: Buffer;
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, IV_BYTES));
      decipher.setAAD(encoder.encode(keyId));
      decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
      plaintext = Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]);
    } catch (error) {
      throw new PayloadDecryptionError(
        `cannot decrypt a payload encrypted with key id ${JSON.stringify(keyId)}: the configured key with that id is not the one that encrypted it, ` +
          'or the payload was altered; check temporal.data_converter.encryption_key and previous_keys',
        keyId,
        error,
      );
    }
    const compression = payload.metadata?.[COMPRESSION_METADATA];
    if (compression !== undefined && compression !== null) plaintext = inflateRawSync(plaintext);
    const original = temporal.api.common.v1.Payload.decode(plaintext);
    return { metadata: original.metadata ?? {}, data: original.data ?? new Uint8Array() };
  }
}
