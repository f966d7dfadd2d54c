/**
 * The files the examples' agents work on (a student's short story), and the filesystem MCP server
 * that serves them. Node only; the workflows never import this. mcp_agent.config.yaml starts the
 * server with ${EXAMPLES_FILESYSTEM_SERVER} ${EXAMPLES_DATA_FOLDER}; start.ts and worker.ts set both.
 */
import { mkdirSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** The data folder: EXAMPLES_DATA_FOLDER, else one under the system's temp folder (the same for the starter and the worker). */
export function dataFolder(): string {
  const given = process.env.EXAMPLES_DATA_FOLDER;
  return given !== undefined && given !== '' ? path.resolve(given) : path.join(tmpdir(), 'mcp-agent-temporal-examples');
}

/** The entry file of @modelcontextprotocol/server-filesystem, for `node <entry> <folder>`. */
export function filesystemServerEntry(): string {
  return createRequire(import.meta.url).resolve('@modelcontextprotocol/server-filesystem/dist/index.js');
}

/** Sets the variables mcp_agent.config.yaml reads, makes the folder and writes the story into it. Returns the folder. */
export async function prepareData(folder = dataFolder()): Promise<string> {
  mkdirSync(folder, { recursive: true });
  process.env.EXAMPLES_DATA_FOLDER = folder;
  process.env.EXAMPLES_FILESYSTEM_SERVER = filesystemServerEntry();
  await writeFile(path.join(folder, 'short_story.md'), SHORT_STORY);
  return folder;
}

/** A student's short story, with mistakes for the reviewers to find. */
export const SHORT_STORY = [
  '# The Battle of Glimmerwood',
  '',
  'In the heart of Glimmerwood, a mystical forest knowed for its radiant trees, a small village thrived.',
  'The villagers, who were known for their kindness, lived peacefully alongside the forest creatures.',
  'One night, a shadowy army of Shadowhounds invaded the village, they where fearsome beasts.',
  'Lira, a young girl with a secret gift, discovered she could control the forest light.',
  'She led the villagers to victory, and the forest glowed brighter then ever before.',
  '',
].join('\n');
