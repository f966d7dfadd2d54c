// An app finds this package as it finds the native providers: installed next to the app, its
// providers load without being passed, and its config sections are validated.
import { mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { registeredConfigSections } from '@mcp-agent/core/config';
import { loadConfigSections, loadInstalledEmbeddingProviders, loadInstalledLlmProviders } from '@mcp-agent/core/engine';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const PACKAGE_DIRECTORY = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

describe('an app with @mcp-agent/providers-ai-sdk installed', () => {
  let appDirectory: string;

  beforeAll(async () => {
    appDirectory = await mkdtemp(path.join(tmpdir(), 'ai-sdk-app-'));
    await mkdir(path.join(appDirectory, 'node_modules', '@mcp-agent'), { recursive: true });
    await symlink(PACKAGE_DIRECTORY, path.join(appDirectory, 'node_modules', '@mcp-agent', 'providers-ai-sdk'), 'dir');
  });

  afterAll(async () => {
    await rm(appDirectory, { recursive: true, force: true });
  });

  // First, while nothing in this file has imported the package.
  it("registers the google and bedrock sections from the package's ./config entry", async () => {
    expect(registeredConfigSections().has('google')).toBe(false);
    await loadConfigSections(['google', 'bedrock'], appDirectory);
    expect(registeredConfigSections().get('google')?.owner).toBe('@mcp-agent/providers-ai-sdk');
    expect(registeredConfigSections().get('bedrock')?.owner).toBe('@mcp-agent/providers-ai-sdk');
  });

  it('loads the google, bedrock and azure providers, for model round trips and embeddings', async () => {
    expect((await loadInstalledLlmProviders(appDirectory)).map((provider) => provider.name)).toEqual(['google', 'bedrock', 'azure']);
    expect((await loadInstalledEmbeddingProviders(appDirectory)).map((provider) => provider.name)).toEqual(['google', 'bedrock', 'azure']);
  });
});
