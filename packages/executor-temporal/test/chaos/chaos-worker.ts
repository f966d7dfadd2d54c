// A chaos worker in its own process: node --import tsx --conditions=mcp-agent-source
// chaos-worker.ts '<settings JSON>' <bundle file> <identity>. The first worker bundles the
// workflows into <bundle file>; later ones load it, so a replacement polls within seconds.
// Prints "ready" once it polls; stops on SIGTERM (the suite mostly ends it with SIGKILL).
import { existsSync, renameSync, writeFileSync } from 'node:fs';
import { createLogger } from '@mcp-agent/core';
import { parseSettings } from '@mcp-agent/core/config';
import { createAppServices } from '@mcp-agent/core/engine';
import { llmProvider } from '@mcp-agent/providers-openai';
import { bundleWorkflowsForParts, createTemporalWorker } from '../../src/index.js';
import { chaosApp } from './chaos-workflows.js';

const [settingsJson = '{}', bundleFile, identity = `chaos-worker-${process.pid}`] = process.argv.slice(2);
if (bundleFile === undefined) throw new Error('chaos-worker: expected <settings JSON> <bundle file> [identity] as arguments');
const settings = parseSettings(JSON.parse(settingsJson), 'chaos worker settings');
const logger = createLogger({ transports: ['none'] });
const services = await createAppServices({ registry: chaosApp.registry, settings, logger, llmProviders: [llmProvider] });
const parts = { registry: chaosApp.registry, settings, logger, tasks: services.tasks };
if (!existsSync(bundleFile)) {
  const { code } = await bundleWorkflowsForParts(parts, { workflowsPath: new URL('./chaos-workflows.ts', import.meta.url) });
  writeFileSync(`${bundleFile}.${process.pid}`, code);
  renameSync(`${bundleFile}.${process.pid}`, bundleFile);
}
const worker = await createTemporalWorker(parts, { workflowBundle: { codePath: bundleFile }, identity, shutdownGraceTime: '2s' });
process.once('SIGTERM', () => worker.shutdown());
const running = worker.run();
process.stdout.write('ready\n');
await running;
await services.close();
