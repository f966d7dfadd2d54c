import { describe, expect, it } from 'vitest';
import { parseSettings } from '../../config/index.js';
import { costOf, modelPrice } from './model-prices.js';

describe('model prices', () => {
  it('prices by the longest built-in prefix, and 0 for an unknown model', () => {
    expect(modelPrice(undefined, 'gpt-4o-mini-2024-07-18')).toEqual({ inputPerMillionTokens: 0.15, outputPerMillionTokens: 0.6 });
    expect(modelPrice(undefined, 'gpt-4o-2024-08-06')).toEqual({ inputPerMillionTokens: 2.5, outputPerMillionTokens: 10 });
    expect(costOf(undefined, 'gpt-4o-mini', { inputTokens: 1_000_000, outputTokens: 1_000_000 })).toBe(0.75);
    expect(costOf(undefined, 'a-model-nobody-priced', { inputTokens: 1_000, outputTokens: 1_000 })).toBe(0);
  });

  it('takes the built-in model table for a model the price list lacks', () => {
    expect(modelPrice(undefined, 'gemini-2.5-flash')).toEqual({ inputPerMillionTokens: 0.3, outputPerMillionTokens: 2.5 });
  });

  it('lets the config win: model_prices by prefix, then models by name', () => {
    const settings = parseSettings(
      {
        model_prices: { 'gpt-4o': { input_per_million_tokens: 1, output_per_million_tokens: 1 } },
        models: [
          { name: 'gpt-4.1-mini', provider: 'openai', input_per_million_tokens: 9, output_per_million_tokens: 9 },
          { name: 'gpt-4o-mini', provider: 'openai', input_per_million_tokens: 5, output_per_million_tokens: 5 },
          { name: 'in-house-7b', provider: 'ollama', input_per_million_tokens: 0.01, output_per_million_tokens: 0.02 },
        ],
      },
      'test config',
    );
    expect(modelPrice(settings, 'gpt-4o-mini')).toEqual({ inputPerMillionTokens: 1, outputPerMillionTokens: 1 });
    expect(modelPrice(settings, 'gpt-4.1-mini')).toEqual({ inputPerMillionTokens: 9, outputPerMillionTokens: 9 });
    expect(modelPrice(settings, 'in-house-7b')).toEqual({ inputPerMillionTokens: 0.01, outputPerMillionTokens: 0.02 });
  });

  it('refuses a models entry with a bad figure or an unknown key, naming it', () => {
    expect(() => parseSettings({ models: [{ name: 'm', provider: 'p', intelligence: 140 }] }, 'test config')).toThrow('models[0].intelligence: expected a number from 0 to 100, got 140');
    expect(() => parseSettings({ models: [{ name: 'm', provider: 'p', cost_per_token: 1 }] }, 'test config')).toThrow(/cost_per_token/);
    expect(() => parseSettings({ models: [{ provider: 'p' }] }, 'test config')).toThrow(/models\[0\]\.name/);
  });
});
