/**
 * What a worker hands its workflow bundle: the task options and the config that pick each
 * activity's retry policy and timeouts. JSON only. Safe for the workflow sandbox.
 */
import type { RetrySettings } from '@mcp-agent/core/engine/workflow';
import type { TaskOptions } from '@mcp-agent/core/workflow';

/** The part of the settings that workflow code needs, embedded in the bundle by the worker. */
export interface WorkflowBundleConfig {
  /** `workflow_task_retry_policies` and `temporal.retry_policy`, as configured. */
  retry: RetrySettings;
  /** `temporal.timeout_seconds`: the default start-to-close timeout of a task attempt. */
  timeoutSeconds: number | undefined;
  /** `temporal.heartbeat_timeout_seconds`: the heartbeat timeout of model, embedding and MCP tasks (default 30; 0 turns it off). */
  heartbeatTimeoutSeconds?: number | undefined;
  /** The options of every task the worker registers (user tasks, MCP and model tasks), by name. */
  tasks: Record<string, TaskOptions>;
  /**
   * The worker encrypts payloads (`temporal.data_converter`), so failures raised in workflow code
   * carry their message and stack trace in an encoded payload. Never the key itself.
   */
  encodeFailures?: boolean;
  /**
   * The MCP servers whose session scope is `run`, each with how long (ms) a call waits for the
   * worker holding the run's session before the run moves to another (`session.affinity_timeout_seconds`).
   * Their tool calls and listings go to that worker's own task queue (`./session-affinity.ts`).
   */
  runSessionServers?: Record<string, number>;
  /** `temporal.search_attributes`: runs set `McpAgentTotalTokens` when they end. */
  searchAttributes?: boolean;
  /** `otel.enabled`: the runs get Temporal's OpenTelemetry workflow interceptors (the worker then has their span sink). */
  tracing?: boolean;
}
