/**
 * `create-mcp-agent [folder] [--template basic|temporal] [--package-manager npm|pnpm] [--no-install]`:
 * asks what it is not told when standard input is a terminal, writes the project, installs its
 * dependencies and says what to run next. Exit codes: 0 done, 1 the install failed, 2 usage errors
 * (a bad name, a folder that is not empty, an unknown template).
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import {
  folderNameOf,
  isTemplateName,
  PACKAGE_MANAGERS,
  scaffoldProject,
  TargetNotEmptyError,
  TEMPLATES,
  templateVariables,
  validatePackageName,
  type PackageManager,
  type TemplateName,
} from './scaffold.js';

const USAGE = `usage: npm create mcp-agent@latest [folder] -- [options]
       npx create-mcp-agent [folder] [options]

Writes a new mcp-agent project into [folder] (asked for when standard input is a terminal),
named after the folder, then installs its dependencies.

  --template <name>          ${Object.entries(TEMPLATES)
    .map(([name, what]) => `${name}: ${what}`)
    .join('\n                             ')}
  --package-manager <name>   npm or pnpm (default: the one running this command, else npm)
  --no-install               write the files only
  --help                     this text`;

/** Where the command reads and writes: the process's streams, or a test's. */
export interface CliIo {
  cwd: string;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Asks a question and returns the answer; undefined when standard input is not a terminal. */
  ask: ((question: string) => Promise<string>) | undefined;
  /** Runs the install command in the project folder; returns its exit code. */
  install: (packageManager: PackageManager, directory: string) => Promise<number>;
  /** The package manager that runs this command, from `npm_config_user_agent`. */
  userAgent: string | undefined;
}

/** Runs `<packageManager> install` in `directory`, its output on this process's. */
function installWith(packageManager: PackageManager, directory: string): Promise<number> {
  return new Promise((resolve) => {
    // npm and pnpm are .cmd scripts on Windows, which only a shell runs.
    const child = spawn(packageManager, ['install'], { cwd: directory, stdio: 'inherit', shell: process.platform === 'win32' });
    child.once('error', () => resolve(127));
    child.once('exit', (code) => resolve(code ?? 1));
  });
}

/** The process's streams; questions only when standard input and output are terminals. */
function processIo(): CliIo {
  const interactive = process.stdin.isTTY === true && process.stdout.isTTY === true;
  return {
    cwd: process.cwd(),
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    ask: interactive
      ? async (question) => {
          const readline = createInterface({ input: process.stdin, output: process.stdout });
          try {
            return await readline.question(question);
          } finally {
            readline.close();
          }
        }
      : undefined,
    install: installWith,
    userAgent: process.env.npm_config_user_agent,
  };
}

/** Asks until the answer is valid (an empty answer takes the default); returns the answer. */
async function askUntilValid(
  ask: (question: string) => Promise<string>,
  question: string,
  fallback: string,
  problemOf: (answer: string) => string | undefined,
  stderr: (text: string) => void,
): Promise<string> {
  for (;;) {
    const answer = (await ask(`${question} (${fallback}): `)).trim() || fallback;
    const problem = problemOf(answer);
    if (problem === undefined) return answer;
    stderr(`${problem}\n`);
  }
}

