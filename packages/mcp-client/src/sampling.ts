/**
 * The default answer to servers' `sampling/createMessage`: one round trip through one of the app's
 * model providers (`LlmProvider` of `@mcp-agent/core/engine`), optionally after a person approved
 * it, with the tokens it used logged and reported.
 */
import { costOf, DEFAULT_MODEL_PRICES } from '@mcp-agent/core/engine';
import type { LlmContentPart, LlmProvider, LlmRequest, LlmResponse } from '@mcp-agent/core/engine';
import { modelTable, rankModels, type HumanInputHandler, type Logger } from '@mcp-agent/core';
import type { McpSamplingConfig, Settings } from '@mcp-agent/core/config';
import { ErrorCode } from '@modelcontextprotocol/sdk/types.js';
import type { CreateMessageRequest, CreateMessageResult, ModelPreferences, SamplingMessage } from '@modelcontextprotocol/sdk/types.js';

import { clientRequestError } from './client-request-error.js';
import type { ClientRequestContext, SamplingHandler } from './client-requests.js';

/** The JSON-RPC error code of a sampling request a person refused (the MCP specification's example). */
export const USER_REJECTED_SAMPLING_CODE = -1;

/** How much of each message and of the system prompt an approval request shows. */
const MESSAGE_PREVIEW_CHARACTERS = 200;

/**
 * What one answered sampling request used: reported to `onUsage` and logged at `info`.
 *
 * @example
 * ```ts
 * const onUsage = (usage: SamplingUsage) => totals.add(usage.provider, usage.model, usage.totalTokens, usage.costUsd);
 * ```
 */
export interface SamplingUsage {
  /** The configured MCP server that asked. */
  server: string;
  provider: string;
  /** The model that answered. */
  model: string;
  inputTokens: number;
  outputTokens: number;
  totalTokens: number;
  /** US dollars by the price table (`model_prices` over the built-in one); 0 when the model's price is unknown. */
  costUsd: number;
}

/**
 * Options of {@link createSamplingHandler}.
 *
 * @example
 * ```ts
 * const options: SamplingHandlerOptions = { providers: [llmProvider], settings, config: { approval: 'none', model: 'gpt-4o-mini' } };
 * ```
 */
export interface SamplingHandlerOptions {
  /** The app's model providers (`services.llmProviders`, or a list). At least one. */
  providers: readonly LlmProvider[] | ReadonlyMap<string, LlmProvider>;
  /** The app's settings: providers read their keys and endpoints from them, and prices come from `model_prices`. */
  settings: Settings;
  /**
   * `mcp.sampling`: `provider` (default: the provider a model hint points at, else the first one),
   * `model` (default: a model hint's match, else the provider's `default_model`), `approval`
   * (`none` or `human`), `max_tokens` (a cap on what servers ask for).
   */
  config?: Partial<McpSamplingConfig> | undefined;
  /** Asks a person when `approval: human` (the app's human input handler). */
  humanInput?: HumanInputHandler | undefined;
  /** Receives a line per answered request with its usage, at `info`. */
  logger?: Logger | undefined;
  /** Called with the tokens (and cost) of each answered request, to count them where the app counts usage. */
  onUsage?: ((usage: SamplingUsage) => void) | undefined;
}

/** The provider and model that answer one request. */
interface ModelChoice {
  provider: LlmProvider;
  model: string | undefined;
}

/**
 * A sampling handler that answers with one of the app's model providers. The server's messages
 * (text and images), `systemPrompt`, `maxTokens` (capped by `max_tokens`), `temperature` and
 * `stopSequences` become an `LlmRequest`; the answer becomes a `CreateMessageResult` (`role:
 * assistant`, the text, the model that answered, `stopReason`). The model is the config's
 * `model`, else the first of the server's `modelPreferences.hints` that names a known model (the
 * providers' `default_model`s and the price table) of an installed provider, else the provider's
 * `default_model`. With `approval: human` a person is asked first (through `humanInput`); any
 * answer but `approve` (or `yes`) refuses the request with error code -1 and the answer as reason.
 *
 * @throws TypeError when no provider is given, or `config.provider` names one that is not installed.
 *
 * @example
 * ```ts
 * import { llmProvider } from '@mcp-agent/providers-openai';
 * const sampling = createSamplingHandler({ providers: [llmProvider], settings, config: { model: 'gpt-4o-mini', approval: 'none' } });
 * const manager = createMcpConnectionManager({ servers: settings.mcp.servers, sampling });
 * ```
 */
