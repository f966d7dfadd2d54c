// Runs the local LLM server from a shell until SIGINT or SIGTERM, with an echo model or a script:
//   node --import tsx src/llm/local-llm-server-cli.ts [--port <n>] [--script <file.json>]
// A script file holds `{ "replies": [LlmReply, ...], "rules": [{ "whenLastUserMessageIncludes": "...",
// "reply": LlmReply, "times": 1 }] }`. Rules answer first, then the queued replies; without queued
// replies the echo model answers whatever no rule does (with them, a used-up queue answers 500).
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

import { describeInvalidLlmReply, replyWithText, type LlmReply, type LlmRule } from './llm-script.js';
import { startLocalLlmServer } from './local-llm-server.js';

const USAGE = 'usage: local-llm-server-cli [--port <n>] [--script <file.json>]';

function fail(message: string): never {
  process.stderr.write(`${message}\n${USAGE}\n`);
  process.exit(2);
}

function parseArguments(): { port: number; script: string | undefined } {
  let values: { port?: string | undefined; script?: string | undefined };
  try {
    ({ values } = parseArgs({ options: { port: { type: 'string' }, script: { type: 'string' } }, strict: true }));
  } catch (error) {
    fail(error instanceof Error ? error.message : String(error));
  }
  if (values.port === undefined) return { port: 0, script: values.script };
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) fail(`--port: expected a whole number from 0 to 65535, got "${values.port}"`);
  return { port, script: values.script };
}

/** The replies and rules of a script file; exits with code 2 naming the file and the bad entry. */
function readScript(file: string): { replies: LlmReply[]; rules: LlmRule[] } {
  let data: { replies?: unknown; rules?: unknown };
  try {
    data = JSON.parse(readFileSync(file, 'utf8')) as typeof data;
  } catch (error) {
    fail(`--script ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const replies = Array.isArray(data.replies) ? (data.replies as LlmReply[]) : [];
  replies.forEach((reply, index) => {
    const problem = describeInvalidLlmReply(reply);
    if (problem !== undefined) fail(`--script ${file}: replies[${index}]: ${problem}`);
  });
  const rules = (Array.isArray(data.rules) ? data.rules : []).map((entry: unknown, index: number): LlmRule => {
    const rule = entry as { whenLastUserMessageIncludes?: unknown; reply?: unknown; times?: unknown };
    if (typeof rule.whenLastUserMessageIncludes !== 'string') fail(`--script ${file}: rules[${index}].whenLastUserMessageIncludes: expected a string`);
    const problem = describeInvalidLlmReply(rule.reply);
    if (problem !== undefined) fail(`--script ${file}: rules[${index}].reply: ${problem}`);
    const needle = rule.whenLastUserMessageIncludes;
    return {
      match: (request) => request.lastUserMessage?.includes(needle) ?? false,
      reply: rule.reply as LlmReply,
      ...(typeof rule.times === 'number' ? { times: rule.times } : {}),
    };
  });
  return { replies, rules };
}

const { port, script } = parseArguments();
const scripted = script === undefined ? { replies: [], rules: [] } : readScript(script);
const echo: LlmRule = { match: () => true, reply: (request) => replyWithText(`(local model) ${request.lastUserMessage ?? ''}`) };
const server = await startLocalLlmServer({
  port,
  script: {
    rules: [...scripted.rules, ...(scripted.replies.length > 0 ? [] : [echo])],
    replies: scripted.replies,
  },
}).catch((error: unknown) => {
  const code = (error as { code?: unknown }).code;
  const reason = code === 'EADDRINUSE' ? 'the port is in use' : error instanceof Error ? error.message : String(error);
  process.stderr.write(`--port: cannot listen on 127.0.0.1:${port}: ${reason}; pick another port, or omit --port for an ephemeral one\n`);
  process.exit(1);
});

process.stdout.write(
  `local LLM server listening on ${server.url}\n` +
    `OpenAI base URL: ${server.openaiBaseUrl}\n` +
    `Anthropic base URL: ${server.anthropicBaseUrl}\n` +
    `Google base URL: ${server.googleBaseUrl}\n`,
);

const stop = (): void => {
  void server.close().then(() => process.exit(0));
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
