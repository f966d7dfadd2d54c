/**
 * How failures of the SDK, the transports and HTTP become `McpClientError`s: which code, whether
 * the same request may succeed later (`retryable`), and a message that names the server, what
 * went wrong and what to fix. Pure functions over the thrown values, so that every case can be
 * tested without a server. Internal to this package.
 */
import { existsSync } from 'node:fs';

import { McpClientError, messageOf } from '@mcp-agent/core';
import type { McpContent } from '@mcp-agent/core';
import type { McpServerConfig } from '@mcp-agent/core/config';
import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import { OAuthError } from '@modelcontextprotocol/sdk/server/auth/errors.js';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';

import { HttpResponseTimeoutError } from './server-transport.js';
import type { StderrTail } from './server-transport.js';
import { WaitInterruptedError } from './wait.js';

/** Node system error codes that mean the peer went away. */
export const NETWORK_ERROR_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
]);

/** HTTP statuses after which the same request may succeed later: timeouts, rate limits, server faults. */
export function isRetryableHttpStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/** The message of an `isError` result by which the SDK's `McpServer` reports invalid params. */
const INVALID_PARAMS_RESULT_PREFIX = `MCP error ${ErrorCode.InvalidParams}:`;

/** How a server says it has no such tool (the SDK's `McpServer` and common low-level servers). */
const UNKNOWN_TOOL_PATTERN = /\btool\b[^\n]* (?:not found|disabled)|\bunknown tool\b/i;

/** An error and its causes, outermost first (at most five, so that a cycle ends). */
export function causeChain(error: unknown): unknown[] {
  const chain: unknown[] = [];
  for (let current = error; current !== undefined && current !== null && chain.length < 5; current = (current as { cause?: unknown }).cause) {
    chain.push(current);
  }
  return chain;
}

/** The system error code in an error or its causes (`fetch failed` hides it in `cause`). */
export function systemErrorCode(error: unknown): string | undefined {
  for (const current of causeChain(error)) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}

/**
 * The HTTP status of a failed HTTP exchange: in `code` (`StreamableHTTPError`, `SseError`) or in
 * the message of the SSE transport's POST errors (`Error POSTing to endpoint (HTTP 429): ...`).
 */
export function httpStatusOf(error: unknown): number | undefined {
  for (const current of causeChain(error)) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'number' && code >= 100 && code <= 599) return code;
    const posted = /^Error POSTing to endpoint \(HTTP (\d{3})\)/.exec(messageOf(current));
    if (posted?.[1] !== undefined) return Number(posted[1]);
  }
  return undefined;
}

/** The message of an error and its causes: `fetch failed: connect ECONNREFUSED 127.0.0.1:1`. */
export function fullMessage(error: unknown): string {
  const parts: string[] = [];
  for (const current of causeChain(error)) {
    const message = messageOf(current);
    if (!parts.includes(message)) parts.push(message);
  }
  return parts.join(': ');
}

/** True for errors that mean the connection is gone rather than that the request was bad. */
export function isConnectionGone(error: unknown): boolean {
  if (error instanceof McpError) return error.code === ErrorCode.ConnectionClosed;
  const code = systemErrorCode(error);
  if (code !== undefined && NETWORK_ERROR_CODES.has(code)) return true;
  // Streamable HTTP answers 404 for a session the server no longer knows (it restarted).
  if (httpStatusOf(error) === 404) return true;
  const message = messageOf(error);
  return message === 'Not connected' || message === 'fetch failed' || /SSE stream disconnected/.test(message);
}

/** True when the server answered (with a result or a JSON-RPC error), rather than failed to. */
export function isServerAnswer(error: unknown): boolean {
  return error instanceof McpError && error.code !== ErrorCode.RequestTimeout && error.code !== ErrorCode.ConnectionClosed;
}

/** OAuth error codes after which the same request may succeed later (RFC 6749 §5.2, §4.1.2.1). */
const RETRYABLE_OAUTH_ERRORS: ReadonlySet<string> = new Set(['server_error', 'temporarily_unavailable']);

/**
 * True for a refusal of the client's credentials: an `MCP_AUTH_FAILED`, the SDK's
 * `UnauthorizedError`, an OAuth error answer of an authorization server, or an HTTP 401 or 403
 * from the MCP server.
 */
