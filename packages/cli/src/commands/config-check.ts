/**
 * `mcp-agent config check`: loads the config as an app would and says what it sets up, or what is wrong.
 */
import { MCPAgentError, messageOf } from '@mcp-agent/core';
import type { ProviderSettings } from '@mcp-agent/core/config';
import { connectionSettings, encryptionCodecFromSettings, type TemporalConnectionSettings } from '@mcp-agent/executor-temporal';
import type { Command } from '../main.js';
import { CONFIG_OPTION, loadedSettingsFrom } from '../settings.js';

export const configCheckCommand: Command = {
  words: ['config', 'check'],
  summary: 'validate mcp_agent.config.yaml (and secrets) and summarise what it sets up',
  usage: `usage: mcp-agent config check [--config <file>] [--json] [--strict]

Loads the config file, the secrets file beside it and the environment overrides as an app does,
and checks what is read only at start-up: the Temporal TLS files and the payload encryption key.
Prints a summary (never a secret's value), or every problem with its path. Exit 1 on a problem.
Unknown keys (likely typos; the Python project's keys are known) and an empty config file are
warnings, or problems with --strict or when the CI environment variable is set.

  --config <file>  the config to check (default: mcp_agent.config.yaml found from the current folder up)
  --json           the summary as JSON
  --strict         treat warnings as problems (exit 1); on when CI is set`,
  options: { ...CONFIG_OPTION, json: { type: 'boolean' }, strict: { type: 'boolean' } },
  positionals: { min: 0, max: 0 },
  async run({ values }, io) {
    const loaded = loadedSettingsFrom(values, io, { printWarnings: false });
    const settings = loaded.settings;
    const engine = settings.execution_engine ?? 'asyncio';
    const temporal = settings.temporal;
    const strict = values['strict'] === true || isSet(io.env['CI']);
    // Warnings already start with the file they are about.
    const problems: string[] = strict ? [...loaded.warnings] : [];
    const warnings = strict ? [] : loaded.warnings;
    let encryption: string = 'off';
    let connection: TemporalConnectionSettings | undefined;
    if (temporal !== undefined) {
      try {
        connection = connectionSettings(settings);
      } catch (error) {
        problems.push(messageOf(error));
      }
      try {
        const codec = encryptionCodecFromSettings(settings);
        if (codec !== undefined)
          encryption = `aes256gcm, key id ${codec.keyId}${codec.keyIds.length > 1 ? ` (+${codec.keyIds.length - 1} previous)` : ''}${temporal.data_converter?.compress === true ? ', compressed' : ''}`;
      } catch (error) {
        problems.push(messageOf(error));
      }
    }
    const summary = {
      config: loaded.configPath ?? null,
      secrets: loaded.secretsPath ?? null,
      execution_engine: engine,
      temporal:
        temporal === undefined
          ? null
          : {
              address: `${temporal.host}:${temporal.port}`,
              namespace: temporal.namespace,
              task_queue: temporal.task_queue,
              // As the connection will have it (an API key turns TLS on); from the setting when a certificate can't be read.
              tls: connection === undefined ? temporal.tls !== undefined && temporal.tls !== false : connection.tls !== undefined && connection.tls !== false,
              api_key: temporal.api_key === undefined ? 'not set' : 'set',
              encryption,
            },
      mcp_servers: Object.keys(settings.mcp?.servers ?? {}),
      providers: Object.fromEntries(
        (['openai', 'anthropic'] as const)
          .map((name) => [name, settings[name] as ProviderSettings | undefined] as const)
          .filter(([, section]) => section !== undefined)
          .map(([name, section]) => [name, { api_key: section?.api_key === undefined || section.api_key === '' ? 'not set' : 'set', default_model: section?.default_model ?? null }]),
      ),
      warnings,
      problems,
    };
    if (values['json'] === true) io.stdout(`${JSON.stringify(summary, null, 2)}\n`);
    else {
      const lines = [
        `config:           ${summary.config ?? '(none found: defaults)'}`,
        `secrets:          ${summary.secrets ?? '(none)'}`,
        `execution_engine: ${engine}`,
        ...(summary.temporal === null
          ? []
          : [
              `temporal:         ${summary.temporal.address}, namespace ${summary.temporal.namespace}, task queue ${summary.temporal.task_queue}`,
              `                  tls ${summary.temporal.tls ? 'on' : 'off'}, api key ${summary.temporal.api_key}, payload encryption ${summary.temporal.encryption}`,
            ]),
        `mcp servers:      ${summary.mcp_servers.join(', ') || '(none)'}`,
        ...Object.entries(summary.providers).map(([name, provider]) => `${`${name}:`.padEnd(18)}api key ${provider.api_key}, default model ${provider.default_model ?? '(none)'}`),
      ];
      io.stdout(`${lines.join('\n')}\n`);
      for (const warning of warnings) io.stderr(`warning: ${warning}\n`);
      for (const problem of problems) io.stderr(`problem: ${problem}\n`);
      if (problems.length === 0) io.stdout('ok\n');
    }
    if (problems.length > 0) {
      const hint = strict && loaded.warnings.length > 0 ? ` (warnings count as problems with ${values['strict'] === true ? '--strict' : 'CI set'})` : '';
      throw new MCPAgentError('CONFIG_CHECK_FAILED', `${problems.length} problem${problems.length === 1 ? '' : 's'} in the config${hint}`);
    }
    return 0;
  },
};

/** True for a set environment flag such as CI=true or CI=1; unset, empty, "0" and "false" are off. */
function isSet(value: string | undefined): boolean {
  return value !== undefined && value !== '' && value !== '0' && value.toLowerCase() !== 'false';
}
