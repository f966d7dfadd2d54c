// The order saga on the in-process engine and on a Temporal dev server: for each kind of order,
// the same outcome on both, and the compensations the services actually ran, in their order.
import { createLogger, WorkflowFailedError, type Executor, type WorkflowResult } from '@mcp-agent/core';
import { loadSettings, type Settings } from '@mcp-agent/core/config';
import { createAsyncioEngine } from '@mcp-agent/executor-asyncio';
import { createTemporalEngine } from '@mcp-agent/executor-temporal';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { OrderSagaWorkflowClient } from '../src/generated/clients.js';
import { injectGatewayTimeouts, inventory, ledger, resetServices, type LedgerEntry } from '../src/services.js';
import { app, events, type Order, type OrderOutcome } from '../src/workflows.js';

const logger = createLogger({ transports: ['none'] });
// The app's own config (its retry policies), with the engine chosen here.
const configured = loadSettings({ configPath: new URL('../mcp_agent.config.yaml', import.meta.url).pathname }).settings;
const taskQueue = `order-saga-${process.pid}`;
const settingsFor = (engine: 'asyncio' | 'temporal'): Settings => ({ ...configured, execution_engine: engine, temporal: { ...configured.temporal!, task_queue: taskQueue } });

const order = (orderId: string, changes: Partial<Order> = {}): Order => ({
  orderId,
  items: [{ sku: 'lamp', quantity: 2 }],
  card: 'tok_visa',
  address: { name: 'Ada', city: 'Berlin', country: 'DE' },
  ...changes,
});

/** The ledger entries of an order, as "service action". */
const actions = (entries: LedgerEntry[]): string[] => entries.map((entry) => `${entry.service} ${entry.action}`);

