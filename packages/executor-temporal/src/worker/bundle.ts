/**
 * Bundles an app's workflow modules for Temporal's sandbox, in this process. Node only.
 *
 * The bundle's entry is generated: it imports the workflow modules and exports, as the one
 * workflow function, a dispatcher that runs the mcp-agent workflow named by the workflow type.
 * Packages resolve through the `mcp-agent-workflow` export condition, so `@mcp-agent/core` and the
 * providers give their sandbox-safe entries. When workflow code reaches a Node-only module, the
 * error names the import chain and what to do instead.
 */
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { sourceConditionActive } from '@mcp-agent/core/engine';
import { WorkflowBundleError } from './bundle-error.js';
import { BundleFailure, bundleWithWebpack, type BundleWorkflowsOptions } from './bundle-webpack.js';

export { BUNDLE_CONFIG_PLACEHOLDER, withBundleConfig, WORKFLOW_CONDITION, type BundleWorkflowsOptions } from './bundle-webpack.js';
export { WorkflowBundleError };

/**
 * Bundles the workflow modules with the dispatcher and the embedded config.
 *
 * @throws WorkflowBundleError naming each Node-only import with its chain, or webpack's errors.
 */
export async function bundleWorkflows(options: BundleWorkflowsOptions): Promise<WorkflowBundleWithSourceMap> {
  try {
    return await bundleWithWebpack({ ...options, sourceCondition: sourceConditionActive() });
  } catch (error) {
    throw error instanceof BundleFailure ? new WorkflowBundleError(error.message) : error;
  }
}
