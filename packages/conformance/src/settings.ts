/**
 * The settings the conformance suite runs with. Kept apart from the workflows, which an engine
 * may bundle for a sandbox: this module starts from Node-only code (the test server's command).
 */
import type { SettingsInput } from '@mcp-agent/core/config';
import { mcpTestServerStdioCommand } from '@mcp-agent/testing';

const testServer = mcpTestServerStdioCommand();

/**
 * Retry policies here exercise each matching rule, with short intervals so that retries take
 * little real time on engines without time skipping. `test` is the in-repo MCP test server.
 */
export const CONFORMANCE_SETTINGS: SettingsInput = {
  execution_engine: 'asyncio',
  temporal: { max_concurrent_activities: 4 },
  workflow_task_retry_policies: {
    'conformance.retry.exact': { maximum_attempts: 2, initial_interval: '10ms' },
    suffix: { maximum_attempts: 3, initial_interval: '10ms' },
    'conformance.retry.prefix.long*': { maximum_attempts: 4, initial_interval: '10ms' },
    'conformance.retry.prefix*': { maximum_attempts: 7, initial_interval: '10ms' },
    '*': { maximum_attempts: 5, initial_interval: '10ms', backoff_coefficient: 1 },
  },
  mcp: {
    servers: {
      test: { transport: 'stdio', command: testServer.command, args: testServer.args },
    },
  },
};
