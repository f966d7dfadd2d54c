// The scaffolder: package names, the refusal of a folder in use, the files each template writes
// with their variables filled, and the versions its package.json asks for.
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dependencyVersions, fillTemplate, projectManifest, scaffoldProject, TargetNotEmptyError, templateFiles, TEMPLATES_FOLDER, validatePackageName } from './scaffold.js';

const COMMON = [
  '.gitignore',
  'README.md',
  'mcp_agent.config.yaml',
  'mcp_agent.secrets.yaml.example',
  'package.json',
  'src/generated/activities.ts',
  'src/generated/clients.ts',
  'src/generated/schemas/AssistantWorkflow.input.json',
  'src/generated/workflows.sandbox.ts',
  'src/start.ts',
  'src/weather-server.ts',
  'src/workflows.ts',
  'test/assistant.test.ts',
  'tsconfig.json',
  'vitest.config.ts',
];

describe('validatePackageName', () => {
  it('accepts npm package names, scoped or not', () => {
    for (const name of ['my-app', 'agent2', '@acme/support-bot', 'a.b_c~d']) expect(validatePackageName(name), name).toBeUndefined();
  });

  it('says what is wrong with a name npm refuses', () => {
    expect(validatePackageName('')).toBe('the name is empty');
    expect(validatePackageName('My-App')).toBe('the name "My-App" has capital letters; npm package names are lower case');
    expect(validatePackageName('my app')).toBe('the name "my app" has characters npm does not allow (use lower-case letters, digits, "-", ".", "_" and "~")');
    expect(validatePackageName('.hidden')).toBe('the name ".hidden" starts with "."');
    expect(validatePackageName('@acme/_bot')).toBe('the name "@acme/_bot" starts with "_"');
    expect(validatePackageName('@acme')).toBe('the name "@acme" is not of the form @scope/name');
    expect(validatePackageName('fs')).toBe('the name "fs" is reserved');
    expect(validatePackageName('node_modules')).toBe('the name "node_modules" is reserved');
    expect(validatePackageName(' app')).toBe('the name " app" starts or ends with a space');
    expect(validatePackageName('a'.repeat(215))).toMatch(/is longer than 214 characters$/);
  });
});

describe('fillTemplate', () => {
  it('fills every variable, and refuses one it does not know', () => {
    expect(fillTemplate("new MCPApp({ name: '{{name}}' }); // {{run}} start", { name: 'bot', run: 'pnpm' })).toBe("new MCPApp({ name: 'bot' }); // pnpm start");
    expect(() => fillTemplate('{{nope}}', { name: 'bot' }, 'templates/basic/x.ts')).toThrow('templates/basic/x.ts uses {{nope}}, which create-mcp-agent does not fill');
  });
});

