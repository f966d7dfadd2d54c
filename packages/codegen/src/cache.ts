/**
 * The codegen cache: what the last run read and wrote, by content hash, so that a run where nothing
 * changed stops after hashing files. This module loads neither ts-morph nor TypeScript, so the
 * up-to-date check costs no more than reading the files.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** A source or folder that does not exist, or another misuse: the CLI exits 2. */
export class CodegenUsageError extends Error {}

/** The packages whose versions decide what codegen reads and what the bundle holds. */
const KEY_PACKAGES = ['@mcp-agent/core', '@mcp-agent/executor-temporal', '@temporalio/workflow', 'typescript', 'ts-morph'] as const;

/** The framework packages the bundle manifest records (the worker compares them). */
export const BUNDLE_PACKAGES = ['@mcp-agent/core', '@mcp-agent/executor-temporal', '@temporalio/workflow'] as const;

/** The manifest of the prebuilt bundle, as far as codegen reads it back. */
export const BUNDLE_MANIFEST = 'workflow-bundle.json';

/** The options that decide a run's output, resolved to absolute paths. */
export interface ResolvedOptions {
  root: string;
  outDir: string;
  sources: string[];
  tsconfig: string;
}

/** Resolves the options of a run against `root`, with their defaults. */
export function resolveOptions(options: { root: string; outDir?: string; sources?: string[]; tsconfig?: string }): ResolvedOptions {
  const root = path.resolve(options.root);
  return {
    root,
    outDir: path.resolve(root, options.outDir ?? 'src/generated'),
    sources: options.sources ?? ['src'],
    tsconfig: path.resolve(root, options.tsconfig ?? 'tsconfig.json'),
  };
}

/** A task of the activity manifest, as the bundle manifest lists it. */
export interface ActivityEntry {
  name: string;
  source: string;
}

/** What the last full run recorded. Paths are relative to the app's root. */
export interface CodegenCache {
  version: number;
  /** The hash of the codegen code, the options, the tsconfig and the installed package versions. */
  key: string;
  /** The files the sources option gave (before following imports). */
  sources: string[];
  /** Every local file the run read (the sources and what they import), with its hash. */
  inputs: Record<string, string>;
  /** Every generated file, relative to `outDir`, with its hash. */
  outputs: Record<string, string>;
  workflows: number;
  /** What the prebuilt bundle is made of, to rebuild it without reading the app again. */
  bundle: {
    workflowFiles: string[];
    sources: string[];
    activities: ActivityEntry[];
    /** The hash of the sandbox copies the current bundle was built from, once built. */
    builtFrom?: string;
  };
}

const CACHE_VERSION = 1;

export function sha256(content: string | Buffer): string {
  return createHash('sha256').update(content).digest('hex');
}

/** Hashes a file, or undefined when it is missing. */
function fileHash(file: string): string | undefined {
  try {
    return sha256(readFileSync(file));
  } catch {
    return undefined;
  }
}

/** Collects the TypeScript files under `entry` (tests, declarations and `outDir` left out). */
function collect(entry: string, outDir: string, into: string[]): void {
  if (!existsSync(entry)) return;
  const stats = statSync(entry);
  if (stats.isFile()) {
    if (/\.tsx?$/.test(entry) && !/\.d\.ts$/.test(entry) && !/\.test\.tsx?$/.test(entry)) into.push(entry);
    return;
  }
  if (entry === outDir || path.basename(entry) === 'node_modules') return;
  for (const name of readdirSync(entry).sort()) collect(path.join(entry, name), outDir, into);
}

/** The files the sources option names, absolute. */
export function collectSources(options: ResolvedOptions): string[] {
  if (!existsSync(options.root)) throw new CodegenUsageError(`the app folder ${options.root} does not exist`);
  const files: string[] = [];
  for (const source of options.sources) {
    const entry = path.resolve(options.root, source);
    if (!existsSync(entry)) throw new CodegenUsageError(`${source} does not exist in ${options.root}; give files or folders of the app`);
    collect(entry, options.outDir, files);
  }
  return files;
}

/** Every file under `directory` (relative paths, sorted). */
export function listFiles(directory: string, base = directory): string[] {
  if (!existsSync(directory)) return [];
  return readdirSync(directory, { withFileTypes: true })
    .flatMap((entry) => (entry.isDirectory() ? listFiles(path.join(directory, entry.name), base) : [path.relative(base, path.join(directory, entry.name))]))
    .sort();
}

/** The generated files a run owns in `outDir`; others (the bundle, a .gitignore) are left alone. */
export function owned(relative: string): boolean {
  return relative === 'clients.ts' || relative === 'activities.ts' || relative.endsWith('.sandbox.ts') || relative.startsWith(`schemas${path.sep}`);
}

/** The version of a package installed for the app in `root` (or a folder above), or undefined. */
export function packageVersion(name: string, root: string): string | undefined {
  for (let directory = root; ; directory = path.dirname(directory)) {
    const candidates = [path.join(directory, 'node_modules', name, 'package.json'), path.join(directory, 'package.json')];
    for (const candidate of candidates) {
      if (!existsSync(candidate)) continue;
      const manifest = JSON.parse(readFileSync(candidate, 'utf8')) as { name?: string; version?: string };
      // The app's own package.json counts only when it is the package asked for (self-reference).
      if (candidate.includes('node_modules') || manifest.name === name) return manifest.version;
    }
    if (path.dirname(directory) === directory) return undefined;
  }
}

