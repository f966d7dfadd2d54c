// The classification of SDK, transport and HTTP failures into McpClientErrors, case by case, on
// errors built as the SDK and Node throw them. The connection-manager tests see the same cases
// through real servers; these pin the code, the retry flag and the message of each one.
import { PassThrough } from 'node:stream';

import { McpClientError } from '@mcp-agent/core';
import type { McpServerConfig } from '@mcp-agent/core/config';
import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import { SseError } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { InvalidClientError, InvalidGrantError, ServerError } from '@modelcontextprotocol/sdk/server/auth/errors.js';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';

import {
  authAdvice,
  authFailureError,
  causeChain,
  connectError,
  connectionLostError,
  describeTarget,
  fullMessage,
  httpStatusOf,
  invalidParamsResultError,
  isAuthFailure,
  isConnectionGone,
  isRetryableHttpStatus,
  isServerAnswer,
  requestTimeoutError,
  serverAnswerError,
  stderrSuffix,
  systemErrorCode,
} from './error-classification.js';
import type { ConnectFailure } from './error-classification.js';
import { ServerRegistry } from './server-registry.js';
import { HttpResponseTimeoutError, StderrTail } from './server-transport.js';
import { WaitInterruptedError } from './wait.js';

/** A Node system error, as `net` raises it. */
function systemError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

/** What undici's fetch throws when it cannot connect: the system error is the cause. */
function fetchFailed(code: string): TypeError {
  return new TypeError('fetch failed', { cause: systemError(code, `connect ${code} 127.0.0.1:1`) });
}

/** What the SSE transport raises when its GET fails: the HTTP status in `code` (the event is not read). */
function sseError(status: number, message: string): SseError {
  return new SseError(status, message, undefined as never);
}

/** Validated configs of a stdio server and a Streamable HTTP server, both named "fetch". */
const STDIO = new ServerRegistry({ fetch: { command: 'mcp-server-fetch' } }).get('fetch');
const HTTP = new ServerRegistry({ fetch: { transport: 'streamable_http', url: 'http://127.0.0.1:8000/mcp' } }).get('fetch');

/** A connect failure of server "fetch" at the start of a stdio server, with the given stderr. */
function failure(config: McpServerConfig, stderr = ''): ConnectFailure {
  return { server: 'fetch', config, step: 'start and answer initialize', connectTimeoutMilliseconds: 1_000, stderr: async () => stderr };
}

describe('the parts of an error', () => {
  it('walks the cause chain outermost first, at most five deep (a cycle ends)', () => {
    const inner = new Error('inner');
    const outer = new Error('outer', { cause: inner });
    expect(causeChain(outer)).toEqual([outer, inner]);
    expect(causeChain(undefined)).toEqual([]);
    const cyclic = new Error('cyclic');
    (cyclic as { cause?: unknown }).cause = cyclic;
    expect(causeChain(cyclic)).toHaveLength(5);
  });

  it('finds the system error code in the causes', () => {
    expect(systemErrorCode(fetchFailed('ECONNREFUSED'))).toBe('ECONNREFUSED');
    expect(systemErrorCode(new Error('no code'))).toBeUndefined();
  });

  it('finds the HTTP status in code or in the message of an SSE POST', () => {
    expect(httpStatusOf(new StreamableHTTPError(401, 'Unauthorized'))).toBe(401);
    expect(httpStatusOf(sseError(503, 'Service Unavailable'))).toBe(503);
    expect(httpStatusOf(new Error('wrapped', { cause: new Error('Error POSTing to endpoint (HTTP 429): Too Many Requests') }))).toBe(429);
    // JSON-RPC codes are negative, system codes strings: neither is an HTTP status.
    expect(httpStatusOf(new McpError(ErrorCode.InternalError, 'boom'))).toBeUndefined();
    expect(httpStatusOf(fetchFailed('ECONNRESET'))).toBeUndefined();
  });

  it('joins the messages of the causes, each once', () => {
    expect(fullMessage(fetchFailed('ECONNREFUSED'))).toBe('fetch failed: connect ECONNREFUSED 127.0.0.1:1');
    expect(fullMessage(new Error('same', { cause: new Error('same') }))).toBe('same');
  });

  it('describes a request with or without its target', () => {
    expect(describeTarget('tools/call', 'echo')).toBe('tools/call "echo"');
    expect(describeTarget('tools/list', undefined)).toBe('tools/list');
  });
});

