/**
 * The sandbox-safe copy of a workflow module: the same workflows, with task bodies replaced by
 * stubs (a task runs as an activity in the worker, never in the sandbox) and the Node-only imports
 * those bodies used made type-only, so that the file bundles for Temporal's sandbox.
 */
import path from 'node:path';
import { Node, SyntaxKind, type ImportDeclaration, type Project, type SourceFile } from 'ts-morph';
import { decoratorName } from './model.js';

/** The nodes whose code runs as an activity: function tasks' functions and `@workflowTask` methods. */
export function taskBodies(file: SourceFile): Node[] {
  const bodies: Node[] = [];
  for (const call of file.getDescendantsOfKind(SyntaxKind.CallExpression)) {
    const callee = call.getExpression().getText();
    if (callee !== 'workflowTask' && !callee.endsWith('.workflowTask')) continue;
    const [fn] = call.getArguments();
    if (fn !== undefined && (Node.isArrowFunction(fn) || Node.isFunctionExpression(fn))) bodies.push(fn);
  }
  for (const method of file.getDescendantsOfKind(SyntaxKind.MethodDeclaration)) {
    if (method.getDecorators().some((decorator) => decoratorName(decorator) === 'workflowTask')) bodies.push(method);
  }
  return bodies;
}

function inside(node: Node, containers: readonly Node[]): boolean {
  return containers.some((container) => node.getPos() >= container.getPos() && node.getEnd() <= container.getEnd());
}

/** The local names a value import binds. */
function bindings(declaration: ImportDeclaration): Node[] {
  return [
    ...(declaration.getDefaultImport() === undefined ? [] : [declaration.getDefaultImport() as Node]),
    ...(declaration.getNamespaceImport() === undefined ? [] : [declaration.getNamespaceImport() as Node]),
    ...declaration.getNamedImports().filter((specifier) => !specifier.isTypeOnly()).map((specifier) => specifier.getAliasNode() ?? specifier.getNameNode()),
  ];
}

/**
 * Whether a value import is used by workflow code: referenced (as a value) anywhere but inside a
 * task body. An import without bindings (for its side effects) counts as used.
 */
export function usedByWorkflowCode(declaration: ImportDeclaration, bodies: readonly Node[]): boolean {
  const names = bindings(declaration);
  if (names.length === 0) return true;
  const file = declaration.getSourceFile();
  for (const name of names) {
    const text = name.getText();
    for (const identifier of file.getDescendantsOfKind(SyntaxKind.Identifier)) {
      if (identifier.getText() !== text || inside(identifier, [declaration])) continue;
      if (identifier.getFirstAncestor((ancestor) => Node.isTypeNode(ancestor)) !== undefined) continue;
      if (!inside(identifier, bodies)) return true;
    }
  }
  return false;
}

const STUB = "throw new Error('a task body runs as an activity in the worker, not in the workflow sandbox');";

/**
 * Writes the sandbox copy of `file` into `outDir`: task bodies become stubs, value imports that
 * only they used become type-only (those of `isNodeOnly` modules), relative imports are re-rooted.
 */
export function sandboxModule(project: Project, file: string, outDir: string, isNodeOnly: (specifier: string) => boolean, banner: string): string {
  const original = project.getSourceFileOrThrow(file);
  const copy = project.createSourceFile(path.join(outDir, `.sandbox-${path.basename(file)}`), original.getFullText(), { overwrite: true });
  try {
    const bodies = taskBodies(copy);
    for (const declaration of copy.getImportDeclarations()) {
      const specifier = declaration.getModuleSpecifierValue();
      if (!declaration.isTypeOnly() && isNodeOnly(specifier) && !usedByWorkflowCode(declaration, bodies)) declaration.setIsTypeOnly(true);
      if (specifier.startsWith('.')) {
        const target = path.resolve(path.dirname(file), specifier);
        let relative = path.relative(outDir, target).split(path.sep).join('/');
        if (!relative.startsWith('.')) relative = `./${relative}`;
        declaration.setModuleSpecifier(relative);
      }
    }
    // Bodies last, innermost first, so that positions found earlier stay valid.
    for (const body of taskBodies(copy).reverse()) {
      if (Node.isArrowFunction(body) && !Node.isBlock(body.getBody())) body.getBody().replaceWithText(`{\n  ${STUB}\n}`);
      else if (Node.isArrowFunction(body) || Node.isFunctionExpression(body) || Node.isMethodDeclaration(body)) body.setBodyText(STUB);
    }
    return `${banner}// The sandbox-safe copy of ${path.relative(outDir, file).split(path.sep).join('/')}: task bodies are stubs, Node-only imports type-only.\n${copy.getFullText()}`;
  } finally {
    project.removeSourceFile(copy);
  }
}
