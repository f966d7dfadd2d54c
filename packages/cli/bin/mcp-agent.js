#!/usr/bin/env node
// The mcp-agent command: the built package, or inside the monorepo (run under the
// mcp-agent-source condition, or before a build) its sources.
import { existsSync } from 'node:fs';

const fromSource = `${process.execArgv.join(' ')} ${process.env.NODE_OPTIONS ?? ''}`.includes('mcp-agent-source');
const built = new URL('../dist/main.js', import.meta.url);
const { main } = existsSync(built) && !fromSource ? await import(built.href) : await import(new URL('../src/main.ts', import.meta.url).href);
process.exitCode = await main(process.argv.slice(2));
