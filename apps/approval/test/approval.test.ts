// The approval workflow on both engines: one model round trip per document, queries answered
// while it waits for a person, approve returning the approved document, reject returning a
// completed result that reports the rejection; the same outcomes in-process and on Temporal; and,
// on the time-skipping server, a wait of 30 days that still ends on a signal.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createLogger, WorkflowFailedError, type Executor, type WorkflowResult } from '@mcp-agent/core';
import { parseSettings, type SettingsInput } from '@mcp-agent/core/config';
import { createAsyncioEngine } from '@mcp-agent/executor-asyncio';
import { createTemporalEngine, type TemporalExecutor } from '@mcp-agent/executor-temporal';
import { llmProvider } from '@mcp-agent/providers-openai';
import type { LocalLlmServer } from '@mcp-agent/testing';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { createExecutorWithServices } from '@mcp-agent/core/engine';
import { DocumentApprovalWorkflowClient, type DocumentApprovalWorkflowHandle } from '../src/generated/clients.js';
import { startScriptedModel } from '../src/model.js';
import { app, type ApprovalDocument, type ApprovalStatus, type ApprovedDocument } from '../src/workflows.js';

const appDirectory = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const workflowsPath = new URL('../src/workflows.ts', import.meta.url);
const taskQueue = `approval-${process.pid}`;
const logger = createLogger({ transports: ['none'] });

const contract: ApprovalDocument = { id: 'contract-9', title: 'Office lease renewal', text: 'The lease of the Lyon office is renewed for 3 years from 2027-01-01 at EUR 5,200 a month.' };
const budget: ApprovalDocument = { id: 'budget-4', title: 'Conference sponsorship', text: 'Sponsor TechConf 2027 as a gold partner for EUR 40,000.' };
const approval = { reviewer: 'Dana', comments: 'Rent is within the facilities budget.' };
const rejection = { reviewer: 'Sam', comments: 'No budget left for sponsorships this year.' };

/** What a result says, without its timestamps (which differ between runs). */
const outcome = (result: WorkflowResult<ApprovedDocument | null>): Pick<WorkflowResult<ApprovedDocument | null>, 'value' | 'error' | 'metadata'> => ({
  value: result.value,
  error: result.error,
  metadata: result.metadata,
});

