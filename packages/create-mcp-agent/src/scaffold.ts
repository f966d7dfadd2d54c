/**
 * Writes a new mcp-agent project from a template: the template's files with their variables
 * filled, and a package.json whose dependencies are the versions this release of
 * create-mcp-agent was packed with.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { builtinModules, createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The templates, by name, and what each starts. */
export const TEMPLATES = {
  basic: 'an agent with an MCP server, on the in-process engine',
  temporal: 'a Temporal workflow: the agent with its MCP server, a worker and a starter',
} as const;

/** A template's name. */
export type TemplateName = keyof typeof TEMPLATES;

/** The package managers the project's README and scripts are written for. */
export const PACKAGE_MANAGERS = ['npm', 'pnpm'] as const;

/** A package manager's name. */
export type PackageManager = (typeof PACKAGE_MANAGERS)[number];

/** This package's folder: one level above both `src/` and `dist/`. */
const PACKAGE_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Where the templates are. */
export const TEMPLATES_FOLDER = path.join(PACKAGE_ROOT, 'templates');

/** Files stored under another name, because npm drops or renames them when it packs a package. */
const STORED_AS: Record<string, string> = { gitignore: '.gitignore' };

/** Whether `value` names a template. */
export function isTemplateName(value: string): value is TemplateName {
  return Object.hasOwn(TEMPLATES, value);
}

/**
 * Why `name` can't be an npm package name, or undefined when it can: npm's rules for new
 * packages (at most 214 characters, lower case, URL-safe, not starting with `.` or `_`, not a
 * Node built-in module), with an optional `@scope/`.
 *
 * @example validatePackageName('My App') // 'the name "My App" has capital letters; npm package names are lower case'
 */
export function validatePackageName(name: string): string | undefined {
  const quoted = JSON.stringify(name);
  if (name === '') return 'the name is empty';
  if (name.length > 214) return `the name ${quoted} is longer than 214 characters`;
  if (name.trim() !== name) return `the name ${quoted} starts or ends with a space`;
  if (name !== name.toLowerCase()) return `the name ${quoted} has capital letters; npm package names are lower case`;
  const scoped = /^@([^/]+)\/([^/]+)$/.exec(name);
  if (name.startsWith('@') && scoped === null) return `the name ${quoted} is not of the form @scope/name`;
  for (const part of scoped === null ? [name] : [scoped[1] as string, scoped[2] as string]) {
    if (part.startsWith('.') || part.startsWith('_')) return `the name ${quoted} starts with "${part[0]}"`;
    if (!/^[a-z0-9._~-]+$/.test(part)) return `the name ${quoted} has characters npm does not allow (use lower-case letters, digits, "-", ".", "_" and "~")`;
  }
  if (['node_modules', 'favicon.ico'].includes(name) || builtinModules.includes(name)) return `the name ${quoted} is reserved`;
  return undefined;
}

/** The folder name for a package name: the part after the scope. */
export function folderNameOf(packageName: string): string {
  return packageName.slice(packageName.lastIndexOf('/') + 1);
}

/**
 * The versions the project depends on, by package: the framework's packages at the version this
 * create-mcp-agent was released with, and the exact versions of the tools the templates were
 * tested with. They are this package's devDependencies: packing turns the workspace's
 * `workspace:*` into the released version; inside the workspace, the linked package says it.
 */
