/**
 * The main demo: `npm run demo` from the repository root. It runs on the in-process engine
 * (`execution_engine: asyncio` in mcp_agent.config.yaml) and prints what happens:
 * 1. an expense approval workflow: a task retried with backoff, queries, signals;
 * 2. an agent with the filesystem MCP server answering a question about files in a folder.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadSettings, runMain, type Executor } from '@mcp-agent/core';
import type { LocalLlmServer } from '@mcp-agent/testing';
import { startScriptedModel } from './scripted-model.js';
import { app, events, ExpenseApprovalWorkflow, FileQuestionWorkflow, type ExpenseStatus } from './workflows.js';

const started = Date.now();
const print = (line: string): void => {
  process.stdout.write(`[${String(Date.now() - started).padStart(5)} ms] ${line}\n`);
};
events.print = print;

const sleep = (milliseconds: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, milliseconds));

await runMain(async () => {
  // The folder the agent reads, and the MCP server that gives it access (see mcp_agent.config.yaml).
  const folder = await mkdtemp(path.join(tmpdir(), 'mcp-agent-demo-'));
  await writeFile(path.join(folder, 'invoices.txt'), 'Invoice 17: 120 EUR, office chairs\nInvoice 42: 420 EUR, conference travel\nInvoice 43: 75 EUR, books\n');
  await writeFile(path.join(folder, 'notes.md'), '# Notes\nAsk finance about invoice 42.\n');
  process.env.DEMO_FOLDER = folder;
  process.env.DEMO_FILESYSTEM_SERVER = createRequire(import.meta.url).resolve('@modelcontextprotocol/server-filesystem/dist/index.js');

  // A key from the config, the secrets file or OPENAI_API_KEY means the real provider.
  const configuredKey = loadSettings().settings.openai?.api_key;
  let localModel: LocalLlmServer | undefined;
  if (configuredKey === undefined || configuredKey === '') {
    localModel = await startScriptedModel(folder);
    process.env.OPENAI_API_KEY = 'local-demo-key';
    process.env.OPENAI_BASE_URL = localModel.openaiBaseUrl;
    print(`model: no OpenAI key is configured (openai.api_key or OPENAI_API_KEY), so a scripted model answers on a local OpenAI wire-protocol server (${localModel.openaiBaseUrl})`);
  } else {
    print('model: OpenAI (an API key is configured), model gpt-4o-mini from mcp_agent.config.yaml');
  }

  try {
    await app.run(async ({ executor }) => {
      print(`engine: ${executor.engine}; workflows: ${[...app.registry.workflows.keys()].join(', ')}`);
      if (executor.engine === 'temporal') {
        // On Temporal the workflows run in a worker; this one runs in the demo's process until the demo is done.
        const { createTemporalWorkerForApp } = await import('@mcp-agent/executor-temporal');
        const worker = await createTemporalWorkerForApp(app, { workflowsPath: new URL('./workflows.ts', import.meta.url) });
        print(`worker: polling task queue "${app.config.temporal?.task_queue}" on ${app.config.temporal?.host}:${app.config.temporal?.port}`);
        await worker.runUntil(demo(executor));
      } else {
        await demo(executor);
      }
    });
  } finally {
    await localModel?.close();
    await rm(folder, { recursive: true, force: true });
  }

  async function demo(executor: Executor): Promise<void> {

    // 1. Expense approval: a retried task, queries while it waits, signals.
    const claim = { employee: 'Ada', amount: 420, description: 'conference travel' };
    const handle = await executor.startWorkflow(ExpenseApprovalWorkflow, claim, { workflowId: 'expense-ada-420' });
    print(`started ExpenseApprovalWorkflow id=${handle.workflowId} run=${handle.runId}`);
    let status = await handle.query<ExpenseStatus>('status');
    print(`query status -> ${JSON.stringify(status)}`);
    while (status.stage !== 'awaiting approval') {
      await sleep(50);
      status = await handle.query<ExpenseStatus>('status');
    }
    print(`query status -> ${JSON.stringify(status)}`);
    try {
      await executor.signalWorkflow('ExpenseApprovalWorkflow', handle.workflowId, 'approve', 'stale', { runId: 'an-old-run' });
    } catch (error) {
      print(`signal to a wrong run id refused: ${(error as Error).message}`);
    }
    print('signal approve("Within the travel budget")');
    await handle.signal('approve', 'Within the travel budget');
    const result = await handle.result();
    print(`result: ${JSON.stringify(result.value)}`);
    print(`workflow ${(await handle.describe()).status} in ${(result.endTime ?? 0) - (result.startTime ?? 0)} ms of workflow time`);

    // 2. An agent with the filesystem MCP server answers a question about the folder.
    const question = 'Which invoices are in the folder, and which is the largest?';
    print(`question for the archivist agent (files in ${folder}): ${question}`);
    const answer = await executor.executeWorkflow(FileQuestionWorkflow, question, { workflowId: 'file-question' });
    print(`tool calls: ${answer.value?.toolCalls.join(', ')}`);
    print(`answer after ${answer.value?.modelRoundTrips} model round trips (${answer.value?.stopReason}): ${answer.value?.answer}`);
    print(`tokens used by the workflow: ${answer.value?.tokens} in ${answer.value?.calls} calls`);
  }
});
