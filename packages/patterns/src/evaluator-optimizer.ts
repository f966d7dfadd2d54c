/**
 * The evaluator-optimizer pattern: one agent (the optimizer) answers, another (the evaluator)
 * rates the answer and says what to improve, and the optimizer tries again with that feedback
 * until the rating reaches the bar or the refinements run out. Safe for the workflow sandbox:
 * every model call is a task, and the loop is deterministic.
 */
import {
  Agent,
  AugmentedLLM,
  type GenerateResult,
  type GenerateStopReason,
  type LlmUsage,
  type RequestParams,
  type UsageNode,
  usageNode,
  WorkflowApplicationError,
  WorkflowUsageError,
} from '@mcp-agent/core/workflow';
import { z } from 'zod';
import { type AgentOrLlm, describe, isLlm, type Llm, type LlmChoice, type LlmFactory, llmFactoryOf, type Message, messageText, PatternLlm, toLlm, usageSince } from './llm.js';

/**
 * The ratings an evaluator gives, worst first: an answer meets a bar when its rating comes at or
 * after the bar in this list.
 *
 * @example
 * ```ts
 * QUALITY_RATINGS.indexOf('GOOD') > QUALITY_RATINGS.indexOf('FAIR'); // true
 * ```
 */
export const QUALITY_RATINGS = ['POOR', 'FAIR', 'GOOD', 'EXCELLENT'] as const;

/**
 * A rating: `POOR` (major improvements needed), `FAIR` (several), `GOOD` (minor ones possible),
 * `EXCELLENT` (nothing to improve).
 *
 * @example
 * ```ts
 * const bar: QualityRating = QualityRating.EXCELLENT; // 'EXCELLENT'
 * ```
 */
export type QualityRating = (typeof QUALITY_RATINGS)[number];

/**
 * The ratings by name, as the Python `QualityRating` enum: `QualityRating.GOOD === 'GOOD'`.
 *
 * @example
 * ```ts
 * createEvaluatorOptimizerLlm({ optimizer, evaluator, minRating: QualityRating.EXCELLENT });
 * ```
 */
export const QualityRating = { POOR: 'POOR', FAIR: 'FAIR', GOOD: 'GOOD', EXCELLENT: 'EXCELLENT' } as const satisfies Record<QualityRating, QualityRating>;

/**
 * The rank of a rating, from 0 (`POOR`) to 3 (`EXCELLENT`).
 *
 * @example
 * ```ts
 * ratingRank('GOOD') >= ratingRank(minRating); // the answer meets the bar
 * ```
 */
export function ratingRank(rating: QualityRating): number {
  const rank = QUALITY_RATINGS.indexOf(rating);
  if (rank < 0) throw new WorkflowUsageError(`expected a rating, one of ${QUALITY_RATINGS.join(', ')}, got ${JSON.stringify(rating)}`);
  return rank;
}

const evaluationFields = {
  feedback: z.string().describe('Specific feedback on the response, with suggestions for improvement'),
  needsImprovement: z.boolean().describe('Whether the response needs further improvement'),
  focusAreas: z.array(z.string()).describe('The specific areas to work on in the next attempt (may be empty)'),
};
const ratingDescription = 'EXCELLENT: nothing to improve; GOOD: only minor improvements possible; FAIR: several improvements needed; POOR: major improvements needed';

/**
 * The evaluator's structured answer. The rating is read case-insensitively (`good` is `GOOD`).
 *
 * @example
 * ```ts
 * const evaluation = EvaluationSchema.parse({ rating: 'FAIR', feedback: 'Too vague.', needsImprovement: true, focusAreas: ['examples'] });
 * ```
 */
export const EvaluationSchema = z.object({
  rating: z.preprocess((value) => (typeof value === 'string' ? value.trim().toUpperCase() : value), z.enum(QUALITY_RATINGS)).describe(ratingDescription),
  ...evaluationFields,
});

/**
 * An evaluation of one attempt.
 *
 * @example
 * ```ts
 * const evaluation: Evaluation = { rating: 'GOOD', feedback: 'Clear.', needsImprovement: false, focusAreas: [] };
 * ```
 */
export type Evaluation = z.infer<typeof EvaluationSchema>;

// What the evaluator model is shown: the same structure, with the rating as a plain enum.
const evaluationJsonSchema = z.toJSONSchema(z.object({ rating: z.enum(QUALITY_RATINGS).describe(ratingDescription), ...evaluationFields })) as Record<string, unknown>;

/**
 * One attempt of the optimizer, with its evaluation.
 *
 * @example
 * ```ts
 * const lines = llm.refinementHistory.map((attempt) => `#${attempt.attempt} ${attempt.rating}: ${attempt.feedback}`);
 * ```
 */
