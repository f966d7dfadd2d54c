/**
 * The router pattern: a request goes to the category best suited to it, among agents, MCP
 * servers, LLMs or patterns, and functions. {@link LLMRouter} lets a model choose (structured
 * output, checked against the category names); {@link EmbeddingRouter} compares embeddings. Both
 * are LLMs: `generate` routes the message and forwards it to the chosen category. Safe for the
 * workflow sandbox: every model, tool listing and embedding call is a task.
 */
import {
  Agent,
  cosineSimilarity,
  embed,
  type EmbeddingResponse,
  type GenerateResult,
  type LlmMessage,
  messageOf,
  type RequestParams,
  type StructuredSchema,
  type UsageNode,
  type UsageReporter,
  type UsageTotals,
  usageNode,
  WorkflowApplicationError,
  WorkflowUsageError,
} from '@mcp-agent/core/workflow';
import { z } from 'zod';
import {
  type AgentOrLlm,
  describe,
  isLlm,
  type Llm,
  type LlmChoice,
  type LlmFactory,
  llmFactoryOf,
  type Message,
  messageText,
  PatternLlm,
  type StructuredOptions,
  textResult,
} from './llm.js';

/**
 * How sure a router or classifier is of a choice.
 *
 * @example
 * ```ts
 * const sure = (confidence: Confidence) => confidence === 'high';
 * ```
 */
export type Confidence = 'high' | 'medium' | 'low';

/**
 * A function a router can route to: it gets the request's text and returns anything (a string is
 * the answer as it is; another value is turned into JSON). It runs as workflow code, so it must be
 * deterministic: to do I/O it calls a task.
 *
 * @example
 * ```ts
 * const shout: RouterFunction = (request) => request.toUpperCase();
 * ```
 */
export type RouterFunction = (request: string) => unknown;

/**
 * A function category with its name and description (a plain function is named by its `name`).
 *
 * @example
 * ```ts
 * const refund: RouterFunctionCategory = { name: 'refund', description: 'Refunds an order by its number.', fn: (request) => refundOrder(request) };
 * ```
 */
export interface RouterFunctionCategory {
  /** Default: the function's own name. */
  name?: string;
  /** What the function does, as the router sees it. */
  description?: string;
  fn: RouterFunction;
}

/**
 * An MCP server category: the server's name in `mcp.servers`, with a description. Workflow code
 * cannot read the config, so the description is given here; the router also lists the server's tools.
 *
 * @example
 * ```ts
 * const server: RouterServer = { name: 'weather', description: 'Forecasts and weather alerts.' };
 * ```
 */
export interface RouterServer {
  name: string;
  description?: string;
}

/**
 * The categories a router chooses from. Every category needs a name unique among all of them.
 *
 * @example
 * ```ts
 * const categories: RouterCategories = { agents: [finder, writer], serverNames: ['fetch'], functions: [shout] };
 * ```
 */
export interface RouterCategories {
  /** Agents (given an LLM by the factory when a message is forwarded to them), LLMs and patterns. */
  agents?: AgentOrLlm[];
  /** MCP servers, by name or as `{ name, description }`. */
  serverNames?: Array<string | RouterServer>;
  /** Functions: plain named functions, or `{ name, description, fn }`. */
  functions?: Array<RouterFunction | RouterFunctionCategory>;
  /**
   * List each server's tools (one recorded task per server, once) and show them in the server's
   * description. Default true; set false to describe servers by their `description` alone.
   */
  listServerTools?: boolean;
}

/** What kind of category a route leads to. */
export type RouteCategory = 'agent' | 'llm' | 'server' | 'function';

interface RouteBase {
  /** The category's name. */
  name: string;
  confidence: Confidence;
  /** Why the model chose it (LLM routers). */
  reasoning?: string;
  /** The cosine similarity of the request and the category (embedding routers). */
  score?: number;
}

/**
 * A route to an agent.
 *
 * @example
 * ```ts
 * const [route] = await router.routeToAgent('Find the invoice');
 * if (route?.category === 'agent') console.log(route.result.instruction);
 * ```
 */
export interface AgentRoute extends RouteBase {
  category: 'agent';
  result: Agent;
}

/**
 * A route to an LLM or a pattern.
 *
 * @example
 * ```ts
 * const [route] = await router.route('Summarize this');
 * if (route?.category === 'llm') console.log(await route.result.generateStr('Summarize this'));
 * ```
 */
export interface LlmRoute extends RouteBase {
  category: 'llm';
  result: Llm;
}

/**
 * A route to an MCP server: `result` is the server's name.
 *
 * @example
 * ```ts
 * const [route] = await router.routeToServer('What is the forecast?');
 * const agent = new Agent({ name: 'forecaster', serverNames: [route?.result ?? 'weather'] });
 * ```
 */
export interface ServerRoute extends RouteBase {
  category: 'server';
  result: string;
}

