/**
 * What can't run in a workflow, found before anything runs: Node-only imports and I/O in workflow
 * code, handler arguments that can't be serialised, duplicate names, workflows without a run method.
 * Each diagnostic has file:line:column and a hint.
 */
import { builtinModules } from 'node:module';
import { Node, SyntaxKind, type ClassDeclaration, type Project, type SourceFile, type Type } from 'ts-morph';
import { decoratorName, isWorkflowDecorator, relativePath, type AppModel } from './model.js';
import { inside, taskBodies, usedByWorkflowCode } from './sandbox-module.js';

/** One problem, where it is and what to do. */
export interface CodegenDiagnostic {
  code:
    | 'NODE_ONLY_IMPORT'
    | 'IO_IN_WORKFLOW'
    | 'NOT_SERIALISABLE'
    | 'SIGNAL_ARGUMENTS'
    | 'DUPLICATE_WORKFLOW'
    | 'DUPLICATE_HANDLER'
    | 'DUPLICATE_TASK'
    | 'NO_RUN_METHOD'
    | 'NOT_EXPORTED';
  file: string;
  line: number;
  column: number;
  message: string;
  hint: string;
}

/** `src/workflows.ts:12:3 NODE_ONLY_IMPORT ... HINT: ...`, the path relative to `root`. */
export function formatDiagnostic(diagnostic: CodegenDiagnostic, root: string): string {
  return `${relativePath(root, diagnostic.file)}:${diagnostic.line}:${diagnostic.column} ${diagnostic.code} ${diagnostic.message}\n  hint: ${diagnostic.hint}`;
}

const ALLOWED_BUILTINS = new Set(['assert', 'url', 'util']);
const BUILTINS = new Set(builtinModules);
/** Packages that do I/O or need Node, which workflow code must reach only through tasks. */
const NODE_ONLY_PACKAGES = [
  'openai',
  '@anthropic-ai/sdk',
  '@modelcontextprotocol/sdk',
  '@mcp-agent/mcp-client',
  '@mcp-agent/executor-asyncio',
  '@mcp-agent/executor-temporal',
  '@temporalio/client',
  '@temporalio/worker',
  '@temporalio/activity',
  '@temporalio/testing',
];

export function isNodeOnly(specifier: string): boolean {
  const bare = specifier.startsWith('node:') ? specifier.slice(5) : specifier;
  const root = bare.split('/')[0] ?? bare;
  if (specifier.startsWith('node:') || BUILTINS.has(bare) || BUILTINS.has(root)) return !ALLOWED_BUILTINS.has(root);
  return NODE_ONLY_PACKAGES.some((name) => specifier === name || specifier.startsWith(`${name}/`));
}

function at(node: Node): { file: string; line: number; column: number } {
  const source = node.getSourceFile();
  const { line, column } = source.getLineAndColumnAtPos(node.getStart());
  return { file: source.getFilePath(), line, column };
}

function nodeOnlyImports(file: SourceFile): CodegenDiagnostic[] {
  const found: CodegenDiagnostic[] = [];
  const bodies = taskBodies(file);
  for (const declaration of file.getImportDeclarations()) {
    if (declaration.isTypeOnly()) continue;
    const named = declaration.getNamedImports();
    if (named.length > 0 && named.every((specifier) => specifier.isTypeOnly()) && declaration.getDefaultImport() === undefined && declaration.getNamespaceImport() === undefined)
      continue;
    const specifier = declaration.getModuleSpecifierValue();
    if (!isNodeOnly(specifier)) continue;
    // Used only in task bodies: the sandbox copy makes the import type-only.
    if (!usedByWorkflowCode(declaration, bodies)) continue;
    found.push({
      code: 'NODE_ONLY_IMPORT',
      ...at(declaration),
      message: `workflow code uses "${specifier}", which can't run in Temporal's workflow sandbox`,
      hint:
        'use it only inside task bodies (app.workflowTask functions and @app.workflowTask methods), which run as activities in the worker ' +
        '(the sandbox copy codegen writes leaves it out); or import only types (import type)',
    });
  }
  return found;
}

