// The codegen CLI from the sources, so the benchmark times whole runs in a fresh process (as `pnpm codegen` does).
import { main } from '../src/cli.js';

process.exitCode = await main(process.argv.slice(2));