/**
 * A route to a function.
 *
 * @example
 * ```ts
 * const [route] = await router.routeToFunction('shout hello');
 * const answer = route === undefined ? undefined : await route.result('shout hello');
 * ```
 */
export interface FunctionRoute extends RouteBase {
  category: 'function';
  result: RouterFunction;
}

/**
 * One routing decision: the category (its kind, name and target), with the confidence.
 *
 * @example
 * ```ts
 * const names = (routes: RouteResult[]) => routes.map((route) => `${route.category}:${route.name}`);
 * ```
 */
export type RouteResult = AgentRoute | LlmRoute | ServerRoute | FunctionRoute;

/**
 * A category as the router describes it to a model (or embeds it).
 *
 * @example
 * ```ts
 * const line = (category: RouterCategoryInfo) => `${category.name} (${category.category})`;
 * ```
 */
export interface RouterCategoryInfo {
  category: RouteCategory;
  name: string;
  description: string | undefined;
  /** An agent's servers. */
  servers?: string[];
  /** A server's tools, when listed. */
  tools?: Array<{ name: string; description: string | undefined }>;
}

interface Category {
  category: RouteCategory;
  name: string;
  description: string | undefined;
  target: Agent | Llm | string | RouterFunction;
  servers?: string[];
}

/** A choice a router's strategy made: a category's name, with its confidence. */
interface Choice {
  name: string;
  confidence: Confidence;
  reasoning?: string;
  score?: number;
}

const ALL: readonly RouteCategory[] = ['agent', 'llm', 'server', 'function'];
const LABELS: Record<RouteCategory, string> = { agent: 'agent', llm: 'LLM', server: 'MCP server', function: 'function' };

/**
 * The base of the routers: the categories, the `route*` methods, and `generate`, which routes a
 * message to one category and forwards it there. Subclasses decide how to choose.
 *
 * @example
 * ```ts
 * async function answer(router: Router, question: string) {
 *   const [route] = await router.route(question);
 *   return route === undefined ? 'nobody can answer that' : await router.generateStr(question);
 * }
 * ```
 */
export abstract class Router extends PatternLlm {
  readonly kind = 'router';
  /** How many routes `route` returns at most by default. */
  readonly topK: number;
  /** Makes the LLMs of the agents and servers messages are forwarded to. */
  protected readonly llmFactory: LlmFactory;
  readonly #categories: Category[];
  readonly #serverDescriptions = new Map<string, string | undefined>();
  readonly #serverAgents = new Map<string, Agent>();
  readonly #listServerTools: boolean;
  #described: Promise<RouterCategoryInfo[]> | undefined;
  readonly #delegates = new Map<string, Promise<Llm>>();
  readonly #used: Llm[] = [];
  #structurer: Promise<Llm> | undefined;
  #structurerLlm: Llm | undefined;

  protected constructor(caller: string, name: string, categories: RouterCategories, llmFactory: LlmFactory, topK: number | undefined) {
    super(name);
    this.topK = checkTopK(caller, topK ?? 1);
    this.llmFactory = llmFactory;
    this.#listServerTools = categories.listServerTools ?? true;
    this.#categories = buildCategories(caller, categories, this.#serverDescriptions);
  }

