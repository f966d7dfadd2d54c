// The MCP test server: real MCP tools, a prompt and a resource, plus faults on demand (`fail`,
// `slow`, `hang`, `crash`) for the fault tests of @mcp-agent/mcp-client. Transport-agnostic:
// `mcp-test-server-stdio.ts` serves it over stdio, `mcp-test-server-http.ts` over HTTP.
import { setTimeout as delay } from 'node:timers/promises';

import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { LoggingLevelSchema, SetLevelRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import type { LoggingLevel } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';

/**
 * The names of the tools that {@link createMcpTestServer} registers, in registration order.
 *
 * @example
 * ```ts
 * const { tools } = await client.listTools();
 * expect(tools.map((tool) => tool.name).sort()).toEqual([...MCP_TEST_SERVER_TOOL_NAMES].sort());
 * ```
 */
export const MCP_TEST_SERVER_TOOL_NAMES = Object.freeze(['echo', 'add', 'fail', 'slow', 'hang', 'crash', 'image', 'embedded_resource', 'progress', 'log', 'count'] as const);

/**
 * The name of one tool of the MCP test server.
 *
 * @example
 * ```ts
 * const name: McpTestServerToolName = 'echo';
 * ```
 */
export type McpTestServerToolName = (typeof MCP_TEST_SERVER_TOOL_NAMES)[number];

/**
 * A tally of the tool calls served, shared by every server created with it.
 *
 * @example
 * ```ts
 * const toolCalls: McpTestServerToolCalls = { count: 0 };
 * ```
 */
export interface McpTestServerToolCalls {
  /** How many tool calls reached a tool handler so far. */
  count: number;
}

/**
 * Options of {@link createMcpTestServer}.
 *
 * @example
 * ```ts
 * const options: McpTestServerOptions = { name: 'faulty', onCrash: () => transport.close() };
 * ```
 */
export interface McpTestServerOptions {
  /** The server name reported in the initialize result. Default `"mcp-test-server"`. */
  name?: string;
  /**
   * What the `crash` tool does with its exit code, instead of answering.
   * Default: `process.exit(code)`, which is what a crash of a stdio server looks like; pass
   * something else when the server runs inside the test process (HTTP, in-memory transports).
   */
  onCrash?: (code: number) => void;
  /**
   * The tally the `count` tool reports and increments. Default: one tally per process, so that
   * a stdio test server counts the calls of its own process and a restarted process starts at 0.
   */
  toolCalls?: McpTestServerToolCalls;
}

/** One tally per process: what `count` reports unless the caller shares another one. */
const processToolCalls: McpTestServerToolCalls = { count: 0 };

/** A 1x1 transparent PNG, the smallest valid image worth sending. */
const TINY_PNG_BASE64 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';

/**
 * The pause after each progress notification. The SDK client handles a notification one
 * microtask later than a response read in the same chunk, and drops progress that arrives after
 * the response (modelcontextprotocol/typescript-sdk#2580); pacing keeps them in separate reads.
 */
const PROGRESS_STEP_INTERVAL_MS = 20;

/** Severity order of MCP logging levels, lowest first (as the MCP specification lists them). */
const LOGGING_LEVELS: readonly LoggingLevel[] = LoggingLevelSchema.options;

/** Resolves after `milliseconds`, or as soon as `signal` aborts; never rejects. */
async function sleep(milliseconds: number, signal: AbortSignal): Promise<void> {
  try {
    await delay(milliseconds, undefined, { signal });
  } catch {
    // Aborted: the request was cancelled or the transport closed; the answer goes nowhere.
  }
}

/**
 * Resolves when `signal` aborts. Holds no timer or handle, so a pending wait never keeps the
 * process alive.
 */
function untilAborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) {
      resolve();
      return;
    }
    signal.addEventListener('abort', () => resolve(), { once: true });
  });
}

/** A result with one text content item. */
function text(value: string): { content: [{ type: 'text'; text: string }] } {
  return { content: [{ type: 'text', text: value }] };
}

/**
 * Creates the MCP test server: an SDK `McpServer` with logging enabled, the tools of
 * {@link MCP_TEST_SERVER_TOOL_NAMES}, a prompt `greeting` and a resource `test://hello`.
 *
 * Tools:
 * - `echo({ text })` answers `text`; `add({ a, b })` answers the sum (bad arguments get the SDK's
 *   "Input validation error" result); `fail({ message })` answers `isError: true` with `message`.
 * - `slow({ milliseconds })` answers `"slept <milliseconds>"` after waiting; `hang()` never
 *   answers, but stops waiting when the request is cancelled or the transport closes, and holds
 *   no timer, so it never keeps a process alive.
 * - `crash({ code = 1 })` calls `options.onCrash(code)` (default `process.exit(code)`) without
 *   answering.
 * - `image()` answers a PNG image item and a text item; `embedded_resource()` answers a resource
 *   item `test://embedded` with text `"embedded text"`.
 * - `progress({ steps })` sends progress 1..steps (total `steps`), 20 ms apart, when the request
 *   carries a progress token, then answers `"done <steps>"`.
 * - `log({ level, message })` sends a logging message (logger `"test-server"`, data `message`)
 *   unless the level is below the one set with `logging/setLevel`, then answers `"logged"`.
 * - `count()` answers how many tool calls this server (by default, this process) has served,
 *   this one included.
 *
 * The server serves one client: connect a new one per connection or session.
 *
 * @param options - Name, crash behaviour and call tally; see {@link McpTestServerOptions}.
 * @returns An `McpServer`, not yet connected to any transport.
 *
 * @example
 * ```ts
 * const server = createMcpTestServer({ name: 'fs-impostor' });
 * await server.connect(new StdioServerTransport());
 * ```
 */