export function dependencyVersions(): Record<string, string> {
  const manifest = JSON.parse(readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
  const require = createRequire(path.join(PACKAGE_ROOT, 'package.json'));
  return Object.fromEntries(
    Object.entries(manifest.devDependencies).map(([name, version]) => {
      if (!version.startsWith('workspace:')) return [name, version];
      return [name, (JSON.parse(readFileSync(require.resolve(`${name}/package.json`), 'utf8')) as { version: string }).version];
    }),
  );
}

/** What each template's package.json holds besides its name: scripts and the packages it needs. */
const MANIFESTS: Record<TemplateName, { scripts: Record<string, string>; dependencies: string[]; devDependencies: string[] }> = {
  basic: {
    scripts: {
      start: 'tsx src/start.ts',
      typecheck: 'tsc -p tsconfig.json',
      test: 'vitest run',
      codegen: 'mcp-agent-codegen',
    },
    dependencies: ['@mcp-agent/core', '@mcp-agent/executor-asyncio', '@mcp-agent/mcp-client', '@mcp-agent/providers-openai', '@modelcontextprotocol/sdk', 'tsx', 'zod'],
    devDependencies: ['@mcp-agent/codegen', '@mcp-agent/testing', '@types/node', 'typescript', 'vitest'],
  },
  temporal: {
    scripts: {
      start: 'tsx src/start.ts',
      worker: 'tsx src/worker.ts',
      server: 'mcp-agent server start-dev',
      typecheck: 'tsc -p tsconfig.json',
      test: 'vitest run',
      codegen: 'mcp-agent codegen',
    },
    dependencies: [
      '@mcp-agent/core',
      '@mcp-agent/executor-asyncio',
      '@mcp-agent/executor-temporal',
      '@mcp-agent/mcp-client',
      '@mcp-agent/providers-openai',
      '@modelcontextprotocol/sdk',
      '@temporalio/workflow',
      'tsx',
      'zod',
    ],
    devDependencies: ['@mcp-agent/cli', '@mcp-agent/testing', '@types/node', 'typescript', 'vitest'],
  },
};

/** The project's package.json, as an object. Framework packages take compatible updates (`^`); other packages stay pinned. */
export function projectManifest(name: string, template: TemplateName, versions: Record<string, string> = dependencyVersions()): Record<string, unknown> {
  const { scripts, dependencies, devDependencies } = MANIFESTS[template];
  const ranges = (names: string[]): Record<string, string> =>
    Object.fromEntries(
      names.map((dependency) => {
        const version = versions[dependency];
        if (version === undefined) throw new Error(`create-mcp-agent knows no version of ${dependency}`);
        return [dependency, dependency.startsWith('@mcp-agent/') ? `^${version}` : version];
      }),
    );
  return {
    name,
    version: '0.1.0',
    private: true,
    type: 'module',
    engines: { node: '>=20.19' },
    scripts,
    dependencies: ranges(dependencies),
    devDependencies: ranges(devDependencies),
  };
}

/** The variables a template's files use, as `{{name}}`, and their values. */
export function templateVariables(name: string, packageManager: PackageManager): Record<string, string> {
  return {
    name,
    install: `${packageManager} install`,
    run: packageManager === 'npm' ? 'npm run' : 'pnpm',
    exec: packageManager === 'npm' ? 'npx' : 'pnpm exec',
  };
}

/** `text` with each `{{variable}}` replaced; a variable the map does not hold is an error, so no template ships one unfilled. */
export function fillTemplate(text: string, variables: Record<string, string>, file = 'the template'): string {
  return text.replace(/\{\{(\w+)\}\}/g, (_match, variable: string) => {
    const value = variables[variable];
    if (value === undefined) throw new Error(`${file} uses {{${variable}}}, which create-mcp-agent does not fill`);
    return value;
  });
}

/** The entries of `directory`, or an empty list when it does not exist. */
async function entriesOf(directory: string): Promise<string[]> {
  try {
    return await readdir(directory);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

/** Refused to write into a folder that holds files already. */
export class TargetNotEmptyError extends Error {
  override readonly name = 'TargetNotEmptyError';
}

/** What to scaffold, and where. */
export interface ScaffoldOptions {
  /** The folder to write the project into; it is created if missing and must be empty if not. */
  directory: string;
  /** The project's npm package name (validated with {@link validatePackageName}). */
  name: string;
  template: TemplateName;
  /** The package manager the README and the scripts' comments name. Default: npm. */
  packageManager?: PackageManager;
  /** Versions by package. Default: {@link dependencyVersions}. */
  versions?: Record<string, string>;
}

/**
 * Writes the project: the template's files (variables filled) and its package.json. Refuses a
 * folder that is not empty and an invalid package name, before writing anything.
 *
 * @returns The files written, relative to the folder, sorted.
 * @example await scaffoldProject({ directory: 'my-app', name: 'my-app', template: 'basic' })
 */
export async function scaffoldProject(options: ScaffoldOptions): Promise<string[]> {
  const problem = validatePackageName(options.name);
  if (problem !== undefined) throw new Error(`${problem}; choose another project name`);
  const existing = await entriesOf(options.directory);
  if (existing.length > 0) {
    const shown = existing.sort().slice(0, 5).join(', ');
    throw new TargetNotEmptyError(`${options.directory} is not empty (it holds ${shown}${existing.length > 5 ? ', ...' : ''}); choose a new folder name or empty it first`);
  }
  const variables = templateVariables(options.name, options.packageManager ?? 'npm');
  const source = path.join(TEMPLATES_FOLDER, options.template);
  const written: string[] = [];
  for (const file of templateFiles(source)) {
    const parts = file.split('/');
    const target = parts.map((part) => STORED_AS[part] ?? part).join('/');
    const text = fillTemplate(await readFile(path.join(source, file), 'utf8'), variables, `templates/${options.template}/${file}`);
    await mkdir(path.dirname(path.join(options.directory, target)), { recursive: true });
    await writeFile(path.join(options.directory, target), text);
    written.push(target);
  }
  const manifest = projectManifest(options.name, options.template, options.versions);
  await writeFile(path.join(options.directory, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  written.push('package.json');
  return written.sort();
}

/** A template's files, relative to its folder, without what installing or testing it inside the workspace leaves behind. */
export function templateFiles(folder: string): string[] {
  const left = new Set(['node_modules', '.vitest-results.json', '.bundle-entry']);
  const walk = (relative: string): string[] =>
    readdirSync(path.join(folder, relative), { withFileTypes: true })
      .filter((entry) => !left.has(entry.name) && !entry.name.startsWith('workflow-bundle.'))
      .flatMap((entry) => {
        const file = relative === '' ? entry.name : `${relative}/${entry.name}`;
        return entry.isDirectory() ? walk(file) : [file];
      });
  return walk('').sort();
}
