/**
 * The error of a workflow bundle that can't be made. In a module of its own, without webpack or
 * the Temporal SDK, so that a bundle made in a worker thread can be refused in the caller's.
 */
import { WorkflowUsageError } from '@mcp-agent/core';

/** Raised when the workflow modules can't be bundled for the sandbox. */
export class WorkflowBundleError extends WorkflowUsageError {}
