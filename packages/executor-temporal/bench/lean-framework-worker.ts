/**
 * The framework's side of the lean-worker benchmark: an mcp-agent worker made as `mcp-agent
 * worker` makes one, in its own process. It starts the workflow bundle first (in a child process,
 * `prepareWorkflowBundle`), then loads the app, makes its services (MCP servers, model providers)
 * and the worker with `createTemporalWorker`, which connects while the bundle is finished. Its MCP
 * server is `@modelcontextprotocol/server-filesystem` over stdio and its model provider the
 * OpenAI one, on the local model server. Started by `lean-worker.bench.ts`.
 */
import { say, leanWorkerArgs, serveCommands } from './lean-worker-protocol.js';
import { prepareWorkflowBundle } from '@mcp-agent/executor-temporal/prepare';

const args = leanWorkerArgs();
const workflowsPath = new URL('./lean-workflows.ts', import.meta.url);
// Settings with tracing off: the bundle leaves OpenTelemetry out, as the worker's would.
const workflowBundle = prepareWorkflowBundle({ workflowsPath, settings: { otel: { enabled: false } } });
say('phase', { name: 'bundling' });
const [
  { createLogger },
  { parseSettings },
  { createAppServices },
  { embeddingProvider, llmProvider },
  { createTemporalWorker },
  { LEAN_ATTEMPT_TIMEOUT_SECONDS, LEAN_MODEL },
  { leanApp },
] = await Promise.all([
  import('@mcp-agent/core'),
  import('@mcp-agent/core/config'),
  import('@mcp-agent/core/engine'),
  import('@mcp-agent/providers-openai'),
  import('@mcp-agent/executor-temporal'),
  import('./lean-plan.js'),
  import('./lean-workflows.js'),
]);
say('phase', { name: 'imported' });
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
const worker = await createTemporalWorker({ registry: leanApp.registry, settings, logger, tasks: services.tasks }, { workflowsPath, workflowBundle, taskQueue: args.taskQueue });
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