export function isAuthFailure(error: unknown): boolean {
  for (const current of causeChain(error)) {
    if (McpClientError.is(current) && current.code === 'MCP_AUTH_FAILED') return true;
    if (current instanceof UnauthorizedError || current instanceof OAuthError) return true;
  }
  const status = httpStatusOf(error);
  return status === 401 || status === 403;
}

/**
 * What to do about a refusal of credentials, for messages: log in again for an authorization
 * code client, fix the client credentials for a client credentials one, fix the key or headers
 * for static credentials. Without the config, both ways are named.
 */
export function authAdvice(server: string, config: McpServerConfig | undefined): string {
  const auth = config?.auth;
  const oauth = auth?.oauth !== undefined && auth.oauth.enabled !== false ? auth.oauth : undefined;
  if (oauth?.grant_type === 'identity_assertion') {
    return `check mcp.servers.${server}.auth.oauth (idp_token_endpoint, idp_client_id, client_id, client_secret) and get a fresh ID token from the IdP (id_token, or the app's identityToken)`;
  }
  if (oauth?.grant_type === 'client_credentials') {
    return `check mcp.servers.${server}.auth.oauth (client_id, client_secret or private_key, token_endpoint_auth_method, scopes) and that the authorization server still accepts this client`;
  }
  if (oauth !== undefined) return `run \`mcp-agent auth login ${server}\` to authorize again (the stored tokens were revoked, expired, or lack a scope the server now needs)`;
  if (config !== undefined && auth?.api_key !== undefined) return `fix mcp.servers.${server}.auth.api_key`;
  if (config !== undefined) return `check mcp.servers.${server}.headers (credentials), or configure mcp.servers.${server}.auth (api_key or oauth)`;
  return `run \`mcp-agent auth login ${server}\` (OAuth authorization code) or fix its client credentials (mcp.servers.${server}.auth, headers)`;
}

/**
 * A non-retryable `MCP_AUTH_FAILED` for a refusal of the client's credentials, saying what to do
 * ({@link authAdvice}); retryable only when the authorization server reported a fault of its own
 * (`server_error`, `temporarily_unavailable`). An `McpClientError` is returned as it is.
 */
export function authFailureError(server: string, error: unknown, config?: McpServerConfig): McpClientError {
  if (McpClientError.is(error)) return error;
  const oauthError = causeChain(error).find((current): current is OAuthError => current instanceof OAuthError);
  const status = httpStatusOf(error);
  const what =
    oauthError !== undefined
      ? `the authorization server refused: ${oauthError.errorCode}${oauthError.message === '' ? '' : ` (${oauthError.message})`}`
      : status === 403
        ? `the server refused the credentials (HTTP 403: ${fullMessage(error)})`
        : status === 401
          ? `the server refused the credentials (HTTP 401: ${fullMessage(error)})`
          : `authorization failed: ${fullMessage(error)}`;
  return new McpClientError('MCP_AUTH_FAILED', server, `MCP server "${server}": ${what}; ${authAdvice(server, config)}`, {
    cause: error,
    retryable: oauthError !== undefined && RETRYABLE_OAUTH_ERRORS.has(oauthError.errorCode),
  });
}

/** What a request was about, for messages: `tools/call "echo"`, or `tools/list`. */
export function describeTarget(method: string, target: string | undefined): string {
  return target === undefined ? method : `${method} "${target}"`;
}

/**
 * `; last 3 lines of its stderr:\n  ...` for a stdio server that wrote any, else ''. Waits up to
 * 500 ms for the stream to end, so that a server's last words before it exited are included.
 */
export async function stderrSuffix(stderr: StderrTail | undefined): Promise<string> {
  if (stderr === undefined) return '';
  await stderr.settled(500);
  const lines = stderr.lines();
  return lines.length === 0 ? '' : `; last ${lines.length} line${lines.length === 1 ? '' : 's'} of its stderr:\n${lines.map((line) => `  ${line}`).join('\n')}`;
}

/** A non-retryable `MCP_UNKNOWN_TOOL` for a tool the server says it does not have, quoting it. */
export function unknownToolError(server: string, tool: string, serverMessage: string, cause: unknown): McpClientError {
  return new McpClientError('MCP_UNKNOWN_TOOL', server, `MCP server "${server}" has no tool "${tool}" (it said: ${serverMessage}); call listTools("${server}") for its tools`, {
    cause,
    retryable: false,
  });
}

