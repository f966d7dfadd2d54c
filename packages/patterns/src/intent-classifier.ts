/**
 * Intent classifiers: what does a request ask for, among intents given by name, description and
 * examples? {@link LLMIntentClassifier} asks a model (structured output, checked against the
 * intent names); {@link EmbeddingIntentClassifier} compares embeddings. They classify rather than
 * answer, so they are not LLMs (they do not extend `PatternLlm`), but they report their usage as
 * a tree. Safe for the workflow sandbox: every model and embedding call is a task.
 */
import { Agent, cosineSimilarity, embed, type UsageNode, type UsageReporter, usageNode, WorkflowApplicationError, WorkflowUsageError } from '@mcp-agent/core/workflow';
import { z } from 'zod';
import { describe, type Llm, type LlmChoice, type LlmFactory, llmFactoryOf } from './llm.js';
import { askWithCorrections, checkThresholds, checkTopK, clip, type Confidence, confidenceOf, type ConfidenceThresholds, EmbeddingUsage, fillTemplate, matchName } from './router.js';

/**
 * An intent a request may have.
 *
 * @example
 * ```ts
 * const intent: Intent = {
 *   name: 'schedule_meeting',
 *   description: 'Schedule or set up a meeting',
 *   examples: ['Set up a call with John next week', 'Book a meeting room for Friday'],
 *   metadata: { team: 'calendar' },
 * };
 * ```
 */
export interface Intent {
  /** Unique among the classifier's intents. */
  name: string;
  description?: string;
  /** Requests that have this intent. */
  examples?: string[];
  /** More about the intent, shown to the model (LLM classifier). */
  metadata?: Record<string, string>;
}

/**
 * An entity of the request that matters to its intent (LLM classifier).
 *
 * @example
 * ```ts
 * const who: ExtractedEntity = { name: 'person', value: 'John' };
 * ```
 */
export interface ExtractedEntity {
  name: string;
  value: string;
}

/**
 * One intent of a request, as an LLM classifier found it.
 *
 * @example
 * ```ts
 * const [top] = await classifier.classify('Set up a call with Sarah');
 * if (top?.intent === 'schedule_meeting' && top.confidence === 'high') await schedule(top.entities);
 * ```
 */
export interface LLMIntentClassification {
  /** The intent's name. */
  intent: string;
  confidence: Confidence;
  /** The model's probability that this is the request's intent, from 0 to 1. */
  pScore?: number;
  /** Why the model chose it. */
  reasoning?: string;
  /** Entities of the request that matter to the intent. */
  entities: ExtractedEntity[];
}

/**
 * One intent of a request, as an embedding classifier scored it.
 *
 * @example
 * ```ts
 * const [top] = await classifier.classify('Am I free tomorrow?');
 * console.log(top?.intent, top?.pScore.toFixed(2));
 * ```
 */
export interface EmbeddingIntentClassification {
  intent: string;
  /** The best cosine similarity of the request and the intent's texts. */
  pScore: number;
  /** From `pScore` by the classifier's {@link ConfidenceThresholds}. */
  confidence: Confidence;
}

// ---------------------------------------------------------------------------------------------
// LLM classifier

const CLASSIFIER_SYSTEM_PROMPT = 'You classify requests by their intent: you read a request and choose, from a list of intents, the ones it has.';

/** The default classification prompt; `{context}`, `{request}` and `{top_k}` are filled in. */
const DEFAULT_CLASSIFICATION_INSTRUCTION = `Find the intent of the request below among these intents:

{context}

The request:
{request}

Answer with up to {top_k} intents, the most likely first, using each intent's exact name. For each, give your confidence (high from a probability of 0.8, medium from 0.5, low below), the probability that it is the request's intent (pScore, from 0 to 1), a short reason, and the entities of the request that matter to the intent as names and values (an empty list when there are none). Leave out unlikely intents, and answer with no intents when none fits.`;

/**
 * Options of {@link createIntentClassifierLlm}: the intents, the prompt, and how the classifying
 * LLM is made.
 *
 * @example
 * ```ts
 * const options: LLMIntentClassifierOptions = { intents, provider: 'anthropic', model: 'claude-3-5-haiku-latest' };
 * ```
 */
export interface LLMIntentClassifierOptions extends LlmChoice {
  intents: Intent[];
  /**
   * The classification prompt, with the placeholders `{context}` (the intents), `{request}` and
   * `{top_k}` filled in; when it lacks `{context}` or `{request}`, they are added after it.
   */
  classificationInstruction?: string;
  /** The classifier's name, in usage trees and errors. Default `intent-classifier`; its LLM's agent is `<name>-llm`. */
  name?: string;
}

