// The server section this package owns, validated through core's loader once registered: the
// transport and address, auth from the secrets file, and every problem named with its path.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ConfigError } from '@mcp-agent/core';
import { loadSettings, parseSettings, registeredConfigSections } from '@mcp-agent/core/config';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { authOptionsFromSettings } from './auth.js';
import './config.js';

/** The issues of the ConfigError `parseSettings` throws for `raw`. */
function issues(raw: unknown): string[] {
  try {
    parseSettings(raw);
  } catch (error) {
    if (ConfigError.is(error)) return [...(error.issues ?? [])];
    throw error;
  }
  throw new Error('expected parseSettings to throw a ConfigError');
}

let directory: string;
beforeEach(async () => {
  directory = await mkdtemp(path.join(os.tmpdir(), 'mcp-agent-server-config-'));
});
afterEach(async () => {
  await rm(directory, { recursive: true, force: true });
});

describe('the server section', () => {
  it('is registered by this package', () => {
    expect(registeredConfigSections().get('server')?.owner).toBe('@mcp-agent/server');
  });

  it('accepts every key, numbers written as strings too, and leaves defaults to the command', () => {
    expect(parseSettings({}).server).toBeUndefined();
    expect(parseSettings({ server: {} }).server).toEqual({});
    const settings = parseSettings({
      server: {
        transport: 'http',
        host: '0.0.0.0',
        port: '8080',
        path: '/agents',
        max_payload_bytes: 65536,
        auth: { tokens: ['s3cret-token'], oauth: { issuer: 'https://auth.example.com', resource: 'https://agents.example.com/agents', required_scopes: ['mcp:tools'] } },
      },
    });
    expect(settings.server).toEqual({
      transport: 'http',
      host: '0.0.0.0',
      port: 8080,
      path: '/agents',
      max_payload_bytes: 65536,
      auth: { tokens: ['s3cret-token'], oauth: { issuer: 'https://auth.example.com', resource: 'https://agents.example.com/agents', required_scopes: ['mcp:tools'] } },
    });
    expect(authOptionsFromSettings(settings.server?.auth)).toEqual({
      tokens: ['s3cret-token'],
      oauth: { issuer: 'https://auth.example.com', resource: 'https://agents.example.com/agents', requiredScopes: ['mcp:tools'] },
    });
  });

  it('names each problem with its path and what is allowed', () => {
    expect(
      issues({
        server: {
          transport: 'websocket',
          port: 70000,
          path: '/sse',
          max_payload_bytes: 0,
          auth: { tokens: [''], oauth: { issuer: 'auth.example.com', resource: 'https://agents.example.com/mcp', required_scopes: ['two scopes'] } },
        },
      }),
    ).toEqual([
      'server.transport: expected one of "stdio", "http" or "sse", got "websocket"',
      'server.port: expected a port number from 0 to 65535 (0 picks a free port), got 70000',
      'server.path: expected a path such as "/mcp" (not /sse or /messages, which the SSE transport uses), got "/sse"',
      'server.max_payload_bytes: expected a positive integer, got 0',
      'server.auth.tokens[0]: expected a long random token (e.g. from `openssl rand -hex 32`), got ""',
      'server.auth.oauth.issuer: expected an absolute http:// or https:// URL such as "https://auth.example.com", got "auth.example.com"',
      'server.auth.oauth.required_scopes[0]: expected one scope without spaces, got "two scopes"',
    ]);
  });

  it('refuses a misspelt key, suggesting the right one, so auth is never silently off', () => {
    const [issue] = issues({ server: { auth: { token: ['s3cret'] } } });
    expect(issue).toMatch(/^server\.auth: .*"token".*"tokens"/);
  });

  it('reads auth from the secrets file and the port from the environment', async () => {
    await writeFile(path.join(directory, 'mcp_agent.config.yaml'), 'server:\n  transport: http\n  port: 8000\n');
    await writeFile(path.join(directory, 'mcp_agent.secrets.yaml'), 'server:\n  auth:\n    tokens: ["${AGENT_TOKEN}"]\n');
    const { settings } = loadSettings({ cwd: directory, env: { AGENT_TOKEN: 'from-the-environment', SERVER__PORT: '9000' } });
    expect(settings.server).toEqual({ transport: 'http', port: 9000, auth: { tokens: ['from-the-environment'] } });
  });
});
