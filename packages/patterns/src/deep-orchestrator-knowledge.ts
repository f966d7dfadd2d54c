/**
 * The deep orchestrator's memory: facts extracted from task results, kept between steps and shown
 * to later tasks, the verifier, the planner and the synthesizer. Safe for the workflow sandbox.
 */
import { z } from 'zod';

/**
 * The schema the knowledge extractor answers with.
 *
 * @example
 * ```ts
 * ExtractedKnowledgeSchema.parse({ facts: [{ key: 'capital', value: 'Paris', confidence: 0.9 }] });
 * ```
 */
export const ExtractedKnowledgeSchema = z.object({
  facts: z
    .array(
      z.object({
        key: z.string().describe('A short name for the fact, such as "market_size_2024"'),
        value: z.string().describe('The fact itself'),
        confidence: z.number().describe('How sure you are, from 0 to 1'),
      }),
    )
    .describe('The key facts, at most 10'),
});

/**
 * A fact the orchestrator learnt from a step's results.
 *
 * @example
 * ```ts
 * const item: KnowledgeItem = { key: 'capital', value: 'Paris', confidence: 0.9, step: 1 };
 * ```
 */
export interface KnowledgeItem {
  key: string;
  value: string;
  /** From 0 to 1. */
  confidence: number;
  /** The step whose results it came from (1-based, counting every step run in the generate call). */
  step: number;
}

/**
 * Facts kept at most; when more arrive, the least confident (then oldest) go.
 *
 * @example
 * ```ts
 * memory.items.length <= MAX_KNOWLEDGE_ITEMS; // always true
 * ```
 */
export const MAX_KNOWLEDGE_ITEMS = 200;
/**
 * Facts shown in one task prompt at most.
 *
 * @example
 * ```ts
 * memory.relevant([]).length <= MAX_KNOWLEDGE_IN_PROMPT; // always true
 * ```
 */
export const MAX_KNOWLEDGE_IN_PROMPT = 20;

function normalise(key: string): string {
  return key.trim().toLowerCase();
}

/**
 * The facts of a run. A fact with a key already known replaces the older one; the store keeps
 * {@link MAX_KNOWLEDGE_ITEMS} at most.
 *
 * @example
 * ```ts
 * const memory = new KnowledgeBase();
 * memory.add([{ key: 'capital', value: 'Paris', confidence: 0.9, step: 1 }]);
 * memory.relevant(['capital']); // the capital first, then the most confident others
 * ```
 */
export class KnowledgeBase {
  #items: KnowledgeItem[] = [];

  /** Every fact, in the order learnt. */
  get items(): readonly KnowledgeItem[] {
    return this.#items;
  }

  /** Adds facts; a fact whose key is known replaces the old one. */
  add(items: readonly KnowledgeItem[]): void {
    for (const item of items) {
      const key = normalise(item.key);
      if (key === '') continue;
      const confidence = Number.isFinite(item.confidence) ? Math.min(1, Math.max(0, item.confidence)) : 0.5;
      this.#items = this.#items.filter((known) => normalise(known.key) !== key);
      this.#items.push({ key: item.key.trim(), value: item.value, confidence, step: item.step });
    }
    if (this.#items.length > MAX_KNOWLEDGE_ITEMS) {
      const keep = new Set(this.#ranked().slice(0, MAX_KNOWLEDGE_ITEMS));
      this.#items = this.#items.filter((item) => keep.has(item));
    }
  }

  /** Most confident first, newer first among equals. */
  #ranked(): KnowledgeItem[] {
    return this.#items
      .map((item, index) => ({ item, index }))
      .sort((a, b) => b.item.confidence - a.item.confidence || b.index - a.index)
      .map(({ item }) => item);
  }

  /** The facts for a prompt: those whose keys are `required` first, then the most confident; `limit` at most. */
  relevant(required: readonly string[] = [], limit = MAX_KNOWLEDGE_IN_PROMPT): KnowledgeItem[] {
    const wanted = new Set(required.map(normalise));
    const ranked = this.#ranked();
    const first = ranked.filter((item) => wanted.has(normalise(item.key)));
    const rest = ranked.filter((item) => !wanted.has(normalise(item.key)));
    return [...first, ...rest].slice(0, Math.max(limit, first.length));
  }

  /** Forgets every fact. */
  clear(): void {
    this.#items = [];
  }
}
