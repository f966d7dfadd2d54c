/**
 * What listing a server's tools costs the client: `@modelcontextprotocol/server-filesystem` (its
 * 14 tools each have an output schema), listed 300 times through `McpConnectionManager` and through
 * a bare SDK `Client`, alternating. Prints, per path, the CPU time of this process per listing and
 * how much the heap grows per listing (after a full GC). The SDK's client compiles a validator for
 * every output schema at each listing and keeps them all; the manager's sessions share validators
 * compiled once per schema (`src/schema-validators.ts`).
 *
 * Run: pnpm bench (from the repository root) or pnpm --filter @mcp-agent/mcp-client bench.
 * Needs --expose-gc for the heap figures (the bench script passes it).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createLogger } from '@mcp-agent/core';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { createMcpConnectionManager } from '../src/index.js';

const LISTINGS = 300;
const WARM_UP_LISTINGS = 20;
const SERVER_ENTRY = path.join(path.dirname(createRequire(import.meta.url).resolve('@modelcontextprotocol/server-filesystem/package.json')), 'dist/index.js');

type List = () => Promise<number>;

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with node --expose-gc (pnpm --filter @mcp-agent/mcp-client bench does)');

/** CPU milliseconds per listing and heap KiB kept per listing, over LISTINGS listings of one path. */
async function measure(list: List): Promise<{ cpuMs: number; heapKiB: number }> {
  (gc as () => void)();
  const heapBefore = process.memoryUsage().heapUsed;
  const cpuBefore = process.cpuUsage();
  for (let index = 0; index < LISTINGS; index += 1) await list();
  const cpu = process.cpuUsage(cpuBefore);
  (gc as () => void)();
  const heapAfter = process.memoryUsage().heapUsed;
  return { cpuMs: (cpu.user + cpu.system) / 1000 / LISTINGS, heapKiB: (heapAfter - heapBefore) / 1024 / LISTINGS };
}

const folder = mkdtempSync(path.join(tmpdir(), 'mcp-list-tools-bench-'));
const manager = createMcpConnectionManager({
  servers: { filesystem: { transport: 'stdio', command: process.execPath, args: [SERVER_ENTRY, folder] } },
  logger: createLogger({ transports: ['none'] }),
});
const bare = new Client({ name: 'list-tools-bench', version: '0.0.0' });
await bare.connect(new StdioClientTransport({ command: process.execPath, args: [SERVER_ENTRY, folder], stderr: 'ignore' }));
try {
  const paths: Record<'framework' | 'bare', List> = {
    framework: async () => (await manager.listTools('filesystem')).length,
    bare: async () => (await bare.listTools()).tools.length,
  };
  const counts = { framework: await paths.framework(), bare: await paths.bare() };
  if (counts.framework !== counts.bare) throw new Error(`the paths list different tools: ${counts.framework} against ${counts.bare}`);
  for (let index = 0; index < WARM_UP_LISTINGS; index += 1) {
    await paths.framework();
    await paths.bare();
  }
  // Each path measured twice, in the order framework, bare, bare, framework, so that drift hits both alike.
  const runs = { framework: [] as Array<{ cpuMs: number; heapKiB: number }>, bare: [] as Array<{ cpuMs: number; heapKiB: number }> };
  for (const side of ['framework', 'bare', 'bare', 'framework'] as const) runs[side].push(await measure(paths[side]));
  console.log(`\nlisting the tools of server-filesystem (${counts.bare} tools), ${LISTINGS} listings per measurement, each path measured twice`);
  console.log('path       CPU ms/listing   heap KiB kept/listing');
  for (const side of ['framework', 'bare'] as const) {
    const cpu = runs[side].reduce((sum, run) => sum + run.cpuMs, 0) / runs[side].length;
    const heap = runs[side].reduce((sum, run) => sum + run.heapKiB, 0) / runs[side].length;
    console.log(`${side.padEnd(10)} ${cpu.toFixed(2).padStart(14)}   ${heap.toFixed(1).padStart(21)}`);
  }
} finally {
  await bare.close();
  await manager.close();
  rmSync(folder, { recursive: true, force: true });
}
