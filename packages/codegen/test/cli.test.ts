// The CLI: exit codes (0 done, 1 problems or stale files, 2 usage), what it prints, --check.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../src/index.js';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');

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

describe('mcp-agent-codegen', () => {
  const made: string[] = [];
  afterAll(async () => {
    await Promise.all(made.map((directory) => rm(directory, { recursive: true, force: true })));
  });

  it('--check passes when the generated files are up to date', async () => {
    const { code, out } = await run(['--check', '--root', path.join(FIXTURES, 'approval'), '--out', 'expected', 'input.ts']);
    expect(out).toContain('2 workflows, generated files up to date');
    expect(code).toBe(0);
  });

  it('--check fails naming the stale files, and a run writes them', async () => {
    const root = path.join(FIXTURES, 'approval');
    const out = await mkdtemp(path.join(root, '.generated-'));
    made.push(out);
    const stale = await run(['--check', '--root', root, '--out', path.basename(out), 'input.ts']);
    expect(stale.code).toBe(1);
    expect(stale.err).toContain('generated files are stale');
    expect(stale.err).toContain('clients.ts');
    const written = await run(['--no-bundle', '--root', root, '--out', path.basename(out), 'input.ts']);
    expect(written.code).toBe(0);
    expect(written.out).toContain('wrote');
    expect(await readFile(path.join(out, 'clients.ts'), 'utf8')).toContain('export const ApprovalWorkflowClient');
    expect((await run(['--check', '--root', root, '--out', path.basename(out), 'input.ts'])).code).toBe(0);
  });

  it('fails with each diagnostic at file:line:column and a hint', async () => {
    const { code, err } = await run(['--check', '--root', path.join(FIXTURES, 'errors'), '--out', 'expected', 'input.ts']);
    expect(code).toBe(1);
    expect(err).toContain('input.ts:38:28 IO_IN_WORKFLOW fetch() in workflow FetchingWorkflow');
    expect(err).toContain('hint: call fetch in a task');
    expect(err).toMatch(/13 problems in workflow code/);
  });

  it('refuses an unknown option or a missing value with the usage and exit code 2', async () => {
    const unknown = await run(['--frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain('unknown option --frobnicate');
    expect(unknown.err).toContain('usage: mcp-agent-codegen');
    expect((await run(['--root'])).code).toBe(2);
    const missing = await run(['--check', '--root', path.join(FIXTURES, 'approval'), 'sr']);
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('sr does not exist in');
    const help = await run(['--help']);
    expect(help.code).toBe(0);
    expect(help.out).toContain('--check');
  });
});