describe('scaffoldProject', () => {
  let folder: string;

  beforeEach(async () => {
    folder = await mkdtemp(path.join(tmpdir(), 'create-mcp-agent-'));
  });

  afterEach(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  /** Every file of a scaffolded project, by path, read as text. */
  async function readProject(directory: string): Promise<Map<string, string>> {
    const files = new Map<string, string>();
    for (const file of (await readdir(directory, { recursive: true, withFileTypes: true })).filter((entry) => entry.isFile())) {
      const full = path.join(file.parentPath, file.name);
      files.set(path.relative(directory, full).split(path.sep).join('/'), await readFile(full, 'utf8'));
    }
    return files;
  }

  it('writes the basic template into a new folder, every variable filled', async () => {
    const directory = path.join(folder, 'weather-bot');
    const written = await scaffoldProject({ directory, name: 'weather-bot', template: 'basic', packageManager: 'pnpm' });

    expect(written).toEqual(COMMON);
    const files = await readProject(directory);
    expect([...files.keys()].sort()).toEqual(COMMON);
    for (const [file, text] of files) expect(text, file).not.toMatch(/\{\{\w+\}\}/);
    expect(files.get('src/workflows.ts')).toContain("export const app = new MCPApp({ name: 'weather-bot' });");
    // The sandbox copy codegen made matches the source it was made from.
    expect(files.get('src/generated/workflows.sandbox.ts')).toContain("export const app = new MCPApp({ name: 'weather-bot' });");
    expect(files.get('README.md')).toContain('# weather-bot\n');
    expect(files.get('README.md')).toContain('pnpm start');
    expect(files.get('.gitignore')?.split('\n')).toContain('mcp_agent.secrets.yaml');
    expect(files.get('mcp_agent.config.yaml')).toContain('execution_engine: asyncio');
  });

  it('writes the temporal template with its worker, the task queue named after the project', async () => {
    const directory = path.join(folder, 'support');
    const written = await scaffoldProject({ directory, name: '@acme/support', template: 'temporal' });

    expect(written).toEqual([...COMMON, 'src/worker.ts'].sort());
    const files = await readProject(directory);
    expect(files.get('mcp_agent.config.yaml')).toContain("execution_engine: temporal\n\ntemporal:\n  host: localhost:7233\n  namespace: default\n  task_queue: '@acme/support'\n");
    expect(files.get('README.md')).toContain('npm run worker');
    expect(JSON.parse(files.get('package.json') as string).scripts).toMatchObject({ worker: 'tsx src/worker.ts', codegen: 'mcp-agent codegen' });
  });

  it('refuses a folder that holds files, naming them, and writes nothing', async () => {
    await writeFile(path.join(folder, 'notes.md'), 'mine');

    const attempt = scaffoldProject({ directory: folder, name: 'bot', template: 'basic' });
    await expect(attempt).rejects.toThrow(TargetNotEmptyError);
    await expect(attempt).rejects.toThrow(`${folder} is not empty (it holds notes.md); choose a new folder name or empty it first`);
    expect(await readdir(folder)).toEqual(['notes.md']);
  });

  it('writes into an empty folder that exists', async () => {
    await scaffoldProject({ directory: folder, name: 'bot', template: 'basic' });
    expect((await readdir(folder)).sort()).toContain('package.json');
  });

  it('refuses an invalid package name before writing anything', async () => {
    const directory = path.join(folder, 'x');
    await expect(scaffoldProject({ directory, name: 'Bad Name', template: 'basic' })).rejects.toThrow('the name "Bad Name" has capital letters');
    expect(await readdir(folder)).toEqual([]);
  });
});

describe('the project’s package.json', () => {
  it('asks for the framework at the version of this release, and the tools at the versions the templates were tested with', async () => {
    const versions = dependencyVersions();
    const core = JSON.parse(await readFile(path.join(import.meta.dirname, '../../core/package.json'), 'utf8')) as { version: string };
    expect(versions['@mcp-agent/core']).toBe(core.version);
    expect(Object.values(versions).some((version) => version.startsWith('workspace:'))).toBe(false);

    const manifest = projectManifest('bot', 'temporal', versions) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };
    expect(manifest.dependencies['@mcp-agent/executor-temporal']).toBe(`^${core.version}`);
    expect(manifest.dependencies['@temporalio/workflow']).toBe(versions['@temporalio/workflow']);
    expect(manifest.devDependencies['@mcp-agent/cli']).toBe(`^${core.version}`);
    expect(manifest.devDependencies.vitest).toBe('3.2.7');
    expect(() => projectManifest('bot', 'basic', {})).toThrow('create-mcp-agent knows no version of @mcp-agent/core');
  });

  it('names every package the templates import', async () => {
    for (const template of ['basic', 'temporal'] as const) {
      const manifest = projectManifest('bot', template) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };
      const declared = new Set([...Object.keys(manifest.dependencies), ...Object.keys(manifest.devDependencies)]);
      const folder = path.join(TEMPLATES_FOLDER, template);
      for (const file of templateFiles(folder).filter((name) => name.endsWith('.ts') && !name.startsWith('src/generated/'))) {
        const text = await readFile(path.join(folder, file), 'utf8');
        for (const [, specifier] of text.matchAll(/from '([^'.][^']*)'/g)) {
          if (specifier === undefined || specifier.startsWith('node:')) continue;
          const packageName = specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : (specifier.split('/')[0] as string);
          expect(declared, `${template}/${file} imports ${packageName}`).toContain(packageName);
        }
      }
    }
  });
});