/** The hash of codegen's own modules: a change to codegen invalidates every cache, even at the same version. */
function codegenFingerprint(): string {
  const directory = path.dirname(fileURLToPath(import.meta.url));
  const hash = createHash('sha256');
  for (const name of readdirSync(directory).sort()) {
    if (/\.(ts|js)$/.test(name) && !/\.d\.ts$/.test(name)) hash.update(name).update(readFileSync(path.join(directory, name)));
  }
  return hash.digest('hex');
}

/** The cache key of a run: codegen's code, the options, the tsconfig and the installed packages. */
export function cacheKey(options: ResolvedOptions): string {
  return sha256(
    JSON.stringify({
      codegen: codegenFingerprint(),
      outDir: path.relative(options.root, options.outDir),
      sources: options.sources,
      tsconfig: [path.relative(options.root, options.tsconfig), fileHash(options.tsconfig) ?? null],
      packages: KEY_PACKAGES.map((name) => [name, packageVersion(name, options.root) ?? null]),
    }),
  );
}

/**
 * Where the cache of an app's output folder lives: `node_modules/.cache/mcp-agent-codegen/` of the
 * app (or the nearest folder above with a node_modules), so it is never committed.
 */
export function cacheFile(options: ResolvedOptions): string {
  let directory = options.root;
  while (!existsSync(path.join(directory, 'node_modules')) && path.dirname(directory) !== directory) directory = path.dirname(directory);
  const base = existsSync(path.join(directory, 'node_modules')) ? path.join(directory, 'node_modules', '.cache', 'mcp-agent-codegen') : path.join(options.outDir, '.cache');
  return path.join(base, `${sha256(options.outDir).slice(0, 16)}.json`);
}

export function readCache(options: ResolvedOptions): CodegenCache | undefined {
  try {
    const cache = JSON.parse(readFileSync(cacheFile(options), 'utf8')) as CodegenCache;
    return cache.version === CACHE_VERSION ? cache : undefined;
  } catch {
    return undefined;
  }
}

export function writeCache(options: ResolvedOptions, cache: Omit<CodegenCache, 'version'>): void {
  const file = cacheFile(options);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify({ version: CACHE_VERSION, ...cache })}\n`);
}

/** The hash of the sandbox copies among `outputs`: what the bundle is built from, with the sources they import. */
export function sandboxDigest(outputs: Record<string, string>): string {
  return sha256(
    JSON.stringify(
      Object.entries(outputs)
        .filter(([relative]) => relative.endsWith('.sandbox.ts'))
        .sort(([a], [b]) => a.localeCompare(b)),
    ),
  );
}

/** Hashes of files, by path relative to `root`. */
export function hashFiles(root: string, files: readonly string[]): Record<string, string> {
  const hashes: Record<string, string> = {};
  for (const file of [...files].sort()) hashes[path.relative(root, file)] = fileHash(file) ?? '';
  return hashes;
}

/** Whether the prebuilt bundle in `outDir` is current: its manifest's sources, packages and file match. */
export function bundleCurrent(options: ResolvedOptions, cache: CodegenCache): boolean {
  if (cache.bundle.builtFrom !== sandboxDigest(cache.outputs)) return false;
  let manifest: { bundle?: string; sha256?: string; sources?: Record<string, string>; packages?: Record<string, string> };
  try {
    manifest = JSON.parse(readFileSync(path.join(options.outDir, BUNDLE_MANIFEST), 'utf8'));
  } catch {
    return false;
  }
  if (manifest.bundle === undefined || fileHash(path.join(options.outDir, manifest.bundle)) !== manifest.sha256) return false;
  if (Object.entries(manifest.sources ?? {}).some(([relative, hash]) => fileHash(path.resolve(options.outDir, relative)) !== hash)) return false;
  return BUNDLE_PACKAGES.every((name) => packageVersion(name, options.outDir) === manifest.packages?.[name]);
}

/** What the cache says of a run with these options: `current` when it would write nothing. */
export type CacheVerdict = { current: true; cache: CodegenCache } | { current: false; reason: string };

/**
 * Checks, without reading the app with ts-morph, that nothing changed since the last full run: the
 * same key, the same source files with the same content, and every generated file as written
 * (none edited, missing or added).
 */
export function checkCache(options: ResolvedOptions): CacheVerdict {
  const cache = readCache(options);
  if (cache === undefined) return { current: false, reason: 'no cache' };
  if (cache.key !== cacheKey(options)) return { current: false, reason: 'codegen, its options, the tsconfig or a package changed' };
  const sources = collectSources(options).map((file) => path.relative(options.root, file));
  if (sources.join('\n') !== cache.sources.join('\n')) return { current: false, reason: 'source files added or removed' };
  for (const [relative, hash] of Object.entries(cache.inputs)) {
    if (fileHash(path.resolve(options.root, relative)) !== hash) return { current: false, reason: `${relative} changed` };
  }
  const present = listFiles(options.outDir).filter(owned);
  if (present.join('\n') !== Object.keys(cache.outputs).sort().join('\n')) return { current: false, reason: 'generated files added or removed' };
  for (const [relative, hash] of Object.entries(cache.outputs)) {
    if (fileHash(path.join(options.outDir, relative)) !== hash) return { current: false, reason: `${relative} was edited` };
  }
  return { current: true, cache };
}