/** What {@link connectError} needs to know about the failed connect. */
export interface ConnectFailure {
  server: string;
  config: McpServerConfig;
  /** What the server did not do, for messages: `start and answer initialize`. */
  step: string;
  /** The limit of connecting, named in the message when it expired. */
  connectTimeoutMilliseconds: number;
  /** The tail of a stdio server's stderr as {@link stderrSuffix} words it; asked only when quoted. */
  stderr: () => Promise<string>;
}

/**
 * The error of a failed connect: what went wrong, with the command or URL and the fix. A
 * missing or non-executable command, a missing working directory and an HTTP 401 or 403 are
 * not retryable (they need a config change); timeouts, servers that exit during start and
 * unreachable servers are. An `McpClientError` is returned as it is.
 */
export async function connectError(error: unknown, failure: ConnectFailure): Promise<McpClientError> {
  const { server, config, step } = failure;
  if (McpClientError.is(error)) return error;
  const timedOut = (error instanceof WaitInterruptedError && error.by === 'timeout') || (error instanceof McpError && error.code === ErrorCode.RequestTimeout);
  if (timedOut) {
    return new McpClientError(
      'MCP_CONNECT_FAILED',
      server,
      `MCP server "${server}" did not ${step} within ${failure.connectTimeoutMilliseconds} ms (connectTimeoutMilliseconds); ` +
        `check that it starts and speaks MCP on ${config.transport === 'stdio' ? 'stdout' : `${config.url} (${config.transport})`}, or raise connectTimeoutMilliseconds` +
        (await failure.stderr()),
      { cause: error, retryable: true },
    );
  }
  if (config.transport === 'stdio') {
    const code = systemErrorCode(error);
    if (code === 'ENOENT' || code === 'EACCES') {
      const cwdMissing = config.cwd !== undefined && !existsSync(config.cwd);
      const problem = cwdMissing
        ? `its working directory "${config.cwd}" (mcp.servers.${server}.cwd) does not exist; create it or fix cwd`
        : code === 'ENOENT'
          ? `command "${config.command}" was not found; install it or fix mcp.servers.${server}.command (it must be on the PATH or an absolute path)`
          : `command "${config.command}" is not executable; fix its permissions or mcp.servers.${server}.command`;
      return new McpClientError('MCP_CONNECT_FAILED', server, `could not start MCP server "${server}": ${problem}`, { cause: error, retryable: false });
    }
    const stderr = await failure.stderr();
    const exited = error instanceof McpError && error.code === ErrorCode.ConnectionClosed;
    return new McpClientError(
      'MCP_CONNECT_FAILED',
      server,
      exited
        ? `MCP server "${server}" (command "${config.command}") exited during start; check its command, args and env` + (stderr === '' ? ' (it wrote nothing to stderr)' : stderr)
        : `could not start MCP server "${server}" (command "${config.command}"): ${fullMessage(error)}` + stderr,
      { cause: error, retryable: true },
    );
  }
  if (isAuthFailure(error) || /\b401\b|\b403\b|Unauthorized/i.test(fullMessage(error))) return authFailureError(server, error, config);
  return new McpClientError(
    'MCP_CONNECT_FAILED',
    server,
    `could not connect to MCP server "${server}" at ${config.url} (${config.transport}): ${fullMessage(error)}; ` +
      `check that the server is running and that mcp.servers.${server}.url and transport are right`,
    { cause: error, retryable: true },
  );
}

/**
 * A retryable `MCP_TIMEOUT` when a request timed out: the SDK's request timeout (or its maximum
 * total timeout, for a tool that kept sending progress), or no HTTP response within
 * `http_timeout_seconds`. Else undefined.
 *
 * @param what The request, as {@link describeTarget} words it.
 * @param timeout The timeout and where it came from: `500 ms (read_timeout_seconds: 0.5)`.
 */
