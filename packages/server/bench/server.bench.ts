/**
 * The agent server over Streamable HTTP on the in-process engine, in one run:
 *
 * - `workflows-run` then `workflows-get_status` until done, for a one-task workflow: p50 and p99
 *   of the whole round trip over 300 runs;
 * - 100 client sessions at once, each starting a workflow and polling it to its end: errors (target
 *   0) and the time they took;
 * - a plain tool call through the server against a bare SDK server answering the same tool: p50 of
 *   each and the ratio (target <= 1.10).
 *
 * Run: pnpm --filter @mcp-agent/server bench
 */
import { createLogger, MCPApp, Workflow, WorkflowResult } from '@mcp-agent/core';
import { parseSettings } from '@mcp-agent/core/config';
import { createExecutorWithServices } from '@mcp-agent/core/engine';
import { createAsyncioEngine } from '@mcp-agent/executor-asyncio';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { createMcpServerForApp, serveApp } from '../src/index.js';

const RUNS = 300;
const TOOL_CALLS = 2_000;
const TARGET_RATIO = 1.1;

/** The work both tool servers do: the same small computation. */
function wordCount(text: string): { words: number } {
  return { words: text.split(/\s+/).filter((word) => word !== '').length };
}
const SESSIONS = 100;

const app = new MCPApp({ name: 'server-bench' });
const double = app.workflowTask(async (n: number) => n * 2, { name: 'bench.double' });

app.tool(async (args: Record<string, unknown>) => wordCount(String(args['text'])), {
  name: 'word_count',
  description: 'Counts the words of a text',
  inputSchema: { type: 'object', properties: { text: { type: 'string' } }, required: ['text'] },
});

@app.workflow
export class DoubleWorkflow extends Workflow<number> {
  @app.workflowRun
  async run(input: { n: number }): Promise<WorkflowResult<number>> {
    return new WorkflowResult({ value: await double(input.n) });
  }
}

function percentile(values: number[], fraction: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1))] as number;
}

