/**
 * The services an app assembles once, at start: its MCP servers, its model providers and the
 * task map engines schedule. Safe for the workflow sandbox (types and a resolver hook): workflow
 * code never reaches services directly (it calls tasks); code outside a workflow finds them
 * through its app.
 */
import type { Settings } from '../config/schema.js';
import { WorkflowUsageError } from './errors.js';
import type { EmbeddingProvider } from './llm/embedding.js';
import { providerInstallHint, type LlmProvider } from './llm/llm-provider.js';
import type { McpService } from './mcp/mcp-service.js';
import type { TaskDefinition } from './model/definitions.js';
import type { HumanInputHandler } from './human-input.js';

/** The tasks an engine runs, by name: the app's own and the built-in MCP and model tasks. */
export interface TaskMap {
  /** @throws UnknownTaskError naming the tasks there are. */
  get(name: string): TaskDefinition;
  has(name: string): boolean;
  /** Every task, for a worker that registers them all as activities. */
  values(): TaskDefinition[];
}

/** What an app assembles once at start and hands to its engine, its agents and its LLMs. */
export interface AppServices {
  readonly settings: Settings;
  /** The MCP servers of `mcp.servers`; connections open on first use. */
  readonly mcp: McpService;
  /** The model providers, by name (`openai`, `anthropic`, ...). */
  readonly llmProviders: ReadonlyMap<string, LlmProvider>;
  /** The embedding providers, by name (`openai`, ...). */
  readonly embeddingProviders?: ReadonlyMap<string, EmbeddingProvider>;
  /** Answers `requestHumanInput` on the in-process engine and outside workflows. */
  readonly humanInput?: HumanInputHandler | undefined;
  /** The tasks engines run: the app's, then `mcp.*` and `llm.<provider>.complete`. */
  readonly tasks: TaskMap;
  /** Closes what the services opened (MCP sessions and the server processes they started). */
  close(): Promise<void>;
}

/** Anything that holds an app's services: an `MCPApp` once started. */
export interface ServicesOwner {
  readonly services: AppServices;
}

type ServicesResolver = () => AppServices | undefined;
// On globalThis, so that every copy of this module (bundled or not) sees the resolver the Node entry installs.
const RESOLVER = Symbol.for('mcp-agent.app-services-resolver');
const holder = globalThis as unknown as Record<symbol, ServicesResolver | undefined>;

/** Installs how code outside a workflow finds its app's services. Called once by the Node entry. */
export function setAppServicesResolver(resolver: ServicesResolver): void {
  holder[RESOLVER] = resolver;
}

/**
 * The services of the app whose code is running now: the app of the enclosing `app.run` (or the
 * app of the task being run), else the only app started in this process.
 *
 * @throws WorkflowUsageError when no app is running, or several are and none encloses the caller.
 */
export function currentAppServices(): AppServices {
  const services = findAppServices();
  if (services === undefined) {
    throw new WorkflowUsageError(
      'an Agent or LLM used outside a workflow needs its app: use it inside app.run(...), pass { app } to new Agent(...), ' +
        'or start the app first (await app.initialize()); with several apps started, pass { app }',
    );
  }
  return services;
}

/**
 * The services of `owner` when given, else those of the app running the caller. An owner not
 * started in this process (a task run by `mcp-agent worker`, which assembles the app's services
 * itself) falls back to the services the caller runs with, which are the same app's.
 *
 * @throws WorkflowUsageError when no app can be found.
 */
export function servicesOf(owner: ServicesOwner | undefined): AppServices {
  if (owner === undefined) return currentAppServices();
  try {
    return owner.services;
  } catch (error) {
    const inScope = findAppServices();
    if (inScope !== undefined) return inScope;
    throw error;
  }
}

/** Like {@link currentAppServices}, or undefined when no app can be found. */
export function findAppServices(): AppServices | undefined {
  return holder[RESOLVER]?.();
}

/** The provider of that name among `services`, or an error naming those loaded and the package to install. */
export function llmProviderOf(services: AppServices, name: string): LlmProvider {
  const provider = services.llmProviders.get(name);
  if (provider === undefined) {
    const loaded = [...services.llmProviders.keys()];
    throw new WorkflowUsageError(
      `no "${name}" model provider is loaded${loaded.length > 0 ? ` (loaded: ${loaded.join(', ')})` : ''}; ` +
        `${providerInstallHint(name)}, or pass it to new MCPApp({ llmProviders: [...] })`,
    );
  }
  return provider;
}
