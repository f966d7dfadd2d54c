/**
 * `mcp-agent chat`: talks to an agent in the terminal. The agent has the config's MCP servers and
 * the model of an installed provider; it runs in this process, not as a workflow.
 */
import path from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import { Agent, AugmentedLLM, CancelledError, MCPApp, messageOf, type AgentOptions, type AgentTool, type AugmentedLLMOptions, type McpToolResult } from '@mcp-agent/core';
import type { Settings } from '@mcp-agent/core/config';
import { loadInstalledLlmProviders, type LlmProvider, type LlmProviderContext } from '@mcp-agent/core/engine';
import { executionEngine as inProcessEngine } from '@mcp-agent/executor-asyncio';
import { UsageError, type CommandIo, type CommandRun } from '../command.js';
import { loadedSettingsFrom, loggerFor } from '../settings.js';

/** Where a provider's key is set, and the package that ships it. */
interface KnownProvider {
  /** The settings of its config section that hold a key (any one is enough). */
  keys: readonly string[];
  /** The environment variables it reads a key from. */
  variables: readonly string[];
  /** What to install for it. */
  install: string;
}

/** The providers the default choice tries, in order. */
const KNOWN_PROVIDERS: Readonly<Record<string, KnownProvider>> = {
  openai: { keys: ['api_key'], variables: ['OPENAI_API_KEY'], install: '@mcp-agent/providers-openai' },
  anthropic: { keys: ['api_key'], variables: ['ANTHROPIC_API_KEY'], install: '@mcp-agent/providers-anthropic' },
  google: { keys: ['api_key'], variables: ['GOOGLE_API_KEY', 'GEMINI_API_KEY', 'GOOGLE_GENERATIVE_AI_API_KEY'], install: '@mcp-agent/providers-ai-sdk and @ai-sdk/google' },
  azure: { keys: ['api_key'], variables: ['AZURE_OPENAI_API_KEY', 'AZURE_AI_API_KEY', 'AZURE_API_KEY'], install: '@mcp-agent/providers-openai' },
  bedrock: {
    keys: ['api_key', 'aws_access_key_id', 'profile'],
    variables: ['AWS_BEARER_TOKEN_BEDROCK', 'AWS_ACCESS_KEY_ID', 'AWS_PROFILE'],
    install: '@mcp-agent/providers-ai-sdk and @ai-sdk/amazon-bedrock',
  },
};

/** The longest tool result shown on stderr, in characters. */
const RESULT_PREVIEW_LENGTH = 200;
const DEFAULT_INSTRUCTION = 'You are a helpful assistant. Use the tools you have when they help answer.';
const SLASH_COMMANDS = '/tools lists the tools, /exit ends the chat';

export const chat: CommandRun = async ({ values }, io) => {
  const loaded = loadedSettingsFrom(values, io);
  const settings = loaded.settings;
  const servers = serversFrom(values['servers'] as string | undefined, Object.keys(settings.mcp?.servers ?? {}));
  const packages = [io.cwd, ...(loaded.configPath === undefined ? [] : [path.dirname(loaded.configPath)])];
  const installed = await loadInstalledLlmProviders(packages);
  const providerName = providerFrom(values['provider'] as string | undefined, installed, settings, io.env);
  const model = values['model'] as string | undefined;
  const turns = new TurnCancellation();
  const app = new MCPApp({
    name: 'mcp-agent-chat',
    ...(loaded.configPath === undefined ? { settings: loaded.settings } : { configPath: loaded.configPath }),
    // The chat runs in this process whatever execution_engine says.
    engines: { [settings.execution_engine ?? 'asyncio']: inProcessEngine },
    llmProviders: installed.map((provider) => cancellableProvider(provider, turns)),
    logger: loggerFor(settings),
  });
  await app.initialize();
  const agent = new ChatAgent(
    {
      name: 'chat',
      instruction: (values['instruction'] as string | undefined) ?? DEFAULT_INSTRUCTION,
      serverNames: servers,
      app,
      // A server that can't be reached leaves its tools out, with a warning; the others' work.
      logger: { warn: (message) => io.stderr(`warning: ${message}\n`) },
    },
    io.stderr,
    turns,
  );
  try {
    await agent.initialize();
    const llm = await agent.attachLlm(llmClassFor(providerName));
    const session = new ChatSession(agent, llm, model, turns, io);
    const message = values['message'] as string | undefined;
    return message === undefined ? await session.converse() : await session.answerOnce(message);
  } finally {
    try {
      await agent.close();
    } finally {
      await app.cleanup();
    }
  }
};

/** The servers of `--servers a,b`, each checked against the config's; default all of them. */
function serversFrom(given: string | undefined, configured: readonly string[]): string[] {
  if (given === undefined) return [...configured];
  const names = given
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  const unknown = names.filter((name) => !configured.includes(name));
  if (unknown.length > 0) {
    const known = configured.length === 0 ? 'the config has none; add them under mcp.servers' : `configured: ${configured.join(', ')}`;
    throw new UsageError(`--servers: unknown MCP server ${unknown.map((name) => `"${name}"`).join(', ')} (${known})`, false);
  }
  return names;
}

