/**
 * What the benchmarks of this package share: a Temporal dev server of the project's CLI on a free
 * port of 127.0.0.1 (kept in memory, stopped with the benchmark), and the statistics they print.
 */
import { execFileSync, spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';

/** A running dev server. */
export interface DevServer {
  /** `127.0.0.1:<port>`. */
  address: string;
  /** Stops it (SIGTERM, then SIGKILL after 5 s). */
  stop(): Promise<void>;
  /** Kills it at once, for a benchmark that ran out of time. */
  kill(): void;
}

export function elapsedMs(started: bigint): number {
  return Number(process.hrtime.bigint() - started) / 1e6;
}

/** The value at `fraction` of sorted values (nearest rank). */
export function percentile(sorted: readonly number[], fraction: number): number {
  const index = Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1);
  return sorted[Math.max(0, index)] ?? Number.NaN;
}

export function median(values: readonly number[]): number {
  return percentile(
    [...values].sort((left, right) => left - right),
    0.5,
  );
}

/** The Temporal CLI that tools/install-temporal.sh keeps in the project's cache. */
function temporalCliPath(root: string): string {
  const output = execFileSync('bash', [path.join(root, 'tools/install-temporal.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const line = output.split('\n').find((entry) => entry.startsWith('TEMPORAL_CLI_PATH='));
  if (line === undefined) throw new Error('tools/install-temporal.sh printed no TEMPORAL_CLI_PATH');
  return line.slice('TEMPORAL_CLI_PATH='.length);
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

function portOpen(port: number): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * Starts `temporal server start-dev` (headless, in memory) on a free port of 127.0.0.1 and waits
 * until it listens (30 s at most). Its log is kept and shown only when it fails.
 */
export async function startDevServer(root: string): Promise<DevServer> {
  const cli = temporalCliPath(root);
  const port = await freePort();
  const child = spawn(cli, ['server', 'start-dev', '--headless', '--ip', '127.0.0.1', '--port', String(port), '--log-level', 'error'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-8_000);
  });
  const onSignal = (): void => {
    child.kill('SIGKILL');
    process.exit(130);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const server: DevServer = {
    address: `127.0.0.1:${port}`,
    kill: () => child.kill('SIGKILL'),
    async stop() {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break;
    if (await portOpen(port)) return server;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await server.stop();
  throw new Error(`the Temporal dev server did not listen on 127.0.0.1:${port} within 30 s (exit code ${child.exitCode}):\n${log}`);
}