/**
 * An intent classifier that asks a model: the prompt lays out every intent with its description,
 * examples and metadata, and the model answers with structured output
 * `{ classifications: [{ intent, confidence, pScore, reasoning, entities }] }`. An intent name that
 * is not one of the intents goes back to the model with what was wrong and the valid names, at
 * most twice; then `classify` fails with a `ClassificationError`.
 *
 * It classifies rather than answers, so it is not an LLM and does not extend `PatternLlm`; its
 * `usageTree()` reports its model's usage.
 *
 * @example
 * ```ts
 * const classifier = createIntentClassifierLlm({ intents });
 * const [top] = await classifier.classify('Can you set up a meeting with Sarah tomorrow?');
 * ```
 */
export class LLMIntentClassifier implements UsageReporter {
  readonly kind = 'intent-classifier';
  readonly name: string;
  readonly intents: readonly Intent[];
  readonly classificationInstruction: string;
  readonly #factory: LlmFactory;
  #llm: Promise<Llm> | undefined;
  #llmValue: Llm | undefined;

  constructor(options: LLMIntentClassifierOptions) {
    this.name = checkName('createIntentClassifierLlm', options?.name ?? 'intent-classifier');
    this.intents = checkIntents('createIntentClassifierLlm', options.intents);
    if (options.classificationInstruction !== undefined && (typeof options.classificationInstruction !== 'string' || options.classificationInstruction.trim() === '')) {
      throw new WorkflowUsageError(`createIntentClassifierLlm: classificationInstruction must be a non-empty string, got ${describe(options.classificationInstruction)}`);
    }
    this.classificationInstruction = options.classificationInstruction ?? DEFAULT_CLASSIFICATION_INSTRUCTION;
    this.#factory = llmFactoryOf(options);
  }

  /** The LLM that classifies (made once by the factory, for the agent `<name>-llm`). */
  llm(): Promise<Llm> {
    this.#llm ??= Promise.resolve(this.#factory(new Agent({ name: `${this.name}-llm`, instruction: CLASSIFIER_SYSTEM_PROMPT }))).then((llm) => {
      this.#llmValue = llm;
      return llm;
    });
    this.#llm.catch(() => {
      this.#llm = undefined;
    });
    return this.#llm;
  }

  /**
   * The request's intents, up to `topK`, the most likely first (none when no intent fits).
   *
   * @throws WorkflowApplicationError `ClassificationError` when the model keeps naming intents that are not given.
   */
  async classify(request: string, topK = 1): Promise<LLMIntentClassification[]> {
    checkTopK(`${this.name}.classify`, topK);
    if (typeof request !== 'string') throw new WorkflowUsageError(`${this.name}.classify: request must be a string, got ${describe(request)}`);
    const names = this.intents.map((intent) => intent.name);
    const prompt = fillTemplate(this.classificationInstruction, { context: this.intents.map(formatIntent).join('\n\n'), request, top_k: String(topK) });
    const entity = z.object({ name: z.string(), value: z.string() });
    const item = z.object({
      intent: z.string(),
      confidence: z.enum(['high', 'medium', 'low']),
      pScore: z.number().min(0).max(1),
      reasoning: z.string(),
      entities: z.array(entity),
    });
    const schema = z.object({ classifications: z.array(item) });
    const jsonSchema = z.object({ classifications: z.array(item.extend({ intent: z.enum(names as [string, ...string[]]) })) }).toJSONSchema();
    return askWithCorrections<z.infer<typeof schema>, LLMIntentClassification[]>({
      llm: await this.llm(),
      prompt,
      schema,
      jsonSchema,
      schemaName: 'intent_classification',
      check: (answer) => {
        const found: LLMIntentClassification[] = [];
        for (const entry of answer.classifications) {
          const intent = matchName(entry.intent, names);
          if (intent === undefined) return { problem: `"${entry.intent}" is not one of the intents` };
          if (found.some((candidate) => candidate.intent === intent)) continue;
          found.push({ intent, confidence: entry.confidence, pScore: entry.pScore, reasoning: entry.reasoning, entities: entry.entities });
        }
        return { value: found.slice(0, topK) };
      },
      correction: (problem) => `Your answer is not valid: ${problem}. The intents are: ${names.map((name) => `"${name}"`).join(', ')}. Answer again, naming only these intents.`,
      failure: (problem, answers) =>
        new WorkflowApplicationError(
          `intent classifier "${this.name}" could not classify "${clip(request)}": after ${answers} answers the model's answer is still not valid (${problem}); the intents are: ${names.join(', ')}`,
          { type: 'ClassificationError', nonRetryable: true },
        ),
    });
  }

  /** The usage of the classifier's LLM, under a node of kind `intent-classifier`. */
  usageTree(): UsageNode {
    return usageNode(this.name, this.kind, this.#llmValue === undefined ? [] : [this.#llmValue]);
  }
}

