/**
 * The data the analyst reads, and the filesystem MCP server that serves it (Node only; the
 * workflow never imports this). mcp_agent.config.yaml starts the server with
 * ${ANALYST_FILESYSTEM_SERVER} ${ANALYST_DATA_FOLDER}; start.ts and worker.ts set both.
 */
import { mkdirSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** The data folder: ANALYST_DATA_FOLDER, else one under the system's temp folder (the same for the starter and the worker). */
export function dataFolder(): string {
  const given = process.env.ANALYST_DATA_FOLDER;
  return given !== undefined && given !== '' ? path.resolve(given) : path.join(tmpdir(), 'mcp-agent-durable-agent');
}

/** The entry file of @modelcontextprotocol/server-filesystem, for `node <entry> <folder>`. */
export function filesystemServerEntry(): string {
  return createRequire(import.meta.url).resolve('@modelcontextprotocol/server-filesystem/dist/index.js');
}

/** Sets the variables mcp_agent.config.yaml reads, and makes sure the folder exists. Returns the folder. */
export function prepareFilesystemServer(folder = dataFolder()): string {
  mkdirSync(folder, { recursive: true });
  process.env.ANALYST_DATA_FOLDER = folder;
  process.env.ANALYST_FILESYSTEM_SERVER = filesystemServerEntry();
  return folder;
}

/** Small data files for the analyst: quarterly revenue by region, and the sales team's notes. */
export const DATA_FILES: Readonly<Record<string, string>> = {
  'revenue.csv': ['quarter,region,revenue_eur', 'Q1,north,120000', 'Q1,south,80000', 'Q2,north,135000', 'Q2,south,82000', 'Q3,north,90000', 'Q3,south,95000', ''].join('\n'),
  'notes.md': ['# Sales notes', '', '- north: lost its largest customer, Contoso, in August.', '- south: opened a second office in Lyon in July.', ''].join('\n'),
};

/** Writes {@link DATA_FILES} into `folder`. */
export async function writeDataFiles(folder: string): Promise<void> {
  await Promise.all(Object.entries(DATA_FILES).map(([name, content]) => writeFile(path.join(folder, name), content)));
}
