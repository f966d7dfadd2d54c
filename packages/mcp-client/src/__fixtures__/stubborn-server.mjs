// A stdio MCP server that ignores both ways a client asks it to stop: it stays alive after its
// stdin closes and ignores SIGTERM. Only SIGKILL ends it. Tools: `ping` answers "pong", `pid`
// answers its process id (it may run behind a wrapper such as `sh -c`).
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';

process.on('SIGTERM', () => {
  process.stderr.write('stubborn-server: ignoring SIGTERM\n');
});
// Keeps the process alive once stdin has ended.
setInterval(() => undefined, 60_000);

const server = new McpServer({ name: 'stubborn-server', version: '0.0.0' });
server.registerTool('ping', { description: 'Answers "pong".' }, () => ({ content: [{ type: 'text', text: 'pong' }] }));
server.registerTool('pid', { description: 'Answers its process id.' }, () => ({ content: [{ type: 'text', text: String(process.pid) }] }));
await server.connect(new StdioServerTransport());
