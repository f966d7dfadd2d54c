// `@mcp-agent/core` as workflow code sees it inside Temporal's sandbox. A worker's bundler picks
// this file through the `mcp-agent-workflow` export condition, so a workflow module can import
// from `@mcp-agent/core` as it does in Node. It has every name of the Node entry: those of
// `./workflow` as they are, and the Node-only ones as stand-ins that explain, when called, where
// they may be used instead.
import { MCPAppBase } from './sandbox/app-base.js';
import { WorkflowUsageError } from './sandbox/errors.js';

export * from './workflow.js';
// Types are erased from the bundle; they are here so the two entries have the same names.
export type { AppContext, MCPAppOptions } from './node/app.js';
export type { LogLevel, Logger, LoggerOptions, LogRecord } from './node/logger.js';
export type { TaskContext } from './node/task-context.js';

function nodeOnly(name: string, where: string): (...args: unknown[]) => never {
  const standIn = (): never => {
    throw new WorkflowUsageError(`${name} is not available in workflow code, which runs in Temporal's sandbox; ${where}`);
  };
  Object.defineProperty(standIn, 'name', { value: name });
  return standIn;
}

const IN_TASKS = 'call it in a task (app.workflowTask), which runs as an activity in the worker';
const IN_NODE = 'call it from Node code (the program that starts workflows, or the worker)';

/** The app inside the sandbox: it registers workflows and tasks; running it is for Node code. */
export class MCPApp extends MCPAppBase {
  get context(): never {
    return nodeOnly('app.context', IN_NODE)();
  }
  get executor(): never {
    return nodeOnly('app.executor', IN_NODE)();
  }
  get config(): never {
    return nodeOnly('app.config', IN_NODE)();
  }
  get logger(): never {
    return nodeOnly('app.logger', IN_NODE)();
  }
  get services(): never {
    return nodeOnly('app.services', `${IN_NODE}; in a workflow, agents and LLMs reach MCP servers and models through tasks`)();
  }
  initialize(): Promise<never> {
    return Promise.reject(new WorkflowUsageError(`app.initialize() is not available in workflow code; ${IN_NODE}`));
  }
  run(): Promise<never> {
    return Promise.reject(new WorkflowUsageError(`app.run() is not available in workflow code; ${IN_NODE}`));
  }
  cleanup(): Promise<void> {
    return Promise.resolve();
  }
}

export const runMain = nodeOnly('runMain', IN_NODE);
export const taskContext = nodeOnly('taskContext', IN_TASKS);
export const createLogger = nodeOnly('createLogger', `${IN_NODE}; in a workflow, log from a task`);
