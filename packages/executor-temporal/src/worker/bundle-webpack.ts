/**
 * Bundles an app's workflow modules for Temporal's sandbox: the webpack side of `bundleWorkflows`.
 * Node only. It loads no framework module at run time, so that the child process that bundles in
 * a worker's place (`bundle-process-main.ts`) loads little more than webpack.
 *
 * The bundle's entry is generated: it imports the workflow modules and exports, as the one
 * workflow function, a dispatcher that runs the mcp-agent workflow named by the workflow type.
 * Packages resolve through the `mcp-agent-workflow` export condition, so `@mcp-agent/core` and the
 * providers give their sandbox-safe entries. When workflow code reaches a Node-only module, the
 * error names the import chain and what to do instead.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
// The bundler's own module, not the SDK's index, which loads the native runtime and the gRPC client:
// a bundling thread needs none of them.
import { bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker/lib/workflow/bundler.js';
import type { Logger } from '@mcp-agent/core';
import { SOURCE_CONDITION } from './source-condition.js';
import type { WorkflowBundleConfig } from '../workflow/embedded-config.js';
import { telemetryInterceptorsModule } from './bundle-telemetry.js';

/**
 * Why a bundle can't be made. Its own class, not `WorkflowBundleError`: this module loads no
 * framework module at run time, so that the process that bundles in a worker's place starts fast;
 * `bundleWorkflows` and that process's caller turn it into a `WorkflowBundleError`.
 */
export class BundleFailure extends Error {
  override readonly name = 'BundleFailure';
}

/** The export condition under which packages give their sandbox-safe entry. */
export const WORKFLOW_CONDITION = 'mcp-agent-workflow';

/** The language level swc compiles TypeScript workflow modules to: the `target` of the project's tsconfig. */
const SANDBOX_TARGET = 'es2022';

/** Options of {@link bundleWorkflows}. */
export interface BundleWorkflowsOptions {
  /** The modules that define the app's workflows (they must export the workflow classes or the app). */
  workflowsPaths: readonly string[];
  /**
   * The config to embed. Left out (a bundle built ahead, by codegen), the bundle holds
   * {@link BUNDLE_CONFIG_PLACEHOLDER}, which the worker replaces with its config when it loads it.
   */
  config?: WorkflowBundleConfig;
  /**
   * With `config` left out: whether the workers that load the bundle trace (`otel.enabled`).
   * `false` leaves OpenTelemetry out of the bundle; left out, the bundle holds it and each run
   * decides from the config it is given.
   */
  tracing?: boolean;
  /**
   * Where to write the generated entry module. Default: a new temporary folder. A fixed folder
   * (codegen's) keeps the bundle byte-identical from run to run on one machine.
   */
  entryDirectory?: string;
  /** Modules workflow code imports but never uses at run time; they are left out of the bundle. */
  ignoreModules?: readonly string[];
  logger?: Logger;
}

/** Stands for the config in a bundle built ahead; a worker puts its config there (see {@link withBundleConfig}). */
export const BUNDLE_CONFIG_PLACEHOLDER = '__MCP_AGENT_BUNDLE_CONFIG__';

/** A bundle's code with the worker's config in place of the placeholder (code without one is returned as it is). */
export function withBundleConfig(code: string, config: WorkflowBundleConfig): string {
  const placeholder = JSON.stringify(BUNDLE_CONFIG_PLACEHOLDER);
  return code.includes(placeholder) ? code.split(placeholder).join(JSON.stringify(JSON.stringify(config))) : code;
}

/** A module of this package's sandbox code (`workflow/<name>`), as source or as built file, whichever this module is. */
function sandboxModulePath(name: string): string {
  const here = fileURLToPath(import.meta.url);
  return path.join(path.dirname(here), '..', 'workflow', `${name}${path.extname(here)}`);
}

/** The directory of `@temporalio/workflow` as the app resolves it, so that the bundle holds exactly one copy. */
function temporalWorkflowDirectory(fromFile: string): string {
  for (const base of [fromFile, fileURLToPath(import.meta.url)]) {
    try {
      return path.dirname(createRequire(base).resolve('@temporalio/workflow/package.json'));
    } catch {
      // try the next base
    }
  }
  throw new BundleFailure('cannot find @temporalio/workflow; install it next to @mcp-agent/executor-temporal (pnpm add @temporalio/workflow)');
}

