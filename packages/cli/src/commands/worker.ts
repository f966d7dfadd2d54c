/**
 * `mcp-agent worker`: a Temporal worker for an app, until Ctrl-C.
 */
import { prepareWorkflowBundle } from '@mcp-agent/executor-temporal/prepare';
import { UsageError, type CommandRun } from '../command.js';
import { appModulesFrom, loadApp, loggerFor, loadedSettingsFrom } from '../settings.js';

export const worker: CommandRun = async ({ values }, io) => {
  const modules = appModulesFrom(values, io.cwd, true) as string[];
  const limitText = values['max-concurrent-activities'] as string | undefined;
  const limit = limitText === undefined ? undefined : Number(limitText);
  if (limit !== undefined && !(Number.isInteger(limit) && limit > 0)) throw new UsageError(`--max-concurrent-activities: expected a positive whole number, got "${limitText}"`);
  const loaded = loadedSettingsFrom(values, io);
  const settings = loaded.settings;
  const logger = loggerFor(settings);
  // The workflow bundle is made in a child process while the Temporal SDK, the app and its
  // services load here (nothing is bundled when codegen's bundle is current).
  const workflowBundle = prepareWorkflowBundle({ workflowsPath: modules, settings, logger });
  const loadServices = async () => {
    const [{ createAppServices }, { connectionSettings, createTemporalWorker }] = await Promise.all([import('@mcp-agent/core/engine'), import('@mcp-agent/executor-temporal')]);
    const app = await loadApp(modules, io.cwd, loaded);
    // The app's services, made as MCPApp makes them: MCP servers and the installed model providers.
    const services = await createAppServices({ registry: app.registry, settings, logger, cwd: io.cwd });
    return { app, services, connectionSettings, createTemporalWorker };
  };
  const { app, services, connectionSettings, createTemporalWorker } = await loadServices().catch((error: unknown) => {
    workflowBundle.cancel();
    throw error;
  });
  try {
    const worker = await createTemporalWorker(
      { registry: app.registry, settings, logger, tasks: services.tasks },
      {
        workflowsPath: modules,
        workflowBundle,
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
    workflowBundle.cancel();
    await services.close();
  }
};
