// Pattern conformance: every pattern runs in-process and on a Temporal dev server, with the real
// openai SDK talking to the same scripted model, and must give the same result (answer, decisions,
// usage tree with tokens and cost), send the model the same requests and make the same embedding
// requests. On Temporal, the history shows every model call as an `llm.openai.complete` activity
// and every embedding as an `embedding.openai.embed` one.
//
// The Temporal runs' histories are the fixtures replay.test.ts replays. To re-record them after a
// change to the patterns or to conformance-workflows.ts, run
//   cd packages/patterns && UPDATE_HISTORIES=1 npx vitest run test/conformance.test.ts
// and commit test/histories/*.json.
import { writeFileSync } from 'node:fs';
import { createLogger, type Executor, HUMAN_INPUT_QUERY, HUMAN_INPUT_SIGNAL, type HumanInputRequest, type UsageNode } from '@mcp-agent/core';
import { parseSettings, type SettingsInput } from '@mcp-agent/core/config';
import { createExecutorWithServices } from '@mcp-agent/core/engine';
import { createAsyncioEngine } from '@mcp-agent/executor-asyncio';
import { createTemporalEngine, fetchWorkflowHistory, type TemporalExecutor, type WorkflowHistory, workflowHistoryJson } from '@mcp-agent/executor-temporal';
import { embeddingProvider, llmProvider } from '@mcp-agent/providers-openai';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { type ConformanceModel, readRequest, startConformanceModel } from './conformance-model.js';
import { app, type ConformanceValue, type CONFORMANCE_WORKFLOWS } from './conformance-workflows.js';

const UPDATE_HISTORIES = process.env['UPDATE_HISTORIES'] === '1';
const taskQueue = `pattern-conformance-${process.pid}`;
const logger = createLogger({ transports: ['none'] });

type WorkflowName = keyof typeof CONFORMANCE_WORKFLOWS;

/** What one run on one engine gave and caused. */
interface Run {
  value: ConformanceValue;
  /** (system prompt, last user message) of each model request, sorted. */
  requests: string[];
  /** The inputs of each embeddings request, sorted. */
  embeddings: string[];
  /** Each model request's whole body (messages, tools, the structure asked for, the model), sorted. */
  bodies: string[];
  modelCalls: number;
  embeddingCalls: number;
}

type EventList = {
  events?: Array<{
    eventType?: string | number | null;
    activityTaskScheduledEventAttributes?: { activityType?: { name?: string | null } | null } | null;
    childWorkflowExecutionStartedEventAttributes?: { workflowExecution?: { workflowId?: string | null } | null; workflowType?: { name?: string | null } | null } | null;
  }>;
};

/** The activity types a run scheduled, in order, from its history. */
function activitiesOf(history: WorkflowHistory): string[] {
  return ((history as EventList).events ?? []).flatMap((event) => {
    const name = event.activityTaskScheduledEventAttributes?.activityType?.name;
    return name ? [name] : [];
  });
}

/** The child workflows a run started, from its history: [workflow type, workflow id]. */
function childrenOf(history: WorkflowHistory): Array<[string, string]> {
  return ((history as EventList).events ?? []).flatMap((event) => {
    const started = event.childWorkflowExecutionStartedEventAttributes;
    return started?.workflowExecution?.workflowId ? [[started.workflowType?.name ?? '', started.workflowExecution.workflowId] as [string, string]] : [];
  });
}

/** The total usage of a tree and of each node below it, as `name:kind calls/in/out/cost`. */
function usageLines(node: UsageNode, depth = 0): string[] {
  const { calls, inputTokens, outputTokens, costUsd } = node.usage;
  return [`${'  '.repeat(depth)}${node.name}:${node.kind} ${calls}/${inputTokens}/${outputTokens}/${costUsd}`, ...node.children.flatMap((child) => usageLines(child, depth + 1))];
}

