import { readFile } from 'node:fs/promises';
import { Agent } from '@mcp-agent/core';
import { describe, expect, it } from 'vitest';
import { OpenAIAugmentedLLM } from './workflow.js';

/** The module specifiers a source file imports or re-exports. */
async function importsOf(file: string): Promise<string[]> {
  const source = await readFile(new URL(file, import.meta.url), 'utf8');
  return [...source.matchAll(/^\s*(?:import|export)\b[^'"]*?\bfrom\s+['"]([^'"]+)['"]/gm)].map((match) => match[1] as string);
}

describe('the ./workflow entry', () => {
  it('imports nothing but the class and @mcp-agent/core/workflow, so it is safe for the workflow sandbox', async () => {
    expect(await importsOf('./workflow.ts')).toEqual(['./openai-augmented-llm.js']);
    expect(await importsOf('./openai-augmented-llm.ts')).toEqual(['@mcp-agent/core/workflow']);
  });

  it('exports an AugmentedLLM whose round trips are the task llm.openai.complete', () => {
    expect(new OpenAIAugmentedLLM({ agent: new Agent({ name: 'plain' }) }).provider).toBe('openai');
  });
});
