/**
 * Replay: runs a recorded workflow history against the current workflow code, to catch a change
 * that would break running workflows before it is deployed. Node only.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { Worker } from '@temporalio/worker';
import type { Client } from '@temporalio/client';
import { MCPAgentError, messageOf } from '@mcp-agent/core';
import { workerDataConverter } from '../codec/data-converter.js';
import { installRuntime } from './runtime.js';
import { bundleWith, loadBundleCode, workerTasks, workflowBundleConfig, type PrebuiltWorkflowBundle, type TemporalWorkerOptions, type TemporalWorkerParts } from './worker.js';

/** The current code can't replay a history: it would break the workflows that history stands for. */
export class ReplayFailedError extends MCPAgentError {
  readonly workflowId: string;
  constructor(workflowId: string, cause: unknown) {
    super(
      'REPLAY_FAILED',
      `replaying workflow ${workflowId} against the current code failed: ${messageOf(cause)}. ` +
        'The code takes another path than the recorded run did; put the change behind this.patched("change-id") ' +
        '(or getVersion) so that runs started before it keep their path',
      { cause },
    );
    this.workflowId = workflowId;
  }
  static override is(value: unknown): value is ReplayFailedError {
    return MCPAgentError.is(value) && value.code === 'REPLAY_FAILED';
  }
}

/** A history is of a workflow type the current code does not define (renamed or removed). */
export class UnknownWorkflowTypeError extends MCPAgentError {
  readonly workflowId: string;
  readonly workflowType: string;
  constructor(workflowId: string, workflowType: string, known: readonly string[]) {
    super(
      'UNKNOWN_WORKFLOW_TYPE',
      `cannot replay workflow ${workflowId}: its history is of workflow type "${workflowType}", which the current code does not define ` +
        `(it defines: ${known.length === 0 ? '(none)' : [...known].sort().join(', ')}). ` +
        'If the workflow was renamed or removed, runs of it still open would fail too: keep the old class (or its name, ' +
        "with @app.workflow({ name: '...' })) until they have finished, or drop this history from the replay set",
    );
    this.workflowId = workflowId;
    this.workflowType = workflowType;
  }
  static override is(value: unknown): value is UnknownWorkflowTypeError {
    return MCPAgentError.is(value) && value.code === 'UNKNOWN_WORKFLOW_TYPE';
  }
}

/** The workflow type a history starts with, if it can be read. */
export function workflowTypeOf(history: WorkflowHistory): string | undefined {
  const events = (history as { events?: Array<{ workflowExecutionStartedEventAttributes?: { workflowType?: { name?: string } } }> } | null)?.events;
  return events?.[0]?.workflowExecutionStartedEventAttributes?.workflowType?.name ?? undefined;
}

/** A workflow's history as the server keeps it (what `temporal workflow show --output json` writes). */
export type WorkflowHistory = unknown;

/** Fetches the history of a workflow run, to keep it or replay it. */
export async function fetchWorkflowHistory(client: Client, workflowId: string, runId?: string): Promise<WorkflowHistory> {
  return client.workflow.getHandle(workflowId, runId).fetchHistory();
}

/** Fetches a workflow run's history and saves it as JSON (the form `temporal workflow show --output json` writes), to replay in CI. */
export async function saveWorkflowHistory(client: Client, workflowId: string, file: string, runId?: string): Promise<void> {
  writeFileSync(file, workflowHistoryJson(await fetchWorkflowHistory(client, workflowId, runId)));
}

/** A fetched history as the JSON `temporal workflow show --output json` writes (what {@link readWorkflowHistory} reads). */
export function workflowHistoryJson(history: WorkflowHistory): string {
  return `${historyToJSON(history as Parameters<typeof historyToJSON>[0])}\n`;
}

/** Reads a history saved as JSON (by `temporal workflow show --output json`, or by saving `fetchWorkflowHistory`'s result). */
export function readWorkflowHistory(file: string): WorkflowHistory {
  return JSON.parse(readFileSync(file, 'utf8')) as WorkflowHistory;
}

/**
 * Replays histories against the workflow code of `options` (its `workflowsPath`, bundled, or a
 * `workflowBundle`). Resolves when every one replays; rejects with {@link ReplayFailedError}
 * naming the first that does not.
 *
 * @example
 * ```ts
 * await replayWorkflowHistories(parts, { workflowsPath: new URL('./workflows.ts', import.meta.url) }, [
 *   { workflowId: 'approval-42', history: readWorkflowHistory('histories/approval-42.json') },
 * ]);
 * ```
 */
export async function replayWorkflowHistories(
  parts: TemporalWorkerParts,
  options: Pick<TemporalWorkerOptions, 'workflowsPath' | 'ignoreModules'> & { workflowBundle?: PrebuiltWorkflowBundle },
  histories: ReadonlyArray<{ workflowId: string; history: WorkflowHistory }>,
): Promise<void> {
  const dataConverter = workerDataConverter(parts.settings);
  // Logging only: a replay must not bind the metrics endpoint a worker on this machine may hold.
  installRuntime(parts.settings, parts.logger, { metrics: false });
  const config = workflowBundleConfig(parts.settings, workerTasks(parts));
  const { code } = options.workflowBundle === undefined ? await bundleWith(parts, options, config) : loadBundleCode(options.workflowBundle, config);
  const known = [...parts.registry.workflows.keys()];
  for (const { workflowId, history } of histories) {
    const type = workflowTypeOf(history);
    if (type === undefined) {
      throw new MCPAgentError(
        'INVALID_HISTORY',
        `cannot replay workflow ${workflowId}: the history has no workflow start event; give the JSON of \`temporal workflow show --output json\` or saveWorkflowHistory`,
      );
    }
    // Checked here when the registry knows the workflows; the bundle's own refusal is caught below.
    if (known.length > 0 && !known.includes(type)) throw new UnknownWorkflowTypeError(workflowId, type, known);
    try {
      await Worker.runReplayHistory({ workflowBundle: { code }, replayName: `replay-${workflowId}`, ...(dataConverter === undefined ? {} : { dataConverter }) }, history, workflowId);
    } catch (error) {
      // The dispatcher's refusal, possibly quoted inside the SDK's message.
      const unknown = /unknown workflow \\?"([^"\\]+)\\?"; this worker's bundle defines: ([\w$., ()-]*)/.exec(messageOf(error));
      if (unknown !== null)
        throw new UnknownWorkflowTypeError(
          workflowId,
          unknown[1] ?? type,
          (unknown[2] ?? '').split(', ').filter((name) => name !== '' && name !== '(none)'),
        );
      throw new ReplayFailedError(workflowId, error);
    }
  }
}
