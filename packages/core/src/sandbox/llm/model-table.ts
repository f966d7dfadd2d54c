/**
 * The model table and model selection: what each known model costs, how fast and how capable it
 * is, and a choice among the models of the configured providers by MCP's `ModelPreferences`
 * (cost, speed and intelligence priorities, and name hints), as the Python mcp-agent's
 * `ModelSelector` chooses. Plain data and arithmetic: safe for the workflow sandbox, though a model
 * is chosen on the worker, inside the model task, so that the choice is recorded with the answer.
 */
import { WorkflowUsageError } from '../errors.js';
import type { LlmRequest } from './llm-types.js';

/** One model of the table. */
export interface ModelInfo {
  /** The model's id, as the provider's API takes it (`gpt-4.1-mini`). */
  name: string;
  /** The mcp-agent provider that serves it (`openai`, `anthropic`, `google`, `bedrock`, `azure`, `mistral`, ...). */
  provider: string;
  /** Tokens of context it accepts. */
  contextWindow?: number;
  /** Whether it calls tools. */
  toolCalling?: boolean;
  /** Whether it answers in a given JSON schema. */
  structuredOutputs?: boolean;
  /** US dollars per million tokens. */
  cost?: { inputPerMillionTokens: number; outputPerMillionTokens: number };
  /** Median time to the first token, and output tokens per second. */
  speed?: { timeToFirstTokenMs: number; tokensPerSecond: number };
  /** A blended quality score of public benchmarks, 0 to 100; higher is more capable. */
  intelligence?: number;
}

/**
 * How to weigh cost, speed and intelligence when choosing a model (MCP's `ModelPreferences`):
 * priorities from 0 to 1, and hints whose `name` (optionally `provider:name`) is matched against
 * model names, exactly or as a part of one.
 */
export interface ModelPreferences {
  costPriority?: number;
  speedPriority?: number;
  intelligencePriority?: number;
  hints?: ReadonlyArray<{ name?: string }>;
}

/** What a chosen model must have besides the preferences. */
export interface ModelRequirements {
  /** Only models of these providers (the app's configured ones). */
  providers?: readonly string[];
  toolCalling?: boolean;
  structuredOutputs?: boolean;
  /** At least this many tokens of context. */
  minContextTokens?: number;
}

/** A model with its scores, 0 to 1 each, and their weighted total. */
export interface RankedModel {
  model: ModelInfo;
  score: number;
  costScore: number;
  speedScore: number;
  intelligenceScore: number;
}

const model = (
  provider: string,
  name: string,
  contextWindow: number,
  [input, output]: readonly [number, number],
  [timeToFirstTokenMs, tokensPerSecond]: readonly [number, number],
  intelligence?: number,
): ModelInfo => ({
  name,
  provider,
  contextWindow,
  toolCalling: true,
  structuredOutputs: true,
  cost: { inputPerMillionTokens: input, outputPerMillionTokens: output },
  speed: { timeToFirstTokenMs, tokensPerSecond },
  ...(intelligence === undefined ? {} : { intelligence }),
});

/**
 * Models of the providers mcp-agent ships, with list prices and median speed and quality figures
 * of public benchmarks when this table was written (quality left out where none was published).
 * Figures change: the config's `models` corrects or adds entries, and `model_prices` prices.
 */
