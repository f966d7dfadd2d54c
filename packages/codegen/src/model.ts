/**
 * Reads an app's workflow definitions with ts-morph: workflows with their run input and result
 * types, signals, queries, updates and tasks, as the decorators declare them.
 */
import { Node, SyntaxKind, type ClassDeclaration, type Decorator, type MethodDeclaration, type ObjectLiteralExpression, type Project, type SourceFile } from 'ts-morph';

/** A handler method: signal, query or update. */
export interface HandlerModel {
  /** The name callers use. */
  name: string;
  methodName: string;
  line: number;
  /** How many parameters the method declares. */
  parameters: number;
}

/** A method's name as the class knows it: `'set-note'(x)` is `set-note`. */
export function methodNameOf(method: MethodDeclaration): string {
  const node = method.getNameNode();
  return Node.isStringLiteral(node) || Node.isNumericLiteral(node) ? String(node.getLiteralValue()) : node.getText();
}

/** A task: a function made with `app.workflowTask(fn, { name })` or a `@workflowTask` method. */
export interface TaskModel {
  name: string;
  kind: 'function' | 'method';
  file: string;
  line: number;
  column: number;
}

/** A workflow class. */
export interface WorkflowModel {
  name: string;
  className: string;
  /** Absolute path of the file that defines it. */
  file: string;
  line: number;
  column: number;
  exported: boolean;
  /** The method marked `@workflowRun` (or `run`); undefined when there is none. */
  runMethod: string | undefined;
  runMarked: boolean;
  signals: HandlerModel[];
  /** Signal names declared in `@app.workflow({ signals })`, received with `waitForSignal`. */
  declaredSignals: string[];
  queries: HandlerModel[];
  updates: HandlerModel[];
  tasks: TaskModel[];
}

/** What codegen knows of an app. */
export interface AppModel {
  workflows: WorkflowModel[];
  /** Function tasks, in the workflow files and any other file read. */
  tasks: TaskModel[];
  /** The files that define workflows. */
  workflowFiles: string[];
}

const MEMBER_DECORATORS = ['workflowRun', 'workflowSignal', 'workflowQuery', 'workflowUpdate', 'workflowTask'] as const;
type MemberDecorator = (typeof MEMBER_DECORATORS)[number];

/** The last segment of a decorator's callee: `app.workflowSignal({ ... })` gives `workflowSignal`. */
export function decoratorName(decorator: Decorator): string {
  const expression = decorator.getExpression();
  const callee = Node.isCallExpression(expression) ? expression.getExpression() : expression;
  const text = callee.getText();
  return text.slice(text.lastIndexOf('.') + 1);
}

/** The object literal given to a decorator or call, if any. */
function optionsOf(decorator: Decorator): ObjectLiteralExpression | undefined {
  const expression = decorator.getExpression();
  if (!Node.isCallExpression(expression)) return undefined;
  const [first] = expression.getArguments();
  return first !== undefined && Node.isObjectLiteralExpression(first) ? first : undefined;
}

/** A string property of an object literal, when it is a literal. */
export function stringProperty(object: ObjectLiteralExpression | undefined, key: string): string | undefined {
  const property = object?.getProperty(key);
  if (property === undefined || !Node.isPropertyAssignment(property)) return undefined;
  const initializer = property.getInitializer();
  return initializer !== undefined && Node.isStringLiteral(initializer) ? initializer.getLiteralValue() : undefined;
}

function stringArrayProperty(object: ObjectLiteralExpression | undefined, key: string): string[] {
  const property = object?.getProperty(key);
  if (property === undefined || !Node.isPropertyAssignment(property)) return [];
  const initializer = property.getInitializer();
  if (initializer === undefined || !Node.isArrayLiteralExpression(initializer)) return [];
  return initializer.getElements().flatMap((element) => (Node.isStringLiteral(element) ? [element.getLiteralValue()] : []));
}

/** Is this the class decorator of a workflow (`@app.workflow`, `@app.workflow({ ... })`, `@workflow`)? */
export function isWorkflowDecorator(decorator: Decorator): boolean {
  return decoratorName(decorator) === 'workflow';
}

