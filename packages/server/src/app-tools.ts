/**
 * The tools an app declares with `app.tool` and `app.asyncTool`, served beside the workflow tools.
 * A sync tool runs its function here, in the server's process, and answers with the result. An
 * async tool starts its workflow and answers with the run's ids; `<name>-get_status` reports on
 * the run. Like the workflow tools they hold no state: runs live in the app's executor.
 */
import { messageOf, type Executor, type StartWorkflowOptions, type WorkflowDescription } from '@mcp-agent/core';
import { checkAgainstSchema, type AppToolDefinition, type JsonSchema, type WorkflowRegistry } from '@mcp-agent/core/engine';
import { runStartOptions } from './run-start.js';
import { runStatus, ToolInputError, workflowTools, type ServedTool, type StartedRun, type WorkflowToolsContext } from './workflow-tools.js';

/**
 * What the app tools need: the registry that holds them, and the executor.
 *
 * @example
 * ```ts
 * const context: AppToolsContext = { registry: app.registry, executor: async () => (await app.initialize()).executor };
 * ```
 */
export interface AppToolsContext {
  registry: WorkflowRegistry;
  executor(): Promise<Executor>;
  /** Told of every run an async tool starts. */
  onRunStarted?(run: StartedRun): void;
  /** Options for each run an async tool starts. Default: those added by what serves the app (see `attachClientRequests`). */
  startOptions?(workflowName: string, executor: Executor): Promise<StartWorkflowOptions | undefined>;
}

const ANY_OBJECT = { type: 'object' as const };

const STARTED_SCHEMA = {
  type: 'object' as const,
  properties: { workflow_id: { type: 'string' }, run_id: { type: 'string' } },
  required: ['workflow_id', 'run_id'],
};

function checkArguments(tool: AppToolDefinition, args: Record<string, unknown>): void {
  if (tool.inputSchema === undefined) return;
  const problems = checkAgainstSchema(args, tool.inputSchema as JsonSchema);
  if (problems.length > 0) throw new ToolInputError(`the arguments do not match ${tool.name}'s input schema: ${problems.join('; ')}`);
}

function optionalString(args: Record<string, unknown>, key: string): string | undefined {
  const value = args[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || value === '') throw new ToolInputError(`${key}: expected a non-empty string, got ${JSON.stringify(value)}`);
  return value;
}

/** The run a status call names, which must be a run of `workflowName`. */
async function findRun(executor: Executor, workflowName: string, toolName: string, args: Record<string, unknown>): Promise<WorkflowDescription> {
  const workflowId = optionalString(args, 'workflow_id');
  const runId = optionalString(args, 'run_id');
  if (workflowId === undefined && runId === undefined) throw new ToolInputError(`give workflow_id or run_id (both come from ${toolName})`);
  let run: WorkflowDescription | undefined;
  if (workflowId !== undefined) {
    try {
      run = await executor.describeWorkflow(workflowId, runId);
    } catch (error) {
      throw new ToolInputError(`no run ${runId === undefined ? `of workflow "${workflowId}"` : `"${runId}" of workflow "${workflowId}"`}: ${messageOf(error)}`);
    }
  } else {
    const runs = await executor.listWorkflows(executor.engine === 'temporal' ? { query: `RunId = '${(runId as string).replace(/'/g, '')}'` } : { limit: 10_000 });
    run = runs.find((candidate) => candidate.runId === runId);
    if (run === undefined) throw new ToolInputError(`no run "${runId}": give workflow_id as well, or check the id`);
  }
  if (run.workflowName !== workflowName) throw new ToolInputError(`the run ${run.runId} is of ${run.workflowName}, not of ${toolName}; ask workflows-get_status instead`);
  return run;
}

function syncTool(tool: AppToolDefinition): ServedTool {
  return {
    name: tool.name,
    ...(tool.title === undefined ? {} : { title: tool.title }),
    description: tool.description ?? `The tool ${tool.name}.`,
    inputSchema: tool.inputSchema ?? ANY_OBJECT,
    ...(tool.outputSchema === undefined ? {} : { outputSchema: tool.outputSchema }),
    ...(tool.annotations === undefined ? {} : { annotations: tool.annotations }),
    call: async (args) => {
      checkArguments(tool, args);
      const result: unknown = await tool.fn(args);
      if (tool.outputSchema !== undefined) {
        const problems =
          typeof result === 'object' && result !== null && !Array.isArray(result)
            ? checkAgainstSchema(result, tool.outputSchema as JsonSchema, 'result')
            : [`result: expected an object, got ${result === undefined ? 'nothing' : Array.isArray(result) ? 'an array' : JSON.stringify(result)}`];
        if (problems.length > 0) throw new Error(`the result does not match the tool's output schema: ${problems.join('; ')}`);
      }
      // Nothing returned is an empty text, not a missing one.
      return result === undefined ? '' : result;
    },
  };
}