export const DEFAULT_MODELS: readonly ModelInfo[] = Object.freeze([
  model('openai', 'gpt-4o-mini', 128_000, [0.15, 0.6], [459, 68], 24.3),
  model('openai', 'gpt-4o', 128_000, [2.5, 10], [441, 170], 39.5),
  model('openai', 'gpt-4.1', 1_000_000, [2, 8], [493, 121], 42),
  model('openai', 'gpt-4.1-mini', 1_000_000, [0.4, 1.6], [419, 81], 42.2),
  model('openai', 'gpt-4.1-nano', 1_000_000, [0.1, 0.4], [366, 90], 29.9),
  model('openai', 'gpt-5', 400_000, [1.25, 10], [74_153, 126], 61.3),
  model('openai', 'gpt-5-mini', 400_000, [0.25, 2], [15_764, 161], 63.7),
  model('openai', 'gpt-5-nano', 400_000, [0.05, 0.4], [22_927, 292], 53.8),
  model('openai', 'o3-mini', 200_000, [1.1, 4.4], [59_066, 142], 55.5),
  model('openai', 'o4-mini', 200_000, [1.1, 4.4], [49_830, 116]),
  model('anthropic', 'claude-opus-4-20250514', 200_000, [15, 75], [1_704, 41], 47.3),
  model('anthropic', 'claude-sonnet-4-20250514', 200_000, [3, 15], [1_198, 100], 42.4),
  model('anthropic', 'claude-3-7-sonnet-20250219', 200_000, [3, 15], [924, 78], 37.3),
  model('anthropic', 'claude-3-5-haiku-20241022', 200_000, [0.8, 4], [553, 65], 23.3),
  model('anthropic', 'claude-3-haiku-20240307', 200_000, [0.25, 1.25], [282, 138], 12.1),
  model('google', 'gemini-2.5-pro', 1_000_000, [1.25, 10], [37_730, 144]),
  model('google', 'gemini-2.5-flash', 1_000_000, [0.3, 2.5], [310, 253]),
  model('google', 'gemini-2.5-flash-lite', 1_000_000, [0.1, 0.4], [320, 354]),
  model('azure', 'gpt-4o-mini', 128_000, [0.15, 0.6], [1_146, 64], 24.3),
  model('azure', 'gpt-4.1', 1_000_000, [2, 8], [771, 164], 42),
  model('azure', 'gpt-4.1-mini', 1_000_000, [0.4, 1.6], [680, 100], 42.2),
  model('azure', 'o3-mini', 200_000, [1.1, 4.4], [37_660, 185], 55.5),
  model('bedrock', 'anthropic.claude-sonnet-4-20250514-v1:0', 200_000, [3, 15], [1_370, 100], 42.4),
  model('bedrock', 'anthropic.claude-opus-4-20250514-v1:0', 200_000, [15, 75], [3_010, 25], 47.3),
  model('mistral', 'mistral-medium-2505', 131_072, [0.4, 2], [390, 60], 38.2),
  model('mistral', 'mistral-small-2506', 131_072, [0.1, 0.3], [283, 173], 31.2),
  model('mistral', 'magistral-medium-2506', 40_960, [2, 5], [391, 138], 45.5),
  model('mistral', 'ministral-8b-latest', 131_072, [0.1, 0.1], [305, 186], 10.4),
]);

/** The config's `models` entries, as the table holds them. */
export interface ModelConfigEntry {
  name: string;
  provider: string;
  context_window?: number | undefined;
  tool_calling?: boolean | undefined;
  structured_outputs?: boolean | undefined;
  input_per_million_tokens?: number | undefined;
  output_per_million_tokens?: number | undefined;
  time_to_first_token_ms?: number | undefined;
  tokens_per_second?: number | undefined;
  intelligence?: number | undefined;
}

/**
 * The built-in table with the config's `models` over it: an entry of the same provider and name
 * replaces the built-in one, others are added.
 */
export function modelTable(configured: readonly ModelConfigEntry[] = []): ModelInfo[] {
  const table = new Map(DEFAULT_MODELS.map((entry) => [`${entry.provider}/${entry.name}`, entry]));
  for (const entry of configured) {
    const info: ModelInfo = {
      name: entry.name,
      provider: entry.provider,
      ...(entry.context_window === undefined ? {} : { contextWindow: entry.context_window }),
      ...(entry.tool_calling === undefined ? {} : { toolCalling: entry.tool_calling }),
      ...(entry.structured_outputs === undefined ? {} : { structuredOutputs: entry.structured_outputs }),
      ...(entry.input_per_million_tokens === undefined || entry.output_per_million_tokens === undefined
        ? {}
        : { cost: { inputPerMillionTokens: entry.input_per_million_tokens, outputPerMillionTokens: entry.output_per_million_tokens } }),
      ...(entry.time_to_first_token_ms === undefined || entry.tokens_per_second === undefined
        ? {}
        : { speed: { timeToFirstTokenMs: entry.time_to_first_token_ms, tokensPerSecond: entry.tokens_per_second } }),
      ...(entry.intelligence === undefined ? {} : { intelligence: entry.intelligence }),
    };
    table.set(`${entry.provider}/${entry.name}`, info);
  }
  return [...table.values()];
}

