// Prints the error a worker gives for workflow code that imports a Node module.
import { createTemporalWorkerForApp } from '@mcp-agent/executor-temporal';
import { shellApp } from './node-only-workflows.js';

try {
  await createTemporalWorkerForApp(shellApp, { workflowsPath: new URL('./node-only-workflows.ts', import.meta.url) });
  process.stdout.write('bundled\n');
} catch (error) {
  process.stdout.write(`${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}\n`);
} finally {
  await shellApp.cleanup();
}
