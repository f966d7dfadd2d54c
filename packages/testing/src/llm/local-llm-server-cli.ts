// Runs the local LLM server from a shell with an echo script, until SIGINT or SIGTERM:
//   node --import tsx src/llm/local-llm-server-cli.ts [--port <n>]
import { parseArgs } from 'node:util';

import { replyWithText } from './llm-script.js';
import { startLocalLlmServer } from './local-llm-server.js';

/** The port from `--port`, or 0 (ephemeral); exits with code 2 and the fix on a bad value. */
function portFromArguments(): number {
  let values: { port?: string | undefined };
  try {
    ({ values } = parseArgs({ options: { port: { type: 'string' } }, strict: true }));
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\nusage: local-llm-server-cli [--port <n>]\n`);
    process.exit(2);
  }
  if (values.port === undefined) return 0;
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    process.stderr.write(`--port: expected a whole number from 0 to 65535, got "${values.port}"\n`);
    process.exit(2);
  }
  return port;
}

const port = portFromArguments();
const server = await startLocalLlmServer({
  port,
  script: {
    rules: [{ match: () => true, reply: (request) => replyWithText(`(local model) ${request.lastUserMessage ?? ''}`) }],
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
    `Anthropic base URL: ${server.anthropicBaseUrl}\n`,
);

const stop = (): void => {
  void server.close().then(() => process.exit(0));
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