/** `fetch()` (also `globalThis.fetch()`) and `process.env` anywhere in a workflow file but task bodies: the module is loaded in the sandbox. */
function ioInWorkflowFile(file: SourceFile): CodegenDiagnostic[] {
  const found: CodegenDiagnostic[] = [];
  const bodies = taskBodies(file);
  const where = (node: Node): string => {
    const owner = node.getFirstAncestorByKind(SyntaxKind.ClassDeclaration)?.getName();
    return owner === undefined ? 'workflow module' : `workflow ${owner}`;
  };
  for (const call of file.getDescendantsOfKind(SyntaxKind.CallExpression)) {
    const callee = call.getExpression().getText();
    if ((callee !== 'fetch' && callee !== 'globalThis.fetch') || inside(call, bodies)) continue;
    found.push({
      code: 'IO_IN_WORKFLOW',
      ...at(call),
      message: `fetch() in ${where(call)}: workflow code can't do I/O (it is replayed)`,
      hint: 'call fetch in a task (app.workflowTask), which runs once as an activity and whose result is recorded',
    });
  }
  for (const access of file.getDescendantsOfKind(SyntaxKind.PropertyAccessExpression)) {
    if (access.getText() !== 'process.env' || inside(access, bodies)) continue;
    found.push({
      code: 'IO_IN_WORKFLOW',
      ...at(access),
      message: `process.env read in ${where(access)}: the sandbox has no environment, and a value read there is not replay-safe`,
      hint: 'pass the value in the workflow input, or read it in a task',
    });
  }
  return found;
}

const NOT_SERIALISABLE = new Set(['Map', 'Set', 'WeakMap', 'WeakSet', 'Promise', 'RegExp', 'Function', 'Symbol', 'ArrayBuffer']);

/** Why a type can't cross to the server as JSON, or undefined when it can. */
export function notSerialisable(type: Type, seen = new Set<Type>()): string | undefined {
  if (seen.has(type)) return undefined;
  seen.add(type);
  if (type.isAny() || type.isUnknown() || type.isString() || type.isNumber() || type.isBoolean() || type.isNull() || type.isUndefined()) return undefined;
  if (type.isStringLiteral() || type.isNumberLiteral() || type.isBooleanLiteral() || type.isEnumLiteral() || type.isEnum()) return undefined;
  if (type.getText() === 'void' || type.getText() === 'never') return undefined;
  // A Date crosses as its ISO string, as JSON carries it (the schema says date-time).
  if (type.getSymbol()?.getName() === 'Date') return undefined;
  if (type.getText() === 'bigint' || type.isBigIntLiteral?.()) return 'a bigint';
  if (type.getText() === 'symbol' || type.getText() === 'unique symbol') return 'a symbol';
  if (type.isUnion() || type.isIntersection()) {
    for (const member of type.isUnion() ? type.getUnionTypes() : (type as Type).getIntersectionTypes()) {
      const reason = notSerialisable(member, seen);
      if (reason !== undefined) return reason;
    }
    return undefined;
  }
  if (type.isArray() || type.isReadonlyArray?.()) {
    const element = type.getArrayElementType() ?? type.getTypeArguments()[0];
    return element === undefined ? undefined : notSerialisable(element, seen);
  }
  if (type.isTuple()) {
    for (const element of type.getTupleElements()) {
      const reason = notSerialisable(element, seen);
      if (reason !== undefined) return reason;
    }
    return undefined;
  }
  const symbolName = type.getSymbol()?.getName() ?? type.getAliasSymbol()?.getName();
  if (symbolName !== undefined && NOT_SERIALISABLE.has(symbolName)) return `a ${symbolName}`;
  if (type.getCallSignatures().length > 0) return 'a function';
  if (type.isObject()) {
    for (const property of type.getProperties()) {
      const declaration = property.getValueDeclaration() ?? property.getDeclarations()[0];
      if (declaration === undefined) continue;
      if (Node.isMethodDeclaration(declaration) || Node.isMethodSignature(declaration)) return `an object with a method (${property.getName()})`;
      const reason = notSerialisable(property.getTypeAtLocation(declaration), seen);
      if (reason !== undefined) return `${reason} in property ${property.getName()}`;
    }
  }
  return undefined;
}

function handlerArguments(declaration: ClassDeclaration): CodegenDiagnostic[] {
  const found: CodegenDiagnostic[] = [];
  for (const method of declaration.getMethods()) {
    const kind = method
      .getDecorators()
      .map(decoratorName)
      .find((name) => name === 'workflowSignal' || name === 'workflowQuery' || name === 'workflowUpdate' || name === 'workflowRun');
    if (kind === undefined) continue;
    const what = { workflowSignal: 'signal', workflowQuery: 'query', workflowUpdate: 'update', workflowRun: 'run' }[kind];
    for (const parameter of method.getParameters()) {
      const reason = notSerialisable(parameter.getType());
      if (reason === undefined) continue;
      found.push({
        code: 'NOT_SERIALISABLE',
        ...at(parameter),
        message: `${what} ${method.getName()}(${parameter.getName()}: ${parameter.getTypeNode()?.getText() ?? parameter.getType().getText(parameter)}) of ${declaration.getName()} takes ${reason}, which can't cross to the server as JSON`,
        hint: 'take plain data: objects, arrays, strings, numbers, booleans, null (a Date as an ISO string, a Map as an object)',
      });
    }
  }
  return found;
}

