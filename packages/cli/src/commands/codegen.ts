/**
 * `mcp-agent codegen`: the codegen of @mcp-agent/codegen (typed clients, schemas, the prebuilt bundle).
 */
import type { CommandRun } from '../command.js';

export const codegen: CommandRun = async ({ positionals }, io) => {
  const { main } = await import('@mcp-agent/codegen');
  const argv = positionals.includes('--root') || positionals.includes('--help') || positionals.includes('-h') ? positionals : ['--root', io.cwd, ...positionals];
  return main(argv, io.stdout, io.stderr);
};
