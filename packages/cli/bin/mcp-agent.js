#!/usr/bin/env node
// The mcp-agent command: from the built package, or from the sources inside the monorepo.
import { existsSync } from 'node:fs';

const built = new URL('../dist/main.js', import.meta.url);
const { main } = existsSync(built) ? await import(built.href) : await import(new URL('../src/main.ts', import.meta.url).href);
process.exitCode = await main(process.argv.slice(2));
