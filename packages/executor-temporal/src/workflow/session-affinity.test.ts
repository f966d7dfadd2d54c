import { parseSettings } from '@mcp-agent/core/config';
import { describe, expect, it } from 'vitest';
import { workflowBundleConfig } from '../worker/worker.js';
import { DEFAULT_AFFINITY_TIMEOUT_MS, runSessionServerOf, sessionWorkerQueueName } from './session-affinity.js';

describe('worker affinity of run-scoped MCP sessions', () => {
  const servers = { browser: 5_000 };

  it('routes tool calls and listings of run-scoped servers only', () => {
    expect(runSessionServerOf('mcp.callTool', [{ server: 'browser', tool: 'open', arguments: {} }], servers)).toBe('browser');
    expect(runSessionServerOf('mcp.listTools', ['browser'], servers)).toBe('browser');
    expect(runSessionServerOf('mcp.callTool', [{ server: 'fetch', tool: 'get', arguments: {} }], servers)).toBeUndefined();
    // Prompts and resources use the process-wide session; other tasks are not MCP calls.
    expect(runSessionServerOf('mcp.listPrompts', ['browser'], servers)).toBeUndefined();
    expect(runSessionServerOf('llm.openai.complete', [{ server: 'browser' }], servers)).toBeUndefined();
    expect(runSessionServerOf('mcp.callTool', [{ server: 'browser' }], undefined)).toBeUndefined();
    // A name that is a property of every object is not a server.
    expect(runSessionServerOf('mcp.listTools', ['toString'], servers)).toBeUndefined();
  });

  it('names a queue per worker under the task queue', () => {
    expect(sessionWorkerQueueName('agents', 'host-12-abcd1234')).toBe('agents/mcp-sessions/host-12-abcd1234');
  });

  it('puts the run-scoped servers and their timeouts in the bundle config, and nothing without them', () => {
    const settings = parseSettings(
      {
        mcp: {
          servers: {
            browser: { command: 'browser-mcp', session: { scope: 'run', affinity_timeout_seconds: 2.5 } },
            shell: { command: 'shell-mcp', session: { scope: 'run' } },
            fetch: { command: 'fetch-mcp' },
          },
        },
      },
      'test config',
    );
    expect(workflowBundleConfig(settings, []).runSessionServers).toEqual({ browser: 2_500, shell: DEFAULT_AFFINITY_TIMEOUT_MS });
    expect(workflowBundleConfig(parseSettings({ mcp: { servers: { fetch: { command: 'fetch-mcp' } } } }, 'test config'), []).runSessionServers).toBeUndefined();
  });
});
