/**
 * Options the server adds when a client starts a run (such as a memo naming where its sampling
 * round trips go). Whatever serves the app registers a source against the app's registry
 * (`attachClientRequests` does); the workflow tools and the async app tools ask every source
 * before they start a run. Internal to this package.
 */
import type { Executor, StartWorkflowOptions } from '@mcp-agent/core';
import type { WorkflowRegistry } from '@mcp-agent/core/engine';

/** Gives the options for one run start; `undefined` when it has none to add. */
export type RunStartOptionsSource = (run: { workflowName: string; executor: Executor }) => Promise<StartWorkflowOptions | undefined>;

const sources = new WeakMap<WorkflowRegistry, Set<RunStartOptionsSource>>();

/** Asks `source` for the options of every run a client starts of the app with this registry, until the returned function is called. */
export function addRunStartOptions(registry: WorkflowRegistry, source: RunStartOptionsSource): () => void {
  const set = sources.get(registry) ?? new Set<RunStartOptionsSource>();
  sources.set(registry, set);
  set.add(source);
  return () => {
    set.delete(source);
  };
}

/** The options of a run start: every source's, merged (for a memo key two give, the first registered wins). */
export async function runStartOptions(registry: WorkflowRegistry, executor: Executor, workflowName: string): Promise<StartWorkflowOptions | undefined> {
  const set = sources.get(registry);
  if (set === undefined || set.size === 0) return undefined;
  let merged: StartWorkflowOptions | undefined;
  for (const source of [...set]) {
    const options = await source({ workflowName, executor });
    if (options === undefined) continue;
    const { memo, ...rest } = options;
    merged = {
      ...rest,
      ...merged,
      ...(memo === undefined && merged?.memo === undefined ? {} : { memo: { ...memo, ...merged?.memo } }),
    };
  }
  return merged;
}
