// A stdio MCP server on the SDK's low-level `Server`, for faults that `McpServer` hides:
//   - tool `explode` throws, which the SDK answers as a JSON-RPC InternalError (-32603) rather
//     than as an `isError` result;
//   - `--exit-after-initialize`: exits (code 1) as soon as the client completes `initialize`;
//   - `--logging`: declares the logging capability, so that the client sends `logging/setLevel`.
import { writeSync } from 'node:fs';

import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { CallToolRequestSchema, ListToolsRequestSchema, SetLevelRequestSchema } from '@modelcontextprotocol/sdk/types.js';

const flags = new Set(process.argv.slice(2));
const logging = flags.has('--logging');

const server = new Server({ name: 'faulty-server', version: '0.0.0' }, { capabilities: { tools: {}, ...(logging ? { logging: {} } : {}) } });
server.setRequestHandler(ListToolsRequestSchema, () => ({
  tools: [{ name: 'explode', description: 'Throws from its handler.', inputSchema: { type: 'object', properties: {} } }],
}));
server.setRequestHandler(CallToolRequestSchema, () => {
  throw new Error('the handler exploded');
});
if (logging) server.setRequestHandler(SetLevelRequestSchema, () => ({}));
if (flags.has('--exit-after-initialize')) {
  // Synchronously, so that no request that came with the notification gets an answer.
  server.oninitialized = () => {
    writeSync(2, 'faulty-server: exiting right after initialize\n');
    process.exit(1);
  };
}
process.stdin.once('end', () => process.exit(0));
await server.connect(new StdioServerTransport());
