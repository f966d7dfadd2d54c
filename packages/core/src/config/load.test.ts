import { mkdir, mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError } from '../sandbox/errors.js';
import { findConfigFile, loadSettings, ProviderSettingsSchema, registerConfigSection, type LoadSettingsOptions, type ProviderSettings, type Settings } from './index.js';

// The provider packages register their sections when loaded; these tests read the files they read.
registerConfigSection({ key: 'openai', schema: ProviderSettingsSchema, owner: '@mcp-agent/providers-openai' });
registerConfigSection({ key: 'anthropic', schema: ProviderSettingsSchema, owner: '@mcp-agent/providers-anthropic' });
const provider = (settings: Settings, key: 'openai' | 'anthropic') => settings[key] as ProviderSettings | undefined;

let directory: string;

beforeEach(async () => {
  // realpath: on macOS the temporary directory is reached through a symlink.
  directory = await realpath(await mkdtemp(path.join(os.tmpdir(), 'mcp-agent-config-')));
});

afterEach(async () => {
  await rm(directory, { recursive: true, force: true });
});

/** Writes `text` to `relativePath` under the test directory, creating folders; returns the absolute path. */
async function write(relativePath: string, text: string): Promise<string> {
  const file = path.join(directory, relativePath);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, text);
  return file;
}

/** Loads with the test directory as cwd and an empty environment unless given. */
function load(options: LoadSettingsOptions = {}) {
  return loadSettings({ cwd: directory, env: {}, ...options });
}

/** The ConfigError that `loadSettings` throws. */
function loadError(options: LoadSettingsOptions = {}): ConfigError {
  try {
    load(options);
  } catch (error) {
    if (ConfigError.is(error)) return error;
    throw error;
  }
  throw new Error('expected loadSettings to throw a ConfigError');
}

describe('findConfigFile', () => {
  it('finds the config in a parent of a nested folder', async () => {
    const config = await write('mcp_agent.config.yaml', 'execution_engine: temporal\n');
    const nested = path.join(directory, 'src', 'agents', 'deep');
    await mkdir(nested, { recursive: true });
    expect(findConfigFile(nested)).toBe(config);
  });

  it('prefers the nearest directory', async () => {
    await write('mcp_agent.config.yaml', '{}\n');
    const inner = await write('packages/app/mcp_agent.config.yaml', '{}\n');
    expect(findConfigFile(path.join(directory, 'packages', 'app', 'src'))).toBe(inner);
  });

  it('accepts the .yml extension', async () => {
    const config = await write('mcp_agent.config.yml', '{}\n');
    expect(findConfigFile(directory)).toBe(config);
  });

  it('finds another file name the same way', async () => {
    const secrets = await write('mcp_agent.secrets.yaml', '{}\n');
    expect(findConfigFile(path.join(directory, 'a', 'b'), 'mcp_agent.secrets.yaml')).toBe(secrets);
  });

  it('returns undefined when no directory has the file', () => {
    expect(findConfigFile(directory, 'no-such-config-file-7f3a.yaml')).toBeUndefined();
  });
});

