/**
 * A worker's workflow bundle started before the worker is made, so that it is built while the
 * process loads the app and its services. Loads neither webpack nor the Temporal SDK. Node only.
 */
import type { Logger } from '@mcp-agent/core';
import type { Settings } from '@mcp-agent/core/config';
import { bundleWorkflowsInChild, canBundleInChild, workflowModulePaths, type BundleInProgress } from './bundle-process.js';
import { findPrebuiltBundle } from './prebuilt.js';

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
  /** Codegen's bundle for these modules, when it is current: nothing is bundled then. */
  readonly prebuilt: { codePath: string; activities: Array<{ name: string; source: string }> } | undefined;
  readonly #logger: Logger | undefined;
  #child: BundleInProgress | undefined;
  #code: Promise<string> | undefined;

  constructor(options: PrepareWorkflowBundleOptions) {
    this.workflowsPaths = workflowModulePaths(options.workflowsPath);
    this.tracing = options.settings?.otel?.enabled === true;
    this.ignoreModules = [...(options.ignoreModules ?? [])];
    this.#logger = options.logger;
    this.prebuilt = this.workflowsPaths.length === 0 ? undefined : findPrebuiltBundle(this.workflowsPaths, options.logger);
    if (this.prebuilt === undefined && this.workflowsPaths.length > 0 && canBundleInChild()) {
      this.#child = bundleWorkflowsInChild({ workflowsPaths: [...this.workflowsPaths], tracing: this.tracing, ignoreModules: [...this.ignoreModules] }, options.logger?.child('bundle'));
      this.#code = this.#child.code;
    }
  }

  /**
   * The bundle's code, with the config placeholder a worker fills in. Bundles in this process
   * when no child could be started (this package run from its sources without tsx installed).
   */
  code(): Promise<string> {
    this.#code ??= import('./bundle.js').then(async ({ bundleWorkflows }) => {
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
