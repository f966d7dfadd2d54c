/**
 * The workflows and tasks the conformance suite runs on every engine. They live in one module
 * with one app so that an engine that bundles workflow code (Temporal) can load them as they are.
 */
import {
  CancelledError,
  ChildWorkflowFailedError,
  Agent,
  MCPApp,
  TaskFailedError,
  taskContext,
  TimeoutError,
  Workflow,
  WorkflowApplicationError,
  messageOf,
  WorkflowResult,
} from '@mcp-agent/core';

/** The app every conformance workflow and task is registered on. */
export const conformanceApp = new MCPApp({ name: 'conformance' });
const app = conformanceApp;

// --- what tasks record, for the suite to check -------------------------------------------------

interface ProbeEntry {
  attempts: number;
  times: number[];
  events: string[];
}

/** What tasks did, by the key each test passes them. Tasks run in the test's process on every engine. */
export const probe = {
  entries: new Map<string, ProbeEntry>(),
  inFlight: 0,
  maxInFlight: 0,
  /** The engine's clock, set by the suite so that backoff is measured in the engine's time. */
  now: (): number => Date.now(),
  entry(key: string): ProbeEntry {
    let entry = this.entries.get(key);
    if (entry === undefined) {
      entry = { attempts: 0, times: [], events: [] };
      this.entries.set(key, entry);
    }
    return entry;
  },
  reset(): void {
    this.entries.clear();
    this.inFlight = 0;
    this.maxInFlight = 0;
  },
};

function recordAttempt(key: string): number {
  const entry = probe.entry(key);
  entry.attempts += 1;
  entry.times.push(probe.now());
  return entry.attempts;
}

// --- tasks --------------------------------------------------------------------------------------

/** Echoes its input with a prefix. */
export const processTask = app.workflowTask(async (text: string): Promise<string> => `Processed: ${text}`, { name: 'conformance.process' });

/** Fails until attempt `succeedOn`, then returns the attempt number. */
export const flakyTask = app.workflowTask(
  async function flaky(key: string, succeedOn: number): Promise<number> {
    const attempt = recordAttempt(key);
    if (attempt < succeedOn) throw new Error(`flaky failure on attempt ${attempt}`);
    return attempt;
  },
  { name: 'conformance.flaky' },
);

/** Always fails with an error of the given name. */
export const failingTask = app.workflowTask(
  async function failing(key: string, errorName: string): Promise<never> {
    const attempt = recordAttempt(key);
    const error = new Error(`failing on attempt ${attempt}`);
    error.name = errorName;
    throw error;
  },
  { name: 'conformance.failing' },
);

/** Always fails with a non-retryable application error. */
export const nonRetryableTask = app.workflowTask(
  async function nonRetryable(key: string): Promise<never> {
    recordAttempt(key);
    throw WorkflowApplicationError.nonRetryable('the input is invalid', 'ValidationError', { field: 'amount' });
  },
  { name: 'conformance.nonRetryable' },
);

/** One always-failing task per retry matching rule, named to hit that rule in CONFORMANCE_SETTINGS. */
const failAlways = async (key: string): Promise<never> => {
  const attempt = recordAttempt(key);
  throw new Error(`attempt ${attempt} failed`);
};
export const exactRuleTask = app.workflowTask(failAlways, { name: 'conformance.retry.exact' });
export const suffixRuleTask = app.workflowTask(failAlways, { name: 'conformance.retry.suffix' });
export const prefixRuleTask = app.workflowTask(failAlways, { name: 'conformance.retry.prefix.longest' });
export const wildcardRuleTask = app.workflowTask(failAlways, { name: 'conformance.retry.other' });
/** Its own policy says 9 attempts; the config's `*` entry (5) overrides it. */
export const configBeatsTaskTask = app.workflowTask(failAlways, {
  name: 'conformance.configBeatsTask',
  retryPolicy: { maximumAttempts: 9, initialInterval: 10 },
});

/** Takes a while, counting how many run at once. */
export const slowTask = app.workflowTask(
  async function slow(key: string, milliseconds: number, value: string): Promise<string> {
    probe.inFlight += 1;
    probe.maxInFlight = Math.max(probe.maxInFlight, probe.inFlight);
    probe.entry(key).events.push(`start:${value}`);
    try {
      await new Promise((resolve) => setTimeout(resolve, milliseconds));
      return value;
    } finally {
      probe.inFlight -= 1;
      probe.entry(key).events.push(`end:${value}`);
    }
  },
  { name: 'conformance.slow' },
);

