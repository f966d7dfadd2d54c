/**
 * `mcp-agent auth login|status|logout`: OAuth authorization of the HTTP MCP servers of
 * `mcp.servers` whose config has `auth.oauth`, with the tokens kept in the `oauth.token_store`.
 */
import { spawn } from 'node:child_process';
import { createLogger } from '@mcp-agent/core';
import type { McpServerConfig, Settings } from '@mcp-agent/core/config';
import { headlessAuthorizationOpener, loginToServer, logoutFromServer, oauthStatus, tokenStoreFromSettings } from '@mcp-agent/mcp-client';
import type { OAuthStatus, OpenAuthorizationUrl } from '@mcp-agent/mcp-client';
import { UsageError, type CommandRun } from '../command.js';
import { OAUTH_OPENER_VARIABLE } from '../commands.js';
import { settingsFrom } from '../settings.js';

/** The configured servers with OAuth in effect. */
function oauthServers(settings: Settings): Record<string, McpServerConfig> {
  const servers: Record<string, McpServerConfig> = {};
  for (const [name, config] of Object.entries(settings.mcp?.servers ?? {})) {
    if (config.auth?.oauth !== undefined && config.auth.oauth.enabled !== false && config.transport !== 'stdio' && config.url !== undefined) servers[name] = config;
  }
  return servers;
}

/** The config of a server named on the command line, or a usage error listing the ones that exist. */
function serverNamed(settings: Settings, name: string): McpServerConfig {
  const all = settings.mcp?.servers ?? {};
  const withOauth = Object.keys(oauthServers(settings));
  const listed = (names: string[]): string => (names.length === 0 ? '(none)' : names.join(', '));
  const config = all[name];
  if (config === undefined) {
    throw new UsageError(`no MCP server "${name}" in mcp.servers; configured servers: ${listed(Object.keys(all))} (with auth.oauth: ${listed(withOauth)})`, false);
  }
  if (!withOauth.includes(name)) {
    throw new UsageError(
      `MCP server "${name}" has no OAuth: add mcp.servers.${name}.auth.oauth (an HTTP server's; not enabled: false). Servers with auth.oauth: ${listed(withOauth)}`,
      false,
    );
  }
  return config;
}

/** Opens a URL in the desktop's browser, when the platform has an opener; never fails. */
function openInBrowser(url: string): void {
  const [command, args] =
    process.platform === 'darwin' ? ['open', [url]] : process.platform === 'win32' ? ['cmd', ['/c', 'start', '""', url.replaceAll('&', '^&')]] : ['xdg-open', [url]];
  try {
    const child = spawn(command, args as string[], { detached: true, stdio: 'ignore' });
    child.on('error', () => undefined);
    child.unref();
  } catch {
    // No opener: the printed URL is the way.
  }
}

function describeExpiry(expiresAt: number | undefined): string {
  if (expiresAt === undefined) return 'no expiry given';
  const seconds = Math.round(expiresAt - Date.now() / 1000);
  const when = new Date(expiresAt * 1000).toISOString();
  return seconds <= 0 ? `expired at ${when}` : `expires at ${when} (in ${seconds} s)`;
}

function describeStatus(status: OAuthStatus): string {
  if (!status.authorized) {
    return `${status.server}  ${status.url}\n  not logged in${status.requiredScope === undefined ? '' : ` (the server asked for scopes: ${status.requiredScope})`}; run \`mcp-agent auth login ${status.server}\``;
  }
  return [
    `${status.server}  ${status.url}`,
    `  logged in; access token ${describeExpiry(status.expiresAt)}${status.refreshable ? ', refreshable' : ''}`,
    `  scopes: ${status.scopes ?? '(not stated)'}`,
    ...(status.clientId === undefined ? [] : [`  client: ${status.clientId}`]),
    ...(status.requiredScope === undefined ? [] : [`  the server asked for more scopes (${status.requiredScope}): run \`mcp-agent auth login ${status.server}\``]),
  ].join('\n');
}

function storeDescription(settings: Settings, env: Readonly<Record<string, string | undefined>>): string {
  if (settings.oauth?.token_store?.backend === 'memory') return 'memory';
  return settings.oauth?.token_store?.path ?? `${env['XDG_DATA_HOME'] ? '$XDG_DATA_HOME' : '~/.local/share'}/mcp-agent/oauth-tokens.json`;
}

export const authLogin: CommandRun = async ({ values, positionals }, io) => {
  const name = positionals[0] as string;
  const settings = settingsFrom(values, io);
  const config = serverNamed(settings, name);
  if (settings.oauth?.token_store?.backend === 'memory') {
    throw new Error('oauth.token_store.backend is "memory": the tokens of a login would be gone when this command exits; use the "file" backend (the default) for logins');
  }
  const headless = io.env[OAUTH_OPENER_VARIABLE] === 'headless';
  const openAuthorizationUrl: OpenAuthorizationUrl = headless
    ? headlessAuthorizationOpener()
    : async (url) => {
        io.stdout(`Open this URL in a browser to authorize mcp-agent for "${name}":\n\n  ${url.href}\n\nWaiting for the authorization...\n`);
        if (values['no-browser'] !== true) openInBrowser(url.href);
      };
  const status = await loginToServer(name, config, {
    settings: settings.oauth,
    tokenStore: tokenStoreFromSettings(settings.oauth, io.env),
    openAuthorizationUrl,
    // Progress is printed; the logger says only what went wrong (or everything at debug level).
    logger: createLogger({ level: settings.logger?.level === 'debug' ? 'debug' : 'warning', transports: ['console'] }),
  });
  io.stdout(`logged in to "${name}": scopes ${status.scopes ?? '(not stated)'}; access token ${describeExpiry(status.expiresAt)}${status.refreshable ? ', refreshable' : ''}\n`);
  io.stdout(`tokens stored in ${storeDescription(settings, io.env)}\n`);
  return 0;
};

export const authStatus: CommandRun = async ({ values, positionals }, io) => {
  const settings = settingsFrom(values, io);
  const name = positionals[0];
  const servers = name === undefined ? oauthServers(settings) : { [name]: serverNamed(settings, name) };
  const statuses = await oauthStatus(servers, { settings: settings.oauth, tokenStore: tokenStoreFromSettings(settings.oauth, io.env) });
  if (values['json'] === true) {
    io.stdout(`${JSON.stringify(statuses, null, 2)}\n`);
    return 0;
  }
  if (statuses.length === 0) {
    io.stdout('no MCP server in mcp.servers has auth.oauth\n');
    return 0;
  }
  io.stdout(`${statuses.map(describeStatus).join('\n\n')}\n\ntoken store: ${storeDescription(settings, io.env)}\n`);
  return 0;
};

export const authLogout: CommandRun = async ({ values, positionals }, io) => {
  const name = positionals[0] as string;
  const settings = settingsFrom(values, io);
  const config = serverNamed(settings, name);
  const removed = await logoutFromServer(name, config, { settings: settings.oauth, tokenStore: tokenStoreFromSettings(settings.oauth, io.env) });
  io.stdout(removed === 0 ? `no stored tokens for "${name}"\n` : `logged out of "${name}": removed ${removed} stored entr${removed === 1 ? 'y' : 'ies'}\n`);
  return 0;
};
