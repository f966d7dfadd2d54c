// Test support for the patterns: an app on the in-process engine whose OpenAI and Anthropic
// providers talk, through their real SDKs, to the local wire-protocol server, and a workflow that
// runs a scenario function, so a pattern is tested inside a workflow (its model calls as tasks).
import { createLogger, MCPApp, Workflow, WorkflowResult, type HumanInputHandler } from '@mcp-agent/core';
import type { SettingsInput } from '@mcp-agent/core/config';
import { createAsyncioEngine } from '@mcp-agent/executor-asyncio';
import { llmProvider as anthropicProvider } from '@mcp-agent/providers-anthropic';
import { embeddingProvider, llmProvider as openaiProvider } from '@mcp-agent/providers-openai';
import { startLocalLlmServer, type LocalLlmServer } from '@mcp-agent/testing';

export interface PatternTestApp {
  app: MCPApp;
  model: LocalLlmServer;
  /** Runs `scenario` inside a workflow on the in-process engine and returns its value. */
  inWorkflow<T>(scenario: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** Starts the local model server and an app on the in-process engine that uses it. */
export async function startPatternTestApp(options: { name?: string; humanInput?: HumanInputHandler; settings?: SettingsInput } = {}): Promise<PatternTestApp> {
  const model = await startLocalLlmServer();
  const settings: SettingsInput = {
    openai: { api_key: 'sk-local-patterns', base_url: model.openaiBaseUrl, default_model: 'gpt-4o-mini' },
    anthropic: { api_key: 'sk-ant-local-patterns', base_url: model.anthropicBaseUrl, default_model: 'claude-3-5-haiku-latest' },
    workflow_task_retry_policies: { 'llm.*': { maximum_attempts: 2, initial_interval: 0.01 } },
    ...options.settings,
  };
  const app = new MCPApp({
    name: options.name ?? 'pattern-tests',
    settings,
    logger: createLogger({ transports: ['none'] }),
    engines: { asyncio: createAsyncioEngine() },
    llmProviders: [openaiProvider, anthropicProvider],
    embeddingProviders: [embeddingProvider],
    ...(options.humanInput === undefined ? {} : { humanInput: options.humanInput }),
  });
  const scenarios = new Map<string, () => Promise<unknown>>();
  let next = 0;

  @app.workflow({ name: 'PatternScenario' })
  class PatternScenario extends Workflow<unknown> {
    @app.workflowRun
    async run(key: string): Promise<WorkflowResult<unknown>> {
      const scenario = scenarios.get(key);
      if (scenario === undefined) throw new Error(`no scenario ${key}`);
      return new WorkflowResult({ value: await scenario() });
    }
  }

  await app.initialize();
  return {
    app,
    model,
    async inWorkflow<T>(scenario: () => Promise<T>): Promise<T> {
      const key = `scenario-${(next += 1)}`;
      scenarios.set(key, scenario);
      try {
        const handle = await app.executor.startWorkflow(PatternScenario, key);
        return (await handle.result()).value as T;
      } finally {
        scenarios.delete(key);
      }
    },
    async close() {
      await app.cleanup();
      await model.close();
    },
  };
}
