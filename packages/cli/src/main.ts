/**
 * `mcp-agent <command>`: the command line of mcp-agent apps on Temporal. Exit codes: 0 done,
 * 1 the command failed (a replay that does not match, a server that can't be reached, bad
 * config), 2 usage errors.
 */
import { readFileSync } from 'node:fs';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { messageOf } from '@mcp-agent/core';
import { CONFIG_SECTION_PACKAGES, loadConfigSections } from '@mcp-agent/core/engine';
import { authLoginCommand, authLogoutCommand, authStatusCommand } from './commands/auth.js';
import { codecServerCommand } from './commands/codec-server.js';
import { codegenCommand } from './commands/codegen.js';
import { configCheckCommand } from './commands/config-check.js';
import { replayCommand } from './commands/replay.js';
import { runCommand as runWorkflowCommand } from './commands/run.js';
import { serveCommand } from './commands/serve.js';
import { serverStartDevCommand } from './commands/server.js';
import { workerCommand } from './commands/worker.js';
import {
  workflowsCancelCommand,
  workflowsDescribeCommand,
  workflowsListCommand,
  workflowsPendingCommand,
  workflowsQueryCommand,
  workflowsResumeCommand,
  workflowsSignalCommand,
  workflowsTerminateCommand,
} from './commands/workflows.js';
import { workflowsHistoryCommand } from './commands/workflows-history.js';

/** Where a command writes, and what stops a long-running one (Ctrl-C, or a test). */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Aborted to stop a command that runs until stopped (the codec server). Default: SIGINT or SIGTERM. */
  signal?: AbortSignal;
  /** The working directory. Default `process.cwd()`. */
  cwd?: string;
  env?: Readonly<Record<string, string | undefined>>;
}

/** A command: its words (`['workflows', 'history']`), its help, its options and what it does. */
export interface Command {
  words: readonly string[];
  summary: string;
  usage: string;
  options: NonNullable<ParseArgsConfig['options']>;
  /** How many positional arguments it takes. */
  positionals: { min: number; max: number };
  /** Its arguments go to it unparsed, `--help` included (a command with its own parser). */
  passThrough?: boolean;
  run(parsed: { values: Record<string, unknown>; positionals: string[] }, io: Required<Omit<CliIo, 'signal'>> & { signal: AbortSignal }): Promise<number>;
}

