/**
 * Latency of 1,000 sequential `echo` calls to the in-repo MCP test server, over stdio and over
 * Streamable HTTP, through `McpConnectionManager` and through a bare SDK `Client` in the same run.
 * Prints p50 and p99 per path and the ratio framework/bare (target: under 1.10).
 *
 * Run: pnpm bench (from the repository root) or pnpm --filter @mcp-agent/mcp-client bench.
 */
import { createLogger } from '@mcp-agent/core';
import { mcpTestServerStdioCommand, startMcpTestHttpServer } from '@mcp-agent/testing';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

import { createMcpConnectionManager } from '../src/index.js';
import type { McpServerConfigInput } from '../src/index.js';

const CALLS = 1_000;
const WARM_UP_CALLS = 1_000;
const TARGET_RATIO = 1.1;

type Call = (text: string) => Promise<void>;

function percentile(sorted: readonly number[], fraction: number): number {
  const index = Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1);
  return sorted[Math.max(0, index)] ?? Number.NaN;
}

/** Times one call, in milliseconds. */
async function timeCall(call: Call, text: string): Promise<number> {
  const started = process.hrtime.bigint();
  await call(text);
  return Number(process.hrtime.bigint() - started) / 1e6;
}

function checkEcho(text: string, content: unknown): void {
  const first = (content as Array<{ text?: unknown }>)[0];
  if (first?.text !== text) throw new Error(`echo answered ${JSON.stringify(content)} to ${JSON.stringify(text)}`);
}

interface Row {
  transport: string;
  path: string;
  p50: number;
  p99: number;
}

/**
 * Warms both paths up, then times CALLS calls of each. The calls alternate one by one (and which
 * path goes first alternates too), so drift and the wake-up of an idle server hit both alike.
 */
async function compare(transport: string, framework: Call, bare: Call): Promise<Row[]> {
  for (let index = 0; index < WARM_UP_CALLS; index += 1) {
    await framework(`warm ${index}`);
    await bare(`warm ${index}`);
  }
  const frameworkSamples: number[] = [];
  const bareSamples: number[] = [];
  for (let index = 0; index < CALLS; index += 1) {
    if (index % 2 === 0) {
      frameworkSamples.push(await timeCall(framework, `call ${index}`));
      bareSamples.push(await timeCall(bare, `call ${index}`));
    } else {
      bareSamples.push(await timeCall(bare, `call ${index}`));
      frameworkSamples.push(await timeCall(framework, `call ${index}`));
    }
  }
  const row = (path: string, samples: number[]): Row => {
    const sorted = [...samples].sort((left, right) => left - right);
    return { transport, path, p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99) };
  };
  return [row('McpConnectionManager', frameworkSamples), row('bare SDK Client', bareSamples)];
}

async function benchTransport(transport: string, config: McpServerConfigInput, bareTransport: () => StdioClientTransport | StreamableHTTPClientTransport): Promise<Row[]> {
  const manager = createMcpConnectionManager({ servers: { test: config }, logger: createLogger({ transports: ['none'] }) });
  const client = new Client({ name: 'bench-bare', version: '0.0.0' });
  await client.connect(bareTransport());
  try {
    await manager.connect('test');
    const framework: Call = async (text) => {
      const result = await manager.callTool({ server: 'test', tool: 'echo', arguments: { text } });
      checkEcho(text, result.content);
    };
    const bare: Call = async (text) => {
      const result = await client.callTool({ name: 'echo', arguments: { text } });
      checkEcho(text, result.content);
    };
    return await compare(transport, framework, bare);
  } finally {
    await client.close();
    await manager.close();
  }
}

async function main(): Promise<void> {
  const rows: Row[] = [];

  const stdio = mcpTestServerStdioCommand();
  rows.push(...(await benchTransport('stdio', stdio, () => new StdioClientTransport({ ...stdio, stderr: 'ignore' }))));

  const http = await startMcpTestHttpServer({ transport: 'streamable_http' });
  try {
    rows.push(...(await benchTransport('streamable_http', { transport: 'streamable_http', url: http.url }, () => new StreamableHTTPClientTransport(new URL(http.url)))));
  } finally {
    await http.close();
  }

  console.log(`\n${CALLS} sequential echo calls per path after ${WARM_UP_CALLS} warm-up calls (milliseconds per call)\n`);
  console.log(`${'transport'.padEnd(17)}${'path'.padEnd(22)}${'p50'.padStart(9)}${'p99'.padStart(9)}`);
  for (const row of rows) {
    console.log(`${row.transport.padEnd(17)}${row.path.padEnd(22)}${row.p50.toFixed(3).padStart(9)}${row.p99.toFixed(3).padStart(9)}`);
  }
  console.log('');
  for (const transport of ['stdio', 'streamable_http']) {
    const framework = rows.find((row) => row.transport === transport && row.path === 'McpConnectionManager');
    const bare = rows.find((row) => row.transport === transport && row.path === 'bare SDK Client');
    if (framework === undefined || bare === undefined) continue;
    const ratio = framework.p50 / bare.p50;
    const tailRatio = framework.p99 / bare.p99;
    console.log(
      `${transport.padEnd(17)}framework/bare p50 ${ratio.toFixed(3)} (${ratio < TARGET_RATIO ? 'under' : 'OVER'} the ${TARGET_RATIO.toFixed(2)} target), p99 ${tailRatio.toFixed(3)}`,
    );
  }
}

await main();
