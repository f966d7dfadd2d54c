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
import { createMcpServerForApp, serveApp } from '../src/index.js';

const RUNS = 300;
const SESSIONS = 100;

const app = new MCPApp({ name: 'server-bench' });
const double = app.workflowTask(async (n: number) => n * 2, { name: 'bench.double' });

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
} finally {
  await running.close();
  await executor.close();
}
