// The assignment grader on both engines, with the real openai SDK pointed at the scripted model and
// the real filesystem MCP server: the same answer and usage in-process and on Temporal, the
// `progress` query showing the step under way, the steps run as child workflows, and a token
// budget that stops the run after its first step.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createLogger, type Executor, type UsageNode, type WorkflowResult } from '@mcp-agent/core';
import { parseSettings, type SettingsInput } from '@mcp-agent/core/config';
import { createExecutorWithServices } from '@mcp-agent/core/engine';
import { createAsyncioEngine } from '@mcp-agent/executor-asyncio';
import { createTemporalEngine } from '@mcp-agent/executor-temporal';
import type { DeepOrchestratorProgress } from '@mcp-agent/patterns';
import { embeddingProvider, llmProvider } from '@mcp-agent/providers-openai';
import type { LocalLlmServer } from '@mcp-agent/testing';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { filesystemServerEntry, gradingTask, prepareData } from '../src/data.js';
import { DeepOrchestratorWorkflowClient } from '../src/generated/clients.js';
import { roleOf, startScriptedModel } from '../src/model.js';
import { app, type GradingInput, type GradingMetadata } from '../src/workflows.js';

const taskQueue = `deep-orchestrator-${process.pid}`;
const logger = createLogger({ transports: ['none'] });
const REVIEWERS = ['Proofreader', 'StyleChecker', 'StoryAnalyst'];

interface Run {
  workflowId: string;
  result: WorkflowResult<string>;
  metadata: GradingMetadata;
  /** Who the model heard from, in order. */
  roles: string[];
  /** The `progress` and `usage` queries answered while step 2 was running. */
  duringStep2: { progress: DeepOrchestratorProgress | null; usage: UsageNode | null };
}

