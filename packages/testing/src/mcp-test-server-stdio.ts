// Runnable entry: serves the MCP test server over stdio. Spawn it with the command of
// `mcpTestServerStdioCommand(flags)`; it exits when its stdin closes, so it never outlives its
// client.
//
// Flags:
//   --crash-on-start      write three lines to stderr (the last "fatal: test server refused to
//                         start") and exit with code 3 before connecting
//   --start-delay <ms>    wait before connecting
//   --name <name>         server name in the initialize result
import { setTimeout as delay } from 'node:timers/promises';
import { parseArgs } from 'node:util';

import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';

import { createMcpTestServer } from './mcp-test-server.js';

/** The exit code of `--crash-on-start`. */
const CRASH_ON_START_EXIT_CODE = 3;

/** The exit code for flags this entry does not understand. */
const USAGE_EXIT_CODE = 2;

/** Writes `text` to stderr, then exits with `code` once it is flushed. */
function exitWith(code: number, text: string): void {
  process.stderr.write(text, () => process.exit(code));
}

/** Parses the flags, or explains what is wrong and exits with code 2. */
function readFlags(): { crashOnStart: boolean; startDelayMilliseconds: number; name: string | undefined } | undefined {
  let values;
  try {
    ({ values } = parseArgs({
      args: process.argv.slice(2),
      options: {
        'crash-on-start': { type: 'boolean', default: false },
        'start-delay': { type: 'string' },
        name: { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    exitWith(USAGE_EXIT_CODE, `mcp-test-server: ${message}; flags: --crash-on-start, --start-delay <ms>, --name <name>\n`);
    return undefined;
  }
  const startDelay = values['start-delay'];
  const startDelayMilliseconds = startDelay === undefined ? 0 : Number(startDelay);
  if (!Number.isFinite(startDelayMilliseconds) || startDelayMilliseconds < 0) {
    exitWith(USAGE_EXIT_CODE, `mcp-test-server: --start-delay: expected milliseconds (a number >= 0), got "${startDelay}"\n`);
    return undefined;
  }
  return { crashOnStart: values['crash-on-start'] === true, startDelayMilliseconds, name: values.name };
}

async function main(): Promise<void> {
  const flags = readFlags();
  if (flags === undefined) return;

  if (flags.crashOnStart) {
    exitWith(
      CRASH_ON_START_EXIT_CODE,
      'mcp-test-server: starting\n' + 'mcp-test-server: --crash-on-start given, giving up before connecting\n' + 'fatal: test server refused to start\n',
    );
    return;
  }

  if (flags.startDelayMilliseconds > 0) await delay(flags.startDelayMilliseconds);

  const server = createMcpTestServer(flags.name === undefined ? {} : { name: flags.name });
  const transport = new StdioServerTransport();

  // The client is gone once stdin ends (or stdout breaks): close, which aborts in-flight tool
  // calls such as `hang`, and exit, so that no orphan process stays behind.
  let exiting = false;
  const shutdown = (): void => {
    if (exiting) return;
    exiting = true;
    server
      .close()
      .catch(() => undefined)
      .finally(() => process.exit(0));
  };
  process.stdin.once('end', shutdown);
  process.stdin.once('close', shutdown);
  process.stdout.once('error', shutdown);

  await server.connect(transport);
}

main().catch((error: unknown) => {
  const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
  exitWith(1, `mcp-test-server: ${message}\n`);
});
