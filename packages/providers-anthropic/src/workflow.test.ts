// The `./workflow` entry must load in Temporal's workflow sandbox: no Node built-ins, no SDK.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Agent } from '@mcp-agent/core/workflow';
import { llmTaskName } from '@mcp-agent/core/engine/workflow';
import { describe, expect, it } from 'vitest';
import * as workflowEntry from './workflow.js';

const sourceDirectory = path.dirname(fileURLToPath(import.meta.url));

/** The package specifiers that a module and its relative imports import, followed through the files. */
function packageImports(file: string, seen = new Set<string>()): Set<string> {
  const packages = new Set<string>();
  if (seen.has(file)) return packages;
  seen.add(file);
  const source = readFileSync(file, 'utf8');
  for (const match of source.matchAll(/^\s*(?:import|export)\s[^'"]*?from\s+'([^']+)'/gm)) {
    const specifier = match[1] as string;
    if (specifier.startsWith('.')) {
      for (const nested of packageImports(path.resolve(path.dirname(file), specifier.replace(/\.js$/, '.ts')), seen)) packages.add(nested);
    } else packages.add(specifier);
  }
  return packages;
}

describe('the workflow entry', () => {
  it('imports nothing but @mcp-agent/core/workflow', () => {
    expect([...packageImports(path.join(sourceDirectory, 'workflow.ts'))]).toEqual(['@mcp-agent/core/workflow']);
  });

  it('exports only AnthropicAugmentedLLM, whose round trips are the task llm.anthropic.complete', () => {
    expect(Object.keys(workflowEntry)).toEqual(['AnthropicAugmentedLLM']);
    const llm = new workflowEntry.AnthropicAugmentedLLM({ agent: new Agent({ name: 'sandboxed' }) });
    expect(llmTaskName(llm.provider)).toBe('llm.anthropic.complete');
  });
});