describe('loadSettings files', () => {
  it('loads the config found from a nested cwd', async () => {
    const config = await write('mcp_agent.config.yaml', 'execution_engine: temporal\ntemporal:\n  namespace: dev\n');
    const nested = path.join(directory, 'src', 'agents');
    await mkdir(nested, { recursive: true });
    const loaded = loadSettings({ cwd: nested, env: {} });
    expect(loaded.configPath).toBe(config);
    expect(loaded.settings.execution_engine).toBe('temporal');
    expect(loaded.settings.temporal?.namespace).toBe('dev');
  });

  it('uses defaults when no config file exists', async () => {
    const loaded = load({ configPath: undefined, cwd: await mkdtemp(path.join(directory, 'empty-')) });
    expect(loaded.settings.execution_engine).toBe('asyncio');
    expect(loaded.settings.mcp.servers).toEqual({});
  });

  it('reads an explicit config path relative to cwd', async () => {
    const config = await write('config/production.yaml', 'execution_engine: temporal\n');
    const loaded = load({ configPath: 'config/production.yaml' });
    expect(loaded.configPath).toBe(config);
    expect(loaded.settings.execution_engine).toBe('temporal');
  });

  it('rejects an explicit config path that does not exist, naming it', () => {
    const error = loadError({ configPath: 'missing/mcp_agent.config.yaml' });
    expect(error.message).toBe(`${path.join(directory, 'missing', 'mcp_agent.config.yaml')}: config file not found (the configPath option is "missing/mcp_agent.config.yaml")`);
  });

  it('treats an empty config file as defaults, with a warning; strict makes it an error', async () => {
    await write('mcp_agent.config.yaml', '# nothing configured yet\n');
    const { settings, warnings } = load();
    expect(settings.logger.level).toBe('info');
    expect(warnings).toEqual([
      'mcp_agent.config.yaml: the file has no settings (it is empty or only comments), so defaults apply; add settings such as "execution_engine: asyncio", or remove the file',
    ]);
    expect(loadError({ strict: true }).message).toContain('mcp_agent.config.yaml: the file has no settings');
  });

  it('has no warnings for a config without mistakes, and none for an empty secrets file', async () => {
    await write('mcp_agent.config.yaml', 'execution_engine: asyncio\n');
    await write('mcp_agent.secrets.yaml', '');
    expect(load({ strict: true }).warnings).toEqual([]);
  });

  it('deep-merges the secrets file next to the config', async () => {
    await write(
      'mcp_agent.config.yaml',
      [
        'openai:',
        '  default_model: gpt-4o',
        'mcp:',
        '  servers:',
        '    fetch:',
        '      command: uvx',
        '      args: [mcp-server-fetch]',
        '      env: { LOG_LEVEL: info, REGION: eu }',
      ].join('\n'),
    );
    const secrets = await write(
      'mcp_agent.secrets.yaml',
      ['openai:', '  api_key: sk-from-secrets', 'mcp:', '  servers:', '    fetch:', '      args: [mcp-server-fetch, --verbose]', '      env: { API_TOKEN: t0ken }'].join('\n'),
    );
    const loaded = load();
    expect(loaded.secretsPath).toBe(secrets);
    expect(loaded.settings.openai).toEqual({ default_model: 'gpt-4o', api_key: 'sk-from-secrets' });
    expect(loaded.settings.mcp.servers['fetch']).toMatchObject({
      command: 'uvx',
      args: ['mcp-server-fetch', '--verbose'],
      env: { LOG_LEVEL: 'info', REGION: 'eu', API_TOKEN: 't0ken' },
    });
  });

  it('finds the secrets file from cwd when the config folder has none', async () => {
    await write('config/mcp_agent.config.yaml', 'openai:\n  default_model: gpt-4o\n');
    const secrets = await write('mcp_agent.secrets.yaml', 'openai:\n  api_key: sk-found\n');
    const loaded = load({ configPath: 'config/mcp_agent.config.yaml' });
    expect(loaded.secretsPath).toBe(secrets);
    expect(provider(loaded.settings, 'openai')?.api_key).toBe('sk-found');
  });

  it('rejects an explicit secrets path that does not exist', async () => {
    await write('mcp_agent.config.yaml', '{}\n');
    expect(loadError({ secretsPath: 'nope.yaml' }).message).toContain('secrets file not found (the secretsPath option is "nope.yaml")');
  });

  it('reports a YAML syntax error with file, line and column', async () => {
    await write('mcp_agent.config.yaml', 'execution_engine: temporal\ntemporal:\n  host: localhost: 7233\n');
    const error = loadError();
    expect(error.message).toBe('mcp_agent.config.yaml:3:9: Nested mappings are not allowed in compact mappings');
    expect(error.issues).toEqual(['3:9: Nested mappings are not allowed in compact mappings']);
    expect(error.cause).toBeUndefined();
  });

  it('reports an unexpected token at its line and column', async () => {
    await write('mcp_agent.config.yaml', 'logger:\n  level: info\nmcp: }\n');
    expect(loadError().message).toBe('mcp_agent.config.yaml:3:6: Unexpected flow-map-end token in YAML stream: "}"');
  });

  it('reports a duplicate key with its position', async () => {
    await write('mcp_agent.config.yaml', 'logger:\n  level: info\n  level: debug\n');
    expect(loadError().message).toBe('mcp_agent.config.yaml:3:3: Map keys must be unique');
  });

  it('rejects a file whose top level is not a mapping', async () => {
    await write('mcp_agent.config.yaml', '- execution_engine: temporal\n');
    expect(loadError().message).toBe('mcp_agent.config.yaml: (root): expected a mapping of settings at the top level (for example "execution_engine: asyncio"), got a list');
  });

  it('prefixes validation problems with the config file name', async () => {
    await write('mcp_agent.config.yaml', 'temporal:\n  max_concurrent_activities: abc\n');
    const error = loadError();
    expect(error.message).toBe('mcp_agent.config.yaml: temporal.max_concurrent_activities: expected a number, got "abc"');
    expect(error.issues).toEqual(['temporal.max_concurrent_activities: expected a number, got "abc"']);
  });

  it('says when a bad value came from the secrets file', async () => {
    await write('mcp_agent.config.yaml', 'openai:\n  default_model: gpt-4o\n');
    await write('mcp_agent.secrets.yaml', 'openai:\n  api_key: [not, a, string]\n');
    expect(loadError().message).toBe('mcp_agent.config.yaml: openai.api_key: expected a string, got a list (from mcp_agent.secrets.yaml)');
  });

  it('accepts yes/no/on/off in boolean fields, as PyYAML reads them in the Python project', async () => {
    await write('mcp_agent.config.yaml', 'otel:\n  enabled: yes\n');
    expect(load().settings.otel).toMatchObject({ enabled: true });
    await write('mcp_agent.config.yaml', 'otel:\n  enabled: off\n');
    expect(load().settings.otel).toMatchObject({ enabled: false });
  });

  it('keeps y, no and on as strings in string fields', async () => {
    await write('mcp_agent.config.yaml', 'temporal:\n  namespace: no\nmcp:\n  servers:\n    yes_server:\n      command: y\n      args: [on]\n');
    const { settings } = load();
    expect(settings.temporal?.namespace).toBe('no');
    expect(settings.mcp.servers['yes_server']).toMatchObject({ command: 'y', args: ['on'] });
  });
});

