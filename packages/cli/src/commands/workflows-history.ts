/**
 * `mcp-agent workflows history <workflow-id>`: a run's history as JSON, to keep and replay.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { connectTemporalClient, fetchWorkflowHistory, workflowHistoryJson } from '@mcp-agent/executor-temporal';
import type { Command } from '../main.js';
import { CONFIG_OPTION, settingsFrom } from '../settings.js';

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

export const workflowsHistoryCommand: Command = {
  words: ['workflows', 'history'],
  summary: "print or save a workflow run's history as JSON (for replay)",
  usage: `usage: mcp-agent workflows history <workflow-id> [--run-id <id>] [--out <file>] [--config <file>]

Fetches the history of a workflow run (the latest run of the id unless --run-id) from the
server of temporal.* in the config, in the JSON form \`temporal workflow show --output json\`
writes. Payloads stay as the server keeps them (encrypted, when encryption is on).

  --run-id <id>    a specific run
  --out <file>     write it to a file (histories/<name>.json, for replay in CI) instead of stdout
  --config <file>  mcp_agent.config.yaml to read (default: found from the current folder up)`,
  options: { ...CONFIG_OPTION, 'run-id': { type: 'string' }, out: { type: 'string' } },
  positionals: { min: 1, max: 1 },
  async run({ values, positionals }, io) {
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
  },
};
