// The codegen cache: a run with nothing changed writes nothing; a changed source, an edited output
// or --force makes it read the app again; the bundle is rebuilt only when its inputs changed.
import { appendFileSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { cacheFile, listFiles, resolveOptions } from '../src/cache.js';
import { main } from '../src/index.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(
    argv,
    (text) => (out += text),
    (text) => (err += text),
  );
  return { code, out, err };
}

/** A copy of the approval fixture as an app, with a helper file the workflows do not import. */
function makeApp(): string {
  const root = mkdtempSync(path.join(HERE, '.cache-app-'));
  mkdirSync(path.join(root, 'src'));
  copyFileSync(path.join(HERE, 'fixtures', 'approval', 'input.ts'), path.join(root, 'src', 'workflows.ts'));
  writeFileSync(path.join(root, 'src', 'helper.ts'), "export const greeting = 'hello';\n");
  return root;
}

/** Each file of the generated folder with its modification time and content. */
function snapshot(root: string): Record<string, string> {
  const generated = path.join(root, 'src', 'generated');
  return Object.fromEntries(
    listFiles(generated).map((relative) => {
      const file = path.join(generated, relative);
      return [relative, `${statSync(file).mtimeMs} ${readFileSync(file, 'utf8')}`];
    }),
  );
}

describe('the codegen cache', { timeout: 120_000 }, () => {
  const made: string[] = [];
  afterEach(() => {
    for (const root of made.splice(0)) {
      rmSync(cacheFile(resolveOptions({ root })), { force: true });
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('a second run with nothing changed writes nothing and says everything is up to date', async () => {
    const root = makeApp();
    made.push(root);
    const first = await run(['--no-bundle', '--root', root]);
    expect(first.code).toBe(0);
    expect(first.out).toContain('wrote src/generated/clients.ts');
    const before = snapshot(root);
    const cacheTime = statSync(cacheFile(resolveOptions({ root }))).mtimeMs;

    const second = await run(['--no-bundle', '--root', root]);
    expect(second).toEqual({ code: 0, out: 'mcp-agent-codegen: 2 workflows; everything up to date\n', err: '' });
    expect(snapshot(root)).toEqual(before);
    expect(statSync(cacheFile(resolveOptions({ root }))).mtimeMs).toBe(cacheTime);
    expect((await run(['--check', '--root', root])).out).toContain('2 workflows, generated files up to date');
  });

  it('regenerates when a workflow file changes or a source file is added', async () => {
    const root = makeApp();
    made.push(root);
    await run(['--no-bundle', '--root', root]);
    const workflows = path.join(root, 'src', 'workflows.ts');
    writeFileSync(workflows, readFileSync(workflows, 'utf8').replace('export interface Doc {', 'export interface Doc {\n  author?: string;'));
    expect((await run(['--check', '--root', root])).err).toMatch(/generated files are stale: .*src\/generated\/schemas\/ApprovalWorkflow\.input\.json/);
    const changed = await run(['--no-bundle', '--root', root]);
    expect(changed.code).toBe(0);
    expect(changed.out).toMatch(/wrote .*src\/generated\/schemas\/ApprovalWorkflow\.input\.json/);
    expect(readFileSync(path.join(root, 'src', 'generated', 'schemas', 'ApprovalWorkflow.input.json'), 'utf8')).toContain('"author"');

    writeFileSync(
      path.join(root, 'src', 'more.ts'),
      "export const more = app.workflowTask(async (): Promise<number> => 1, { name: 'more.one' });\nimport { app } from './workflows.js';\n",
    );
    const added = await run(['--no-bundle', '--root', root]);
    expect(added.out).toMatch(/wrote .*src\/generated\/activities\.ts/);
    expect(readFileSync(path.join(root, 'src', 'generated', 'activities.ts'), 'utf8')).toContain('more.one');
  });

  it('reports a hand-edited output with --check and restores it on the next run', async () => {
    const root = makeApp();
    made.push(root);
    await run(['--no-bundle', '--root', root]);
    const clients = path.join(root, 'src', 'generated', 'clients.ts');
    const original = readFileSync(clients, 'utf8');
    appendFileSync(clients, '// edited by hand\n');
    const check = await run(['--check', '--root', root]);
    expect(check.code).toBe(1);
    expect(check.err).toContain('generated files are stale: src/generated/clients.ts');
    const restored = await run(['--no-bundle', '--root', root]);
    expect(restored.out).toContain('wrote src/generated/clients.ts');
    expect(readFileSync(clients, 'utf8')).toBe(original);

    rmSync(path.join(root, 'src', 'generated', 'activities.ts'));
    expect((await run(['--no-bundle', '--root', root])).out).toContain('wrote src/generated/activities.ts');
  });

  it('--force reads the app again even when nothing changed', async () => {
    const root = makeApp();
    made.push(root);
    await run(['--no-bundle', '--root', root]);
    const forced = await run(['--no-bundle', '--force', '--root', root]);
    expect(forced).toEqual({ code: 0, out: 'mcp-agent-codegen: 2 workflows; nothing changed\n', err: '' });
  });

  it('rebuilds the bundle only when its inputs changed, or when it is missing or forced', async () => {
    const root = makeApp();
    made.push(root);
    const generated = path.join(root, 'src', 'generated');
    const first = await run(['--root', root]);
    expect(first.out).toMatch(/workflow bundle src\/generated\/workflow-bundle\.[0-9a-f]{16}\.js/);
    const manifestTime = (): number => statSync(path.join(generated, 'workflow-bundle.json')).mtimeMs;
    const built = manifestTime();

    expect((await run(['--root', root])).out).toBe('mcp-agent-codegen: 2 workflows; everything up to date\n');
    // A source file the workflows do not import: the generated files are read again, the bundle is kept.
    writeFileSync(path.join(root, 'src', 'helper.ts'), "export const greeting = 'hi';\n");
    expect((await run(['--root', root])).out).toBe('mcp-agent-codegen: 2 workflows; nothing changed\nmcp-agent-codegen: workflow bundle up to date\n');
    expect(manifestTime()).toBe(built);

    // The bundle file removed: rebuilt from the cache, without reading the app.
    const manifest = JSON.parse(readFileSync(path.join(generated, 'workflow-bundle.json'), 'utf8')) as { bundle: string };
    rmSync(path.join(generated, manifest.bundle));
    const rebuilt = await run(['--root', root]);
    expect(rebuilt.out).toContain('mcp-agent-codegen: 2 workflows; generated files up to date\nmcp-agent-codegen: workflow bundle src/generated/workflow-bundle.');
    expect(statSync(path.join(generated, manifest.bundle)).isFile()).toBe(true);
    expect((await run(['--root', root])).out).toBe('mcp-agent-codegen: 2 workflows; everything up to date\n');

    expect((await run(['--force', '--root', root])).out).toContain('workflow bundle src/generated/workflow-bundle.');
  });
});
