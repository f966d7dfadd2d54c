// Runs a command as a user's shell would, for the install checks: bounded, its output kept.
import { execFile } from 'node:child_process';

/** How a command ended and what it printed. */
export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `command` in `cwd` without this test runner's variables, killed after `timeout` ms. */
export function run(command: string, args: string[], cwd: string, env: Record<string, string> = {}, timeout = 240_000): Promise<Run> {
  return new Promise((resolve) => {
    // MCP_AGENT_SOURCE_CONDITION (and vitest's own variables) would make the framework resolve the
    // workspace's TypeScript sources.
    const clean = Object.fromEntries(
      Object.entries(process.env).filter(([key]) => !key.startsWith('VITEST') && key !== 'MCP_AGENT_SOURCE_CONDITION' && key !== 'NODE_OPTIONS' && key !== 'TEST'),
    );
    execFile(command, args, { cwd, env: { ...clean, ...env }, timeout, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, stdout, stderr });
    });
  });
}
