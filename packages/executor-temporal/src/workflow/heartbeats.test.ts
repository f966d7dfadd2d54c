// Which tasks the worker heartbeats for, and the heartbeat timeout they get by default.
import { describe, expect, it } from 'vitest';
import { DEFAULT_HEARTBEAT_TIMEOUT_SECONDS, defaultHeartbeatTimeoutMs, heartbeatsWhileRunning } from './heartbeats.js';

describe('heartbeats of model, embedding and MCP tasks', () => {
  it('covers the model, embedding and MCP tasks and nothing else', () => {
    for (const name of ['llm.openai.complete', 'llm.mcp-sampling.complete', 'embedding.openai.embed', 'mcp.callTool', 'mcp.listTools', 'mcp.readResource']) {
      expect(heartbeatsWhileRunning(name), name).toBe(true);
    }
    for (const name of ['human_input.request', 'Report.fetch', 'llm.openai', 'mcp.somethingElse', 'embedding.openai.complete']) {
      expect(heartbeatsWhileRunning(name), name).toBe(false);
    }
  });

  it('gives them temporal.heartbeat_timeout_seconds, 30 seconds by default, none when it is 0', () => {
    expect(DEFAULT_HEARTBEAT_TIMEOUT_SECONDS).toBe(30);
    expect(defaultHeartbeatTimeoutMs('llm.openai.complete', undefined)).toBe(30_000);
    expect(defaultHeartbeatTimeoutMs('mcp.callTool', 2.5)).toBe(2_500);
    expect(defaultHeartbeatTimeoutMs('embedding.openai.embed', 0)).toBeUndefined();
    expect(defaultHeartbeatTimeoutMs('Report.fetch', 10)).toBeUndefined();
  });
});
