/**
 * How data crosses the engine's boundaries: as JSON, the way Temporal's default data converter
 * carries it, so that both engines hand workflow and task code the same values.
 */
import { errorTypeOf, MCPAgentError, messageOf, WorkflowApplicationError, WorkflowUsageError } from '@mcp-agent/core';

/**
 * Copies a value through JSON. Primitives pass as they are; a value JSON can't carry (a BigInt, a
 * cycle) is a WorkflowUsageError naming `what`.
 */
export function roundTrip<T>(value: T, what: string): T {
  if (value === undefined || value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (error) {
    throw new WorkflowUsageError(`${what} is not serialisable to JSON: ${messageOf(error)}; pass plain data (objects, arrays, strings, numbers, booleans, null)`);
  }
  return (text === undefined ? undefined : JSON.parse(text)) as T;
}

/** The error a failed task or workflow reports: its type and message survive, as they would through Temporal. */
export function asReportedFailure(error: unknown): unknown {
  if (MCPAgentError.is(error)) return error;
  return new WorkflowApplicationError(messageOf(error), { type: errorTypeOf(error), cause: error });
}
