/**
 * What a model's tokens cost: a built-in table of list prices, overridden and extended by
 * `model_prices` in the config, then the prices of the model table (`models` in the config over
 * the built-in one, `./model-table.ts`) for models neither names. Safe for the workflow sandbox
 * (plain data); the cost of a round trip is worked out in its task, on the worker, and recorded
 * with the response.
 */
import type { Settings } from '../../config/schema.js';
import { DEFAULT_MODELS } from './model-table.js';
import { roundCost } from './usage.js';

/** US dollars per million tokens. */
export interface ModelPrice {
  inputPerMillionTokens: number;
  outputPerMillionTokens: number;
}

/**
 * List prices (US dollars per million tokens) of common models when this table was written.
 * Prices change: set `model_prices` in the config to correct or add one. A model is priced by the
 * longest key its name starts with, so `gpt-4o-mini-2024-07-18` takes `gpt-4o-mini`'s price.
 */
export const DEFAULT_MODEL_PRICES: Readonly<Record<string, ModelPrice>> = Object.freeze({
  'gpt-4o': { inputPerMillionTokens: 2.5, outputPerMillionTokens: 10 },
  'gpt-4o-mini': { inputPerMillionTokens: 0.15, outputPerMillionTokens: 0.6 },
  'gpt-4.1': { inputPerMillionTokens: 2, outputPerMillionTokens: 8 },
  'gpt-4.1-mini': { inputPerMillionTokens: 0.4, outputPerMillionTokens: 1.6 },
  'gpt-4.1-nano': { inputPerMillionTokens: 0.1, outputPerMillionTokens: 0.4 },
  'o3-mini': { inputPerMillionTokens: 1.1, outputPerMillionTokens: 4.4 },
  'o4-mini': { inputPerMillionTokens: 1.1, outputPerMillionTokens: 4.4 },
  'claude-3-haiku': { inputPerMillionTokens: 0.25, outputPerMillionTokens: 1.25 },
  'claude-3-5-haiku': { inputPerMillionTokens: 0.8, outputPerMillionTokens: 4 },
  'claude-3-5-sonnet': { inputPerMillionTokens: 3, outputPerMillionTokens: 15 },
  'claude-3-7-sonnet': { inputPerMillionTokens: 3, outputPerMillionTokens: 15 },
  'claude-sonnet-4': { inputPerMillionTokens: 3, outputPerMillionTokens: 15 },
  'claude-opus-4': { inputPerMillionTokens: 15, outputPerMillionTokens: 75 },
  'text-embedding-3-small': { inputPerMillionTokens: 0.02, outputPerMillionTokens: 0 },
  'text-embedding-3-large': { inputPerMillionTokens: 0.13, outputPerMillionTokens: 0 },
});

/**
 * The price of `model`: the config's `model_prices` (by longest matching prefix), then its
 * `models` entry of that exact name, then the built-in prices (by longest matching prefix), then
 * the built-in model table's entry of that name.
 */
export function modelPrice(settings: Partial<Pick<Settings, 'model_prices' | 'models'>> | undefined, model: string): ModelPrice | undefined {
  const configured = settings?.model_prices ?? {};
  const fromConfig = longestPrefix(Object.keys(configured), model);
  if (fromConfig !== undefined) {
    const entry = configured[fromConfig] as { input_per_million_tokens: number; output_per_million_tokens: number };
    return { inputPerMillionTokens: entry.input_per_million_tokens, outputPerMillionTokens: entry.output_per_million_tokens };
  }
  const listed = settings?.models?.find((entry) => entry.name === model && entry.input_per_million_tokens !== undefined && entry.output_per_million_tokens !== undefined);
  if (listed !== undefined) return { inputPerMillionTokens: listed.input_per_million_tokens as number, outputPerMillionTokens: listed.output_per_million_tokens as number };
  const builtin = longestPrefix(Object.keys(DEFAULT_MODEL_PRICES), model);
  if (builtin !== undefined) return DEFAULT_MODEL_PRICES[builtin];
  return DEFAULT_MODELS.find((entry) => entry.name === model)?.cost;
}

/** What `inputTokens` and `outputTokens` of `model` cost in US dollars; 0 when its price is unknown. */
export function costOf(settings: Partial<Pick<Settings, 'model_prices' | 'models'>> | undefined, model: string, usage: { inputTokens: number; outputTokens: number }): number {
  const price = modelPrice(settings, model);
  if (price === undefined) return 0;
  return roundCost((usage.inputTokens * price.inputPerMillionTokens + usage.outputTokens * price.outputPerMillionTokens) / 1e6);
}

function longestPrefix(keys: readonly string[], model: string): string | undefined {
  let best: string | undefined;
  for (const key of keys) if (model.startsWith(key) && (best === undefined || key.length > best.length)) best = key;
  return best;
}