/** Runs the command with `argv` (without node and the script); returns the exit code. */
export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  let values: { template?: string | undefined; 'package-manager'?: string | undefined; 'no-install'?: boolean | undefined; help?: boolean | undefined };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: [...argv],
      options: { template: { type: 'string', short: 't' }, 'package-manager': { type: 'string' }, 'no-install': { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    }));
  } catch (error) {
    // Node's message about an unknown option goes on about positionals; name the option only.
    const unknown = /^Unknown option '([^']+)'/.exec((error as Error).message)?.[1];
    io.stderr(`create-mcp-agent: ${unknown === undefined ? (error as Error).message : `unknown option ${unknown}`}\n${USAGE}\n`);
    return 2;
  }
  if (values.help === true) {
    io.stdout(`${USAGE}\n`);
    return 0;
  }
  const usageError = (message: string): number => {
    io.stderr(`create-mcp-agent: ${message}\n`);
    return 2;
  };
  if (positionals.length > 1) return usageError(`one folder, please; got ${positionals.join(' ')}`);

  const managerGiven = values['package-manager'];
  if (managerGiven !== undefined && !(PACKAGE_MANAGERS as readonly string[]).includes(managerGiven)) {
    return usageError(`unknown package manager "${managerGiven}"; choose ${PACKAGE_MANAGERS.join(' or ')}`);
  }
  const packageManager: PackageManager = (managerGiven as PackageManager | undefined) ?? (io.userAgent?.startsWith('pnpm/') === true ? 'pnpm' : 'npm');

  let folder = positionals[0];
  if (folder === undefined) {
    if (io.ask === undefined) return usageError(`name the project folder: npx create-mcp-agent my-app (standard input is not a terminal, so nothing is asked)\n${USAGE}`);
    folder = await askUntilValid(io.ask, 'Project name', 'my-agent', validatePackageName, io.stderr);
  }
  // A scoped name (@scope/app) is written into a folder named after its last part.
  const directory = path.resolve(io.cwd, folder.startsWith('@') ? folderNameOf(folder) : folder);
  const name = folder.startsWith('@') ? folder : path.basename(directory);
  const nameProblem = validatePackageName(name);
  if (nameProblem !== undefined) return usageError(`${nameProblem}; the project is named after its folder`);

  let template = values.template;
  if (template === undefined && io.ask !== undefined) {
    const choices = Object.entries(TEMPLATES).map(([option, what], index) => `  ${index + 1}. ${option}: ${what}`);
    io.stdout(`Templates:\n${choices.join('\n')}\n`);
    const names = Object.keys(TEMPLATES);
    const picked = await askUntilValid(
      io.ask,
      'Template',
      'basic',
      (answer) => (isTemplateName(answer) || names[Number(answer) - 1] !== undefined ? undefined : `choose ${names.join(' or ')} (or its number)`),
      io.stderr,
    );
    template = isTemplateName(picked) ? picked : names[Number(picked) - 1];
  }
  template ??= 'basic';
  if (!isTemplateName(template)) return usageError(`unknown template "${template}"; choose ${Object.keys(TEMPLATES).join(' or ')}`);

  try {
    await scaffoldProject({ directory, name, template: template as TemplateName, packageManager });
  } catch (error) {
    if (error instanceof TargetNotEmptyError) return usageError(error.message);
    throw error;
  }
  const shown = path.relative(io.cwd, directory) || '.';
  io.stdout(`created ${name} (template ${template}) in ${shown}\n`);

  const installed = values['no-install'] === true ? undefined : await io.install(packageManager, directory);
  if (installed !== undefined && installed !== 0) {
    io.stderr(`create-mcp-agent: ${packageManager} install failed (exit code ${installed}); fix the cause, then run it in ${shown}\n`);
    return 1;
  }
  io.stdout(`\n${nextSteps(shown, template as TemplateName, packageManager, installed === undefined)}\n`);
  return 0;
}

/** What to run next, as the project's README says it. */
function nextSteps(folder: string, template: TemplateName, packageManager: PackageManager, installNeeded: boolean): string {
  const { run, install } = templateVariables('', packageManager);
  const lines = [`next:`, ...(folder === '.' ? [] : [`  cd ${folder}`]), ...(installNeeded ? [`  ${install}`] : []), `  ${run} test        # runs offline, against a local model server`];
  lines.push('  cp mcp_agent.secrets.yaml.example mcp_agent.secrets.yaml   # then put your OpenAI key in it');
  if (template === 'temporal') {
    lines.push(`  ${run} server      # the Temporal dev server (Web UI on http://localhost:8233)`, `  ${run} worker      # in a second terminal`, `  ${run} start       # in a third`);
  } else {
    lines.push(`  ${run} start`);
  }
  lines.push('the README says more.');
  return lines.join('\n');
}