/**
 * An intent classifier that asks a model (see {@link LLMIntentClassifier}).
 *
 * @example
 * ```ts
 * const classifier = createIntentClassifierLlm({
 *   intents: [
 *     { name: 'schedule_meeting', description: 'Schedule a meeting', examples: ['Set up a call for next week'] },
 *     { name: 'check_calendar', description: 'Check availability or appointments', examples: ['Am I free tomorrow afternoon?'] },
 *   ],
 * });
 * const [top] = await classifier.classify('Can you set up a meeting with Sarah tomorrow?', 2);
 * ```
 */
export function createIntentClassifierLlm(options: LLMIntentClassifierOptions): LLMIntentClassifier {
  return new LLMIntentClassifier(options);
}

// ---------------------------------------------------------------------------------------------
// Embedding classifier

/**
 * Options of {@link createIntentClassifierEmbedding}.
 *
 * @example
 * ```ts
 * const options: EmbeddingIntentClassifierOptions = { intents, model: 'text-embedding-3-small', confidenceThresholds: { high: 0.7, medium: 0.5 } };
 * ```
 */
export interface EmbeddingIntentClassifierOptions {
  intents: Intent[];
  /** The embedding provider. Default `openai`. */
  provider?: string;
  /** The embedding model. Default: the provider's `default_embedding_model`, else its own default. */
  model?: string;
  /** Dimensions to shorten the vectors to, when the model supports it. */
  dimensions?: number;
  /** The classifier's name, in usage trees and errors. Default `intent-classifier`. */
  name?: string;
  /** Score thresholds of the confidence levels. Default: 0.6 and above `high`, 0.4 and above `medium`. */
  confidenceThresholds?: ConfidenceThresholds;
}

/**
 * An intent classifier that compares embeddings. Each intent has several texts (its name with its
 * description, and each of its examples), all embedded once, in one call, the first time it
 * classifies. A request scores against an intent by its best cosine similarity to any of the
 * intent's texts: a request close to a single example matches strongly, where averaging would
 * blur the examples together. Results come best first with `pScore` and a confidence.
 *
 * It classifies rather than answers, so it is not an LLM and does not extend `PatternLlm`; its
 * `usageTree()` reports its embedding calls.
 *
 * @example
 * ```ts
 * const classifier = createIntentClassifierEmbedding({ intents });
 * const [top] = await classifier.classify('Am I free tomorrow afternoon?'); // { intent: 'check_calendar', pScore, confidence }
 * ```
 */
export class EmbeddingIntentClassifier implements UsageReporter {
  readonly kind = 'intent-classifier';
  readonly name: string;
  readonly intents: readonly Intent[];
  readonly provider: string;
  readonly model: string | undefined;
  readonly confidenceThresholds: ConfidenceThresholds;
  readonly #dimensions: number | undefined;
  readonly #embeddings: EmbeddingUsage;
  #vectors: Promise<number[][][]> | undefined;

  constructor(options: EmbeddingIntentClassifierOptions) {
    this.name = checkName('createIntentClassifierEmbedding', options?.name ?? 'intent-classifier');
    this.intents = checkIntents('createIntentClassifierEmbedding', options.intents);
    this.provider = options.provider ?? 'openai';
    this.model = options.model;
    this.#dimensions = options.dimensions;
    this.confidenceThresholds = checkThresholds('createIntentClassifierEmbedding', options.confidenceThresholds);
    this.#embeddings = new EmbeddingUsage(`${this.name}-embeddings`);
  }

  /** Embeds every intent's texts (once; later calls reuse them). */
  initialize(): Promise<void> {
    return this.#intentVectors().then(() => undefined);
  }

