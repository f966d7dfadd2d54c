/**
 * The bare side of the lean-worker benchmark: a worker written by hand on the Temporal SDK, in its
 * own process, doing the work of the framework's worker. Its activities call the `openai` client
 * and an MCP SDK `Client` over stdio to `@modelcontextprotocol/server-filesystem`, connected on
 * first use as the framework's MCP client does. Started by `lean-worker.bench.ts`.
 */
import { say, leanWorkerArgs, serveCommands } from './lean-worker-protocol.js';
import { fileURLToPath } from 'node:url';
import { Context } from '@temporalio/activity';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { Client as McpClient } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { JsonSchemaValidator, jsonSchemaValidator } from '@modelcontextprotocol/sdk/validation';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv';
import { OpenAI } from 'openai';
import type { LeanBareActivities } from './lean-bare-workflows.js';
import { LEAN_INSTRUCTION, LEAN_MODEL } from './lean-plan.js';

say('phase', { name: 'imported' });
const args = leanWorkerArgs();

const openai = new OpenAI({ baseURL: args.llmBaseUrl, apiKey: args.apiKey, maxRetries: 0 });
/**
 * With LEAN_BENCH_BARE_SCHEMA_CACHE=1, output-schema validators compiled once per schema, as the
 * framework's MCP client keeps them: to show what the rest of the framework costs. Without it the
 * SDK's client compiles them at every listing, as a worker written on the SDK does.
 */
function schemaValidators(): jsonSchemaValidator | undefined {
  if (process.env.LEAN_BENCH_BARE_SCHEMA_CACHE !== '1') return undefined;
  const ajv = new AjvJsonSchemaValidator();
  const compiled = new Map<string, JsonSchemaValidator<unknown>>();
  return {
    getValidator<T>(schema: Parameters<jsonSchemaValidator['getValidator']>[0]): JsonSchemaValidator<T> {
      const key = JSON.stringify(schema);
      let validator = compiled.get(key);
      if (validator === undefined) {
        validator = ajv.getValidator<unknown>(schema);
        compiled.set(key, validator);
      }
      return validator as JsonSchemaValidator<T>;
    },
  };
}
const cachedValidators = schemaValidators();

let mcp: Promise<McpClient> | undefined;
/** The one MCP session of the worker, opened on first use. */
function session(): Promise<McpClient> {
  mcp ??= (async () => {
    const client = new McpClient({ name: 'lean-bare-worker', version: '0.0.0' }, cachedValidators === undefined ? {} : { jsonSchemaValidator: cachedValidators });
    await client.connect(new StdioClientTransport({ command: process.execPath, args: [args.filesystemEntry, args.directory], stderr: 'ignore' }));
    return client;
  })();
  return mcp;
}

const activities: LeanBareActivities = {
  async listTools() {
    const { tools } = await (await session()).listTools(undefined, { signal: Context.current().cancellationSignal });
    return tools.map((tool) => tool.name);
  },
  async complete(prompt) {
    const completion = await openai.chat.completions.create(
      {
        model: LEAN_MODEL,
        messages: [
          { role: 'system', content: LEAN_INSTRUCTION },
          { role: 'user', content: prompt },
        ],
      },
      { signal: Context.current().cancellationSignal },
    );
    return completion.choices[0]?.message.content ?? '';
  },
  async callTool(name, toolArgs) {
    const result = await (await session()).callTool({ name, arguments: toolArgs }, undefined, { signal: Context.current().cancellationSignal });
    if (result.isError === true) throw new Error(`tool ${name} failed: ${JSON.stringify(result.content)}`);
    const first = (result.content as Array<{ type: string; text?: string }>)[0];
    return first?.text ?? '';
  },
};

Runtime.install({ logger: new DefaultLogger('WARN') });
const connection = await NativeConnection.connect({ address: args.address });
say('phase', { name: 'connected' });
const worker = await Worker.create({
  connection,
  taskQueue: args.taskQueue,
  workflowsPath: fileURLToPath(new URL('./lean-bare-workflows.ts', import.meta.url)),
  activities,
});
say('phase', { name: 'created' });
const running = worker.run();
serveCommands(args, () => worker.shutdown());
try {
  await running;
} finally {
  await connection.close();
  await (await mcp)?.close();
}
say('stopped');
process.exit(0);
