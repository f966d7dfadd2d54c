// Workflow bundles made in a child process: the worker's own process never loads webpack, the code
// is the in-process bundler's, and errors, cancellation and mismatched options are reported.
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLogger, WorkflowUsageError } from '@mcp-agent/core';
import { parseSettings } from '@mcp-agent/core/config';
import { describe, expect, it } from 'vitest';
import { prepareWorkflowBundle } from '../src/prepare.js';
import { bundleWorkflowsInChild } from '../src/worker/bundle-process.js';
import { WorkflowBundleError } from '../src/worker/bundle-error.js';
import { tlsApp } from './fixtures/tls-workflows.js';

const workflowsPath = new URL('./fixtures/tls-workflows.ts', import.meta.url);
const workflowsPaths = [fileURLToPath(workflowsPath)];
const BUNDLE_CONFIG_PLACEHOLDER = '__MCP_AGENT_BUNDLE_CONFIG__';

/** The modules of webpack this process has loaded (it is loaded through `require`). */
function webpackLoadedHere(): string[] {
  return Object.keys(createRequire(import.meta.url).cache).filter((file) => /[\\/]node_modules[\\/]webpack[\\/]lib[\\/]/.test(file));
}

/** A bundle's code without what differs from one bundling to the next: its temporary folder and the source map naming it. */
function comparable(code: string): string {
  return code.replace(/mcp-agent-bundle-[A-Za-z0-9]+/g, 'mcp-agent-bundle-X').replace(/\/\/# sourceMappingURL=.*$/m, '');
}

/** The debug lines a logger was given, for checking what the worker decided. */
function recordingLogger(): { logger: ReturnType<typeof createLogger>; lines: string[] } {
  const lines: string[] = [];
  const logger = createLogger({ transports: ['none'] });
  const record = (message: string): void => void lines.push(message);
  const recording = { ...logger, debug: record, info: record, warn: record, error: record, child: () => recording };
  return { logger: recording, lines };
}

describe('workflow bundles made in a child process', () => {
  // First in this file: nothing before it has bundled in this process.
  it('prepareWorkflowBundle bundles without loading webpack into this process, with the placeholder a worker fills in', async () => {
    const prepared = prepareWorkflowBundle({ workflowsPath });
    expect(await prepared.prebuilt()).toBeUndefined();
    const code = await prepared.code();
    expect(code).toContain(BUNDLE_CONFIG_PLACEHOLDER);
    expect(code).toContain('GreetWorkflow');
    expect(webpackLoadedHere()).toEqual([]);
  });

  it('gives the code the in-process bundler gives', async () => {
    const fromChild = await bundleWorkflowsInChild({ workflowsPaths, tracing: false }).code;
    const { bundleWorkflows } = await import('../src/worker/bundle.js');
    const here = await bundleWorkflows({ workflowsPaths, tracing: false, logger: createLogger({ transports: ['none'] }) });
    expect(webpackLoadedHere().length).toBeGreaterThan(0);
    expect(comparable(fromChild)).toBe(comparable(here.code));
  });

  it('carries OpenTelemetry in the bundle only when tracing is on', async () => {
    const [off, on] = await Promise.all([bundleWorkflowsInChild({ workflowsPaths, tracing: false }).code, bundleWorkflowsInChild({ workflowsPaths, tracing: true }).code]);
    expect(off).not.toContain('@opentelemetry');
    expect(on).toContain('@opentelemetry');
  });

  it('reports workflow code that reaches a Node module with the import chain, as bundling in-process does', async () => {
    const error = await bundleWorkflowsInChild({ workflowsPaths: [fileURLToPath(new URL('./fixtures/node-only-workflows.ts', import.meta.url))] }).code.catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(WorkflowBundleError);
    expect((error as Error).message).toMatch(/node-only-workflows\.ts -> .*node-only-helper\.ts -> node:fs/);
  });

  it('reports a missing workflow module by its path', async () => {
    const missing = fileURLToPath(new URL('./fixtures/no-such-workflows.ts', import.meta.url));
    const error = await bundleWorkflowsInChild({ workflowsPaths: [missing] }).code.catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(WorkflowBundleError);
    expect((error as Error).message).toContain('no-such-workflows');
  });

  it('stops the child when cancelled, the code rejecting with the reason', async () => {
    const bundling = bundleWorkflowsInChild({ workflowsPaths });
    bundling.cancel();
    const error = await bundling.code.catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(WorkflowBundleError);
    expect((error as Error).message).toBe('the workflow bundle was cancelled before it was made');
  });

  it('a worker given a prepared bundle embeds its config, and bundles again when the bundle was made for other tracing', async () => {
    const { resolveBundle } = await import('../src/worker/worker.js');
    const { logger, lines } = recordingLogger();
    const tracingOff = parseSettings({ execution_engine: 'temporal' }, 'bundle test');
    const same = await resolveBundle(
      { registry: tlsApp.registry, settings: tracingOff, logger },
      { workflowsPath, workflowBundle: prepareWorkflowBundle({ workflowsPath, settings: tracingOff }) },
      [],
    );
    expect(same.code).not.toContain(BUNDLE_CONFIG_PLACEHOLDER);
    expect(same.code).not.toContain('@opentelemetry');
    expect(lines.filter((line) => line.includes('bundling again'))).toEqual([]);

    const tracingOn = parseSettings({ execution_engine: 'temporal', otel: { enabled: true } }, 'bundle test');
    const again = await resolveBundle(
      { registry: tlsApp.registry, settings: tracingOn, logger },
      { workflowsPath, workflowBundle: prepareWorkflowBundle({ workflowsPath, settings: tracingOff }) },
      [],
    );
    expect(lines).toContain('the prepared workflow bundle was made for other tracing or ignoreModules settings; bundling again');
    expect(again.code).toContain('@opentelemetry');
  });

  it('a prepared bundle takes the current codegen bundle of the modules, and the worker loads it with its config', async () => {
    const directory = mkdtempSync(path.join(tmpdir(), 'mcp-agent-prepared-'));
    try {
      mkdirSync(path.join(directory, 'generated'));
      const code = `// a prebuilt bundle\nconst config = ${JSON.stringify(BUNDLE_CONFIG_PLACEHOLDER)};\n`;
      writeFileSync(path.join(directory, 'generated', 'workflow-bundle.0123456789abcdef.js'), code);
      const manifest = {
        bundle: 'workflow-bundle.0123456789abcdef.js',
        sha256: createHash('sha256').update(code).digest('hex'),
        sources: {},
        packages: {},
        workflowFiles: ['../workflows.ts'],
        activities: [],
      };
      writeFileSync(path.join(directory, 'generated', 'workflow-bundle.json'), JSON.stringify(manifest));
      const modules = path.join(directory, 'workflows.ts');
      const prepared = prepareWorkflowBundle({ workflowsPath: modules });
      expect(await prepared.prebuilt()).toEqual({ codePath: path.join(directory, 'generated', 'workflow-bundle.0123456789abcdef.js'), activities: [] });
      const { resolveBundle } = await import('../src/worker/worker.js');
      const resolved = await resolveBundle(
        { registry: tlsApp.registry, settings: parseSettings({}, 'bundle test'), logger: createLogger({ transports: ['none'] }) },
        { workflowsPath: modules, workflowBundle: prepared },
        [],
      );
      expect(resolved.code).toMatch(/^\/\/ a prebuilt bundle\nconst config = "\{.*\}";\n$/);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });

  it('refuses a prepared bundle of other workflow modules, naming both', async () => {
    const { resolveBundle } = await import('../src/worker/worker.js');
    const prepared = prepareWorkflowBundle({ workflowsPath });
    const other = fileURLToPath(new URL('./fixtures/proof-workflows.ts', import.meta.url));
    const error = await resolveBundle(
      { registry: tlsApp.registry, settings: parseSettings({}, 'bundle test'), logger: createLogger({ transports: ['none'] }) },
      { workflowsPath: other, workflowBundle: prepared },
      [],
    ).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(WorkflowUsageError);
    expect((error as Error).message).toContain('tls-workflows.ts');
    expect((error as Error).message).toContain('proof-workflows.ts');
    // The refused bundle's child was stopped.
    await expect(prepared.code()).rejects.toThrow('cancelled');
  });
});
