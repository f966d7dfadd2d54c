/**
 * Where OAuth tokens and registered clients are kept between runs: a JSON file readable by its
 * owner only (the default), memory, or a store the app supplies. Entries are keyed by server name
 * and URL, so that a server whose URL changed does not get another server's tokens.
 */
import { randomUUID } from 'node:crypto';
import { chmod, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';

import type { OAuthSettings } from '@mcp-agent/core/config';
import type { OAuthClientInformationMixed, OAuthTokens } from '@modelcontextprotocol/sdk/shared/auth.js';

/**
 * What a token store keeps for one server (one {@link oauthStoreKey}).
 *
 * @example
 * ```ts
 * const entry: OAuthStoreEntry = { server: 'search', url: 'https://search.example.com/mcp', updatedAt: new Date().toISOString() };
 * ```
 */
export interface OAuthStoreEntry {
  /** The configured server name. */
  server: string;
  /** The server's URL when the entry was written. */
  url: string;
  /** The tokens as the authorization server sent them (with the SDK's `issuer` stamp). */
  tokens?: OAuthTokens | undefined;
  /** When the access token expires, epoch seconds (from `expires_in` when it was saved). */
  expiresAt?: number | undefined;
  /** A client registered dynamically, or the client ID metadata document URL in use. */
  clientInformation?: OAuthClientInformationMixed | undefined;
  /** Scopes a server asked for (`insufficient_scope`) that the next login should request. */
  requiredScope?: string | undefined;
  /** When the entry was last written, ISO 8601. */
  updatedAt: string;
}

/**
 * Keeps OAuth tokens and client registrations per server key. Implement it to keep tokens in a
 * secret manager; every method may be called concurrently from several connections.
 *
 * @example
 * ```ts
 * const vaultStore: OAuthTokenStore = {
 *   get: async (key) => vault.read(`mcp-oauth/${key}`),
 *   set: async (key, entry) => vault.write(`mcp-oauth/${key}`, entry),
 *   delete: async (key) => vault.remove(`mcp-oauth/${key}`),
 *   keys: async () => vault.list('mcp-oauth/'),
 * };
 * ```
 */
export interface OAuthTokenStore {
  get(key: string): Promise<OAuthStoreEntry | undefined>;
  set(key: string, entry: OAuthStoreEntry): Promise<void>;
  delete(key: string): Promise<void>;
  /** Every key with an entry. */
  keys(): Promise<string[]>;
}

/**
 * The store key of a server: its name and URL, so that a changed URL does not reuse tokens.
 *
 * @example
 * ```ts
 * oauthStoreKey('search', 'https://search.example.com/mcp'); // 'search https://search.example.com/mcp'
 * ```
 */
export function oauthStoreKey(server: string, url: string): string {
  return `${server} ${url}`;
}

/**
 * The default token file: `$XDG_DATA_HOME/mcp-agent/oauth-tokens.json`, else
 * `~/.local/share/mcp-agent/oauth-tokens.json`.
 *
 * @example
 * ```ts
 * defaultTokenStorePath({ XDG_DATA_HOME: '/data' }); // '/data/mcp-agent/oauth-tokens.json'
 * ```
 */
export function defaultTokenStorePath(env: Readonly<Record<string, string | undefined>> = process.env): string {
  const dataHome = env['XDG_DATA_HOME'];
  const base = dataHome !== undefined && dataHome !== '' && path.isAbsolute(dataHome) ? dataHome : path.join(env['HOME'] ?? homedir(), '.local', 'share');
  return path.join(base, 'mcp-agent', 'oauth-tokens.json');
}

/**
 * A store in memory, gone with the process: for tests, and for workers that get tokens by client
 * credentials at every start.
 *
 * @example
 * ```ts
 * const manager = createMcpConnectionManager({ servers, oauth: { tokenStore: createMemoryTokenStore() } });
 * ```
 */
export function createMemoryTokenStore(): OAuthTokenStore {
  const entries = new Map<string, OAuthStoreEntry>();
  const copy = (entry: OAuthStoreEntry): OAuthStoreEntry => structuredClone(entry);
  return {
    get: async (key) => {
      const entry = entries.get(key);
      return entry === undefined ? undefined : copy(entry);
    },
    set: async (key, entry) => {
      entries.set(key, copy(entry));
    },
    delete: async (key) => {
      entries.delete(key);
    },
    keys: async () => [...entries.keys()],
  };
}

interface TokenFile {
  version: 1;
  entries: Record<string, OAuthStoreEntry>;
}

/** The content of a token file, or an error that says how to recover from a broken one. */
function parseTokenFile(file: string, text: string): TokenFile {
  try {
    const parsed = JSON.parse(text) as Partial<TokenFile>;
    return { version: 1, entries: typeof parsed.entries === 'object' && parsed.entries !== null ? parsed.entries : {} };
  } catch (error) {
    throw new Error(`the OAuth token file ${file} is not valid JSON; delete it (the servers will need a new login) or fix it`, { cause: error });
  }
}

/**
 * A store in one JSON file that only its owner may read (mode 0600, in a folder with mode 0700
 * when the store creates it). The file is checked at every `get` (and read again when it changed), so that tokens a login in
 * another process stored are seen, and replaced whole (write, then rename) at every change.
 *
 * @param filePath Default {@link defaultTokenStorePath}.
 * @example
 * ```ts
 * const store = createFileTokenStore('/var/lib/agents/oauth-tokens.json');
 * console.log(await store.keys());
 * ```
 */
export function createFileTokenStore(filePath: string = defaultTokenStorePath()): OAuthTokenStore {
  const file = path.resolve(filePath);
  let writing: Promise<void> = Promise.resolve();

  // The file as last parsed, with what identifies that version of it: a request reads the store
  // several times, and a stat is enough to see that nothing (another process included) changed it.
  let parsed: { inode: number; mtimeMs: number; size: number; content: TokenFile } | undefined;

  const read = async (): Promise<TokenFile> => {
    let text: string;
    try {
      const info = await stat(file);
      if (parsed !== undefined && parsed.inode === info.ino && parsed.mtimeMs === info.mtimeMs && parsed.size === info.size) return structuredClone(parsed.content);
      text = await readFile(file, 'utf8');
      parsed = { inode: info.ino, mtimeMs: info.mtimeMs, size: info.size, content: parseTokenFile(file, text) };
      return structuredClone(parsed.content);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, entries: {} };
      if (!(error as NodeJS.ErrnoException).code) throw error;
      throw new Error(`could not read the OAuth token file ${file}: ${(error as Error).message}; check its permissions, or set oauth.token_store.path`, { cause: error });
    }
  };

  /** Runs one read-change-write after the ones before it, so that concurrent changes are not lost. */
  const change = (apply: (content: TokenFile) => void): Promise<void> => {
    const next = writing.then(async () => {
      const content = await read();
      apply(content);
      const directory = path.dirname(file);
      await mkdir(directory, { recursive: true, mode: 0o700 });
      const temporary = path.join(directory, `.${path.basename(file)}.${randomUUID()}.tmp`);
      try {
        await writeFile(temporary, `${JSON.stringify(content, null, 2)}\n`, { mode: 0o600 });
        await chmod(temporary, 0o600);
        await rename(temporary, file);
      } catch (error) {
        await rm(temporary, { force: true });
        throw new Error(`could not write the OAuth token file ${file}: ${(error as Error).message}; check that its folder is writable, or set oauth.token_store.path`, {
          cause: error,
        });
      }
    });
    writing = next.catch(() => undefined);
    return next;
  };

  return {
    get: async (key) => {
      await writing;
      return (await read()).entries[key];
    },
    set: (key, entry) =>
      change((content) => {
        content.entries[key] = entry;
      }),
    delete: (key) =>
      change((content) => {
        delete content.entries[key];
      }),
    keys: async () => {
      await writing;
      return Object.keys((await read()).entries);
    },
  };
}

/**
 * The store the `oauth.token_store` settings name: `file` (default, at `path` or
 * {@link defaultTokenStorePath}) or `memory`.
 *
 * @example
 * ```ts
 * const store = tokenStoreFromSettings(settings.oauth);
 * ```
 */
export function tokenStoreFromSettings(settings: OAuthSettings | undefined, env: Readonly<Record<string, string | undefined>> = process.env): OAuthTokenStore {
  const backend = settings?.token_store?.backend ?? 'file';
  if (backend === 'memory') return createMemoryTokenStore();
  const configured = settings?.token_store?.path;
  return createFileTokenStore(configured === undefined ? defaultTokenStorePath(env) : configured.replace(/^~(?=$|\/)/, env['HOME'] ?? homedir()));
}
