// The app's services: made once at start, handed to the engine as a task map, and found by agents
// and LLMs outside workflows through their app — two apps in one process never see each other's.
// The MCP services here are in-memory stand-ins (each answers with its app's name); the executors
// are empty: what is under test is which services a caller reaches.
import { describe, expect, it } from 'vitest';
import { Agent } from '../sandbox/agent/agent.js';
import { UnknownTaskError, WorkflowUsageError } from '../sandbox/errors.js';
import type { Executor } from '../sandbox/executor.js';
import type { McpService, McpToolDescriptor } from '../sandbox/mcp/mcp-service.js';
import { createTaskFunction } from '../sandbox/model/definitions.js';
import { WorkflowRegistry } from '../sandbox/model/registry.js';
import { parseSettings } from '../config/index.js';
import { MCPApp } from './app.js';
import type { ExecutionEngine } from './engine-loading.js';
import { createLogger } from './logger.js';
import { createAppServices, createTaskMap } from './services.js';

/** An MCP service with one server, `tools`, whose one tool is named after `owner`. */
function mcpOf(owner: string, closed: string[] = []): McpService {
  const tool: McpToolDescriptor = { server: 'tools', name: `${owner}_tool`, inputSchema: { type: 'object' } };
  const refuse = () => Promise.reject(new Error('not used'));
  return {
    serverNames: () => ['tools'],
    listTools: async () => [tool],
    callTool: async (request) => ({ content: [{ type: 'text', text: `${owner} ran ${request.tool}` }], isError: false }),
    listPrompts: refuse,
    getPrompt: refuse,
    listResources: refuse,
    readResource: refuse,
    close: async () => {
      closed.push(owner);
    },
  };
}

/** An engine whose executor has nothing to run, recording the task map it was given. */
function recordingEngine(given: Array<{ has(name: string): boolean }>): ExecutionEngine {
  return {
    name: 'asyncio',
    createExecutor: async (options) => {
      if (options.tasks !== undefined) given.push(options.tasks);
      return { engine: 'asyncio', close: async () => undefined } as unknown as Executor;
    },
  };
}

const appOf = (name: string, given: Array<{ has(name: string): boolean }> = []) =>
  new MCPApp({ name, settings: {}, mcp: mcpOf(name), llmProviders: [], engines: { asyncio: recordingEngine(given) }, logger: createLogger({ transports: ['none'] }) });

const toolNames = async (agent: Agent) => (await agent.listTools()).map((tool) => tool.name);