export function createSamplingHandler(options: SamplingHandlerOptions): SamplingHandler {
  const providers = options.providers instanceof Map ? [...options.providers.values()] : [...(options.providers as readonly LlmProvider[])];
  if (providers.length === 0) {
    throw new TypeError('createSamplingHandler: no model provider is installed; install one (pnpm add @mcp-agent/providers-openai) or pass providers: [llmProvider]');
  }
  const config = options.config ?? {};
  const configured = config.provider === undefined ? undefined : providers.find((provider) => provider.name === config.provider);
  if (config.provider !== undefined && configured === undefined) {
    throw new TypeError(
      `mcp.sampling.provider: no model provider "${config.provider}" is installed; installed: ${providers.map((provider) => provider.name).join(', ')}. ` +
        `Install @mcp-agent/providers-${config.provider} or name an installed provider`,
    );
  }
  const { settings, logger } = options;
  return async (params, context) => {
    const choice = chooseModel(params.modelPreferences, providers, configured, config.model, settings);
    // Converted first, so that content no model can take is refused before a person is asked.
    const request = toLlmRequest(params, choice, config.max_tokens);
    if (config.approval === 'human') await askApproval(params, context, choice, options.humanInput);
    if (params.includeContext !== undefined && params.includeContext !== 'none') {
      logger?.debug(`MCP server "${context.server}" asked for includeContext "${params.includeContext}"; this client adds no context`, { server: context.server });
    }
    const response = await choice.provider.complete(request, { settings, signal: context.signal });
    const usage: SamplingUsage = {
      server: context.server,
      provider: choice.provider.name,
      model: response.model,
      inputTokens: response.usage.inputTokens,
      outputTokens: response.usage.outputTokens,
      totalTokens: response.usage.totalTokens,
      costUsd: response.costUsd ?? costOf(settings, response.model, response.usage),
    };
    logger?.info(`sampling for MCP server "${context.server}" answered by ${usage.provider} ${usage.model}`, { ...usage });
    options.onUsage?.(usage);
    return toCreateMessageResult(response);
  };
}

/**
 * The config's provider and model, else what the server's hints point at, else the best model of
 * the model table for the server's priorities, else the first provider's default.
 */
function chooseModel(
  preferences: ModelPreferences | undefined,
  providers: readonly LlmProvider[],
  configured: LlmProvider | undefined,
  configuredModel: string | undefined,
  settings: Settings,
): ModelChoice {
  if (configuredModel !== undefined) return { provider: configured ?? (providers[0] as LlmProvider), model: configuredModel };
  const allowed = configured === undefined ? providers : [configured];
  for (const hint of preferences?.hints ?? []) {
    const name = hint.name?.trim().toLowerCase();
    if (name === undefined || name === '') continue;
    for (const candidate of knownModels(allowed, settings)) {
      if (candidate.model.toLowerCase().includes(name)) return candidate;
    }
  }
  // Priorities without a hint that matched: the best model of the model table among the allowed providers.
  const prioritised = [preferences?.costPriority, preferences?.speedPriority, preferences?.intelligencePriority].some((priority) => typeof priority === 'number' && priority > 0);
  if (prioritised) {
    const best = rankModels(preferences as ModelPreferences, modelTable(settings.models), { providers: allowed.map((provider) => provider.name) })[0];
    const provider = allowed.find((candidate) => candidate.name === best?.model.provider);
    if (best !== undefined && provider !== undefined) return { provider, model: best.model.name };
  }
  return { provider: configured ?? (providers[0] as LlmProvider), model: undefined };
}

/** Models hints can pick: each provider's `default_model`, then the price table's (config first), by the provider they belong to. */
function knownModels(providers: readonly LlmProvider[], settings: Settings): { provider: LlmProvider; model: string }[] {
  const candidates: { provider: LlmProvider; model: string }[] = [];
  for (const provider of providers) {
    const section = (settings as Record<string, unknown>)[provider.name] as { default_model?: unknown } | undefined;
    if (typeof section?.default_model === 'string') candidates.push({ provider, model: section.default_model });
  }
  const priced = [...Object.keys(settings.model_prices ?? {}), ...Object.keys(DEFAULT_MODEL_PRICES)];
  for (const model of priced) {
    const family = /^claude/i.test(model) ? 'anthropic' : /^(gpt|o\d|chatgpt|text-)/i.test(model) ? 'openai' : undefined;
    const provider = providers.find((candidate) => candidate.name === family);
    if (provider !== undefined) candidates.push({ provider, model });
  }
  return candidates;
}

