/**
 * A long-running workflow: for `days` days, every hour, an agent checks a set of systems (one
 * model round trip) and an alert goes out when its reply says "critical". Between checks the
 * workflow waits on a durable timer: under Temporal the server holds it, so the month-long run
 * survives restarts of every worker. Each day is one run: at the end of a day the workflow
 * continues as new, carrying its results, which keeps every run's history short.
 */
import { Agent, MCPApp, taskContext, Workflow, WorkflowApplicationError, WorkflowResult } from '@mcp-agent/core';
import { OpenAIAugmentedLLM } from '@mcp-agent/providers-openai/workflow';
import { outbox, type Alert } from './alerts.js';

export type { Alert } from './alerts.js';

export const app = new MCPApp({ name: 'monitoring' });

const HOUR = 3_600_000;

/** One hourly check. */
export interface Check {
  day: number;
  hour: number;
  /** The agent's reply. */
  status: string;
  critical: boolean;
}

/** What earlier runs (earlier days) hand to the next one. */
export interface MonitoringProgress {
  /** Workflow time of the first check, epoch milliseconds: the schedule is anchored to it. */
  startedAt: number;
  checks: Check[];
  alerts: Alert[];
  runs: number;
}

/** What to monitor, and for how long. */
export interface MonitoringInput {
  systems: string[];
  days: number;
  /** Set by the workflow itself when it continues as new after each day; leave it out. */
  progress?: MonitoringProgress;
}

/** The report at the end. */
export interface MonitoringReport {
  systems: string[];
  days: number;
  checks: Check[];
  alerts: Alert[];
  /** How many runs (one per day) the workflow took. */
  runs: number;
  /** Why it ended early, when the stop signal ended it. */
  stopped?: string;
}

/** What the `status` query answers while it runs. */
export interface MonitoringStatus {
  checks: number;
  alerts: number;
  lastCheck?: Check;
  /** Workflow time of the next check, epoch milliseconds. */
  nextCheckAt?: number;
  stopping: boolean;
}

/** Calls into the alert task print what it sends; the starter and the worker set this. */
export const events = { print: (line: string): void => void line };

/** Pages the on-call person. Once per workflow, day and hour: a retried attempt doesn't page twice. */
export const sendAlert = app.workflowTask(
  async function sendAlert(alert: Alert): Promise<boolean> {
    const { workflowId } = taskContext();
    const sent = outbox.send(`${workflowId}/${alert.day}/${alert.hour}`, alert);
    if (sent) events.print(`ALERT day ${alert.day}, hour ${alert.hour} (${alert.systems.join(', ')}): ${alert.message}`);
    return sent;
  },
  { name: 'monitoring.sendAlert' },
);

function checkInput(input: MonitoringInput): void {
  const problems: string[] = [];
  if (!Array.isArray(input?.systems) || input.systems.length === 0 || input.systems.some((system) => typeof system !== 'string' || system.trim() === '')) {
    problems.push('systems must list at least one system name');
  }
  if (!Number.isInteger(input?.days) || input.days < 1 || input.days > 366) problems.push(`days must be a whole number from 1 to 366, got ${JSON.stringify(input?.days)}`);
  if (problems.length > 0) throw WorkflowApplicationError.nonRetryable(`invalid monitoring input: ${problems.join('; ')}`, 'InvalidInput');
}

@app.workflow
export class MonitoringWorkflow extends Workflow<MonitoringReport> {
  #progress: MonitoringProgress | undefined;
  #totalChecks = 0;
  #stopReason: string | undefined;

  /** Ends the monitoring after the check in progress, if any. */
  @app.workflowSignal
  stop(reason: string): void {
    this.#stopReason = reason || 'stopped';
  }

  @app.workflowQuery
  status(): MonitoringStatus {
    const progress = this.#progress;
    const lastCheck = progress?.checks.at(-1);
    const more = progress !== undefined && progress.checks.length < this.#totalChecks && this.#stopReason === undefined;
    return {
      checks: progress?.checks.length ?? 0,
      alerts: progress?.alerts.length ?? 0,
      ...(lastCheck === undefined ? {} : { lastCheck }),
      ...(more ? { nextCheckAt: progress.startedAt + progress.checks.length * HOUR } : {}),
      stopping: this.#stopReason !== undefined,
    };
  }

  @app.workflowRun
  async run(input: MonitoringInput): Promise<WorkflowResult<MonitoringReport>> {
    checkInput(input);
    const progress: MonitoringProgress = input.progress ?? { startedAt: this.now().getTime(), checks: [], alerts: [], runs: 1 };
    this.#progress = progress;
    this.#totalChecks = input.days * 24;
    const day = Math.floor(progress.checks.length / 24);
    const agent = new Agent({
      name: 'monitor',
      instruction: 'You check the health of production systems. Answer in one line. Start with CRITICAL when a person must act now.',
    });
    const llm = await agent.attachLlm(OpenAIAugmentedLLM);

    for (let hour = 0; hour < 24; hour += 1) {
      // Anchored to the first check, so the time a check takes doesn't make the schedule drift.
      const wait = progress.startedAt + (day * 24 + hour) * HOUR - this.now().getTime();
      // A durable timer (on the server under Temporal) that the stop signal cuts short.
      if (wait > 0) await this.condition(() => this.#stopReason !== undefined, wait);
      if (this.#stopReason !== undefined) break;

      // One model round trip: an activity under Temporal, recorded, retried by its policy.
      const status = await llm.generateStr(`Check the status of: ${input.systems.join(', ')} (day ${day}, hour ${hour})`, { useHistory: false });
      const check: Check = { day, hour, status, critical: status.toLowerCase().includes('critical') };
      progress.checks.push(check);
      if (check.critical) {
        const alert: Alert = { day, hour, systems: input.systems, message: status };
        await sendAlert(alert);
        progress.alerts.push(alert);
      }
    }
    await agent.close();

    const report = (stopped?: string): WorkflowResult<MonitoringReport> =>
      new WorkflowResult({
        value: { systems: input.systems, days: input.days, checks: progress.checks, alerts: progress.alerts, runs: progress.runs, ...(stopped === undefined ? {} : { stopped }) },
      });
    if (this.#stopReason !== undefined) return report(this.#stopReason);
    if (day + 1 < input.days) {
      // A fresh run for the next day, with a fresh history; the results travel in the input.
      return this.continueAsNew({ systems: input.systems, days: input.days, progress: { ...progress, runs: progress.runs + 1 } } satisfies MonitoringInput);
    }
    return report();
  }
}