describe('the order saga', { timeout: 60_000 }, () => {
  const engines: Array<{ name: string; executor: Executor }> = [];
  const runId = `${process.pid}-${Date.now()}`;
  const printed: string[] = [];

  beforeAll(async () => {
    events.print = (line) => printed.push(line);
    const inProcess = await createAsyncioEngine().createExecutor({ appName: app.name, registry: app.registry, settings: settingsFor('asyncio'), logger });
    const temporal = await createTemporalEngine({
      address: inject('temporalAddress'),
      worker: { workflowsPath: new URL('../src/workflows.ts', import.meta.url), taskQueue },
    }).createExecutor({ appName: app.name, registry: app.registry, settings: settingsFor('temporal'), logger });
    engines.push({ name: 'in-process', executor: inProcess }, { name: 'temporal', executor: temporal });
  });

  afterAll(async () => {
    await Promise.all(engines.map(({ executor }) => executor.close()));
  });

  /** Places the order on each engine against fresh services; returns what each engine reported and what the services did. */
  async function placeOnBothEngines(input: Order, before: () => void = () => undefined) {
    const runs: Array<{ name: string; result: Pick<WorkflowResult<OrderOutcome>, 'value' | 'error'>; ledger: string[]; printed: string[]; lampsInStock: number }> = [];
    for (const { name, executor } of engines) {
      resetServices();
      printed.length = 0;
      before();
      const result = await OrderSagaWorkflowClient.execute(executor, input, { workflowId: `order-${input.orderId}-${runId}` });
      runs.push({ name, result: { value: result.value, error: result.error }, ledger: actions(ledger(input.orderId)), printed: [...printed], lampsInStock: inventory.stockOf('lamp') });
    }
    const [inProcess, temporal] = runs;
    // The same outcome, and the same calls to the services, on both engines.
    expect(temporal!.result).toEqual(inProcess!.result);
    expect(temporal!.ledger).toEqual(inProcess!.ledger);
    return runs;
  }

  it('completes a good order without compensating, a timed-out charge being retried rather than compensated', async () => {
    const runs = await placeOnBothEngines(order('A-1'), () => injectGatewayTimeouts(1));
    for (const run of runs) {
      expect(run.result.error, run.name).toBeUndefined();
      expect(run.result.value, run.name).toEqual({
        orderId: 'A-1',
        status: 'completed',
        totalCents: 9_000,
        reservationId: 'RES-A-1',
        paymentId: 'PAY-A-1',
        trackingNumber: 'SHP-A-1',
        compensations: [],
      });
      expect(run.ledger, run.name).toEqual(['inventory reserve 2 lamp', 'payment charge 90.00 EUR', 'shipping book shipment to Berlin, DE', 'shipping dispatch shipment']);
      expect(run.printed, run.name).toContain('[A-1] payment attempt 1 failed: payment gateway timed out');
      expect(run.printed, run.name).toContain('[A-1] payment charged: PAY-A-1 (attempt 2)');
      expect(
        run.printed.filter((line) => line.includes('compensation')),
        run.name,
      ).toEqual([]);
      expect(run.lampsInStock, run.name).toBe(3);
    }
  });

  it('undoes shipping, payment and inventory in reverse order when the carrier refuses the order', async () => {
    const runs = await placeOnBothEngines(order('C-1', { address: { name: 'Edsger', city: 'McMurdo Station', country: 'AQ' } }));
    for (const run of runs) {
      expect(run.result.value, run.name).toMatchObject({
        status: 'compensated',
        failedStep: 'shipping',
        failure: 'the carrier does not deliver to AQ',
        compensations: ['cancel shipment', 'refund payment', 'release inventory'],
      });
      expect(run.result.value?.trackingNumber, run.name).toBeUndefined();
      expect(run.result.error, run.name).toBe(
        'order C-1 failed at the shipping step (the carrier does not deliver to AQ); compensated: cancel shipment, refund payment, release inventory',
      );
      // What the compensation tasks did to the services, in the order they did it.
      expect(run.ledger, run.name).toEqual([
        'inventory reserve 2 lamp',
        'payment charge 90.00 EUR',
        'shipping book shipment to McMurdo Station, AQ',
        'shipping cancel shipment',
        'payment refund 90.00 EUR',
        'inventory release reservation',
      ]);
      expect(
        run.printed.filter((line) => line.includes('compensation')),
        run.name,
      ).toEqual(['[C-1] compensation: shipment cancelled', '[C-1] compensation: payment refunded', '[C-1] compensation: inventory released']);
      expect(run.lampsInStock, run.name).toBe(5);
    }
  });

  it('only releases the inventory when the card is declined', async () => {
    const runs = await placeOnBothEngines(order('B-1', { card: 'tok_declined' }));
    for (const run of runs) {
      expect(run.result.value, run.name).toMatchObject({ status: 'compensated', failedStep: 'payment', reservationId: 'RES-B-1', compensations: ['release inventory'] });
      expect(run.result.value?.paymentId, run.name).toBeUndefined();
      expect(run.result.error, run.name).toBe('order B-1 failed at the payment step (card tok_declined was declined); compensated: release inventory');
      expect(run.ledger, run.name).toEqual(['inventory reserve 2 lamp', 'inventory release reservation']);
      // Declined is final: one attempt, no retry.
      expect(
        run.printed.filter((line) => line.includes('payment attempt')),
        run.name,
      ).toEqual(['[B-1] payment attempt 1 failed: card tok_declined was declined']);
      expect(run.lampsInStock, run.name).toBe(5);
    }
  });

  it('has nothing to compensate when the first step fails', async () => {
    const runs = await placeOnBothEngines(order('D-1', { items: [{ sku: 'chair', quantity: 1 }] }));
    for (const run of runs) {
      expect(run.result.value, run.name).toEqual({ orderId: 'D-1', status: 'compensated', failedStep: 'inventory', failure: 'only 0 of "chair" in stock, 1 ordered', compensations: [] });
      expect(run.result.error, run.name).toBe('order D-1 failed at the inventory step (only 0 of "chair" in stock, 1 ordered); nothing to compensate');
      expect(run.ledger, run.name).toEqual([]);
    }
  });

  it('fails an invalid order with a clear, non-retryable error before any step', async () => {
    for (const { name, executor } of engines) {
      resetServices();
      const handle = await OrderSagaWorkflowClient.start(
        executor,
        { orderId: 'E-1', items: [], card: '', address: { name: 'x', city: 'y', country: 'de' } },
        { workflowId: `order-E-1-${runId}` },
      );
      const error = await handle.result().then(
        () => undefined,
        (failure: unknown) => failure,
      );
      expect(WorkflowFailedError.is(error), name).toBe(true);
      expect((error as Error).message, name).toContain(
        'invalid order: items must list at least one item; card must be a payment token; address.country must be an ISO code such as "DE"',
      );
      expect(ledger('E-1'), name).toEqual([]);
    }
  });
});