/** Whether the settings or the environment hold a key for the provider `name`. */
function hasKey(name: string, settings: Settings, env: CommandIo['env']): boolean {
  const section = (settings as Record<string, unknown>)[name];
  const known = KNOWN_PROVIDERS[name];
  const keys = known?.keys ?? ['api_key'];
  const inSection = typeof section === 'object' && section !== null && keys.some((key) => typeof (section as Record<string, unknown>)[key] === 'string');
  return inSection || (known?.variables ?? []).some((variable) => (env[variable] ?? '') !== '');
}

/** Where to set a provider's key, for error messages. */
function keyHint(name: string): string {
  const known = KNOWN_PROVIDERS[name];
  const variables = known?.variables ?? [];
  return `${name}.${known?.keys[0] ?? 'api_key'}${variables.length > 0 ? ` (or ${variables.join(', ')})` : ''}`;
}

/**
 * The provider of `--provider`, or the first one with a key (those of {@link KNOWN_PROVIDERS} in
 * order, then the other installed ones); it must be installed.
 */
function providerFrom(given: string | undefined, installed: readonly LlmProvider[], settings: Settings, env: CommandIo['env']): string {
  const installedNames = installed.map((provider) => provider.name);
  const candidates = [...new Set([...Object.keys(KNOWN_PROVIDERS), ...installedNames])];
  const name = given ?? candidates.find((candidate) => hasKey(candidate, settings, env));
  if (name === undefined) {
    throw new UsageError(
      `no model provider has a key: set one of ${candidates.map(keyHint).join(', ')} in mcp_agent.secrets.yaml or the environment, or choose one with --provider`,
      false,
    );
  }
  if (!installedNames.includes(name)) {
    const install = KNOWN_PROVIDERS[name]?.install;
    const flag = given === undefined ? `the provider with a key, "${name}",` : `--provider ${name}:`;
    throw new UsageError(
      `${flag} is not installed (installed: ${installedNames.join(', ') || 'none'}); ` +
        (install === undefined ? `define it with aiSdkProvider({ name: '${name}', model }) of @mcp-agent/providers-ai-sdk` : `install ${install} in the app`),
      false,
    );
  }
  return name;
}

/** An `AugmentedLLM` class whose round trips go to the provider `name`. */
function llmClassFor(name: string): new (options: AugmentedLLMOptions) => AugmentedLLM {
  return class extends AugmentedLLM {
    readonly provider = name;
  };
}

/** Cancels the answer being written (Ctrl-C) without ending the chat. */
class TurnCancellation {
  #controller = new AbortController();

  /** The signal of the current answer. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** Starts a new answer, with a fresh signal. */
  next(): void {
    this.#controller = new AbortController();
  }

  /** Stops the current answer: its model round trip and its tool calls. */
  cancel(): void {
    this.#controller.abort(new CancelledError('the answer was cancelled'));
  }
}

/**
 * The provider with each round trip also stopped by the current answer's cancellation, which then
 * rejects with a `CancelledError` (not retried).
 */
function cancellableProvider(provider: LlmProvider, turns: TurnCancellation): LlmProvider {
  const withTurn = async (call: (context: LlmProviderContext) => ReturnType<LlmProvider['complete']>, context: LlmProviderContext) => {
    const turn = turns.signal;
    turn.throwIfAborted();
    try {
      return await call({ ...context, signal: context.signal === undefined ? turn : AbortSignal.any([context.signal, turn]) });
    } catch (error) {
      turn.throwIfAborted();
      throw error;
    }
  };
  return {
    name: provider.name,
    complete: (request, context) => withTurn((scoped) => provider.complete(request, scoped), context),
    stream: (request, context, onText) => withTurn((scoped) => provider.stream(request, scoped, onText), context),
  };
}

/** An agent that shows its tool calls on stderr as they happen, and stops them when the answer is cancelled. */
class ChatAgent extends Agent {
  readonly #stderr: (text: string) => void;
  readonly #turns: TurnCancellation;

  constructor(options: AgentOptions, stderr: (text: string) => void, turns: TurnCancellation) {
    super(options);
    this.#stderr = stderr;
    this.#turns = turns;
  }

