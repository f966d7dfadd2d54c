/**
 * A worker's workflow bundle started before the worker is made, so that it is built while the
 * process loads the app and its services. Loads neither webpack nor the Temporal SDK. Node only.
 */
import type { Logger } from '@mcp-agent/core';
import type { Settings } from '@mcp-agent/core/config';
import { bundleWorkflowsInChild, canBundleInChild, workflowModulePaths, type BundleInProgress } from './bundle-process.js';
import { findManifest } from './prebuilt-manifest.js';

/** Options of {@link prepareWorkflowBundle}. */
export interface PrepareWorkflowBundleOptions {
  /** The module or modules that define the app's workflows, as `workflowsPath` of the worker. */
  workflowsPath: string | URL | ReadonlyArray<string | URL>;
  /** The app's settings: `otel.enabled` decides whether the bundle carries tracing. */
  settings?: Pick<Settings, 'otel'>;
  /** Modules the workflow code imports but never uses at run time, left out of the bundle. */
  ignoreModules?: readonly string[];
  logger?: Logger;
}

/** Codegen's bundle for a worker's workflow modules, when it is current. */
export interface CurrentPrebuiltBundle {
  codePath: string;
  /** The tasks its workflows call, each with the module that defines it. */
  activities: Array<{ name: string; source: string }>;
}

/**
 * A bundle being made for a worker not made yet: give it to `createTemporalWorker` as
 * `workflowBundle`. When codegen's bundle for these modules is current, nothing is bundled and
 * the worker loads that one.
 */
export class PreparedWorkflowBundle {
  /** The workflow modules, as absolute paths. */
  readonly workflowsPaths: readonly string[];
  /** Whether the bundle carries tracing (`otel.enabled`). */
  readonly tracing: boolean;
  readonly ignoreModules: readonly string[];
  readonly #logger: Logger | undefined;
  readonly #prebuilt: Promise<CurrentPrebuiltBundle | undefined>;
  #child: BundleInProgress | undefined;
  #code: Promise<string> | undefined;
  #cancelled = false;

  constructor(options: PrepareWorkflowBundleOptions) {
    this.workflowsPaths = workflowModulePaths(options.workflowsPath);
    this.tracing = options.settings?.otel?.enabled === true;
    this.ignoreModules = [...(options.ignoreModules ?? [])];
    this.#logger = options.logger;
    const first = this.workflowsPaths[0];
    const manifestPath = first === undefined ? undefined : findManifest(first);
    if (manifestPath === undefined) {
      // No codegen bundle to check (the usual case when bundling at start-up): the child starts now.
      this.#prebuilt = Promise.resolve(undefined);
      this.#startChild();
    } else {
      // Checking a codegen bundle needs the framework's package versions; the child starts only when it is not current.
      this.#prebuilt = import('./prebuilt.js').then(({ findPrebuiltBundle }) => findPrebuiltBundle(this.workflowsPaths, this.#logger, manifestPath));
      void this.#prebuilt.then(
        (prebuilt) => (prebuilt === undefined ? this.#startChild() : undefined),
        () => this.#startChild(),
      );
    }
  }

  #startChild(): void {
    if (this.#cancelled || this.workflowsPaths.length === 0 || !canBundleInChild()) return;
    this.#child = bundleWorkflowsInChild({ workflowsPaths: [...this.workflowsPaths], tracing: this.tracing, ignoreModules: [...this.ignoreModules] }, this.#logger?.child('bundle'));
  }

  /** Codegen's bundle for these modules, when it is current: nothing is bundled then. */
  prebuilt(): Promise<CurrentPrebuiltBundle | undefined> {
    return this.#prebuilt.catch(() => undefined);
  }

  /**
   * The bundle's code, with the config placeholder a worker fills in. Bundles in this process
   * when no child could be started (this package run from its sources without tsx installed).
   */
  code(): Promise<string> {
    this.#code ??= this.prebuilt().then(async () => {
      if (this.#child !== undefined) return this.#child.code;
      if (this.#cancelled) {
        const { WorkflowBundleError } = await import('./bundle-error.js');
        throw new WorkflowBundleError('the workflow bundle was cancelled before it was made');
      }
      const { bundleWorkflows } = await import('./bundle.js');
      const bundle = await bundleWorkflows({
        workflowsPaths: this.workflowsPaths,
        tracing: this.tracing,
        ignoreModules: this.ignoreModules,
        ...(this.#logger === undefined ? {} : { logger: this.#logger.child('bundle') }),
      });
      return bundle.code;
    });
    return this.#code;
  }

  /** Stops the bundling, when the bundle is no longer wanted. */
  cancel(): void {
    this.#cancelled = true;
    this.#child?.cancel();
  }
}

/**
 * Starts bundling the workflow modules now, in a child process, for a worker made later; `mcp-agent
 * worker` calls it before it loads the app.
 *
 * @example
 * ```ts
 * import { prepareWorkflowBundle } from '@mcp-agent/executor-temporal/prepare';
 * const workflowsPath = new URL('./workflows.ts', import.meta.url);
 * const bundle = prepareWorkflowBundle({ workflowsPath, settings });
 * const { app } = await import('./workflows.js'); // the app's modules load while the bundle is made
 * const worker = await createTemporalWorkerForApp(app, { workflowsPath, workflowBundle: bundle });
 * ```
 */
export function prepareWorkflowBundle(options: PrepareWorkflowBundleOptions): PreparedWorkflowBundle {
  return new PreparedWorkflowBundle(options);
}
