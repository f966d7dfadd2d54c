// Starts one Temporal dev server for every test file of a package (unless one is given by
// MCP_AGENT_TEMPORAL_ADDRESS), on loopback, and stops it at the end. Used as vitest globalSetup.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    temporalCliPath: string;
    temporalTestServerPath: string;
  }
}

/** The CLI and the test server, installed into .cache/temporal by the project's script. */
export function temporalBinaries(): { cli: string; testServer: string } {
  const output = execFileSync('bash', [path.join(ROOT, 'tools/install-temporal.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const value = (key: string): string => {
    const line = output.split('\n').find((entry) => entry.startsWith(`${key}=`));
    if (line === undefined) throw new Error(`tools/install-temporal.sh printed no ${key}`);
    return line.slice(key.length + 1);
  };
  return { cli: value('TEMPORAL_CLI_PATH'), testServer: value('TEMPORAL_TEST_SERVER_PATH') };
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, milliseconds: number, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + milliseconds;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`temporal server start-dev exited with code ${child.exitCode}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the Temporal dev server did not listen on 127.0.0.1:${port} within ${milliseconds} ms`);
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const { cli, testServer } = temporalBinaries();
  project.provide('temporalCliPath', cli);
  project.provide('temporalTestServerPath', testServer);
  const given = process.env.MCP_AGENT_TEMPORAL_ADDRESS;
  if (given !== undefined && given !== '') {
    project.provide('temporalAddress', given);
    return async () => undefined;
  }
  const port = await freePort();
  const child = spawn(cli, ['server', 'start-dev', '--headless', '--ip', '127.0.0.1', '--port', String(port), '--log-level', 'error'], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  await waitForPort(port, 30_000, child);
  project.provide('temporalAddress', `127.0.0.1:${port}`);
  return async () => {
    child.kill('SIGTERM');
    await new Promise((resolve) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        resolve(undefined);
      }, 5_000);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve(undefined);
      });
    });
  };
}
