/**
 * The MCP operations as tasks with stable names. Node only: engines register these next to the
 * app's own tasks; under Temporal they are the MCP activities.
 */
import type { TaskDefinition } from '../model/definitions.js';
import { currentTaskContext } from '../task-context.js';
import { MCP_TASK_NAMES, type McpService } from './mcp-service.js';

/**
 * The task definitions of the MCP operations, each calling `service()` when it runs. A tool call
 * gets the attempt's abort signal, so an attempt that timed out or was cancelled stops its request.
 */
export function createMcpTaskDefinitions(service: () => McpService): TaskDefinition[] {
  const define = (name: string, run: (...args: never[]) => Promise<unknown>): TaskDefinition =>
    Object.freeze({ name, run: run as (...args: unknown[]) => Promise<unknown>, options: Object.freeze({ name }) });
  return [
    define(MCP_TASK_NAMES.listTools, (server: string) => service().listTools(server)),
    define(MCP_TASK_NAMES.callTool, (request: Parameters<McpService['callTool']>[0]) =>
      service().callTool(request, { signal: currentTaskContext()?.signal }),
    ),
    define(MCP_TASK_NAMES.listPrompts, (server: string) => service().listPrompts(server)),
    define(MCP_TASK_NAMES.getPrompt, (request: Parameters<McpService['getPrompt']>[0]) => service().getPrompt(request)),
    define(MCP_TASK_NAMES.listResources, (server: string) => service().listResources(server)),
    define(MCP_TASK_NAMES.readResource, (request: Parameters<McpService['readResource']>[0]) => service().readResource(request)),
  ];
}
