// Bad input and faults: each a clear error within bounded time, never a hang or a stack dump from
// deep inside the SDK.
import net from 'node:net';
import { createLogger, UnknownHandlerError, Workflow, WorkflowApplicationError, WorkflowResult, WorkflowUsageError } from '@mcp-agent/core';
import { defineWorkflow, WorkflowRegistry } from '@mcp-agent/core/engine';
import { parseSettings } from '@mcp-agent/core/config';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { createTemporalEngine, createTemporalWorker, TemporalUnreachableError, WorkflowBundleError, type TemporalExecutor } from '../src/index.js';
import { DocumentApprovalWorkflow, proofApp, WhoAmIWorkflow } from './fixtures/proof-workflows.js';
import { nodeOnlyApp } from './fixtures/node-only-workflows.js';

const address = inject('temporalAddress');
const logger = createLogger({ transports: ['none'] });

async function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function failureOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

/** A workflow the client knows but the worker's bundle does not. */
class OrphanWorkflow extends Workflow<string> {
  async run(): Promise<WorkflowResult<string>> {
    return new WorkflowResult({ value: 'unreachable' });
  }
}

describe('bad input and faults', { timeout: 120_000 }, () => {
  let executor: TemporalExecutor;
  const registry = new WorkflowRegistry();

  beforeAll(async () => {
    for (const definition of proofApp.registry.workflows.values()) registry.addWorkflow(definition);
    registry.addWorkflow(defineWorkflow(OrphanWorkflow));
    for (const task of proofApp.registry.tasks.values()) registry.addTask(task);
    executor = (await createTemporalEngine({
      address,
      worker: { workflowsPath: new URL('./fixtures/proof-workflows.ts', import.meta.url), taskQueue: `faults-${process.pid}` },
    }).createExecutor({ appName: 'faults', registry, settings: parseSettings({ execution_engine: 'temporal' }, 'faults'), logger })) as TemporalExecutor;
  });

  afterAll(async () => {
    await executor?.close();
  });

  it('reports an unreachable server within a bounded time, naming the address and how to start one', async () => {
    const port = await closedPort();
    const started = Date.now();
    const error = await failureOf(
      Promise.resolve(
        createTemporalEngine({ address: `127.0.0.1:${port}`, connectTimeoutMs: 3_000 }).createExecutor({
          appName: 'unreachable',
          registry,
          settings: parseSettings({ execution_engine: 'temporal' }, 'unreachable'),
          logger,
        }),
      ),
    );
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(TemporalUnreachableError.is(error)).toBe(true);
    expect(error.message).toContain(`127.0.0.1:${port}`);
    expect(error.message).toContain('temporal server start-dev');
  });

  it('reports an unreachable server from a worker too', async () => {
    const port = await closedPort();
    const error = await failureOf(
      createTemporalWorker(
        {
          registry: proofApp.registry,
          settings: parseSettings({ execution_engine: 'temporal', temporal: { host: '127.0.0.1', port } }, 'worker'),
          logger,
        },
        { workflowBundle: { code: 'unused: the connection fails first' } },
      ),
    );
    expect(TemporalUnreachableError.is(error)).toBe(true);
    expect(error.message).toContain(`127.0.0.1:${port}`);
  });

  it('refuses workflow code that reaches a Node module, naming the import chain and the fix', async () => {
    const error = await failureOf(
      createTemporalWorker(
        { registry: nodeOnlyApp.registry, settings: parseSettings({ execution_engine: 'temporal' }, 'bundle'), logger },
        { workflowsPath: new URL('./fixtures/node-only-workflows.ts', import.meta.url) },
      ),
    );
    expect(error).toBeInstanceOf(WorkflowBundleError);
    expect(error.message).toMatch(/node-only-workflows\.ts -> .*node-only-helper\.ts -> node:fs/);
    expect(error.message).toContain('app.workflowTask');
    expect(error.message).toContain('ignoreModules');
  });

  it('keeps a run whose workflow type the worker lacks waiting for a worker that has it, the reason in its history', async () => {
    const handle = await executor.startWorkflow(OrphanWorkflow);
    await vi.waitFor(
      async () => {
        const history = await executor.client.workflow.getHandle(handle.workflowId).fetchHistory();
        const failed = history.events?.find((event) => event.workflowTaskFailedEventAttributes !== undefined && event.workflowTaskFailedEventAttributes !== null);
        expect(failed?.workflowTaskFailedEventAttributes?.failure?.message).toContain('unknown workflow "OrphanWorkflow"');
        expect(failed?.workflowTaskFailedEventAttributes?.failure?.message).toContain('DocumentApprovalWorkflow');
      },
      { timeout: 20_000, interval: 200 },
    );
    expect((await handle.describe()).status).toBe('RUNNING');
    await handle.terminate('test over');
  });

  it('gives the caller of an update whose handler fails that error', async () => {
    const handle = await executor.startWorkflow(DocumentApprovalWorkflow, 'doc', { workflowId: `amend-${Date.now()}` });
    const error = await failureOf(handle.update('amend', '  '));
    expect(WorkflowApplicationError.is(error)).toBe(true);
    expect(error).toMatchObject({ type: 'EmptySummary', message: 'a summary cannot be empty' });
    await handle.terminate('test over');
  });

  it('refuses input that cannot be serialised, naming it, before anything is started', async () => {
    const error = await failureOf(executor.startWorkflow(WhoAmIWorkflow, { amount: 10n } as never));
    expect(WorkflowUsageError.is(error)).toBe(true);
    expect(error.message).toContain('input of workflow WhoAmIWorkflow is not serialisable to JSON');
  });

  it('rejects a query or signal name the workflow lacks when reached by id alone, naming those it has', async () => {
    const handle = await executor.startWorkflow(DocumentApprovalWorkflow, 'doc', { workflowId: `lacks-${Date.now()}` });
    const byId = executor.getHandle(handle.workflowId);
    const query = await failureOf(byId.query('getStatuss'));
    expect(UnknownHandlerError.is(query)).toBe(true);
    expect(query.message).toContain('getStatus');
    const signal = await failureOf(byId.signal('aprove', 'typo'));
    expect(UnknownHandlerError.is(signal)).toBe(true);
    expect(signal.message).toContain('approve, reject');
    await handle.terminate('test over');
  });
});
