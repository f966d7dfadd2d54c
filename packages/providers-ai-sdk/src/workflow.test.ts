import { readFile } from 'node:fs/promises';
import { Agent } from '@mcp-agent/core';
import { describe, expect, it } from 'vitest';
import { aiSdkLlm, AzureAugmentedLLM, BedrockAugmentedLLM, GoogleAugmentedLLM } from './workflow.js';

/** The module specifiers a source file imports or re-exports. */
async function importsOf(file: string): Promise<string[]> {
  const source = await readFile(new URL(file, import.meta.url), 'utf8');
  return [...source.matchAll(/^\s*(?:import|export)\b[^'"]*?\bfrom\s+['"]([^'"]+)['"]/gm)].map((match) => match[1] as string);
}

describe('the ./workflow entry', () => {
  it('imports nothing but the classes and @mcp-agent/core/workflow, so it is safe for the workflow sandbox', async () => {
    expect(new Set(await importsOf('./workflow.ts'))).toEqual(new Set(['./ai-sdk-augmented-llm.js']));
    expect(await importsOf('./ai-sdk-augmented-llm.ts')).toEqual(['@mcp-agent/core/workflow']);
  });

  it('exports AugmentedLLM classes whose round trips are the tasks llm.google/bedrock/azure.complete', () => {
    const agent = new Agent({ name: 'plain' });
    expect([GoogleAugmentedLLM, BedrockAugmentedLLM, AzureAugmentedLLM].map((llmClass) => new llmClass({ agent }).provider)).toEqual(['google', 'bedrock', 'azure']);
  });

  it('gives one class per provider name from aiSdkLlm', () => {
    const Mistral = aiSdkLlm('mistral');
    expect(aiSdkLlm('mistral')).toBe(Mistral);
    expect(Mistral.provider).toBe('mistral');
    expect(new Mistral({ agent: new Agent({ name: 'plain' }) }).provider).toBe('mistral');
    expect(aiSdkLlm('ollama')).not.toBe(Mistral);
  });
});
