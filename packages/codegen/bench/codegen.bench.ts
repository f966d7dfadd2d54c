/**
 * Codegen figures: whole CLI runs on an app of 50 workflows (cold, warm with nothing changed, and
 * with the workflow file changed), the time to generate it in-process, and a worker's start-up with
 * the prebuilt bundle against bundling at start, on a Temporal dev server, in the same run.
 * Run: pnpm bench (or npx tsx --conditions=mcp-agent-source bench/codegen.bench.ts).
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createLogger, type MCPApp } from '@mcp-agent/core';
import { parseSettings } from '@mcp-agent/core/config';
import { createTemporalWorker } from '@mcp-agent/executor-temporal';
import { cacheFile, resolveOptions } from '../src/cache.js';
import { buildPrebuiltBundle, runCodegen } from '../src/index.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '../../..');
const APP = path.join(HERE, '.app-50');
const WORKFLOWS = 50;
/** A warm run (nothing changed) should take less than this, process start included. */
const WARM_TARGET_MS = 2000;

function workflowSource(index: number): string {
  return `
export interface Order${index} { id: string; lines: Array<{ sku: string; quantity: number }>; rush?: boolean }

export const price${index} = app.workflowTask(async (sku: string): Promise<number> => sku.length * ${index + 1}, { name: 'orders${index}.price' });

@app.workflow
export class Order${index}Workflow extends Workflow<{ total: number; approved: boolean }> {
  private approved = false;
  private note = '';

  @app.workflowSignal
  approve(note: string): void {
    this.approved = true;
    this.note = note;
  }

  @app.workflowQuery
  status(): { approved: boolean; note: string } {
    return { approved: this.approved, note: this.note };
  }

  @app.workflowUpdate
  async annotate(note: string): Promise<string> {
    const previous = this.note;
    this.note = note;
    return previous;
  }

  @app.workflowTask({ name: 'orders${index}.reserve' })
  async reserve(id: string): Promise<boolean> {
    return id.length > 0;
  }

  @app.workflowRun
  async run(order: Order${index}): Promise<WorkflowResult<{ total: number; approved: boolean }>> {
    let total = 0;
    for (const line of order.lines) total += (await price${index}(line.sku)) * line.quantity;
    await this.reserve(order.id);
    await this.condition(() => this.approved);
    return new WorkflowResult({ value: { total, approved: this.approved } });
  }
}
`;
}