export function createMcpTestServer(options: McpTestServerOptions = {}): McpServer {
  const toolCalls = options.toolCalls ?? processToolCalls;
  const onCrash = options.onCrash ?? ((code: number) => process.exit(code));
  const server = new McpServer({ name: options.name ?? 'mcp-test-server', version: '0.1.0' }, { capabilities: { logging: {} } });
  const served = (): void => {
    toolCalls.count += 1;
  };

  // One server serves one client, so one minimum level is enough. Replaces the SDK's handler,
  // which only filters `sendLoggingMessage`; the `log` tool sends on the request's own stream.
  let minimumLogLevel: LoggingLevel | undefined;
  server.server.setRequestHandler(SetLevelRequestSchema, (request) => {
    minimumLogLevel = request.params.level;
    return {};
  });
  const isLogged = (level: LoggingLevel): boolean => minimumLogLevel === undefined || LOGGING_LEVELS.indexOf(level) >= LOGGING_LEVELS.indexOf(minimumLogLevel);

  server.registerTool('echo', { description: 'Answers the text it is given.', inputSchema: { text: z.string() } }, ({ text: value }) => {
    served();
    return text(value);
  });

  server.registerTool('add', { description: 'Answers the sum of two numbers.', inputSchema: { a: z.number(), b: z.number() } }, ({ a, b }) => {
    served();
    return text(String(a + b));
  });

  server.registerTool('fail', { description: 'Answers a tool error (isError: true) with the message.', inputSchema: { message: z.string() } }, ({ message }) => {
    served();
    return { ...text(message), isError: true };
  });

  server.registerTool(
    'slow',
    {
      description: 'Waits the given milliseconds, then answers "slept <milliseconds>".',
      inputSchema: { milliseconds: z.number().int().nonnegative() },
    },
    async ({ milliseconds }, extra) => {
      served();
      await sleep(milliseconds, extra.signal);
      return text(`slept ${milliseconds}`);
    },
  );

  server.registerTool('hang', { description: 'Never answers (until the request is cancelled or the connection closes).' }, async (extra) => {
    served();
    await untilAborted(extra.signal);
    return text('cancelled');
  });

  server.registerTool(
    'crash',
    {
      description: 'Ends the server process with the exit code (default 1) without answering.',
      inputSchema: { code: z.number().int().min(0).max(255).optional() },
    },
    async ({ code }, extra) => {
      served();
      onCrash(code ?? 1);
      // Only reached when onCrash does not end the process: answer nothing, like a dead server.
      await untilAborted(extra.signal);
      return text('crashed');
    },
  );

  server.registerTool('image', { description: 'Answers a tiny PNG image and a caption.' }, () => {
    served();
    return {
      content: [
        { type: 'image', data: TINY_PNG_BASE64, mimeType: 'image/png' },
        { type: 'text', text: 'a 1x1 transparent PNG' },
      ],
    };
  });

  server.registerTool('embedded_resource', { description: 'Answers an embedded text resource test://embedded.' }, () => {
    served();
    return {
      content: [{ type: 'resource', resource: { uri: 'test://embedded', mimeType: 'text/plain', text: 'embedded text' } }],
    };
  });

  server.registerTool(
    'progress',
    {
      description: 'Sends progress 1..steps when asked for progress, then answers "done <steps>".',
      inputSchema: { steps: z.number().int().min(0).max(1000) },
    },
    async ({ steps }, extra) => {
      served();
      const progressToken = extra._meta?.progressToken;
      if (progressToken !== undefined) {
        for (let progress = 1; progress <= steps; progress += 1) {
          await extra.sendNotification({
            method: 'notifications/progress',
            params: { progressToken, progress, total: steps, message: `step ${progress} of ${steps}` },
          });
          await sleep(PROGRESS_STEP_INTERVAL_MS, extra.signal);
        }
      }
      return text(`done ${steps}`);
    },
  );

  server.registerTool(
    'log',
    {
      description: 'Sends a logging message with the level and message, then answers "logged".',
      inputSchema: { level: z.enum(['debug', 'info', 'warning', 'error']), message: z.string() },
    },
    async ({ level, message }, extra) => {
      served();
      if (isLogged(level)) {
        await extra.sendNotification({
          method: 'notifications/message',
          params: { level, logger: 'test-server', data: message },
        });
      }
      return text('logged');
    },
  );

  server.registerTool('count', { description: 'Answers how many tool calls this server process has served, this one included.' }, () => {
    served();
    return text(String(toolCalls.count));
  });

  server.registerPrompt('greeting', { description: 'Greets someone by name.', argsSchema: { name: z.string() } }, ({ name }) => ({
    messages: [{ role: 'user', content: { type: 'text', text: `Hello, ${name}!` } }],
  }));

  server.registerResource('hello', 'test://hello', { description: 'A fixed greeting.', mimeType: 'text/plain' }, (uri) => ({
    contents: [{ uri: uri.href, mimeType: 'text/plain', text: 'hello from the test server' }],
  }));

  return server;
}
