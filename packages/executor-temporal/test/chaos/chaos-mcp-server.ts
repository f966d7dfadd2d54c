// The MCP server of the chaos workers: the MCP test server of @mcp-agent/testing over stdio, which
// notes when it starts, crashes and hangs (one JSON line each, appended to the file named by
// CHAOS_MCP_LOG), so the suite knows when each MCP fault happened and when a server came back.
import { appendFileSync } from 'node:fs';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { createMcpTestServer } from '@mcp-agent/testing';

/** One line of the log: what happened, in which process, when (epoch milliseconds). */
export interface ChaosMcpEvent {
  event: 'start' | 'crash' | 'hang';
  pid: number;
  time: number;
}

const logFile = process.env.CHAOS_MCP_LOG;

function note(event: ChaosMcpEvent['event']): void {
  if (logFile === undefined || logFile === '') return;
  appendFileSync(logFile, `${JSON.stringify({ event, pid: process.pid, time: Date.now() } satisfies ChaosMcpEvent)}\n`);
}

const server = createMcpTestServer({
  name: 'chaos',
  onCrash: (code) => {
    note('crash');
    process.exit(code);
  },
});
const transport = new StdioServerTransport();
await server.connect(transport);
// The test server's `hang` never answers: note when a call reaches it, then hand the message on.
const deliver = transport.onmessage?.bind(transport);
transport.onmessage = (message) => {
  if ('method' in message && message.method === 'tools/call' && (message.params as { name?: unknown } | undefined)?.name === 'hang') note('hang');
  deliver?.(message);
};
note('start');

// The client is gone once stdin ends: exit, so that no orphan process stays behind.
const shutdown = (): void => {
  server
    .close()
    .catch(() => undefined)
    .finally(() => process.exit(0));
};
process.stdin.once('end', shutdown);
process.stdin.once('close', shutdown);
process.stdout.once('error', shutdown);
