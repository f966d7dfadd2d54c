import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseSettings, registeredConfigSections } from '../config/index.js';
import { loadConfigSections } from './engine-loading.js';

// A folder where "@mcp-agent/providers-anthropic" is installed (the folder's own package, which
// Node's self-reference resolves), with a `./config` entry that registers the anthropic section.
const appFolder = path.join(path.dirname(fileURLToPath(import.meta.url)), '__fixtures__', 'section-owner');

describe('config sections of installed packages', () => {
  it('passes a section through until its package is loaded, then validates it', async () => {
    expect(registeredConfigSections().has('anthropic')).toBe(false);
    expect(parseSettings({ anthropic: { api_key: 5 } })['anthropic']).toEqual({ api_key: 5 });

    expect(await loadConfigSections(['anthropic', 'mcp', 'not_a_section'], appFolder)).toBe(true);
    expect(registeredConfigSections().get('anthropic')?.owner).toBe('@mcp-agent/providers-anthropic');
    expect(() => parseSettings({ anthropic: { api_key: 5 } })).toThrow('settings: anthropic.api_key: expected a string, got 5');
    // Loaded once: asking again registers nothing new.
    expect(await loadConfigSections(['anthropic'], appFolder)).toBe(false);
  });

  it('skips a section whose package is not installed', async () => {
    expect(await loadConfigSections(['temporal'], appFolder)).toBe(false);
    expect(registeredConfigSections().has('temporal')).toBe(false);
  });
});
