/**
 * `mcp-agent run <workflow>`: starts a workflow with JSON input, checked against its input schema.
 */
import { MCPAgentError, type WorkflowResult } from '@mcp-agent/core';
import { withProgress } from '../progress.js';
import { checkAgainstSchema } from '@mcp-agent/core/engine';
import { UsageError, type CommandRun } from '../command.js';
import { appModulesFrom, executorFor, inputFrom, inputSchemaOf, loadApp, loadedSettingsFrom } from '../settings.js';

export const runWorkflow: CommandRun = async ({ values, positionals }, io) => {
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
};
