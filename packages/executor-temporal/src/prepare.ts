// The light entry of @mcp-agent/executor-temporal: starts a worker's workflow bundle in a child process
// before the app loads. It loads neither webpack nor the Temporal SDK.
export { PreparedWorkflowBundle, prepareWorkflowBundle } from './worker/prepared-bundle.js';
export type { PrepareWorkflowBundleOptions } from './worker/prepared-bundle.js';
