import { describe, expect, it } from 'vitest';

import { fillUriTemplate, toolListFingerprint, type McpToolDescriptor } from './mcp-service.js';

const echo: McpToolDescriptor = { server: 'everything', name: 'echo', description: 'Echoes', inputSchema: { type: 'object', properties: { message: { type: 'string' } } } };
const sum: McpToolDescriptor = { server: 'everything', name: 'get-sum', inputSchema: { type: 'object', properties: { a: { type: 'number' }, b: { type: 'number' } } } };

describe('toolListFingerprint', () => {
  it('is the same for equal lists whatever the order of tools and keys, and after a JSON round trip', () => {
    const reordered: McpToolDescriptor = {
      inputSchema: { properties: { b: { type: 'number' }, a: { type: 'number' } }, type: 'object' },
      name: 'get-sum',
      server: 'everything',
      title: undefined,
    };
    expect(toolListFingerprint([sum, echo])).toBe(toolListFingerprint([echo, reordered]));
    expect(toolListFingerprint(JSON.parse(JSON.stringify([echo, sum])) as McpToolDescriptor[])).toBe(toolListFingerprint([echo, sum]));
  });

  it('changes when a tool is added or removed, or its description, schema or annotations change', () => {
    const base = toolListFingerprint([echo, sum]);
    const variants = [
      [echo],
      [echo, sum, { ...sum, name: 'get-product' }],
      [{ ...echo, description: 'Echoes back' }, sum],
      [echo, { ...sum, inputSchema: { type: 'object' } }],
      [echo, { ...sum, annotations: { readOnlyHint: true } }],
    ].map((tools) => toolListFingerprint(tools));
    for (const variant of variants) expect(variant).not.toBe(base);
    expect(new Set(variants).size).toBe(variants.length);
  });

  it('starts with the number of tools', () => {
    expect(toolListFingerprint([])).toMatch(/^0:[0-9a-f]+$/);
    expect(toolListFingerprint([echo, sum])).toMatch(/^2:[0-9a-f]+$/);
  });
});

describe('fillUriTemplate', () => {
  it('fills {name} expressions, percent-encoding all but unreserved characters', () => {
    expect(fillUriTemplate('demo://resource/dynamic/text/{resourceId}', { resourceId: 3 })).toBe('demo://resource/dynamic/text/3');
    expect(fillUriTemplate('file:///{dir}/{name}', { dir: 'a b', name: "it's/(1)*" })).toBe('file:///a%20b/it%27s%2F%281%29%2A');
    expect(fillUriTemplate('plain://no-variables', {})).toBe('plain://no-variables');
  });

  it('names a missing variable and what was given', () => {
    expect(() => fillUriTemplate('demo://{kind}/{id}', { kind: 'text' })).toThrow(new TypeError('URI template "demo://{kind}/{id}" needs the variable "id"; got kind'));
  });

  it('refuses expressions beyond level 1, pointing to the MCP client', () => {
    expect(() => fillUriTemplate('file:///{+path}', { path: 'a/b' })).toThrow('"{+path}" is not a level-1 expression ({name}); fill it with the MCP client\'s expandUriTemplate');
  });
});
