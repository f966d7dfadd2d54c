// An MCP server (the SDK's McpServer, over stdio) whose lists change while it runs: `add_tool`
// registers a tool `extra_<n>` (the SDK then sends notifications/tools/list_changed before the
// call's answer), `change_lists` registers a prompt and a resource (prompts/list_changed and
// resources/list_changed). It declares no resources.subscribe and no completions, for the tests
// of those capability checks. Started by the tests as `node changing-server.mjs`.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';

const server = new McpServer(
  { name: 'changing-server', version: '0.1.0' },
  { capabilities: { tools: { listChanged: true }, prompts: { listChanged: true }, resources: { listChanged: true } } },
);

let added = 0;
const text = (value) => ({ content: [{ type: 'text', text: value }] });

server.registerTool(
  'add_tool',
  {
    title: 'Add a tool',
    description: 'Registers a new tool extra_<n> and answers its name.',
    annotations: { readOnlyHint: false, idempotentHint: false },
  },
  () => {
    added += 1;
    const name = `extra_${added}`;
    server.registerTool(name, { title: `Extra ${added}`, description: `A tool added at run time (number ${added}).` }, () => text(`${name} answered`));
    return text(name);
  },
);

server.registerTool('change_lists', { description: 'Registers a prompt and a resource.' }, () => {
  added += 1;
  server.registerPrompt(`prompt_${added}`, { description: 'A prompt added at run time.' }, () => ({
    messages: [{ role: 'user', content: { type: 'text', text: `prompt ${added}` } }],
  }));
  server.registerResource(`resource_${added}`, `changing://resource/${added}`, { mimeType: 'text/plain' }, (uri) => ({
    contents: [{ uri: uri.href, text: `resource ${added}` }],
  }));
  return text(`changed lists (${added})`);
});

server.registerResource('fixed', 'changing://fixed', { mimeType: 'text/plain' }, (uri) => ({ contents: [{ uri: uri.href, text: 'fixed' }] }));

await server.connect(new StdioServerTransport());
