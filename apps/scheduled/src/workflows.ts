/**
 * Scheduled work: one long-lived workflow sleeps until the next scheduled time, runs the task,
 * and after a few runs continues as new, carrying its state, so that its history stays small
 * however long the schedule runs. Every time it uses is workflow time (`this.now()`,
 * `this.sleepUntil`): under Temporal the sleep is a durable timer that survives worker restarts.
 */
import { MCPApp, Workflow, WorkflowApplicationError, WorkflowResult } from '@mcp-agent/core';
import { describeSchedule, nextRunTime, validateSchedule, type Schedule } from './schedule.js';

export type { Schedule } from './schedule.js';

export const app = new MCPApp({ name: 'scheduled' });

/** One scheduled run. */
export interface RunRecord {
  /** 1 for the schedule's first run, counted across the whole chain of workflow runs. */
  run: number;
  /** The workflow run of the chain that did it: 1 for the first, 2 after the first continueAsNew... */
  chainRun: number;
  /** The time it was scheduled for (ISO, UTC). */
  scheduledFor: string;
  /** When it ran, in workflow time (ISO): at or just after `scheduledFor`. */
  ranAt: string;
  /** What the scheduled task returned. */
  report: string;
}

/** State carried from one workflow run of the chain to the next by continueAsNew. */
export interface CarriedState {
  chainRun: number;
  runs: number;
  /** When the chain started, epoch milliseconds of workflow time. */
  startedAt: number;
  lastScheduledFor: number;
  /** The latest runs, at most `keepRecent` of them. */
  recent: RunRecord[];
}

/** The workflow's input: the schedule, and (on continued runs) the state carried over. */
export interface ScheduleInput {
  schedule: Schedule;
  /** Runs per workflow run before it continues as new; bounds the history. Default 10. */
  runsPerHistory?: number;
  /** End after this many runs in all; leave out to run until cancelled. */
  stopAfter?: number;
  /** How many of the latest runs the state keeps (and the result reports). Default 20. */
  keepRecent?: number;
  /** Set by the workflow itself when it continues as new. */
  carried?: CarriedState;
}

/** What the workflow reports when the schedule ends (`stopAfter`). */
export interface ScheduleSummary {
  schedule: string;
  /** When the chain started (ISO, workflow time). */
  startedAt: string;
  runs: number;
  /** How many workflow runs the chain took (continueAsNew made each after the first). */
  chainRuns: number;
  recent: RunRecord[];
}

/** Where the schedule is, for the `status` query. */
export interface ScheduleStatus {
  runs: number;
  chainRun: number;
  nextRunAt: string | undefined;
  lastRun: RunRecord | undefined;
}

/**
 * The scheduled task: compiles a report for its slot. A task may do I/O (query a database, call
 * an API, send an email); under Temporal it is an activity, retried by its policy, and its result
 * is recorded so a replay does not run it again.
 */
export const compileReport = app.workflowTask(
  async function compileReport(scheduledFor: string, run: number): Promise<string> {
    return `report #${run} for ${scheduledFor.slice(0, 19).replace('T', ' ')} UTC`;
  },
  { name: 'scheduled.compileReport' },
);

@app.workflow
export class ScheduledReportWorkflow extends Workflow<ScheduleSummary> {
  #status: ScheduleStatus = { runs: 0, chainRun: 1, nextRunAt: undefined, lastRun: undefined };

  @app.workflowQuery
  status(): ScheduleStatus {
    return this.#status;
  }

  @app.workflowRun
  async run(input: ScheduleInput): Promise<WorkflowResult<ScheduleSummary>> {
    validateSchedule(input?.schedule);
    const runsPerHistory = input.runsPerHistory ?? 10;
    const keepRecent = input.keepRecent ?? 20;
    if (!Number.isInteger(runsPerHistory) || runsPerHistory < 1) {
      throw WorkflowApplicationError.nonRetryable(`runsPerHistory: expected a whole number >= 1, got ${JSON.stringify(input.runsPerHistory)}`, 'InvalidSchedule');
    }
    const now = this.now().getTime();
    const state: CarriedState = input.carried ?? { chainRun: 1, runs: 0, startedAt: now, lastScheduledFor: now, recent: [] };
    const done = (): boolean => input.stopAfter !== undefined && state.runs >= input.stopAfter;
    this.#status = { runs: state.runs, chainRun: state.chainRun, nextRunAt: undefined, lastRun: state.recent.at(-1) };

    for (let runsHere = 0; runsHere < runsPerHistory && !done(); runsHere += 1) {
      // The next slot after both now and the last slot: a run that ended late never repeats a
      // slot, and a schedule resumed after an outage skips the slots it missed instead of
      // running them all at once.
      const next = nextRunTime(input.schedule, Math.max(this.now().getTime(), state.lastScheduledFor));
      this.#status = { ...this.#status, nextRunAt: new Date(next).toISOString() };
      await this.sleepUntil(next);
      const ranAt = this.now().toISOString();
      state.runs += 1;
      state.lastScheduledFor = next;
      const scheduledFor = new Date(next).toISOString();
      const report = await compileReport(scheduledFor, state.runs);
      const record: RunRecord = { run: state.runs, chainRun: state.chainRun, scheduledFor, ranAt, report };
      state.recent = [...state.recent, record].slice(-keepRecent);
      this.#status = { runs: state.runs, chainRun: state.chainRun, nextRunAt: undefined, lastRun: record };
    }

    if (done()) {
      return new WorkflowResult({
        value: {
          schedule: describeSchedule(input.schedule),
          startedAt: new Date(state.startedAt).toISOString(),
          runs: state.runs,
          chainRuns: state.chainRun,
          recent: state.recent,
        },
      });
    }
    // A fresh run with the same workflow id and an empty history, given the state to go on with.
    return this.continueAsNew({ ...input, carried: { ...state, chainRun: state.chainRun + 1 } } satisfies ScheduleInput);
  }
}
