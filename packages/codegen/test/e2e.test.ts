// End to end: an app written as one file runs from codegen's output on the in-process engine and,
// from the prebuilt bundle, on the Temporal dev server, with the same result.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLogger, type Executor, type LogRecord } from '@mcp-agent/core';
import { parseSettings } from '@mcp-agent/core/config';
import { WorkflowRegistry } from '@mcp-agent/core/engine';
import { createAsyncioEngine } from '@mcp-agent/executor-asyncio';
import { createTemporalEngine, createTemporalWorker } from '@mcp-agent/executor-temporal';
import { describe, expect, inject, it } from 'vitest';
import { buildPrebuiltBundle, runCodegen } from '../src/index.js';

const appRoot = path.join(path.dirname(fileURLToPath(import.meta.url)), 'app');
const tsconfig = path.join(appRoot, '..', '..', 'tsconfig.json');

async function invoice(executor: Executor, workflowId: string): Promise<unknown> {
  const { InvoiceWorkflowClient } = await import('./app/src/generated/clients.js');
  const handle = await InvoiceWorkflowClient.start(
    executor,
    {
      customer: 'Acme',
      lines: [
        { item: 'chairs', amount: 120 },
        { item: 'desk', amount: 380 },
      ],
    },
    { workflowId },
  );
  expect(await handle.updates.applyDiscount(10)).toBe(10);
  expect(await handle.queries.pending()).toBe(true);
  await handle.signals.approve('Grace');
  return (await handle.result()).value;
}

describe('an app in one file, from codegen to both engines', { timeout: 120_000 }, () => {
  it('generates up-to-date files and a bundle, and gives the same result in-process and on Temporal from the bundle', async () => {
    const result = runCodegen({ root: appRoot, tsconfig });
    expect(result.diagnostics).toEqual([]);
    expect(runCodegen({ root: appRoot, tsconfig, check: true }).stale).toEqual([]);
    const bundle = await buildPrebuiltBundle(result);
    expect(bundle?.bundle).toMatch(/^src\/generated\/workflow-bundle\.[0-9a-f]{16}\.js$/);

    const { invoiceApp } = await import('./app/src/app.js');
    const settings = parseSettings({}, 'e2e');
    const logger = createLogger({ transports: ['none'] });
    const options = { appName: invoiceApp.name, registry: invoiceApp.registry, settings, logger };

    const inProcess = await createAsyncioEngine().createExecutor(options);
    const local = await invoice(inProcess, `invoice-local-${Date.now()}`);
    await inProcess.close();

    const lines: LogRecord[] = [];
    const temporal = await createTemporalEngine({
      address: inject('temporalAddress'),
      worker: { workflowsPath: path.join(appRoot, 'src', 'app.ts'), taskQueue: `codegen-e2e-${process.pid}` },
    }).createExecutor({ ...options, logger: createLogger({ level: 'debug', sink: (line) => lines.push(line) }) });
    try {
      const remote = await invoice(temporal, `invoice-temporal-${Date.now()}`);
      expect(remote).toEqual(local);
      expect(local).toEqual({ customer: 'Acme', total: 450, approvedBy: 'Grace', template: 'Acme: template loaded' });
      expect(lines.some((line) => line.message === 'temporal worker uses a prebuilt workflow bundle')).toBe(true);
    } finally {
      await temporal.close();
    }

    // The bundle's activity manifest: a worker that lacks a task the workflows call refuses to start.
    const error = await createTemporalWorker({ registry: new WorkflowRegistry(), settings, logger }, { workflowsPath: path.join(appRoot, 'src', 'app.ts') }).catch(
      (caught: unknown) => caught,
    );
    expect((error as Error).message).toContain('the workflows call tasks this worker does not register: invoices.loadTemplate (src/app.ts:');
    expect((error as Error).message).toContain('workflow_task_modules');
  });
});