/** Hangs until its attempt is aborted (by a timeout), as a well-behaved task does; records attempts. */
export const hangingTask = app.workflowTask(
  async function hanging(key: string): Promise<string> {
    recordAttempt(key);
    const { signal } = taskContext();
    await new Promise((_resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('hanging task was never aborted')), 60_000);
      signal.addEventListener('abort', () => {
        clearTimeout(timer);
        probe.entry(key).events.push(`aborted:${TimeoutError.is(signal.reason) ? signal.reason.timeoutType : messageOf(signal.reason)}`);
        reject(signal.reason);
      });
    });
    return 'finished';
  },
  { name: 'conformance.hanging' },
);

/** Appends an event to the probe, for sagas and cleanups. */
export const recordTask = app.workflowTask(
  async function record(key: string, event: string): Promise<string> {
    probe.entry(key).events.push(event);
    return event;
  },
  { name: 'conformance.record' },
);

// --- workflows ----------------------------------------------------------------------------------

/** The Python quick start: returns "Processed: <input>". */
@app.workflow
export class QuickstartWorkflow extends Workflow<string> {
  @app.workflowRun
  async run(input: string): Promise<WorkflowResult<string>> {
    return new WorkflowResult({ value: `Processed: ${input}` });
  }
}

/** Returns its input unchanged, through a task and back. */
@app.workflow
export class EchoWorkflow extends Workflow<unknown> {
  @app.workflowRun
  async run(input: unknown): Promise<WorkflowResult<unknown>> {
    return new WorkflowResult({ value: input, metadata: { kind: typeof input } });
  }
}

/** Reports a problem in its WorkflowResult without a value (the run itself completes). */
@app.workflow
export class ErrorWithoutValueWorkflow extends Workflow<string> {
  @app.workflowRun
  async run(reason: string): Promise<WorkflowResult<string>> {
    return new WorkflowResult<string>({ error: `rejected: ${reason}`, metadata: { reason } });
  }
}

/** Returns a bare value instead of a WorkflowResult. */
@app.workflow
export class PlainValueWorkflow extends Workflow<number> {
  @app.workflowRun
  async run(input: number): Promise<number> {
    return input * 2;
  }
}

/** Calls a task and returns its value. */
@app.workflow
export class TaskWorkflow extends Workflow<string> {
  @app.workflowRun
  async run(input: string): Promise<WorkflowResult<string>> {
    return new WorkflowResult({ value: await processTask(input) });
  }
}

/** Throws from run. */
@app.workflow
export class FailingWorkflow extends Workflow<never> {
  @app.workflowRun
  async run(message: string): Promise<WorkflowResult<never>> {
    await this.sleep(10);
    throw new WorkflowApplicationError(message, { type: 'BrokenWorkflow', nonRetryable: true });
  }
}

/** Reports a failure in its result instead of throwing. */
@app.workflow
export class ReportedErrorWorkflow extends Workflow<null> {
  @app.workflowRun
  async run(reason: string): Promise<WorkflowResult<null>> {
    return new WorkflowResult({ value: null, error: `Document rejected: ${reason}` });
  }
}

type Approval = { status: 'pending' | 'approved' | 'rejected'; comments: string };

/** Waits (without limit) for approve or reject; answers getStatus meanwhile. */
@app.workflow
export class ApprovalWorkflow extends Workflow<Approval> {
  private status: Approval['status'] = 'pending';
  private comments = '';
  private limit = 100;
  private waiting = 0;

  @app.workflowSignal
  approve(comments: string): void {
    this.status = 'approved';
    this.comments = comments;
  }

  @app.workflowSignal
  reject(reason: string): void {
    this.status = 'rejected';
    this.comments = reason;
  }

  @app.workflowQuery
  getStatus(): Approval {
    return { status: this.status, comments: this.comments };
  }

  @app.workflowQuery
  describeWith(prefix: string): string {
    return `${prefix}:${this.status}`;
  }

  @app.workflowQuery
  getLimit(): number {
    return this.limit;
  }

  /** How many `awaitDecision` updates are waiting now. */
  @app.workflowQuery
  waitingForDecision(): number {
    return this.waiting;
  }

