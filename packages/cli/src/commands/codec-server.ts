/**
 * `mcp-agent codec-server`: serves the codec of `temporal.data_converter` to the Web UI and CLI.
 */
import { DEFAULT_CODEC_SERVER_PORT, startCodecServerFromSettings } from '@mcp-agent/executor-temporal';
import { UsageError, type Command } from '../main.js';
import { CONFIG_OPTION, settingsFrom } from '../settings.js';

const TOKEN_VARIABLE = 'MCP_AGENT_CODEC_SERVER_TOKEN';

export const codecServerCommand: Command = {
  words: ['codec-server'],
  summary: 'serve /encode and /decode with the payload key, for the Temporal Web UI and CLI',
  usage: `usage: mcp-agent codec-server [--port <n>] [--host <address>] [--origin <url>]... [--insecure] [--config <file>]

Decrypts payloads for the Temporal Web UI and the temporal CLI with the key of
temporal.data_converter, and encrypts what they send. Runs until Ctrl-C.

  --port <n>        port to listen on (default ${DEFAULT_CODEC_SERVER_PORT}; 0 picks a free one)
  --host <address>  address to listen on (default 127.0.0.1; another address needs a token)
  --insecure        listen beyond loopback without a token (anyone who reaches it can decrypt)
  --origin <url>    a browser origin allowed to call it, repeatable (default the local Web UI,
                    http://localhost:8233 and http://127.0.0.1:8233)
  --config <file>   mcp_agent.config.yaml to read (default: found from the current folder up)

With ${TOKEN_VARIABLE} set, every call must send "Authorization: Bearer <token>"
(tick "pass access token" in the Web UI; --codec-auth "Bearer <token>" for the temporal CLI).

Then: temporal server start-dev --ui-codec-endpoint <the printed URL>`,
  options: { ...CONFIG_OPTION, port: { type: 'string' }, host: { type: 'string' }, origin: { type: 'string', multiple: true }, insecure: { type: 'boolean' } },
  positionals: { min: 0, max: 0 },
  async run({ values }, io) {
    const portText = (values['port'] as string | undefined) ?? String(DEFAULT_CODEC_SERVER_PORT);
    const port = Number(portText);
    if (!/^\d+$/.test(portText) || port > 65_535) throw new UsageError(`--port: expected a port number from 0 to 65535, got "${portText}"`);
    const origins = values['origin'] as string[] | undefined;
    for (const origin of origins ?? []) {
      if (origin !== '*' && !/^https?:\/\/[^/]+$/.test(origin))
        throw new UsageError(`--origin: expected an origin such as http://localhost:8233 (scheme and host, no path), got "${origin}"`);
    }
    const token = io.env[TOKEN_VARIABLE];
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
    io.stdout(`  CLI:     temporal workflow show --workflow-id <id> --codec-endpoint ${server.url}${token ? ` --codec-auth "Bearer $${TOKEN_VARIABLE}"` : ''}\n`);
    if (!io.signal.aborted) await new Promise<void>((resolve) => io.signal.addEventListener('abort', () => resolve(), { once: true }));
    await server.close();
    io.stdout('codec server stopped\n');
    return 0;
  },
};
