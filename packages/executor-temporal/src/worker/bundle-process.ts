/**
 * Bundles workflow modules in a child process. Node only.
 *
 * Webpack, its loaders and the module graph of a bundle are loaded in the child and go with it
 * when it exits, so the worker's own heap never holds them (about 60 MiB of resident memory a
 * worker otherwise keeps for its whole life), and the worker's process stays free to connect to
 * Temporal, start the app's services and load the app while the bundle is made. A process, not a
 * worker thread: the SWC compiler webpack runs is a native module that crashes the whole process
 * when a second thread loads it after the first ended. This module loads neither webpack nor the
 * Temporal SDK.
 */
import { fork } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Logger } from '@mcp-agent/core';
import type { WorkflowBundleError } from './bundle-error.js';
import { SOURCE_CONDITION, sourceConditionActive } from './source-condition.js';
import type { WorkflowBundleConfig } from '../workflow/embedded-config.js';

/** What the bundling process is asked to make (the serialisable part of `BundleWorkflowsOptions`). */
export interface BundleRequest {
  workflowsPaths: string[];
  /** The config to embed; left out, the bundle holds the placeholder a worker fills in. */
  config?: WorkflowBundleConfig;
  /** With `config` left out: whether the bundle's interceptors include tracing. */
  tracing?: boolean;
  ignoreModules?: string[];
}

/** What the child is sent: the request, and how it resolves packages. */
export interface BundleProcessRequest extends BundleRequest {
  /** Whether packages resolve to their TypeScript sources (this repository's tests), as in the parent. */
  sourceCondition: boolean;
}

/** A message from the bundling process. */
export type BundleProcessMessage =
  | { kind: 'log'; message: string; data?: Record<string, unknown> }
  | { kind: 'done'; code: string }
  | { kind: 'error'; message: string; bundleError: boolean };

/** A bundle being made in a child process. */
export interface BundleInProgress {
  /** The bundle's code, or a {@link WorkflowBundleError}. */
  readonly code: Promise<string>;
  /** Stops the child (the code then rejects), when the bundle is no longer wanted. */
  cancel(): void;
}

/** The files `workflowsPath` names: paths, `file:` URLs or URL objects, as absolute paths. */
export function workflowModulePaths(workflowsPath: string | URL | ReadonlyArray<string | URL> | undefined): string[] {
  if (workflowsPath === undefined) return [];
  const list = typeof workflowsPath === 'string' || workflowsPath instanceof URL ? [workflowsPath] : [...workflowsPath];
  return list.map((entry) => (entry instanceof URL || entry.startsWith('file:') ? fileURLToPath(entry) : path.resolve(entry)));
}

const here = fileURLToPath(import.meta.url);
/** `.js` when this package runs from its build, `.ts` when from its sources (this repository's tests). */
const ownExtension = path.extname(here);

/** The `--conditions` flags this process was started with, which the child resolves modules by too. */
function conditionFlags(): string[] {
  const flags: string[] = [];
  process.execArgv.forEach((flag, index) => {
    if (flag.startsWith('--conditions=')) flags.push(flag);
    else if ((flag === '--conditions' || flag === '-C') && process.execArgv[index + 1] !== undefined) flags.push(`--conditions=${process.execArgv[index + 1]}`);
  });
  if (sourceConditionActive() && !flags.includes(`--conditions=${SOURCE_CONDITION}`)) flags.push(`--conditions=${SOURCE_CONDITION}`);
  return flags;
}

/**
 * How the child starts: its entry module and Node flags; from this package's sources (this
 * repository's tests and benchmarks) with tsx's loader. Undefined when there is no way (sources
 * without tsx installed).
 */
function childStart(): { entry: string; execArgv: string[] } | undefined {
  const entry = fileURLToPath(new URL(`./bundle-process-main${ownExtension}`, import.meta.url));
  if (ownExtension !== '.ts') return { entry, execArgv: conditionFlags() };
  try {
    const tsx = createRequire(import.meta.url).resolve('tsx/esm');
    return { entry, execArgv: [...conditionFlags(), '--import', pathToFileURL(tsx).href] };
  } catch {
    return undefined;
  }
}

/** Whether {@link bundleWorkflowsInChild} can start a child here (else callers bundle in this process). */
export function canBundleInChild(): boolean {
  return childStart() !== undefined;
}

/** The last lines a child wrote to stderr, kept to explain an early exit. */
const STDERR_TAIL_BYTES = 4_000;

/**
 * A {@link WorkflowBundleError}, whose module (and `@mcp-agent/core` with it) loads only when a
 * bundle fails, so that starting one stays light.
 */
async function bundleError(message: string): Promise<WorkflowBundleError> {
  const { WorkflowBundleError } = await import('./bundle-error.js');
  return new WorkflowBundleError(message);
}

/**
 * Starts bundling in a child process. Its log lines go to `logger` at debug level, as webpack's
 * report does when bundling in this process.
 */
export function bundleWorkflowsInChild(request: BundleRequest, logger?: Logger): BundleInProgress {
  const start = childStart();
  if (start === undefined) {
    const code = bundleError('cannot start a process to bundle the workflow modules: this package runs from its sources, and tsx is not installed').then((error) =>
      Promise.reject(error),
    );
    code.catch(() => undefined);
    return { code, cancel: () => undefined };
  }
  const child = fork(start.entry, [], { execArgv: start.execArgv, serialization: 'advanced', stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-STDERR_TAIL_BYTES);
  });
  let settled = false;
  let cancelled = false;
  const code = new Promise<string>((resolve, reject) => {
    const finish = (outcome: () => void): void => {
      if (settled) return;
      settled = true;
      outcome();
      if (child.exitCode === null && child.signalCode === null) child.kill();
    };
    const fail = (message: string): void => finish(() => void bundleError(message).then(reject));
    child.on('message', (message: BundleProcessMessage) => {
      if (message.kind === 'log') logger?.debug(message.message, message.data);
      else if (message.kind === 'done') finish(() => resolve(message.code));
      else fail(message.bundleError ? message.message : `cannot bundle the workflow modules: ${message.message}`);
    });
    child.once('error', (error) => fail(`cannot start the process that bundles the workflow modules: ${error.message}`));
    // 'close', not 'exit': it comes once the IPC channel is drained, after any message the child sent.
    child.once('close', (exitCode, signal) => {
      if (cancelled) return fail('the workflow bundle was cancelled before it was made');
      const last = stderr.trim().split('\n').slice(-8).join('\n');
      fail(
        `the process bundling the workflow modules ended (${signal === null ? `exit code ${exitCode}` : `signal ${signal}`}) before the bundle was made${last === '' ? '' : `; its last words:\n${last}`}`,
      );
    });
  });
  // Rejections reach whoever awaits the code; none is unhandled when the bundle is dropped.
  code.catch(() => undefined);
  const sent: BundleProcessRequest = { ...request, sourceCondition: sourceConditionActive() };
  child.send(sent);
  return {
    code,
    cancel() {
      if (settled) return;
      cancelled = true;
      child.kill();
    },
  };
}