  /**
   * The categories, described as the router sees them; servers' tools are listed the first time
   * (one task per server).
   */
  categories(): Promise<RouterCategoryInfo[]> {
    this.#described ??= (async () => {
      const tools = await Promise.all(
        this.#categories.map(async (category) => {
          if (category.category !== 'server' || !this.#listServerTools) return undefined;
          const listed = await this.#serverAgent(category.name).listTools();
          return listed.map((tool) => ({ name: tool.toolName, description: tool.description }));
        }),
      );
      return this.#categories.map((category, index) => ({
        category: category.category,
        name: category.name,
        description: category.description,
        ...(category.servers === undefined ? {} : { servers: category.servers.map((server) => describeServerName(server, this.#serverDescriptions)) }),
        ...(tools[index] === undefined ? {} : { tools: tools[index] }),
      }));
    })();
    this.#described.catch(() => {
      this.#described = undefined;
    });
    return this.#described;
  }

  /** Routes a request among every category; returns up to `topK` routes, the best first (none when nothing fits). */
  route(request: Message, topK: number = this.topK): Promise<RouteResult[]> {
    return this.#routeAmong('route', request, topK, ALL);
  }

  /** Routes a request among the agents, LLMs and patterns. */
  routeToAgent(request: Message, topK: number = this.topK): Promise<Array<AgentRoute | LlmRoute>> {
    return this.#routeAmong('routeToAgent', request, topK, ['agent', 'llm']) as Promise<Array<AgentRoute | LlmRoute>>;
  }

  /** Routes a request among the MCP servers. */
  routeToServer(request: Message, topK: number = this.topK): Promise<ServerRoute[]> {
    return this.#routeAmong('routeToServer', request, topK, ['server']) as Promise<ServerRoute[]>;
  }

  /** Routes a request among the functions. */
  routeToFunction(request: Message, topK: number = this.topK): Promise<FunctionRoute[]> {
    return this.#routeAmong('routeToFunction', request, topK, ['function']) as Promise<FunctionRoute[]>;
  }

  /**
   * Routes the message to one category and returns that category's answer: an agent's LLM (made
   * by the factory once, then kept), an LLM as it is, a function called with the message's text
   * (its value as text), or an agent over the chosen MCP server.
   *
   * @throws WorkflowApplicationError `RoutingError` when no category fits.
   */
  async generate(message: Message, params?: RequestParams): Promise<GenerateResult> {
    const route = await this.#routeOne(message);
    this.#lastRoute = route;
    if (route.category === 'function') return textResult(await callFunction(route.result, messageText(message)), { inputTokens: 0, outputTokens: 0, totalTokens: 0 });
    const delegate = await this.#delegate(route);
    return params === undefined ? delegate.generate(message) : delegate.generate(message, params);
  }

  /** Routes the message, then asks the chosen category for structured output (a function's answer is structured by an LLM). */
  override async generateStructured<T>(message: Message, schema: StructuredSchema<T>, options: StructuredOptions = {}): Promise<T> {
    const route = await this.#routeOne(message);
    this.#lastRoute = route;
    if (route.category !== 'function') return (await this.#delegate(route)).generateStructured(message, schema, options);
    const { name, jsonSchema, ...params } = options;
    const answer = await callFunction(route.result, messageText(message));
    const structurer = await this.structuringLlm();
    return structurer.generateStructured(`Put the following answer into the requested structure, leaving nothing out:\n\n${answer}`, schema, {
      ...params,
      ...(name === undefined ? {} : { name }),
      ...(jsonSchema === undefined ? {} : { jsonSchema }),
      useHistory: false,
    });
  }

  #lastRoute: RouteResult | undefined;

  /**
   * The route the last `generate` (or `generateStructured`) took: its category, name, confidence
   * and, for the embedding router, score. Undefined before the first.
   */
  get lastRoute(): RouteResult | undefined {
    return this.#lastRoute;
  }

  /** The router's usage: its own (routing calls or embeddings), then every category a message was forwarded to. */
  usageTree(): UsageNode {
    return usageNode(this.name, this.kind, [...this.ownUsage(), ...this.#used, ...(this.#structurerLlm === undefined ? [] : [this.#structurerLlm])]);
  }

  /** The LLM that structures a function's answer: an agent `<name>-structurer` given an LLM by the factory. */
  protected structuringLlm(): Promise<Llm> {
    this.#structurer ??= Promise.resolve(this.llmFactory(new Agent({ name: `${this.name}-structurer`, instruction: 'You put answers into the structure asked for.' }))).then((llm) => {
      this.#structurerLlm = llm;
      return llm;
    });
    return this.#structurer;
  }

  /** The usage of how the router chooses. */
  protected abstract ownUsage(): Array<UsageReporter | UsageNode>;

  /** Chooses up to `topK` of `among` (non-empty) for the request, the best first. */
  protected abstract choose(request: string, topK: number, among: RouterCategoryInfo[]): Promise<Choice[]>;

  async #routeAmong(method: string, request: Message, topK: number, kinds: readonly RouteCategory[]): Promise<RouteResult[]> {
    checkTopK(`${this.name}.${method}`, topK);
    const text = messageText(request);
    const described = await this.categories();
    const among = described.filter((category) => kinds.includes(category.category));
    if (among.length === 0) {
      throw new WorkflowUsageError(`router "${this.name}".${method}: it has no ${kinds.map((kind) => LABELS[kind]).join(' or ')} categories; its categories: ${this.#names()}`);
    }
    const choices = await this.choose(text, topK, among);
    return choices.slice(0, topK).map((choice) => {
      const category = this.#categories.find((candidate) => candidate.name === choice.name) as Category;
      return {
        category: category.category,
        name: category.name,
        result: category.target,
        confidence: choice.confidence,
        ...(choice.reasoning === undefined ? {} : { reasoning: choice.reasoning }),
        ...(choice.score === undefined ? {} : { score: choice.score }),
      } as RouteResult;
    });
  }

  async #routeOne(message: Message): Promise<RouteResult> {
    const [route] = await this.route(message, 1);
    if (route === undefined) {
      throw new WorkflowApplicationError(`router "${this.name}": no category fits the request "${clip(messageText(message))}"; its categories: ${this.#names()}`, {
        type: 'RoutingError',
        nonRetryable: true,
      });
    }
    return route;
  }

  #delegate(route: AgentRoute | LlmRoute | ServerRoute): Promise<Llm> {
    let delegate = this.#delegates.get(route.name);
    if (delegate === undefined) {
      const target = route.category === 'llm' ? route.result : route.category === 'agent' ? route.result : this.#serverAgent(route.result);
      delegate = Promise.resolve(isLlm(target) ? target : this.llmFactory(target)).then((llm) => {
        this.#used.push(llm);
        return llm;
      });
      delegate.catch(() => this.#delegates.delete(route.name));
      this.#delegates.set(route.name, delegate);
    }
    return delegate;
  }

  #serverAgent(server: string): Agent {
    let agent = this.#serverAgents.get(server);
    if (agent === undefined) {
      const description = this.#serverDescriptions.get(server);
      agent = new Agent({
        name: server,
        instruction: `You answer requests with the tools of the MCP server "${server}"${description === undefined ? '' : ` (${description})`}.`,
        serverNames: [server],
      });
      this.#serverAgents.set(server, agent);
    }
    return agent;
  }

  #names(): string {
    return this.#categories.map((category) => `${category.name} (${LABELS[category.category]})`).join(', ');
  }
}

