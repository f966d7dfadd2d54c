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
 * The absolute path of the stdio entry: `mcp-test-server-stdio.ts` beside this module when it
 * runs from `src`, else the one in the package's `src` (which is published beside `dist`).
 */
function stdioEntryPath(): string {
  const sibling = fileURLToPath(new URL('./mcp-test-server-stdio.ts', import.meta.url));
  if (existsSync(sibling)) return sibling;
  return fileURLToPath(new URL('../src/mcp-test-server-stdio.ts', import.meta.url));
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
  const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  return { command: process.execPath, args: ['--import', tsxLoader, stdioEntryPath(), ...flags] };
}
