/**
 * What a command is, for the command table and the commands' own modules. This module imports
 * nothing heavy: `mcp-agent --help` and `--version` load only it, the table and commander.
 */

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

/** The io a running command gets: every field of `CliIo` set. */
export type CommandIo = Required<Omit<CliIo, 'signal'>> & { signal: AbortSignal };

/** An option: `--name <value>` (`string`, repeatable when `multiple`) or the flag `--name` (`boolean`). */
export interface OptionSpec {
  type: 'string' | 'boolean';
  multiple?: boolean;
}

/** The arguments a command runs with: option values by their long name (`run-id`), and the positionals. */
export interface ParsedArguments {
  values: Record<string, unknown>;
  positionals: string[];
}

/** What a command does, given its parsed arguments; returns the exit code. */
export type CommandRun = (parsed: ParsedArguments, io: CommandIo) => Promise<number>;

/** A command's words (`['workflows', 'history']`), its help and its options. */
export interface CommandHelp {
  words: readonly string[];
  summary: string;
  usage: string;
  options: Readonly<Record<string, OptionSpec>>;
  /** How many positional arguments it takes. */
  positionals: { min: number; max: number };
  /** Its arguments go to it unparsed, `--help` included (a command with its own parser). */
  passThrough?: boolean;
}

/** A command with what it does: the shape of a command module that carries its own help. */
export interface Command extends CommandHelp {
  run: CommandRun;
}

/**
 * An entry of the command table: the help, and `load`, which imports the command's module (and
 * with it the Temporal SDK and the rest) only when the command runs. An entry of only words and
 * summary takes its help from the `Command` its module exports.
 */
export type CommandEntry = (CommandHelp & { load: () => Promise<CommandRun> }) | (Pick<CommandHelp, 'words' | 'summary'> & { usage?: undefined; load: () => Promise<Command> });

/** Wrong arguments or input: exit 2, with the command's usage unless the problem is in the input itself. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly showUsage: boolean = true,
  ) {
    super(message);
  }
}

/** The shared `--config` option. */
export const CONFIG_OPTION = { config: { type: 'string' } } as const;
/** The shared `--app` option (`--workflows` is the same). */
export const APP_OPTION = { app: { type: 'string', multiple: true }, workflows: { type: 'string', multiple: true } } as const;
