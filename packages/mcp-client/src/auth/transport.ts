/**
 * What HTTP transports need for OAuth beyond the SDK's `authProvider` option: a fetch that renews
 * tokens ahead of expiry and notes `insufficient_scope` challenges, and a transport wrapper that
 * sends a request again after an interactive authorization completed (the SDK gives up on it) and
 * turns authorization failures into non-retryable `MCP_AUTH_FAILED` errors that say what to do.
 * Internal to this package.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

import { UnauthorizedError, extractWWWAuthenticateParams } from '@modelcontextprotocol/sdk/client/auth.js';
import type { McpServerConfig } from '@mcp-agent/core/config';
import type { FetchLike, Transport, TransportSendOptions } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';

import { authFailureError, isAuthFailure, isConnectionGone } from '../error-classification.js';
import type { McpOAuthProvider } from './provider.js';

/** True for a request of the MCP protocol (a JSON-RPC POST or the SSE GET), not one to an authorization server. */
function isMcpRequest(init: RequestInit | undefined): boolean {
  const method = (init?.method ?? 'GET').toUpperCase();
  if (method === 'POST') return typeof init?.body === 'string' && init.body.includes('"jsonrpc"');
  return method === 'GET' && (new Headers(init?.headers).get('accept') ?? '').includes('text/event-stream');
}

/** Watches the MCP requests of one transport. */
export interface AuthFetchHooks {
  provider: McpOAuthProvider | undefined;
  /** Called with the status of every 401 or 403 the MCP server answered. */
  onChallenge: (status: number) => void;
}

/** The send a fetch belongs to (the transport's `send` or `start`), to tell its own retries from others' requests. */
interface SendScope {
  readonly id: number;
}

/**
 * One authorization at a time per transport. The first request whose answer is a 401 or 403
 * claims it; the SDK then authorizes and sends that request again. Requests of other sends that
 * are challenged meanwhile wait for it to end and are sent again with the new token, instead of
 * each starting an authorization of its own (they would overwrite each other's PKCE state), and
 * requests that start meanwhile wait before they are sent.
 */
export class AuthorizationGate {
  readonly #scope = new AsyncLocalStorage<SendScope>();
  #nextId = 1;
  /** The sends still running; a request that outlives its send (an event stream) claims nothing. */
  readonly #active = new Set<number>();
  #owner: number | undefined;
  #done: Promise<void> | undefined;
  #release: (() => void) | undefined;

  /** Runs one send in a scope of its own; a claim it made is released when it settles. */
  async run<T>(fn: () => Promise<T>): Promise<T> {
    const scope: SendScope = { id: this.#nextId++ };
    this.#active.add(scope.id);
    try {
      return await this.#scope.run(scope, fn);
    } finally {
      this.#active.delete(scope.id);
      if (this.#owner === scope.id) {
        this.#owner = undefined;
        this.#done = undefined;
        this.#release?.();
        this.#release = undefined;
      }
    }
  }

  /** True when the current request belongs to the send that holds the authorization. */
  #mine(): boolean {
    const scope = this.#scope.getStore();
    return scope !== undefined && scope.id === this.#owner;
  }

