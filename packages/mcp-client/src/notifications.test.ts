// Notifications and the lists they change, resource templates, subscriptions, completion and
// ping, through the connection manager against real servers: a local SDK McpServer over stdio
// whose lists change while it runs (__fixtures__/changing-server.mjs), and
// @modelcontextprotocol/server-everything over stdio and Streamable HTTP.
import { fileURLToPath } from 'node:url';

import { toolListFingerprint } from '@mcp-agent/core/engine';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { collectingLogger, rejectionOf, SERVER_EVERYTHING_ENTRY, startServerEverything } from './__fixtures__/servers.js';
import type { RunningServerEverything } from './__fixtures__/servers.js';
import { createMcpConnectionManager, expandUriTemplate } from './index.js';
import type { McpConnectionManager, McpListChange, McpResourceUpdate, McpServerConfigInput } from './index.js';

const CHANGING_SERVER = fileURLToPath(new URL('./__fixtures__/changing-server.mjs', import.meta.url));

/** Resolves once `predicate` holds, polling; fails the test after `milliseconds`. */
async function eventually(predicate: () => boolean, milliseconds = 10_000): Promise<void> {
  const deadline = Date.now() + milliseconds;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${milliseconds} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('list_changed notifications from a server whose lists change', () => {
  let manager: McpConnectionManager;
  const changes: McpListChange[] = [];

  beforeAll(() => {
    manager = createMcpConnectionManager({ servers: { changing: { command: process.execPath, args: [CHANGING_SERVER] } }, logger: collectingLogger().logger });
    manager.onListChanged((change) => changes.push(change));
  });

  afterAll(() => manager.close());

  it('counts tools/list_changed, and the next listing has the added tool', async () => {
    const before = await manager.listTools('changing');
    expect(before.map((tool) => tool.name)).toEqual(['add_tool', 'change_lists']);
    expect(before[0]).toMatchObject({ title: 'Add a tool', annotations: { readOnlyHint: false, idempotentHint: false } });
    const version = manager.listVersions('changing').tools;

    const result = await manager.callTool({ server: 'changing', tool: 'add_tool' });
    expect(result.content).toEqual([{ type: 'text', text: 'extra_1' }]);
    expect(manager.listVersions('changing').tools).toBe(version + 1);
    expect(changes).toContainEqual({ server: 'changing', list: 'tools', version: version + 1, reconnected: false });

    const after = await manager.listTools('changing');
    expect(after.map((tool) => tool.name)).toEqual(['add_tool', 'change_lists', 'extra_1']);
    // The result carries the fingerprint of the list as it is after the call, not before.
    expect(result.toolListFingerprint).toBe(toolListFingerprint(after));
    expect(result.toolListFingerprint).not.toBe(toolListFingerprint(before));
    expect(await manager.callTool({ server: 'changing', tool: 'extra_1' })).toMatchObject({ content: [{ type: 'text', text: 'extra_1 answered' }], isError: false });
  });

  it('puts the same fingerprint on results while the list stays the same', async () => {
    const tools = await manager.listTools('changing');
    const first = await manager.callTool({ server: 'changing', tool: 'extra_1' });
    const second = await manager.callTool({ server: 'changing', tool: 'extra_1' });
    expect(first.toolListFingerprint).toBe(toolListFingerprint(tools));
    expect(second.toolListFingerprint).toBe(first.toolListFingerprint);
  });

  it('counts prompts/list_changed and resources/list_changed', async () => {
    const versions = manager.listVersions('changing');
    await manager.callTool({ server: 'changing', tool: 'change_lists' });
    await eventually(() => manager.listVersions('changing').prompts > versions.prompts && manager.listVersions('changing').resources > versions.resources);
    expect((await manager.listPrompts('changing')).map((prompt) => prompt.name)).toContain('prompt_2');
    expect((await manager.listResources('changing')).map((resource) => resource.uri)).toContain('changing://resource/2');
    expect(changes.map((change) => change.list)).toEqual(expect.arrayContaining(['prompts', 'resources']));
  });

  it('refuses to subscribe to a server without resources.subscribe, naming the server and the capability', async () => {
    const error = await rejectionOf(manager.subscribeResource({ server: 'changing', uri: 'changing://fixed' }, () => undefined));
    expect(error).toMatchObject({ code: 'MCP_PROTOCOL_ERROR', server: 'changing', retryable: false });
    expect(error.message).toContain('MCP server "changing" does not declare the "resources.subscribe" capability');
  });

  it('refuses completion from a server without the completions capability', async () => {
    const error = await rejectionOf(manager.complete({ server: 'changing', ref: { type: 'ref/prompt', name: 'prompt_2' }, argument: { name: 'x', value: '' } }));
    expect(error).toMatchObject({ code: 'MCP_PROTOCOL_ERROR', server: 'changing', retryable: false });
    expect(error.message).toContain('"completions" capability');
  });

  it('counts a new session after the server died as a change of every list', async () => {
    const versions = manager.listVersions('changing');
    const processId = manager.processId('changing');
    expect(processId).toBeTypeOf('number');
    process.kill(processId as number, 'SIGKILL');
    await eventually(() => manager.processId('changing') === undefined);
    // A new process: its lists are the initial ones again.
    expect((await manager.listTools('changing')).map((tool) => tool.name)).toEqual(['add_tool', 'change_lists']);
    expect(manager.listVersions('changing')).toEqual({ tools: versions.tools + 1, prompts: versions.prompts + 1, resources: versions.resources + 1 });
    expect(changes.at(-1)).toMatchObject({ server: 'changing', reconnected: true });
  });
});

describe('expandUriTemplate', () => {
  it('fills level-1 and optional expressions, percent-encoding values', () => {
    expect(expandUriTemplate('demo://resource/dynamic/text/{resourceId}', { resourceId: '3' })).toBe('demo://resource/dynamic/text/3');
    expect(expandUriTemplate('file:///{name}', { name: 'a b/c' })).toBe('file:///a%20b%2Fc');
    expect(expandUriTemplate('search://{query}{?limit}', { query: 'x' })).toBe('search://x');
  });

  it('names the variables a template needs and the call lacks', () => {
    expect(() => expandUriTemplate('demo://{kind}/{id}', { kind: 'text' })).toThrow(new TypeError('URI template "demo://{kind}/{id}" needs "id"; got kind (it uses kind, id)'));
  });
});

describe.each([{ transport: 'stdio' as const }, { transport: 'streamable_http' as const }])(
  'server-everything over $transport: templates, subscriptions, completion, ping',
  ({ transport }) => {
    let http: RunningServerEverything | undefined;
    let manager: McpConnectionManager;
    const { logger, records } = collectingLogger();

    beforeAll(async () => {
      let config: McpServerConfigInput;
      if (transport === 'stdio') {
        config = { command: process.execPath, args: [SERVER_EVERYTHING_ENTRY, 'stdio'] };
      } else {
        http = await startServerEverything('streamableHttp');
        config = { transport, url: http.url };
      }
      manager = createMcpConnectionManager({ servers: { everything: config }, logger });
    });

    afterAll(async () => {
      await manager.close();
      await http?.close();
    });

    it('lists resource templates and reads a resource by a filled template', async () => {
      const templates = await manager.listResourceTemplates('everything');
      const text = templates.find((template) => template.name === 'Dynamic Text Resource');
      expect(text).toMatchObject({ server: 'everything', uriTemplate: 'demo://resource/dynamic/text/{resourceId}' });
      const uri = expandUriTemplate(text?.uriTemplate as string, { resourceId: '7' });
      const { contents } = await manager.readResource({ server: 'everything', uri });
      expect(contents[0]).toMatchObject({ uri: 'demo://resource/dynamic/text/7', mimeType: 'text/plain' });
      expect(contents[0]?.text).toContain('7');
    });

    it('completes a prompt argument, narrowed by the context', async () => {
      const ref = { type: 'ref/prompt' as const, name: 'completable-prompt' };
      expect(await manager.complete({ server: 'everything', ref, argument: { name: 'department', value: 'S' } })).toMatchObject({ values: ['Sales', 'Support'] });
      expect(await manager.complete({ server: 'everything', ref, argument: { name: 'name', value: '' }, context: { arguments: { department: 'Engineering' } } })).toMatchObject({
        values: ['Alice', 'Bob', 'Charlie'],
      });
    });

    it('completes a resource template variable', async () => {
      const result = await manager.complete({
        server: 'everything',
        ref: { type: 'ref/resource', uri: 'demo://resource/dynamic/text/{resourceId}' },
        argument: { name: 'resourceId', value: '1' },
      });
      expect(result.values).toEqual(['1']);
    });

    it('answers ping', async () => {
      await expect(manager.ping('everything', { timeoutMilliseconds: 5_000 })).resolves.toBeUndefined();
    });

    it('calls back on resources/updated for a subscribed resource, and stops after unsubscribe', async () => {
      const uri = 'demo://resource/dynamic/text/1';
      const updates: McpResourceUpdate[] = [];
      const subscription = await manager.subscribeResource({ server: 'everything', uri }, (update) => updates.push(update));
      // server-everything sends an update of each subscribed URI at once when its updates are turned on.
      await manager.callTool({ server: 'everything', tool: 'toggle-subscriber-updates' });
      await eventually(() => updates.length > 0);
      expect(updates[0]).toEqual({ server: 'everything', uri });
      await subscription.unsubscribe();
      // The server logs each subscribe and unsubscribe request it receives.
      await eventually(() => records.some((record) => record.message.startsWith(`Received Unsubscribe Resource request: ${uri}`)));
      expect(records.some((record) => record.message.startsWith(`Received Subscribe Resource request for URI: ${uri}`))).toBe(true);
      const seen = updates.length;
      // Turned off and on again: it would send at once to a subscriber, and there is none now.
      await manager.callTool({ server: 'everything', tool: 'toggle-subscriber-updates' });
      await manager.callTool({ server: 'everything', tool: 'toggle-subscriber-updates' });
      await manager.ping('everything');
      expect(updates.length).toBe(seen);
      await manager.callTool({ server: 'everything', tool: 'toggle-subscriber-updates' });
    });

    it.runIf(transport === 'stdio')('subscribes again after the server was restarted', async () => {
      const uri = 'demo://resource/dynamic/text/2';
      const updates: McpResourceUpdate[] = [];
      const subscription = await manager.subscribeResource({ server: 'everything', uri }, (update) => updates.push(update));
      process.kill(manager.processId('everything') as number, 'SIGKILL');
      await eventually(() => manager.processId('everything') === undefined);
      // The next call starts a new process; the subscription is sent to it without being asked again.
      await manager.ping('everything');
      await eventually(() => records.filter((record) => record.message.startsWith(`Received Subscribe Resource request for URI: ${uri}`)).length === 2);
      await manager.callTool({ server: 'everything', tool: 'toggle-subscriber-updates' });
      await eventually(() => updates.length > 0);
      expect(updates[0]).toEqual({ server: 'everything', uri });
      await subscription.unsubscribe();
    });
  },
);