/** Every diagnostic of the model's files. */
export function diagnose(project: Project, model: AppModel, root: string): CodegenDiagnostic[] {
  const diagnostics: CodegenDiagnostic[] = [];
  for (const file of model.workflowFiles) {
    const source = project.getSourceFileOrThrow(file);
    diagnostics.push(...nodeOnlyImports(source), ...ioInWorkflowFile(source));
    for (const declaration of source.getClasses()) {
      if (!declaration.getDecorators().some(isWorkflowDecorator)) continue;
      diagnostics.push(...handlerArguments(declaration));
    }
  }
  for (const workflow of model.workflows) {
    for (const signal of workflow.signals) {
      if (signal.parameters <= 1) continue;
      diagnostics.push({
        code: 'SIGNAL_ARGUMENTS',
        file: workflow.file,
        line: signal.line,
        column: 1,
        message: `signal ${signal.name} of ${workflow.className} takes ${signal.parameters} parameters; a signal carries one payload`,
        hint: 'take one object: approve(decision: { by: string; comments: string })',
      });
    }
    for (const [kind, handlers] of [
      ['signal', workflow.signals],
      ['query', workflow.queries],
      ['update', workflow.updates],
    ] as const) {
      const names = new Set<string>();
      for (const handler of handlers) {
        if (names.has(handler.name)) {
          diagnostics.push({
            code: 'DUPLICATE_HANDLER',
            file: workflow.file,
            line: handler.line,
            column: 1,
            message: `workflow ${workflow.className} defines the ${kind} "${handler.name}" twice`,
            hint: `give one of them another name: @app.workflow${kind === 'signal' ? 'Signal' : kind === 'query' ? 'Query' : 'Update'}({ name: "..." })`,
          });
        }
        names.add(handler.name);
      }
    }
    if (workflow.runMethod === undefined) {
      diagnostics.push({
        code: 'NO_RUN_METHOD',
        file: workflow.file,
        line: workflow.line,
        column: workflow.column,
        message: `workflow ${workflow.className} has no run method: none is marked @app.workflowRun and none is named run`,
        hint: 'mark the method that runs the workflow: @app.workflowRun async run(input) { ... }',
      });
    }
    if (!workflow.exported) {
      diagnostics.push({
        code: 'NOT_EXPORTED',
        file: workflow.file,
        line: workflow.line,
        column: workflow.column,
        message: `workflow ${workflow.className} is not exported`,
        hint: `export the class (export class ${workflow.className} ...), so that workers and typed clients can reach it`,
      });
    }
  }
  const seenClasses = new Map<string, string>();
  for (const workflow of model.workflows) {
    const first = seenClasses.get(workflow.className);
    if (first !== undefined && !first.startsWith(`${relativePath(root, workflow.file)}:`)) {
      diagnostics.push({
        code: 'DUPLICATE_WORKFLOW',
        file: workflow.file,
        line: workflow.line,
        column: workflow.column,
        message: `two workflow classes are named ${workflow.className} (the other at ${first}); the typed clients need distinct class names`,
        hint: 'rename one of the classes',
      });
    } else {
      seenClasses.set(workflow.className, `${relativePath(root, workflow.file)}:${workflow.line}`);
    }
  }
  const seenWorkflows = new Map<string, string>();
  for (const workflow of model.workflows) {
    const first = seenWorkflows.get(workflow.name);
    if (first !== undefined) {
      diagnostics.push({
        code: 'DUPLICATE_WORKFLOW',
        file: workflow.file,
        line: workflow.line,
        column: workflow.column,
        message: `workflow name "${workflow.name}" is defined twice (first at ${first})`,
        hint: 'give one of them another name: @app.workflow({ name: "..." })',
      });
    } else {
      seenWorkflows.set(workflow.name, `${relativePath(root, workflow.file)}:${workflow.line}`);
    }
  }
  const seenTasks = new Map<string, string>();
  for (const task of [...model.tasks, ...model.workflows.flatMap((workflow) => workflow.tasks)]) {
    const first = seenTasks.get(task.name);
    if (first !== undefined) {
      diagnostics.push({
        code: 'DUPLICATE_TASK',
        file: task.file,
        line: task.line,
        column: task.column,
        message: `task name "${task.name}" is defined twice (first at ${first}); under Temporal it is the activity type`,
        hint: 'give one of them another name: { name: "..." }',
      });
    } else {
      seenTasks.set(task.name, `${relativePath(root, task.file)}:${task.line}`);
    }
  }
  return diagnostics.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column || a.code.localeCompare(b.code));
}