export function requestTimeoutError(server: string, what: string, error: unknown, timeout: string): McpClientError | undefined {
  if (error instanceof McpError && error.code === ErrorCode.RequestTimeout) {
    const maxTotalTimeout = (error.data as { maxTotalTimeout?: unknown } | undefined)?.maxTotalTimeout;
    return new McpClientError(
      'MCP_TIMEOUT',
      server,
      typeof maxTotalTimeout === 'number'
        ? `MCP server "${server}" kept sending progress but did not answer ${what} within ${maxTotalTimeout} ms in total (maxTotalTimeoutMilliseconds, default 10 times the timeout); ` +
            'pass a larger maxTotalTimeoutMilliseconds for an operation that long'
        : `MCP server "${server}" did not answer ${what} within ${timeout}; the server may be hung or the operation slow: raise mcp.servers.${server}.read_timeout_seconds or pass a longer timeoutMilliseconds`,
      { cause: error, retryable: true },
    );
  }
  const responseTimeout = causeChain(error).find((cause) => cause instanceof HttpResponseTimeoutError);
  if (responseTimeout !== undefined) {
    return new McpClientError('MCP_TIMEOUT', server, `${what}: ${messageOf(responseTimeout)}`, { cause: error, retryable: true });
  }
  return undefined;
}

/**
 * A retryable `MCP_CONNECTION_LOST` for a request whose connection died under it.
 *
 * @param stderr The tail of a stdio server's stderr as {@link stderrSuffix} words it, or ''.
 */
export function connectionLostError(server: string, what: string, error: unknown, stderr: string): McpClientError {
  if (isAuthFailure(error)) return authFailureError(server, error);
  return new McpClientError('MCP_CONNECTION_LOST', server, `lost the connection to MCP server "${server}" during ${what}: ${fullMessage(error)}; the next call reconnects` + stderr, {
    cause: error,
    retryable: true,
  });
}

/**
 * The error of a request that reached the server but failed there, every one `MCP_PROTOCOL_ERROR`
 * but the unknown tool: a JSON-RPC error is the server's answer, InternalError (-32603) included,
 * so the same request most likely fails the same way again (not retryable); an HTTP error status
 * is retryable for 408, 429 and 5xx; an answer the SDK could not use is not.
 */
export function serverAnswerError(server: string, method: string, target: string | undefined, error: unknown): McpClientError {
  const what = describeTarget(method, target);
  if (isAuthFailure(error)) return authFailureError(server, error);
  if (error instanceof McpError) {
    if (method === 'tools/call' && error.code === ErrorCode.InvalidParams && UNKNOWN_TOOL_PATTERN.test(error.message)) {
      return unknownToolError(server, target ?? '', error.message, error);
    }
    const invalid = error.code === ErrorCode.InvalidParams;
    return new McpClientError(
      'MCP_PROTOCOL_ERROR',
      server,
      `MCP server "${server}" rejected ${what}: ${error.message}` + (invalid && method === 'tools/call' ? `; fix the arguments to match the inputSchema of tool "${target}"` : ''),
      { cause: error, retryable: false },
    );
  }
  const status = httpStatusOf(error);
  if (status !== undefined) {
    return new McpClientError('MCP_PROTOCOL_ERROR', server, `MCP server "${server}" failed ${what} with HTTP ${status}: ${fullMessage(error)}`, {
      cause: error,
      retryable: isRetryableHttpStatus(status),
    });
  }
  return new McpClientError('MCP_PROTOCOL_ERROR', server, `MCP server "${server}" sent an unusable answer to ${what}: ${fullMessage(error)}`, {
    cause: error,
    retryable: false,
  });
}

/**
 * The SDK's `McpServer` answers invalid arguments and unknown tools with an `isError` result
 * whose only text starts `MCP error -32602:`. Those are protocol errors, not the tool's own
 * failure: this is the error to raise for such a result (`MCP_UNKNOWN_TOOL` or a non-retryable
 * `MCP_PROTOCOL_ERROR`), and undefined for any other result.
 */
export function invalidParamsResultError(server: string, tool: string, content: readonly McpContent[]): McpClientError | undefined {
  const first = content[0];
  if (content.length !== 1 || first === undefined || first.type !== 'text' || typeof first['text'] !== 'string') return undefined;
  const text = first['text'];
  if (!text.startsWith(INVALID_PARAMS_RESULT_PREFIX)) return undefined;
  if (UNKNOWN_TOOL_PATTERN.test(text)) return unknownToolError(server, tool, text, undefined);
  return new McpClientError('MCP_PROTOCOL_ERROR', server, `MCP server "${server}" rejected the arguments of tool "${tool}": ${text}; fix the arguments to match the tool's inputSchema`, {
    retryable: false,
  });
}
