/**
 * The sandbox-safe copy of a workflow module: the same workflows, with task bodies replaced by
 * stubs (a task runs as an activity in the worker, never in the sandbox) and the Node-only imports
 * only those bodies used made type-only, so that the file bundles for Temporal's sandbox.
 */
import path from 'node:path';
import { Node, SyntaxKind, type Identifier, type ImportDeclaration, type Project, type SourceFile, type Symbol as MorphSymbol } from 'ts-morph';
import { decoratorName } from './model.js';

/** The function a task call was given: inline, or a function declared by name in the same file. */
function taskFunction(argument: Node): Node | undefined {
  if (Node.isArrowFunction(argument) || Node.isFunctionExpression(argument)) return argument;
  if (!Node.isIdentifier(argument)) return undefined;
  for (const definition of argument.getDefinitionNodes()) {
    if (definition.getSourceFile() !== argument.getSourceFile()) continue;
    if (Node.isFunctionDeclaration(definition)) return definition;
    if (Node.isVariableDeclaration(definition)) {
      const initializer = definition.getInitializer();
      if (initializer !== undefined && (Node.isArrowFunction(initializer) || Node.isFunctionExpression(initializer))) return initializer;
    }
  }
  return undefined;
}

/** The nodes whose code runs as an activity: task functions (inline or named) and `@workflowTask` methods. */
export function taskBodies(file: SourceFile): Node[] {
  const bodies: Node[] = [];
  for (const call of file.getDescendantsOfKind(SyntaxKind.CallExpression)) {
    const callee = call.getExpression().getText();
    if (callee !== 'workflowTask' && !callee.endsWith('.workflowTask')) continue;
    const [argument] = call.getArguments();
    const fn = argument === undefined ? undefined : taskFunction(argument);
    if (fn !== undefined && !bodies.includes(fn)) bodies.push(fn);
  }
  for (const method of file.getDescendantsOfKind(SyntaxKind.MethodDeclaration)) {
    if (method.getDecorators().some((decorator) => decoratorName(decorator) === 'workflowTask')) bodies.push(method);
  }
  return bodies;
}

/** Whether `node` lies inside one of `containers`. */
export function inside(node: Node, containers: readonly Node[]): boolean {
  return containers.some((container) => node.getPos() >= container.getPos() && node.getEnd() <= container.getEnd());
}

/** The local names a value import binds. */
function bindings(declaration: ImportDeclaration): Identifier[] {
  return [
    ...(declaration.getDefaultImport() === undefined ? [] : [declaration.getDefaultImport() as Identifier]),
    ...(declaration.getNamespaceImport() === undefined ? [] : [declaration.getNamespaceImport() as Identifier]),
    ...declaration
      .getNamedImports()
      .filter((specifier) => !specifier.isTypeOnly())
      .map((specifier) => specifier.getAliasNode() ?? specifier.getNameNode()),
  ].filter((node): node is Identifier => Node.isIdentifier(node));
}

/** Whether the binding `name` is used as a value outside task bodies (matched by symbol, not by text). */
function usedOutside(name: Identifier, bodies: readonly Node[], declaration: ImportDeclaration): boolean {
  const symbol: MorphSymbol | undefined = name.getSymbol();
  for (const identifier of name.getSourceFile().getDescendantsOfKind(SyntaxKind.Identifier)) {
    if (identifier.getText() !== name.getText() || inside(identifier, [declaration])) continue;
    if (symbol !== undefined && identifier.getSymbol() !== symbol) continue;
    if (identifier.getFirstAncestor((ancestor) => Node.isTypeNode(ancestor)) !== undefined) continue;
    if (!inside(identifier, bodies)) return true;
  }
  return false;
}

/**
 * Whether a value import is used by workflow code: referenced as a value anywhere but inside a
 * task body. An import without bindings (for its side effects) counts as used.
 */
export function usedByWorkflowCode(declaration: ImportDeclaration, bodies: readonly Node[]): boolean {
  const names = bindings(declaration);
  if (names.length === 0) return true;
  return names.some((name) => usedOutside(name, bodies, declaration));
}

/**
 * A task without a return type annotation would be typed by its stub (`Promise<never>`); write the
 * type inferred from its real body instead, when it can be written without an import.
 */