/** Wrong arguments or input: exit 2, with the command's usage unless the problem is in the input itself. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly showUsage: boolean = true,
  ) {
    super(message);
  }
}

const COMMANDS: readonly Command[] = [
  workerCommand,
  runWorkflowCommand,
  workflowsListCommand,
  workflowsDescribeCommand,
  workflowsSignalCommand,
  workflowsQueryCommand,
  workflowsResumeCommand,
  workflowsPendingCommand,
  workflowsCancelCommand,
  workflowsTerminateCommand,
  workflowsHistoryCommand,
  replayCommand,
  codegenCommand,
  serverStartDevCommand,
  configCheckCommand,
  codecServerCommand,
  serveCommand,
  authLoginCommand,
  authStatusCommand,
  authLogoutCommand,
];

function version(): string {
  return (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

function overview(): string {
  const width = Math.max(...COMMANDS.map((command) => command.words.join(' ').length));
  return [
    'usage: mcp-agent <command> [options]',
    '',
    'Commands:',
    ...COMMANDS.map((command) => `  ${command.words.join(' ').padEnd(width)}  ${command.summary}`),
    '',
    'Options of every command: --config <file> (default: mcp_agent.config.yaml found from the current folder up), --help.',
    'Run `mcp-agent <command> --help` for its options.',
  ].join('\n');
}

/** Runs the command line `argv` (without node and the script); returns the exit code. */
export async function main(argv: readonly string[], given: Partial<CliIo> = {}): Promise<number> {
  const io = {
    stdout: given.stdout ?? ((text: string) => void process.stdout.write(text)),
    stderr: given.stderr ?? ((text: string) => void process.stderr.write(text)),
    cwd: given.cwd ?? process.cwd(),
    env: given.env ?? process.env,
    signal: given.signal ?? stopSignal(),
  };
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    io.stdout(`${overview()}\n`);
    return argv.length === 0 ? 2 : 0;
  }
  if (argv[0] === '--version' || argv[0] === '-v') {
    io.stdout(`${version()}\n`);
    return 0;
  }
  const command = COMMANDS.find((candidate) => candidate.words.every((word, index) => argv[index] === word));
  if (command === undefined) {
    const known = COMMANDS.map((candidate) => candidate.words.join(' '));
    const typed = argv.slice(0, 2).join(' ');
    // Commands that start like what was typed, or a group's commands when only the group was given.
    const near = known.filter((name) => name.startsWith(typed) || name.startsWith(argv[0] ?? '\u0000'));
    io.stderr(
      `mcp-agent: unknown command "${argv.slice(0, 2).join(' ')}"${near.length > 0 ? ` (did you mean ${near.map((name) => `"${name}"`).join(' or ')}?)` : ''}\n\n${overview()}\n`,
    );
    return 2;
  }
  const rest = argv.slice(command.words.length);
  const name = `mcp-agent ${command.words.join(' ')}`;
  if (command.passThrough === true) {
    return runCommand(command, name, { values: {}, positionals: rest }, io);
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout(`${command.usage}\n`);
    return 0;
  }
  try {
    let parsed: { values: Record<string, unknown>; positionals: string[] };
    try {
      parsed = parseArgs({ args: negativeNumbersAttached(rest, command.options), options: command.options, allowPositionals: true, strict: true }) as typeof parsed;
    } catch (error) {
      throw new UsageError(
        messageOf(error)
          .replace(/^.*?: /, '')
          .replace(/\. To specify a positional argument.*$/, ''),
      );
    }
    const count = parsed.positionals.length;
    if (count < command.positionals.min || count > command.positionals.max) {
      throw new UsageError(count < command.positionals.min ? 'missing arguments' : `unexpected argument "${parsed.positionals[command.positionals.max] ?? ''}"`);
    }
    return await runCommand(command, name, parsed, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`${name}: ${error.message}\n\n${command.usage}\n`);
      return 2;
    }
    throw error;
  }
}

/**
 * The arguments with a negative number after an option that takes a value joined to it
 * (`--limit -3` as `--limit=-3`), so the command checks the number instead of the parser taking
 * it for an option and calling the argument ambiguous.
 */
function negativeNumbersAttached(args: readonly string[], options: Command['options']): string[] {
  const joined: string[] = [];
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index] as string;
    const next = args[index + 1];
    const name = arg.startsWith('--') ? arg.slice(2) : undefined;
    if (name !== undefined && options[name]?.type === 'string' && next !== undefined && /^-\d/.test(next)) {
      joined.push(`${arg}=${next}`);
      index += 1;
    } else joined.push(arg);
  }
  return joined;
}

/** Runs a command, turning its errors into messages and exit codes. */
async function runCommand(
  command: Command,
  name: string,
  parsed: { values: Record<string, unknown>; positionals: string[] },
  io: Required<Omit<CliIo, 'signal'>> & { signal: AbortSignal },
): Promise<number> {
  try {
    // The config sections of installed packages (temporal, openai, anthropic, ...) are validated,
    // and reachable by environment overrides, as they are when an app starts.
    await loadConfigSections(Object.keys(CONFIG_SECTION_PACKAGES), io.cwd);
    return await command.run(parsed, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(error.showUsage ? `${name}: ${error.message}\n\n${command.usage}\n` : `${name}: ${error.message}\n`);
      return 2;
    }
    io.stderr(`${name}: ${messageOf(error)}\n`);
    return 1;
  }
}

/** Aborted on the first SIGINT or SIGTERM. */
function stopSignal(): AbortSignal {
  const controller = new AbortController();
  const stop = (): void => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return controller.signal;
}
