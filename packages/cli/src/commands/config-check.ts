/**
 * `mcp-agent config check`: loads the config as an app would and says what it sets up, or what is wrong.
 */
import { MCPAgentError, messageOf } from '@mcp-agent/core';
import type { ProviderSettings } from '@mcp-agent/core/config';
import { encryptionCodecFromSettings, resolveConnection, type ResolvedConnection } from '@mcp-agent/executor-temporal';
import type { Command } from '../main.js';
import { CONFIG_OPTION, loadedSettingsFrom } from '../settings.js';

export const configCheckCommand: Command = {
  words: ['config', 'check'],
  summary: 'validate mcp_agent.config.yaml (and secrets) and summarise what it sets up',
  usage: `usage: mcp-agent config check [--config <file>] [--json] [--strict]

Loads the config file, the secrets file beside it and the environment overrides as an app does,
and checks what is read only at start-up: the Temporal TLS files and the payload encryption key.
Prints a summary (never a secret's value), or every problem with its path. Exit 1 on a problem.
For the Temporal connection it says where each value came from: the config file, Temporal's
environment variables (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TEMPORAL_TLS_*),
a temporal.toml profile (TEMPORAL_PROFILE, TEMPORAL_CONFIG_FILE), or the default.
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
    // Temporal's environment variables and profiles can give the whole connection, so a Temporal app needs no section.
    const usesTemporal = temporal !== undefined || engine === 'temporal';
    const strict = values['strict'] === true || isSet(io.env['CI']);
    // Warnings already start with the file they are about.
    const problems: string[] = strict ? [...loaded.warnings] : [];
    const warnings = strict ? [] : loaded.warnings;
    let encryption: string = 'off';
    let resolved: ResolvedConnection | undefined;
    if (usesTemporal) {
      try {
        resolved = resolveConnection(settings, io.env);
      } catch (error) {
        problems.push(messageOf(error));
      }
      try {
        const codec = encryptionCodecFromSettings(settings);
        if (codec !== undefined)
          encryption = `aes256gcm, key id ${codec.keyId}${codec.keyIds.length > 1 ? ` (+${codec.keyIds.length - 1} previous)` : ''}${temporal?.data_converter?.compress === true ? ', compressed' : ''}`;
      } catch (error) {
        problems.push(messageOf(error));
      }
    }
    const summary = {
      config: loaded.configPath ?? null,
      secrets: loaded.secretsPath ?? null,
      execution_engine: engine,
      temporal: !usesTemporal
        ? null
        : resolved === undefined
          ? // The connection could not be read (its problem is listed): the config file's values.
            {
              address: `${temporal?.host ?? 'localhost'}:${temporal?.port ?? 7233}`,
              namespace: temporal?.namespace ?? 'default',
              task_queue: temporal?.task_queue ?? 'mcp-agent',
              tls: temporal?.tls !== undefined && temporal.tls !== false,
              api_key: temporal?.api_key === undefined ? 'not set' : 'set',
              encryption,
              sources: null,
            }
          : {
              address: resolved.connection.address,
              namespace: resolved.connection.namespace,
              task_queue: resolved.connection.taskQueue,
              // As the connection will have it (an API key turns TLS on).
              tls: resolved.connection.tls !== undefined && resolved.connection.tls !== false,
              api_key: resolved.connection.apiKey === undefined ? 'not set' : 'set',
              encryption,
              sources: {
                address: resolved.sources.address,
                namespace: resolved.sources.namespace,
                api_key: resolved.sources.apiKey,
                tls: resolved.sources.tls,
                rpc_metadata: resolved.sources.metadata,
              },
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
              ...Object.entries(summary.temporal.sources ?? {})
                .filter(([, source]) => source !== 'default')
                .map(([key, source]) => `                  ${key.replace('_', ' ')}: ${source}`),
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
