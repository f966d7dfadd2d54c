/**
 * The files the grader's agents work on (a student's short story and the class style guide), the
 * filesystem MCP server that serves them, and the grading task. Node only; the workflows never
 * import this. mcp_agent.config.yaml starts the server with ${EXAMPLES_FILESYSTEM_SERVER}
 * ${EXAMPLES_DATA_FOLDER}; start.ts and worker.ts set both.
 */
import { mkdirSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** The data folder: EXAMPLES_DATA_FOLDER, else one under the system's temp folder (the same for the starter and the worker). */
export function dataFolder(): string {
  const given = process.env.EXAMPLES_DATA_FOLDER;
  return given !== undefined && given !== '' ? path.resolve(given) : path.join(tmpdir(), 'mcp-agent-deep-orchestrator');
}

/** The entry file of @modelcontextprotocol/server-filesystem, for `node <entry> <folder>`. */
export function filesystemServerEntry(): string {
  return createRequire(import.meta.url).resolve('@modelcontextprotocol/server-filesystem/dist/index.js');
}

/**
 * Sets the variables mcp_agent.config.yaml reads, makes the folder, writes the story and the style
 * guide into it and removes the report of an earlier run. Returns the folder.
 */
export async function prepareData(folder = dataFolder()): Promise<string> {
  mkdirSync(folder, { recursive: true });
  process.env.EXAMPLES_DATA_FOLDER = folder;
  process.env.EXAMPLES_FILESYSTEM_SERVER = filesystemServerEntry();
  await writeFile(path.join(folder, 'short_story.md'), SHORT_STORY);
  await writeFile(path.join(folder, 'style_guide.md'), STYLE_GUIDE);
  await rm(path.join(folder, 'graded_report.md'), { force: true });
  return folder;
}

/** The grading task, naming the files in `folder`. */
export function gradingTask(folder: string): string {
  return [
    `Analyse the student's short story in ${path.join(folder, 'short_story.md')} and write a complete grading report.`,
    '',
    'The report should include:',
    '1. A grammar and spelling check with specific corrections',
    `2. A style review against the class style guide in ${path.join(folder, 'style_guide.md')}`,
    '3. An assessment of the story structure and narrative flow',
    '4. A check of factual consistency and logical coherence',
    '5. An overall grade with its justification',
    '',
    `Save the complete grading report to ${path.join(folder, 'graded_report.md')}.`,
    '',
    'Work systematically: first read the story, then review each aspect, then bring the findings together in the report.',
  ].join('\n');
}

/** A student's short story, with mistakes for the reviewers to find. */
export const SHORT_STORY = [
  '# The Lantern of Glimmerwood',
  '',
  'In the heart of Glimmerwood, a forest knowed for its glowing trees, a small village lived quietly.',
  'The villagers shared there home with the Glimmerfoxes, whose fur shimmered like moonlight.',
  '',
  'One autumn evening the Dark Marauders attack the village, lead by the cunning Captain Thorn.',
  'They wanted the Glimmerstones, which was said to grant eternal life.',
  '',
  'A young girl named Elara rallied the villagers, she remembered an old trap deep in the forest.',
  'The Glimmerfoxes blinded the bandits with their light, and the villagers captured them.',
  '',
  'Elara was hailed as the Guardian of Glimmerwood. But the stones true power was never confirm,',
  'and some villagers whispered that Thorn had a secret ally among them.',
  '',
].join('\n');

/** The class style guide the style checker reviews against (where the Python example fetches the APA guide). */
export const STYLE_GUIDE = [
  '# Class style guide for short stories',
  '',
  '1. Tell the story in the past tense, and keep to it.',
  '2. One main clause per sentence: no comma splices.',
  '3. Mark possessives with an apostrophe.',
  '4. Introduce every character and plot element before it matters.',
  '5. End with a resolution the reader can follow.',
  '',
].join('\n');
