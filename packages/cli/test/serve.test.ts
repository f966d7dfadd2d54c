// `mcp-agent serve`, run in-process through main(): the client config it prints, the flags and the
// config's server section, the refusal to listen beyond loopback without auth, and a served app
// that answers only callers with the token of the secrets file, until stopped.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { main } from '../src/index.js';

const appModule = path.join(import.meta.dirname, 'app', 'src', 'workflows.ts');
const directory = mkdtempSync(path.join(tmpdir(), 'mcp-agent-cli-serve-'));

afterAll(() => {
  rmSync(directory, { recursive: true, force: true });
});

/** Runs the command line; returns the exit code and what it wrote. */
async function cli(argv: string[], options: { signal?: AbortSignal; onStderr?: (text: string) => void } = {}) {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
      options.onStderr?.(stderr);
    },
    signal: options.signal ?? new AbortController().signal,
    env: {},
    cwd: directory,
  });
  return { code, stdout, stderr };
}

/** Writes mcp_agent.config.yaml (and mcp_agent.secrets.yaml) into a folder of its own; returns the config's path. */
function configFolder(name: string, config: string, secrets?: string): string {
  const folder = path.join(directory, name);
  mkdirSync(folder);
  writeFileSync(path.join(folder, 'mcp_agent.config.yaml'), config);
  if (secrets !== undefined) writeFileSync(path.join(folder, 'mcp_agent.secrets.yaml'), secrets);
  return path.join(folder, 'mcp_agent.config.yaml');
}

describe('mcp-agent serve', () => {
  it('prints the mcpServers entry for a client, for stdio and for HTTP', async () => {
    const stdio = await cli(['serve', '--app', appModule, '--print-config']);
    expect(stdio.code, stdio.stderr).toBe(0);
    expect(JSON.parse(stdio.stdout)).toEqual({ mcpServers: { 'cli-greetings': { command: 'npx', args: ['mcp-agent', 'serve', '--app', appModule], cwd: directory } } });
    const http = await cli(['serve', '--app', appModule, '--print-config', '--transport', 'http', '--host', 'localhost', '--port', '9100', '--path', '/agents']);
    expect(JSON.parse(http.stdout)).toEqual({ mcpServers: { 'cli-greetings': { url: 'http://localhost:9100/agents' } } });
    const sse = await cli(['serve', '--app', appModule, '--print-config', '--transport', 'sse', '--host', '0.0.0.0']);
    expect(JSON.parse(sse.stdout)).toEqual({ mcpServers: { 'cli-greetings': { url: 'http://127.0.0.1:8000/sse' } } });
  });

  it('names wrong flags and config values, with exit code 2 or 1', async () => {
    const transport = await cli(['serve', '--app', appModule, '--transport', 'websocket']);
    expect(transport.code).toBe(2);
    expect(transport.stderr).toContain('--transport: expected stdio, http or sse, got "websocket"');
    expect(transport.stderr).toContain('usage: mcp-agent serve');
    expect((await cli(['serve', '--app', appModule, '--port', 'eighty'])).stderr).toContain('--port: expected a port number from 0 to 65535, got "eighty"');
    expect((await cli(['serve', '--app', appModule, '--path', '/sse'])).stderr).toContain('--path: expected a path such as /mcp (not /sse or /messages');
    const config = configFolder('bad', 'server:\n  port: abc\n  transprot: http\n');
    const bad = await cli(['serve', '--app', appModule, '--config', config]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('server.port: expected a number, got "abc"');
    expect(bad.stderr).toMatch(/server: .*"transprot".*"transport"/);
  });

  it('refuses to listen beyond loopback without auth, unless --insecure (with a warning)', async () => {
    const refused = await cli(['serve', '--app', appModule, '--transport', 'http', '--host', '0.0.0.0', '--port', '0']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('listening on 0.0.0.0 without auth lets anyone who can reach it run and cancel workflows');
    expect(refused.stderr).not.toContain('usage:');
    const stop = new AbortController();
    const running = cli(['serve', '--app', appModule, '--transport', 'http', '--host', '0.0.0.0', '--port', '0', '--insecure'], {
      signal: stop.signal,
      onStderr: (text) => {
        if (text.includes('Streamable HTTP:')) stop.abort();
      },
    });
    const finished = await running;
    expect(finished.code, finished.stderr).toBe(0);
    expect(finished.stderr).toContain('warning: serving on 0.0.0.0 without auth (--insecure)');
    expect(finished.stderr).toContain('server stopped');
  });

  it('serves with the config’s server section, the token of the secrets file required, until stopped', async () => {
    const config = configFolder(
      'served',
      'server:\n  transport: http\n  port: 0\n  path: /agents\n  max_payload_bytes: 2000\nlogger:\n  level: error\n',
      'server:\n  auth:\n    tokens: [cli-serve-token]\n',
    );
    const stop = new AbortController();
    let announced: (url: string) => void = () => undefined;
    const url = new Promise<string>((resolve) => {
      announced = resolve;
    });
    const running = cli(['serve', '--app', appModule, '--config', config], {
      signal: stop.signal,
      onStderr: (text) => {
        const found = /Streamable HTTP: (\S+)/.exec(text)?.[1];
        if (found !== undefined) announced(found);
      },
    });
    const endpoint = await url;
    expect(endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/agents$/);
    const refused = await fetch(endpoint, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(refused.status).toBe(401);
    const client = new Client({ name: 'cli-serve-test', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(endpoint), { requestInit: { headers: { authorization: 'Bearer cli-serve-token' } } }));
    try {
      const started = (await client.callTool({ name: 'workflows-GreetingWorkflow-run', arguments: { input: 'ada' } })) as CallToolResult;
      expect(started.isError, JSON.stringify(started.content)).not.toBe(true);
      const ids = started.structuredContent as { workflow_id: string; run_id: string };
      const status = await vi.waitFor(
        async () => {
          const result = (await client.callTool({ name: 'workflows-get_status', arguments: ids })) as CallToolResult;
          expect(result.structuredContent?.['status']).toBe('completed');
          return result.structuredContent;
        },
        { timeout: 20_000, interval: 100 },
      );
      expect(status).toMatchObject({ result: { value: 'hello ada' } });
      // max_payload_bytes of the config.
      const large = (await client.callTool({ name: 'workflows-GreetingWorkflow-run', arguments: { input: 'x'.repeat(3_000) } })) as CallToolResult;
      expect(large.isError).toBe(true);
      expect((large.content[0] as { text: string }).text).toMatch(/over the limit of 2000/);
    } finally {
      await client.close();
    }
    stop.abort();
    const finished = await running;
    expect(finished.code, finished.stderr).toBe(0);
    expect(finished.stderr).toContain('serving cli-greetings (GreetingWorkflow, WaitingWorkflow) on asyncio (auth required)');
    expect(finished.stderr).toContain('server stopped');
    expect(finished.stdout).toBe('');
  });
});
