const WORKFLOW_RESULT = Symbol.for('mcp-agent.workflow-result');

/** The fields of a {@link WorkflowResult}, as it crosses process boundaries (plain JSON). */
export interface WorkflowResultData<T> {
  /** What the workflow produced; undefined when it reports an error instead. */
  value?: T | undefined;
  /** A failure the workflow chose to report as its result rather than raise. */
  error?: string | undefined;
  /** Anything else the workflow wants to return, serialisable. */
  metadata?: Record<string, unknown> | undefined;
  /** When the run started, epoch milliseconds. Filled in by the engine when absent. */
  startTime?: number | undefined;
  /** When the run ended, epoch milliseconds. Filled in by the engine when absent. */
  endTime?: number | undefined;
}

/**
 * What a workflow's run method returns, as in the Python project.
 *
 * @example
 * ```ts
 * return new WorkflowResult({ value: `Processed: ${input}` });
 * return new WorkflowResult({ error: `Document rejected: ${reason}` });
 * ```
 */
export class WorkflowResult<T> implements WorkflowResultData<T> {
  value: T | undefined;
  error: string | undefined;
  metadata: Record<string, unknown>;
  startTime: number | undefined;
  endTime: number | undefined;

  constructor(data: WorkflowResultData<T> = {}) {
    this.value = data.value;
    this.error = data.error;
    this.metadata = data.metadata ?? {};
    this.startTime = data.startTime;
    this.endTime = data.endTime;
    Object.defineProperty(this, WORKFLOW_RESULT, { value: true });
  }

  /** True for results made by any copy of this module. */
  static is(value: unknown): value is WorkflowResult<unknown> {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[WORKFLOW_RESULT] === true;
  }

  /**
   * Makes a result from what a run method returned: a WorkflowResult is kept, anything else
   * (a plain object included) becomes `value`. To rebuild a result that arrived as JSON, use
   * {@link WorkflowResult.fromJSON}.
   */
  static from<T>(returned: unknown): WorkflowResult<T> {
    if (WorkflowResult.is(returned)) return returned as WorkflowResult<T>;
    return new WorkflowResult<T>({ value: returned as T });
  }

  /** Rebuilds a result that was serialised to JSON. */
  static fromJSON<T>(data: WorkflowResultData<T>): WorkflowResult<T> {
    return new WorkflowResult<T>(data);
  }

  toJSON(): WorkflowResultData<T> {
    return { value: this.value, error: this.error, metadata: this.metadata, startTime: this.startTime, endTime: this.endTime };
  }
}