describe('the deep orchestrator example: an assignment grader', { timeout: 60_000 }, () => {
  let folder: string;
  let model: LocalLlmServer;
  const executors: Record<'asyncio' | 'temporal', Executor> = {} as Record<'asyncio' | 'temporal', Executor>;

  beforeAll(async () => {
    folder = await mkdtemp(path.join(tmpdir(), 'deep-orchestrator-test-'));
    await prepareData(folder);
    // The reviewers of step 2 answer slowly, so the progress query can see that step under way.
    model = await startScriptedModel((request) => (REVIEWERS.includes(roleOf(request)) ? 400 : 0));
    const settings = (engine: 'asyncio' | 'temporal'): SettingsInput => ({
      execution_engine: engine,
      temporal: { task_queue: taskQueue },
      mcp: { servers: { filesystem: { command: process.execPath, args: [filesystemServerEntry(), folder] } } },
      openai: { api_key: 'sk-local-test', base_url: model.openaiBaseUrl, default_model: 'gpt-4o-mini' },
    });
    const parts = { appName: app.name, registry: app.registry, logger, llmProviders: [llmProvider], embeddingProviders: [embeddingProvider] };
    executors.asyncio = await createExecutorWithServices(createAsyncioEngine(), { ...parts, settings: parseSettings(settings('asyncio'), 'test settings') });
    executors.temporal = await createExecutorWithServices(
      createTemporalEngine({ address: inject('temporalAddress'), worker: { workflowsPath: new URL('../src/workflows.ts', import.meta.url), taskQueue } }),
      { ...parts, settings: parseSettings(settings('temporal'), 'test settings') },
    );
  });

  afterAll(async () => {
    await executors.asyncio?.close();
    await executors.temporal?.close();
    await model?.close();
    await rm(folder, { recursive: true, force: true });
  });

  /** Runs the grader on an engine, reading the queries once step 2 is under way (when it gets there). */
  async function grade(executor: Executor, input: GradingInput, expectStep2: boolean): Promise<Run> {
    const before = model.requests.length;
    const handle = await DeepOrchestratorWorkflowClient.start(executor, input);
    let duringStep2: Run['duringStep2'] = { progress: null, usage: null };
    if (expectStep2) {
      duringStep2 = await vi.waitFor(
        async () => {
          const progress = await handle.queries.progress();
          expect(progress?.currentStep?.number).toBe(2);
          return { progress, usage: await handle.queries.usage() };
        },
        { timeout: 20_000, interval: 25 },
      );
    }
    const result = await handle.result();
    return {
      workflowId: handle.workflowId,
      result,
      metadata: result.metadata as unknown as GradingMetadata,
      roles: model.requests.slice(before).map(roleOf),
      duringStep2,
    };
  }

  /** The metadata without the time spent, which differs between runs. */
  function comparable(metadata: GradingMetadata): unknown {
    return { ...metadata, budget: { ...metadata.budget, spent: { ...metadata.budget.spent, timeMs: 'varies' } } };
  }

  it('grades the story in three steps of child workflows, with the same answer and usage on both engines and its progress readable during the run', async () => {
    const local = await grade(executors.asyncio, { task: gradingTask(folder) }, true);
    const localReport = await readFile(path.join(folder, 'graded_report.md'), 'utf8');
    await rm(path.join(folder, 'graded_report.md'));
    const remote = await grade(executors.temporal, { task: gradingTask(folder) }, true);
    const remoteReport = await readFile(path.join(folder, 'graded_report.md'), 'utf8');

    // The same answer, report, steps, knowledge and usage (tokens and cost per agent) on both engines.
    expect(remote.result.value).toBe(local.result.value);
    expect(comparable(remote.metadata)).toEqual(comparable(local.metadata));
    expect(remoteReport).toBe(localReport);
    expect([...remote.roles].sort()).toEqual([...local.roles].sort());

    const reportPath = path.join(folder, 'graded_report.md');
    expect(local.result.value).toBe(
      `"The Lantern of Glimmerwood" is graded C+. The review found 7 grammar and spelling mistakes, 3 breaches of the style guide and 2 consistency gaps. The full report is in ${reportPath}.`,
    );
    expect(localReport).toContain('- "knowed" should be "known".');
    expect(localReport).toContain('- Rule 2 (no comma splices): "Elara rallied the villagers, she remembered".');
    expect(localReport).toContain('## Grade: C+');

    const { metadata } = local;
    expect(metadata).toMatchObject({ stopReason: 'completed', replans: 0 });
    expect(metadata.exceededBudget).toBeUndefined();
    expect(metadata.steps).toEqual([
      { number: 1, description: 'Read the story and the style guide', tasks: ['read_story (FileExpert)', 'read_style_guide (FileExpert)'] },
      { number: 2, description: 'Review the story', tasks: ['proofread (Proofreader)', 'check_style (StyleChecker)', 'assess_structure (StoryAnalyst)'] },
      { number: 3, description: 'Grade the story and write the report', tasks: ['write_report (FileExpert)'] },
    ]);
    expect(metadata.knowledge.map((item) => [item.key, item.value, item.step])).toEqual([
      ['story_title', 'The Lantern of Glimmerwood', 1],
      ['story_paragraphs', '4', 1],
      ['style_rules', '5 numbered rules', 1],
      ['spelling_and_grammar_mistakes', '7', 2],
      ['style_rules_broken', '3', 2],
      ['consistency_gaps', '2', 2],
      ['report_file', reportPath, 3],
      ['grade', 'C+', 3],
    ]);

    // Plan; two reads at once (a tool call and an answer each); facts; three reviewers at once;
    // facts; the report written (a tool call and an answer); facts; the verifier; the answer.
    const { roles } = local;
    expect(roles).toHaveLength(15);
    expect(roles[0]).toBe('planner');
    expect(roles.slice(1, 5)).toEqual(['FileExpert', 'FileExpert', 'FileExpert', 'FileExpert']);
    expect(roles[5]).toBe('knowledge-extractor');
    expect([...roles.slice(6, 9)].sort()).toEqual(['Proofreader', 'StoryAnalyst', 'StyleChecker']);
    expect(roles.slice(9)).toEqual(['knowledge-extractor', 'FileExpert', 'FileExpert', 'knowledge-extractor', 'verifier', 'synthesizer']);

    const usage = metadata.usage as UsageNode;
    expect(usage).toMatchObject({ name: 'DeepAssignmentGrader', kind: 'deep-orchestrator' });
    expect(usage.children.map((child) => [child.name, child.usage.calls])).toEqual([
      ['planner', 1],
      ['knowledge-extractor', 3],
      ['verifier', 1],
      ['workers', 9],
      ['synthesizer', 1],
    ]);
    expect(usage.children[3]?.children.map((child) => [child.name, child.usage.calls])).toEqual([
      ['FileExpert', 6],
      ['Proofreader', 1],
      ['StyleChecker', 1],
      ['StoryAnalyst', 1],
    ]);
    expect(usage.usage.costUsd).toBeGreaterThan(0);
    // The budget counts every token of the run, the workers' in the child workflows included.
    expect(metadata.budget.spent).toMatchObject({ tokens: usage.usage.totalTokens, costUsd: usage.usage.costUsd, iterations: 3 });
    expect(metadata.budget.limits).toEqual({ tokens: 100_000, costUsd: 0.8, timeMs: 420_000, iterations: 25 });

    for (const run of [local, remote]) {
      // While step 2 runs, the queries show it, the step done and its facts, and the usage so far.
      const { progress, usage: soFar } = run.duringStep2;
      expect(progress).toMatchObject({
        status: 'executing',
        currentStep: {
          number: 2,
          description: 'Review the story',
          tasks: [
            { name: 'proofread', agent: 'Proofreader' },
            { name: 'check_style', agent: 'StyleChecker' },
            { name: 'assess_structure', agent: 'StoryAnalyst' },
          ],
        },
      });
      expect(progress?.completedSteps.map((step) => step.description)).toEqual(['Read the story and the style guide']);
      expect(progress?.knowledge.map((item) => item.key)).toEqual(['story_title', 'story_paragraphs', 'style_rules']);
      expect(progress?.plan?.steps).toHaveLength(3);
      expect(soFar?.children.map((child) => [child.name, child.usage.calls])).toEqual([
        ['planner', 1],
        ['knowledge-extractor', 1],
        ['verifier', 0],
        ['workers', 4],
        ['synthesizer', 0],
      ]);

      // Each step ran as a child workflow of the grader's.
      const children = await vi.waitFor(
        async () => {
          const steps = (await executors[run === local ? 'asyncio' : 'temporal'].listWorkflows({ workflowName: 'DeepOrchestratorStep', limit: 100 })).filter(
            (child) => child.parentWorkflowId === run.workflowId,
          );
          expect(steps).toHaveLength(3);
          return steps;
        },
        { timeout: 10_000, interval: 200 },
      );
      expect(children.map((child) => child.status)).toEqual(['COMPLETED', 'COMPLETED', 'COMPLETED']);
    }
  });

  it('stops after the first step when the token budget is used up, and answers from the work done', async () => {
    // The plan costs about 1,400 tokens, the first step with its facts about 11,000 more: 90% of
    // 10,000 is passed after step 1, so no step 2 starts.
    const input: GradingInput = { task: gradingTask(folder), budget: { maxTokens: 10_000 } };
    const local = await grade(executors.asyncio, input, false);
    const remote = await grade(executors.temporal, input, false);
    expect(remote.result.value).toBe(local.result.value);
    expect(comparable(remote.metadata)).toEqual(comparable(local.metadata));

    expect(local.result.value).toBe(
      'The grading of "The Lantern of Glimmerwood" is incomplete: the token budget ran out after the tasks read_story and read_style_guide, so there is no review, no grade and no report yet.',
    );
    expect(local.metadata).toMatchObject({ stopReason: 'budget_exceeded', exceededBudget: 'tokens' });
    expect(local.metadata.steps.map((step) => step.description)).toEqual(['Read the story and the style guide']);
    expect(local.roles).toEqual(['planner', 'FileExpert', 'FileExpert', 'FileExpert', 'FileExpert', 'knowledge-extractor', 'synthesizer']);
    // The synthesizer was told why the work stopped.
    const synthesis = model.requests.filter((request) => roleOf(request) === 'synthesizer').at(-1)?.lastUserMessage ?? '';
    expect(synthesis).toContain('because the token budget was used up');
    expect(local.metadata.budget.limits.tokens).toBe(10_000);
    expect(local.metadata.budget.spent.tokens).toBeGreaterThanOrEqual(9_000);
  });
});