  override async callTool(name: string, args: Record<string, unknown> = {}, options: Parameters<Agent['callTool']>[2] = {}): Promise<McpToolResult> {
    this.#stderr(`→ ${name} ${JSON.stringify(args)}\n`);
    try {
      const result = await super.callTool(name, args, { ...options, signal: options.signal === undefined ? this.#turns.signal : AbortSignal.any([options.signal, this.#turns.signal]) });
      this.#stderr(`${result.isError === true ? '← error: ' : '← '}${preview(result)}\n`);
      return result;
    } catch (error) {
      this.#stderr(`← failed: ${messageOf(error)}\n`);
      throw error;
    }
  }
}

/** A tool result's text on one line, cut to {@link RESULT_PREVIEW_LENGTH} characters. */
function preview(result: McpToolResult): string {
  const text = result.content
    .map((item) => (item.type === 'text' && typeof item.text === 'string' ? item.text : `[${item.type}]`))
    .join(' ')
    .replace(/\s+/g, ' ')
    .trim();
  return text.length > RESULT_PREVIEW_LENGTH ? `${text.slice(0, RESULT_PREVIEW_LENGTH - 1)}…` : text || '(empty)';
}

/** The conversation: turns read from the terminal or stdin, answers streamed to stdout. */
class ChatSession {
  readonly #agent: ChatAgent;
  readonly #llm: AugmentedLLM;
  readonly #model: string | undefined;
  readonly #turns: TurnCancellation;
  readonly #io: CommandIo;
  #answering = false;

  constructor(agent: ChatAgent, llm: AugmentedLLM, model: string | undefined, turns: TurnCancellation, io: CommandIo) {
    this.#agent = agent;
    this.#llm = llm;
    this.#model = model;
    this.#turns = turns;
    this.#io = io;
  }

  /** Streams the answer to one message; 0 when it was answered, 1 when it failed or was cancelled. */
  async answer(message: string): Promise<number> {
    this.#turns.next();
    this.#answering = true;
    let ended = true;
    try {
      const stream = this.#llm.generateStream(message, this.#model === undefined ? {} : { model: this.#model });
      for await (const delta of stream) {
        this.#io.stdout(delta);
        ended = delta.endsWith('\n');
      }
      if (!ended) this.#io.stdout('\n');
      return 0;
    } catch (error) {
      if (!ended) this.#io.stdout('\n');
      this.#io.stderr(this.#turns.signal.aborted ? '(answer cancelled)\n' : `error: ${messageOf(error)}\n`);
      return 1;
    } finally {
      this.#answering = false;
    }
  }

  /** Answers `--message`; Ctrl-C (or another stop) cancels the answer. */
  async answerOnce(message: string): Promise<number> {
    const cancel = (): void => this.#turns.cancel();
    this.#io.signal.addEventListener('abort', cancel, { once: true });
    try {
      return await this.answer(message);
    } finally {
      this.#io.signal.removeEventListener('abort', cancel);
    }
  }

  /**
   * Answers lines until `/exit`, the end of the input (Ctrl-D) or a stop (SIGTERM). On a terminal
   * it prompts; Ctrl-C cancels the answer being written, and at the prompt ends the chat.
   */
  async converse(): Promise<number> {
    const terminal = process.stdin.isTTY === true;
    const lines = createInterface({ input: process.stdin, ...(terminal ? { output: process.stderr, prompt: '> ' } : {}), terminal });
    let interrupted = false;
    const interrupt = (): void => {
      interrupted = true;
      if (this.#answering) this.#turns.cancel();
      else lines.close();
    };
    // On a terminal, Ctrl-C reaches readline; from a pipe, it is the process's SIGINT.
    lines.on('SIGINT', interrupt);
    process.on('SIGINT', interrupt);
    // The command's stop signal fires on SIGINT too: it ends the chat only for another reason (SIGTERM, a test).
    const stop = (): void => {
      setImmediate(() => {
        if (!interrupted) this.#stopAll(lines);
        interrupted = false;
      });
    };
    this.#io.signal.addEventListener('abort', stop, { once: true });
    // After a Ctrl-C that signal has fired, so SIGTERM is heard here too.
    const terminate = (): void => this.#stopAll(lines);
    process.on('SIGTERM', terminate);
    if (terminal) this.#io.stderr(`chatting with ${this.#llm.provider} (${SLASH_COMMANDS}, Ctrl-C cancels an answer, Ctrl-D ends)\n`);
    try {
      if (terminal) lines.prompt();
      for await (const line of lines) {
        interrupted = false;
        const text = line.trim();
        if (text === '/exit') break;
        if (text === '/tools') await this.#printTools();
        else if (text.startsWith('/')) this.#io.stderr(`unknown command ${text.split(/\s/)[0]}: ${SLASH_COMMANDS}\n`);
        else if (text !== '') await this.answer(text);
        if (terminal) lines.prompt();
      }
      return 0;
    } finally {
      process.off('SIGINT', interrupt);
      process.off('SIGTERM', terminate);
      this.#io.signal.removeEventListener('abort', stop);
      lines.close();
    }
  }

  #stopAll(lines: Interface): void {
    this.#turns.cancel();
    lines.close();
  }

  async #printTools(): Promise<void> {
    const tools: AgentTool[] = await this.#agent.listTools();
    if (tools.length === 0) {
      this.#io.stdout('no tools\n');
      return;
    }
    const width = Math.max(...tools.map((tool) => tool.name.length));
    for (const tool of tools) this.#io.stdout(`${tool.name.padEnd(width)}  ${(tool.description ?? '').split('\n')[0]}\n`.replace(/ +\n$/, '\n'));
  }
}
