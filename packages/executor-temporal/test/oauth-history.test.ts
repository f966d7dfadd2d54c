// An agent inside a Temporal workflow calls a tool of a Streamable HTTP MCP server that requires
// OAuth (the local authorization server and protected-resource front of @mcp-agent/testing, the
// client credentials grant). The worker's MCP client gets the token in the activity; the run
// completes with the tool's answer, and neither the access tokens the authorization server issued
// nor the client secret appear in the workflow's history (every payload decoded) or in any line
// the app and the worker logged.
import { randomBytes } from 'node:crypto';

import { createLogger, type AppServices, type LogRecord } from '@mcp-agent/core';
import { parseSettings } from '@mcp-agent/core/config';
import { createAppServices } from '@mcp-agent/core/engine';
import { createMemoryTokenStore } from '@mcp-agent/mcp-client';
import {
  startLocalAuthorizationServer,
  startMcpTestHttpServer,
  startProtectedResourceProxy,
  type LocalAuthorizationServer,
  type McpTestHttpServer,
  type ProtectedResourceProxy,
} from '@mcp-agent/testing';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';

import { createTemporalEngine, type TemporalExecutor } from '../src/index.js';
import { oauthHistoryApp, ProtectedEchoWorkflow } from './fixtures/oauth-history-workflows.js';

const CLIENT_ID = 'temporal-worker';
/** Distinctive, and free of characters JSON or form encoding would change, so a verbatim search finds it. */
const CLIENT_SECRET = `cs_${randomBytes(16).toString('hex')}_never_in_history`;

/**
 * Everything in a fetched history as one string, every byte field (payload data and metadata,
 * headers, memo, search attributes, failures) decoded as UTF-8, so a secret carried in any
 * payload shows verbatim. (JSON.stringify alone would run the protobuf messages' toJSON, which
 * writes bytes as base64.)
 */
function historyText(history: unknown): string {
  const plain = (value: unknown): unknown => {
    if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('utf8');
    if (Array.isArray(value)) return value.map(plain);
    if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, plain(item)]));
    return value;
  };
  return JSON.stringify(plain(history));
}

/** Every log line as one string, errors with their message and stack. */
function logText(records: readonly LogRecord[]): string {
  return JSON.stringify(records, (_key, value: unknown) => (value instanceof Error ? { name: value.name, message: value.message, stack: value.stack, cause: value.cause } : value));
}

/** The strings that must not appear: each token, the secret, and the Basic credentials that carry it. */
function secretsOf(tokens: readonly string[]): Array<[string, string]> {
  const basic = Buffer.from(`${encodeURIComponent(CLIENT_ID)}:${encodeURIComponent(CLIENT_SECRET)}`).toString('base64');
  return [...tokens.map((token, index): [string, string] => [`token #${index + 1}`, token]), ['client_secret', CLIENT_SECRET], ['Basic credentials', basic]];
}