  /** An update that waits for the decision before it returns. */
  @app.workflowUpdate
  async awaitDecision(): Promise<Approval['status']> {
    this.waiting += 1;
    await this.condition(() => this.status !== 'pending');
    this.waiting -= 1;
    return this.status;
  }

  @app.workflowUpdate({
    validator(amount: number) {
      if (typeof amount !== 'number' || amount <= 0) throw new Error(`limit must be a positive number, got ${String(amount)}`);
    },
  })
  async setLimit(amount: number): Promise<number> {
    const previous = this.limit;
    this.limit = amount;
    return previous;
  }

  @app.workflowRun
  async run(document: string): Promise<WorkflowResult<Approval>> {
    await this.condition(() => this.status !== 'pending');
    if (this.status === 'rejected') {
      return new WorkflowResult({ value: this.getStatus(), error: `${document} rejected: ${this.comments}` });
    }
    return new WorkflowResult({ value: this.getStatus() });
  }
}

/** Sleeps first, then waits for the `go` signal with waitForSignal: an early signal must be buffered. */
@app.workflow({ signals: ['go'] })
export class SignalBufferWorkflow extends Workflow<string[]> {
  private stage = 'sleeping';

  @app.workflowQuery
  getStage(): string {
    return this.stage;
  }

  @app.workflowRun
  async run(delay: number): Promise<WorkflowResult<string[]>> {
    await this.sleep(delay);
    this.stage = 'waiting';
    const first = await this.waitForSignal<string>('go');
    const second = await this.waitForSignal<string>('go');
    return new WorkflowResult({ value: [first, second] });
  }
}

/** The Python signal-bus pattern: waits for "approve" addressed to its own id and run id. */
@app.workflow({ signals: ['approve'] })
export class SignalBusWorkflow extends Workflow<string> {
  @app.workflowRun
  async run(): Promise<WorkflowResult<string>> {
    const comment = await this.waitForSignal<string>('approve');
    return new WorkflowResult({ value: `approved ${this.id}/${this.runId}: ${comment}` });
  }
}

/** condition with a timeout: true when the flag comes in time, false when it doesn't. */
@app.workflow
export class ConditionTimeoutWorkflow extends Workflow<boolean> {
  private flag = false;

  @app.workflowSignal
  setFlag(): void {
    this.flag = true;
  }

  @app.workflowRun
  async run(timeout: number): Promise<WorkflowResult<boolean>> {
    const met = await this.condition(() => this.flag, timeout);
    return new WorkflowResult({ value: met });
  }
}

/** Sleeps and reports workflow time before and after. */
@app.workflow
export class SleepWorkflow extends Workflow<{ before: number; after: number; untilReached: boolean }> {
  @app.workflowRun
  async run(milliseconds: number): Promise<WorkflowResult<{ before: number; after: number; untilReached: boolean }>> {
    const before = this.now().getTime();
    await this.sleep(milliseconds);
    const after = this.now().getTime();
    const target = after + milliseconds;
    await this.sleepUntil(new Date(target));
    return new WorkflowResult({ value: { before, after, untilReached: this.now().getTime() >= target } });
  }
}

/** Sleeps far longer than any test waits: for timeouts, cancellation and termination. */
@app.workflow
export class ForeverWorkflow extends Workflow<never> {
  @app.workflowQuery
  alive(): boolean {
    return true;
  }

  @app.workflowRun
  async run(): Promise<WorkflowResult<never>> {
    await this.sleep('365 days');
    throw new Error('unreachable: the sleep outlives every test');
  }
}

/** Sees its cancellation, cleans up with a task that cancellation can't interrupt, and reports it. */
@app.workflow
export class CancellableWorkflow extends Workflow<string> {
  private stage = 'waiting';

  @app.workflowQuery
  getStage(): string {
    return this.stage;
  }

  @app.workflowRun
  async run(key: string): Promise<WorkflowResult<string>> {
    try {
      await this.sleep('30 days');
      return new WorkflowResult({ value: 'slept' });
    } catch (error) {
      if (!CancelledError.is(error)) throw error;
      this.stage = 'cleaning up';
      await this.nonCancellable(() => recordTask(key, 'cleanup after cancel'));
      return new WorkflowResult({ value: 'cleaned up', error: 'Workflow was cancelled' });
    }
  }
}

