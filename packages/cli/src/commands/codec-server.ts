/**
 * `mcp-agent codec-server`: serves the codec of `temporal.data_converter` to the Web UI and CLI.
 */
import { DEFAULT_CODEC_SERVER_PORT, startCodecServerFromSettings } from '@mcp-agent/executor-temporal';
import { UsageError, type CommandRun } from '../command.js';
import { CODEC_SERVER_TOKEN_VARIABLE } from '../commands.js';
import { settingsFrom } from '../settings.js';

export const codecServer: CommandRun = async ({ values }, io) => {
  const portText = (values['port'] as string | undefined) ?? String(DEFAULT_CODEC_SERVER_PORT);
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65_535) throw new UsageError(`--port: expected a port number from 0 to 65535, got "${portText}"`);
  const origins = values['origin'] as string[] | undefined;
  for (const origin of origins ?? []) {
    if (origin !== '*' && !/^https?:\/\/[^/]+$/.test(origin))
      throw new UsageError(`--origin: expected an origin such as http://localhost:8233 (scheme and host, no path), got "${origin}"`);
  }
  const token = io.env[CODEC_SERVER_TOKEN_VARIABLE];
  const server = await startCodecServerFromSettings(settingsFrom(values, io), {
    port,
    ...(values['host'] === undefined ? {} : { host: values['host'] as string }),
    ...(origins === undefined ? {} : { origins }),
    ...(token === undefined || token === '' ? {} : { token }),
    ...(values['insecure'] === true ? { insecure: true } : {}),
  });
  if (values['insecure'] === true && !token) io.stderr('warning: the codec server listens without a token (--insecure): anyone who can reach it can decrypt payloads\n');
  io.stdout(`codec server listening on ${server.url}${token ? ' (bearer token required)' : ''}\n`);
  io.stdout(`  Web UI:  temporal server start-dev --ui-codec-endpoint ${server.url}\n`);
  io.stdout(`  CLI:     temporal workflow show --workflow-id <id> --codec-endpoint ${server.url}${token ? ` --codec-auth "Bearer $${CODEC_SERVER_TOKEN_VARIABLE}"` : ''}\n`);
  if (!io.signal.aborted) await new Promise<void>((resolve) => io.signal.addEventListener('abort', () => resolve(), { once: true }));
  await server.close();
  io.stdout('codec server stopped\n');
  return 0;
};
