// The command line that starts the stdio MCP test server with plain node (tsx as an ESM loader),
// in the `{ command, args }` shape of an MCP server's stdio config.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * A command line that starts a process: what an MCP server's stdio config holds.
 *
 * @example
 * ```ts
 * const { command, args }: McpTestServerCommand = mcpTestServerStdioCommand();
 * ```
 */
export interface McpTestServerCommand {
  /** The executable: the running node (`process.execPath`). */
  command: string;
  /** Its arguments: the tsx loader, the entry file, then the flags. */
  args: string[];
}

/**
 * A command that runs one of this package's TypeScript entries with plain node and tsx as its
 * loader. `entry` is relative to the package's `src` (published beside `dist`), so the command
 * works from the sources and from a build alike.
 */
export function tsxEntryCommand(entry: string, flags: string[]): McpTestServerCommand {
  const fromSource = fileURLToPath(new URL(`./${entry}`, import.meta.url));
  const path = existsSync(fromSource) ? fromSource : fileURLToPath(new URL(`../src/${entry}`, import.meta.url));
  const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  return { command: process.execPath, args: ['--import', tsxLoader, path, ...flags] };
}

/**
 * The command that serves the MCP test server over stdio: `process.execPath` with
 * `--import <tsx loader URL> <absolute path of mcp-test-server-stdio.ts> ...flags`, so a stdio
 * config `{ command, args }` spawns it with plain node, whatever the working directory.
 *
 * Flags: `--crash-on-start` (three lines on stderr, the last `fatal: test server refused to
 * start`, then exit code 3 before connecting), `--start-delay <ms>` (wait before connecting),
 * `--name <name>` (server name). The process exits when its stdin closes.
 *
 * @param flags - Extra arguments for the entry. Default: none.
 * @returns The command and its arguments.
 *
 * @example
 * ```ts
 * const transport = new StdioClientTransport({ ...mcpTestServerStdioCommand(['--name', 'fs']), stderr: 'pipe' });
 * await new Client({ name: 'test', version: '1.0.0' }).connect(transport);
 * ```
 */
export function mcpTestServerStdioCommand(flags: string[] = []): McpTestServerCommand {
  return tsxEntryCommand('mcp-test-server-stdio.ts', flags);
}
