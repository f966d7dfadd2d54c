// The command line answers --version, --help and usage errors without loading the Temporal SDK:
// the bin runs in a child process where importing any @temporalio/* package fails.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const bin = path.join(import.meta.dirname, '..', 'bin', 'mcp-agent.js');
const refuseTemporal = path.join(import.meta.dirname, 'fixtures', 'refuse-temporal.mjs');

/** Runs the bin from the sources with the Temporal SDK refused; returns the exit code and output. */
async function withoutTemporal(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const nodeArgs = ['--import', 'tsx', '--conditions=mcp-agent-source', '--import', refuseTemporal, bin, ...args];
  return promisify(execFile)(process.execPath, nodeArgs, { cwd: path.dirname(bin) }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
  );
}

describe('start-up', () => {
  it('prints the version, the help and usage errors without the Temporal SDK', async () => {
    const version = await withoutTemporal(['--version']);
    expect(version).toMatchObject({ code: 0, stdout: '0.1.0\n' });
    const help = await withoutTemporal(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('  workflows history ');
    const ownHelp = await withoutTemporal(['worker', '--help']);
    expect(ownHelp.code).toBe(0);
    expect(ownHelp.stdout).toContain('usage: mcp-agent worker');
    const typo = await withoutTemporal(['workflows', 'list', '--limt', '3']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain("unknown option '--limt' (did you mean --limit?)");
  });

  it('reads the config before it loads the Temporal SDK, and loads it once a command talks to Temporal', async () => {
    const missing = await withoutTemporal(['workflows', 'list', '--config', 'no-such.yaml']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no-such.yaml: config file not found');
    // The guard works: a command that talks to Temporal fails under it.
    const directory = mkdtempSync(path.join(tmpdir(), 'mcp-agent-startup-'));
    try {
      writeFileSync(path.join(directory, 'mcp_agent.config.yaml'), 'execution_engine: temporal\ntemporal:\n  host: 127.0.0.1\n  port: 1\n');
      const list = await withoutTemporal(['workflows', 'list', '--config', path.join(directory, 'mcp_agent.config.yaml')]);
      expect(list.code).toBe(1);
      expect(list.stderr).toContain('the Temporal SDK was loaded: @temporalio/');
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});
