// An agent inside a Temporal workflow whose MCP server adds a tool while it runs (a local SDK
// McpServer over stdio, mcp-client's __fixtures__/changing-server.mjs) and whose other server
// cannot start (a missing command): the changed list is listed again as a new recorded
// mcp.listTools activity, the missing server is left out after one attempt, and the history
// replays against the same code.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { createLogger, type AppServices } from '@mcp-agent/core';
import { parseSettings } from '@mcp-agent/core/config';
import { createAppServices } from '@mcp-agent/core/engine';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

import { createTemporalEngine, replayWorkflowHistories, type TemporalExecutor } from '../src/index.js';
import { agentServersApp, ChangingToolsWorkflow } from './fixtures/agent-servers-workflows.js';

const CHANGING_SERVER = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../mcp-client/src/__fixtures__/changing-server.mjs');
const WORKFLOWS = new URL('./fixtures/agent-servers-workflows.ts', import.meta.url);

describe('an agent whose servers change or fail, on Temporal', { timeout: 60_000 }, () => {
  const settings = parseSettings(
    {
      execution_engine: 'temporal',
      workflow_task_retry_policies: { 'mcp.*': { maximum_attempts: 3, initial_interval: '100ms' } },
      mcp: {
        servers: {
          changing: { command: process.execPath, args: [CHANGING_SERVER] },
          missing: { command: path.join(path.dirname(CHANGING_SERVER), 'no-such-mcp-server-binary') },
        },
      },
    },
    'agent-servers',
  );
  const logger = createLogger({ transports: ['none'] });
  let services: AppServices | undefined;
  let executor: TemporalExecutor;

  beforeAll(async () => {
    services = await createAppServices({ registry: agentServersApp.registry, settings, logger });
    executor = (await createTemporalEngine({
      address: inject('temporalAddress'),
      worker: { workflowsPath: WORKFLOWS, taskQueue: `agent-servers-${process.pid}` },
    }).createExecutor({ appName: agentServersApp.name, registry: agentServersApp.registry, settings, logger, tasks: services.tasks })) as TemporalExecutor;
  });

  afterAll(async () => {
    await executor?.close();
    await services?.close();
  });

  it('lists the changed server again as a new activity, leaves out the missing one, and replays', async () => {
    const workflowId = `agent-servers-${Date.now()}`;
    const result = await executor.executeWorkflow(ChangingToolsWorkflow, undefined, { workflowId });
    expect(result.value).toMatchObject({
      before: ['changing_add_tool', 'changing_change_lists'],
      added: 'extra_1',
      after: ['changing_add_tool', 'changing_change_lists', 'changing_extra_1'],
      answer: 'extra_1 answered',
    });
    expect(result.value?.unavailable.map(({ server }) => server)).toEqual(['missing']);
    expect(result.value?.unavailable[0]?.reason).toContain('failed after 1 attempt');

    const history = await executor.client.workflow.getHandle(workflowId).fetchHistory();
    const events = history.events ?? [];
    const scheduled = events.flatMap((event) => {
      const name = event.activityTaskScheduledEventAttributes?.activityType?.name;
      return name === undefined || name === null ? [] : [name];
    });
    // listTools of both servers, the call that adds a tool, listTools of the changed server again, the new tool's call.
    expect(scheduled).toEqual(['mcp.listTools', 'mcp.listTools', 'mcp.callTool', 'mcp.listTools', 'mcp.callTool']);
    // The missing command failed once, not retried.
    expect(events.filter((event) => event.activityTaskFailedEventAttributes !== undefined && event.activityTaskFailedEventAttributes !== null)).toHaveLength(1);

    await replayWorkflowHistories({ registry: agentServersApp.registry, settings, logger }, { workflowsPath: WORKFLOWS }, [{ workflowId, history }]);
  });
});