/** Asks a person through the app's human input handler; anything but an approval refuses with code -1. */
async function askApproval(params: CreateMessageRequest['params'], context: ClientRequestContext, choice: ModelChoice, humanInput: HumanInputHandler | undefined): Promise<void> {
  if (humanInput === undefined) {
    throw clientRequestError(
      USER_REJECTED_SAMPLING_CODE,
      `sampling for MCP server "${context.server}" needs a person's approval (mcp.sampling.approval: human) and the app has no human input handler; pass one (new MCPApp({ humanInput })) or set approval: none`,
    );
  }
  const requestId = `sampling-${context.server}-${Date.now().toString(36)}-${Math.floor(Math.random() * 1e9).toString(36)}`;
  const answer = await humanInput({
    requestId,
    prompt: `MCP server "${context.server}" asks for a model answer (sampling). Reply "approve" to send it to ${describeChoice(choice)}; anything else refuses (your words are the reason).\n\n${summarise(params)}`,
    description: 'MCP sampling request approval',
    metadata: { type: 'mcp_sampling_approval', server: context.server },
  });
  const text = (typeof answer === 'string' ? answer : answer.response).trim();
  if (/^(approve|approved|yes|y)$/i.test(text)) return;
  throw clientRequestError(USER_REJECTED_SAMPLING_CODE, `User rejected sampling request${text === '' ? '' : `: ${text}`}`);
}

function describeChoice(choice: ModelChoice): string {
  return choice.model === undefined ? `${choice.provider.name} (its default model)` : `${choice.provider.name} ${choice.model}`;
}

/** A readable summary of a request, for the person who approves it. */
function summarise(params: CreateMessageRequest['params']): string {
  const lines = [`max tokens: ${params.maxTokens}`];
  if (params.systemPrompt !== undefined) lines.push(`system prompt: ${preview(params.systemPrompt)}`);
  if (params.temperature !== undefined) lines.push(`temperature: ${params.temperature}`);
  if (params.stopSequences !== undefined) lines.push(`stop sequences: ${JSON.stringify(params.stopSequences)}`);
  const hints = params.modelPreferences?.hints?.map((hint) => hint.name).filter((name) => name !== undefined);
  if (hints !== undefined && hints.length > 0) lines.push(`model hints: ${hints.join(', ')}`);
  lines.push('messages:');
  params.messages.forEach((message, index) => {
    const text = blocksOf(message)
      .map((block) => (block.type === 'text' ? block.text : `[${block.type}]`))
      .join(' ');
    lines.push(`  ${index + 1}. ${message.role}: ${preview(text)}`);
  });
  return lines.join('\n');
}

function preview(text: string): string {
  return text.length > MESSAGE_PREVIEW_CHARACTERS ? `${text.slice(0, MESSAGE_PREVIEW_CHARACTERS)}...` : text;
}

type SamplingBlock = Extract<SamplingMessage['content'], { type: string }>;

function blocksOf(message: SamplingMessage): SamplingBlock[] {
  return Array.isArray(message.content) ? (message.content as SamplingBlock[]) : [message.content as SamplingBlock];
}

/** The provider request for a sampling request; content this client cannot pass on is refused with InvalidParams. */
function toLlmRequest(params: CreateMessageRequest['params'], choice: ModelChoice, maxTokensCap: number | undefined): LlmRequest {
  const messages: LlmRequest['messages'] = [];
  if (params.systemPrompt !== undefined && params.systemPrompt !== '') messages.push({ role: 'system', content: params.systemPrompt });
  params.messages.forEach((message, index) => {
    const parts: LlmContentPart[] = blocksOf(message).map((block) => {
      if (block.type === 'text') return { type: 'text', text: block.text };
      if (block.type === 'image' && message.role === 'user') return { type: 'image', data: block.data, mimeType: block.mimeType };
      throw clientRequestError(
        ErrorCode.InvalidParams,
        `sampling message ${index + 1} (${message.role}) has ${block.type} content, which this client does not send to models; send text (and images in user messages)`,
      );
    });
    if (message.role === 'user') {
      messages.push({ role: 'user', content: parts.every((part) => part.type === 'text') ? parts.map((part) => (part as { text: string }).text).join('\n') : parts });
    } else {
      messages.push({ role: 'assistant', content: parts.map((part) => (part as { text: string }).text).join('\n') });
    }
  });
  const maxTokens = maxTokensCap === undefined ? params.maxTokens : Math.min(params.maxTokens, maxTokensCap);
  return {
    provider: choice.provider.name,
    ...(choice.model === undefined ? {} : { model: choice.model }),
    messages,
    maxTokens,
    ...(params.temperature === undefined ? {} : { temperature: params.temperature }),
    ...(params.stopSequences === undefined || params.stopSequences.length === 0 ? {} : { stopSequences: params.stopSequences }),
  };
}

const STOP_REASONS: Readonly<Record<LlmResponse['stopReason'], string>> = {
  end_turn: 'endTurn',
  max_tokens: 'maxTokens',
  stop_sequence: 'stopSequence',
  tool_use: 'toolUse',
  other: 'endTurn',
};

function toCreateMessageResult(response: LlmResponse): CreateMessageResult {
  return {
    role: 'assistant',
    content: { type: 'text', text: response.message.content ?? '' },
    model: response.model,
    stopReason: STOP_REASONS[response.stopReason] ?? response.stopReason,
  };
}