interface Problem {
  request: string;
  issuer: string | undefined;
}

/** `a.ts -> b.ts -> node:fs`, relative to the working directory. */
function chainOf(problem: Problem, issuers: Map<string, string | undefined>, entry: string): string {
  const chain = [problem.request];
  const seen = new Set<string>();
  for (let current = problem.issuer; current !== undefined && current !== entry && !seen.has(current); current = issuers.get(current)) {
    seen.add(current);
    chain.unshift(path.relative(process.cwd(), current) || current);
  }
  return chain.join(' -> ');
}

const FIX =
  "Workflow code runs in Temporal's sandbox, where Node modules, I/O and SDK clients are not available. " +
  'Move the code that needs them into a task (app.workflowTask), and keep that task in a module the workflow modules do not import ' +
  '(list it in workflow_task_modules and call it by name with this.executeTask("name", [args])), ' +
  "or import the package's sandbox-safe entry (@mcp-agent/core, @mcp-agent/providers-*). " +
  'A module that is imported but never used at run time can be left out with the worker option ignoreModules.';

/**
 * Bundles the workflow modules with the dispatcher and the embedded config; packages resolve to
 * their TypeScript sources when `sourceCondition` is set (this repository's tests and benchmarks).
 *
 * @throws BundleFailure naming each Node-only import with its chain, or webpack's errors.
 */