// ---------------------------------------------------------------------------------------------
// LLM router

/** The system prompt of the routing LLM. */
const ROUTING_SYSTEM_PROMPT =
  'You route requests. You are given a request and a list of categories (agents, MCP servers, LLMs and functions), ' +
  'and you choose the categories best suited to handle the request, or none when none is suited.';

/** The default routing prompt; `{context}`, `{request}` and `{top_k}` are filled in. */
const DEFAULT_ROUTING_INSTRUCTION = `Choose the categories that should handle the request below. A category is an agent (an instruction with MCP servers), an MCP server (a set of tools), an LLM, or a function.

The categories:

{context}

The request:
{request}

Answer with up to {top_k} categories, the best first. Use each category's exact name, and give your confidence (high, medium or low) and a short reason. Choose fewer when fewer fit, and none when no category fits.`;

/** Answers sent back to the model with what was wrong, at most, before giving up. */
const MAX_CORRECTIONS = 2;

/**
 * Options of {@link createRouterLlm}: the categories, how LLMs are made (the routing LLM and
 * those of the agents and servers messages are forwarded to), and the routing prompt.
 *
 * @example
 * ```ts
 * const options: LLMRouterOptions = { agents: [finder, writer], functions: [shout], provider: 'anthropic', topK: 2 };
 * ```
 */
export interface LLMRouterOptions extends RouterCategories, LlmChoice {
  /** The router's name, in usage trees and errors. Default `llm-router`; the routing LLM's agent is `<name>-classifier`. */
  name?: string;
  /**
   * The routing prompt, with the placeholders `{context}` (the categories), `{request}` and
   * `{top_k}` filled in; when it lacks `{context}` or `{request}`, they are added after it.
   */
  routingInstruction?: string;
  /** Routes `route` returns at most by default. Default 1. */
  topK?: number;
}

/**
 * A router whose decisions a model makes: it is shown every category (an agent's instruction and
 * servers, a server's description and tools, a function's description) and the request, and
 * answers with structured output `{ categories: [{ category, confidence, reasoning }] }`. A name
 * that is not a category goes back to the model with what was wrong and the valid names, at most
 * twice; then the route fails with a `RoutingError`.
 *
 * @example
 * ```ts
 * const router = createRouterLlm({ agents: [finder, writer], functions: [shout] });
 * const [route] = await router.route('Print the config file');
 * const answer = await router.generateStr('Print the config file'); // answered by the chosen agent
 * ```
 */
export class LLMRouter extends Router {
  /** The routing prompt template. */
  readonly routingInstruction: string;
  #routingLlm: Promise<Llm> | undefined;
  #routingLlmValue: Llm | undefined;

  constructor(options: LLMRouterOptions = {}) {
    super('createRouterLlm', options.name ?? 'llm-router', options, llmFactoryOf(options), options.topK);
    if (options.routingInstruction !== undefined && (typeof options.routingInstruction !== 'string' || options.routingInstruction.trim() === '')) {
      throw new WorkflowUsageError(`createRouterLlm: routingInstruction must be a non-empty string, got ${describe(options.routingInstruction)}`);
    }
    this.routingInstruction = options.routingInstruction ?? DEFAULT_ROUTING_INSTRUCTION;
  }