describe('document approval', { timeout: 60_000 }, () => {
  let model: LocalLlmServer;
  let inProcess: Executor;
  let temporal: TemporalExecutor;
  const settings = (engine: 'asyncio' | 'temporal'): SettingsInput => ({
    execution_engine: engine,
    temporal: { task_queue: taskQueue },
    openai: { api_key: 'sk-local-test', base_url: model.openaiBaseUrl, default_model: 'gpt-4o-mini' },
  });
  const parts = { appName: app.name, registry: app.registry, logger, llmProviders: [llmProvider] };

  beforeAll(async () => {
    model = await startScriptedModel();
    inProcess = await createExecutorWithServices(createAsyncioEngine(), { ...parts, settings: parseSettings(settings('asyncio'), 'test settings') });
    temporal = (await createExecutorWithServices(createTemporalEngine({ address: inject('temporalAddress'), worker: { workflowsPath, taskQueue } }), {
      ...parts,
      settings: parseSettings(settings('temporal'), 'test settings'),
    })) as TemporalExecutor;
  });

  afterAll(async () => {
    await inProcess?.close();
    await temporal?.close();
    await model?.close();
  });

  /** Model requests about a document. */
  const requestsAbout = (document: ApprovalDocument): number => model.requests.filter((request) => request.lastUserMessage?.includes(`"${document.title}"`)).length;

  /** Waits until the agent's summary is in and the workflow waits for a decision. */
  async function awaitingDecision(handle: DocumentApprovalWorkflowHandle): Promise<ApprovalStatus> {
    let status: ApprovalStatus | undefined;
    await vi.waitFor(
      async () => {
        status = await handle.queries.getStatus();
        expect(status.stage).toBe('awaiting decision');
      },
      { timeout: 20_000, interval: 50 },
    );
    return status as ApprovalStatus;
  }

  /** Both paths on one engine: a document approved, another rejected, with queries while they wait. */
  async function bothPaths(executor: Executor) {
    const before = { contract: requestsAbout(contract), budget: requestsAbout(budget) };
    const id = (document: ApprovalDocument): string => `approval-${document.id}-${executor.engine}-${process.pid}`;
    const approving = await DocumentApprovalWorkflowClient.start(executor, contract, { workflowId: id(contract) });
    const rejecting = await DocumentApprovalWorkflowClient.start(executor, budget, { workflowId: id(budget) });
    const waiting = [await awaitingDecision(approving), await awaitingDecision(rejecting)];

    // Still waiting a moment later, still answering, and no further model call.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const stillWaiting = await Promise.all([approving, rejecting].map(async (handle) => ({ status: await handle.queries.getStatus(), run: (await handle.describe()).status })));

    await approving.signals.approve(approval);
    const approved = await approving.result();
    await rejecting.signals.reject(rejection);
    const rejected = await rejecting.result();
    return {
      waiting,
      stillWaiting,
      approved: outcome(approved),
      rejected: outcome(rejected),
      after: [await approving.queries.getStatus(), await rejecting.queries.getStatus()],
      runs: [(await approving.describe()).status, (await rejecting.describe()).status],
      modelCalls: { contract: requestsAbout(contract) - before.contract, budget: requestsAbout(budget) - before.budget },
    };
  }

  it('approves one document and rejects another, answering queries while they wait, with the same outcomes on both engines', async () => {
    const local = await bothPaths(inProcess);
    const remote = await bothPaths(temporal);

    for (const run of [local, remote]) {
      // One model round trip per document, made before the wait.
      expect(run.modelCalls).toEqual({ contract: 1, budget: 1 });
      expect(run.waiting.map((status) => [status.documentId, status.stage])).toEqual([
        ['contract-9', 'awaiting decision'],
        ['budget-4', 'awaiting decision'],
      ]);
      expect(run.waiting[0]?.summary).toBe(
        '"Office lease renewal": The lease of the Lyon office is renewed for 3 years from 2027-01-01 at EUR 5,200 a month. Check: amounts EUR 5,200; dates 2027-01-01.',
      );
      expect(run.stillWaiting).toEqual(run.waiting.map((status) => ({ status, run: 'RUNNING' })));

      expect(run.approved).toEqual({
        value: { ...contract, summary: run.waiting[0]?.summary, approvedBy: 'Dana', comments: 'Rent is within the facilities budget.' },
        error: undefined,
        metadata: {},
      });
      // A rejection is a result that reports it, not a failed workflow.
      expect(run.rejected).toEqual({
        value: null,
        error: 'Document "Conference sponsorship" rejected by Sam: No budget left for sponsorships this year.',
        metadata: { documentId: 'budget-4', rejectedBy: 'Sam', reason: 'No budget left for sponsorships this year.' },
      });
      expect(run.runs).toEqual(['COMPLETED', 'COMPLETED']);
      expect(run.after.map((status) => [status.stage, status.review])).toEqual([
        ['approved', approval],
        ['rejected', rejection],
      ]);
    }
    expect(remote).toEqual(local);
  });

  it('fails at once, with no model call, for a document without text (both engines)', async () => {
    for (const executor of [inProcess, temporal]) {
      const before = model.requests.length;
      const handle = await DocumentApprovalWorkflowClient.start(executor, { id: 'empty-1', title: 'Empty', text: ' ' });
      const error = await handle.result().catch((thrown: unknown) => thrown);
      expect(WorkflowFailedError.is(error), executor.engine).toBe(true);
      expect((error as Error).message).toContain('DocumentApprovalWorkflow needs a document with a non-empty text');
      expect(model.requests.length).toBe(before);
    }
  });

  it('still waits, and answers queries, after 30 days without a decision; then the approve signal finishes it (time-skipping server)', { timeout: 90_000 }, async () => {
    const environment = await TestWorkflowEnvironment.createTimeSkipping({
      server: { executable: { type: 'existing-path', path: inject('temporalTestServerPath') } },
    });
    const skipping = (await createExecutorWithServices(
      createTemporalEngine({
        client: environment.client,
        worker: { workflowsPath, connection: environment.nativeConnection, taskQueue: `${taskQueue}-skipping` },
      }),
      { ...parts, settings: parseSettings(settings('temporal'), 'test settings') },
    )) as TemporalExecutor;
    try {
      const handle = await DocumentApprovalWorkflowClient.start(skipping, contract, { workflowId: `approval-30-days-${process.pid}` });
      const waiting = await awaitingDecision(handle);
      const calls = requestsAbout(contract);

      await environment.sleep('30 days');
      expect(await handle.queries.getStatus()).toEqual(waiting);
      expect((await handle.describe()).status).toBe('RUNNING');

      await handle.signals.approve(approval);
      const result = await handle.result();
      expect(result.value?.approvedBy).toBe('Dana');
      expect(requestsAbout(contract)).toBe(calls);
      // Workflow time passed 30 days while it waited.
      expect(((result.endTime ?? 0) - (result.startTime ?? 0)) / 86_400_000).toBeGreaterThanOrEqual(30);
    } finally {
      await skipping.close();
      await environment.teardown();
    }
  });

  it('pnpm start: approves one document and rejects the other, in-process, and exits 0', async () => {
    const tsxLoader = pathToFileURL(createRequire(path.join(appDirectory, 'package.json')).resolve('tsx')).href;
    const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, ['--conditions=mcp-agent-source', '--import', tsxLoader, path.join(appDirectory, 'src', 'start.ts')], {
        cwd: appDirectory,
        env: { ...process.env, EXECUTION_ENGINE: '', OPENAI_API_KEY: '', OPENAI_BASE_URL: '' },
      });
      let out = '';
      let err = '';
      child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
      child.once('exit', (exitCode) => resolve({ code: exitCode, stdout: out, stderr: err }));
    });
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain('model: no OpenAI key is configured');
    expect(stdout).toContain('getStatus(approval-contract-2026-17) -> awaiting decision: "Hosting contract with Acme Cloud": ');
    expect(stdout).toContain('result: approved by Dana (legal): "Notice period checked. Approved for 24 months."');
    expect(stdout).toContain('result: Document "Q4 marketing budget increase" rejected by Sam (finance): Needs audience research before we commit EUR 250,000.');
    expect(stdout).toContain('getStatus(approval-budget-2026-q4) -> rejected; workflow COMPLETED');
  });
});
