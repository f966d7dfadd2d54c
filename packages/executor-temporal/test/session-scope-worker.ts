// A worker in its own process for the session scope tests: node --import tsx
// --conditions=mcp-agent-source session-scope-worker.ts '<settings JSON>'. No workflow cache, so
// that a run's next workflow task goes to any live worker at once after this one is killed.
// Prints "ready" once it polls; stops on SIGTERM.
import { createLogger } from '@mcp-agent/core';
import { parseSettings } from '@mcp-agent/core/config';
import { createAppServices } from '@mcp-agent/core/engine';
import { createTemporalWorker } from '../src/index.js';
import { sessionScopeApp } from './session-scope-workflows.js';

const settings = parseSettings(JSON.parse(process.argv[2] ?? '{}'), 'worker settings');
const logger = createLogger({ transports: ['none'] });
const services = await createAppServices({ registry: sessionScopeApp.registry, settings, logger, llmProviders: [], embeddingProviders: [] });
const worker = await createTemporalWorker(
  { registry: sessionScopeApp.registry, settings, logger, tasks: services.tasks },
  { workflowsPath: new URL('./session-scope-workflows.ts', import.meta.url), identity: `session-scope-worker-${process.pid}`, maxCachedWorkflows: 0 },
);
process.once('SIGTERM', () => worker.shutdown());
const running = worker.run();
process.stdout.write('ready\n');
await running;
await services.close();
