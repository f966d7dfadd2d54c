// The command line that starts the local LLM server with plain node (tsx as an ESM loader).
import { tsxEntryCommand, type McpTestServerCommand } from '../mcp-test-server-command.js';

/**
 * A command line that starts the local LLM server: `{ command, args }`, as for `spawn`.
 *
 * @example
 * ```ts
 * const { command, args }: LocalLlmServerCommand = localLlmServerCommand(['--port', '8089']);
 * ```
 */
export type LocalLlmServerCommand = McpTestServerCommand;

/**
 * The command that runs the local LLM server from a shell or a test: `process.execPath` with
 * `--import <tsx loader URL> <absolute path of local-llm-server-cli.ts> ...flags`, whatever the
 * working directory.
 *
 * The process serves an echo script (every request gets the text `(local model) <the last user
 * message>`), prints `OpenAI base URL: <url>`, `Anthropic base URL: <url>` and
 * `Google base URL: <url>` lines on stdout once listening, and exits with code 0 on SIGINT or
 * SIGTERM. Flag: `--port <n>` (default: an ephemeral port).
 *
 * @param flags - Extra arguments for the entry. Default: none.
 * @returns The command and its arguments.
 *
 * @example
 * ```ts
 * const { command, args } = localLlmServerCommand(['--port', '8089']);
 * const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'] });
 * ```
 */
export function localLlmServerCommand(flags: string[] = []): LocalLlmServerCommand {
  return tsxEntryCommand('llm/local-llm-server-cli.ts', flags);
}