function memberDecorator(method: MethodDeclaration): { kind: MemberDecorator; decorator: Decorator } | undefined {
  for (const decorator of method.getDecorators()) {
    const name = decoratorName(decorator);
    if ((MEMBER_DECORATORS as readonly string[]).includes(name)) return { kind: name as MemberDecorator, decorator };
  }
  return undefined;
}

function position(node: Node): { line: number; column: number } {
  const { line, column } = node.getSourceFile().getLineAndColumnAtPos(node.getStart());
  return { line, column };
}

function workflowOf(declaration: ClassDeclaration, decorator: Decorator): WorkflowModel {
  const options = optionsOf(decorator);
  const className = declaration.getName() ?? '(anonymous)';
  const name = stringProperty(options, 'name') ?? className;
  const model: WorkflowModel = {
    name,
    className,
    file: declaration.getSourceFile().getFilePath(),
    ...position(declaration.getNameNode() ?? declaration),
    exported: declaration.isExported(),
    runMethod: undefined,
    runMarked: false,
    signals: [],
    declaredSignals: stringArrayProperty(options, 'signals'),
    queries: [],
    updates: [],
    tasks: [],
  };
  // Own methods first, then those inherited from base classes (a method overridden below wins).
  const methods: MethodDeclaration[] = [];
  const seen = new Set<string>();
  for (let current: ClassDeclaration | undefined = declaration; current !== undefined; current = current.getBaseClass()) {
    for (const method of current.getMethods()) {
      const methodName = methodNameOf(method);
      if (seen.has(methodName)) continue;
      seen.add(methodName);
      methods.push(method);
    }
  }
  for (const method of methods) {
    const marked = memberDecorator(method);
    if (marked === undefined) continue;
    const handlerName = stringProperty(optionsOf(marked.decorator), 'name') ?? methodNameOf(method);
    const handler: HandlerModel = { name: handlerName, methodName: methodNameOf(method), line: position(method).line, parameters: method.getParameters().length };
    switch (marked.kind) {
      case 'workflowRun':
        model.runMethod = methodNameOf(method);
        model.runMarked = true;
        break;
      case 'workflowSignal':
        model.signals.push(handler);
        break;
      case 'workflowQuery':
        model.queries.push(handler);
        break;
      case 'workflowUpdate':
        model.updates.push(handler);
        break;
      case 'workflowTask':
        model.tasks.push({
          name: stringProperty(optionsOf(marked.decorator), 'name') ?? `${name}.${methodNameOf(method)}`,
          kind: 'method',
          file: model.file,
          ...position(method.getNameNode()),
        });
        break;
    }
  }
  if (model.runMethod === undefined && seen.has('run')) model.runMethod = 'run';
  return model;
}

/** Function tasks: `<something>.workflowTask(fn, { name: '...' })` or `workflowTask(fn, { name })` calls. */
function functionTasks(file: SourceFile): TaskModel[] {
  const tasks: TaskModel[] = [];
  for (const call of file.getDescendantsOfKind(SyntaxKind.CallExpression)) {
    const callee = call.getExpression().getText();
    if (callee !== 'workflowTask' && !callee.endsWith('.workflowTask')) continue;
    if (Node.isDecorator(call.getParent())) continue;
    const [fn, options] = call.getArguments();
    if (fn === undefined || options === undefined || !Node.isObjectLiteralExpression(options)) continue;
    const name = stringProperty(options, 'name');
    if (name === undefined) continue;
    tasks.push({ name, kind: 'function', file: file.getFilePath(), ...position(call) });
  }
  return tasks;
}

/** Builds the model of the workflows and tasks in `files` (absolute paths, already added to `project`). */
export function buildModel(project: Project, files: readonly string[]): AppModel {
  const workflows: WorkflowModel[] = [];
  const tasks: TaskModel[] = [];
  const workflowFiles: string[] = [];
  for (const file of [...files].sort()) {
    const source = project.getSourceFileOrThrow(file);
    let definesWorkflow = false;
    for (const declaration of source.getClasses()) {
      const decorator = declaration.getDecorators().find(isWorkflowDecorator);
      if (decorator === undefined) continue;
      workflows.push(workflowOf(declaration, decorator));
      definesWorkflow = true;
    }
    if (definesWorkflow) workflowFiles.push(file);
    tasks.push(...functionTasks(source));
  }
  return { workflows, tasks, workflowFiles };
}

export { relativePath } from './paths.js';