async function connect(url: string): Promise<{ client: Client; transport: StreamableHTTPClientTransport }> {
  const client = new Client({ name: 'bench', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL(url));
  await client.connect(transport);
  return { client, transport };
}

async function runToEnd(client: Client, n: number): Promise<number> {
  const started = (await client.callTool({ name: 'workflows-DoubleWorkflow-run', arguments: { n } })) as CallToolResult;
  if (started.isError === true) throw new Error(JSON.stringify(started.content));
  const ids = started.structuredContent as { workflow_id: string; run_id: string };
  for (;;) {
    const status = (await client.callTool({ name: 'workflows-get_status', arguments: ids })) as CallToolResult;
    const value = status.structuredContent as { running: boolean; result?: { value: number } };
    if (!value.running) {
      if (value.result?.value !== n * 2) throw new Error(`run ${ids.workflow_id} ended with ${JSON.stringify(value)}`);
      return n * 2;
    }
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

const executor = await createExecutorWithServices(createAsyncioEngine(), {
  appName: app.name,
  registry: app.registry,
  logger: createLogger({ transports: ['none'] }),
  settings: parseSettings({}, 'bench'),
});
const served = createMcpServerForApp(
  { name: app.name, registry: app.registry, initialize: async () => ({ executor }) },
  { inputSchemas: { DoubleWorkflow: { type: 'object', properties: { n: { type: 'number' } }, required: ['n'] } } },
);
const running = await serveApp(served, { transport: 'http', port: 0 });
try {
  const { client, transport } = await connect(running.url as string);
  for (let index = 0; index < 30; index += 1) await runToEnd(client, index);
  const latencies: number[] = [];
  for (let index = 0; index < RUNS; index += 1) {
    const started = performance.now();
    await runToEnd(client, index);
    latencies.push(performance.now() - started);
  }
  console.log(
    `server: workflows-run then workflows-get_status until done, one-task workflow, Streamable HTTP, in-process: p50 ${percentile(latencies, 0.5).toFixed(2)} ms, p99 ${percentile(latencies, 0.99).toFixed(2)} ms (${RUNS} runs)`,
  );
  await transport.terminateSession();
  await client.close();

  const started = performance.now();
  const outcomes = await Promise.allSettled(
    Array.from({ length: SESSIONS }, async (_, index) => {
      const session = await connect(running.url as string);
      try {
        await runToEnd(session.client, index);
      } finally {
        await session.transport.terminateSession();
        await session.client.close();
      }
    }),
  );
  const failed = outcomes.filter((outcome) => outcome.status === 'rejected');
  console.log(
    `server: ${SESSIONS} concurrent client sessions, each a run polled to its end: ${failed.length} errors in ${(performance.now() - started).toFixed(0)} ms${failed.length > 0 ? ` (first: ${String((failed[0] as PromiseRejectedResult).reason)})` : ''}`,
  );

  // A plain tool: through the server, and through a bare SDK server doing the same work.
  const bare = new McpServer({ name: 'bare', version: '1.0.0' });
  bare.registerTool('word_count', { description: 'Counts the words of a text', inputSchema: { text: z.string() } }, async ({ text }) => {
    const value = wordCount(text);
    return { content: [{ type: 'text', text: JSON.stringify(value) }], structuredContent: value };
  });
  const bareTransports = new Map<string, StreamableHTTPServerTransport>();
  const bareHttp = createServer((request, response) => {
    void (async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of request) chunks.push(chunk as Buffer);
      const body = chunks.length === 0 ? undefined : JSON.parse(Buffer.concat(chunks).toString('utf8'));
      const id = request.headers['mcp-session-id'] as string | undefined;
      let transport = id === undefined ? undefined : bareTransports.get(id);
      if (transport === undefined) {
        const created = new StreamableHTTPServerTransport({ sessionIdGenerator: () => randomUUID(), onsessioninitialized: (newId) => void bareTransports.set(newId, created) });
        await bare.connect(created);
        transport = created;
      }
      await transport.handleRequest(request, response, body);
    })();
  });
  await new Promise<void>((resolve) => bareHttp.listen(0, '127.0.0.1', resolve));
  const bareUrl = `http://127.0.0.1:${(bareHttp.address() as AddressInfo).port}/mcp`;
  const ours = await connect(running.url as string);
  const theirs = await connect(bareUrl);
  const time = async (client: Client): Promise<number[]> => {
    const samples: number[] = [];
    for (let index = 0; index < TOOL_CALLS / 4; index += 1) {
      const started = performance.now();
      const result = (await client.callTool({ name: 'word_count', arguments: { text: 'one two three four' } })) as CallToolResult;
      samples.push(performance.now() - started);
      if ((result.structuredContent as { words: number }).words !== 4) throw new Error(`word_count answered ${JSON.stringify(result)}`);
    }
    return samples;
  };
  await time(ours.client);
  await time(theirs.client);
  const oursSamples: number[] = [];
  const theirSamples: number[] = [];
  for (let round = 0; round < 4; round += 1) {
    if (round % 2 === 0) {
      oursSamples.push(...(await time(ours.client)));
      theirSamples.push(...(await time(theirs.client)));
    } else {
      theirSamples.push(...(await time(theirs.client)));
      oursSamples.push(...(await time(ours.client)));
    }
  }
  const ratio = percentile(oursSamples, 0.5) / percentile(theirSamples, 0.5);
  console.log(
    `server: app.tool call vs a bare SDK McpServer tool doing the same work, Streamable HTTP: p50 ${percentile(oursSamples, 0.5).toFixed(3)} ms vs ${percentile(theirSamples, 0.5).toFixed(3)} ms, ratio ${ratio.toFixed(3)} (target <= ${TARGET_RATIO}${ratio <= TARGET_RATIO ? ', met' : ', MISSED'}) over ${TOOL_CALLS} calls each`,
  );
  await ours.client.close();
  await theirs.client.close();
  await new Promise<void>((resolve) => {
    bareHttp.close(() => resolve());
    bareHttp.closeAllConnections();
  });
} finally {
  await running.close();
  await executor.close();
}
