/**
 * The MCP service that agents use outside a workflow. Safe for the workflow sandbox.
 */
import { WorkflowUsageError } from '../errors.js';
import type { McpService } from './mcp-service.js';

const AMBIENT = Symbol.for('mcp-agent.ambient-mcp-services');

function ambientStack(): McpService[] {
  const holder = globalThis as unknown as Record<symbol, McpService[] | undefined>;
  return (holder[AMBIENT] ??= []);
}

/**
 * Makes `service` the one agents use outside a workflow, until the returned function is called;
 * then the one made ambient before it is back. Called by `MCPApp.initialize`.
 */
export function pushAmbientMcpService(service: McpService): () => void {
  const stack = ambientStack();
  stack.push(service);
  return () => {
    const index = stack.lastIndexOf(service);
    if (index >= 0) stack.splice(index, 1);
  };
}

/** The MCP service of the running app (the last one started), for agents used outside a workflow. */
export function ambientMcpService(): McpService {
  const service = ambientStack().at(-1);
  if (service === undefined) {
    throw new WorkflowUsageError(
      'an Agent used outside a workflow needs a running app (inside app.run(...)) or an MCP service: new Agent({ ..., mcp })',
    );
  }
  return service;
}
