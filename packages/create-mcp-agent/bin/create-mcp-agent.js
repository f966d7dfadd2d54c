#!/usr/bin/env node
// `npm create mcp-agent@latest my-app`: from the built package, or from the sources inside the monorepo.
import { existsSync } from 'node:fs';

const built = new URL('../dist/cli.js', import.meta.url);
const { main } = existsSync(built) ? await import(built.href) : await import(new URL('../src/cli.ts', import.meta.url).href);
process.exitCode = await main(process.argv.slice(2));
