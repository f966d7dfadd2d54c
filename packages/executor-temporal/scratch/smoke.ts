import { createLogger, parseSettings } from '@mcp-agent/core';
import { CONFORMANCE_SETTINGS } from '../../conformance/src/settings.js';
import { conformanceApp, QuickstartWorkflow, TaskWorkflow } from '@mcp-agent/conformance/workflows';
import { createTemporalEngine } from '../src/index.js';

const engine = createTemporalEngine({ address: process.argv[2] ?? '127.0.0.1:17233', worker: { workflowsPath: new URL('../../conformance/src/workflows.ts', import.meta.url), taskQueue: 'smoke' } });
const t0 = Date.now();
const executor = await engine.createExecutor({ appName: 'c', registry: conformanceApp.registry, settings: parseSettings(CONFORMANCE_SETTINGS, 's'), logger: createLogger({ transports: ['console'], level: 'debug' }) });
console.log('executor+worker in', Date.now() - t0);
console.log(await executor.executeWorkflow(QuickstartWorkflow, 'hi'));
console.log(await executor.executeWorkflow(TaskWorkflow, 'doc'));
await executor.close();
