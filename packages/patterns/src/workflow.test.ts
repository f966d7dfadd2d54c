// Checks that the patterns are safe for Temporal's workflow sandbox by following the import graph
// of the `./workflow` entry in the source: no Node builtin, and no package besides core's sandbox
// entries and zod. (The Temporal tests bundle them too; this says which import is at fault.)
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const SOURCE_DIRECTORY = path.dirname(fileURLToPath(import.meta.url));
const ALLOWED_PACKAGES = new Set(['@mcp-agent/core/workflow', '@mcp-agent/core/engine/workflow', 'zod']);

/** The module specifiers a file imports at run time (whole `import type` declarations are erased). */
function runtimeSpecifiers(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const specifiers: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && !node.importClause?.isTypeOnly && ts.isStringLiteral(node.moduleSpecifier)) specifiers.push(node.moduleSpecifier.text);
    else if (ts.isExportDeclaration(node) && !node.isTypeOnly && node.moduleSpecifier !== undefined && ts.isStringLiteral(node.moduleSpecifier))
      specifiers.push(node.moduleSpecifier.text);
    else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) specifiers.push('<dynamic import()>');
    ts.forEachChild(node, visit);
  };
  visit(source);
  return specifiers;
}

/** Every forbidden import reached from `entry`, with the file that makes it. */
function problemsFrom(entry: string): { problems: string[]; reached: string[] } {
  const problems: string[] = [];
  const seen = new Set<string>();
  const pending = [path.join(SOURCE_DIRECTORY, entry)];
  while (pending.length > 0) {
    const file = pending.pop() as string;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const specifier of runtimeSpecifiers(file)) {
      if (specifier.startsWith('.')) {
        const target = path.resolve(path.dirname(file), specifier).replace(/\.js$/, '.ts');
        if (existsSync(target)) pending.push(target);
        else problems.push(`${path.basename(file)}: "${specifier}" resolves to no source file`);
      } else if (!ALLOWED_PACKAGES.has(specifier)) {
        problems.push(`${path.basename(file)} imports "${specifier}"`);
      }
    }
  }
  return { problems, reached: [...seen].map((file) => path.basename(file)).sort() };
}

describe('the sandbox entry of @mcp-agent/patterns', () => {
  it('reaches core’s sandbox entries and zod only, through every pattern', () => {
    const { problems, reached } = problemsFrom('workflow.ts');
    expect(problems).toEqual([]);
    for (const pattern of ['parallel.ts', 'router.ts', 'intent-classifier.ts', 'orchestrator.ts', 'deep-orchestrator.ts', 'evaluator-optimizer.ts', 'swarm.ts'])
      expect(reached).toContain(pattern);
  });

  it('would name a Node import', () => {
    expect(runtimeSpecifiers(path.join(SOURCE_DIRECTORY, 'workflow.test.ts'))).toContain('node:fs');
  });
});
