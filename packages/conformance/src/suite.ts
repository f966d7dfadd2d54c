/**
 * The conformance suite: the workflow semantics every engine must have, as vitest tests that
 * take an engine. The in-process engine runs it; the Temporal engine runs the very same file.
 */
import {
  createLogger,
  UnknownHandlerError,
  UnknownWorkflowError,
  UpdateRejectedError,
  WorkflowAlreadyStartedError,
  TimeoutError,
  WorkflowFailedError,
  WorkflowNotFoundError,
  WorkflowResult,
  type AppServices,
  type Executor,
  type WorkflowHandle,
} from '@mcp-agent/core';
import { parseSettings } from '@mcp-agent/core/config';
import { createAppServices, type ExecutionEngine } from '@mcp-agent/core/engine';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CONFORMANCE_SETTINGS } from './settings.js';
import {
  AgentWorkflow,
  ApprovalWorkflow,
  CancellableWorkflow,
  CaughtContinueAsNewWorkflow,
  ConditionChainWorkflow,
  conformanceApp,
  ConditionTimeoutWorkflow,
  CounterWorkflow,
  EarlySignalWorkflow,
  EchoWorkflow,
  ErrorWithoutValueWorkflow,
  FailingWorkflow,
  ForeverWorkflow,
  HelpersWorkflow,
  ParallelWorkflow,
  ParentOfForeverWorkflow,
  PipelineWorkflow,
  PlainErrorWorkflow,
  PlainValueWorkflow,
  probe,
  QuickstartWorkflow,
  ReportedErrorWorkflow,
  RetryWorkflow,
  SagaWorkflow,
  SignalBufferWorkflow,
  SignalBusWorkflow,
  SleepWorkflow,
  TaskMethodWorkflow,
  TaskWorkflow,
  TwoWaitersWorkflow,
  VersionedWorkflow,
} from './workflows.js';

/** How the suite reaches an engine. */
export interface ConformanceHarness {
  /** Shown in test names. */
  name: string;
  /** The engine under test; the suite creates one executor from it for the conformance app. */
  engine: ExecutionEngine;
  /** True when long sleeps and timeouts finish without waiting in real time (virtual clock, time skipping). */
  timeSkipping: boolean;
  /** The engine's clock, epoch milliseconds. Default `Date.now`. */
  now?: () => number;
  /** Time for each test, in milliseconds. Default 30,000. */
  testTimeout?: number;
}

