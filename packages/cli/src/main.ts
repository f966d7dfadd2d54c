/**
 * `mcp-agent <command>`: the command line of mcp-agent apps on Temporal. Exit codes: 0 done,
 * 1 the command failed (a replay that does not match, a server that can't be reached, bad
 * config), 2 usage errors.
 *
 * Arguments are parsed by commander against the command table, before any command's module (and
 * with it the Temporal SDK) is imported: `--version`, `--help` and usage errors answer at once.
 */
import { readFileSync } from 'node:fs';
import { Command as Parser, CommanderError, Option } from 'commander';
import { type CliIo, type Command, type CommandHelp, type CommandIo, type CommandRun, type ParsedArguments, UsageError } from './command.js';
import { COMMANDS } from './commands.js';

export { UsageError } from './command.js';
export type { CliIo, Command, CommandEntry, CommandRun } from './command.js';

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
    'Run `mcp-agent <command> --help` for its options. `mcp-agent --version` prints the version.',
  ].join('\n');
}

/** Runs the command line `argv` (without node and the script); returns the exit code. */
export async function main(argv: readonly string[], given: Partial<CliIo> = {}): Promise<number> {
  const io: CommandIo = {
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
  if (argv[0] === '--version' || argv[0] === '-v' || argv[0] === '-V') {
    io.stdout(`${version()}\n`);
    return 0;
  }
  const entry = COMMANDS.find((candidate) => candidate.words.every((word, index) => argv[index] === word));
  if (entry === undefined) {
    const known = COMMANDS.map((candidate) => candidate.words.join(' '));
    const typed = argv.slice(0, 2).join(' ');
    // Commands that start like what was typed, or a group's commands when only the group was given.
    const near = known.filter((name) => name.startsWith(typed) || name.startsWith(argv[0] ?? '\u0000'));
    io.stderr(`mcp-agent: unknown command "${typed}"${near.length > 0 ? ` (did you mean ${near.map((name) => `"${name}"`).join(' or ')}?)` : ''}\n\n${overview()}\n`);
    return 2;
  }
  const rest = argv.slice(entry.words.length);
  const name = `mcp-agent ${entry.words.join(' ')}`;
  // A command whose help lives in its module is loaded to parse its arguments.
  const command: CommandHelp & { load: () => Promise<CommandRun> } = entry.usage === undefined ? withRun(await entry.load()) : entry;
  if (command.passThrough === true) {
    return runCommand(command, name, { values: {}, positionals: rest }, io);
  }
  let parsed: ParsedArguments | 'help';
  try {
    parsed = parse(command, name, rest, io);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr(`${name}: ${error.message}\n\n${command.usage}\n`);
    return 2;
  }
  return parsed === 'help' ? 0 : runCommand(command, name, parsed, io);
}

/** The entry of a command module that carries its own help. */
function withRun(command: Command): CommandHelp & { load: () => Promise<CommandRun> } {
  return { ...command, load: async () => command.run };
}

/**
 * Parses a command's arguments with commander: option values keyed by their long name (`run-id`,
 * `no-browser`: true when given), or `'help'` once `--help` has printed the usage. Throws a
 * `UsageError` naming the bad argument.
 */
function parse(command: CommandHelp, name: string, args: readonly string[], io: CommandIo): ParsedArguments | 'help' {
  const parser = new Parser(name)
    .exitOverride()
    .argument('[arguments...]')
    .configureHelp({ formatHelp: () => `${command.usage}\n` })
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr, outputError: () => {} });
  const options = new Map<string, Option>();
  for (const [long, spec] of Object.entries(command.options)) {
    const option = new Option(spec.type === 'string' ? `--${long} <value>` : `--${long}`);
    if (spec.multiple === true) option.argParser((value: string, previous: string[] | undefined) => [...(previous ?? []), value]);
    parser.addOption(option);
    options.set(long, option);
  }
  try {
    parser.parse(args, { from: 'user' });
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    if (error.code === 'commander.helpDisplayed') return 'help';
    throw new UsageError(`${error.message.replace(/^error: /, '').replace(/\n\(Did you mean (.*)\?\)$/, ' (did you mean $1?)')}; see the options below`);
  }
  const opts = parser.opts();
  const values: Record<string, unknown> = {};
  for (const [long, option] of options) {
    const attribute = option.attributeName();
    if (parser.getOptionValueSource(attribute) !== 'cli') continue;
    // `--no-browser` is `browser: false` to commander, `no-browser: true` to the command.
    values[long] = option.negate ? true : opts[attribute];
  }
  const positionals = parser.args;
  const { min, max } = command.positionals;
  if (positionals.length < min) throw new UsageError(`missing arguments: expected ${min === max ? min : `at least ${min}`}, got ${positionals.length}`);
  if (positionals.length > max) throw new UsageError(`unexpected argument "${positionals[max] ?? ''}" (it takes ${max === 0 ? 'none' : `at most ${max}`})`);
  return { values, positionals };
}

/** Loads and runs a command, turning its errors into messages and exit codes. */
async function runCommand(command: CommandHelp & { load: () => Promise<CommandRun> }, name: string, parsed: ParsedArguments, io: CommandIo): Promise<number> {
  try {
    const run = await command.load();
    // The config sections of installed packages (temporal, openai, anthropic, ...) are validated,
    // and reachable by environment overrides, as they are when an app starts.
    const { CONFIG_SECTION_PACKAGES, loadConfigSections } = await import('@mcp-agent/core/engine');
    await loadConfigSections(Object.keys(CONFIG_SECTION_PACKAGES), io.cwd);
    return await run(parsed, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(error.showUsage ? `${name}: ${error.message}\n\n${command.usage}\n` : `${name}: ${error.message}\n`);
      return 2;
    }
    const { messageOf } = await import('@mcp-agent/core');
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