describe('isRetryableHttpStatus', () => {
  it.each([408, 429, 500, 502, 503, 504])('HTTP %i may succeed later', (status) => {
    expect(isRetryableHttpStatus(status)).toBe(true);
  });

  it.each([400, 401, 403, 404, 422])('HTTP %i will not', (status) => {
    expect(isRetryableHttpStatus(status)).toBe(false);
  });
});

describe('isConnectionGone and isServerAnswer', () => {
  it.each([
    ['connection refused', fetchFailed('ECONNREFUSED')],
    ['connection reset', fetchFailed('ECONNRESET')],
    ['a broken pipe', systemError('EPIPE', 'write EPIPE')],
    ['an unknown host', fetchFailed('ENOTFOUND')],
    ['a closed socket (undici)', new TypeError('terminated', { cause: systemError('UND_ERR_SOCKET', 'other side closed') })],
    ['the SDK closing the connection', new McpError(ErrorCode.ConnectionClosed, 'Connection closed')],
    ['a Streamable HTTP session the server no longer knows (404)', new StreamableHTTPError(404, 'Session not found')],
    ['a transport that is not connected', new Error('Not connected')],
    ['a bare fetch failure', new TypeError('fetch failed')],
    ['a broken SSE stream', new Error('SSE stream disconnected: TypeError: terminated')],
  ])('the connection is gone after %s, and the server did not answer', (_, error) => {
    expect(isConnectionGone(error)).toBe(true);
    expect(isServerAnswer(error)).toBe(false);
  });

  it.each([
    ['a JSON-RPC internal error', new McpError(ErrorCode.InternalError, 'the handler exploded')],
    ['invalid params', new McpError(ErrorCode.InvalidParams, 'expected number')],
  ])('%s is an answer of a live server', (_, error) => {
    expect(isConnectionGone(error)).toBe(false);
    expect(isServerAnswer(error)).toBe(true);
  });

  it('counts neither a request timeout nor an HTTP error status as an answer or a lost connection', () => {
    const timeout = new McpError(ErrorCode.RequestTimeout, 'Request timed out');
    expect(isServerAnswer(timeout)).toBe(false);
    expect(isConnectionGone(timeout)).toBe(false);
    const busy = new StreamableHTTPError(503, 'Service Unavailable');
    expect(isServerAnswer(busy)).toBe(false);
    expect(isConnectionGone(busy)).toBe(false);
  });
});