export interface EvaluatedAttempt extends Evaluation {
  /** 1 for the first answer, 2 for the first refinement, ... */
  attempt: number;
  /** The optimizer's answer. */
  text: string;
}

/**
 * Why an evaluator-optimizer call ended: `end_turn` when an attempt met `minRating`,
 * `max_refinements` when none did and the refinements ran out.
 *
 * @example
 * ```ts
 * if (result.stopReason === 'max_refinements') console.warn(`best was only ${result.rating}`);
 * ```
 */
export type EvaluatorOptimizerStopReason = GenerateStopReason | 'max_refinements';

/**
 * What an evaluator-optimizer call returns: the best attempt's result (highest rating, the
 * earliest among equals), why the loop stopped, the best rating, and every attempt.
 *
 * @example
 * ```ts
 * const result = await writer.generateWithEvaluation('Write a cover letter for ...');
 * console.log(result.stopReason, result.rating, result.attempts.length);
 * ```
 */
export interface EvaluatorOptimizerResult extends Omit<GenerateResult, 'stopReason'> {
  stopReason: EvaluatorOptimizerStopReason;
  /** The returned attempt's rating. */
  rating: QualityRating;
  /** Every attempt, in order, with its evaluation. */
  attempts: EvaluatedAttempt[];
}

/**
 * Options of {@link createEvaluatorOptimizerLlm}.
 *
 * @example
 * ```ts
 * const options: EvaluatorOptimizerLlmOptions = { optimizer: writer, evaluator: 'Rate the letter for clarity and tone.', minRating: 'EXCELLENT' };
 * ```
 */
export interface EvaluatorOptimizerLlmOptions extends LlmChoice {
  /** Writes the answer and its refinements: an agent, an LLM, or a pattern. */
  optimizer: AgentOrLlm;
  /** Rates each answer: an agent, an LLM, or a string, the instruction (criteria) of an evaluator agent made with the factory. */
  evaluator: AgentOrLlm | string;
  /** The rating an answer must reach. Default `GOOD`. */
  minRating?: QualityRating;
  /** Refinements at most after the first answer, so at most `maxRefinements + 1` answers. Default 3. */
  maxRefinements?: number;
  /** The pattern's name. Default: the optimizer's name. */
  name?: string;
}

/** Times an invalid evaluation is sent back to the evaluator before the call fails. */
const MAX_EVALUATION_RETRIES = 2;

function evaluationPrompt(request: string, response: string, attempt: number): string {
  return [
    'Evaluate the response below to the request. Judge it by the criteria in your instructions; if you were given none, by how correct, complete and clear it is.',
    `<request>\n${request}\n</request>`,
    `<response attempt="${attempt}">\n${response}\n</response>`,
    [
      'Give your evaluation as:',
      `- rating: exactly one of ${QUALITY_RATINGS.join(', ')}. EXCELLENT when nothing needs improving, GOOD when only minor improvements are possible, FAIR when several are needed, POOR when major ones are needed;`,
      '- feedback: specific feedback and suggestions;',
      '- needsImprovement: true or false;',
      '- focusAreas: the areas to work on next (an empty list when there are none).',
    ].join('\n'),
  ].join('\n\n');
}

function refinementPrompt(request: string, previous: EvaluatedAttempt): string {
  return [
    'Improve your previous response to the request, using the evaluation below. Keep what was right and address every point of the feedback.',
    `<request>\n${request}\n</request>`,
    `<previous_response attempt="${previous.attempt}">\n${previous.text}\n</previous_response>`,
    `<evaluation>\nRating: ${previous.rating}\nFeedback: ${previous.feedback}\nFocus areas: ${previous.focusAreas.length > 0 ? previous.focusAreas.join('; ') : '(none given)'}\n</evaluation>`,
    'Write the complete improved response.',
  ].join('\n\n');
}

function issuesOf(error: z.ZodError, value: unknown): string {
  return error.issues
    .map((issue) => {
      const path = issue.path.map(String).join('.') || '(the answer)';
      let got: unknown = value;
      for (const key of issue.path) got = typeof got === 'object' && got !== null ? (got as Record<PropertyKey, unknown>)[key] : undefined;
      return `${path}: ${issue.message} (got ${got === undefined ? 'nothing' : JSON.stringify(got)})`;
    })
    .join('; ');
}

function addUsage(into: LlmUsage, from: LlmUsage): void {
  into.inputTokens += from.inputTokens;
  into.outputTokens += from.outputTokens;
  into.totalTokens += from.totalTokens;
}