/** Calls a task with the retry policy given as input, and reports attempts or the failure. */
@app.workflow
export class RetryWorkflow extends Workflow<{ value?: number; failure?: { attempts: number; type: string; message: string } }> {
  @app.workflowRun
  async run(input: {
    key: string;
    task: 'flaky' | 'failing' | 'nonRetryable' | 'exact' | 'suffix' | 'prefix' | 'wildcard' | 'configBeatsTask' | 'hanging' | 'slow';
    succeedOn?: number;
    errorName?: string;
    policy?: { maximumAttempts?: number; initialInterval?: number; backoffCoefficient?: number; nonRetryableErrorTypes?: string[] };
    startToCloseTimeout?: number;
    scheduleToCloseTimeout?: number;
    /** How long the `slow` task takes; default 400 ms. */
    milliseconds?: number;
  }): Promise<WorkflowResult<{ value?: number; failure?: { attempts: number; type: string; message: string } }>> {
    const options = {
      ...(input.policy === undefined ? {} : { retryPolicy: input.policy }),
      ...(input.startToCloseTimeout === undefined ? {} : { startToCloseTimeout: input.startToCloseTimeout }),
      ...(input.scheduleToCloseTimeout === undefined ? {} : { scheduleToCloseTimeout: input.scheduleToCloseTimeout }),
    };
    try {
      let value: number | string;
      switch (input.task) {
        case 'flaky':
          value = await this.executeTask(flakyTask, [input.key, input.succeedOn ?? 1], options);
          break;
        case 'failing':
          value = await this.executeTask(failingTask, [input.key, input.errorName ?? 'Error'], options);
          break;
        case 'nonRetryable':
          value = await this.executeTask(nonRetryableTask, [input.key], options);
          break;
        case 'exact':
          value = await exactRuleTask(input.key);
          break;
        case 'suffix':
          value = await suffixRuleTask(input.key);
          break;
        case 'prefix':
          value = await prefixRuleTask(input.key);
          break;
        case 'wildcard':
          value = await wildcardRuleTask(input.key);
          break;
        case 'configBeatsTask':
          value = await configBeatsTaskTask(input.key);
          break;
        case 'hanging':
          value = await this.executeTask(hangingTask, [input.key], options);
          break;
        case 'slow':
          value = await this.executeTask(slowTask, [input.key, input.milliseconds ?? 400, 'late'], options);
          break;
      }
      return new WorkflowResult({ value: { value: typeof value === 'number' ? value : -1 } });
    } catch (error) {
      if (!TaskFailedError.is(error)) throw error;
      const cause = error.cause;
      return new WorkflowResult({
        value: {
          failure: {
            attempts: error.attempts,
            type: WorkflowApplicationError.is(cause) ? cause.type : TimeoutError.is(cause) ? `Timeout:${cause.timeoutType}` : 'unknown',
            message: cause instanceof Error ? cause.message : String(cause),
          },
        },
      });
    }
  }
}

/** A task declared as a method of the workflow. */
@app.workflow
export class TaskMethodWorkflow extends Workflow<string> {
  @app.workflowTask({ name: 'conformance.shout', retryPolicy: { maximumAttempts: 3, initialInterval: 10 } })
  async shout(key: string, text: string): Promise<string> {
    const attempt = recordAttempt(key);
    if (attempt === 1) throw new Error('first attempt fails');
    return `${text.toUpperCase()}!`;
  }

  @app.workflowRun
  async run(input: { key: string; text: string }): Promise<WorkflowResult<string>> {
    return new WorkflowResult({ value: await this.shout(input.key, input.text) });
  }
}

/** Runs tasks at once and returns their results in order. */
@app.workflow
export class ParallelWorkflow extends Workflow<string[]> {
  @app.workflowRun
  async run(input: { key: string; count: number; milliseconds: number }): Promise<WorkflowResult<string[]>> {
    const values = await Promise.all(Array.from({ length: input.count }, (_, index) => slowTask(input.key, input.milliseconds, `item-${index}`)));
    return new WorkflowResult({ value: values });
  }
}

