/**
 * `mcp-agent codegen`: the codegen of @mcp-agent/codegen (typed clients, schemas, the prebuilt bundle).
 */
import type { Command } from '../main.js';

export const codegenCommand: Command = {
  words: ['codegen'],
  summary: 'generate typed clients, input schemas and the prebuilt workflow bundle (src/generated/)',
  usage: `usage: mcp-agent codegen [--check] [--no-bundle] [--root <app folder>] [--out <folder>] [<file or folder>...]

The same as mcp-agent-codegen (@mcp-agent/codegen): see \`mcp-agent codegen --help\` there, or docs/codegen.md.`,
  // Its own parser checks the arguments.
  options: {},
  positionals: { min: 0, max: Number.POSITIVE_INFINITY },
  passThrough: true,
  async run({ positionals }, io) {
    const { main } = await import('@mcp-agent/codegen');
    const argv = positionals.includes('--root') || positionals.includes('--help') || positionals.includes('-h') ? positionals : ['--root', io.cwd, ...positionals];
    return main(argv, io.stdout, io.stderr);
  },
};