describe('loadSettings interpolation', () => {
  it('substitutes variables and defaults, and unescapes $${...}', async () => {
    await write(
      'mcp_agent.config.yaml',
      [
        'temporal:',
        '  task_queue: ${TASK_QUEUE}',
        '  max_concurrent_activities: ${LIMIT:-30}',
        '  namespace: ${TEMPORAL_NAMESPACE:-default}-${STAGE}',
        'mcp:',
        '  servers:',
        '    shell:',
        '      command: sh',
        '      args: ["-c", "echo $${HOME} ${GREETING}"]',
      ].join('\n'),
    );
    const { settings } = load({ env: { TASK_QUEUE: 'agents', STAGE: 'prod', GREETING: 'hi' } });
    expect(settings.temporal).toMatchObject({ task_queue: 'agents', max_concurrent_activities: 30, namespace: 'default-prod' });
    expect(settings.mcp.servers['shell']?.args).toEqual(['-c', 'echo ${HOME} hi']);
  });

  it('uses the default when the variable is empty, and an empty value without default', async () => {
    await write('mcp_agent.config.yaml', 'openai:\n  base_url: ${BASE_URL:-https://api.openai.com/v1}\n  default_model: x${EMPTY}\n');
    expect(load({ env: { BASE_URL: '', EMPTY: '' } }).settings.openai).toEqual({ base_url: 'https://api.openai.com/v1', default_model: 'x' });
  });

  it('rejects an unset variable without default, naming the variable, the setting and the fix', async () => {
    await write(
      'mcp_agent.config.yaml',
      [
        'temporal:',
        '  host: ${TEMPORAL_HOST}',
        'openai:',
        '  api_key: ${OPENAI_KEY}',
        'mcp:',
        '  servers:',
        '    fetch:',
        '      command: uvx',
        '      env: { TOKEN: "${FETCH_TOKEN}" }',
      ].join('\n'),
    );
    const fix = (name: string) => `set it, or give a default such as \${${name}:-default} (\${${name}:-} for an empty value)`;
    expect(loadError().issues).toEqual([
      `temporal.host: environment variable TEMPORAL_HOST is not set and has no default; ${fix('TEMPORAL_HOST')}`,
      `openai.api_key: environment variable OPENAI_KEY is not set and has no default; ${fix('OPENAI_KEY')}`,
      `mcp.servers.fetch.env.TOKEN: environment variable FETCH_TOKEN is not set and has no default; ${fix('FETCH_TOKEN')}`,
    ]);
    expect(loadError().message).toContain('mcp_agent.config.yaml: temporal.host: environment variable TEMPORAL_HOST is not set');
    const { settings } = load({ env: { TEMPORAL_HOST: 'temporal.internal', OPENAI_KEY: '', FETCH_TOKEN: 't' } });
    expect(settings.temporal?.['host']).toBe('temporal.internal');
    expect(provider(settings, 'openai')?.api_key).toBe('');
  });

  it('rejects an unset variable inside a list', async () => {
    await write('mcp_agent.config.yaml', 'mcp:\n  servers:\n    fetch:\n      command: uvx\n      args: [--token, "${TOKEN}"]\n');
    expect(loadError().message).toBe(
      'mcp_agent.config.yaml: mcp.servers.fetch.args[1]: environment variable TOKEN is not set and has no default; ' +
        'set it, or give a default such as ${TOKEN:-default} (${TOKEN:-} for an empty value)',
    );
  });

  it('interpolates the secrets file too', async () => {
    await write('mcp_agent.secrets.yaml', 'anthropic:\n  api_key: ${VAULT_ANTHROPIC_KEY}\n');
    expect(provider(load({ env: { VAULT_ANTHROPIC_KEY: 'sk-ant-1' } }).settings, 'anthropic')?.api_key).toBe('sk-ant-1');
  });
});