/** Input tokens per output token assumed when blending a model's two prices into one. */
const INPUT_PER_OUTPUT_TOKEN = 3;

function blendedCost(entry: ModelInfo): number | undefined {
  if (entry.cost === undefined) return undefined;
  return (entry.cost.inputPerMillionTokens * INPUT_PER_OUTPUT_TOKEN + entry.cost.outputPerMillionTokens) / (INPUT_PER_OUTPUT_TOKEN + 1);
}

function median(values: number[]): number {
  if (values.length === 0) return 0.5;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/**
 * Scores for each candidate, 0 to 1, relative to the candidates: cost (cheapest 1), speed (time
 * to first token 40%, tokens per second 60%) and intelligence (most capable 1). A model missing a
 * figure gets the candidates' median score for it, neither rewarded nor punished.
 */
function scores(candidates: readonly ModelInfo[]): Array<Omit<RankedModel, 'score'>> {
  const costs = candidates.map(blendedCost);
  const maxCost = Math.max(0, ...costs.filter((cost): cost is number => cost !== undefined));
  const maxTokensPerSecond = Math.max(0, ...candidates.map((entry) => entry.speed?.tokensPerSecond ?? 0));
  const maxFirstToken = Math.max(0, ...candidates.map((entry) => entry.speed?.timeToFirstTokenMs ?? 0));
  const maxIntelligence = Math.max(0, ...candidates.map((entry) => entry.intelligence ?? 0));
  const raw = candidates.map((entry, index) => {
    const cost = costs[index];
    return {
      model: entry,
      costScore: cost === undefined ? undefined : maxCost > 0 ? 1 - cost / maxCost : 1,
      speedScore:
        entry.speed === undefined
          ? undefined
          : 0.4 * (maxFirstToken > 0 ? 1 - entry.speed.timeToFirstTokenMs / maxFirstToken : 1) + 0.6 * (maxTokensPerSecond > 0 ? entry.speed.tokensPerSecond / maxTokensPerSecond : 1),
      intelligenceScore: entry.intelligence === undefined ? undefined : maxIntelligence > 0 ? entry.intelligence / maxIntelligence : 1,
    };
  });
  const fill = (key: 'costScore' | 'speedScore' | 'intelligenceScore'): number => median(raw.flatMap((entry) => (entry[key] === undefined ? [] : [entry[key]])));
  const fallback = { costScore: fill('costScore'), speedScore: fill('speedScore'), intelligenceScore: fill('intelligenceScore') };
  return raw.map((entry) => ({
    model: entry.model,
    costScore: entry.costScore ?? fallback.costScore,
    speedScore: entry.speedScore ?? fallback.speedScore,
    intelligenceScore: entry.intelligenceScore ?? fallback.intelligenceScore,
  }));
}

/** Whether a model matches a hint: `name` or `provider:name`, case-insensitive, exact or a part of the model's name. */
function matchesHint(entry: ModelInfo, hint: string): boolean {
  const separator = hint.indexOf(':');
  const provider = separator > 0 ? hint.slice(0, separator).trim().toLowerCase() : undefined;
  const name = (separator > 0 ? hint.slice(separator + 1) : hint).trim().toLowerCase();
  if (provider !== undefined && entry.provider.toLowerCase() !== provider) return false;
  const modelName = entry.name.toLowerCase();
  return name === '' || modelName === name || modelName.includes(name) || name.includes(modelName);
}

function checkPriority(value: number | undefined, name: string): number {
  if (value === undefined) return 0;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 1) {
    throw new WorkflowUsageError(`modelPreferences.${name} must be a number from 0 to 1, got ${JSON.stringify(value)}`);
  }
  return value;
}

