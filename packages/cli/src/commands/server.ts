/**
 * `mcp-agent server start-dev`: the Temporal CLI's dev server, with the CLI found or installed.
 */
import { spawn } from 'node:child_process';
import { UsageError, type CommandRun } from '../command.js';
import { findOrInstallTemporalCli } from '../temporal-cli.js';

const portOf = (value: unknown, flag: string, fallback: number): number => {
  const text = (value as string | undefined) ?? String(fallback);
  const port = Number(text);
  if (!/^\d+$/.test(text) || port < 1 || port > 65_535) throw new UsageError(`${flag}: expected a port number from 1 to 65535, got "${text}"`);
  return port;
};

export const serverStartDev: CommandRun = async ({ values }, io) => {
  const port = portOf(values['port'], '--port', 7233);
  const uiPort = portOf(values['ui-port'], '--ui-port', 8233);
  const headless = values['headless'] === true;
  const ip = (values['ip'] as string | undefined) ?? '127.0.0.1';
  const cli = await findOrInstallTemporalCli({ cwd: io.cwd, env: io.env, progress: io.stderr });
  const args = ['server', 'start-dev', '--port', String(port), '--ip', ip];
  if (headless) args.push('--headless');
  else args.push('--ui-port', String(uiPort));
  if (values['db-filename'] !== undefined) args.push('--db-filename', values['db-filename'] as string);
  if (values['ui-codec-endpoint'] !== undefined) args.push('--ui-codec-endpoint', values['ui-codec-endpoint'] as string);
  io.stdout(`${cli.path} ${args.join(' ')}\n`);
  io.stdout(`Temporal dev server on ${ip}:${port}${headless ? ' (no Web UI)' : `, Web UI at http://localhost:${uiPort}`}; Ctrl-C to stop\n`);
  const child = spawn(cli.path, args, { cwd: io.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.on('data', (chunk: Buffer) => io.stdout(chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => io.stderr(chunk.toString()));
  const stop = (): void => {
    child.kill('SIGTERM');
  };
  io.signal.addEventListener('abort', stop, { once: true });
  const code = await new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (exitCode) => resolve(io.signal.aborted ? 0 : (exitCode ?? 1)));
  });
  io.signal.removeEventListener('abort', stop);
  if (!io.signal.aborted && code !== 0) {
    io.stderr(`the dev server exited with code ${code}; is port ${port}${headless ? '' : ` or ${uiPort}`} taken? (--port, --ui-port)\n`);
  }
  return code;
};