/** Waits until `check` passes, or fails with its last error after `milliseconds` of real time. */
async function eventually(check: () => Promise<void> | void, milliseconds = 5_000): Promise<void> {
  const deadline = Date.now() + milliseconds;
  for (;;) {
    try {
      await check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
}

async function failureOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject, but it resolved');
}

/**
 * Registers the conformance tests for one engine. Call it at the top level of a test file.
 *
 * @example
 * ```ts
 * runConformanceSuite({ name: 'asyncio', engine: createAsyncioEngine({ clock }), timeSkipping: true, now: () => clock.now() });
 * ```
 */
export function runConformanceSuite(harness: ConformanceHarness): void {
  describe(`conformance: ${harness.name}`, { timeout: harness.testTimeout ?? 30_000 }, () => {
    let executor: Executor;
    let services: AppServices | undefined;
    let sequence = 0;
    const id = (label: string): string => `${label}-${Date.now().toString(36)}-${(sequence += 1)}`;
    const long = harness.timeSkipping ? '2 days' : '1500ms';
    const longMilliseconds = harness.timeSkipping ? 2 * 86_400_000 : 1_500;

    beforeAll(async () => {
      probe.now = harness.now ?? Date.now;
      const settings = parseSettings(CONFORMANCE_SETTINGS, 'conformance settings');
      const logger = createLogger({ transports: ['none'] });
      // The services an app would assemble (the MCP test server's tasks), handed to the engine as its task map.
      services = await createAppServices({ registry: conformanceApp.registry, settings, logger, llmProviders: [] });
      executor = await harness.engine.createExecutor({ appName: conformanceApp.name, registry: conformanceApp.registry, settings, logger, tasks: services.tasks });
    });

    afterAll(async () => {
      await executor?.close();
      await services?.close();
    });

    beforeEach(() => {
      probe.reset();
    });

    describe('start and result', () => {
      it('runs a workflow by class and returns its WorkflowResult', async () => {
        const handle = await executor.startWorkflow(QuickstartWorkflow, 'Hello Temporal!');
        const result = await handle.result();
        expect(result.value).toBe('Processed: Hello Temporal!');
        expect(WorkflowResult.is(result)).toBe(true);
        expect(typeof result.startTime).toBe('number');
        expect(result.endTime).toBeGreaterThanOrEqual(result.startTime ?? Number.POSITIVE_INFINITY);
      });

      it('runs a workflow by name with a given workflow id', async () => {
        const workflowId = id('by-name');
        const handle = await executor.startWorkflow<QuickstartWorkflow>('QuickstartWorkflow', 'x', { workflowId });
        expect(handle.workflowId).toBe(workflowId);
        expect(handle.runId).not.toBe('');
        expect((await handle.result()).value).toBe('Processed: x');
      });

      it('round-trips input and output as JSON data', async () => {
        const input = { text: 'héllo ✓', count: 3, ratio: 0.5, flags: [true, false], nested: { empty: null, list: [1, 'two'] } };
        const result = await executor.executeWorkflow(EchoWorkflow, input);
        expect(result.value).toEqual(input);
        expect(result.metadata).toEqual({ kind: 'object' });
      });

      it('keeps a WorkflowResult that has an error and no value as it is', async () => {
        const handle = await executor.startWorkflow(ErrorWithoutValueWorkflow, 'over budget');
        const result = await handle.result();
        expect(WorkflowResult.is(result)).toBe(true);
        expect(result.value).toBeUndefined();
        expect(result.error).toBe('rejected: over budget');
        expect(result.metadata).toEqual({ reason: 'over budget' });
        expect((await handle.describe()).status).toBe('COMPLETED');
      });

      it('turns a Date in the input into its JSON string, as a data converter does', async () => {
        const when = new Date('2026-01-02T03:04:05.000Z');
        const result = await executor.executeWorkflow(EchoWorkflow, { when });
        expect(result.value).toEqual({ when: '2026-01-02T03:04:05.000Z' });
      });

      it('wraps a bare return value in a WorkflowResult', async () => {
        const result = await executor.executeWorkflow(PlainValueWorkflow, 21);
        expect(result.value).toBe(42);
      });

      it('runs a task from the workflow and returns its value', async () => {
        expect((await executor.executeWorkflow(TaskWorkflow, 'doc')).value).toBe('Processed: doc');
      });

      it('fails the workflow with the error thrown in run, and describe says FAILED', async () => {
        const handle = await executor.startWorkflow(FailingWorkflow, 'disk on fire');
        const error = await failureOf(handle.result());
        expect(WorkflowFailedError.is(error)).toBe(true);
        const failure = error as WorkflowFailedError;
        expect(failure.status).toBe('FAILED');
        expect(failure.message).toContain('disk on fire');
        expect((failure.cause as { type?: string }).type).toBe('BrokenWorkflow');
        expect((await handle.describe()).status).toBe('FAILED');
      });

      it('fails the workflow on a plain Error too, keeping its type and message', async () => {
        const handle = await executor.startWorkflow(PlainErrorWorkflow, 'index 7 out of range');
        const error = await failureOf(handle.result());
        expect(WorkflowFailedError.is(error) && error.status).toBe('FAILED');
        expect((error as WorkflowFailedError).cause).toMatchObject({ type: 'RangeError', message: 'index 7 out of range' });
        expect((await handle.describe()).status).toBe('FAILED');
      });

      it('completes a workflow that reports an error in its result', async () => {
        const result = await executor.executeWorkflow(ReportedErrorWorkflow, 'missing signature');
        expect(result.value).toBeNull();
        expect(result.error).toBe('Document rejected: missing signature');
      });

      it('rejects an unknown workflow name and lists the registered ones', async () => {
        const error = await failureOf(executor.startWorkflow('NoSuchWorkflow', 1));
        expect(UnknownWorkflowError.is(error)).toBe(true);
        expect((error as Error).message).toContain('unknown workflow "NoSuchWorkflow"');
        expect((error as Error).message).toContain('QuickstartWorkflow');
      });

      it('gives workflow code replay-safe helpers and its own ids and memo', async () => {
        const workflowId = id('helpers');
        const handle = await executor.startWorkflow(HelpersWorkflow, undefined, { workflowId, memo: { owner: 'ops' } });
        const value = (await handle.result()).value;
        expect(value?.uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
        expect(value?.random).toBeGreaterThanOrEqual(0);
        expect(value?.random).toBeLessThan(1);
        expect(value?.workflowId).toBe(workflowId);
        expect(value?.runId).toBe(handle.runId);
        expect(value?.memo).toEqual({ owner: 'ops' });
      });
    });

    describe('signals', () => {
      it('delivers a signal sent after the workflow began waiting', async () => {
        const handle = await executor.startWorkflow(ApprovalWorkflow, 'contract', { workflowId: id('approval') });
        await eventually(async () => expect(await handle.query('getStatus')).toEqual({ status: 'pending', comments: '' }));
        await handle.signal('approve', 'Looks good');
        const result = await handle.result();
        expect(result.value).toEqual({ status: 'approved', comments: 'Looks good' });
        expect(result.error).toBeUndefined();
      });

      it('reports a rejection signal in the result', async () => {
        const workflowId = id('approval');
        const handle = await executor.startWorkflow(ApprovalWorkflow, 'contract', { workflowId });
        await executor.signalWorkflow('ApprovalWorkflow', workflowId, 'reject', 'Missing clause 4');
        const result = await handle.result();
        expect(result.value?.status).toBe('rejected');
        expect(result.error).toBe('contract rejected: Missing clause 4');
      });

      it('buffers signals sent before the workflow waits for them, in order', async () => {
        const handle = await executor.startWorkflow(SignalBufferWorkflow, harness.timeSkipping ? 3_600_000 : 1_000, { workflowId: id('buffer') });
        await eventually(async () => expect(await handle.query('getStage')).toBe('sleeping'));
        // 'go' is a declared signal with no handler method, so it goes through the untyped handle.
        const untyped: WorkflowHandle = handle;
        await untyped.signal('go', 'first');
        await untyped.signal('go', 'second');
        expect(await handle.query('getStage')).toBe('sleeping');
        expect((await handle.result()).value).toEqual(['first', 'second']);
      });

      it('delivers a Signal through the signal bus to the run it names', async () => {
        const handle = await executor.startWorkflow(SignalBusWorkflow, undefined, { workflowId: id('bus') });
        await eventually(async () => expect((await handle.describe()).status).toBe('RUNNING'));
        await executor.signalBus.sendSignal({ name: 'approve', workflowId: handle.workflowId, runId: handle.runId, payload: 'ship it' });
        expect((await handle.result()).value).toBe(`approved ${handle.workflowId}/${handle.runId}: ship it`);
      });

      it('rejects a signal addressed to another run id and leaves the workflow untouched', async () => {
        const workflowId = id('wrong-run');
        const handle = await executor.startWorkflow(ApprovalWorkflow, 'doc', { workflowId });
        const error = await failureOf(executor.signalWorkflow('ApprovalWorkflow', workflowId, 'approve', 'sneaky', { runId: '00000000-0000-4000-8000-000000000000' }));
        expect(WorkflowNotFoundError.is(error)).toBe(true);
        expect(await handle.query('getStatus')).toEqual({ status: 'pending', comments: '' });
        await handle.signal('approve', 'right run');
        expect((await handle.result()).value?.comments).toBe('right run');
      });

      it('rejects a signal to a run that has finished', async () => {
        const workflowId = id('closed');
        const first = await executor.startWorkflow(ApprovalWorkflow, 'doc', { workflowId });
        await first.signal('approve', 'done');
        await first.result();
        const error = await failureOf(executor.signalWorkflow(undefined, workflowId, 'approve', 'again', { runId: first.runId }));
        expect(WorkflowNotFoundError.is(error)).toBe(true);
      });

      it('delivers a signal sent right after the start to the run already begun', async () => {
        const handle = await executor.startWorkflow(EarlySignalWorkflow, undefined, { workflowId: id('early-signal') });
        await handle.signal('note', 'hello');
        expect((await handle.result()).value).toEqual(['run started', 'noted: hello']);
      });

      it('wakes one of two waits for a signal name with one signal, and the other times out', async () => {
        const handle = await executor.startWorkflow(TwoWaitersWorkflow, longMilliseconds, { workflowId: id('two-waiters') });
        await eventually(async () => expect((await handle.describe()).status).toBe('RUNNING'));
        await (handle as WorkflowHandle).signal('go', 'once');
        expect((await handle.result()).value).toEqual(['once', 'timed out']);
      });

      it('rejects a signal name the workflow does not define, naming the ones it does', async () => {
        const handle = await executor.startWorkflow(ApprovalWorkflow, 'doc', { workflowId: id('unknown-signal') });
        // A typed handle refuses the typo at compile time; an untyped one reaches the workflow.
        const error = await failureOf((handle as WorkflowHandle).signal('aprove', 'typo'));
        expect(UnknownHandlerError.is(error)).toBe(true);
        expect((error as Error).message).toContain('has no signal "aprove"');
        expect((error as Error).message).toContain('approve, reject');
        await handle.terminate('test over');
      });
    });

    describe('queries and updates', () => {
      it('answers queries while the workflow waits, with arguments', async () => {
        const handle = await executor.startWorkflow(ApprovalWorkflow, 'doc', { workflowId: id('query') });
        expect(await handle.query('getStatus')).toEqual({ status: 'pending', comments: '' });
        expect(await handle.query('describeWith', 'doc')).toBe('doc:pending');
        expect(await executor.queryWorkflow('ApprovalWorkflow', handle.workflowId, 'getStatus')).toEqual({ status: 'pending', comments: '' });
        await handle.signal('approve', 'ok');
        await handle.result();
      });

      it('rejects an unknown query name, naming the defined ones', async () => {
        const handle = await executor.startWorkflow(ApprovalWorkflow, 'doc', { workflowId: id('unknown-query') });
        const error = await failureOf((handle as WorkflowHandle).query('getStatuss'));
        expect(UnknownHandlerError.is(error)).toBe(true);
        expect((error as Error).message).toContain('getStatus');
        await handle.terminate();
      });

      it('runs an update whose validator accepts it and returns the handler value', async () => {
        const handle = await executor.startWorkflow(ApprovalWorkflow, 'doc', { workflowId: id('update') });
        const previous: number = await handle.update('setLimit', 250);
        expect(previous).toBe(100);
        expect(await handle.query('getLimit')).toBe(250);
        expect(await executor.updateWorkflow('ApprovalWorkflow', handle.workflowId, 'setLimit', 300)).toBe(250);
        await handle.signal('approve', 'ok');
        await handle.result();
      });

      it('fails an update still running when its workflow closes, instead of leaving the caller waiting', async () => {
        const handle = await executor.startWorkflow(ApprovalWorkflow, 'doc', { workflowId: id('update-closed') });
        // Watched from the start: the update may fail while terminate() is still on its way back.
        const pending = failureOf(handle.update('awaitDecision'));
        await eventually(async () => expect(await handle.query('getStatus')).toMatchObject({ status: 'pending' }));
        await handle.terminate('closing with an update in flight');
        const error = await pending;
        expect(error).toBeInstanceOf(Error);
      });

      it('returns an update that waited for a signal once the signal came', async () => {
        const handle = await executor.startWorkflow(ApprovalWorkflow, 'doc', { workflowId: id('update-waits') });
        const decision = handle.update('awaitDecision');
        // The signal goes once the update waits: sent earlier, it may close the run before the update arrives.
        await eventually(async () => expect(await handle.query('waitingForDecision')).toBe(1));
        await handle.signal('reject', 'no budget');
        expect(await decision).toBe('rejected');
        await handle.result();
      });

      it('rejects an update the validator refuses, without running the handler', async () => {
        const handle = await executor.startWorkflow(ApprovalWorkflow, 'doc', { workflowId: id('update-rejected') });
        const error = await failureOf(handle.update('setLimit', -5));
        expect(UpdateRejectedError.is(error)).toBe(true);
        expect((error as Error).message).toContain('limit must be a positive number, got -5');
        expect(await handle.query('getLimit')).toBe(100);
        const unknown = await failureOf((handle as WorkflowHandle).update('setLimits', 5));
        expect(UnknownHandlerError.is(unknown)).toBe(true);
        await handle.signal('approve', 'still alive');
        expect((await handle.result()).value?.status).toBe('approved');
      });
    });

    describe('conditions and time', () => {
      it('condition without timeout resolves once a signal makes it true', async () => {
        const handle = await executor.startWorkflow(ApprovalWorkflow, 'doc', { workflowId: id('condition') });
        await handle.signal('approve', 'now');
        expect((await handle.result()).value?.status).toBe('approved');
      });

      it('condition with a timeout returns false when the time passes first', async () => {
        const result = await executor.executeWorkflow(ConditionTimeoutWorkflow, harness.timeSkipping ? 3_600_000 : 300);
        expect(result.value).toBe(false);
      });

      it('condition with a timeout returns true when it holds in time', async () => {
        const handle = await executor.startWorkflow(ConditionTimeoutWorkflow, 3_600_000, { workflowId: id('condition-met') });
        await handle.signal('setFlag');
        expect((await handle.result()).value).toBe(true);
      });

      it('re-checks conditions that the workflow’s own code makes true, in the same step and in a chain', async () => {
        const result = await executor.executeWorkflow(ConditionChainWorkflow, harness.timeSkipping ? 3_600_000 : 2_000);
        expect(result.value).toEqual({ sameStep: true, chained: true });
      });

      it('sleeps durably and sleepUntil reaches its moment in workflow time', async () => {
        const result = await executor.executeWorkflow(SleepWorkflow, longMilliseconds);
        expect(result.value?.untilReached).toBe(true);
        expect((result.value?.after ?? 0) - (result.value?.before ?? 0)).toBeGreaterThanOrEqual(longMilliseconds);
      });

      it('times out an execution that outlives its execution timeout', async () => {
        const handle = await executor.startWorkflow(ForeverWorkflow, undefined, { workflowId: id('exec-timeout'), executionTimeout: long });
        const error = await failureOf(handle.result());
        expect(WorkflowFailedError.is(error) && error.status).toBe('TIMED_OUT');
        const cause = (error as Error).cause;
        expect(TimeoutError.is(cause) && cause.timeoutType).toBe('execution');
        expect((await handle.describe()).status).toBe('TIMED_OUT');
      });

      it('times out a run that outlives its run timeout', async () => {
        const handle = await executor.startWorkflow(ForeverWorkflow, undefined, { workflowId: id('run-timeout'), runTimeout: long });
        const error = await failureOf(handle.result());
        expect(WorkflowFailedError.is(error) && error.status).toBe('TIMED_OUT');
      });

      it('applies the run timeout to each run, so a chain of short runs outlives it', async () => {
        // Real servers keep timers to whole seconds, so in real time the runs take seconds.
        const runTimeout = harness.timeSkipping ? 3_600_000 : 4_000;
        const result = await executor.executeWorkflow(
          CounterWorkflow,
          { target: 3, total: 0, runs: 0, runIds: [], sleep: runTimeout / 2 },
          { workflowId: id('run-timeout-chain'), runTimeout },
        );
        expect(result.value?.total).toBe(3);
      });
    });

    describe('cancellation and termination', () => {
      it('lets the workflow see its cancellation and clean up', async () => {
        const key = id('cancel');
        const handle = await executor.startWorkflow(CancellableWorkflow, key, { workflowId: key });
        await eventually(async () => expect(await handle.query('getStage')).toBe('waiting'));
        await handle.cancel();
        const result = await handle.result();
        expect(result.value).toBe('cleaned up');
        expect(result.error).toBe('Workflow was cancelled');
        expect(probe.entry(key).events).toEqual(['cleanup after cancel']);
        expect((await handle.describe()).status).toBe('COMPLETED');
      });

      it('refuses to cancel or terminate a run that has already closed, naming its status', async () => {
        const handle = await executor.startWorkflow(QuickstartWorkflow, 'done', { workflowId: id('closed') });
        await handle.result();
        for (const attempt of [() => executor.cancelWorkflow(handle.workflowId), () => handle.cancel(), () => executor.terminateWorkflow(handle.workflowId, 'late')]) {
          const error = await failureOf(attempt());
          expect(WorkflowNotFoundError.is(error)).toBe(true);
          expect((error as Error).message).toContain('COMPLETED');
        }
        expect((await handle.describe()).status).toBe('COMPLETED');
      });

      it('ends as CANCELLED when the workflow lets the cancellation through', async () => {
        const handle = await executor.startWorkflow(ForeverWorkflow, undefined, { workflowId: id('cancelled') });
        await eventually(async () => expect(await handle.query('alive')).toBe(true));
        await executor.cancelWorkflow(handle.workflowId);
        const error = await failureOf(handle.result());
        expect(WorkflowFailedError.is(error) && error.status).toBe('CANCELLED');
        expect((await handle.describe()).status).toBe('CANCELLED');
      });

      it('cancels the child a cancelled parent waits for, and both end as CANCELLED', async () => {
        const handle = await executor.startWorkflow(ParentOfForeverWorkflow, undefined, { workflowId: id('cancel-parent') });
        let childId = '';
        await eventually(async () => {
          childId = await handle.query('getChildId');
          expect(childId).not.toBe('');
          expect((await executor.describeWorkflow(childId)).status).toBe('RUNNING');
        });
        await handle.cancel();
        const error = await failureOf(handle.result());
        expect(WorkflowFailedError.is(error) && error.status).toBe('CANCELLED');
        expect((await executor.describeWorkflow(childId)).status).toBe('CANCELLED');
      });

      it('terminates a workflow at once with the reason', async () => {
        const handle = await executor.startWorkflow(ForeverWorkflow, undefined, { workflowId: id('terminate') });
        await executor.terminateWorkflow(handle.workflowId, 'operator stop');
        const error = await failureOf(handle.result());
        expect(WorkflowFailedError.is(error) && error.status).toBe('TERMINATED');
        expect((error as Error).message).toContain('operator stop');
      });
    });

    describe('task retries', () => {
      it('retries a failing task until it succeeds, counting attempts', async () => {
        const key = id('flaky');
        const result = await executor.executeWorkflow(RetryWorkflow, {
          key,
          task: 'flaky',
          succeedOn: 3,
          policy: { maximumAttempts: 5, initialInterval: 10 },
        });
        expect(result.value).toEqual({ value: 3 });
        expect(probe.entry(key).attempts).toBe(3);
      });

      it('waits longer before each retry by the backoff coefficient', async () => {
        const key = id('backoff');
        const result = await executor.executeWorkflow(RetryWorkflow, {
          key,
          task: 'failing',
          errorName: 'FlakyNetwork',
          // Whole seconds: a real server keeps retry delays to seconds (decision 0013).
          policy: { maximumAttempts: 3, initialInterval: 1_000, backoffCoefficient: 2 },
        });
        expect(result.value?.failure).toMatchObject({ attempts: 3, type: 'FlakyNetwork' });
        const times = probe.entry(key).times;
        expect(times).toHaveLength(3);
        const gaps = times.slice(1).map((time, index) => time - (times[index] as number));
        expect(gaps[0]).toBeGreaterThanOrEqual(999);
        expect(gaps[1]).toBeGreaterThanOrEqual(1_999);
        expect(gaps[1] as number).toBeGreaterThan(gaps[0] as number);
      });

      it('stops at attempt 1 on a non-retryable WorkflowApplicationError', async () => {
        const key = id('non-retryable');
        const result = await executor.executeWorkflow(RetryWorkflow, { key, task: 'nonRetryable', policy: { maximumAttempts: 5, initialInterval: 10 } });
        expect(result.value?.failure).toEqual({ attempts: 1, type: 'ValidationError', message: 'the input is invalid' });
        expect(probe.entry(key).attempts).toBe(1);
      });

      it('stops at attempt 1 on an error type listed as non-retryable in the policy', async () => {
        const key = id('non-retryable-type');
        const result = await executor.executeWorkflow(RetryWorkflow, {
          key,
          task: 'failing',
          errorName: 'ValidationError',
          policy: { maximumAttempts: 5, initialInterval: 10, nonRetryableErrorTypes: ['ValidationError'] },
        });
        expect(result.value?.failure).toMatchObject({ attempts: 1, type: 'ValidationError' });
      });

      it('fails an attempt that exceeds startToCloseTimeout and retries it', async () => {
        const key = id('attempt-timeout');
        const result = await executor.executeWorkflow(RetryWorkflow, {
          key,
          task: 'hanging',
          startToCloseTimeout: 100,
          policy: { maximumAttempts: 2, initialInterval: 10 },
        });
        expect(result.value?.failure).toMatchObject({ attempts: 2, type: 'Timeout:start_to_close' });
        expect(probe.entry(key).attempts).toBe(2);
        // Each attempt's signal aborted when its timeout passed, without heartbeats.
        expect(probe.entry(key).events).toEqual(['aborted:start_to_close', 'aborted:start_to_close']);
      });

      it('fails a task whose scheduleToCloseTimeout passes during an attempt, without retrying', async () => {
        const key = id('schedule-to-close');
        const result = await executor.executeWorkflow(RetryWorkflow, {
          key,
          task: 'slow',
          milliseconds: 3_000,
          scheduleToCloseTimeout: 1_000,
          policy: { maximumAttempts: 5, initialInterval: 10 },
        });
        expect(result.value?.failure).toMatchObject({ attempts: 1, type: 'Timeout:schedule_to_close' });
      });

      it('routes a @workflowTask method through the engine with its retry policy', async () => {
        const key = id('task-method');
        const result = await executor.executeWorkflow(TaskMethodWorkflow, { key, text: 'hi' });
        expect(result.value).toBe('HI!');
        expect(probe.entry(key).attempts).toBe(2);
      });
    });

    describe('retry policy chosen from config', () => {
      const cases = [
        ['an exact task name', 'exact', 2],
        ['a dotted suffix', 'suffix', 3],
        ['the longest matching prefix*', 'prefix', 4],
        ['the * wildcard', 'wildcard', 5],
        ['a config entry over the task’s own policy', 'configBeatsTask', 5],
      ] as const;
      for (const [rule, task, attempts] of cases) {
        it(`matches ${rule}`, async () => {
          const key = id(task);
          const result = await executor.executeWorkflow(RetryWorkflow, { key, task });
          expect(result.value?.failure?.attempts).toBe(attempts);
          expect(probe.entry(key).attempts).toBe(attempts);
        });
      }
    });

    describe('composition', () => {
      it('runs child workflows and composes their results', async () => {
        const result = await executor.executeWorkflow(PipelineWorkflow, { start: 3, steps: 3 }, { workflowId: id('pipeline') });
        expect(result.value?.values).toEqual([6, 12, 24]);
        const child = await executor.describeWorkflow(result.value?.childIds[0] ?? '');
        expect(child.status).toBe('COMPLETED');
        expect(child.workflowName).toBe('DoublerWorkflow');
        expect(child.parentWorkflowId).toContain('pipeline');
      });

      it('raises a child failure in the parent as ChildWorkflowFailedError', async () => {
        const result = await executor.executeWorkflow(PipelineWorkflow, { start: 1, steps: 3, failAt: 1 });
        expect(result.value?.values).toEqual([2]);
        expect(result.value?.failure).toContain('cannot double -1');
      });

      it('runs tasks in parallel and keeps their order', async () => {
        const key = id('parallel');
        const result = await executor.executeWorkflow(ParallelWorkflow, { key, count: 3, milliseconds: 300 });
        expect(result.value).toEqual(['item-0', 'item-1', 'item-2']);
        expect(probe.maxInFlight).toBeGreaterThan(1);
      });

      it('bounds concurrent tasks by max_concurrent_activities', async () => {
        const key = id('bounded');
        const result = await executor.executeWorkflow(ParallelWorkflow, { key, count: 8, milliseconds: 200 });
        expect(result.value).toHaveLength(8);
        expect(probe.maxInFlight).toBeGreaterThan(1);
        expect(probe.maxInFlight).toBeLessThanOrEqual(4);
      });

      it('runs saga compensations in reverse order after a failure', async () => {
        const key = id('saga');
        const result = await executor.executeWorkflow(SagaWorkflow, { key, failAt: 'shipping' });
        expect(result.value).toBe('compensated');
        expect(result.error).toContain('Order failed');
        expect(probe.entry(key).events).toEqual(['reserve inventory', 'charge payment', 'refund payment', 'release inventory']);
      });

      it('completes a saga with no failure without compensating', async () => {
        const key = id('saga-ok');
        const result = await executor.executeWorkflow(SagaWorkflow, { key, failAt: 'none' });
        expect(result.value).toBe('order complete');
        expect(probe.entry(key).events).toEqual(['reserve inventory', 'charge payment', 'ship order']);
      });

      it('continues as new, carrying state, and the first handle follows to the last run', async () => {
        const workflowId = id('counter');
        const handle = await executor.startWorkflow(CounterWorkflow, { target: 4, total: 0, runs: 0, runIds: [] }, { workflowId });
        const result = await handle.result();
        expect(result.value?.total).toBe(4);
        expect(result.value?.runs).toBe(4);
        expect(new Set(result.value?.runIds).size).toBe(4);
        expect(result.value?.runIds[0]).toBe(handle.runId);
        expect((await executor.describeWorkflow(workflowId, handle.runId)).status).toBe('CONTINUED_AS_NEW');
        const last = await executor.describeWorkflow(workflowId);
        expect(last.status).toBe('COMPLETED');
        expect(last.runId).toBe(result.value?.runIds[3]);
        expect(last.continuedFromRunId).toBe(result.value?.runIds[2]);
      });

      it('lets a run that catches its own continueAsNew complete with what it returns', async () => {
        const handle = await executor.startWorkflow(CaughtContinueAsNewWorkflow, undefined, { workflowId: id('caught-can') });
        expect((await handle.result()).value).toBe('caught and completed');
        const description = await handle.describe();
        expect(description.status).toBe('COMPLETED');
        expect(description.runId).toBe(handle.runId);
      });

      it('takes the patched branch and the newest version in a new run', async () => {
        expect((await executor.executeWorkflow(VersionedWorkflow)).value).toEqual({ patched: true, version: 3 });
      });
    });

    describe('workflow ids', () => {
      const finish = async (handle: WorkflowHandle<unknown>): Promise<void> => {
        await handle.signal('approve', 'ok');
        await handle.result();
      };

      it('rejects starting an id that is running, whatever the policy', async () => {
        const workflowId = id('running');
        const handle = await executor.startWorkflow(ApprovalWorkflow, 'doc', { workflowId });
        const error = await failureOf(executor.startWorkflow(ApprovalWorkflow, 'doc', { workflowId, idReusePolicy: 'allow_duplicate' }));
        expect(WorkflowAlreadyStartedError.is(error)).toBe(true);
        expect((error as Error).message).toContain('already running');
        await finish(handle);
      });

      it('allows a new run of a closed id by default, with a new run id', async () => {
        const workflowId = id('reuse');
        const first = await executor.startWorkflow(QuickstartWorkflow, 'a', { workflowId });
        await first.result();
        const second = await executor.startWorkflow(QuickstartWorkflow, 'b', { workflowId });
        expect(second.runId).not.toBe(first.runId);
        expect((await second.result()).value).toBe('Processed: b');
      });

      it('reject_duplicate refuses any reuse of the id', async () => {
        const workflowId = id('reject-duplicate');
        await executor.executeWorkflow(QuickstartWorkflow, 'a', { workflowId });
        const error = await failureOf(executor.startWorkflow(QuickstartWorkflow, 'b', { workflowId, idReusePolicy: 'reject_duplicate' }));
        expect(WorkflowAlreadyStartedError.is(error)).toBe(true);
        expect((error as Error).message).toContain('reject_duplicate');
      });

      it('allow_duplicate_failed_only allows reuse after a failure only', async () => {
        const completedId = id('failed-only-completed');
        await executor.executeWorkflow(QuickstartWorkflow, 'a', { workflowId: completedId });
        const refused = await failureOf(executor.startWorkflow(QuickstartWorkflow, 'b', { workflowId: completedId, idReusePolicy: 'allow_duplicate_failed_only' }));
        expect(WorkflowAlreadyStartedError.is(refused)).toBe(true);

        const failedId = id('failed-only-failed');
        await failureOf(executor.executeWorkflow(FailingWorkflow, 'boom', { workflowId: failedId }));
        const again = await executor.startWorkflow(QuickstartWorkflow, 'retry', { workflowId: failedId, idReusePolicy: 'allow_duplicate_failed_only' });
        expect((await again.result()).value).toBe('Processed: retry');
      });

      it('terminate_if_running ends the running workflow and starts the new one', async () => {
        const workflowId = id('terminate-if-running');
        const first = await executor.startWorkflow(ForeverWorkflow, undefined, { workflowId });
        const second = await executor.startWorkflow(QuickstartWorkflow, 'fresh', { workflowId, idReusePolicy: 'terminate_if_running' });
        const error = await failureOf(first.result());
        expect(WorkflowFailedError.is(error) && error.status).toBe('TERMINATED');
        expect((await second.result()).value).toBe('Processed: fresh');
      });
    });

    describe('agents', () => {
      it('lists an agent’s MCP tools and calls them from workflow code, a tool’s failure as a result', async () => {
        const result = await executor.executeWorkflow(AgentWorkflow, 'over MCP');
        expect(result.value).toEqual({
          tools: ['test_echo', 'test_fail'],
          echo: 'over MCP',
          failure: { isError: true, text: 'the tool broke' },
        });
      });
    });

    describe('visibility', () => {
      it('describes a workflow with its name, status, times and memo', async () => {
        const workflowId = id('describe');
        const handle = await executor.startWorkflow(ApprovalWorkflow, 'doc', { workflowId, memo: { team: 'legal' } });
        const running = await executor.describeWorkflow(workflowId);
        expect(running).toMatchObject({ workflowId, runId: handle.runId, workflowName: 'ApprovalWorkflow', status: 'RUNNING', memo: { team: 'legal' } });
        expect(running.closeTime).toBeUndefined();
        await handle.signal('approve', 'ok');
        await handle.result();
        const closed = await handle.describe();
        expect(closed.status).toBe('COMPLETED');
        expect(closed.closeTime).toBeInstanceOf(Date);
        expect((closed.closeTime as Date).getTime()).toBeGreaterThanOrEqual(closed.startTime.getTime());
      });

      it('lists workflows filtered by name and status', async () => {
        const runningId = id('list-running');
        const running = await executor.startWorkflow(ApprovalWorkflow, 'doc', { workflowId: runningId });
        const doneId = id('list-done');
        await executor.executeWorkflow(QuickstartWorkflow, 'x', { workflowId: doneId });
        await eventually(async () => {
          const approvals = await executor.listWorkflows({ workflowName: 'ApprovalWorkflow', status: 'RUNNING' });
          expect(approvals.map((description) => description.workflowId)).toContain(runningId);
          expect(approvals.every((description) => description.workflowName === 'ApprovalWorkflow' && description.status === 'RUNNING')).toBe(true);
          const completed = await executor.listWorkflows({ workflowName: 'QuickstartWorkflow', status: 'COMPLETED' });
          expect(completed.map((description) => description.workflowId)).toContain(doneId);
        });
        await running.terminate();
      });

      it('reports an unknown workflow id as not found', async () => {
        const error = await failureOf(executor.describeWorkflow(id('nobody')));
        expect(WorkflowNotFoundError.is(error)).toBe(true);
      });
    });
  });
}
