// A stateful stdio MCP server for the session scope tests: its one tool, `count`, answers how many
// times it was called in this process (this session), this call included, with the server's and
// its parent's (the worker's) process ids: `{"count":2,"serverPid":123,"workerPid":100}`.
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { CallToolRequestSchema, ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js';

let count = 0;
const server = new Server({ name: 'session-counter', version: '0.0.0' }, { capabilities: { tools: {} } });
server.setRequestHandler(ListToolsRequestSchema, () => ({
  tools: [
    {
      name: 'count',
      description: "Counts this session's calls, this one included, and names the server and worker processes.",
      inputSchema: { type: 'object', properties: {} },
    },
  ],
}));
server.setRequestHandler(CallToolRequestSchema, (request) => {
  if (request.params.name !== 'count') throw new Error(`unknown tool "${request.params.name}"; this server has only "count"`);
  count += 1;
  return { content: [{ type: 'text', text: JSON.stringify({ count, serverPid: process.pid, workerPid: process.ppid }) }] };
});
process.stdin.once('end', () => process.exit(0));
await server.connect(new StdioServerTransport());
