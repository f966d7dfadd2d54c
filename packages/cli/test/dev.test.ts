// `mcp-agent dev`: a worker for the app that restarts when a file of the app changes.
import { appendFileSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { main } from '../src/index.js';

describe('mcp-agent dev', { timeout: 120_000 }, () => {
  // Inside the package, so the app's imports resolve from its node_modules.
  const directory = mkdtempSync(path.join(import.meta.dirname, '.dev-app-'));
  const [host, port] = inject('temporalAddress').split(':');

  afterAll(() => {
    rmSync(directory, { recursive: true, force: true });
  });

  it('restarts the worker when the workflow code changes, and stops on Ctrl-C', async () => {
    mkdirSync(path.join(directory, 'src'));
    const module = path.join(directory, 'src', 'workflows.ts');
    copyFileSync(path.join(import.meta.dirname, 'app', 'src', 'workflows.ts'), module);
    const config = path.join(directory, 'mcp_agent.config.yaml');
    writeFileSync(
      config,
      ['execution_engine: temporal', 'temporal:', `  host: "${host}"`, `  port: ${port}`, `  task_queue: cli-dev-${process.pid}`, 'logger:', '  level: error', ''].join('\n'),
    );
    const stop = new AbortController();
    let stdout = '';
    let stderr = '';
    const polling = (): number => stdout.split('polling task queue').length - 1;
    const running = main(['dev', '--config', config], {
      stdout: (text) => void (stdout += text),
      stderr: (text) => void (stderr += text),
      signal: stop.signal,
      cwd: directory,
      env: { ...process.env },
    });
    await expect.poll(polling, { timeout: 60_000, interval: 250 }).toBe(1);
    expect(stdout).toContain('watching src: the worker restarts when a file there changes');
    appendFileSync(module, '\n// changed\n');
    // A change to a generated file is not the app's code.
    mkdirSync(path.join(directory, 'src', 'generated'));
    writeFileSync(path.join(directory, 'src', 'generated', 'clients.ts'), '// generated\n');
    await expect.poll(polling, { timeout: 60_000, interval: 250 }).toBe(2);
    expect(stdout).toContain('src/workflows.ts changed: restarting the worker');
    expect(stdout).not.toContain('clients.ts changed');
    expect(stdout.split('worker stopped').length - 1).toBe(1);
    stop.abort();
    expect(await running, stderr).toBe(0);
    expect(stdout.split('worker stopped').length - 1).toBe(2);
    expect(stdout).toContain('dev stopped');
  });
});