  /** Resolves once no other send is authorizing. */
  async wait(): Promise<void> {
    while (this.#done !== undefined && !this.#mine()) await this.#done;
  }

  /**
   * Called with a challenge (401/403): true when the current send now holds the authorization
   * (or already did), false when another send holds it and this request should wait and retry.
   */
  claim(): boolean {
    if (this.#done !== undefined) return this.#mine();
    const scope = this.#scope.getStore();
    if (scope === undefined || !this.#active.has(scope.id)) return true;
    this.#owner = scope.id;
    this.#done = new Promise((resolve) => {
      this.#release = resolve;
    });
    return true;
  }
}

/** `init` with the bearer token of `provider`, when it holds one. */
async function withCurrentToken(init: RequestInit | undefined, provider: McpOAuthProvider): Promise<RequestInit | undefined> {
  const token = (await provider.tokens())?.access_token;
  if (token === undefined) return init;
  const headers = new Headers(init?.headers);
  headers.set('authorization', `Bearer ${token}`);
  return { ...init, headers };
}

/**
 * A fetch for a server's transport: before an MCP request it renews an access token about to
 * expire (and sends the new one); after a 403 `insufficient_scope` it tells the provider which
 * scopes the server wants, so that the SDK's step-up asks for them. With a `gate`, only one
 * request at a time goes through an authorization (see {@link AuthorizationGate}).
 */
export function authAwareFetch(base: FetchLike, hooks: AuthFetchHooks, gate?: AuthorizationGate): FetchLike {
  return async (url, init) => {
    if (!isMcpRequest(init)) return base(url, init);
    const provider = hooks.provider;
    let requestInit = init;
    if (provider !== undefined && gate !== undefined) {
      await gate.wait();
    }
    if (provider !== undefined) {
      const before = (await provider.tokens())?.access_token;
      await provider.refreshIfExpiring();
      const after = (await provider.tokens())?.access_token;
      const headers = new Headers(init?.headers);
      if (after !== undefined && after !== before && headers.get('authorization') === `Bearer ${before}`) {
        headers.set('authorization', `Bearer ${after}`);
        requestInit = { ...init, headers };
      }
    }
    let response = await base(url, requestInit);
    if (provider !== undefined && gate !== undefined && (response.status === 401 || response.status === 403) && !gate.claim()) {
      // Another send is authorizing: wait for it and send this request again with its token.
      await gate.wait();
      response = await base(url, await withCurrentToken(init, provider));
      if ((response.status === 401 || response.status === 403) && !gate.claim()) return response;
    }
    if (response.status === 401 || response.status === 403) {
      hooks.onChallenge(response.status);
      if (response.status === 403 && provider !== undefined) {
        const { error, scope } = extractWWWAuthenticateParams(response);
        if (error === 'insufficient_scope') provider.noteInsufficientScope(scope);
      }
    }
    return response;
  };
}

/**
 * A transport around the SDK's HTTP transport of one server. After an interactive authorization
 * stored tokens, it sends the request that started it again (an SSE transport, which cannot start
 * twice, is made anew); failures of authorization reach the caller as `MCP_AUTH_FAILED`.
 */
export class AuthAwareTransport implements Transport {
  onclose?: (() => void) | undefined;
  onerror?: ((error: Error) => void) | undefined;
  onmessage?: Transport['onmessage'];
  readonly #server: string;
  readonly #config: McpServerConfig;
  readonly #create: () => Transport;
  readonly #provider: McpOAuthProvider | undefined;
  #inner: Transport;
  /** When the server last answered 401 or 403 (epoch milliseconds). */
  #challengedAt = -1;
  /** One authorization at a time, for all the requests of this transport. */
  readonly #gate = new AuthorizationGate();

  constructor(server: string, config: McpServerConfig, provider: McpOAuthProvider | undefined, create: (fetch: FetchLike | undefined) => Transport, base: FetchLike) {
    this.#server = server;
    this.#config = config;
    this.#provider = provider;
    const fetch = authAwareFetch(
      base,
      {
        provider,
        onChallenge: () => {
          this.#challengedAt = Date.now();
        },
      },
      this.#gate,
    );
    this.#create = () => create(fetch);
    this.#inner = this.#create();
    this.#attach(this.#inner);
  }

  /** The SDK transport in use. */
  get inner(): Transport {
    return this.#inner;
  }

  get sessionId(): string | undefined {
    return this.#inner.sessionId;
  }

  setProtocolVersion(version: string): void {
    this.#inner.setProtocolVersion?.(version);
  }

  #attach(inner: Transport): void {
    inner.onclose = () => this.onclose?.();
    inner.onerror = (error) => this.onerror?.(error);
    inner.onmessage = (message, extra) => this.onmessage?.(message, extra);
  }

  start(): Promise<void> {
    return this.#gate.run(() => this.#start());
  }

  async #start(): Promise<void> {
    const started = Date.now();
    try {
      await this.#inner.start();
    } catch (error) {
      if (!(error instanceof UnauthorizedError) || this.#provider?.completedFlowSince(started) !== true) throw this.#classify(error, started);
      const spent = this.#inner;
      spent.onclose = undefined;
      spent.onerror = undefined;
      spent.onmessage = undefined;
      await spent.close().catch(() => undefined);
      this.#inner = this.#create();
      this.#attach(this.#inner);
      try {
        await this.#inner.start();
      } catch (retryError) {
        throw this.#classify(retryError, started);
      }
    }
  }

  send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    return this.#gate.run(() => this.#send(message, options));
  }

  async #send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    const started = Date.now();
    try {
      await this.#inner.send(message, options);
    } catch (error) {
      if (!(error instanceof UnauthorizedError) || this.#provider?.completedFlowSince(started) !== true) throw this.#classify(error, started);
      try {
        await this.#inner.send(message, options);
      } catch (retryError) {
        throw this.#classify(retryError, started);
      }
    }
  }

  close(): Promise<void> {
    return this.#inner.close();
  }

  /**
   * An authorization failure as `MCP_AUTH_FAILED`: a 401/403 the SDK gave up on, or any failure
   * (but a network one) of an authorization the server's challenge started. Else the error as is.
   */
  #classify(error: unknown, started: number): unknown {
    const challenged = this.#challengedAt >= started && !isConnectionGone(error);
    if (!challenged && !isAuthFailure(error)) return error;
    return authFailureError(this.#server, error, this.#config);
  }
}
