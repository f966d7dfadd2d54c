/**
 * The MCP operations as tasks with stable names, and the service that code outside a workflow
 * uses. Safe for the workflow sandbox: it only defines functions that engines run in Node.
 */
import { WorkflowUsageError } from '../errors.js';
import type { TaskDefinition } from '../model/definitions.js';
import { MCP_TASK_NAMES, type McpService } from './mcp-service.js';

/**
 * The task definitions of the MCP operations, each calling `service()` when it runs. An engine
 * registers them next to the app's own tasks; under Temporal they are the MCP activities.
 */
export function createMcpTaskDefinitions(service: () => McpService): TaskDefinition[] {
  const define = (name: string, run: (...args: never[]) => Promise<unknown>): TaskDefinition =>
    Object.freeze({ name, run: run as (...args: unknown[]) => Promise<unknown>, options: Object.freeze({ name }) });
  return [
    define(MCP_TASK_NAMES.listTools, (server: string) => service().listTools(server)),
    define(MCP_TASK_NAMES.callTool, (request: Parameters<McpService['callTool']>[0]) => service().callTool(request)),
    define(MCP_TASK_NAMES.listPrompts, (server: string) => service().listPrompts(server)),
    define(MCP_TASK_NAMES.getPrompt, (request: Parameters<McpService['getPrompt']>[0]) => service().getPrompt(request)),
    define(MCP_TASK_NAMES.listResources, (server: string) => service().listResources(server)),
    define(MCP_TASK_NAMES.readResource, (request: Parameters<McpService['readResource']>[0]) => service().readResource(request)),
  ];
}

const AMBIENT = Symbol.for('mcp-agent.ambient-mcp-service');

/** Makes `service` the one agents use outside a workflow (set by `MCPApp.initialize`; undefined clears it). */
export function setAmbientMcpService(service: McpService | undefined): void {
  (globalThis as unknown as Record<symbol, McpService | undefined>)[AMBIENT] = service;
}

/** The MCP service of the running app, for agents used outside a workflow. */
export function ambientMcpService(): McpService {
  const service = (globalThis as unknown as Record<symbol, McpService | undefined>)[AMBIENT];
  if (service === undefined) {
    throw new WorkflowUsageError(
      'an Agent used outside a workflow needs a running app (inside app.run(...)) or an MCP service: new Agent({ ..., mcp })',
    );
  }
  return service;
}