describe('connectError', () => {
  it('passes an McpClientError through unchanged', async () => {
    const original = new McpClientError('MCP_SERVER_CONFIG', 'fetch', 'bad config');
    expect(await connectError(original, failure(STDIO))).toBe(original);
  });

  it.each([
    ['the wait for the connect timed out', new WaitInterruptedError('timeout')],
    ['initialize timed out', new McpError(ErrorCode.RequestTimeout, 'Request timed out')],
  ])('is retryable when %s, naming the step, the limit and the stderr', async (_, error) => {
    const result = await connectError(error, failure(STDIO, '; last 1 line of its stderr:\n  loading...'));
    expect(result).toMatchObject({ code: 'MCP_CONNECT_FAILED', server: 'fetch', retryable: true, cause: error });
    expect(result.message).toBe(
      'MCP server "fetch" did not start and answer initialize within 1000 ms (connectTimeoutMilliseconds); ' +
        'check that it starts and speaks MCP on stdout, or raise connectTimeoutMilliseconds; last 1 line of its stderr:\n  loading...',
    );
  });

  it('names the URL of an HTTP server that timed out', async () => {
    const result = await connectError(new WaitInterruptedError('timeout'), failure(HTTP));
    expect(result.message).toContain('check that it starts and speaks MCP on http://127.0.0.1:8000/mcp (streamable_http)');
  });

  it('is not retryable for a missing command, naming it', async () => {
    const result = await connectError(systemError('ENOENT', 'spawn mcp-server-fetch ENOENT'), failure(STDIO));
    expect(result).toMatchObject({ code: 'MCP_CONNECT_FAILED', retryable: false });
    expect(result.message).toBe(
      'could not start MCP server "fetch": command "mcp-server-fetch" was not found; install it or fix mcp.servers.fetch.command (it must be on the PATH or an absolute path)',
    );
  });

  it('is not retryable for a command that is not executable', async () => {
    const result = await connectError(systemError('EACCES', 'spawn mcp-server-fetch EACCES'), failure(STDIO));
    expect(result).toMatchObject({ code: 'MCP_CONNECT_FAILED', retryable: false });
    expect(result.message).toContain('command "mcp-server-fetch" is not executable');
  });

  it('names a missing working directory rather than the command', async () => {
    const config = new ServerRegistry({ fetch: { command: 'mcp-server-fetch', cwd: '/nonexistent/mcp-client-classification' } }).get('fetch');
    const result = await connectError(systemError('ENOENT', 'spawn mcp-server-fetch ENOENT'), failure(config));
    expect(result).toMatchObject({ retryable: false });
    expect(result.message).toContain('its working directory "/nonexistent/mcp-client-classification" (mcp.servers.fetch.cwd) does not exist');
  });

  it('is retryable for a stdio server that exited during start, saying when it wrote nothing to stderr', async () => {
    const closed = new McpError(ErrorCode.ConnectionClosed, 'Connection closed');
    const silent = await connectError(closed, failure(STDIO));
    expect(silent).toMatchObject({ code: 'MCP_CONNECT_FAILED', retryable: true });
    expect(silent.message).toBe('MCP server "fetch" (command "mcp-server-fetch") exited during start; check its command, args and env (it wrote nothing to stderr)');
    const loud = await connectError(closed, failure(STDIO, '; last 1 line of its stderr:\n  fatal: no token'));
    expect(loud.message).toMatch(/exited during start; check its command, args and env; last 1 line of its stderr:\n {2}fatal: no token$/);
  });

  it('is retryable for an HTTP server that refuses the connection', async () => {
    const result = await connectError(fetchFailed('ECONNREFUSED'), failure(HTTP));
    expect(result).toMatchObject({ code: 'MCP_CONNECT_FAILED', server: 'fetch', retryable: true });
    expect(result.message).toBe(
      'could not connect to MCP server "fetch" at http://127.0.0.1:8000/mcp (streamable_http): fetch failed: connect ECONNREFUSED 127.0.0.1:1; ' +
        'check that the server is running and that mcp.servers.fetch.url and transport are right',
    );
  });

  it.each([
    ['HTTP 401 (Streamable HTTP)', new StreamableHTTPError(401, 'Unauthorized')],
    ['HTTP 403 (SSE)', sseError(403, 'Forbidden')],
    ['a message that says 401', new Error('Error POSTing to endpoint (HTTP 401): missing API key')],
  ])('is a non-retryable MCP_AUTH_FAILED for %s, pointing at the headers', async (_, error) => {
    const result = await connectError(error, failure(HTTP));
    expect(result).toMatchObject({ code: 'MCP_AUTH_FAILED', retryable: false });
    expect(result.message).toMatch(/; check mcp\.servers\.fetch\.headers \(credentials\), or configure mcp\.servers\.fetch\.auth \(api_key or oauth\)$/);
  });

  it('asks for the stderr only when it quotes it', async () => {
    let asked = 0;
    const counting: ConnectFailure = { ...failure(STDIO), stderr: async () => String(++asked) };
    await connectError(systemError('ENOENT', 'spawn ENOENT'), counting);
    await connectError(fetchFailed('ECONNREFUSED'), { ...counting, config: HTTP });
    expect(asked).toBe(0);
  });
});