/**
 * The evaluator-optimizer pattern as an LLM: `generate` has the optimizer answer, the evaluator
 * rate the answer with structured output, and the optimizer refine it with the feedback (and the
 * focus areas, and its previous attempt) until an attempt meets `minRating` or `maxRefinements`
 * refinements were made; it returns the best attempt. Made by {@link createEvaluatorOptimizerLlm};
 * usable wherever an AugmentedLLM is, including inside other patterns.
 *
 * `generate` is typed as every LLM's, but its result is an {@link EvaluatorOptimizerResult}
 * (`stopReason` may be `max_refinements`); {@link generateWithEvaluation} returns it with that type.
 *
 * @example
 * ```ts
 * const writer = createEvaluatorOptimizerLlm({ optimizer, evaluator, minRating: 'EXCELLENT' });
 * const { text, stopReason, rating, attempts } = await writer.generateWithEvaluation(request);
 * ```
 */
export class EvaluatorOptimizerLLM extends PatternLlm {
  readonly kind = 'evaluator_optimizer';
  /** The rating an attempt must reach. */
  readonly minRating: QualityRating;
  /** Refinements at most after the first answer. */
  readonly maxRefinements: number;
  readonly #optimizer: AgentOrLlm;
  readonly #evaluator: AgentOrLlm;
  readonly #factory: LlmFactory;
  #optimizerLlm: Llm | undefined;
  #evaluatorLlm: Llm | undefined;
  #structurer: Llm | undefined;
  #history: EvaluatedAttempt[] = [];

  constructor(options: EvaluatorOptimizerLlmOptions) {
    if (typeof options !== 'object' || options === null) {
      throw new WorkflowUsageError(`createEvaluatorOptimizerLlm: expected options { optimizer, evaluator }, got ${describe(options)}`);
    }
    const { optimizer, evaluator } = options;
    if (!(optimizer instanceof Agent || isLlm(optimizer))) {
      throw new WorkflowUsageError(`optimizer: expected an Agent, an AugmentedLLM or a pattern, got ${describe(optimizer)}`);
    }
    super(options.name ?? optimizer.name);
    if (typeof evaluator === 'string') {
      if (evaluator.trim() === '') throw new WorkflowUsageError('evaluator: the instruction is empty; give the evaluation criteria, or an Agent or LLM');
      this.#evaluator = new Agent({ name: 'evaluator', instruction: evaluator });
    } else if (evaluator instanceof Agent || isLlm(evaluator)) {
      this.#evaluator = evaluator;
    } else {
      throw new WorkflowUsageError(`evaluator: expected an Agent, an AugmentedLLM, a pattern or an instruction string, got ${describe(evaluator)}`);
    }
    const minRating = options.minRating ?? 'GOOD';
    if (!QUALITY_RATINGS.includes(minRating)) {
      throw new WorkflowUsageError(`minRating: expected one of ${QUALITY_RATINGS.join(', ')} (QualityRating.GOOD, ...), got ${JSON.stringify(minRating)}`);
    }
    const maxRefinements = options.maxRefinements ?? 3;
    if (!Number.isInteger(maxRefinements) || maxRefinements < 0) {
      throw new WorkflowUsageError(`maxRefinements: expected a whole number >= 0 (0 evaluates the first answer only), got ${String(maxRefinements)}`);
    }
    this.#optimizer = optimizer;
    this.minRating = minRating;
    this.maxRefinements = maxRefinements;
    this.#factory = llmFactoryOf(options);
  }

  /**
   * The attempts of the latest (or current) call, each with its evaluation; a workflow query can
   * return it while the loop runs.
   */
  get refinementHistory(): readonly EvaluatedAttempt[] {
    return this.#history;
  }

  /** The best attempt's result; at run time an {@link EvaluatorOptimizerResult}. */
  async generate(message: Message, params?: RequestParams): Promise<GenerateResult> {
    return (await this.generateWithEvaluation(message, params)) as unknown as GenerateResult;
  }