/** A child for composition: doubles a number, or fails on a negative one. */
@app.workflow
export class DoublerWorkflow extends Workflow<number> {
  @app.workflowRun
  async run(value: number): Promise<WorkflowResult<number>> {
    if (value < 0) throw new WorkflowApplicationError(`cannot double ${value}`, { type: 'NegativeInput', nonRetryable: true });
    return new WorkflowResult({ value: value * 2 });
  }
}

/** Composes children: each doubles the previous value; reports a child's failure. */
@app.workflow
export class PipelineWorkflow extends Workflow<{ values: number[]; failure?: string; childIds: string[] }> {
  @app.workflowRun
  async run(input: { start: number; steps: number; failAt?: number }): Promise<WorkflowResult<{ values: number[]; failure?: string; childIds: string[] }>> {
    const values: number[] = [];
    const childIds: string[] = [];
    let current = input.start;
    try {
      for (let step = 0; step < input.steps; step += 1) {
        const child = await this.startChild(DoublerWorkflow, step === input.failAt ? -1 : current);
        childIds.push(child.workflowId);
        const result = await child.result();
        current = result.value ?? 0;
        values.push(current);
      }
    } catch (error) {
      if (!ChildWorkflowFailedError.is(error)) throw error;
      return new WorkflowResult({ value: { values, failure: error.message, childIds } });
    }
    return new WorkflowResult({ value: { values, childIds } });
  }
}

/** An order saga: on a failing step, compensations run in reverse order. */
@app.workflow
export class SagaWorkflow extends Workflow<string> {
  @app.workflowRun
  async run(input: { key: string; failAt: 'payment' | 'shipping' | 'none' }): Promise<WorkflowResult<string>> {
    const compensations: Array<() => Promise<unknown>> = [];
    try {
      await recordTask(input.key, 'reserve inventory');
      compensations.push(() => recordTask(input.key, 'release inventory'));
      if (input.failAt === 'payment') await this.executeTask(nonRetryableTask, [`${input.key}-payment`]);
      await recordTask(input.key, 'charge payment');
      compensations.push(() => recordTask(input.key, 'refund payment'));
      if (input.failAt === 'shipping') await this.executeTask(nonRetryableTask, [`${input.key}-shipping`]);
      await recordTask(input.key, 'ship order');
      return new WorkflowResult({ value: 'order complete' });
    } catch (error) {
      for (const compensate of compensations.reverse()) await compensate();
      return new WorkflowResult({ value: 'compensated', error: `Order failed: ${error instanceof Error ? error.message : String(error)}. Compensations executed.` });
    }
  }
}

/** Counts to a target across runs with continueAsNew, carrying its state in the input; each run sleeps `sleep` ms. */
@app.workflow
export class CounterWorkflow extends Workflow<{ total: number; runs: number; runIds: string[] }> {
  @app.workflowRun
  async run(state: { target: number; total: number; runs: number; runIds: string[]; sleep?: number }): Promise<WorkflowResult<{ total: number; runs: number; runIds: string[] }>> {
    const next = { ...state, total: state.total + 1, runs: state.runs + 1, runIds: [...state.runIds, this.runId] };
    await this.sleep(state.sleep ?? 1);
    if (next.total < state.target) {
      return this.continueAsNew(next);
    }
    return new WorkflowResult({ value: { total: next.total, runs: next.runs, runIds: next.runIds } });
  }
}

/** Takes the patched code path and the newest version. */
@app.workflow
export class VersionedWorkflow extends Workflow<{ patched: boolean; version: number }> {
  @app.workflowRun
  async run(): Promise<WorkflowResult<{ patched: boolean; version: number }>> {
    const patched = this.patched('use-new-pricing');
    const version = this.getVersion('processing-logic', 1, 3);
    return new WorkflowResult({ value: { patched, version } });
  }
}

/** Reports the deterministic helpers' values. */
@app.workflow
export class HelpersWorkflow extends Workflow<{ uuid: string; random: number; now: number; workflowId: string; runId: string; memo: unknown }> {
  @app.workflowRun
  async run(): Promise<WorkflowResult<{ uuid: string; random: number; now: number; workflowId: string; runId: string; memo: unknown }>> {
    return new WorkflowResult({
      value: { uuid: this.uuid(), random: this.random(), now: this.now().getTime(), workflowId: this.id, runId: this.runId, memo: this.info.memo },
    });
  }
}