describe('every pattern on both engines', { timeout: 120_000 }, () => {
  let model: ConformanceModel;
  let inProcess: Executor;
  let temporal: TemporalExecutor;
  /** What the in-process human input handler was asked, and the usage the `usage` query gave meanwhile. */
  const asked: Array<{ request: HumanInputRequest; usage: UsageNode | null }> = [];
  /** Size and event count of each Temporal run's history, by fixture name. */
  const histories: Array<{ fixture: string; bytes: number; events: number; children: number }> = [];

  beforeAll(async () => {
    model = await startConformanceModel();
    const settings = (engine: 'asyncio' | 'temporal'): SettingsInput => ({
      execution_engine: engine,
      temporal: { task_queue: taskQueue },
      openai: { api_key: 'sk-local-conformance', base_url: model.server.openaiBaseUrl, default_model: 'gpt-4o-mini' },
      workflow_task_retry_policies: { 'llm.*': { maximum_attempts: 1 }, 'embedding.*': { maximum_attempts: 1 } },
    });
    const parts = { appName: app.name, registry: app.registry, logger, llmProviders: [llmProvider], embeddingProviders: [embeddingProvider] };
    inProcess = await createExecutorWithServices(createAsyncioEngine(), {
      ...parts,
      settings: parseSettings(settings('asyncio'), 'conformance settings'),
      humanInput: async (request) => {
        // The run waits for this answer; meanwhile its `usage` query reads the pattern's usage so far.
        const usage = await inProcess.queryWorkflow<UsageNode | null>(undefined, request.workflowId ?? '', 'usage');
        asked.push({ request, usage });
        return 'four';
      },
    });
    temporal = (await createExecutorWithServices(
      createTemporalEngine({ address: inject('temporalAddress'), worker: { workflowsPath: new URL('./conformance-workflows.ts', import.meta.url), taskQueue } }),
      { ...parts, settings: parseSettings(settings('temporal'), 'conformance settings') },
    )) as TemporalExecutor;
  });

  afterAll(async () => {
    if (histories.length > 0) {
      console.log(
        `Temporal histories of the conformance runs${UPDATE_HISTORIES ? ' (written to test/histories/)' : ''}:\n${histories
          .map(
            ({ fixture, bytes, events, children }) =>
              `  ${fixture.padEnd(28)} ${String(bytes).padStart(8)} bytes ${String(events).padStart(5)} events${children > 0 ? ` (and ${children} child workflows)` : ''}`,
          )
          .join('\n')}`,
      );
    }
    await inProcess?.close();
    await temporal?.close();
    await model?.close();
  });

  /** Runs `start` on an engine, returning the run's value and the model traffic it caused. */
  async function runOn(executor: Executor, start: (executor: Executor) => Promise<ConformanceValue>): Promise<Run> {
    const requestsBefore = model.server.requests.length;
    const embeddingsBefore = model.server.embeddingRequests.length;
    const value = await start(executor);
    const requests = model.server.requests.slice(requestsBefore);
    const embeddings = model.server.embeddingRequests.slice(embeddingsBefore);
    return {
      value,
      requests: requests.map((request) => JSON.stringify([readRequest(request).system, request.lastUserMessage ?? ''])).sort(),
      embeddings: embeddings.map((request) => JSON.stringify(request.inputs)).sort(),
      bodies: requests.map((request) => JSON.stringify(request.body)).sort(),
      modelCalls: requests.length,
      embeddingCalls: embeddings.length,
    };
  }

  /**
   * Runs a workflow on both engines and checks they agree: the same value, the same model and
   * embedding requests; on Temporal, one activity per model and embedding call, and the `usage`
   * query giving the usage tree the run returned. Returns the in-process run.
   */
  async function onBoth(
    fixture: string,
    workflow: WorkflowName,
    input: unknown,
    start?: (executor: Executor, workflowId: string) => Promise<ConformanceValue>,
  ): Promise<Run & { children: Array<[string, string]> }> {
    const workflowId = `conformance-${fixture}-${process.pid}`;
    const run = start ?? (async (executor: Executor, id: string) => (await (await executor.startWorkflow(workflow, input, { workflowId: id })).result()).value as ConformanceValue);
    const local = await runOn(inProcess, (executor) => run(executor, `${workflowId}-local`));
    const remote = await runOn(temporal, (executor) => run(executor, workflowId));
    expect(model.unscripted).toEqual([]);

    // The same answer, decisions and usage (tokens and cost per sub-agent) on both engines.
    expect(remote.value).toEqual(local.value);
    expect(usageLines(remote.value.usage)).toEqual(usageLines(local.value.usage));
    // The same requests to the model (parallel branches may arrive in any order) and to the embeddings endpoint:
    // the (system prompt, last user message) pairs first, for a readable difference, then the whole bodies.
    expect(remote.requests).toEqual(local.requests);
    expect(remote.embeddings).toEqual(local.embeddings);
    expect(remote.bodies).toEqual(local.bodies);
    expect(remote.modelCalls).toBe(local.modelCalls);
    expect(local.modelCalls + local.embeddingCalls).toBeGreaterThan(0);
    // The usage tree counts every model and embedding call the server saw.
    expect(local.value.usage.usage.calls).toBe(local.modelCalls + local.embeddingCalls);

    // On Temporal every model call was an llm.openai.complete activity, every embedding an embedding.openai.embed one.
    const history = await fetchWorkflowHistory(temporal.client, workflowId);
    const children = childrenOf(history);
    const activities = [...activitiesOf(history)];
    for (const [, childId] of children) activities.push(...activitiesOf(await fetchWorkflowHistory(temporal.client, childId)));
    expect(activities.filter((type) => type === 'llm.openai.complete')).toHaveLength(remote.modelCalls);
    expect(activities.filter((type) => type === 'embedding.openai.embed')).toHaveLength(remote.embeddingCalls);
    expect(activities).toHaveLength(remote.modelCalls + remote.embeddingCalls);
    // The `usage` query of the finished run gives the usage tree it returned, on both engines.
    expect(await temporal.queryWorkflow(undefined, workflowId, 'usage')).toEqual(remote.value.usage);
    expect(await inProcess.queryWorkflow(undefined, `${workflowId}-local`, 'usage')).toEqual(local.value.usage);

    const json = workflowHistoryJson(history);
    histories.push({ fixture, bytes: Buffer.byteLength(json), events: ((history as EventList).events ?? []).length, children: children.length });
    if (UPDATE_HISTORIES) writeFileSync(new URL(`./histories/${fixture}.json`, import.meta.url), json);
    return { ...local, children };
  }

  const childCalls = (node: UsageNode): Array<[string, string, number]> => node.children.map((child) => [child.name, child.kind, child.usage.calls]);

  it('parallel: three reviewers and a function at once, then the grader', async () => {
    const { value } = await onBoth('parallel', 'ParallelConformance', 'Teh moon is made of cheese. Teh end.');
    expect(value.text).toBe('Grade: B. Reviews from proofreader, fact_checker, stylist, wordCount; 8 words.');
    expect(value['branchNames']).toEqual(['proofreader', 'fact_checker', 'stylist', 'wordCount']);
    expect(childCalls(value.usage)).toEqual([
      ['proofreader', 'llm', 1],
      ['fact_checker', 'llm', 1],
      ['stylist', 'llm', 1],
      ['wordCount', 'function', 0],
      ['grader', 'llm', 1],
    ]);
    expect(value.usage.usage.costUsd).toBeGreaterThan(0);
    expect(value['tokens']).toMatchObject({ inputTokens: value.usage.usage.inputTokens, outputTokens: value.usage.usage.outputTokens });
  });

  it('evaluator-optimizer: refined until EXCELLENT, an invalid rating sent back once', async () => {
    const { value, requests } = await onBoth('evaluator-optimizer', 'EvaluatorOptimizerConformance', 'A cover letter for the engineer role at Acme.');
    expect(value).toMatchObject({ rating: 'EXCELLENT', stopReason: 'end_turn', text: 'Dear team at Acme, I would like the job because Acme builds tools I use (draft 2).' });
    expect((value['attempts'] as Array<{ rating: string }>).map((attempt) => attempt.rating)).toEqual(['FAIR', 'EXCELLENT']);
    expect(childCalls(value.usage)).toEqual([
      ['writer', 'llm', 2],
      ['letter_critic', 'llm', 3],
    ]);
    expect(requests.filter((request) => request.includes('Your evaluation could not be used: rating: Invalid option'))).toHaveLength(1);
  });

  it('LLM router: to an agent, another agent and a function (after a correction), and the top two agents', async () => {
    const { value, requests } = await onBoth('router-llm', 'RouterLlmConformance', ['I was charged twice on my invoice', 'The app crashes on start', 'When are you open?']);
    expect((value['answers'] as Array<{ route: { name: string; category: string }; text: string }>).map((answer) => [answer.route.category, answer.route.name, answer.text])).toEqual([
      ['agent', 'billing', 'Billing: the duplicate charge is refunded.'],
      ['agent', 'tech', 'Tech: reinstall the app.'],
      ['function', 'opening_hours', 'We are open from 9 to 5, Monday to Saturday.'],
    ]);
    expect((value['topTwo'] as Array<{ name: string; confidence: string }>).map((route) => [route.name, route.confidence])).toEqual([
      ['billing', 'high'],
      ['tech', 'low'],
    ]);
    // The wrong category name went back to the model with the valid names (once per routing of that request).
    expect(requests.filter((request) => request.includes('\\"hours\\" is not one of the categories'))).toHaveLength(2);
    expect(childCalls(value.usage)).toEqual([
      ['support_router-classifier', 'llm', 9],
      ['billing', 'llm', 1],
      ['tech', 'llm', 1],
    ]);
  });

  it('embedding router: by similarity, the categories embedded once', async () => {
    const { value, embeddings } = await onBoth('router-embedding', 'RouterEmbeddingConformance', [
      'A question about the charges on my invoice',
      'The app crashes with an error',
      'When is the shop open?',
    ]);
    const routes = value['routes'] as Array<Array<{ name: string; score: number; confidence: string }>>;
    expect(routes.map((top) => [top[0]?.name, top[0]?.confidence])).toEqual([
      ['billing', 'high'],
      ['tech', 'high'],
      ['opening_hours', 'medium'],
    ]);
    for (const top of routes) expect(top[0]?.score).toBeGreaterThan(top[1]?.score ?? 1);
    expect(value.text).toBe('Billing: the duplicate charge is refunded.');
    // The three categories at once, then each request (routed twice for the first: route, then generate).
    expect(embeddings).toHaveLength(5);
    expect(childCalls(value.usage)).toEqual([
      ['embedding_router-embeddings', 'embedding', 5],
      ['billing', 'llm', 1],
    ]);
  });

  it('LLM intent classifier: the top two intents with the order number as an entity', async () => {
    const { value } = await onBoth('intent-classifier-llm', 'IntentClassifierLlmConformance', ['Where is my order 1234?', 'Please cancel order 987']);
    expect(value['classifications']).toEqual([
      [
        { intent: 'order_status', confidence: 'high', pScore: 0.85, reasoning: 'Asks where the order is.', entities: [{ name: 'order_id', value: '1234' }] },
        { intent: 'cancel_order', confidence: 'low', pScore: 0.1, reasoning: 'Mentions an order.', entities: [] },
      ],
      [
        { intent: 'cancel_order', confidence: 'high', pScore: 0.9, reasoning: 'Asks to cancel.', entities: [{ name: 'order_id', value: '987' }] },
        { intent: 'order_status', confidence: 'low', pScore: 0.2, reasoning: 'Mentions an order.', entities: [] },
      ],
    ]);
    expect(childCalls(value.usage)).toEqual([['support_intents-llm', 'llm', 2]]);
  });

  it('embedding intent classifier: the intents nearest each request', async () => {
    const { value, embeddings } = await onBoth('intent-classifier-embedding', 'IntentClassifierEmbeddingConformance', ['Can you track my package?', 'I want to cancel the order']);
    const classifications = value['classifications'] as Array<Array<{ intent: string; pScore: number }>>;
    expect(classifications.map((top) => top.map((found) => found.intent))).toEqual([
      ['order_status', expect.any(String)],
      ['cancel_order', expect.any(String)],
    ]);
    expect(classifications[0]?.[0]?.pScore).toBeCloseTo(1, 5);
    expect(embeddings).toHaveLength(3);
    expect(childCalls(value.usage)).toEqual([['support_intents-embeddings', 'embedding', 3]]);
  });

  it('orchestrator (full plan): two research tasks at once, the author, the synthesizer', async () => {
    const { value } = await onBoth('orchestrator-full', 'OrchestratorConformance', { objective: 'Write about tea.', planType: 'full' });
    expect(value.text).toBe('Final answer: Notes on the history of tea. | Notes on the chemistry of tea. | A paragraph about tea from 2 notes.');
    expect(value['phase']).toBe('done');
    expect(value['iterations']).toBe(2);
    const planResult = value['planResult'] as { isComplete: boolean; stepResults: Array<{ taskResults: Array<{ agent: string; result: string }> }> };
    expect(planResult.isComplete).toBe(true);
    expect(planResult.stepResults.map((step) => step.taskResults.map((task) => task.agent))).toEqual([['researcher', 'researcher'], ['author']]);
    expect(childCalls(value.usage)).toEqual([
      ['planner', 'llm', 2],
      ['researcher', 'llm', 2],
      ['author', 'llm', 1],
      ['synthesizer', 'llm', 1],
    ]);
  });

  it('orchestrator (iterative): an unknown agent corrected, then one step at a time', async () => {
    const { value, requests } = await onBoth('orchestrator-iterative', 'OrchestratorConformance', { objective: 'Write about tea.', planType: 'iterative' });
    expect(value.text).toBe('Final answer: Notes on the history of tea. | Notes on the chemistry of tea. | A paragraph about tea from 2 notes.');
    expect(value['iterations']).toBe(3);
    expect(requests.filter((request) => request.includes('there is no agent named \\"historian\\"'))).toHaveLength(1);
    expect(childCalls(value.usage)).toEqual([
      ['planner', 'llm', 4],
      ['researcher', 'llm', 2],
      ['author', 'llm', 1],
      ['synthesizer', 'llm', 1],
    ]);
  });

  it('swarm: a handoff, a function that sets a context variable, the new instruction', async () => {
    const { value } = await onBoth('swarm', 'SwarmConformance', 'Please move me to an earlier flight.');
    expect(value).toMatchObject({
      text: 'Done: Changed Ada to flight LH 123.',
      activeAgent: 'flight_changes',
      stopReason: 'end_turn',
      turns: 3,
      handoffs: [{ from: 'triage', to: 'flight_changes' }],
      contextVariables: { customer: 'Ada', changed: true, flight: 'LH 123' },
      roles: ['assistant', 'tool', 'assistant', 'tool', 'assistant'],
    });
    expect(childCalls(value.usage)).toEqual([
      ['triage', 'llm', 1],
      ['flight_changes', 'llm', 2],
    ]);
  });

  it('composition: an orchestrator whose workers are a router and an evaluator-optimizer over a parallel pattern', async () => {
    const { value } = await onBoth('composed', 'ComposedConformance', 'Handle the customer case and the policy question.');
    expect(value.text).toBe('Final answer: Billing: the duplicate charge is refunded. | Balanced view, round 2.');
    expect(value['policyAttempts']).toEqual([
      { attempt: 1, rating: 'FAIR', text: 'Balanced view, round 1.' },
      { attempt: 2, rating: 'GOOD', text: 'Balanced view, round 2.' },
    ]);
    const [planner, helpdesk, policy, synthesizer] = value.usage.children;
    expect([planner?.name, helpdesk?.name, policy?.name, synthesizer?.name]).toEqual(['lead_planner', 'helpdesk', 'policy_writer', 'synthesizer']);
    expect(childCalls(helpdesk as UsageNode)).toEqual([
      ['helpdesk-classifier', 'llm', 1],
      ['billing', 'llm', 1],
    ]);
    expect(childCalls(policy as UsageNode)).toEqual([
      ['panel', 'parallel', 6],
      ['evaluator', 'llm', 2],
    ]);
    expect(childCalls(policy?.children[0] as UsageNode)).toEqual([
      ['advocate', 'llm', 2],
      ['skeptic', 'llm', 2],
      ['moderator', 'llm', 2],
    ]);
    expect(value.usage.usage.calls).toBe(2 + 2 + 8 + 1);
  });

  for (const childWorkflows of [false, true]) {
    it(`deep orchestrator (${childWorkflows ? 'each step in a child workflow' : 'steps inline'}): plan, two research tasks at once, knowledge, the report, verification`, async () => {
      const { value, children } = await onBoth(`deep-orchestrator-${childWorkflows ? 'children' : 'inline'}`, 'DeepOrchestratorConformance', {
        objective: 'A report on tea.',
        childWorkflows,
      });
      expect(value).toMatchObject({ text: 'Deep answer from tea_history, tea_chemistry, tea_report.', stopReason: 'completed', replans: 0, status: 'done' });
      const steps = value['steps'] as Array<{ description: string; tasks: Array<{ name: string; output: string }> }>;
      expect(steps.map((step) => [step.description, step.tasks.map((task) => [task.name, task.output])])).toEqual([
        [
          'Research',
          [
            ['tea_history', 'Findings on tea_history.'],
            ['tea_chemistry', 'Findings on tea_chemistry.'],
          ],
        ],
        ['Write', [['tea_report', 'A report from 2 results; it knows the origin.']]],
      ]);
      expect((value['knowledge'] as Array<{ key: string; value: string }>).map((item) => [item.key, item.value])).toEqual([
        ['tea_origin', 'China'],
        ['tea_stimulant', 'caffeine'],
      ]);
      expect(value['spent']).toMatchObject({ iterations: 2, tokens: value.usage.usage.totalTokens });
      expect(childCalls(value.usage)).toEqual([
        ['planner', 'llm', 1],
        ['knowledge-extractor', 'llm', 2],
        ['verifier', 'llm', 1],
        ['workers', 'workers', 3],
        ['synthesizer', 'llm', 1],
      ]);
      expect(childCalls(value.usage.children[3] as UsageNode)).toEqual([
        ['deep_researcher', 'llm', 2],
        ['deep_writer', 'llm', 1],
      ]);
      // On Temporal the steps ran as child workflows only when asked to.
      expect(children.map(([type]) => type)).toEqual(childWorkflows ? ['DeepOrchestratorStep', 'DeepOrchestratorStep'] : []);
    });
  }

  it('human input inside a pattern: answered by the app’s handler in-process, by a signal on Temporal', async () => {
    const request = 'Book me a table for tonight.';
    let temporalUsageWhileWaiting: UsageNode | null = null;
    const { value } = await onBoth('human-input', 'HumanInputConformance', request, async (executor, workflowId) => {
      const handle = await executor.startWorkflow('HumanInputConformance', request, { workflowId });
      if (executor === temporal) {
        const pending = await vi.waitFor(
          async () => {
            const waiting = (await handle.query(HUMAN_INPUT_QUERY)) as HumanInputRequest[];
            expect(waiting).toHaveLength(1);
            return waiting;
          },
          { timeout: 30_000, interval: 100 },
        );
        expect(pending[0]).toMatchObject({ prompt: 'For how many guests?', workflowId });
        temporalUsageWhileWaiting = (await handle.query('usage')) as UsageNode;
        await handle.signal(HUMAN_INPUT_SIGNAL, { requestId: pending[0]?.requestId ?? '', response: 'four' });
      }
      return (await handle.result()).value as ConformanceValue;
    });
    expect(asked.map((entry) => entry.request.prompt)).toEqual(['For how many guests?']);
    expect(value.text).toBe('Booked a table for four tonight.');
    expect(value['roles']).toEqual(['assistant', 'tool', 'assistant']);
    // While the run waited, the `usage` query showed the routing and the concierge's first call, the same on both engines.
    const waiting = asked[0]?.usage as UsageNode;
    expect(childCalls(waiting)).toEqual([
      ['front_desk-classifier', 'llm', 1],
      ['concierge', 'llm', 1],
    ]);
    expect(temporalUsageWhileWaiting).toEqual(waiting);
    expect(childCalls(value.usage)).toEqual([
      ['front_desk-classifier', 'llm', 1],
      ['concierge', 'llm', 2],
    ]);
  });
});
