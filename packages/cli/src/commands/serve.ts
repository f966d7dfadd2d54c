/**
 * `mcp-agent serve`: the app's workflows as an MCP server, over stdio (for Claude Desktop and
 * other clients that start the server themselves), Streamable HTTP or SSE.
 */
import path from 'node:path';
import type { Executor } from '@mcp-agent/core';
import { createExecutorWithServices, loadExecutionEngine, type JsonSchema } from '@mcp-agent/core/engine';
import type { Settings } from '@mcp-agent/core/config';
// The `server` section of the config belongs to @mcp-agent/server; this command always reads it.
import '@mcp-agent/server/config';
import { UsageError, type CommandRun } from '../command.js';
import { SERVE_DEFAULTS } from '../commands.js';
import { appModulesFrom, executorFor, inputSchemaOf, loadApp, loadedSettingsFrom, loggerFor, type LoadedApp } from '../settings.js';

const TRANSPORTS = ['stdio', 'http', 'sse'] as const;
type Transport = (typeof TRANSPORTS)[number];
/** serveApp's own limit on an HTTP body; raised with `max_payload_bytes` so a large payload reaches the tool's check. */
const DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024;

/** True for an address only this machine can reach: 127.0.0.0/8, ::1, localhost. */
function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  return bare === 'localhost' || bare === '::1' || /^127(?:\.\d{1,3}){3}$/.test(bare);
}

/** Where a client on this machine reaches a server listening on `host`. */
function reachableHost(host: string): string {
  const bare = host.replace(/^\[|\]$/g, '');
  if (bare === '0.0.0.0' || bare === '') return '127.0.0.1';
  if (bare === '::') return '[::1]';
  return bare.includes(':') ? `[${bare}]` : bare;
}

/** How to serve: each flag, else the `server` section, else the default. */
interface ServePlan {
  transport: Transport;
  host: string;
  port: number;
  path: string;
  maxPayloadBytes: number | undefined;
}

function planFrom(values: Record<string, unknown>, settings: Settings): ServePlan {
  const section = settings.server ?? {};
  const transport = (values['transport'] as string | undefined) ?? section.transport ?? 'stdio';
  if (!(TRANSPORTS as readonly string[]).includes(transport)) throw new UsageError(`--transport: expected stdio, http or sse, got "${transport}"`);
  const portText = values['port'] as string | undefined;
  let port = section.port ?? SERVE_DEFAULTS.port;
  if (portText !== undefined) {
    port = Number(portText);
    if (!/^\d+$/.test(portText) || port > 65_535) throw new UsageError(`--port: expected a port number from 0 to 65535, got "${portText}"`);
  }
  const endpoint = (values['path'] as string | undefined) ?? section.path ?? SERVE_DEFAULTS.path;
  if (!endpoint.startsWith('/') || endpoint === '/sse' || endpoint === '/messages') {
    throw new UsageError(`--path: expected a path such as /mcp (not /sse or /messages, which the SSE transport uses), got "${endpoint}"`);
  }
  const host = (values['host'] as string | undefined) ?? section.host ?? SERVE_DEFAULTS.host;
  if (host.trim() === '') throw new UsageError('--host: expected an address such as 127.0.0.1, got ""');
  return { transport: transport as Transport, host, port, path: endpoint, maxPayloadBytes: section.max_payload_bytes };
}

/** The `mcpServers` entry a client such as Claude Desktop needs to reach this server. */
function clientConfig(app: LoadedApp, plan: ServePlan, configPath: string | undefined, cwd: string, hasTokens: boolean, settings: Settings): Record<string, unknown> {
  if (plan.transport === 'stdio') {
    const args = ['mcp-agent', 'serve', ...app.modules.flatMap((module) => ['--app', module])];
    if (configPath !== undefined) args.push('--config', path.resolve(cwd, configPath));
    if ((settings.server?.transport ?? 'stdio') !== 'stdio') args.push('--transport', 'stdio');
    return { command: 'npx', args, cwd };
  }
  const origin = `http://${reachableHost(plan.host)}:${plan.port}`;
  const entry: Record<string, unknown> = { url: plan.transport === 'sse' ? `${origin}/sse` : `${origin}${plan.path}` };
  if (hasTokens) entry['headers'] = { Authorization: 'Bearer <a token of server.auth.tokens>' };
  return entry;
}