  /** The LLM that makes the routing decisions (made once by the factory, for the agent `<name>-classifier`). */
  routingLlm(): Promise<Llm> {
    this.#routingLlm ??= Promise.resolve(this.llmFactory(new Agent({ name: `${this.name}-classifier`, instruction: ROUTING_SYSTEM_PROMPT }))).then((llm) => {
      this.#routingLlmValue = llm;
      return llm;
    });
    this.#routingLlm.catch(() => {
      this.#routingLlm = undefined;
    });
    return this.#routingLlm;
  }

  protected ownUsage(): Array<UsageReporter | UsageNode> {
    return this.#routingLlmValue === undefined ? [] : [this.#routingLlmValue];
  }

  protected async choose(request: string, topK: number, among: RouterCategoryInfo[]): Promise<Choice[]> {
    const names = among.map((category) => category.name);
    const prompt = fillTemplate(this.routingInstruction, { context: among.map((category, index) => formatCategory(category, index + 1)).join('\n\n'), request, top_k: String(topK) });
    const item = z.object({ category: z.string(), confidence: z.enum(['high', 'medium', 'low']), reasoning: z.string() });
    const schema = z.object({ categories: z.array(item) });
    // The model is shown the names as an enum; the answer is checked here, so a wrong name gets a clear correction.
    const jsonSchema = z.object({ categories: z.array(item.extend({ category: z.enum(names as [string, ...string[]]) })) }).toJSONSchema();
    const llm = await this.routingLlm();
    return askWithCorrections<z.infer<typeof schema>, Choice[]>({
      llm,
      prompt,
      schema,
      jsonSchema,
      schemaName: 'routing_decision',
      check: (answer) => {
        const chosen: Choice[] = [];
        for (const entry of answer.categories) {
          const name = matchName(entry.category, names);
          if (name === undefined) return { problem: `"${entry.category}" is not one of the categories` };
          if (!chosen.some((choice) => choice.name === name)) chosen.push({ name, confidence: entry.confidence, reasoning: entry.reasoning });
        }
        return { value: chosen.slice(0, topK) };
      },
      correction: (problem) => `Your answer is not valid: ${problem}. The categories are: ${names.map((name) => `"${name}"`).join(', ')}. Answer again, naming only these categories.`,
      failure: (problem, answers) =>
        new WorkflowApplicationError(
          `router "${this.name}" could not route "${clip(request)}": after ${answers} answers the model's choice is still not valid (${problem}); the categories are: ${names.join(', ')}`,
          { type: 'RoutingError', nonRetryable: true },
        ),
    });
  }
}

/**
 * A router whose decisions a model makes (see {@link LLMRouter}).
 *
 * @example
 * ```ts
 * const finder = new Agent({ name: 'finder', instruction: 'You find files and read them.', serverNames: ['filesystem'] });
 * const writer = new Agent({ name: 'writer', instruction: 'You write files.', serverNames: ['filesystem'] });
 * const router = createRouterLlm({ agents: [finder, writer], serverNames: [{ name: 'fetch', description: 'Fetches web pages.' }], topK: 2 });
 * const routes = await router.route('Save this note to notes.txt');
 * ```
 */
export function createRouterLlm(options: LLMRouterOptions = {}): LLMRouter {
  return new LLMRouter(options);
}

// ---------------------------------------------------------------------------------------------
// Embedding router

/**
 * Where scores turn into confidence levels: `high` from `high` up, `medium` from `medium` up,
 * `low` below.
 *
 * @example
 * ```ts
 * const strict: ConfidenceThresholds = { high: 0.8, medium: 0.6 };
 * ```
 */
export interface ConfidenceThresholds {
  high: number;
  medium: number;
}

/**
 * The default thresholds of embedding routers and classifiers: cosine similarity 0.6 and above is
 * `high`, 0.4 and above `medium`, below that `low`. Scores depend on the embedding model, so these
 * are a rough guide; pass your own `confidenceThresholds` for your model.
 */
export const DEFAULT_CONFIDENCE_THRESHOLDS: Readonly<ConfidenceThresholds> = Object.freeze({ high: 0.6, medium: 0.4 });

/**
 * Options of {@link createRouterEmbedding}: the categories, the embedding provider and model, and
 * how LLMs are made for the agents and servers messages are forwarded to.
 *
 * @example
 * ```ts
 * const options: EmbeddingRouterOptions = { agents: [weather, flights], model: 'text-embedding-3-small', llm: { provider: 'anthropic' } };
 * ```
 */
export interface EmbeddingRouterOptions extends RouterCategories {
  /** The router's name, in usage trees and errors. Default `embedding-router`. */
  name?: string;
  /** The embedding provider. Default `openai`. */
  provider?: string;
  /** The embedding model. Default: the provider's `default_embedding_model`, else its own default. */
  model?: string;
  /** Dimensions to shorten the vectors to, when the model supports it. */
  dimensions?: number;
  /** How LLMs are made for the agents and servers `generate` forwards to. Default: openai's default model. */
  llm?: LlmChoice;
  /** Routes `route` returns at most by default. Default 1. */
  topK?: number;
  /** Score thresholds of the confidence levels. Default {@link DEFAULT_CONFIDENCE_THRESHOLDS}. */
  confidenceThresholds?: ConfidenceThresholds;
}

/**
 * A router that compares embeddings: each category's text (name, description, an agent's
 * servers, a server's tools) is embedded once, in one call, the first time it routes; each
 * request is embedded and scored against every category by cosine similarity. Routes come best
 * first with their `score` and a confidence from {@link ConfidenceThresholds}.
 *
 * @example
 * ```ts
 * const router = createRouterEmbedding({ agents: [weather, flights] });
 * const [route] = await router.route("What's the weather in Paris?"); // route?.name === 'weather', with its score
 * ```
 */