  /**
   * Runs the loop and returns the best attempt (highest rating, the earliest among equals) with
   * `stopReason` (`end_turn` when an attempt met `minRating`, else `max_refinements`), its
   * rating, and every attempt. `usage` counts the optimizer's and the evaluator's tokens.
   *
   * @throws WorkflowApplicationError of type `EvaluationError` when the evaluator gives no valid
   *   evaluation after being asked again twice.
   */
  async generateWithEvaluation(message: Message, params?: RequestParams): Promise<EvaluatorOptimizerResult> {
    const optimizer = (this.#optimizerLlm ??= await toLlm(this.#optimizer, this.#factory));
    const evaluator = (this.#evaluatorLlm ??= await toLlm(this.#evaluator, this.#factory));
    const request = messageText(message);
    const usage: LlmUsage = { inputTokens: 0, outputTokens: 0, totalTokens: 0 };
    const evaluatorBefore = evaluator.usageTree().usage;
    const attempts: EvaluatedAttempt[] = [];
    this.#history = attempts;
    let best: { result: GenerateResult; attempt: EvaluatedAttempt } | undefined;
    let prompt: Message = message;
    let met = false;
    for (let number = 1; ; number += 1) {
      const result = await optimizer.generate(prompt, params);
      addUsage(usage, result.usage);
      const evaluation = await this.#evaluate(evaluator, request, result.text, number, params);
      const attempt: EvaluatedAttempt = { attempt: number, text: result.text, ...evaluation };
      attempts.push(attempt);
      if (best === undefined || ratingRank(attempt.rating) > ratingRank(best.attempt.rating)) best = { result, attempt };
      met = ratingRank(attempt.rating) >= ratingRank(this.minRating);
      if (met || number > this.maxRefinements) break;
      prompt = refinementPrompt(request, attempt);
    }
    addUsage(usage, usageSince(evaluatorBefore, evaluator.usageTree().usage));
    return {
      ...best.result,
      usage,
      stopReason: met ? 'end_turn' : 'max_refinements',
      rating: best.attempt.rating,
      attempts: [...attempts],
    };
  }

  /** The optimizer's node, then the evaluator's (and the LLM that structured an answer, if one was made). */
  usageTree(): UsageNode {
    const children = [this.#nodeOf(this.#optimizer, this.#optimizerLlm), this.#nodeOf(this.#evaluator, this.#evaluatorLlm)];
    if (this.#structurer !== undefined) children.push(this.#structurer.usageTree());
    return usageNode(this.name, this.kind, children);
  }

  protected async structuringLlm(): Promise<Llm> {
    const optimizer = (this.#optimizerLlm ??= await toLlm(this.#optimizer, this.#factory));
    if (optimizer instanceof AugmentedLLM) return optimizer;
    const evaluator = (this.#evaluatorLlm ??= await toLlm(this.#evaluator, this.#factory));
    if (evaluator instanceof AugmentedLLM) return evaluator;
    this.#structurer ??= await this.#factory(new Agent({ name: `${this.name}_structurer` }));
    return this.#structurer;
  }

  #nodeOf(item: AgentOrLlm, llm: Llm | undefined): UsageNode {
    if (llm !== undefined) return llm.usageTree();
    return isLlm(item) ? item.usageTree() : usageNode(item.name, 'llm', []);
  }

  /** Asks for an evaluation; an invalid one goes back to the evaluator with what is wrong, at most twice. */
  async #evaluate(evaluator: Llm, request: string, response: string, attempt: number, params: RequestParams | undefined): Promise<Evaluation> {
    const prompt = evaluationPrompt(request, response, attempt);
    let ask = prompt;
    let problem = '';
    for (let tries = 0; tries <= MAX_EVALUATION_RETRIES; tries += 1) {
      const raw = await evaluator.generateStructured(ask, { parse: (value: unknown) => value }, { ...params, name: 'evaluation', jsonSchema: evaluationJsonSchema });
      const parsed = EvaluationSchema.safeParse(raw);
      if (parsed.success) return parsed.data;
      problem = issuesOf(parsed.error, raw);
      ask = `Your evaluation could not be used: ${problem}. The rating must be exactly one of ${QUALITY_RATINGS.join(', ')}, and every field is required. Evaluate again.\n\n${prompt}`;
    }
    throw new WorkflowApplicationError(
      `${this.name}: the evaluator "${evaluator.name}" gave no valid evaluation of attempt ${attempt} in ${MAX_EVALUATION_RETRIES + 1} tries; the last one: ${problem}`,
      { type: 'EvaluationError', nonRetryable: true },
    );
  }
}

/**
 * Makes an {@link EvaluatorOptimizerLLM}: the optimizer answers, the evaluator rates the answer
 * (POOR, FAIR, GOOD, EXCELLENT) with feedback, and the optimizer refines it until the rating
 * reaches `minRating` or `maxRefinements` refinements were made; the best attempt is returned.
 *
 * @example
 * ```ts
 * const optimizer = new Agent({ name: 'cover_letter_writer', instruction: 'Write a compelling cover letter for the job and candidate given.' });
 * const letters = createEvaluatorOptimizerLlm({
 *   optimizer,
 *   evaluator: 'Rate the cover letter for clarity, specificity, relevance, tone and persuasiveness.',
 *   minRating: QualityRating.EXCELLENT,
 *   maxRefinements: 2,
 * });
 * const { text, stopReason, rating } = await letters.generateWithEvaluation(`Job: ${posting}\nCandidate: ${candidate}`);
 * ```
 */
export function createEvaluatorOptimizerLlm(options: EvaluatorOptimizerLlmOptions): EvaluatorOptimizerLLM {
  return new EvaluatorOptimizerLLM(options);
}