function writeApp(): string {
  rmSync(APP, { recursive: true, force: true });
  mkdirSync(path.join(APP, 'src'), { recursive: true });
  const file = path.join(APP, 'src', 'workflows.ts');
  writeFileSync(
    file,
    `// ${WORKFLOWS} workflows for the codegen benchmark.\nimport { MCPApp, Workflow, WorkflowResult } from '@mcp-agent/core';\n\nexport const app = new MCPApp({ name: 'bench-50' });\n${Array.from({ length: WORKFLOWS }, (_, index) => workflowSource(index)).join('')}`,
  );
  return file;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number): Promise<void> {
  for (let attempt = 0; attempt < 300; attempt += 1) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the Temporal dev server did not listen on 127.0.0.1:${port}`);
}

/** Runs the codegen CLI on the app in a fresh process (with the bundle); returns its time in milliseconds. */
function cliRun(): number {
  const started = performance.now();
  execFileSync(process.execPath, [...process.execArgv, path.join(HERE, 'codegen-cli.ts'), '--root', APP], { stdio: ['ignore', 'ignore', 'inherit'] });
  return performance.now() - started;
}

const file = writeApp();
const tsconfig = path.join(HERE, '..', 'tsconfig.json');
process.stdout.write(`codegen for an app of ${WORKFLOWS} workflows (each with a signal, a query, an update, two tasks)\n`);

// Whole CLI runs, as `pnpm codegen` makes them: cold (no cache, no generated files), warm (nothing
// changed: the cache answers before ts-morph loads), and with the one workflow file changed.
rmSync(cacheFile(resolveOptions({ root: APP })), { force: true });
const cold = cliRun();
const warm = [cliRun(), cliRun(), cliRun()];
writeFileSync(file, readFileSync(file, 'utf8').replace('sku.length * 1,', 'sku.length * 2,'));
const changed = cliRun();
process.stdout.write(`  cli, cold (no cache, no generated files, with the bundle): ${Math.round(cold)} ms\n`);
process.stdout.write(
  `  cli, warm (nothing changed): ${warm.map((ms) => Math.round(ms)).join(', ')} ms (median ${Math.round(median(warm))} ms; target under ${WARM_TARGET_MS} ms: ${median(warm) < WARM_TARGET_MS ? 'met' : 'missed'})\n`,
);
process.stdout.write(`  cli, the workflow file changed (regenerated and rebundled): ${Math.round(changed)} ms\n`);
const runs: number[] = [];
let result = runCodegen({ root: APP, tsconfig });
for (let run = 0; run < 3; run += 1) {
  const started = performance.now();
  result = runCodegen({ root: APP, tsconfig });
  runs.push(performance.now() - started);
}
process.stdout.write(
  `  generate (model, diagnostics, clients, schemas, sandbox copy): ${runs.map((ms) => `${Math.round(ms)}`).join(', ')} ms (median ${Math.round(median(runs))} ms); ${result.model.workflows.length} workflows, ${result.diagnostics.length} diagnostics, ${result.files.size} files\n`,
);
const bundle = await buildPrebuiltBundle(result);
process.stdout.write(`  prebuilt bundle: ${Math.round(bundle?.milliseconds ?? 0)} ms\n`);

// Worker start-up on a dev server: the prebuilt bundle, then bundling at start, alternating.
const cliLine = execFileSync('bash', [path.join(ROOT, 'tools/install-temporal.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
  .split('\n')
  .find((line) => line.startsWith('TEMPORAL_CLI_PATH='));
const port = await freePort();
const server = spawn((cliLine ?? '').slice('TEMPORAL_CLI_PATH='.length), ['server', 'start-dev', '--headless', '--ip', '127.0.0.1', '--port', String(port), '--log-level', 'error'], {
  stdio: 'ignore',
});
try {
  await waitForPort(port);
  const { app } = (await import(pathToFileURL(file).href)) as { app: MCPApp };
  const settings = parseSettings({ temporal: { host: '127.0.0.1', port, task_queue: 'bench-codegen' } }, 'bench');
  const parts = { registry: app.registry, settings, logger: createLogger({ transports: ['none'] }) };
  const prebuilt: number[] = [];
  const atStart: number[] = [];
  const generatedDir = path.join(APP, 'src', 'generated');
  for (let round = 0; round < 3; round += 1) {
    for (const mode of ['prebuilt', 'at start'] as const) {
      // With the manifest in place the worker loads the prebuilt bundle; with it moved aside, it bundles.
      const manifest = path.join(generatedDir, 'workflow-bundle.json');
      if (mode === 'at start') renameSync(manifest, `${manifest}.aside`);
      try {
        const started = performance.now();
        const worker = await createTemporalWorker(parts, { workflowsPath: file });
        (mode === 'prebuilt' ? prebuilt : atStart).push(performance.now() - started);
        await worker.runUntil(Promise.resolve());
      } finally {
        if (mode === 'at start') renameSync(`${manifest}.aside`, manifest);
      }
    }
  }
  process.stdout.write(`worker start-up (createTemporalWorker, ${WORKFLOWS} workflows), 3 each, alternating\n`);
  process.stdout.write(`  with the prebuilt bundle: ${prebuilt.map((ms) => Math.round(ms)).join(', ')} ms (median ${Math.round(median(prebuilt))} ms)\n`);
  process.stdout.write(`  bundling at start:        ${atStart.map((ms) => Math.round(ms)).join(', ')} ms (median ${Math.round(median(atStart))} ms)\n`);
  process.stdout.write(`  ratio bundling/prebuilt:  ${(median(atStart) / median(prebuilt)).toFixed(2)}\n`);
} finally {
  server.kill('SIGTERM');
  rmSync(APP, { recursive: true, force: true });
}