/**
 * The models of `table` that meet `requirements`, best first by `preferences`. Hints narrow the
 * candidates to the models they match, when any matches; with all priorities 0, the order is the
 * table's.
 */
export function rankModels(preferences: ModelPreferences, table: readonly ModelInfo[], requirements: ModelRequirements = {}): RankedModel[] {
  const weights = {
    cost: checkPriority(preferences.costPriority, 'costPriority'),
    speed: checkPriority(preferences.speedPriority, 'speedPriority'),
    intelligence: checkPriority(preferences.intelligencePriority, 'intelligencePriority'),
  };
  const providers = requirements.providers?.map((provider) => provider.toLowerCase());
  const eligible = table.filter(
    (entry) =>
      (providers === undefined || providers.includes(entry.provider.toLowerCase())) &&
      (requirements.toolCalling !== true || entry.toolCalling !== false) &&
      (requirements.structuredOutputs !== true || entry.structuredOutputs !== false) &&
      (requirements.minContextTokens === undefined || entry.contextWindow === undefined || entry.contextWindow >= requirements.minContextTokens),
  );
  const hints = (preferences.hints ?? []).flatMap((hint) => (typeof hint?.name === 'string' && hint.name.trim() !== '' ? [hint.name] : []));
  const hinted = hints.length === 0 ? [] : eligible.filter((entry) => hints.some((hint) => matchesHint(entry, hint)));
  const candidates = hinted.length > 0 ? hinted : eligible;
  return scores(candidates)
    .map((entry) => ({ ...entry, score: weights.cost * entry.costScore + weights.speed * entry.speedScore + weights.intelligence * entry.intelligenceScore }))
    .map((entry, index) => ({ entry, index }))
    .sort((a, b) => b.entry.score - a.entry.score || a.index - b.index)
    .map(({ entry }) => entry);
}

/**
 * The best model of `table` for `preferences` among those meeting `requirements`. Throws a
 * `WorkflowUsageError` naming the requirements and the providers when none does.
 *
 * @example
 * ```ts
 * const chosen = selectModel({ costPriority: 0.7, intelligencePriority: 0.3 }, modelTable(settings.models), { providers: ['openai'], toolCalling: true });
 * ```
 */
export function selectModel(preferences: ModelPreferences, table: readonly ModelInfo[], requirements: ModelRequirements = {}): ModelInfo {
  const best = rankModels(preferences, table, requirements)[0];
  if (best !== undefined) return best.model;
  const wanted = [
    requirements.providers === undefined ? undefined : `provider ${requirements.providers.join(' or ')}`,
    requirements.toolCalling === true ? 'tool calling' : undefined,
    requirements.structuredOutputs === true ? 'structured outputs' : undefined,
    requirements.minContextTokens === undefined ? undefined : `at least ${requirements.minContextTokens} tokens of context`,
  ].filter((part): part is string => part !== undefined);
  throw new WorkflowUsageError(
    `no model in the model table has ${wanted.join(', ') || 'an entry'}; add one under \`models\` in mcp_agent.config.yaml (name, provider, and its figures), or name the model in the request`,
  );
}

/**
 * The model a request asks `provider` for: its `model`, else the best of the model table
 * (`configured`, the config's `models`, over the built-in one) for its `modelPreferences` among the
 * provider's models, with tool calling when it offers tools and structured outputs when it asks
 * for a schema; else undefined, for the provider's default. Called by providers on the worker.
 *
 * @example
 * ```ts
 * const model = requestedModel(request, 'openai', settings.models) ?? connection.defaultModel;
 * ```
 */
export function requestedModel(
  request: Pick<LlmRequest, 'model' | 'modelPreferences' | 'tools' | 'responseFormat'>,
  provider: string,
  configured: readonly ModelConfigEntry[] = [],
): string | undefined {
  if (request.model !== undefined) return request.model;
  if (request.modelPreferences === undefined) return undefined;
  return selectModel(request.modelPreferences, modelTable(configured), {
    providers: [provider],
    ...((request.tools?.length ?? 0) > 0 ? { toolCalling: true } : {}),
    ...(request.responseFormat === undefined ? {} : { structuredOutputs: true }),
  }).name;
}
