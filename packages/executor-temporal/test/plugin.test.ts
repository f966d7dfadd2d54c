// McpAgentPlugin on a worker the user builds with Worker.create: the app's agent workflow runs
// there with its MCP tool calls (a local SDK McpServer over stdio, mcp-client's
// __fixtures__/changing-server.mjs) and encrypted payloads, next to the user's own activity; a
// Client with the plugin reads the encrypted result, one without it can't.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLogger, type AppServices } from '@mcp-agent/core';
import { parseSettings } from '@mcp-agent/core/config';
import { createAppServices } from '@mcp-agent/core/engine';
import { Client } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTemporalEngine, McpAgentPlugin, type TemporalExecutor } from '../src/index.js';
import { agentServersApp, ChangingToolsWorkflow, type ChangingToolsResult } from './fixtures/agent-servers-workflows.js';

const CHANGING_SERVER = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../mcp-client/src/__fixtures__/changing-server.mjs');
const WORKFLOWS = fileURLToPath(new URL('./fixtures/agent-servers-workflows.ts', import.meta.url));

describe('McpAgentPlugin on a worker built with Worker.create', { timeout: 120_000 }, () => {
  const taskQueue = `plugin-${process.pid}`;
  const settings = parseSettings(
    {
      execution_engine: 'temporal',
      temporal: { task_queue: taskQueue, data_converter: { encryption_key: randomBytes(32).toString('base64') } },
      workflow_task_retry_policies: { 'mcp.*': { maximum_attempts: 3, initial_interval: '100ms' } },
      mcp: {
        servers: {
          changing: { command: process.execPath, args: [CHANGING_SERVER] },
          missing: { command: path.join(path.dirname(CHANGING_SERVER), 'no-such-mcp-server-binary') },
        },
      },
    },
    'plugin',
  );
  const logger = createLogger({ transports: ['none'] });
  let services: AppServices;
  let executor: TemporalExecutor;
  let connection: NativeConnection;

  beforeAll(async () => {
    services = await createAppServices({ registry: agentServersApp.registry, settings, logger });
    // A client only: the worker is the user's.
    executor = (await createTemporalEngine({ address: inject('temporalAddress') }).createExecutor({
      appName: agentServersApp.name,
      registry: agentServersApp.registry,
      settings,
      logger,
      tasks: services.tasks,
    })) as TemporalExecutor;
    connection = await NativeConnection.connect({ address: inject('temporalAddress') });
  });

  afterAll(async () => {
    await executor?.close();
    await connection?.close();
    await services?.close();
  });

  it('runs an agent workflow with MCP tool calls, the user’s activity beside the app’s, and encrypted payloads', async () => {
    const plugin = new McpAgentPlugin({ registry: agentServersApp.registry, settings, logger, tasks: services.tasks });
    const worker = await Worker.create({
      connection,
      taskQueue,
      workflowsPath: WORKFLOWS,
      activities: { userGreeting: async () => 'hello' },
      plugins: [plugin],
    });
    // The namespace of the settings, the user's activity and the app's tasks.
    expect(worker.options.namespace).toBe('default');
    expect([...worker.options.activities.keys()]).toEqual(expect.arrayContaining(['userGreeting', 'mcp.callTool', 'mcp.listTools']));

    const workflowId = `plugin-${Date.now()}`;
    const result = await worker.runUntil(executor.executeWorkflow(ChangingToolsWorkflow, undefined, { workflowId }));
    expect(result.value).toMatchObject({ added: 'extra_1', answer: 'extra_1 answered' });

    const history = await executor.client.workflow.getHandle(workflowId).fetchHistory();
    const scheduled = (history.events ?? []).flatMap((event) => event.activityTaskScheduledEventAttributes?.activityType?.name ?? []);
    expect(scheduled.filter((name) => name === 'mcp.callTool')).toHaveLength(2);

    // A client built with the plugin decrypts the result; one without it sees only encrypted payloads.
    const withPlugin = new Client({ connection: executor.client.connection, plugins: [plugin] });
    const value = (await withPlugin.workflow.getHandle(workflowId).result()) as { value: ChangingToolsResult };
    expect(JSON.stringify(value)).toContain('extra_1 answered');
    const plain = new Client({ connection: executor.client.connection });
    await expect(plain.workflow.getHandle(workflowId).result()).rejects.toThrow(/encoding|encrypted/i);
  });

  it('refuses MCP servers with run scope, which need createTemporalWorker', async () => {
    const runScoped = parseSettings(
      { execution_engine: 'temporal', mcp: { servers: { changing: { command: process.execPath, args: [CHANGING_SERVER], session: { scope: 'run' } } } } },
      'plugin-run-scope',
    );
    const plugin = new McpAgentPlugin({ registry: agentServersApp.registry, settings: runScoped, logger });
    await expect(plugin.configureWorker({ taskQueue, workflowsPath: WORKFLOWS })).rejects.toThrow('session.scope "run"');
  });
});
