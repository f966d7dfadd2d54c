#!/usr/bin/env node
// The mcp-agent command: the built package, or inside the monorepo (run under the
// mcp-agent-source condition, or before a build) its sources.
import { existsSync } from 'node:fs';

const fromSource = `${process.execArgv.join(' ')} ${process.env.NODE_OPTIONS ?? ''}`.includes('mcp-agent-source');
const built = new URL('../dist/main.js', import.meta.url);
const { main } = existsSync(built) && !fromSource ? await import(built.href) : await import(new URL('../src/main.ts', import.meta.url).href);
const code = await main(process.argv.slice(2));
// Every command has said its last word: exit now, even when a library left a handle open (the
// Temporal runtime a replay or a worker installs keeps the process alive and ignores SIGTERM).
// The flushes first, so no output written to a pipe is cut off.
await new Promise((resolve) => process.stdout.write('', resolve));
await new Promise((resolve) => process.stderr.write('', resolve));
process.exit(code);
