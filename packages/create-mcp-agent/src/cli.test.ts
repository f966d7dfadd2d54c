// The command: flags, questions when standard input is a terminal, refusals with exit code 2,
// the install step, and the bin run as a process.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main, type CliIo } from './cli.js';
import type { PackageManager } from './scaffold.js';

interface Recorded {
  io: CliIo;
  stdout: () => string;
  stderr: () => string;
  installs: Array<{ packageManager: PackageManager; directory: string }>;
  questions: string[];
}

/** An io that records what the command writes, answers questions from `answers` (or is not a terminal) and installs with exit code `installCode`. */
function recordingIo(cwd: string, options: { answers?: string[]; installCode?: number; userAgent?: string } = {}): Recorded {
  let stdout = '';
  let stderr = '';
  const installs: Recorded['installs'] = [];
  const questions: string[] = [];
  const answers = options.answers === undefined ? undefined : [...options.answers];
  const io: CliIo = {
    cwd,
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    ask:
      answers === undefined
        ? undefined
        : async (question) => {
            questions.push(question);
            const answer = answers.shift();
            if (answer === undefined) throw new Error(`no answer left for "${question}"`);
            return answer;
          },
    install: async (packageManager, directory) => {
      installs.push({ packageManager, directory });
      return options.installCode ?? 0;
    },
    userAgent: options.userAgent,
  };
  return { io, stdout: () => stdout, stderr: () => stderr, installs, questions };
}

const packageJson = async (directory: string): Promise<{ name: string; scripts: Record<string, string> }> => JSON.parse(await readFile(path.join(directory, 'package.json'), 'utf8'));

describe('create-mcp-agent', () => {
  let cwd: string;

  beforeEach(async () => {
    cwd = await mkdtemp(path.join(tmpdir(), 'create-mcp-agent-cli-'));
  });

  afterEach(async () => {
    await rm(cwd, { recursive: true, force: true });
  });

  it('writes the template the flags name, installs with the package manager given, and says what to run next', async () => {
    const run = recordingIo(cwd);
    expect(await main(['bot', '--template', 'temporal', '--package-manager', 'pnpm'], run.io)).toBe(0);

    expect(run.installs).toEqual([{ packageManager: 'pnpm', directory: path.join(cwd, 'bot') }]);
    expect((await packageJson(path.join(cwd, 'bot'))).scripts.worker).toBe('tsx src/worker.ts');
    expect(run.stdout()).toContain('created bot (template temporal) in bot\n');
    expect(run.stdout()).toContain('  cd bot\n  pnpm test');
    expect(run.stdout()).toContain('  pnpm worker');
    expect(run.stdout()).not.toContain('pnpm install');
  });

  it('with --no-install writes the files only, and tells to install; the package manager running it is the default', async () => {
    const run = recordingIo(cwd, { userAgent: 'pnpm/10.0.0 npm/? node/v20.19.0 linux x64' });
    expect(await main(['bot', '--no-install'], run.io)).toBe(0);

    expect(run.installs).toEqual([]);
    expect(existsSync(path.join(cwd, 'bot/src/workflows.ts'))).toBe(true);
    expect(existsSync(path.join(cwd, 'bot/src/worker.ts'))).toBe(false);
    expect(run.stdout()).toContain('  cd bot\n  pnpm install\n  pnpm test');
  });

  it('names a scoped package after the scope and writes it into a folder named after its last part', async () => {
    const run = recordingIo(cwd);
    expect(await main(['@acme/bot', '--no-install'], run.io)).toBe(0);
    expect((await packageJson(path.join(cwd, 'bot'))).name).toBe('@acme/bot');
  });

  it('asks for the name and the template when standard input is a terminal, again after a bad answer', async () => {
    const run = recordingIo(cwd, { answers: ['Weather Bot', 'weather-bot', 'cron', '2'] });
    expect(await main(['--no-install'], run.io)).toBe(0);

    expect(run.questions).toEqual(['Project name (my-agent): ', 'Project name (my-agent): ', 'Template (basic): ', 'Template (basic): ']);
    expect(run.stderr()).toBe('the name "Weather Bot" has capital letters; npm package names are lower case\nchoose basic or temporal (or its number)\n');
    expect(run.stdout()).toContain('  2. temporal: a Temporal workflow');
    expect(existsSync(path.join(cwd, 'weather-bot/src/worker.ts'))).toBe(true);
  });

  it('takes the defaults on empty answers', async () => {
    const run = recordingIo(cwd, { answers: ['', ''] });
    expect(await main(['--no-install'], run.io)).toBe(0);
    expect(existsSync(path.join(cwd, 'my-agent/src/worker.ts'))).toBe(false);
    expect((await packageJson(path.join(cwd, 'my-agent'))).name).toBe('my-agent');
  });

  it('refuses with exit code 2 and a clear message: no folder without a terminal, a bad name, an unknown template or package manager', async () => {
    const cases: Array<[string[], string]> = [
      [[], 'create-mcp-agent: name the project folder: npx create-mcp-agent my-app (standard input is not a terminal, so nothing is asked)'],
      [['My-Bot'], 'create-mcp-agent: the name "My-Bot" has capital letters; npm package names are lower case; the project is named after its folder'],
      [['bot', '--template', 'cron'], 'create-mcp-agent: unknown template "cron"; choose basic or temporal'],
      [['bot', '--package-manager', 'yarn'], 'create-mcp-agent: unknown package manager "yarn"; choose npm or pnpm'],
      [['bot', 'other'], 'create-mcp-agent: one folder, please; got bot other'],
      [['bot', '--colour'], 'create-mcp-agent: unknown option --colour'],
    ];
    for (const [argv, message] of cases) {
      const run = recordingIo(cwd);
      expect(await main(argv, run.io), argv.join(' ')).toBe(2);
      expect(run.stderr().split('\n')[0]).toBe(message);
      expect(run.installs).toEqual([]);
    }
    expect(existsSync(path.join(cwd, 'bot'))).toBe(false);
  });

  it('refuses a folder that is not empty, naming what it holds', async () => {
    await mkdir(path.join(cwd, 'bot'));
    await writeFile(path.join(cwd, 'bot/index.ts'), '');
    const run = recordingIo(cwd);

    expect(await main(['bot', '--no-install'], run.io)).toBe(2);
    expect(run.stderr()).toBe(`create-mcp-agent: ${path.join(cwd, 'bot')} is not empty (it holds index.ts); choose a new folder name or empty it first\n`);
  });

  it('exits 1 when the install fails, saying where to run it again', async () => {
    const run = recordingIo(cwd, { installCode: 3 });
    expect(await main(['bot'], run.io)).toBe(1);
    expect(run.stderr()).toBe('create-mcp-agent: npm install failed (exit code 3); fix the cause, then run it in bot\n');
  });

  it('runs as the bin npm create runs', async () => {
    const bin = path.join(import.meta.dirname, '../bin/create-mcp-agent.js');
    // tsx's loader by URL: the bin loads the TypeScript sources when the package is not built.
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
    const result = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, ['--import', tsx, bin, 'bot', '--template', 'basic', '--no-install'], { cwd }, (error, stdout, stderr) =>
        resolve({ code: error === null ? 0 : Number(error.code), stdout, stderr }),
      );
    });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('created bot (template basic) in bot');
    expect(await readFile(path.join(cwd, 'bot/.gitignore'), 'utf8')).toContain('mcp_agent.secrets.yaml\n');
  });
});
