// Checks that the sandbox entries (`./workflow`, `./engine/workflow` and the `.` seen by the workflow
// bundler) are safe for Temporal's workflow sandbox by following their import graphs in the source:
// no Node builtin, no third-party package, and no file outside `src/sandbox/` besides the entries.
import { existsSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const SOURCE_DIRECTORY = path.dirname(fileURLToPath(import.meta.url));

/** The entries that workflow code loads; each may reach only `src/sandbox/`. */
const SANDBOX_ENTRIES = ['workflow.ts', 'engine-workflow.ts', 'index.sandbox.ts'];

const NODE_BUILTINS = new Set(builtinModules.flatMap((name) => [name, name.replace(/\/.*$/, '')]));

/**
 * The module specifiers a file imports at run time. Whole `import type` / `export type`
 * declarations are skipped because TypeScript erases them; `import { type A } from 'x'` is kept,
 * since with `verbatimModuleSyntax` it still loads `x`.
 */
function runtimeSpecifiers(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const specifiers: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && !node.importClause?.isTypeOnly && ts.isStringLiteral(node.moduleSpecifier)) {
      specifiers.push(node.moduleSpecifier.text);
    } else if (ts.isExportDeclaration(node) && !node.isTypeOnly && node.moduleSpecifier !== undefined && ts.isStringLiteral(node.moduleSpecifier)) {
      specifiers.push(node.moduleSpecifier.text);
    } else if (ts.isImportEqualsDeclaration(node) && !node.isTypeOnly && ts.isExternalModuleReference(node.moduleReference) && ts.isStringLiteral(node.moduleReference.expression)) {
      specifiers.push(node.moduleReference.expression.text);
    } else if (ts.isCallExpression(node)) {
      const [argument] = node.arguments;
      const isImport = node.expression.kind === ts.SyntaxKind.ImportKeyword;
      const isRequire = ts.isIdentifier(node.expression) && node.expression.text === 'require';
      if ((isImport || isRequire) && argument !== undefined) {
        specifiers.push(ts.isStringLiteralLike(argument) ? argument.text : `<computed ${isImport ? 'import()' : 'require()'}>`);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return specifiers;
}

/** The `.ts` file a relative specifier (`./errors.js`) names. */
function resolveRelative(fromFile: string, specifier: string): string | undefined {
  const target = path.resolve(path.dirname(fromFile), specifier);
  const candidates = [target.replace(/\.js$/, '.ts'), `${target}.ts`, path.join(target, 'index.ts')];
  return candidates.find((candidate) => candidate.endsWith('.ts') && existsSync(candidate));
}

interface GraphProblem {
  problem: string;
  chain: string[];
}

/** Walks the runtime import graph from `entry` and reports each forbidden import with its chain. */
function sandboxProblems(entry: string): { problems: GraphProblem[]; reached: Set<string> } {
  const relative = (file: string): string => path.relative(SOURCE_DIRECTORY, file).split(path.sep).join('/');
  const allowed = (file: string): boolean => SANDBOX_ENTRIES.includes(relative(file)) || relative(file).startsWith('sandbox/');
  const problems: GraphProblem[] = [];
  const reached = new Set<string>();
  const visit = (file: string, chain: string[]): void => {
    if (reached.has(file)) return;
    reached.add(file);
    const here = [...chain, relative(file)];
    if (!allowed(file)) problems.push({ problem: `reaches ${relative(file)}, outside src/sandbox/`, chain: here });
    for (const specifier of runtimeSpecifiers(file)) {
      if (specifier.startsWith('.')) {
        const resolved = resolveRelative(file, specifier);
        if (resolved === undefined) problems.push({ problem: `cannot resolve "${specifier}"`, chain: here });
        else visit(resolved, here);
      } else if (specifier.startsWith('node:') || NODE_BUILTINS.has(specifier) || NODE_BUILTINS.has(specifier.split('/')[0] ?? '')) {
        problems.push({ problem: `imports the Node builtin "${specifier}"`, chain: here });
      } else {
        problems.push({ problem: `imports the package "${specifier}"`, chain: here });
      }
    }
  };
  visit(entry, []);
  return { problems, reached: new Set([...reached].map(relative)) };
}

function report(problems: GraphProblem[]): string[] {
  return problems.map(
    ({ problem, chain }) =>
      `${chain.join(' -> ')} ${problem}. HINT: sandbox entries may import only src/sandbox/, which is free of Node and third-party code; ` +
      'import only types (`import type`) from Node-side modules.',
  );
}

describe.each(SANDBOX_ENTRIES)('the sandbox entry %s', (entry) => {
  it('reaches no Node builtin, third-party package or file outside src/sandbox/', () => {
    const { problems } = sandboxProblems(path.join(SOURCE_DIRECTORY, entry));
    expect(report(problems)).toEqual([]);
  });
});

describe('the ./workflow entry', () => {
  it('follows its imports through the model and retry modules', () => {
    const { reached } = sandboxProblems(path.join(SOURCE_DIRECTORY, 'workflow.ts'));
    expect([...reached]).toEqual(
      expect.arrayContaining(['workflow.ts', 'sandbox/errors.ts', 'sandbox/duration.ts', 'sandbox/retry.ts', 'sandbox/model/definitions.ts', 'sandbox/model/workflow-context.ts']),
    );
  });
});

describe('the import graph check', () => {
  it('reports Node builtins, packages and files outside src/sandbox/, with the import chain', () => {
    const messages = report(sandboxProblems(path.join(SOURCE_DIRECTORY, 'node/app.ts')).problems);
    expect(messages).toContain(
      'node/app.ts reaches node/app.ts, outside src/sandbox/. HINT: sandbox entries may import only src/sandbox/, which is free of Node and third-party code; ' +
        'import only types (`import type`) from Node-side modules.',
    );
    expect(messages.some((message) => message.startsWith('node/app.ts imports the Node builtin "node:path"'))).toBe(true);
    expect(messages.some((message) => message.startsWith('node/app.ts -> config/index.ts -> config/schema.ts imports the package "zod"'))).toBe(true);
  });

  it('ignores erased type-only imports and keeps the rest', () => {
    const specifiers = runtimeSpecifiers(path.join(SOURCE_DIRECTORY, 'node/engine-loading.ts'));
    expect(specifiers).toContain('node:fs');
    expect(specifiers).toContain('../sandbox/errors.js');
    expect(specifiers).not.toContain('../sandbox/executor.js');
    expect(specifiers).not.toContain('./logger.js');
  });
});

describe('the sandbox stand-in of the Node entry (src/index.sandbox.ts)', () => {
  it('exports every name of the Node entry, so a workflow module importing @mcp-agent/core bundles', async () => {
    const node = Object.keys(await import('./index.js')).sort();
    const sandbox = Object.keys(await import('./index.sandbox.js')).sort();
    expect(node.filter((name) => !sandbox.includes(name))).toEqual([]);
  });

  it('has an app that registers workflows but refuses to run, naming where to run it', async () => {
    const { MCPApp } = await import('./index.sandbox.js');
    const app = new MCPApp({ name: 'sandboxed' });
    expect(app.registry.workflows.size).toBe(0);
    await expect(app.run()).rejects.toThrow('app.run() is not available in workflow code');
    expect(() => app.services).toThrow('app.services is not available in workflow code');
    const { taskContext } = await import('./index.sandbox.js');
    expect(() => taskContext()).toThrow('taskContext is not available in workflow code');
  });
});