  /** The request's intents, up to `topK`, the best first. */
  async classify(request: string, topK = 1): Promise<EmbeddingIntentClassification[]> {
    checkTopK(`${this.name}.classify`, topK);
    if (typeof request !== 'string') throw new WorkflowUsageError(`${this.name}.classify: request must be a string, got ${describe(request)}`);
    const vectors = await this.#intentVectors();
    const [requestVector] = await this.#embed([request]);
    return this.intents
      .map((intent, index) => ({
        intent: intent.name,
        pScore: Math.max(...(vectors[index] as number[][]).map((vector) => cosineSimilarity(requestVector as number[], vector))),
      }))
      .sort((a, b) => b.pScore - a.pScore)
      .slice(0, topK)
      .map((result) => ({ ...result, confidence: confidenceOf(result.pScore, this.confidenceThresholds) }));
  }

  /** The usage of the embedding calls, under a node of kind `intent-classifier`. */
  usageTree(): UsageNode {
    return usageNode(this.name, this.kind, [this.#embeddings]);
  }

  #intentVectors(): Promise<number[][][]> {
    this.#vectors ??= (async () => {
      const texts = this.intents.map((intent) => [intent.description === undefined ? intent.name : `${intent.name}: ${intent.description}`, ...(intent.examples ?? [])]);
      const flat = await this.#embed(texts.flat());
      let next = 0;
      return texts.map((group) => group.map(() => flat[next++] as number[]));
    })();
    this.#vectors.catch(() => {
      this.#vectors = undefined;
    });
    return this.#vectors;
  }

  async #embed(inputs: string[]): Promise<number[][]> {
    const response = await embed(this.provider, inputs, {
      ...(this.model === undefined ? {} : { model: this.model }),
      ...(this.#dimensions === undefined ? {} : { dimensions: this.#dimensions }),
    });
    this.#embeddings.add(response);
    return response.embeddings;
  }
}

/**
 * An intent classifier that compares embeddings (see {@link EmbeddingIntentClassifier}).
 *
 * @example
 * ```ts
 * const classifier = createIntentClassifierEmbedding({
 *   intents: [
 *     { name: 'schedule_meeting', description: 'Schedule a meeting', examples: ['Set up a call for next week'] },
 *     { name: 'check_calendar', description: 'Check availability or appointments', examples: ['Am I free tomorrow afternoon?'] },
 *   ],
 * });
 * const results = await classifier.classify('Am I free on Friday afternoon?', 2);
 * ```
 */
export function createIntentClassifierEmbedding(options: EmbeddingIntentClassifierOptions): EmbeddingIntentClassifier {
  return new EmbeddingIntentClassifier(options);
}

function checkName(caller: string, name: unknown): string {
  if (typeof name !== 'string' || name === '') throw new WorkflowUsageError(`${caller}: name must be a non-empty string, got ${describe(name)}`);
  return name;
}

function checkIntents(caller: string, intents: unknown): Intent[] {
  if (!Array.isArray(intents) || intents.length === 0) {
    throw new WorkflowUsageError(`${caller}: intents must be a non-empty array of { name, description, examples }, got ${describe(intents)}`);
  }
  const seen = new Set<string>();
  return intents.map((intent: Intent, index) => {
    if (typeof intent?.name !== 'string' || intent.name === '')
      throw new WorkflowUsageError(`${caller}: intents[${index}].name must be a non-empty string, got ${describe(intent?.name)}`);
    if (seen.has(intent.name)) throw new WorkflowUsageError(`${caller}: two intents are named "${intent.name}"; every intent needs a unique name`);
    seen.add(intent.name);
    if (intent.description !== undefined && typeof intent.description !== 'string') {
      throw new WorkflowUsageError(`${caller}: intents[${index}].description must be a string, got ${describe(intent.description)}`);
    }
    if (intent.examples !== undefined && (!Array.isArray(intent.examples) || intent.examples.some((example) => typeof example !== 'string' || example === ''))) {
      throw new WorkflowUsageError(`${caller}: intents[${index}].examples must be an array of non-empty strings, got ${describe(intent.examples)}`);
    }
    return { ...intent, ...(intent.examples === undefined ? {} : { examples: [...intent.examples] }) };
  });
}

/** An intent as the classification prompt shows it. */
function formatIntent(intent: Intent, index: number): string {
  const lines = [`${index + 1}. ${intent.name}`, `Description: ${intent.description ?? 'none given'}`];
  if (intent.examples !== undefined && intent.examples.length > 0) lines.push('Examples:', ...intent.examples.map((example) => `- ${example}`));
  const metadata = Object.entries(intent.metadata ?? {});
  if (metadata.length > 0) lines.push('More about it:', ...metadata.map(([key, value]) => `- ${key}: ${value}`));
  return lines.join('\n');
}