export class EmbeddingRouter extends Router {
  readonly provider: string;
  readonly model: string | undefined;
  readonly confidenceThresholds: ConfidenceThresholds;
  readonly #dimensions: number | undefined;
  readonly #embeddings: EmbeddingUsage;
  #vectors: Promise<Map<string, number[]>> | undefined;

  constructor(options: EmbeddingRouterOptions = {}) {
    super('createRouterEmbedding', options.name ?? 'embedding-router', options, llmFactoryOf(options.llm), options.topK);
    this.provider = options.provider ?? 'openai';
    this.model = options.model;
    this.#dimensions = options.dimensions;
    this.confidenceThresholds = checkThresholds('createRouterEmbedding', options.confidenceThresholds);
    this.#embeddings = new EmbeddingUsage(`${this.name}-embeddings`);
  }

  protected ownUsage(): Array<UsageReporter | UsageNode> {
    return [this.#embeddings];
  }

  protected async choose(request: string, topK: number, among: RouterCategoryInfo[]): Promise<Choice[]> {
    const vectors = await this.#categoryVectors();
    const [requestVector] = await this.#embed([request]);
    return among
      .map((category) => ({ name: category.name, score: cosineSimilarity(requestVector as number[], vectors.get(category.name) as number[]) }))
      .sort((a, b) => b.score - a.score)
      .slice(0, topK)
      .map(({ name, score }) => ({ name, score, confidence: confidenceOf(score, this.confidenceThresholds) }));
  }

  #categoryVectors(): Promise<Map<string, number[]>> {
    this.#vectors ??= (async () => {
      const described = await this.categories();
      const vectors = await this.#embed(described.map(embeddingText));
      return new Map(described.map((category, index) => [category.name, vectors[index] as number[]]));
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
 * A router that compares embeddings (see {@link EmbeddingRouter}).
 *
 * @example
 * ```ts
 * const weather = new Agent({ name: 'weather', instruction: 'Answers questions about the weather and forecasts in a city.' });
 * const flights = new Agent({ name: 'flights', instruction: 'Books flights and finds cheap airfares.' });
 * const router = createRouterEmbedding({ agents: [weather, flights], provider: 'openai' });
 * const answer = await router.generateStr("What's the weather in Paris?"); // answered by weather's LLM
 * ```
 */
export function createRouterEmbedding(options: EmbeddingRouterOptions = {}): EmbeddingRouter {
  return new EmbeddingRouter(options);
}

// ---------------------------------------------------------------------------------------------
// Shared by the routers and the intent classifiers

/**
 * The confidence level of a score by the thresholds.
 *
 * @example
 * ```ts
 * confidenceOf(0.65); // 'high'
 * confidenceOf(0.65, { high: 0.8, medium: 0.5 }); // 'medium'
 * ```
 */
export function confidenceOf(score: number, thresholds: ConfidenceThresholds = DEFAULT_CONFIDENCE_THRESHOLDS): Confidence {
  return score >= thresholds.high ? 'high' : score >= thresholds.medium ? 'medium' : 'low';
}

/**
 * The thresholds given, checked, or the defaults.
 *
 * @example
 * ```ts
 * checkThresholds('createRouterEmbedding', undefined); // { high: 0.6, medium: 0.4 }
 * ```
 */
export function checkThresholds(caller: string, thresholds: ConfidenceThresholds | undefined): ConfidenceThresholds {
  if (thresholds === undefined) return { ...DEFAULT_CONFIDENCE_THRESHOLDS };
  const { high, medium } = thresholds;
  if (typeof high !== 'number' || typeof medium !== 'number' || !Number.isFinite(high) || !Number.isFinite(medium) || medium > high) {
    throw new WorkflowUsageError(`${caller}: confidenceThresholds must be { high, medium } numbers with medium <= high, got ${JSON.stringify(thresholds)}`);
  }
  return { high, medium };
}

/**
 * Checks a `topK`: a whole number from 1.
 *
 * @example
 * ```ts
 * checkTopK('router.route', 2); // 2
 * ```
 */
export function checkTopK(caller: string, topK: unknown): number {
  if (typeof topK !== 'number' || !Number.isInteger(topK) || topK < 1) throw new WorkflowUsageError(`${caller}: topK must be a whole number from 1, got ${describe(topK)}`);
  return topK;
}

/**
 * The tokens and cost of the embedding calls of a router or classifier, as a usage tree leaf
 * (`kind: 'embedding'`) with totals per model.
 *
 * @example
 * ```ts
 * const usage = new EmbeddingUsage('classifier-embeddings');
 * usage.add(await embed('openai', ['hello']));
 * usage.usageTree().usage.calls; // 1
 * ```
 */
export class EmbeddingUsage implements UsageReporter {
  readonly name: string;
  readonly usage: UsageTotals = { calls: 0, inputTokens: 0, outputTokens: 0, totalTokens: 0, costUsd: 0 };
  readonly usageByModel: Record<string, UsageTotals> = {};

  constructor(name: string) {
    this.name = name;
  }

  /** Counts one embedding call. */
  add(response: EmbeddingResponse): void {
    const perModel = (this.usageByModel[response.model] ??= { calls: 0, inputTokens: 0, outputTokens: 0, totalTokens: 0, costUsd: 0 });
    for (const totals of [this.usage, perModel]) {
      totals.calls += 1;
      totals.inputTokens += response.usage.inputTokens;
      totals.totalTokens += response.usage.totalTokens;
      totals.costUsd = Math.round((totals.costUsd + (response.costUsd ?? 0)) * 1e9) / 1e9;
    }
  }

  usageTree(): UsageNode {
    const models: Record<string, UsageTotals> = {};
    for (const [model, totals] of Object.entries(this.usageByModel)) models[model] = { ...totals };
    return { name: this.name, kind: 'embedding', usage: { ...this.usage }, models, children: [] };
  }
}

/**
 * What {@link askWithCorrections} needs.
 *
 * @example
 * ```ts
 * const loop: CorrectionLoop<{ pick: string }, string> = {
 *   llm, prompt: 'Pick a or b', schema, jsonSchema: schema.toJSONSchema(), schemaName: 'pick',
 *   check: ({ pick }) => (pick === 'a' || pick === 'b' ? { value: pick } : { problem: `"${pick}" is not a or b` }),
 *   correction: (problem) => `Not valid: ${problem}. Answer again.`,
 *   failure: (problem) => new Error(problem),
 * };
 * ```
 */
export interface CorrectionLoop<A, V> {
  llm: Llm;
  prompt: string;
  /** Parses the model's answer (its shape). */
  schema: StructuredSchema<A>;
  /** The JSON Schema shown to the model. */
  jsonSchema: Record<string, unknown>;
  schemaName: string;
  /** Checks a parsed answer's content: the value, or what is wrong with it. */
  check: (answer: A) => { value: V } | { problem: string };
  /** The message that sends a problem back to the model. */
  correction: (problem: string) => string;
  /** The error thrown when the last answer still has a problem, after `answers` answers. */
  failure: (problem: string, answers: number) => Error;
}

/**
 * Asks for structured output and checks it; an answer that does not parse or does not pass the
 * check goes back to the model with what was wrong (at most twice), then `failure` is thrown. Each
 * ask sends the whole exchange so far and keeps nothing in the LLM's history.
 *
 * @example
 * ```ts
 * const answer = await askWithCorrections({ llm, prompt, schema, jsonSchema, schemaName: 'pick', check, correction, failure });
 * ```
 */
export async function askWithCorrections<A, V>(loop: CorrectionLoop<A, V>): Promise<V> {
  const messages: LlmMessage[] = [{ role: 'user', content: loop.prompt }];
  for (let attempt = 0; ; attempt += 1) {
    let problem: string;
    try {
      const answer = await loop.llm.generateStructured([...messages], loop.schema, { name: loop.schemaName, jsonSchema: loop.jsonSchema, useHistory: false });
      const checked = loop.check(answer);
      if ('value' in checked) return checked.value;
      problem = checked.problem;
      messages.push({ role: 'assistant', content: JSON.stringify(answer) });
    } catch (error) {
      if (!(WorkflowApplicationError.is(error) && error.type === 'StructuredOutputError')) throw error;
      problem = messageOf(error);
    }
    if (attempt >= MAX_CORRECTIONS) throw loop.failure(problem, attempt + 1);
    messages.push({ role: 'user', content: loop.correction(problem) });
  }
}

/**
 * The name among `names` that `given` means: the same, or the only one equal ignoring case and spaces around.
 *
 * @example
 * ```ts
 * matchName(' Weather', ['weather', 'flights']); // 'weather'
 * ```
 */
export function matchName(given: string, names: readonly string[]): string | undefined {
  if (names.includes(given)) return given;
  const folded = given.trim().toLowerCase();
  const matches = names.filter((name) => name.toLowerCase() === folded);
  return matches.length === 1 ? matches[0] : undefined;
}

/**
 * Fills `{key}` placeholders in one pass, and adds the context and request after a template that lacks them.
 *
 * @example
 * ```ts
 * fillTemplate('Route {request} among:', { context: '1. weather', request: 'rain?' }); // 'Route rain? among:\n\n1. weather'
 * ```
 */
export function fillTemplate(template: string, values: Record<string, string>): string {
  let text = template.replace(/\{(\w+)\}/g, (whole, key: string) => values[key] ?? whole);
  if (values['context'] !== undefined && !template.includes('{context}')) text += `\n\n${values['context']}`;
  if (values['request'] !== undefined && !template.includes('{request}')) text += `\n\nThe request:\n${values['request']}`;
  return text;
}

/**
 * A text cut to 80 characters for an error message.
 *
 * @example
 * ```ts
 * clip('x'.repeat(100)).length; // 80
 * ```
 */
export function clip(text: string): string {
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function buildCategories(caller: string, options: RouterCategories, serverDescriptions: Map<string, string | undefined>): Category[] {
  if (typeof options !== 'object' || options === null) throw new WorkflowUsageError(`${caller}: expected options { agents, serverNames, functions }, got ${describe(options)}`);
  const categories: Category[] = [];
  for (const [key, value] of [
    ['agents', options.agents],
    ['serverNames', options.serverNames],
    ['functions', options.functions],
  ] as const) {
    if (value !== undefined && !Array.isArray(value)) throw new WorkflowUsageError(`${caller}: ${key} must be an array, got ${describe(value)}`);
  }
  for (const [index, server] of (options.serverNames ?? []).entries()) {
    const entry = typeof server === 'string' ? { name: server } : server;
    if (typeof entry?.name !== 'string' || entry.name === '') {
      throw new WorkflowUsageError(`${caller}: serverNames[${index}] must be a server name or { name, description }, got ${describe(server)}`);
    }
    serverDescriptions.set(entry.name, entry.description);
    categories.push({ category: 'server', name: entry.name, description: entry.description, target: entry.name });
  }
  for (const [index, item] of (options.agents ?? []).entries()) {
    if (item instanceof Agent) {
      categories.push({ category: 'agent', name: item.name, description: item.instruction, target: item, servers: [...item.serverNames] });
    } else if (isLlm(item)) {
      categories.push({ category: 'llm', name: item.name, description: llmDescription(item), target: item });
    } else {
      throw new WorkflowUsageError(`${caller}: agents[${index}] must be an Agent, an AugmentedLLM or a pattern, got ${describe(item)}`);
    }
  }
  for (const [index, item] of (options.functions ?? []).entries()) {
    const entry: RouterFunctionCategory | undefined = typeof item === 'function' ? { fn: item } : item;
    if (typeof entry?.fn !== 'function') throw new WorkflowUsageError(`${caller}: functions[${index}] must be a function or { name, description, fn }, got ${describe(item)}`);
    const name = entry.name ?? entry.fn.name;
    if (typeof name !== 'string' || name === '') throw new WorkflowUsageError(`${caller}: functions[${index}] has no name; pass { name, description, fn }`);
    categories.push({ category: 'function', name, description: entry.description, target: entry.fn });
  }
  if (categories.length === 0) throw new WorkflowUsageError(`${caller}: no categories to route to; pass at least one of agents, serverNames or functions`);
  const seen = new Map<string, Category>();
  for (const category of categories) {
    const first = seen.get(category.name);
    if (first !== undefined) {
      throw new WorkflowUsageError(
        `${caller}: two categories are named "${category.name}" (${LABELS[first.category]} and ${LABELS[category.category]}); every agent, server and function needs a unique name`,
      );
    }
    seen.set(category.name, category);
  }
  return categories;
}

function llmDescription(llm: Llm): string | undefined {
  const { description, agent } = llm as { description?: unknown; agent?: unknown };
  if (typeof description === 'string') return description;
  return agent instanceof Agent ? agent.instruction : undefined;
}

function describeServerName(server: string, descriptions: Map<string, string | undefined>): string {
  const description = descriptions.get(server);
  return description === undefined ? server : `${server} (${description})`;
}

/** A category as the routing prompt shows it. */
function formatCategory(category: RouterCategoryInfo, index: number): string {
  const lines = [`${index}. ${category.name} (${LABELS[category.category]})`, `Description: ${category.description ?? 'none given'}`];
  if (category.servers !== undefined) lines.push(`Servers: ${category.servers.length === 0 ? 'none' : category.servers.join(', ')}`);
  if (category.tools !== undefined) {
    lines.push('Tools:');
    for (const tool of category.tools) lines.push(`- ${tool.name}${tool.description === undefined ? '' : `: ${tool.description}`}`);
  }
  return lines.join('\n');
}

/** A category's text to embed: its name, description, servers and tools, without labels. */
function embeddingText(category: RouterCategoryInfo): string {
  return [
    category.name,
    category.description,
    ...(category.servers ?? []),
    ...(category.tools ?? []).map((tool) => (tool.description === undefined ? tool.name : `${tool.name}: ${tool.description}`)),
  ]
    .filter((part): part is string => part !== undefined && part !== '')
    .join('\n');
}

async function callFunction(fn: RouterFunction, text: string): Promise<string> {
  const value = await fn(text);
  if (typeof value === 'string') return value;
  return value === undefined ? '' : JSON.stringify(value);
}
