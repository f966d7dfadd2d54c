// `mcp-agent config check` says where each Temporal connection value came from: the config file,
// Temporal's environment variables, a temporal.toml profile, or the default.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../src/index.js';

/** Runs the command line with `env` as the whole environment; returns the exit code and what it wrote. */
async function cli(argv: string[], env: Record<string, string>) {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    signal: new AbortController().signal,
    env,
  });
  return { code, stdout, stderr };
}

describe('config check: where the Temporal connection comes from', () => {
  const directory = mkdtempSync(path.join(tmpdir(), 'config-sources-'));
  afterAll(() => rmSync(directory, { recursive: true, force: true }));
  const config = path.join(directory, 'mcp_agent.config.yaml');
  writeFileSync(config, ['execution_engine: temporal', 'temporal:', '  namespace: from-file', '  task_queue: agents', ''].join('\n'));
  const profiles = path.join(directory, 'temporal.toml');
  writeFileSync(profiles, ['[profile.staging]', 'address = "staging.example:7233"', 'namespace = "staging-ns"', 'api_key = "profile-key"', ''].join('\n'));

  it('names the config file, the environment variable and the profile, the file winning', async () => {
    const env = { TEMPORAL_CONFIG_FILE: profiles, TEMPORAL_PROFILE: 'staging', TEMPORAL_ADDRESS: 'env.example:7233' };
    const text = await cli(['config', 'check', '--config', config], env);
    expect(text.stderr).toBe('');
    expect(text.code).toBe(0);
    const lines = text.stdout.split('\n');
    expect(lines).toContain('temporal:         env.example:7233, namespace from-file, task queue agents');
    expect(lines).toContain('                  tls on, api key set, payload encryption off');
    expect(lines).toContain('                  address: environment variable TEMPORAL_ADDRESS');
    expect(lines).toContain('                  namespace: config file');
    expect(lines).toContain(`                  api key: profile "staging" in ${profiles}`);
    expect(lines).toContain('                  tls: implied by the API key');
    expect(text.stdout).not.toContain('profile-key');

    const json = await cli(['config', 'check', '--config', config, '--json'], env);
    expect(JSON.parse(json.stdout).temporal).toEqual({
      address: 'env.example:7233',
      namespace: 'from-file',
      task_queue: 'agents',
      tls: true,
      api_key: 'set',
      encryption: 'off',
      sources: {
        address: 'environment variable TEMPORAL_ADDRESS',
        namespace: 'config file',
        api_key: `profile "staging" in ${profiles}`,
        tls: 'implied by the API key',
        rpc_metadata: 'default',
      },
    });
  });

  it('shows the defaults with no environment, and names a missing profile as a problem', async () => {
    const plain = await cli(['config', 'check', '--config', config, '--json'], {});
    expect(JSON.parse(plain.stdout).temporal).toMatchObject({ address: 'localhost:7233', sources: { address: 'default', namespace: 'config file', api_key: 'default' } });
    const missing = await cli(['config', 'check', '--config', config], { TEMPORAL_CONFIG_FILE: profiles, TEMPORAL_PROFILE: 'prod' });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`problem: cannot read the Temporal profile "prod" in ${profiles}: Profile 'prod' not found in config data`);
  });
});
