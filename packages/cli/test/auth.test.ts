// `mcp-agent auth login|status|logout`, run in-process through main(), against the local OAuth
// authorization server and an MCP test server behind a protected-resource front, on 127.0.0.1.
// The "browser" of the login is the test itself: it reads the printed URL, takes the redirect of
// the (auto-approving) authorization server and delivers it to the loopback callback.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createFileTokenStore, createMcpConnectionManager } from '@mcp-agent/mcp-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalAuthorizationServer, startMcpTestHttpServer, startProtectedResourceProxy } from '@mcp-agent/testing';
import type { LocalAuthorizationServer, McpTestHttpServer, ProtectedResourceProxy } from '@mcp-agent/testing';
import { main } from '../src/index.js';

const directory = mkdtempSync(path.join(tmpdir(), 'mcp-agent-cli-auth-'));
const tokenFile = path.join(directory, 'data', 'oauth-tokens.json');
let as: LocalAuthorizationServer;
let upstream: McpTestHttpServer;
let proxy: ProtectedResourceProxy;

beforeAll(async () => {
  as = await startLocalAuthorizationServer({ scopes: ['mcp:tools'] });
  upstream = await startMcpTestHttpServer();
  proxy = await startProtectedResourceProxy({ upstream: upstream.url, authorizationServer: as });
  mkdirSync(path.join(directory, 'app'));
  writeFileSync(
    path.join(directory, 'app', 'mcp_agent.config.yaml'),
    [
      'oauth:',
      `  token_store: { path: ${JSON.stringify(tokenFile)} }`,
      '  loopback_ports: [39517, 39518]',
      '  flow_timeout_seconds: 20',
      'mcp:',
      '  servers:',
      `    api: { transport: streamable_http, url: ${JSON.stringify(proxy.url)}, auth: { oauth: { scopes: [mcp:tools] } } }`,
      '    local: { command: echo }',
      '',
    ].join('\n'),
  );
});

afterAll(async () => {
  await proxy?.close();
  await upstream?.close();
  await as?.close();
  rmSync(directory, { recursive: true, force: true });
});

/** Runs the command line in the app folder; `onStdout` sees everything written so far. */
async function cli(argv: string[], options: { env?: Record<string, string>; onStdout?: (text: string) => void } = {}) {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    stdout: (text) => {
      stdout += text;
      options.onStdout?.(stdout);
    },
    stderr: (text) => {
      stderr += text;
    },
    signal: new AbortController().signal,
    env: { HOME: directory, ...options.env },
    cwd: path.join(directory, 'app'),
  });
  return { code, stdout, stderr };
}

describe('mcp-agent auth', () => {
  it('names the configured servers for a server it does not know or that has no OAuth, with exit 2', async () => {
    const unknown = await cli(['auth', 'login', 'nope']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe('mcp-agent auth login: no MCP server "nope" in mcp.servers; configured servers: api, local (with auth.oauth: api)\n');
    const local = await cli(['auth', 'logout', 'local']);
    expect(local.code).toBe(2);
    expect(local.stderr).toContain('MCP server "local" has no OAuth: add mcp.servers.local.auth.oauth');
  });

  it('logs in through the loopback callback, shows the status without tokens, and logs out', async () => {
    const before = await cli(['auth', 'status']);
    expect(before.code).toBe(0);
    expect(before.stdout).toContain('api  ');
    expect(before.stdout).toContain('not logged in; run `mcp-agent auth login api`');

    let browsed: Promise<void> | undefined;
    const login = await cli(['auth', 'login', 'api', '--no-browser'], {
      onStdout: (text) => {
        const url = /^ {2}(http\S+)$/m.exec(text)?.[1];
        if (url === undefined || browsed !== undefined) return;
        browsed = (async () => {
          const approved = await fetch(url, { redirect: 'manual' });
          const callback = approved.headers.get('location') ?? '';
          expect(callback).toMatch(/^http:\/\/127\.0\.0\.1:3951[78]\/callback\?/);
          expect(await (await fetch(callback)).text()).toContain('You can close this window');
        })();
      },
    });
    await browsed;
    expect(login.stderr).toBe('');
    expect(login.code).toBe(0);
    expect(login.stdout).toContain('Open this URL in a browser to authorize mcp-agent for "api"');
    expect(login.stdout).toMatch(/logged in to "api": scopes mcp:tools; access token expires at \S+ \(in \d+ s\), refreshable\n/);
    expect(login.stdout).toContain(`tokens stored in ${tokenFile}`);
    expect(statSync(tokenFile).mode & 0o777).toBe(0o600);

    const stored = JSON.parse(readFileSync(tokenFile, 'utf8')) as { entries: Record<string, { tokens: { access_token: string; refresh_token: string } }> };
    const tokens = Object.values(stored.entries)[0]?.tokens;
    expect(tokens?.access_token).toEqual(expect.any(String));

    const status = await cli(['auth', 'status', 'api', '--json']);
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toEqual([expect.objectContaining({ server: 'api', url: proxy.url, authorized: true, scopes: 'mcp:tools', refreshable: true })]);
    for (const output of [login.stdout, status.stdout]) {
      expect(output).not.toContain(tokens?.access_token);
      expect(output).not.toContain(tokens?.refresh_token);
    }

    // An app (no browser) finds the tokens the login stored.
    const manager = createMcpConnectionManager({
      servers: { api: { transport: 'streamable_http', url: proxy.url, auth: { oauth: { scopes: ['mcp:tools'] } } } },
      oauth: { tokenStore: createFileTokenStore(tokenFile) },
    });
    try {
      expect((await manager.listTools('api')).map((tool) => tool.name)).toContain('echo');
    } finally {
      await manager.close();
    }

    const logout = await cli(['auth', 'logout', 'api']);
    expect(logout).toMatchObject({ code: 0, stdout: 'logged out of "api": removed 1 stored entry\n' });
    expect((await cli(['auth', 'status'])).stdout).toContain('not logged in');
  });

  it('logs in headlessly with MCP_AGENT_OAUTH_OPENER=headless, for auto-approving servers', async () => {
    const login = await cli(['auth', 'login', 'api'], { env: { MCP_AGENT_OAUTH_OPENER: 'headless' } });
    expect(login.stderr).toBe('');
    expect(login.code).toBe(0);
    expect(login.stdout).not.toContain('Open this URL');
    expect(login.stdout).toContain('logged in to "api"');
    await cli(['auth', 'logout', 'api']);
  });
});
