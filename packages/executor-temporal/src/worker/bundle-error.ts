/**
 * The error of a workflow bundle that can't be made. In a module of its own, without webpack or
 * the Temporal SDK, so that code which only starts or awaits a bundle (made in a child process)
 * does not load them.
 */
import { WorkflowUsageError } from '@mcp-agent/core';

/** Raised when the workflow modules can't be bundled for the sandbox. */
export class WorkflowBundleError extends WorkflowUsageError {}
