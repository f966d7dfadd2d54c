/**
 * The framework's side of the lean-worker benchmark: an mcp-agent worker as `mcp-agent worker`
 * makes one (the app's services, then `createTemporalWorker` bundling the workflow module at
 * start-up), in its own process. Its MCP server is `@modelcontextprotocol/server-filesystem` over
 * stdio and its model provider the OpenAI one, on the local model server. Started by
 * `lean-worker.bench.ts`.
 */
import { say, leanWorkerArgs, serveCommands } from './lean-worker-protocol.js';
import { createLogger } from '@mcp-agent/core';
import { parseSettings } from '@mcp-agent/core/config';
import { createAppServices } from '@mcp-agent/core/engine';
import { embeddingProvider, llmProvider } from '@mcp-agent/providers-openai';
import { createTemporalWorker } from '../src/index.js';
import { LEAN_ATTEMPT_TIMEOUT_SECONDS, LEAN_MODEL } from './lean-plan.js';
import { leanApp } from './lean-workflows.js';

say('phase', { name: 'imported' });
const args = leanWorkerArgs();
const separator = args.address.lastIndexOf(':');
const settings = parseSettings(
  {
    execution_engine: 'temporal',
    temporal: { host: args.address.slice(0, separator), port: Number(args.address.slice(separator + 1)), task_queue: args.taskQueue, timeout_seconds: LEAN_ATTEMPT_TIMEOUT_SECONDS },
    openai: { api_key: args.apiKey, base_url: args.llmBaseUrl, default_model: LEAN_MODEL },
    mcp: { servers: { filesystem: { transport: 'stdio', command: process.execPath, args: [args.filesystemEntry, args.directory] } } },
  },
  'lean-worker bench settings',
);
const logger = createLogger({ level: 'warn' });
// The providers an app with only @mcp-agent/providers-openai installed gets.
const services = await createAppServices({ registry: leanApp.registry, settings, logger, llmProviders: [llmProvider], embeddingProviders: [embeddingProvider] });
say('phase', { name: 'services' });
const worker = await createTemporalWorker(
  { registry: leanApp.registry, settings, logger, tasks: services.tasks },
  { workflowsPath: new URL('./lean-workflows.ts', import.meta.url), taskQueue: args.taskQueue },
);
say('phase', { name: 'created' });
const running = worker.run();
serveCommands(args, () => worker.shutdown());
try {
  await running;
} finally {
  await services.close();
}
say('stopped');
process.exit(0);