function keepInferredReturnType(body: Node): void {
  if (!(Node.isArrowFunction(body) || Node.isFunctionExpression(body) || Node.isMethodDeclaration(body) || Node.isFunctionDeclaration(body))) return;
  if (body.getReturnTypeNode() !== undefined) return;
  const inferred = body.getReturnType().getText(body);
  if (inferred.includes('import(') || /\bnever\b/.test(inferred)) return;
  body.setReturnType(inferred);
}

const STUB = "throw new Error('a task body runs as an activity in the worker, not in the workflow sandbox');";

export { sandboxPath } from './paths.js';

/**
 * The sandbox copy of `file`: task bodies become stubs, value imports that only they used become
 * type-only (those of `isNodeOnly` modules), relative module specifiers (imports, re-exports,
 * `import()`) point from the copy's place, and imports of other workflow files point at their copies.
 */
export function sandboxModule(
  project: Project,
  file: string,
  copyPath: string,
  copyOf: (target: string) => string | undefined,
  isNodeOnly: (specifier: string) => boolean,
  banner: string,
): string {
  const original = project.getSourceFileOrThrow(file);
  const copy = project.createSourceFile(path.join(path.dirname(copyPath), `.sandbox-copy-${path.basename(file)}`), original.getFullText(), { overwrite: true });
  const reroot = (specifier: string): string => {
    if (!specifier.startsWith('.')) return specifier;
    const target = path.resolve(path.dirname(file), specifier);
    const sandboxed = copyOf(target.replace(/\.js$/, '.ts')) ?? copyOf(target);
    const destination = sandboxed === undefined ? target : sandboxed.replace(/\.ts$/, '.js');
    const relative = path.relative(path.dirname(copyPath), destination).split(path.sep).join('/');
    return relative.startsWith('.') ? relative : `./${relative}`;
  };
  try {
    const bodies = taskBodies(copy);
    for (const declaration of copy.getImportDeclarations()) {
      const specifier = declaration.getModuleSpecifierValue();
      if (!declaration.isTypeOnly() && isNodeOnly(specifier) && !usedByWorkflowCode(declaration, bodies)) {
        const defaultImport = declaration.getDefaultImport();
        if (defaultImport !== undefined && (declaration.getNamedImports().length > 0 || declaration.getNamespaceImport() !== undefined)) {
          // `import type` can't carry a default and named bindings together: the default gets its own.
          copy.insertImportDeclaration(declaration.getChildIndex(), { isTypeOnly: true, defaultImport: defaultImport.getText(), moduleSpecifier: specifier });
          declaration.removeDefaultImport();
        }
        declaration.setIsTypeOnly(true);
      }
      declaration.setModuleSpecifier(reroot(specifier));
    }
    for (const declaration of copy.getExportDeclarations()) {
      const specifier = declaration.getModuleSpecifierValue();
      if (specifier !== undefined) declaration.setModuleSpecifier(reroot(specifier));
    }
    for (const call of copy.getDescendantsOfKind(SyntaxKind.CallExpression)) {
      if (call.getExpression().getKind() !== SyntaxKind.ImportKeyword) continue;
      const [argument] = call.getArguments();
      if (argument !== undefined && Node.isStringLiteral(argument)) argument.setLiteralValue(reroot(argument.getLiteralValue()));
    }
    // Bodies last, innermost first, so that positions found earlier stay valid.
    for (const body of taskBodies(copy).reverse()) {
      keepInferredReturnType(body);
      if (Node.isArrowFunction(body) && !Node.isBlock(body.getBody())) body.getBody().replaceWithText(`{\n  ${STUB}\n}`);
      else if (Node.isArrowFunction(body) || Node.isFunctionExpression(body) || Node.isMethodDeclaration(body) || Node.isFunctionDeclaration(body)) body.setBodyText(STUB);
    }
    const from = path.relative(path.dirname(copyPath), file).split(path.sep).join('/');
    return `${banner}// The sandbox-safe copy of ${from}: task bodies are stubs, Node-only imports type-only.\n${copy.getFullText()}`;
  } finally {
    project.removeSourceFile(copy);
  }
}
