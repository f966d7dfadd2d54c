import { describe, expect, it } from 'vitest';
import { DEFAULT_MODELS, modelTable, rankModels, requestedModel, selectModel, type ModelInfo } from './model-table.js';

const table: ModelInfo[] = [
  {
    name: 'cheap-slow-dull',
    provider: 'a',
    cost: { inputPerMillionTokens: 0.1, outputPerMillionTokens: 0.4 },
    speed: { timeToFirstTokenMs: 2_000, tokensPerSecond: 20 },
    intelligence: 10,
  },
  {
    name: 'dear-fast-bright',
    provider: 'a',
    cost: { inputPerMillionTokens: 10, outputPerMillionTokens: 40 },
    speed: { timeToFirstTokenMs: 200, tokensPerSecond: 200 },
    intelligence: 60,
  },
  {
    name: 'middle',
    provider: 'b',
    cost: { inputPerMillionTokens: 1, outputPerMillionTokens: 4 },
    speed: { timeToFirstTokenMs: 500, tokensPerSecond: 100 },
    intelligence: 40,
    toolCalling: false,
  },
];

describe('model selection', () => {
  it('follows the priorities: cost, speed, intelligence', () => {
    expect(selectModel({ costPriority: 1 }, table).name).toBe('cheap-slow-dull');
    expect(selectModel({ speedPriority: 1 }, table).name).toBe('dear-fast-bright');
    expect(selectModel({ intelligencePriority: 1 }, table).name).toBe('dear-fast-bright');
    // Mostly cost, some intelligence: the middle model's balance wins over both ends.
    expect(selectModel({ costPriority: 0.5, intelligencePriority: 0.5 }, table).name).toBe('middle');
  });

  it('keeps to the requirements: providers, tool calling, context', () => {
    expect(selectModel({ intelligencePriority: 1 }, table, { providers: ['b'] }).name).toBe('middle');
    expect(selectModel({ costPriority: 0.5, intelligencePriority: 0.5 }, table, { toolCalling: true }).name).not.toBe('middle');
    expect(() => selectModel({ costPriority: 1 }, table, { providers: ['c'], toolCalling: true })).toThrow(
      /no model in the model table has provider c, tool calling; add one under `models` in mcp_agent.config.yaml/,
    );
    // A model whose context window is not known is not ruled out by it.
    const big: ModelInfo = { name: 'long', provider: 'a', contextWindow: 1_000_000, intelligence: 1 };
    const short = table.map((entry) => ({ ...entry, contextWindow: 128_000 }));
    expect(selectModel({ intelligencePriority: 1 }, [...short, big], { minContextTokens: 500_000 }).name).toBe('long');
    expect(selectModel({ intelligencePriority: 1 }, [...table, big], { minContextTokens: 500_000 }).name).toBe('dear-fast-bright');
  });

  it('narrows to the models a hint names, as provider:name or part of a name', () => {
    expect(selectModel({ hints: [{ name: 'middle' }], costPriority: 1 }, table).name).toBe('middle');
    expect(selectModel({ hints: [{ name: 'a:dear' }], costPriority: 1 }, table).name).toBe('dear-fast-bright');
    // A hint that matches nothing is ignored.
    expect(selectModel({ hints: [{ name: 'unknown-model' }], costPriority: 1 }, table).name).toBe('cheap-slow-dull');
  });

  it('scores a missing figure as the median of the candidates, and ranks ties in table order', () => {
    const unknown: ModelInfo = { name: 'no-figures', provider: 'a' };
    const ranked = rankModels({ intelligencePriority: 1 }, [...table, unknown]);
    expect(ranked.find((entry) => entry.model.name === 'no-figures')?.intelligenceScore).toBeCloseTo(40 / 60);
    expect(rankModels({}, table).map((entry) => entry.model.name)).toEqual(table.map((entry) => entry.name));
  });

  it('refuses a priority outside 0 to 1, naming it', () => {
    expect(() => selectModel({ costPriority: 2 }, table)).toThrow('modelPreferences.costPriority must be a number from 0 to 1, got 2');
  });

  it('extends and corrects the built-in table from the config', () => {
    const extended = modelTable([
      { name: 'gpt-4o-mini', provider: 'openai', input_per_million_tokens: 1, output_per_million_tokens: 2, intelligence: 99 },
      { name: 'mistral-large-latest', provider: 'mistral', context_window: 131_072, tool_calling: true },
    ]);
    expect(extended).toHaveLength(DEFAULT_MODELS.length + 1);
    expect(extended.find((entry) => entry.provider === 'openai' && entry.name === 'gpt-4o-mini')).toEqual({
      name: 'gpt-4o-mini',
      provider: 'openai',
      cost: { inputPerMillionTokens: 1, outputPerMillionTokens: 2 },
      intelligence: 99,
    });
    expect(selectModel({ intelligencePriority: 1 }, extended, { providers: ['openai'] }).name).toBe('gpt-4o-mini');
    expect(selectModel({ costPriority: 1 }, extended, { providers: ['mistral'] }).name).toBe('ministral-8b-latest');
  });

  it('has figures for every built-in model of the native providers', () => {
    for (const entry of DEFAULT_MODELS) {
      expect(entry.cost, entry.name).toBeDefined();
      expect(entry.speed, entry.name).toBeDefined();
    }
    expect(selectModel({ costPriority: 1 }, DEFAULT_MODELS, { providers: ['openai'] }).name).toBe('gpt-5-nano');
    expect(selectModel({ intelligencePriority: 1 }, DEFAULT_MODELS, { providers: ['anthropic'] }).name).toBe('claude-opus-4-20250514');
  });

  it('resolves a request: its model, else the best of the provider for its preferences, else the default', () => {
    const tools = [{ name: 'echo', description: 'Echoes.', inputSchema: { type: 'object' } }];
    expect(requestedModel({ model: 'gpt-4o', modelPreferences: { costPriority: 1 } }, 'openai')).toBe('gpt-4o');
    expect(requestedModel({}, 'openai')).toBeUndefined();
    expect(requestedModel({ modelPreferences: { costPriority: 1 } }, 'anthropic')).toBe('claude-3-haiku-20240307');
    expect(requestedModel({ modelPreferences: { intelligencePriority: 1 }, tools }, 'openai')).toBe('gpt-5-mini');
    const configured = [{ name: 'tiny-no-tools', provider: 'openai', tool_calling: false, input_per_million_tokens: 0.001, output_per_million_tokens: 0.001 }];
    expect(requestedModel({ modelPreferences: { costPriority: 1 } }, 'openai', configured)).toBe('tiny-no-tools');
    expect(requestedModel({ modelPreferences: { costPriority: 1 }, tools }, 'openai', configured)).toBe('gpt-5-nano');
    expect(() => requestedModel({ modelPreferences: { costPriority: 1 } }, 'ollama')).toThrow(/no model in the model table has provider ollama/);
  });
});