export const serve: CommandRun = async ({ values }, io) => {
  const loaded = loadedSettingsFrom(values, io);
  const settings = loaded.settings;
  const plan = planFrom(values, settings);
  const { authOptionsFromSettings, createMcpServerForApp, elicitingHumanInput, serveApp } = await import('@mcp-agent/server');
  const auth = authOptionsFromSettings(settings.server?.auth);
  const hasAuth = (auth?.tokens?.length ?? 0) > 0 || auth?.oauth !== undefined;
  const printConfig = values['print-config'] === true;
  const overHttp = plan.transport !== 'stdio';
  if (!printConfig && overHttp && !isLoopback(plan.host) && !hasAuth) {
    if (values['insecure'] !== true) {
      throw new UsageError(
        `listening on ${plan.host} without auth lets anyone who can reach it run and cancel workflows; ` +
          'set server.auth.tokens or server.auth.oauth (in mcp_agent.secrets.yaml), listen on 127.0.0.1, or pass --insecure to accept the risk',
        false,
      );
    }
    io.stderr(`warning: serving on ${plan.host} without auth (--insecure): anyone who can reach it can run and cancel workflows\n`);
  }

  const app = await loadApp(appModulesFrom(values, io.cwd, true) as string[], io.cwd, loaded);
  if (printConfig) {
    const entry = clientConfig(app, plan, loaded.configPath, io.cwd, (auth?.tokens?.length ?? 0) > 0, settings);
    io.stdout(`${JSON.stringify({ mcpServers: { [app.name]: entry } }, null, 2)}\n`);
    return 0;
  }

  const inputSchemas: Record<string, JsonSchema> = {};
  for (const name of app.registry.workflows.keys()) {
    const schema = inputSchemaOf(app, name);
    if (schema !== undefined) inputSchemas[name] = schema;
  }
  // Started now, so a Temporal server that can't be reached fails here rather than at the first call.
  const executor = await servedExecutor(settings, app, io.cwd, elicitingHumanInput);
  let running: Awaited<ReturnType<typeof serveApp>> | undefined;
  try {
    const server = createMcpServerForApp(
      { name: app.name, registry: app.registry, initialize: async () => ({ executor }) },
      { inputSchemas, schemasDirectories: [], ...(plan.maxPayloadBytes === undefined ? {} : { maxPayloadBytes: plan.maxPayloadBytes }) },
    );
    running = await serveApp(server, {
      transport: plan.transport,
      host: plan.host,
      port: plan.port,
      path: plan.path,
      ...(auth === undefined ? {} : { auth }),
      ...(plan.maxPayloadBytes === undefined ? {} : { maxBodyBytes: Math.max(DEFAULT_MAX_BODY_BYTES, plan.maxPayloadBytes + 64 * 1024) }),
    });
    const workflows = [...app.registry.workflows.keys()].join(', ');
    if (overHttp) {
      const guarded = hasAuth ? ' (auth required)' : '';
      io.stderr(`serving ${app.name} (${workflows}) on ${executor.engine}${guarded}\n`);
      io.stderr(`  Streamable HTTP: ${running.url}\n  SSE:             ${running.sseUrl}\n`);
    } else {
      io.stderr(`serving ${app.name} (${workflows}) on ${executor.engine} over stdio\n`);
    }
    await stopped(io.signal, plan.transport === 'stdio');
  } finally {
    await running?.close();
    await executor.close();
  }
  io.stderr('server stopped\n');
  return 0;
};

/**
 * The executor the server calls. On Temporal, a client of the server (a worker runs the
 * workflows, and a run waiting for a person is answered by the client's elicitation or by
 * workflows-resume). In-process, the engine with the app's services here, where a person's
 * answer is asked of the client that started the run (MCP elicitation).
 */
async function servedExecutor(settings: Settings, app: LoadedApp, cwd: string, eliciting: typeof import('@mcp-agent/server').elicitingHumanInput): Promise<Executor> {
  if (settings.execution_engine === 'temporal') return executorFor(settings, app, cwd);
  const name = settings.execution_engine ?? 'asyncio';
  // The app's own engine when it has one installed; else the in-process engine this command ships with.
  const engine = await loadExecutionEngine(name, undefined, cwd).catch(async (error: unknown) => {
    if (name !== 'asyncio') throw error;
    return (await import('@mcp-agent/executor-asyncio')).executionEngine;
  });
  return createExecutorWithServices(engine, { appName: app.name, registry: app.registry, settings, logger: loggerFor(settings), cwd, humanInput: eliciting() });
}

/** Resolves on Ctrl-C or SIGTERM (the signal), or under stdio when the client closes standard input. */
function stopped(signal: AbortSignal, watchStdin: boolean): Promise<void> {
  return new Promise<void>((resolve) => {
    if (signal.aborted) return resolve();
    const done = (): void => {
      signal.removeEventListener('abort', done);
      if (watchStdin) {
        process.stdin.off('end', done);
        process.stdin.off('close', done);
      }
      resolve();
    };
    signal.addEventListener('abort', done, { once: true });
    if (watchStdin) {
      process.stdin.once('end', done);
      process.stdin.once('close', done);
    }
  });
}