describe('services found through the app', () => {
  it('gives each app.run its own services, even when two apps run at once', async () => {
    const [alpha, beta] = [appOf('alpha'), appOf('beta')];
    const seen = await Promise.all([
      alpha.run(async () => toolNames(new Agent({ name: 'a', serverNames: ['tools'] }))),
      beta.run(async () => toolNames(new Agent({ name: 'b', serverNames: ['tools'] }))),
    ]);
    expect(seen).toEqual([['tools_alpha_tool'], ['tools_beta_tool']]);
  });

  it('uses the app given to the agent, and the only app started when none is given', async () => {
    const [alpha, beta] = [appOf('alpha'), appOf('beta')];
    await alpha.initialize();
    try {
      expect(await toolNames(new Agent({ name: 'only', serverNames: ['tools'] }))).toEqual(['tools_alpha_tool']);
      await beta.initialize();
      // Two apps started and none encloses the caller: refuse to guess, say what to do.
      await expect(new Agent({ name: 'which', serverNames: ['tools'] }).listTools()).rejects.toThrow('with several apps started, pass { app }');
      expect(await toolNames(new Agent({ name: 'beta', serverNames: ['tools'], app: beta }))).toEqual(['tools_beta_tool']);
    } finally {
      await alpha.cleanup();
      await beta.cleanup();
    }
    await expect(new Agent({ name: 'after', serverNames: ['tools'] }).listTools()).rejects.toThrow(WorkflowUsageError);
  });

  it("runs every task of the map in its app's scope, so an agent made in a task finds its app", async () => {
    const [alpha, beta] = [appOf('alpha'), appOf('beta')];
    await alpha.initialize();
    await beta.initialize();
    try {
      const registry = new WorkflowRegistry();
      registry.addTask(createTaskFunction(async () => toolNames(new Agent({ name: 'in-task', serverNames: ['tools'] })), { name: 'agents.list' }).taskDefinition);
      const logger = createLogger({ transports: ['none'] });
      const services = await createAppServices({ registry, settings: parseSettings({}), logger, mcp: mcpOf('gamma'), llmProviders: [] });
      try {
        expect(await services.tasks.get('agents.list').run()).toEqual(['tools_gamma_tool']);
      } finally {
        await services.close();
      }
    } finally {
      await alpha.cleanup();
      await beta.cleanup();
    }
  });

  it('lets a task use an agent given its app even where that app is not started (a worker that assembled its services)', async () => {
    const app = appOf('alpha');
    const registry = new WorkflowRegistry();
    registry.addTask(createTaskFunction(async () => toolNames(new Agent({ name: 'given-app', serverNames: ['tools'], app })), { name: 'agents.listWithApp' }).taskDefinition);
    const services = await createAppServices({ registry, settings: parseSettings({}), logger: createLogger({ transports: ['none'] }), mcp: mcpOf('worker'), llmProviders: [] });
    try {
      expect(await services.tasks.get('agents.listWithApp').run()).toEqual(['tools_worker_tool']);
    } finally {
      await services.close();
    }
    // Outside any task the app must be started: the error says so.
    await expect(new Agent({ name: 'idle', serverNames: ['tools'], app }).listTools()).rejects.toThrow('app "alpha" is not running');
  });

  it('hands the engine one task map with the MCP tasks, and closes an MCP service it made but not one it was given', async () => {
    const given: Array<{ has(name: string): boolean }> = [];
    const app = appOf('alpha', given);
    await app.run(async ({ services, mcp }) => {
      expect(mcp).toBe(services.mcp);
      expect(given).toEqual([services.tasks]);
    });
    expect(given[0]?.has('mcp.callTool')).toBe(true);
    expect(given[0]?.has('llm.openai.complete')).toBe(false);

    const closed: string[] = [];
    const registry = new WorkflowRegistry();
    const services = await createAppServices({ registry, settings: parseSettings({}), logger: createLogger({ transports: ['none'] }), mcp: mcpOf('given', closed), llmProviders: [] });
    await services.close();
    expect(closed).toEqual([]);
  });
});

describe('the task map', () => {
  it('refuses an app task named like a built-in task', () => {
    const registry = new WorkflowRegistry();
    registry.addTask(createTaskFunction(async () => 'mine', { name: 'mcp.callTool' }).taskDefinition);
    expect(() => createTaskMap({ registry, settings: parseSettings({}) })).toThrow('the task name "mcp.callTool" is reserved for a built-in task');
  });

  it('says what is missing when a built-in task has no service behind it', () => {
    const tasks = createTaskMap({ registry: new WorkflowRegistry(), settings: parseSettings({}) });
    const mcp = (() => {
      try {
        tasks.get('mcp.listTools');
      } catch (error) {
        return error;
      }
    })();
    expect(UnknownTaskError.is(mcp) && (mcp as Error).message).toContain('This engine was given no MCP service');
    expect(() => tasks.get('llm.anthropic.complete')).toThrow('No "anthropic" model provider is loaded: install @mcp-agent/providers-anthropic');
    expect(() => tasks.get('llm.google.complete')).toThrow('No "google" model provider is loaded: install @mcp-agent/providers-ai-sdk and @ai-sdk/google in the app');
    expect(() => tasks.get('embedding.mistral.embed')).toThrow(
      `No "mistral" embedding provider is loaded: define it with aiSdkProvider({ name: 'mistral', model }) of @mcp-agent/providers-ai-sdk over any AI SDK model`,
    );
  });

  it('finds tasks registered after it was made', () => {
    const registry = new WorkflowRegistry();
    const tasks = createTaskMap({ registry, settings: parseSettings({}) });
    expect(tasks.has('late.task')).toBe(false);
    registry.addTask(createTaskFunction(async () => 1, { name: 'late.task' }).taskDefinition);
    expect(tasks.get('late.task').name).toBe('late.task');
  });
});
