/**
 * `mcp-agent workflows history <workflow-id>`: a run's history as JSON, to keep and replay.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { connectTemporalClient, fetchWorkflowHistory, workflowHistoryJson } from '@mcp-agent/executor-temporal';
import type { CommandRun } from '../command.js';
import { settingsFrom } from '../settings.js';

/** gRPC's code for "not found". */
const GRPC_NOT_FOUND = 5;

/** Whether the server answered that the workflow (or run) does not exist. */
function isNotFound(error: unknown): boolean {
  for (let current: unknown = error, depth = 0; typeof current === 'object' && current !== null && depth < 6; depth += 1) {
    if ((current as { code?: unknown }).code === GRPC_NOT_FOUND || (current as { name?: unknown }).name === 'WorkflowNotFoundError') return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

export const workflowsHistory: CommandRun = async ({ values, positionals }, io) => {
  const workflowId = positionals[0] as string;
  const client = await connectTemporalClient(settingsFrom(values, io));
  try {
    const runId = values['run-id'] as string | undefined;
    const history = await fetchWorkflowHistory(client, workflowId, runId).catch((error: unknown) => {
      if (!isNotFound(error)) throw error;
      throw new Error(
        `no workflow "${workflowId}"${runId === undefined ? '' : ` with run "${runId}"`} in namespace "${client.options.namespace}" of the Temporal server of the config ` +
          '(check the id with `mcp-agent workflows list`)',
        { cause: error },
      );
    });
    const json = workflowHistoryJson(history);
    const out = values['out'] as string | undefined;
    if (out === undefined) io.stdout(json);
    else {
      writeFileSync(path.resolve(io.cwd, out), json);
      io.stdout(`saved the history of ${workflowId} (${(history as { events?: unknown[] }).events?.length ?? 0} events) to ${out}\n`);
    }
    return 0;
  } finally {
    await client.connection.close();
  }
};
