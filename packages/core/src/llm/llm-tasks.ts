/**
 * Model round trips as tasks. Node only: engines register these next to the app's tasks.
 */
import type { Settings } from '../config/schema.js';
import type { TaskDefinition } from '../model/definitions.js';
import { currentTaskContext } from '../task-context.js';
import type { LlmProvider } from './llm-provider.js';
import { llmTaskName, type LlmRequest } from './llm-types.js';

/**
 * The task `llm.<provider>.complete` of a provider: its input is the request, never a key; the
 * provider resolves credentials from `settings()` inside the task.
 */
export function createLlmTaskDefinition(provider: LlmProvider, settings: () => Settings): TaskDefinition {
  const name = llmTaskName(provider.name);
  const run = (request: LlmRequest) => provider.complete(request, { settings: settings(), signal: currentTaskContext()?.signal });
  return Object.freeze({ name, run: run as (...args: unknown[]) => Promise<unknown>, options: Object.freeze({ name }) });
}