/** Throws a plain Error (not a WorkflowApplicationError): the workflow fails, on every engine. */
@app.workflow
export class PlainErrorWorkflow extends Workflow<never> {
  @app.workflowRun
  async run(message: string): Promise<WorkflowResult<never>> {
    await this.sleep(1);
    throw new RangeError(message);
  }
}

/** Conditions that become true by the workflow's own code: in the same step, and in a chain. */
@app.workflow
export class ConditionChainWorkflow extends Workflow<{ sameStep: boolean; chained: boolean }> {
  private flag = false;
  private a = false;
  private b = false;
  private c = false;

  @app.workflowRun
  async run(timeout: number): Promise<WorkflowResult<{ sameStep: boolean; chained: boolean }>> {
    const waiting = this.condition(() => this.flag, timeout);
    this.flag = true;
    const sameStep = await waiting;
    void (async () => {
      await this.sleep(10);
      this.a = true;
    })();
    void (async () => {
      await this.condition(() => this.a);
      this.b = true;
    })();
    void (async () => {
      await this.condition(() => this.b);
      this.c = true;
    })();
    const chained = await this.condition(() => this.c, timeout);
    return new WorkflowResult({ value: { sameStep, chained } });
  }
}

/** Catches its own continueAsNew: the run then goes on and completes with what it returns. */
@app.workflow
export class CaughtContinueAsNewWorkflow extends Workflow<string> {
  @app.workflowRun
  async run(): Promise<WorkflowResult<string>> {
    try {
      await this.continueAsNew('again');
    } catch {
      return new WorkflowResult({ value: 'caught and completed' });
    }
    return new WorkflowResult({ value: 'unreachable' });
  }
}

/** Starts a ForeverWorkflow child and waits for it; cancelling this parent cancels the child. */
@app.workflow
export class ParentOfForeverWorkflow extends Workflow<never> {
  private childId = '';

  @app.workflowQuery
  getChildId(): string {
    return this.childId;
  }

  @app.workflowRun
  async run(): Promise<WorkflowResult<never>> {
    const child = await this.startChild(ForeverWorkflow);
    this.childId = child.workflowId;
    await child.result();
    throw new Error('unreachable: the child never completes');
  }
}

/** An agent over the in-repo MCP test server (configured as `test`), used from workflow code. */
@app.workflow
export class AgentWorkflow extends Workflow<{ tools: string[]; echo: unknown; failure: { isError: boolean; text: unknown } }> {
  @app.workflowRun
  async run(text: string): Promise<WorkflowResult<{ tools: string[]; echo: unknown; failure: { isError: boolean; text: unknown } }>> {
    const agent = new Agent({ name: 'tester', instruction: 'Test the tools.', serverNames: ['test'], allowedTools: ['test_echo', 'fail'] });
    await agent.initialize();
    const tools = (await agent.listTools()).map((tool) => tool.name).sort();
    const echo = await agent.callTool('test_echo', { text });
    const failure = await agent.callTool('fail', { message: 'the tool broke' });
    await agent.close();
    return new WorkflowResult({
      value: { tools, echo: echo.content[0]?.text, failure: { isError: failure.isError, text: failure.content[0]?.text } },
    });
  }
}

/** Starts its log in run; a signal sent right after the start must find the run begun. */
@app.workflow
export class EarlySignalWorkflow extends Workflow<string[]> {
  private log: string[] = [];

  @app.workflowSignal
  note(text: string): void {
    this.log.push(`noted: ${text}`);
  }

  @app.workflowRun
  async run(): Promise<WorkflowResult<string[]>> {
    this.log = ['run started'];
    await this.condition(() => this.log.length > 1);
    return new WorkflowResult({ value: this.log });
  }
}

/** Two waits for one signal name: one signal wakes one of them; the other times out. */
@app.workflow({ signals: ['go'] })
export class TwoWaitersWorkflow extends Workflow<string[]> {
  @app.workflowRun
  async run(timeout: number): Promise<WorkflowResult<string[]>> {
    const first = this.waitForSignal<string>('go', { timeout });
    const second = this.waitForSignal<string>('go', { timeout });
    const outcome = async (wait: Promise<string>): Promise<string> => wait.catch((error: unknown) => (TimeoutError.is(error) ? 'timed out' : 'failed'));
    const values = await Promise.all([outcome(first), outcome(second)]);
    return new WorkflowResult({ value: values.sort() });
  }
}
