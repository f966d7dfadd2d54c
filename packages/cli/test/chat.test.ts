// `mcp-agent chat`, spawned as a real process: the model is the local LLM server (the real OpenAI
// SDK talks to it through openai.base_url) and the tools are the MCP test server's, over stdio.
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { mcpTestServerStdioCommand, replyWithText, replyWithToolCall, startLocalLlmServer, type LocalLlmServer } from '@mcp-agent/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

const packageFolder = path.join(import.meta.dirname, '..');
const bin = path.join(packageFolder, 'bin', 'mcp-agent.js');
const directory = mkdtempSync(path.join(tmpdir(), 'mcp-agent-cli-chat-'));
const configPath = path.join(directory, 'mcp_agent.config.yaml');
/** How long one chat process may take before the test fails. */
const PROCESS_TIMEOUT_MS = 30_000;
let llm: LocalLlmServer;

beforeAll(async () => {
  llm = await startLocalLlmServer();
  const { command, args } = mcpTestServerStdioCommand();
  writeFileSync(
    configPath,
    JSON.stringify({
      execution_engine: 'asyncio',
      openai: { api_key: 'test-key', base_url: llm.openaiBaseUrl, default_model: 'gpt-test' },
      mcp: { servers: { tests: { transport: 'stdio', command, args } } },
    }),
  );
});

afterEach(() => {
  llm.reset();
});

afterAll(async () => {
  await llm.close();
  rmSync(directory, { recursive: true, force: true });
});

/** The environment variables a provider's key may come from: emptied, so only the test config counts. */
const KEY_VARIABLES = [
  'OPENAI_API_KEY',
  'ANTHROPIC_API_KEY',
  'GOOGLE_API_KEY',
  'GEMINI_API_KEY',
  'GOOGLE_GENERATIVE_AI_API_KEY',
  'AZURE_OPENAI_API_KEY',
  'AZURE_AI_API_KEY',
  'AZURE_API_KEY',
  'AWS_BEARER_TOKEN_BEDROCK',
  'AWS_ACCESS_KEY_ID',
  'AWS_PROFILE',
];

/** A running chat process: its stdin, what it has written so far, and its exit. */
interface ChatProcess {
  child: ChildProcessWithoutNullStreams;
  output: { stdout: string; stderr: string };
  exited: Promise<{ code: number | null; stdout: string; stderr: string }>;
}

/**
 * Starts `mcp-agent chat --config <config> ...args` from the sources, in this package's folder
 * (where the OpenAI provider is installed). Killed, failing the test, after PROCESS_TIMEOUT_MS.
 */
function startChat(args: string[], config = configPath): ChatProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=mcp-agent-source', bin, 'chat', '--config', config, ...args], {
    cwd: packageFolder,
    env: { ...process.env, ...Object.fromEntries(KEY_VARIABLES.map((variable) => [variable, ''])) },
  });
  const output = { stdout: '', stderr: '' };
  child.stdout.on('data', (chunk: Buffer) => {
    output.stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    output.stderr += chunk.toString();
  });
  const exited = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`mcp-agent chat did not exit within ${PROCESS_TIMEOUT_MS} ms; stderr:\n${output.stderr}`));
    }, PROCESS_TIMEOUT_MS);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, ...output });
    });
  });
  return { child, output, exited };
}

/** Runs a chat with `input` as its whole stdin; resolves once it has exited. */
function chat(args: string[], input = '', config = configPath): ChatProcess['exited'] {
  const running = startChat(args, config);
  running.child.stdin.end(input);
  return running.exited;
}

/** The messages the model was sent in the request at `index`. */
function messagesOf(index: number): Array<{ role: string; content: unknown }> {
  return (llm.requests[index]?.body['messages'] ?? []) as Array<{ role: string; content: unknown }>;
}

/** Resolves once `condition` holds, checking every 20 ms; fails after 10 s. */
async function until(condition: () => boolean, what: string): Promise<void> {
  for (const started = Date.now(); !condition(); await new Promise((resolve) => setTimeout(resolve, 20))) {
    if (Date.now() - started > 10_000) throw new Error(`timed out waiting for ${what}`);
  }
}

