/**
 * The local end of an authorization code flow (RFC 8252 §7.3): a short-lived HTTP server on a
 * loopback address that receives the browser's redirect with `code` and `state`. Internal to
 * this package.
 */
import { createServer } from 'node:http';
import type { Server } from 'node:http';

/** A loopback redirect URI this machine can listen on, or undefined for any other URI. */
export function loopbackTarget(uri: string): { hostname: string; port: number; path: string } | undefined {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' || !['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname) || url.port === '') return undefined;
  return { hostname: url.hostname === 'localhost' ? '127.0.0.1' : url.hostname.replace(/^\[|\]$/g, ''), port: Number(url.port), path: url.pathname };
}

/** A listening loopback callback server. */
export interface LoopbackCallback {
  /** The redirect URI it answers. */
  readonly redirectUrl: string;
  /**
   * The first redirect that reached it (with `code`, or `error`), within `milliseconds`.
   *
   * @throws Error when nothing arrived in time.
   */
  wait(milliseconds: number): Promise<URL>;
  /** Stops listening. Safe to call twice. */
  close(): Promise<void>;
}

const PAGE = (title: string, text: string): string =>
  `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title></head><body style="font-family: sans-serif; margin: 3em"><h1>${title}</h1><p>${text}</p></body></html>`;

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

async function listen(server: Server, hostname: string, port: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const failed = (error: NodeJS.ErrnoException): void => {
      if (error.code === 'EADDRINUSE' || error.code === 'EACCES') resolve(false);
      else reject(error);
    };
    server.once('error', failed);
    server.listen(port, hostname, () => {
      server.off('error', failed);
      resolve(true);
    });
  });
}

/**
 * Listens on the first of `redirectUris` that is a loopback URI with a free port.
 *
 * @returns The callback server, or undefined when none of them could be listened on.
 */
export async function startLoopbackCallback(redirectUris: readonly string[]): Promise<LoopbackCallback | undefined> {
  for (const uri of redirectUris) {
    const target = loopbackTarget(uri);
    if (target === undefined) continue;
    let deliver: (url: URL) => void = () => undefined;
    const received = new Promise<URL>((resolve) => {
      deliver = resolve;
    });
    const server = createServer((request, response) => {
      const url = new URL(request.url ?? '/', uri);
      if (request.method !== 'GET' || url.pathname !== target.path || (!url.searchParams.has('code') && !url.searchParams.has('error'))) {
        response.writeHead(404, { 'content-type': 'text/plain' }).end('not the OAuth callback\n');
        return;
      }
      const error = url.searchParams.get('error');
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      response.end(
        error === null
          ? PAGE('Authorized', 'mcp-agent received the authorization. You can close this window.')
          : PAGE('Authorization failed', `The authorization server answered: ${escapeHtml(error)} ${escapeHtml(url.searchParams.get('error_description') ?? '')}`),
      );
      deliver(url);
    });
    if (!(await listen(server, target.hostname, target.port))) continue;
    let closing: Promise<void> | undefined;
    const close = (): Promise<void> =>
      (closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }));
    return {
      redirectUrl: uri,
      wait: async (milliseconds) => {
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<never>((_, reject) => {
          timer = setTimeout(
            () =>
              reject(new Error(`no authorization arrived at ${uri} within ${Math.round(milliseconds / 1000)} s (oauth.flow_timeout_seconds); open the URL again, or raise the limit`)),
            milliseconds,
          );
        });
        try {
          return await Promise.race([received, timeout]);
        } finally {
          clearTimeout(timer);
        }
      },
      close,
    };
  }
  return undefined;
}
