// `npm create mcp-agent` as a user runs it: the packed create-mcp-agent scaffolds each template in
// a folder outside the workspace, the project installs the packed framework packages with npm,
// type-checks, finds its shipped generated client up to date, and passes its own test (the
// temporal template's on the Temporal dev server too).
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { stripVTControlCharacters } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { run, type Run } from './run.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '../../..');
/** The framework's packages a template may need, directly or through another. */
const FRAMEWORK = ['core', 'mcp-client', 'executor-asyncio', 'executor-temporal', 'providers-openai', 'providers-anthropic', 'patterns', 'server', 'codegen', 'testing', 'cli'];

describe('npm create mcp-agent, from the packed packages', () => {
  let packs: string;
  let projects: string;
  /** Tarballs by package name. */
  const tarballs = new Map<string, string>();
  let version: string;

  beforeAll(async () => {
    packs = await mkdtemp(path.join(tmpdir(), 'mcp-agent-create-packs-'));
    for (const folder of [...FRAMEWORK, 'create-mcp-agent']) {
      const packed = await run('bash', [path.join(ROOT, 'tools/pnpm.sh'), 'pack', '--pack-destination', packs], path.join(ROOT, 'packages', folder));
      expect(packed.code, `pnpm pack in packages/${folder}: ${packed.stderr}`).toBe(0);
    }
    version = (JSON.parse(await readFile(path.join(ROOT, 'packages/core/package.json'), 'utf8')) as { version: string }).version;
    for (const file of await readdir(packs)) {
      const name = file === `create-mcp-agent-${version}.tgz` ? 'create-mcp-agent' : FRAMEWORK.find((folder) => file === `mcp-agent-${folder}-${version}.tgz`);
      if (name !== undefined) tarballs.set(name === 'create-mcp-agent' ? name : `@mcp-agent/${name}`, path.join(packs, file));
    }
    expect(tarballs.size).toBe(FRAMEWORK.length + 1);
    projects = await mkdtemp(path.join(tmpdir(), 'mcp-agent-create-'));
  });

  afterAll(async () => {
    if (projects !== undefined) await rm(projects, { recursive: true, force: true });
    if (packs !== undefined) await rm(packs, { recursive: true, force: true });
  });

  /** Runs the packed create-mcp-agent as `npm create` does (npm exec of its bin) in the projects folder. */
  const create = (args: string[]): Promise<Run> => run('npm', ['exec', '--yes', `--package=${tarballs.get('create-mcp-agent')}`, '--', 'create-mcp-agent', ...args], projects);

  /**
   * Points the project's framework dependencies at the tarballs: its own (after checking they ask
   * for this release) and, through overrides, those of the packages it installs.
   */
  async function useTarballs(project: string): Promise<void> {
    const file = path.join(project, 'package.json');
    const manifest = JSON.parse(await readFile(file, 'utf8')) as { dependencies: Record<string, string>; devDependencies: Record<string, string>; overrides?: Record<string, string> };
    for (const dependencies of [manifest.dependencies, manifest.devDependencies]) {
      for (const name of Object.keys(dependencies).filter((dependency) => dependency.startsWith('@mcp-agent/'))) {
        expect(dependencies[name], name).toBe(`^${version}`);
        dependencies[name] = `file:${tarballs.get(name)}`;
      }
    }
    manifest.overrides = Object.fromEntries([...tarballs].filter(([name]) => name.startsWith('@mcp-agent/')).map(([name, tarball]) => [name, `file:${tarball}`]));
    await writeFile(file, JSON.stringify(manifest, null, 2));
  }

  it('refuses a name npm would refuse, before writing anything', async () => {
    const refused = await create(['My-App', '--no-install']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('create-mcp-agent: the name "My-App" has capital letters; npm package names are lower case');
    expect(await readdir(projects)).toEqual([]);
  });

  for (const template of ['basic', 'temporal'] as const) {
    it(`scaffolds the ${template} template, which installs, type-checks and passes its own test`, async () => {
      const name = `${template}-app`;
      const project = path.join(projects, name);
      const created = await create([name, '--template', template, '--no-install']);
      expect(created.code, created.stderr).toBe(0);
      expect(created.stdout).toContain(`created ${name} (template ${template}) in ${name}`);
      expect(await readFile(path.join(project, 'src/workflows.ts'), 'utf8')).toContain(`new MCPApp({ name: '${name}' })`);

      // A second run into the same folder is refused.
      const again = await create([name, '--template', template, '--no-install']);
      expect(again.code).toBe(2);
      expect(again.stderr).toContain(`${project} is not empty`);

      await useTarballs(project);
      const installed = await run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], project);
      expect(installed.code, installed.stderr).toBe(0);

      const checked = await run('npm', ['run', 'typecheck'], project);
      expect(checked.code, checked.stdout + checked.stderr).toBe(0);
      // The generated client it ships is what the installed codegen makes of the filled template.
      const codegen = await run('npm', ['run', 'codegen', '--', '--check'], project);
      expect(codegen.code, codegen.stdout + codegen.stderr).toBe(0);
      expect(codegen.stdout).toContain('1 workflow, generated files up to date');

      // No model key: the test talks to the local model server. On Temporal it runs a worker in
      // its own process, against the dev server of this test run.
      const tested = await run('npm', ['test'], project, { OPENAI_API_KEY: '', TEMPORAL_TEST_ADDRESS: inject('temporalAddress') });
      expect(tested.code, tested.stdout + tested.stderr).toBe(0);
      // The project's vitest may colour its summary (FORCE_COLOR from the CI's task runner).
      expect(stripVTControlCharacters(tested.stdout)).toMatch(/Tests\s+2 passed \(2\)/);
    });
  }
});