function asyncTools(tool: AppToolDefinition, context: AppToolsContext): ServedTool[] {
  const workflowName = tool.workflowName ?? tool.name;
  const statusTool = `${tool.name}-get_status`;
  return [
    {
      name: tool.name,
      ...(tool.title === undefined ? {} : { title: tool.title }),
      description: `${tool.description === undefined ? '' : `${tool.description.trim()}\n\n`}Starts ${tool.name} as a workflow run and returns its workflow_id and run_id at once; follow it with ${statusTool}, which gives the result once completed.`,
      inputSchema: tool.inputSchema ?? ANY_OBJECT,
      outputSchema: STARTED_SCHEMA,
      annotations: { openWorldHint: true, ...tool.annotations },
      call: async (args, session) => {
        checkArguments(tool, args);
        const executor = await context.executor();
        const options = context.startOptions === undefined ? await runStartOptions(context.registry, executor, workflowName) : await context.startOptions(workflowName, executor);
        const handle = await executor.startWorkflow(workflowName, args, options);
        const runId = handle.runId ?? (await handle.describe()).runId;
        context.onRunStarted?.({ workflowName, workflowId: handle.workflowId, runId, session });
        return { workflow_id: handle.workflowId, run_id: runId };
      },
    },
    {
      name: statusTool,
      title: `${tool.title ?? tool.name}: status`,
      description: `The status of a run of ${tool.name}: running or how it ended, its result once completed, its error once failed, and the human input it waits for.`,
      inputSchema: {
        type: 'object',
        properties: {
          workflow_id: { type: 'string', description: `The workflow id, from ${tool.name}` },
          run_id: { type: 'string', description: `The run id, from ${tool.name}; default the latest run of workflow_id` },
        },
      },
      annotations: { readOnlyHint: true, openWorldHint: false },
      call: async (args) => {
        const executor = await context.executor();
        return runStatus(executor, await findRun(executor, workflowName, tool.name, args));
      },
    },
  ];
}

/**
 * The served tools of the tools an app declares: for `app.tool`, a tool that runs the function
 * and answers with its result (checked against the output schema when there is one); for
 * `app.asyncTool`, a tool that starts the workflow and `<name>-get_status`.
 *
 * @example
 * ```ts
 * const tools = appTools({ registry: app.registry, executor: async () => (await app.initialize()).executor });
 * console.log(tools.map((tool) => tool.name)); // ['get_weather', 'research', 'research-get_status']
 * ```
 */
export function appTools(context: AppToolsContext): ServedTool[] {
  const tools: ServedTool[] = [];
  for (const tool of context.registry.tools.values()) {
    if (tool.mode === 'sync') tools.push(syncTool(tool));
    else tools.push(...asyncTools(tool, context));
  }
  return tools;
}

/**
 * The workflow tools (see `workflowTools`) followed by the app's own tools. An async tool's
 * workflow is started by the tool itself, so it gets no `workflows-<Name>-run`, and
 * `workflows-list` names the tool as its endpoint, with the tool's input schema, as the Python
 * project does.
 *
 * @example
 * ```ts
 * const tools = withAppTools(app.registry, { workflows: [...app.registry.workflows.keys()], inputSchemaOf: () => undefined, executor });
 * ```
 */
export function withAppTools(registry: WorkflowRegistry, context: WorkflowToolsContext): ServedTool[] {
  const asyncByWorkflow = new Map<string, AppToolDefinition>();
  for (const tool of registry.tools.values()) {
    if (tool.mode === 'async') asyncByWorkflow.set(tool.workflowName ?? tool.name, tool);
  }
  const ownRunTools = new Set([...asyncByWorkflow.keys()].map((name) => `workflows-${name}-run`));
  // Runs started here get the options added by what serves the app (attachClientRequests: where sampling goes).
  const startOptions = context.startOptions ?? ((workflowName: string, executor: Executor) => runStartOptions(registry, executor, workflowName));
  const tools = workflowTools({ ...context, startOptions })
    .filter((tool) => !ownRunTools.has(tool.name))
    .map((tool): ServedTool => {
      if (tool.name !== 'workflows-list' || asyncByWorkflow.size === 0) return tool;
      return {
        ...tool,
        call: async (args, session) => {
          const listed = (await tool.call(args, session)) as Record<string, Record<string, unknown>>;
          for (const [workflowName, entry] of Object.entries(listed)) {
            const asyncTool = asyncByWorkflow.get(workflowName);
            if (asyncTool === undefined) continue;
            entry['tool_endpoints'] = [asyncTool.name];
            entry['run_parameters'] = asyncTool.inputSchema ?? ANY_OBJECT;
            if (asyncTool.description !== undefined) entry['description'] = asyncTool.description;
          }
          return listed;
        },
      };
    });
  return [...tools, ...appTools({ registry, executor: context.executor, startOptions, ...(context.onRunStarted === undefined ? {} : { onRunStarted: context.onRunStarted }) })];
}