describe('loadSettings environment overrides', () => {
  it('sets nested values from VARIABLE__PATH names, parsing scalars', async () => {
    await write('mcp_agent.config.yaml', 'temporal:\n  task_queue: agents\n  max_concurrent_activities: 4\n');
    const { settings } = load({ env: { TEMPORAL__MAX_CONCURRENT_ACTIVITIES: '8', EXECUTION_ENGINE: 'temporal', OTEL__ENABLED: 'true' } });
    expect(settings.execution_engine).toBe('temporal');
    expect(settings.temporal).toMatchObject({ task_queue: 'agents', max_concurrent_activities: 8 });
    expect(settings.otel).toMatchObject({ enabled: true });
  });

  it('creates sections that the file does not have', () => {
    const { settings } = load({ env: { TEMPORAL__NAMESPACE: 'staging', LOGGER__LEVEL: 'debug' } });
    expect(settings.temporal).toMatchObject({ namespace: 'staging', task_queue: 'mcp-agent' });
    expect(settings.logger.level).toBe('debug');
  });

  it('parses JSON lists and mappings', () => {
    const { settings } = load({
      env: { WORKFLOW_TASK_MODULES: '["./tasks.js", "my-package/tasks"]', MCP__SERVERS: '{"fetch": {"command": "uvx"}}' },
    });
    expect(settings.workflow_task_modules).toEqual(['./tasks.js', 'my-package/tasks']);
    expect(settings.mcp.servers['fetch']?.command).toBe('uvx');
  });

  it('matches nested keys ignoring case', async () => {
    await write('mcp_agent.config.yaml', 'mcp:\n  servers:\n    Fetch:\n      command: uvx\n');
    const { settings } = load({ env: { MCP__SERVERS__FETCH__COMMAND: 'pipx' } });
    expect(Object.keys(settings.mcp.servers)).toEqual(['Fetch']);
    expect(settings.mcp.servers['Fetch']?.command).toBe('pipx');
  });

  it('ignores variables for unknown sections and without the nested delimiter', () => {
    const { settings } = load({ env: { PATH: '/usr/bin', TEMPORAL_HOST: 'ignored', HOME__X: '1' } });
    expect(settings.temporal).toBeUndefined();
    expect(settings['path']).toBeUndefined();
  });

  it('says which variable set a bad value', async () => {
    await write('mcp_agent.config.yaml', 'temporal: {}\n');
    expect(loadError({ env: { TEMPORAL__MAX_CONCURRENT_ACTIVITIES: 'abc' } }).message).toBe(
      'mcp_agent.config.yaml: temporal.max_concurrent_activities: expected a number, got "abc" (from environment variable TEMPORAL__MAX_CONCURRENT_ACTIVITIES)',
    );
  });

  it('names the variable that created a bad section', () => {
    expect(loadError({ env: { EXECUTION_ENGINE__NAME: 'temporal' } }).message).toBe(
      'settings: execution_engine: expected a string, got a mapping (from environment variable EXECUTION_ENGINE__NAME)',
    );
  });

  it('rejects a variable whose path goes through a value that is not a mapping', async () => {
    await write('mcp_agent.config.yaml', 'execution_engine: temporal\n');
    expect(loadError({ env: { EXECUTION_ENGINE__NAME: 'x' } }).message).toBe(
      'mcp_agent.config.yaml: execution_engine: environment variable EXECUTION_ENGINE__NAME sets execution_engine.name, but execution_engine is "temporal", not a mapping',
    );
  });

  it('rejects invalid JSON in a variable', () => {
    expect(loadError({ env: { WORKFLOW_TASK_MODULES: '[oops' } }).message).toMatch(/^settings: workflow_task_modules: environment variable WORKFLOW_TASK_MODULES is not valid JSON \(/);
  });

  it('fills provider API keys from OPENAI_API_KEY and ANTHROPIC_API_KEY when the files set none', async () => {
    await write('mcp_agent.config.yaml', 'openai:\n  default_model: gpt-4o\n');
    const { settings } = load({ env: { OPENAI_API_KEY: 'sk-env', ANTHROPIC_API_KEY: 'sk-ant-env' } });
    expect(settings.openai).toEqual({ default_model: 'gpt-4o', api_key: 'sk-env' });
    expect(settings.anthropic).toEqual({ api_key: 'sk-ant-env' });
  });

  it('keeps the API key of the files over OPENAI_API_KEY', async () => {
    await write('mcp_agent.secrets.yaml', 'openai:\n  api_key: sk-file\n');
    expect(provider(load({ env: { OPENAI_API_KEY: 'sk-env' } }).settings, 'openai')?.api_key).toBe('sk-file');
  });

  it('does not create a provider section without the variable', () => {
    expect(load().settings.openai).toBeUndefined();
  });

  it('applies overrides last', async () => {
    await write('mcp_agent.config.yaml', 'temporal:\n  task_queue: from-file\n  namespace: file\n');
    const { settings } = load({ env: { TEMPORAL__TASK_QUEUE: 'from-env' }, overrides: { temporal: { namespace: 'override' } } });
    expect(settings.temporal).toMatchObject({ task_queue: 'from-env', namespace: 'override' });
  });
});

describe('loadSettings unknown keys', () => {
  it('warns about a misspelt key at the top level and inside a section, suggesting the known one', async () => {
    await write('mcp_agent.config.yaml', 'exectuion_engine: temporal\nlogger:\n  levl: debug\nmcp:\n  servers:\n    fetch:\n      comand: uvx\n      command: uvx\n');
    const { settings, warnings } = load();
    expect(settings.execution_engine).toBe('asyncio');
    expect(warnings).toEqual([
      'mcp_agent.config.yaml: exectuion_engine: unknown key, so it has no effect (did you mean "execution_engine"?)',
      'mcp_agent.config.yaml: logger.levl: unknown key, so it has no effect (did you mean "level"?)',
      'mcp_agent.config.yaml: mcp.servers.fetch.comand: unknown key, so it has no effect (did you mean "command"?)',
    ]);
  });

  it('makes them errors when strict, naming the file, the key and the suggestion', async () => {
    await write('mcp_agent.config.yaml', 'exectuion_engine: temporal\n');
    const error = loadError({ strict: true });
    expect(error.message).toBe('mcp_agent.config.yaml: exectuion_engine: unknown key, so it has no effect (did you mean "execution_engine"?)');
  });

  it('says which file an unknown key came from', async () => {
    await write('mcp_agent.config.yaml', 'execution_engine: asyncio\n');
    await write('mcp_agent.secrets.yaml', 'opneai:\n  api_key: sk-1\n');
    expect(load().warnings).toEqual(['mcp_agent.config.yaml: opneai: unknown key, so it has no effect (did you mean "openai"?) (from mcp_agent.secrets.yaml)']);
  });

  it("accepts the Python project's keys silently", async () => {
    await write(
      'mcp_agent.config.yaml',
      [
        '$schema: ../schema/mcp-agent.config.schema.json',
        'name: agent',
        'usage_telemetry: { enabled: false }',
        'agents: { enabled: true }',
        'google: { api_key: k }',
        'server: { transport: stdio }',
        'temporal: { host: localhost, tls: false, workflow_task_modules: [] }',
        'logger: { progress_display: true, batch_size: 10 }',
        'otel: { service_instance_id: a, path: traces.jsonl }',
        'openai: { reasoning_effort: low, azure_endpoint: "https://x.openai.azure.com" }',
        'anthropic: { provider: bedrock, aws_region: us-east-1 }',
        'mcp:',
        '  servers:',
        '    fetch: { command: uvx, roots: [{ uri: "file:///tmp" }], auth: { api_key: k }, terminate_on_close: true }',
      ].join('\n'),
    );
    expect(load({ strict: true }).warnings).toEqual([]);
  });

  it('checks the sections packages register', async () => {
    registerConfigSection({ key: 'test_section', schema: z.looseObject({ host: z.string().optional() }), owner: 'test' });
    await write('mcp_agent.config.yaml', 'test_section:\n  hots: example.com\n');
    expect(load().warnings).toEqual(['mcp_agent.config.yaml: test_section.hots: unknown key, so it has no effect (did you mean "host"?)']);
  });
});
