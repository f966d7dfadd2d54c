/**
 * Polling an external job: a task asks the job service for the job's status; between polls the
 * workflow sleeps on a durable timer, backing off; it stops when the job succeeds or fails, or
 * after a maximum of polls, and says which in its WorkflowResult. Under Temporal a poll that
 * waits minutes or hours costs nothing while it waits, and survives restarts.
 */
import { MCPApp, messageOf, TaskFailedError, taskContext, Workflow, WorkflowApplicationError, WorkflowResult } from '@mcp-agent/core';
import type { JobState, JobStatus } from './job-service.js';

export type { JobState, JobStatus } from './job-service.js';

export const app = new MCPApp({ name: 'polling' });

/** How to poll. Delays in seconds. */
export interface PollPolicy {
  /** Polls before giving up. Default 10. */
  maxPolls?: number;
  /** Wait after the first poll. Default 1. */
  initialDelay?: number;
  /** Each wait is this many times the one before. Default 2. */
  backoffCoefficient?: number;
  /** The longest wait. Default 60. */
  maxDelay?: number;
}

/** What to poll. */
export interface PollInput {
  /** The job service's base URL, such as `http://127.0.0.1:8080`. */
  serviceUrl: string;
  jobId: string;
  policy?: PollPolicy;
}

/** How polling ended. */
export interface PollReport {
  jobId: string;
  outcome: 'succeeded' | 'failed' | 'gave up' | 'not found' | 'unreachable';
  /** Status checks that got an answer (a check retried after a 503 counts once). */
  polls: number;
  /** The state each poll saw. */
  states: JobState[];
  /** The waits between polls, in seconds. */
  delays: number[];
  result?: string;
  error?: string;
}

/** What the `progress` query answers. */
export interface PollProgress {
  polls: number;
  last?: JobStatus;
}

/** Calls into the status task print what it sees; the starter and the worker set this. */
export const events = { print: (line: string): void => void line };

/**
 * One status check: a GET to the job service. A 5xx or a network error is thrown as is, so the
 * engine retries the task (policy in mcp_agent.config.yaml); an unknown job can't appear on a
 * retry: non-retryable.
 */
export const checkJobStatus = app.workflowTask(
  async function checkJobStatus(serviceUrl: string, jobId: string): Promise<JobStatus> {
    const { signal, attempt } = taskContext();
    const response = await fetch(`${serviceUrl}/jobs/${encodeURIComponent(jobId)}`, { signal });
    if (response.status === 404) throw WorkflowApplicationError.nonRetryable(`the job service has no job "${jobId}"`, 'JobNotFound');
    if (!response.ok) {
      events.print(`check ${jobId}: HTTP ${response.status} on attempt ${attempt}; the engine retries`);
      throw new Error(`job service answered HTTP ${response.status}`);
    }
    const status = (await response.json()) as JobStatus;
    events.print(`check ${jobId}: ${status.status} (${status.progress}%)`);
    return status;
  },
  { name: 'jobs.checkStatus', startToCloseTimeout: '10 seconds' },
);

function policyOf(input: PollInput): Required<PollPolicy> {
  const policy = { maxPolls: 10, initialDelay: 1, backoffCoefficient: 2, maxDelay: 60, ...input?.policy };
  const problems: string[] = [];
  if (typeof input?.serviceUrl !== 'string' || !/^https?:\/\/\S+$/.test(input.serviceUrl)) problems.push('serviceUrl must be an http(s) URL');
  if (typeof input?.jobId !== 'string' || input.jobId === '') problems.push('jobId must be a non-empty string');
  if (!Number.isInteger(policy.maxPolls) || policy.maxPolls < 1) problems.push('policy.maxPolls must be a whole number of at least 1');
  if (!(policy.initialDelay > 0)) problems.push('policy.initialDelay must be more than 0 seconds');
  if (!(policy.backoffCoefficient >= 1)) problems.push('policy.backoffCoefficient must be at least 1');
  if (!(policy.maxDelay >= policy.initialDelay)) problems.push('policy.maxDelay must be at least policy.initialDelay');
  if (problems.length > 0) throw WorkflowApplicationError.nonRetryable(`invalid polling input: ${problems.join('; ')}`, 'InvalidInput');
  return policy;
}

@app.workflow
export class JobPollingWorkflow extends Workflow<PollReport> {
  #progress: PollProgress = { polls: 0 };

  @app.workflowQuery
  progress(): PollProgress {
    return this.#progress;
  }

  @app.workflowRun
  async run(input: PollInput): Promise<WorkflowResult<PollReport>> {
    const policy = policyOf(input);
    const report: PollReport = { jobId: input.jobId, outcome: 'gave up', polls: 0, states: [], delays: [] };
    let delay = policy.initialDelay;
    for (;;) {
      let status: JobStatus;
      try {
        status = await checkJobStatus(input.serviceUrl, input.jobId);
      } catch (error) {
        // The task failed for good: retries used up, or a non-retryable error.
        if (!TaskFailedError.is(error)) throw error;
        const cause = error.cause;
        const notFound = WorkflowApplicationError.is(cause) && cause.type === 'JobNotFound';
        return new WorkflowResult({
          value: { ...report, outcome: notFound ? 'not found' : 'unreachable', error: messageOf(cause) },
          error: `polling job ${input.jobId} stopped: ${messageOf(cause)}`,
        });
      }
      report.polls += 1;
      report.states.push(status.status);
      this.#progress = { polls: report.polls, last: status };

      if (status.status === 'succeeded') {
        return new WorkflowResult({ value: { ...report, outcome: 'succeeded', ...(status.result === undefined ? {} : { result: status.result }) } });
      }
      if (status.status === 'failed') {
        const error = status.error ?? 'no reason given';
        return new WorkflowResult({ value: { ...report, outcome: 'failed', error }, error: `job ${input.jobId} failed: ${error}` });
      }
      if (report.polls >= policy.maxPolls) break;

      // A durable timer: under Temporal the server wakes the workflow, whatever happens to workers meanwhile.
      await this.sleep(delay * 1000);
      report.delays.push(delay);
      delay = Math.min(delay * policy.backoffCoefficient, policy.maxDelay);
    }
    const waited = report.delays.reduce((sum, seconds) => sum + seconds, 0);
    return new WorkflowResult({
      value: report,
      error: `job ${input.jobId} not done after ${report.polls} polls over ${waited} s (last state: ${report.states.at(-1) ?? 'none'})`,
    });
  }
}