describe('OAuth credentials of an MCP server, on Temporal', { timeout: 30_000 }, () => {
  const records: LogRecord[] = [];
  const logger = createLogger({ level: 'debug', sink: (record) => records.push(record) });
  const tokenStore = createMemoryTokenStore();
  let as: LocalAuthorizationServer;
  let upstream: McpTestHttpServer;
  let proxy: ProtectedResourceProxy;
  let services: AppServices | undefined;
  let executor: TemporalExecutor | undefined;

  beforeAll(async () => {
    as = await startLocalAuthorizationServer({
      scopes: ['mcp:tools'],
      clients: [{ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, scopes: ['mcp:tools'], tokenEndpointAuthMethod: 'client_secret_basic' }],
    });
    upstream = await startMcpTestHttpServer({ transport: 'streamable_http' });
    proxy = await startProtectedResourceProxy({ upstream: upstream.url, authorizationServer: as, requiredScopes: () => ['mcp:tools'] });
    const settings = parseSettings(
      {
        execution_engine: 'temporal',
        mcp: {
          servers: {
            protected: {
              transport: 'streamable_http',
              url: proxy.url,
              auth: {
                oauth: { grant_type: 'client_credentials', client_id: CLIENT_ID, client_secret: CLIENT_SECRET, token_endpoint_auth_method: 'client_secret_basic', scopes: ['mcp:tools'] },
              },
            },
          },
        },
        oauth: { token_store: { backend: 'memory' } },
      },
      'oauth-history',
    );
    services = await createAppServices({ registry: oauthHistoryApp.registry, settings, logger, llmProviders: [], mcpClient: { oauth: { tokenStore } } });
    executor = (await createTemporalEngine({
      address: inject('temporalAddress'),
      worker: { workflowsPath: new URL('./fixtures/oauth-history-workflows.ts', import.meta.url), taskQueue: `oauth-history-${process.pid}` },
    }).createExecutor({ appName: oauthHistoryApp.name, registry: oauthHistoryApp.registry, settings, logger, tasks: services.tasks })) as TemporalExecutor;
  });

  afterAll(async () => {
    await executor?.close();
    await services?.close();
    await proxy?.close();
    await upstream?.close();
    await as?.close();
  });

  it('completes with the tool result while no token and no client secret reach the history or the logs', async () => {
    if (executor === undefined) throw new Error('the executor did not start');
    const marker = `protected answer ${randomBytes(6).toString('hex')}`;
    const workflowId = `oauth-history-${Date.now()}`;
    const result = await executor.executeWorkflow(ProtectedEchoWorkflow, { text: marker }, { workflowId });
    expect(result.value?.tools).toContain('protected_echo');
    expect(result.value?.text).toBe(marker);

    // The server was reached with tokens the authorization server issued by client credentials.
    const tokenRequests = as.requests.filter((request) => request.endpoint === 'token');
    expect(tokenRequests.length).toBeGreaterThan(0);
    expect(tokenRequests.every((request) => request.grantType === 'client_credentials' && request.clientId === CLIENT_ID && request.error === undefined)).toBe(true);
    const stored = await Promise.all((await tokenStore.keys()).map((key) => tokenStore.get(key)));
    const tokens = [
      ...new Set([
        ...proxy.tokensSeen,
        ...stored.flatMap((entry) => [entry?.tokens?.access_token, entry?.tokens?.refresh_token].filter((token): token is string => typeof token === 'string')),
      ]),
    ];
    expect(tokens.length).toBeGreaterThan(0);
    for (const token of tokens) {
      expect(token.length).toBeGreaterThan(20);
      expect(as.verifyToken(token)?.client_id).toBe(CLIENT_ID);
    }

    const history = await executor.client.workflow.getHandle(workflowId).fetchHistory();
    const scheduled = (history.events ?? []).flatMap((event) => event.activityTaskScheduledEventAttributes?.activityType?.name ?? []);
    expect(scheduled).toEqual(expect.arrayContaining(['mcp.listTools', 'mcp.callTool']));
    const recorded = historyText(history);
    // The search finds what a payload carries: the tool's answer is in a recorded activity result
    // (besides the workflow's input and result and the tool call's arguments).
    const activityResults = historyText((history.events ?? []).map((event) => event.activityTaskCompletedEventAttributes?.result));
    expect(activityResults).toContain(marker);
    expect(recorded.split(marker).length - 1).toBeGreaterThanOrEqual(4);
    const logged = logText(records);
    // The capture holds the MCP client's OAuth lines and the Temporal worker's own lines.
    expect(records.some((record) => record.namespace.endsWith('.mcp') && record.message.includes('OAuth tokens for MCP server "protected"'))).toBe(true);
    const temporalLines = (): string[] => records.filter((record) => record.namespace.endsWith('.temporal')).map((record) => record.message);
    await vi.waitFor(() => expect(temporalLines(), `the Temporal worker's lines: ${[...new Set(temporalLines())].slice(0, 20).join(' | ')}`).toContain('Starting activity'), {
      timeout: 5_000,
    });

    for (const [what, secret] of secretsOf(tokens)) {
      expect(secret.length, what).toBeGreaterThan(0);
      expect(recorded.includes(secret), `${what} is in the workflow history`).toBe(false);
      expect(logged.includes(secret), `${what} is in the logs`).toBe(false);
    }
  });
});