describe('requestTimeoutError', () => {
  const what = describeTarget('tools/call', 'slow');

  it('is a retryable MCP_TIMEOUT naming the timeout and where it came from', () => {
    const error = new McpError(ErrorCode.RequestTimeout, 'Request timed out', { timeout: 300 });
    expect(requestTimeoutError('test', what, error, '300 ms (read_timeout_seconds: 0.3)')).toMatchObject({
      code: 'MCP_TIMEOUT',
      server: 'test',
      retryable: true,
      cause: error,
      message: expect.stringMatching(/^MCP server "test" did not answer tools\/call "slow" within 300 ms \(read_timeout_seconds: 0\.3\); the server may be hung/),
    });
  });

  it('names the maximum total timeout of a call that kept sending progress', () => {
    const error = new McpError(ErrorCode.RequestTimeout, 'Maximum total timeout exceeded', { maxTotalTimeout: 5_000, totalElapsed: 5_010 });
    expect(requestTimeoutError('test', what, error, '500 ms (requestTimeoutMilliseconds)')?.message).toContain(
      'kept sending progress but did not answer tools/call "slow" within 5000 ms in total (maxTotalTimeoutMilliseconds',
    );
  });

  it('is a retryable MCP_TIMEOUT for no HTTP response within http_timeout_seconds, however deep the cause', () => {
    const error = new Error('Error POSTing to endpoint', { cause: new HttpResponseTimeoutError('test', 500) });
    expect(requestTimeoutError('test', what, error, '60000 ms (requestTimeoutMilliseconds)')).toMatchObject({
      code: 'MCP_TIMEOUT',
      retryable: true,
      message:
        'tools/call "slow": MCP server "test" sent no HTTP response within 500 ms (http_timeout_seconds); raise mcp.servers.test.http_timeout_seconds or check that the server is reachable',
    });
  });

  it('is undefined for anything else', () => {
    expect(requestTimeoutError('test', what, fetchFailed('ECONNRESET'), '1 ms')).toBeUndefined();
    expect(requestTimeoutError('test', what, new McpError(ErrorCode.InternalError, 'boom'), '1 ms')).toBeUndefined();
  });
});

describe('connectionLostError', () => {
  it('is a retryable MCP_CONNECTION_LOST that says the next call reconnects, with the stderr', () => {
    const error = new McpError(ErrorCode.ConnectionClosed, 'Connection closed');
    expect(connectionLostError('test', 'tools/call "crash"', error, '; last 1 line of its stderr:\n  bye')).toMatchObject({
      code: 'MCP_CONNECTION_LOST',
      server: 'test',
      retryable: true,
      message: 'lost the connection to MCP server "test" during tools/call "crash": MCP error -32000: Connection closed; the next call reconnects; last 1 line of its stderr:\n  bye',
    });
  });
});

