// Golden fixtures: each case's input.ts and the files and diagnostics codegen must produce.
// UPDATE_GOLDEN=1 rewrites the expected files.
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Project } from 'ts-morph';
import { describe, expect, it } from 'vitest';
import { formatDiagnostics, runCodegen } from '../src/index.js';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');
const TSCONFIG = path.join(FIXTURES, '..', '..', 'tsconfig.json');
const update = process.env.UPDATE_GOLDEN === '1';

function generate(caseName: string) {
  const root = path.join(FIXTURES, caseName);
  return { root, result: runCodegen({ root, sources: ['input.ts'], outDir: 'expected', tsconfig: TSCONFIG, dryRun: true }) };
}

function expectGolden(file: string, actual: string): void {
  if (update) {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, actual);
  }
  expect(existsSync(file), `${file} exists (UPDATE_GOLDEN=1 writes it)`).toBe(true);
  expect(actual).toBe(readFileSync(file, 'utf8'));
}

describe('golden fixtures', () => {
  for (const caseName of readdirSync(FIXTURES).sort()) {
    it(`${caseName}: the generated files and diagnostics match the expected ones`, () => {
      const { root, result } = generate(caseName);
      for (const [relative, content] of result.files) expectGolden(path.join(root, 'expected', relative), content);
      expectGolden(path.join(root, 'expected', 'diagnostics.txt'), `${formatDiagnostics(result, root)}\n`);
    });
  }

  it('gives byte-identical output on a second run', () => {
    const first = generate('approval').result.files;
    const second = generate('approval').result.files;
    expect([...second.entries()]).toEqual([...first.entries()]);
  });
});

describe('the generated clients', () => {
  it('type-check, and reject a wrong signal argument, an unknown query and a wrong input (usage.ts, @ts-expect-error lines)', () => {
    const project = new Project({ tsConfigFilePath: TSCONFIG, skipAddingFilesFromTsConfig: true });
    const usage = project.addSourceFileAtPath(path.join(FIXTURES, 'approval', 'usage.ts'));
    // The sandbox copies compile too.
    for (const caseName of ['approval', 'edges']) project.addSourceFilesAtPaths(path.join(FIXTURES, caseName, 'expected', '*.sandbox.ts'));
    project.resolveSourceFileDependencies();
    const problems = project
      .getPreEmitDiagnostics()
      .map((diagnostic) => `${diagnostic.getSourceFile()?.getBaseName()}:${diagnostic.getLineNumber()} ${project.formatDiagnosticsWithColorAndContext([diagnostic])}`);
    expect(problems).toEqual([]);
    // Each @ts-expect-error line is an error the compiler found; without them the file fails.
    const withoutExpectations = usage.getFullText().replace(/\/\/ @ts-expect-error.*\n/g, '');
    const check = project.createSourceFile(path.join(FIXTURES, 'approval', 'usage-unchecked.ts'), withoutExpectations, { overwrite: true });
    const errors = check.getPreEmitDiagnostics().map((diagnostic) => diagnostic.getLineNumber());
    expect(errors.length).toBe((usage.getFullText().match(/^\s*\/\/ @ts-expect-error/gm) ?? []).length);
  });
});
