/**
 * Provider-neutral model requests and responses: what crosses from workflow code to the task
 * that calls a provider's SDK (an activity under Temporal). Plain data, never an API key. Safe
 * for the workflow sandbox.
 */
import type { ModelPreferences } from './model-table.js';

/** A part of a message's content. */
export type LlmContentPart = { type: 'text'; text: string } | { type: 'image'; data: string; mimeType: string };

/** A tool call as the model made it; `arguments` is the JSON text the model wrote (it may be invalid). */
export interface LlmToolCall {
  id: string;
  name: string;
  arguments: string;
}

/** A message of a conversation. */
export type LlmMessage =
  | { role: 'system'; content: string }
  | { role: 'user'; content: string | LlmContentPart[] }
  | { role: 'assistant'; content: string | null; toolCalls?: LlmToolCall[] | undefined }
  | { role: 'tool'; toolCallId: string; name: string; content: string | LlmContentPart[]; isError?: boolean | undefined };

/** A tool offered to the model. */
export interface LlmToolDefinition {
  name: string;
  description?: string | undefined;
  /** JSON Schema of the arguments. */
  inputSchema: Record<string, unknown>;
}

/** A request for one model round trip. */
export interface LlmRequest {
  /** `openai`, `anthropic`, ... */
  provider: string;
  /** Defaults to the best model for `modelPreferences`, else the provider's `default_model` in the config. */
  model?: string | undefined;
  /**
   * When `model` is not given: cost, speed and intelligence priorities (MCP's `ModelPreferences`)
   * by which the worker chooses among the provider's models in the model table (`models` in the
   * config over the built-in one).
   */
  modelPreferences?: ModelPreferences | undefined;
  messages: LlmMessage[];
  tools?: LlmToolDefinition[] | undefined;
  maxTokens?: number | undefined;
  temperature?: number | undefined;
  stopSequences?: string[] | undefined;
  /** Whether the model may ask for several tools at once. Default true. */
  parallelToolCalls?: boolean | undefined;
  /** Asks for output matching a JSON Schema (OpenAI `json_schema` format, Anthropic forced tool use). */
  responseFormat?: { name: string; schema: Record<string, unknown> } | undefined;
}

/** Tokens used. */
export interface LlmUsage {
  inputTokens: number;
  outputTokens: number;
  totalTokens: number;
}

/** Why the model stopped. */
export type LlmStopReason = 'end_turn' | 'tool_use' | 'max_tokens' | 'stop_sequence' | 'other';

/** The answer of one model round trip. */
export interface LlmResponse {
  /** The model that answered. */
  model: string;
  message: { role: 'assistant'; content: string | null; toolCalls: LlmToolCall[] };
  stopReason: LlmStopReason;
  usage: LlmUsage;
  /** For a `responseFormat` request answered by forced tool use: the tool's input. */
  structured?: unknown;
  /** What the round trip cost in US dollars, by the price table; set by the task that made it. */
  costUsd?: number | undefined;
}

/** The task name of a provider's model round trip: `llm.<provider>.complete`. */
export function llmTaskName(provider: string): string {
  return `llm.${provider}.complete`;
}
