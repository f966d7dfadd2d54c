/**
 * `mcp-agent run <workflow>`: starts a workflow with JSON input, checked against its input schema.
 */
import { MCPAgentError, type WorkflowResult } from '@mcp-agent/core';
import { withProgress } from '../progress.js';
import { checkAgainstSchema } from '@mcp-agent/core/engine';
import { UsageError, type Command } from '../main.js';
import { APP_OPTION, appModulesFrom, CONFIG_OPTION, executorFor, inputFrom, inputSchemaOf, loadApp, loadedSettingsFrom } from '../settings.js';

export const runCommand: Command = {
  words: ['run'],
  summary: 'start a workflow with JSON input (--wait for its result)',
  usage: `usage: mcp-agent run <workflow> [--input <json> | --input-file <file>] [--id <workflow id>] [--wait] [--json] [--app <module>] [--config <file>]

Starts the workflow on the engine of execution_engine. On Temporal it returns once the workflow
has started (a worker runs it: \`mcp-agent worker\`), or with --wait when it has finished; on the
in-process engine it always runs to the end here. The input is checked against the schema codegen
wrote (src/generated/schemas/<workflow>.input.json) before anything starts.

  --input <json>       the run method's argument, as JSON ('"text"', '{"amount": 42}')
  --input-file <file>  the same, from a file
  --id <workflow id>   default: <workflow>-<random>
  --wait               wait for the result (a progress line shows on a terminal)
  --json               print {"workflowId", "runId"} and, with the result, "value", "error", "metadata"
  --app <module>       the module that defines the workflows (default src/workflows.ts)
  --config <file>      mcp_agent.config.yaml to read (default: found from the current folder up)

Exit codes: 0 started (or finished without error), 1 the workflow failed or reported an error,
or the server can't be reached, 2 wrong arguments or input.`,
  options: {
    ...CONFIG_OPTION,
    ...APP_OPTION,
    input: { type: 'string' },
    'input-file': { type: 'string' },
    id: { type: 'string' },
    wait: { type: 'boolean' },
    json: { type: 'boolean' },
  },
  positionals: { min: 1, max: 1 },
  async run({ values, positionals }, io) {
    const workflowName = positionals[0] as string;
    const input = inputFrom(values, io.cwd);
    const loaded = loadedSettingsFrom(values, io);
    const settings = loaded.settings;
    const app = await loadApp(appModulesFrom(values, io.cwd, true) as string[], io.cwd, loaded);
    if (!app.registry.workflows.has(workflowName)) {
      throw new UsageError(`the app defines no workflow "${workflowName}"; it defines: ${[...app.registry.workflows.keys()].sort().join(', ')}`, false);
    }
    const schema = inputSchemaOf(app, workflowName);
    if (schema !== undefined) {
      const problems = input.given
        ? checkAgainstSchema(input.value, schema)
        : schema.type === undefined || [schema.type].flat().includes('null')
          ? []
          : ['input: required, missing (give --input)'];
      if (problems.length > 0) throw new UsageError(`the input does not match ${workflowName}'s input schema:\n  ${problems.join('\n  ')}`, false);
    }
    const json = values['json'] === true;
    const executor = await executorFor(settings, app, io.cwd);
    try {
      const workflowId = (values['id'] as string | undefined) ?? `${workflowName}-${Math.random().toString(36).slice(2, 10)}`;
      const handle = await executor.startWorkflow(workflowName, input.value, { workflowId });
      const inProcess = executor.engine !== 'temporal';
      if (!json) io.stdout(`started ${workflowName} id=${handle.workflowId} run=${handle.runId} on ${executor.engine}\n`);
      if (values['wait'] !== true && !inProcess) {
        if (json) io.stdout(`${JSON.stringify({ workflowId: handle.workflowId, runId: handle.runId })}\n`);
        return 0;
      }
      let result: WorkflowResult<unknown>;
      try {
        result = await withProgress(handle.result(), handle, json ? undefined : process.stderr);
      } catch (error) {
        if (json && MCPAgentError.is(error)) {
          io.stdout(`${JSON.stringify({ workflowId: handle.workflowId, runId: handle.runId, failed: { code: error.code, message: error.message } })}\n`);
          return 1;
        }
        throw error;
      }
      if (json) {
        io.stdout(`${JSON.stringify({ workflowId: handle.workflowId, runId: handle.runId, value: result.value ?? null, error: result.error ?? null, metadata: result.metadata })}\n`);
      } else {
        io.stdout(`${result.error === undefined ? 'completed' : 'completed with an error'}: ${JSON.stringify(result.value ?? null, null, 2)}\n`);
        if (result.error !== undefined) io.stdout(`error: ${String(result.error)}\n`);
      }
      return result.error === undefined ? 0 : 1;
    } finally {
      await executor.close();
    }
  },
};