describe('mcp-agent chat', () => {
  it('answers one message, running the tool the model asks for', async () => {
    llm.enqueue(replyWithToolCall('tests_echo', { text: 'ping from the model' }), replyWithText('The echo said: ping from the model.'));
    const result = await chat(['--message', 'Echo something', '--instruction', 'Be brief.']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe('The echo said: ping from the model.\n');
    expect(result.stderr).toBe('→ tests_echo {"text":"ping from the model"}\n← ping from the model\n');
    expect(llm.requests).toHaveLength(2);
    const [first] = llm.requests;
    expect(first?.stream).toBe(true);
    expect(first?.model).toBe('gpt-test');
    expect(first?.body['messages']).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Echo something' },
    ]);
    // The tool's result goes back to the model.
    const toolMessage = messagesOf(1).find((message) => message.role === 'tool');
    expect(toolMessage?.content).toBe('ping from the model');
  });

  it('keeps the conversation across the lines of stdin, lists the tools and ends at /exit', async () => {
    llm.enqueue(replyWithText('Nice to meet you, Ada.'), replyWithText('Your name is Ada.'));
    const result = await chat(['--servers', 'tests', '--model', 'gpt-chosen'], 'My name is Ada.\n/tools\nWhat is my name?\n/exit\nNot read.\n');
    expect(result.code, result.stderr).toBe(0);
    const [greeting, ...rest] = result.stdout.split('\n');
    expect(greeting).toBe('Nice to meet you, Ada.');
    expect(rest.join('\n')).toMatch(/^tests_echo +Answers the text it is given\.\n/m);
    expect(result.stdout.endsWith('Your name is Ada.\n')).toBe(true);
    expect(llm.requests.map((request) => request.model)).toEqual(['gpt-chosen', 'gpt-chosen']);
    // The second request carries the first turn: the question and the answer.
    const messages = messagesOf(1).filter((message) => message.role !== 'system');
    expect(messages).toEqual([
      { role: 'user', content: 'My name is Ada.' },
      { role: 'assistant', content: 'Nice to meet you, Ada.' },
      { role: 'user', content: 'What is my name?' },
    ]);
  });

  it('names an unknown server, an unknown provider and the configured ones', async () => {
    const server = await chat(['--servers', 'tests,filesystem', '--message', 'hi']);
    expect(server.code).toBe(2);
    expect(server.stderr).toContain('--servers: unknown MCP server "filesystem" (configured: tests)');
    const provider = await chat(['--provider', 'anthropic', '--message', 'hi']);
    expect(provider.code).toBe(2);
    expect(provider.stderr).toContain('--provider anthropic: is not installed (installed: openai');
    expect(provider.stderr).toContain('install @mcp-agent/providers-anthropic in the app');
    expect(llm.requests).toHaveLength(0);
  });

  it('cancels the answer being written on Ctrl-C and goes on with the next line', async () => {
    llm.enqueue({ text: 'This answer is never seen.', delayMilliseconds: 20_000 }, replyWithText('Still here.'));
    const running = startChat(['--servers', '']);
    running.child.stdin.write('Tell me a long story.\n');
    await until(() => llm.requests.length === 1, 'the first request');
    running.child.kill('SIGINT');
    await until(() => running.output.stderr.includes('(answer cancelled)'), 'the cancellation');
    running.child.stdin.end('Are you there?\n');
    const result = await running.exited;
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe('Still here.\n');
    expect(llm.requests).toHaveLength(2);
    // The cancelled turn is not part of the conversation.
    const messages = messagesOf(1).filter((message) => message.role !== 'system');
    expect(messages).toEqual([{ role: 'user', content: 'Are you there?' }]);
  });

  it('says which key to set when no provider has one', async () => {
    const keyless = path.join(directory, 'keyless.config.yaml');
    writeFileSync(keyless, JSON.stringify({ openai: { base_url: llm.openaiBaseUrl } }));
    const result = await chat(['--message', 'hi'], '', keyless);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('no model provider has a key: set one of openai.api_key (or OPENAI_API_KEY), anthropic.api_key (or ANTHROPIC_API_KEY)');
    expect(result.stderr).toContain('or choose one with --provider');
  });
});