export async function bundleWithWebpack(options: BundleWorkflowsOptions & { sourceCondition: boolean }): Promise<WorkflowBundleWithSourceMap> {
  if (options.workflowsPaths.length === 0) {
    throw new BundleFailure("createTemporalWorkerForApp: give workflowsPath, the module (or modules) that define the app's workflows");
  }
  const directory = options.entryDirectory ?? (await mkdtemp(path.join(os.tmpdir(), 'mcp-agent-bundle-')));
  await mkdir(directory, { recursive: true });
  const entry = path.join(directory, 'workflows.js');
  const imports = options.workflowsPaths.map((file, index) => `import * as workflows${index} from ${JSON.stringify(file)};`);
  const config = options.config === undefined ? `JSON.parse(${JSON.stringify(BUNDLE_CONFIG_PLACEHOLDER)})` : JSON.stringify(options.config);
  // The interceptors module of every run (telemetry), reading the same embedded config; without
  // OpenTelemetry when the config says tracing is off.
  const interceptorsModule = path.join(directory, 'interceptors.js');
  const tracing = options.config === undefined ? options.tracing : options.config.tracing === true;
  await writeFile(interceptorsModule, telemetryInterceptorsModule({ telemetry: sandboxModulePath('telemetry'), outcomes: sandboxModulePath('outcomes') }, config, tracing));
  const source = [
    '// Generated by @mcp-agent/executor-temporal for one worker: the workflow modules and the dispatcher.',
    ...imports,
    // The dispatcher's own module, not the sandbox entry, which also exports the telemetry interceptors.
    `import { createWorkflowDispatcher } from ${JSON.stringify(sandboxModulePath('dispatcher'))};`,
    `export default createWorkflowDispatcher([${options.workflowsPaths.map((_, index) => `workflows${index}`).join(', ')}], ${config});`,
    '',
  ].join('\n');
  await writeFile(entry, source);

  const problems: Problem[] = [];
  const issuers = new Map<string, string | undefined>();
  const webpackErrors: string[] = [];
  // Ours first, then webpack's defaults for the bundle's target (`webpack`, `development`, `browser`) and the module kinds.
  const conditions = [WORKFLOW_CONDITION, ...(options.sourceCondition ? [SOURCE_CONDITION] : []), 'webpack', 'development', 'browser', 'import', 'require', 'module', 'default'];
  const temporalWorkflow = temporalWorkflowDirectory(options.workflowsPaths[0] as string);
  const ignored = new Set(options.ignoreModules ?? []);
  try {
    return await bundleWorkflowCode({
      workflowsPath: entry,
      failureConverterPath: sandboxModulePath('failure-converter'),
      workflowInterceptorModules: [interceptorsModule],
      ignoreModules: [...ignored],
      logger: quietLogger(options.logger),
      webpackConfigHook: (config) => {
        const resolve = (config.resolve ??= {});
        resolve.conditionNames = conditions;
        resolve.alias = { ...(resolve.alias as Record<string, string | false>), '@temporalio/workflow': temporalWorkflow };
        // Standard (TC39) decorators: swc's default here is the legacy proposal, which calls them wrongly.
        // And ES2022 output, as tsc builds the packages' dist: Temporal's default (es2017) turns
        // private fields into WeakMaps and object spread into helpers, which every run pays for.
        for (const rule of config.module?.rules ?? []) {
          const use = (rule as { use?: { loader?: string; options?: { jsc?: Record<string, unknown> } } }).use;
          if (use?.loader?.includes('swc-loader') && use.options?.jsc !== undefined) {
            use.options.jsc.transform = { ...(use.options.jsc.transform as object), decoratorVersion: '2022-03' };
            use.options.jsc.target = SANDBOX_TARGET;
          }
        }
        // Record who imports each disallowed module, to name the chain in the error.
        const capture = config.externals as (data: { request?: string; contextInfo?: { issuer?: string } }, callback: unknown) => Promise<unknown>;
        config.externals = async (data: { request?: string; contextInfo?: { issuer?: string } }, callback: unknown) => {
          const request = data.request ?? '';
          const bare = request.startsWith('node:') ? request.slice(5) : request;
          if (isDisallowed(bare) && !ignored.has(bare) && !ignored.has(request)) problems.push({ request, issuer: data.contextInfo?.issuer });
          return capture(data, callback);
        };
        config.plugins = [
          ...(config.plugins ?? []),
          {
            apply(compiler: { hooks: { done: { tap(name: string, fn: (stats: WebpackStats) => void): void } } }) {
              compiler.hooks.done.tap('mcp-agent-import-chains', (stats) => {
                for (const module of stats.compilation.modules) {
                  const resource = (module as { resource?: string }).resource;
                  const issuer = stats.compilation.moduleGraph.getIssuer(module) as { resource?: string } | null;
                  if (resource !== undefined) issuers.set(resource, issuer?.resource);
                }
                for (const error of stats.compilation.errors) {
                  const issuer = (error as { module?: { resource?: string } }).module?.resource;
                  const message = (error as Error).message.split('\n')[0] ?? '';
                  webpackErrors.push(issuer === undefined ? message : `${chainOf({ request: message, issuer }, issuers, entry)}`);
                }
              });
            },
          },
        ] as typeof config.plugins;
        return config;
      },
    });
  } catch (error) {
    if (problems.length > 0) {
      const lines = [...new Set(problems.map((problem) => `  ${chainOf(problem, issuers, entry)}`))];
      throw new BundleFailure(`workflow code imports modules that can't run in the workflow sandbox:\n${lines.join('\n')}\n${FIX}`);
    }
    if (webpackErrors.length > 0) {
      throw new BundleFailure(`cannot bundle the workflow modules:\n${[...new Set(webpackErrors)].map((line) => `  ${line}`).join('\n')}`);
    }
    throw new BundleFailure(`cannot bundle the workflow modules: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}

interface WebpackStats {
  compilation: {
    modules: Iterable<unknown>;
    errors: unknown[];
    moduleGraph: { getIssuer(module: unknown): unknown };
  };
}

const ALLOWED_BUILTINS = new Set(['assert', 'url', 'util']);
const DISALLOWED_PACKAGES = ['@temporalio/activity', '@temporalio/client', '@temporalio/worker', '@temporalio/testing', '@temporalio/core-bridge'];
const BUILTINS = new Set(createRequire(import.meta.url)('node:module').builtinModules as string[]);

function isDisallowed(request: string): boolean {
  const root = request.split('/')[0] ?? request;
  if (BUILTINS.has(request) || BUILTINS.has(root)) return !ALLOWED_BUILTINS.has(root);
  return DISALLOWED_PACKAGES.some((name) => request === name || request.startsWith(`${name}/`));
}

/** Webpack's report goes to the app logger at debug level only. */
function quietLogger(logger: Logger | undefined) {
  const log = (level: 'debug' | 'warn' | 'error') => (message: string, meta?: Record<string, unknown>) => logger?.[level](message, meta);
  return { log: () => undefined, trace: () => undefined, debug: log('debug'), info: log('debug'), warn: log('debug'), error: log('debug') };
}
