// Deterministic embeddings for the local LLM server's `/v1/embeddings`: texts that share words get
// similar vectors, so embedding routers and classifiers behave sensibly offline, and the same text
// always gets the same vector.

/** Dimensions of a vector when the request asks for none. */
export const DEFAULT_EMBEDDING_DIMENSIONS = 256;

/** Words too common to tell texts apart. */
const STOPWORDS = new Set(
  'a an and are as at be by can do does for from has have how i in is it its me my of on or our please should that the their this to was we what when where which who why will with you your'.split(
    ' ',
  ),
);

/** The words of a text, lower case, without stopwords, a plural `s` taken off. */
export function embeddingWords(text: string): string[] {
  return (text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [])
    .filter((word) => !STOPWORDS.has(word))
    .map((word) => (word.length > 3 && word.endsWith('s') && !word.endsWith('ss') ? word.slice(0, -1) : word));
}

/** FNV-1a, 32 bits. */
function hash(text: string): number {
  let value = 0x811c9dc5;
  for (let index = 0; index < text.length; index += 1) {
    value ^= text.charCodeAt(index);
    value = Math.imul(value, 0x01000193) >>> 0;
  }
  return value;
}

/**
 * A unit vector for `text`: each word adds to one coordinate (chosen by its hash) with a sign from
 * its hash. Texts with no words get a vector along the first coordinate.
 */
export function localEmbedding(text: string, dimensions = DEFAULT_EMBEDDING_DIMENSIONS): number[] {
  const vector = new Array<number>(dimensions).fill(0);
  for (const word of embeddingWords(text)) {
    const h = hash(word);
    vector[h % dimensions] = (vector[h % dimensions] as number) + ((h >>> 16) & 1 ? 1 : -1);
  }
  const norm = Math.sqrt(vector.reduce((sum, x) => sum + x * x, 0));
  if (norm === 0) {
    vector[0] = 1;
    return vector;
  }
  return vector.map((x) => x / norm);
}

/** A vector as OpenAI's `encoding_format: "base64"` sends it: little-endian float32s. */
export function base64Embedding(vector: readonly number[]): string {
  const buffer = Buffer.alloc(vector.length * 4);
  vector.forEach((value, index) => buffer.writeFloatLE(value, index * 4));
  return buffer.toString('base64');
}

/**
 * The OpenAI embeddings response for a request body, or an error message naming the bad field.
 */
export function openaiEmbeddingsResponse(body: Record<string, unknown>): { ok: true; body: unknown } | { ok: false; message: string } {
  const input = body['input'];
  const inputs = typeof input === 'string' ? [input] : Array.isArray(input) && input.every((item) => typeof item === 'string') ? (input as string[]) : undefined;
  if (inputs === undefined)
    return { ok: false, message: `local LLM server: /v1/embeddings: "input" must be a string or an array of strings, got ${JSON.stringify(input)?.slice(0, 80)}` };
  const dimensions = body['dimensions'] ?? DEFAULT_EMBEDDING_DIMENSIONS;
  if (!Number.isInteger(dimensions) || (dimensions as number) < 1 || (dimensions as number) > 4096) {
    return { ok: false, message: `local LLM server: /v1/embeddings: "dimensions" must be a whole number from 1 to 4096, got ${JSON.stringify(dimensions)}` };
  }
  const base64 = body['encoding_format'] === 'base64';
  const tokens = inputs.reduce((sum, text) => sum + Math.max(1, Math.ceil(text.length / 4)), 0);
  return {
    ok: true,
    body: {
      object: 'list',
      data: inputs.map((text, index) => {
        const vector = localEmbedding(text, dimensions as number);
        return { object: 'embedding', index, embedding: base64 ? base64Embedding(vector) : vector };
      }),
      model: typeof body['model'] === 'string' ? body['model'] : 'text-embedding-3-small',
      usage: { prompt_tokens: tokens, total_tokens: tokens },
    },
  };
}

/** The text of a Gemini `content`: its text parts joined, or `undefined` when it has none. */
function geminiContentText(content: unknown): string | undefined {
  const parts = (content as { parts?: unknown } | undefined)?.parts;
  if (!Array.isArray(parts)) return undefined;
  const texts = parts.filter((part): part is { text: string } => typeof part?.text === 'string').map((part) => part.text);
  return texts.length > 0 ? texts.join(' ') : undefined;
}

/**
 * Google's answer to `:embedContent` (one `content`, answered `{ embedding: { values } }`) or
 * `:batchEmbedContents` (`requests`, answered `{ embeddings: [{ values }] }`), with the texts
 * embedded, or an error message naming the bad field. `outputDimensionality` sets the length.
 */
export function googleEmbeddingsResponse(
  method: 'embedContent' | 'batchEmbedContents',
  body: Record<string, unknown>,
): { ok: true; body: unknown; inputs: string[] } | { ok: false; message: string } {
  const requests: unknown[] = method === 'embedContent' ? [body] : Array.isArray(body['requests']) ? body['requests'] : [];
  if (requests.length === 0) return { ok: false, message: `local LLM server: :${method}: expected ${method === 'embedContent' ? 'a "content"' : 'a non-empty "requests" array'}` };
  const inputs: string[] = [];
  const vectors: number[][] = [];
  for (const [index, request] of requests.entries()) {
    const text = geminiContentText((request as { content?: unknown } | undefined)?.content);
    if (text === undefined) return { ok: false, message: `local LLM server: :${method}: request ${index} has no content with text parts` };
    const dimensions = (request as { outputDimensionality?: unknown }).outputDimensionality ?? DEFAULT_EMBEDDING_DIMENSIONS;
    if (!Number.isInteger(dimensions) || (dimensions as number) < 1 || (dimensions as number) > 4096) {
      return { ok: false, message: `local LLM server: :${method}: "outputDimensionality" must be a whole number from 1 to 4096, got ${JSON.stringify(dimensions)}` };
    }
    inputs.push(text);
    vectors.push(localEmbedding(text, dimensions as number));
  }
  const answer = method === 'embedContent' ? { embedding: { values: vectors[0] } } : { embeddings: vectors.map((values) => ({ values })) };
  return { ok: true, body: answer, inputs };
}
