/**
 * `mcp-agent worker`: a Temporal worker for an app, until Ctrl-C.
 */
import { createAppServices } from '@mcp-agent/core/engine';
import { connectionSettings, createTemporalWorker } from '@mcp-agent/executor-temporal';
import { UsageError, type CommandRun } from '../command.js';
import { appModulesFrom, loadApp, loggerFor, loadedSettingsFrom } from '../settings.js';

export const worker: CommandRun = async ({ values }, io) => {
  const modules = appModulesFrom(values, io.cwd, true) as string[];
  const limitText = values['max-concurrent-activities'] as string | undefined;
  const limit = limitText === undefined ? undefined : Number(limitText);
  if (limit !== undefined && !(Number.isInteger(limit) && limit > 0)) throw new UsageError(`--max-concurrent-activities: expected a positive whole number, got "${limitText}"`);
  const loaded = loadedSettingsFrom(values, io);
  const settings = loaded.settings;
  const app = await loadApp(modules, io.cwd, loaded);
  const logger = loggerFor(settings);
  // The app's services, made as MCPApp makes them: MCP servers and the installed model providers.
  const services = await createAppServices({ registry: app.registry, settings, logger, cwd: io.cwd });
  try {
    const worker = await createTemporalWorker(
      { registry: app.registry, settings, logger, tasks: services.tasks },
      {
        workflowsPath: modules,
        ...(values['task-queue'] === undefined ? {} : { taskQueue: values['task-queue'] as string }),
        ...(limit === undefined ? {} : { maxConcurrentActivities: limit }),
      },
    );
    const connection = connectionSettings(settings);
    const queue = (values['task-queue'] as string | undefined) ?? connection.taskQueue;
    io.stdout(
      `worker for ${app.name} (${[...app.registry.workflows.keys()].join(', ')}) polling task queue "${queue}" on ` +
        `${connection.address}, namespace ${connection.namespace}; Ctrl-C to stop\n`,
    );
    const stop = (): void => {
      if (worker.getState() === 'RUNNING') worker.shutdown();
    };
    if (io.signal.aborted) stop();
    else io.signal.addEventListener('abort', stop, { once: true });
    await worker.run();
    io.stdout('worker stopped\n');
    return 0;
  } finally {
    await services.close();
  }
};
