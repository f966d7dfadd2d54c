// The app the prompt and resource tests serve: prompts that render a string, messages, and an
// agent's prompt (from a stand-in MCP service), one that fails and one that returns a bad shape;
// resources of text, bytes and an agent's resource, and one that fails.
import { Agent, MCPApp } from '@mcp-agent/core';
import type { McpService } from '@mcp-agent/core/engine';

export const app = new MCPApp({ name: 'app-prompts' });

/** A stand-in for the agent's MCP servers: one server, "library", with one prompt and one resource. */
export const library = {
  serverNames: () => ['library'],
  listPrompts: async () => [{ server: 'library', name: 'cite', arguments: [{ name: 'title', required: true }] }],
  getPrompt: async (request: { name: string; arguments?: Record<string, string> }) => ({
    description: 'How to cite a book',
    messages: [{ role: 'user', content: { type: 'text', text: `Cite "${request.arguments?.['title']}" in APA style.` } }],
  }),
  listResources: async () => [{ server: 'library', uri: 'library://catalogue', name: 'catalogue', mimeType: 'application/json' }],
  readResource: async (request: { uri: string }) => ({ contents: [{ uri: request.uri, mimeType: 'application/json', text: '{"books":2}' }] }),
} as unknown as McpService;

const librarian = new Agent({ name: 'librarian', serverNames: ['library'], mcp: library });

app.prompt(
  {
    name: 'review',
    title: 'Code review',
    description: 'Asks for a review of a diff.',
    arguments: [
      { name: 'diff', description: 'The diff to review', required: true },
      { name: 'focus', description: 'What to look for' },
    ],
  },
  ({ diff, focus }) => `Review this diff${focus === undefined ? '' : `, looking for ${focus}`}:\n\n${diff}`,
);

app.prompt(
  {
    name: 'pair',
    arguments: [
      { name: 'a', required: true },
      { name: 'b', required: true },
    ],
  },
  async ({ a, b }) => [
    { role: 'user', content: `Compare ${a} with ${b}.` },
    { role: 'assistant', content: { type: 'text', text: 'Which aspects matter most?' } },
  ],
);

app.prompt({ name: 'cite', description: 'A prompt of the librarian’s MCP server', arguments: [{ name: 'title', required: true }] }, (args) => librarian.getPrompt('cite', args));

app.prompt({ name: 'broken' }, () => {
  throw new Error('the template store is down');
});

app.prompt({ name: 'bad_shape' }, () => [{ role: 'system', content: 'You are helpful.' }] as never);

app.resource({ uri: 'docs://readme', name: 'readme', title: 'Read me', description: 'What the app does', mimeType: 'text/markdown' }, () => '# App\n\nServes prompts.');

app.resource({ uri: 'images://dot', name: 'dot', mimeType: 'image/png' }, async () => ({ blob: new Uint8Array([137, 80, 78, 71]) }));

app.resource({ uri: 'library://catalogue', name: 'catalogue', description: 'A resource of the librarian’s MCP server' }, () => librarian.readResource('library://catalogue'));

app.resource({ uri: 'docs://broken', name: 'broken' }, () => {
  throw new Error('the disk is gone');
});

app.resource({ uri: 'docs://bad', name: 'bad' }, () => 42 as never);
