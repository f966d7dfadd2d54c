/**
 * `mcp-agent replay`: replays recorded histories (files, or fetched by workflow id) against the
 * current workflow code, to catch a change that would break running workflows before deploying.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { createLogger, MCPAgentError, messageOf } from '@mcp-agent/core';
import { connectTemporalClient, fetchWorkflowHistory, readWorkflowHistory, replayWorkflowHistories, type WorkflowHistory } from '@mcp-agent/executor-temporal';
import { UsageError, type CommandRun } from '../command.js';
import { appModulesFrom, loadApp, loadedSettingsFrom } from '../settings.js';

export const replay: CommandRun = async ({ values, positionals }, io) => {
  const workflowId = values['workflow-id'] as string | undefined;
  if (workflowId === undefined && positionals.length === 0) throw new UsageError('give history files, or --workflow-id to fetch one from the server');
  if (workflowId !== undefined && positionals.length > 0) throw new UsageError('give history files or --workflow-id, not both');
  if (values['run-id'] !== undefined && workflowId === undefined) throw new UsageError('--run-id needs --workflow-id');
  const modules = appModulesFrom(values, io.cwd, true) as string[];
  const loaded = loadedSettingsFrom(values, io);
  const settings = loaded.settings;
  const histories: Array<{ workflowId: string; history: WorkflowHistory }> = [];
  if (workflowId !== undefined) {
    const client = await connectTemporalClient(settings);
    try {
      histories.push({ workflowId, history: await fetchWorkflowHistory(client, workflowId, values['run-id'] as string | undefined) });
    } finally {
      await client.connection.close();
    }
  } else {
    for (const file of positionals) {
      const absolute = path.resolve(io.cwd, file);
      if (!existsSync(absolute)) throw new UsageError(`history file ${file} does not exist`);
      let history: WorkflowHistory;
      try {
        history = readWorkflowHistory(absolute);
      } catch (error) {
        throw new MCPAgentError('INVALID_HISTORY', `${file} is not a history in JSON: ${messageOf(error)}`);
      }
      histories.push({ workflowId: path.basename(file, '.json'), history });
    }
  }
  const { registry } = await loadApp(modules, io.cwd, loaded);
  const logger = createLogger({ transports: ['none'] });
  const json = values['json'] === true;
  try {
    await replayWorkflowHistories({ registry, settings, logger }, { workflowsPath: modules }, histories);
  } catch (error) {
    if (!json || !MCPAgentError.is(error)) throw error;
    io.stdout(`${JSON.stringify({ failed: { code: error.code, message: error.message } })}\n`);
    return 1;
  }
  const names = histories.map((entry) => entry.workflowId);
  io.stdout(
    json ? `${JSON.stringify({ replayed: names })}\n` : `replayed ${names.length} ${names.length === 1 ? 'history' : 'histories'} against the current code: ${names.join(', ')}\n`,
  );
  return 0;
};
