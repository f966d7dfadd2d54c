/**
 * The Python project's intent classifier example (`examples/workflows/workflow_intent_classifier`),
 * in TypeScript, with the embedding router beside it, running in-process or on Temporal unchanged.
 *
 * - IntentClassifierWorkflow: requests classified among two intents (a greeting, a farewell) twice:
 *   by embeddings (the intents' texts embedded once, each request scored against them) and by a
 *   model (structured output naming the intents, checked against them).
 * - EmbeddingRouterWorkflow: a request routed by meaning among a help desk's agents and a
 *   function, then answered by the one it was routed to.
 *
 * On Temporal every model round trip and every embedding call is an activity; the scoring is
 * workflow code. The usage (tokens and cost per classifier, router and agent) is readable during
 * the run by the query `usage`, and is returned in the result's metadata.
 */
import { Agent, MCPApp, usageNode, Workflow, WorkflowApplicationError, WorkflowResult, type UsageNode } from '@mcp-agent/core';
import {
  type Confidence,
  createIntentClassifierEmbedding,
  createIntentClassifierLlm,
  createRouterEmbedding,
  type EmbeddingIntentClassification,
  type EmbeddingIntentClassifier,
  type EmbeddingRouter,
  type Intent,
  type LLMIntentClassification,
  type LLMIntentClassifier,
  type RouteCategory,
} from '@mcp-agent/patterns';

export const app = new MCPApp({ name: 'intent-classifier' });

/** The Python example's intents. */
export const INTENTS: Intent[] = [
  { name: 'greeting', description: 'A friendly greeting', examples: ['Hello', 'Hi there', 'Good morning'] },
  { name: 'farewell', description: 'A friendly farewell', examples: ['Goodbye', 'See you later', 'Take care'] },
];

/** Requests to classify, and how many intents each may have (default 1, as in the Python example). */
export interface ClassificationInput {
  requests: string[];
  topK?: number;
}

/** A request's intents, by each classifier. */
export interface RequestIntents {
  request: string;
  /** By embeddings: always the best `topK` intents, with their scores; a low score means none fits well. */
  embedding: EmbeddingIntentClassification[];
  /** By the model: up to `topK` intents, none when none fits. */
  llm: LLMIntentClassification[];
}

/** A category the router scored. */
export interface ScoredRoute {
  category: RouteCategory;
  name: string;
  score: number;
  confidence: Confidence;
}

/** Where a request was routed, and the answer it got there. */
export interface RoutedRequest {
  request: string;
  /** Every category, the best first. */
  routes: ScoredRoute[];
  /** The category that answered: the best route. */
  answeredBy: string;
  answer: string;
}

function invalid(message: string): WorkflowApplicationError {
  return new WorkflowApplicationError(message, { type: 'InvalidInput', nonRetryable: true });
}

function checkRequest(request: unknown, label: string): string {
  if (typeof request !== 'string' || request.trim() === '') throw invalid(`${label} must be a non-empty string, got ${JSON.stringify(request)?.slice(0, 80)}`);
  return request;
}

@app.workflow
export class IntentClassifierWorkflow extends Workflow<RequestIntents[]> {
  #embedding: EmbeddingIntentClassifier | undefined;
  #llm: LLMIntentClassifier | undefined;

  /** Both classifiers' usage: the embedding calls, and the model's calls. */
  @app.workflowQuery
  usage(): UsageNode | null {
    if (this.#embedding === undefined || this.#llm === undefined) return null;
    return usageNode('intent_classification', 'intent-classifiers', [this.#embedding, this.#llm]);
  }

  @app.workflowRun
  async run(input: ClassificationInput): Promise<WorkflowResult<RequestIntents[]>> {
    if (!Array.isArray(input?.requests) || input.requests.length === 0) throw invalid(`requests must be a non-empty list of strings, got ${JSON.stringify(input?.requests)}`);
    const requests = input.requests.map((request, index) => checkRequest(request, `requests[${index}]`));
    const topK = input.topK ?? 1;
    this.#embedding = createIntentClassifierEmbedding({ intents: INTENTS, name: 'embedding_classifier' });
    this.#llm = createIntentClassifierLlm({ intents: INTENTS, name: 'llm_classifier' });
    const results: RequestIntents[] = [];
    for (const request of requests) {
      // The intents' texts are embedded on the first request only; each request is one more embedding call.
      const embedding = await this.#embedding.classify(request, topK);
      const llm = await this.#llm.classify(request, topK);
      results.push({ request, embedding, llm });
    }
    return new WorkflowResult({ value: results, metadata: { usage: this.usage() } });
  }
}

/** The help desk's agents and function, among which requests are routed. */
function helpDeskRouter(): EmbeddingRouter {
  const billing = new Agent({ name: 'billing', instruction: 'You answer questions about invoices, charges, refunds and payments.' });
  const techSupport = new Agent({ name: 'tech_support', instruction: 'You fix technical problems: the app crashes, login errors, forgotten passwords.' });
  return createRouterEmbedding({
    name: 'help_desk',
    agents: [billing, techSupport],
    functions: [
      {
        name: 'opening_hours',
        description: 'The help desk opening hours.',
        // Runs as workflow code: a plain answer, no model call.
        fn: () => 'The help desk is open Monday to Friday, 9am to 5pm ET.',
      },
    ],
  });
}

@app.workflow
export class EmbeddingRouterWorkflow extends Workflow<RoutedRequest> {
  #router: EmbeddingRouter | undefined;

  /** The router's usage: its embedding calls, then the agent it forwarded to. */
  @app.workflowQuery
  usage(): UsageNode | null {
    return this.#router === undefined ? null : this.#router.usageTree();
  }

  @app.workflowRun
  async run(request: string): Promise<WorkflowResult<RoutedRequest>> {
    checkRequest(request, 'the request');
    const router = helpDeskRouter();
    this.#router = router;
    // Every category, scored (the categories are embedded once, on this first call)...
    const routes = await router.route(request, 3);
    // ...then the request goes to the best one, which answers.
    const answer = await router.generateStr(request);
    const value: RoutedRequest = {
      request,
      routes: routes.map((route) => ({ category: route.category, name: route.name, score: route.score ?? 0, confidence: route.confidence })),
      answeredBy: routes[0]?.name ?? '',
      answer,
    };
    return new WorkflowResult({ value, metadata: { usage: this.usage() } });
  }
}