describe('auth failures', () => {
  const oauthServer = (oauth: Record<string, unknown>): McpServerConfig =>
    new ServerRegistry({ api: { transport: 'streamable_http', url: 'http://127.0.0.1:8000/mcp', auth: { oauth } } }).get('api');

  it.each([
    ['the SDK UnauthorizedError', new UnauthorizedError()],
    ['an OAuth error answer', new InvalidGrantError('refresh token revoked')],
    ['HTTP 401', new StreamableHTTPError(401, 'Server returned 401 after successful authentication')],
    ['HTTP 403', new StreamableHTTPError(403, 'Server returned 403 after trying upscoping')],
    ['an MCP_AUTH_FAILED', new McpClientError('MCP_AUTH_FAILED', 'api', 'login needed')],
  ])('recognises %s', (_, error) => {
    expect(isAuthFailure(error)).toBe(true);
  });

  it.each([
    ['HTTP 404', new StreamableHTTPError(404, 'Session not found')],
    ['a network failure', new TypeError('fetch failed')],
    ['another McpClientError', new McpClientError('MCP_TIMEOUT', 'api', 'slow')],
  ])('does not take %s for one', (_, error) => {
    expect(isAuthFailure(error)).toBe(false);
  });

  it('says to log in again for an authorization code client, and to fix the client for client credentials', () => {
    expect(authAdvice('api', oauthServer({}))).toBe('run `mcp-agent auth login api` to authorize again (the stored tokens were revoked, expired, or lack a scope the server now needs)');
    expect(authAdvice('api', oauthServer({ grant_type: 'client_credentials', client_id: 'c', client_secret: 's' }))).toMatch(
      /^check mcp\.servers\.api\.auth\.oauth \(client_id, client_secret/,
    );
    expect(authAdvice('api', new ServerRegistry({ api: { transport: 'sse', url: 'http://127.0.0.1:1/sse', auth: { api_key: 'k' } } }).get('api'))).toBe(
      'fix mcp.servers.api.auth.api_key',
    );
  });

  it('is a non-retryable MCP_AUTH_FAILED, retryable only for a fault of the authorization server', () => {
    const refused = authFailureError('api', new InvalidClientError('bad secret'), oauthServer({ grant_type: 'client_credentials', client_id: 'c', client_secret: 's' }));
    expect(refused).toMatchObject({ code: 'MCP_AUTH_FAILED', server: 'api', retryable: false });
    expect(refused.message).toMatch(/^MCP server "api": the authorization server refused: invalid_client \(bad secret\); check mcp\.servers\.api\.auth\.oauth/);
    expect(authFailureError('api', new ServerError('down'), oauthServer({})).retryable).toBe(true);
    const given = new McpClientError('MCP_AUTH_FAILED', 'api', 'as it was', { retryable: false });
    expect(authFailureError('api', given)).toBe(given);
  });

  it('turns a lost connection caused by a 401 into MCP_AUTH_FAILED', () => {
    const error = connectionLostError('api', 'tools/call "echo"', new StreamableHTTPError(401, 'Unauthorized'), '');
    expect(error).toMatchObject({ code: 'MCP_AUTH_FAILED', retryable: false });
    expect(error.message).toContain('mcp-agent auth login api');
  });

  it('turns a 401 at connect into MCP_AUTH_FAILED with the OAuth advice', async () => {
    const config = oauthServer({});
    const result = await connectError(new StreamableHTTPError(401, 'Unauthorized'), {
      server: 'api',
      config,
      step: 'answer initialize',
      connectTimeoutMilliseconds: 1000,
      stderr: async () => '',
    });
    expect(result).toMatchObject({ code: 'MCP_AUTH_FAILED', retryable: false });
    expect(result.message).toMatch(/run `mcp-agent auth login api` to authorize again/);
  });
});

describe('serverAnswerError', () => {
  it('is a non-retryable MCP_PROTOCOL_ERROR for a JSON-RPC internal error', () => {
    const error = new McpError(ErrorCode.InternalError, 'the handler exploded');
    expect(serverAnswerError('faulty', 'tools/call', 'explode', error)).toMatchObject({
      code: 'MCP_PROTOCOL_ERROR',
      retryable: false,
      message: 'MCP server "faulty" rejected tools/call "explode": MCP error -32603: the handler exploded',
    });
  });

  it('asks to fix the arguments of a tool call the server found invalid', () => {
    const error = new McpError(ErrorCode.InvalidParams, 'a: expected number');
    expect(serverAnswerError('test', 'tools/call', 'add', error).message).toBe(
      'MCP server "test" rejected tools/call "add": MCP error -32602: a: expected number; fix the arguments to match the inputSchema of tool "add"',
    );
    // Only tool calls have an inputSchema to point at.
    expect(serverAnswerError('test', 'prompts/get', 'greeting', error).message).toBe('MCP server "test" rejected prompts/get "greeting": MCP error -32602: a: expected number');
  });

  it.each(['Tool teleport not found', 'Tool teleport disabled', 'Unknown tool: teleport'])('is MCP_UNKNOWN_TOOL when the server says "%s"', (said) => {
    const error = new McpError(ErrorCode.InvalidParams, said);
    expect(serverAnswerError('test', 'tools/call', 'teleport', error)).toMatchObject({
      code: 'MCP_UNKNOWN_TOOL',
      server: 'test',
      retryable: false,
      message: `MCP server "test" has no tool "teleport" (it said: MCP error -32602: ${said}); call listTools("test") for its tools`,
    });
  });

  it.each([408, 429, 500, 503])('is a retryable MCP_PROTOCOL_ERROR for HTTP %i', (status) => {
    expect(serverAnswerError('test', 'tools/call', 'echo', new StreamableHTTPError(status, 'busy'))).toMatchObject({
      code: 'MCP_PROTOCOL_ERROR',
      retryable: true,
      message: `MCP server "test" failed tools/call "echo" with HTTP ${status}: Streamable HTTP error: busy`,
    });
  });

  it('is a non-retryable MCP_PROTOCOL_ERROR for HTTP 400', () => {
    expect(serverAnswerError('test', 'tools/list', undefined, sseError(400, 'no'))).toMatchObject({ code: 'MCP_PROTOCOL_ERROR', retryable: false });
  });

  it.each([401, 403])('is a non-retryable MCP_AUTH_FAILED for HTTP %i, naming both fixes', (status) => {
    const error = serverAnswerError('test', 'tools/list', undefined, new StreamableHTTPError(status, 'Error POSTing to endpoint: {"error":"invalid_token"}'));
    expect(error).toMatchObject({ code: 'MCP_AUTH_FAILED', retryable: false });
    expect(error.message).toContain(`MCP server "test": the server refused the credentials (HTTP ${status}:`);
    expect(error.message).toMatch(/run `mcp-agent auth login test` \(OAuth authorization code\) or fix its client credentials \(mcp\.servers\.test\.auth, headers\)$/);
  });

  it('is a non-retryable MCP_PROTOCOL_ERROR for an answer the SDK could not use', () => {
    const error = new Error('Invalid JSON-RPC message');
    expect(serverAnswerError('test', 'tools/list', undefined, error)).toMatchObject({
      code: 'MCP_PROTOCOL_ERROR',
      retryable: false,
      message: 'MCP server "test" sent an unusable answer to tools/list: Invalid JSON-RPC message',
    });
  });
});

describe('invalidParamsResultError', () => {
  it('raises an isError result of invalid arguments as a non-retryable MCP_PROTOCOL_ERROR', () => {
    const text = 'MCP error -32602: Input validation error: Invalid arguments for tool add: expected number, received string';
    expect(invalidParamsResultError('test', 'add', [{ type: 'text', text }])).toMatchObject({
      code: 'MCP_PROTOCOL_ERROR',
      server: 'test',
      retryable: false,
      message: `MCP server "test" rejected the arguments of tool "add": ${text}; fix the arguments to match the tool's inputSchema`,
    });
  });

  it('raises an isError result of an unknown tool as MCP_UNKNOWN_TOOL', () => {
    expect(invalidParamsResultError('test', 'teleport', [{ type: 'text', text: 'MCP error -32602: Tool teleport not found' }])).toMatchObject({
      code: 'MCP_UNKNOWN_TOOL',
      retryable: false,
    });
  });

  it("leaves the tool's own failures alone", () => {
    expect(invalidParamsResultError('test', 'fail', [{ type: 'text', text: 'disk full' }])).toBeUndefined();
    // More than the one text item: not the SDK's invalid-params result.
    const text = 'MCP error -32602: looks like it';
    expect(
      invalidParamsResultError('test', 'fail', [
        { type: 'text', text },
        { type: 'text', text },
      ]),
    ).toBeUndefined();
    expect(invalidParamsResultError('test', 'fail', [{ type: 'image', data: '', mimeType: 'image/png' }])).toBeUndefined();
    expect(invalidParamsResultError('test', 'fail', [])).toBeUndefined();
  });
});

describe('stderrSuffix', () => {
  it('quotes the kept lines of a stream that ended, and nothing without stderr', async () => {
    expect(await stderrSuffix(undefined)).toBe('');
    const stream = new PassThrough();
    const tail = new StderrTail(2);
    tail.follow(stream, () => undefined);
    stream.end('one\ntwo\nthree\n');
    expect(await stderrSuffix(tail)).toBe('; last 2 lines of its stderr:\n  two\n  three');
    const quiet = new PassThrough();
    const empty = new StderrTail(2);
    empty.follow(quiet, () => undefined);
    quiet.end();
    expect(await stderrSuffix(empty)).toBe('');
  });
});
