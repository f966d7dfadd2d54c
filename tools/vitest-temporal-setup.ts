// Starts one Temporal dev server for every test file of a package (unless one is given by
// MCP_AGENT_TEMPORAL_ADDRESS), on loopback, and stops it at the end. Used as vitest globalSetup.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import type { TestProject } from 'vitest/node';

/** mcp-agent's search attributes (`McpAgentWorkflow`, `McpAgentTotalTokens`), as the dev server's `--search-attribute` takes them. */
const MCP_AGENT_SEARCH_ATTRIBUTES = ['McpAgentWorkflow=Keyword', 'McpAgentTotalTokens=Int'];

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    temporalCliPath: string;
    temporalTestServerPath: string;
  }
}

/** The CLI and the test server, installed into .cache/temporal by the project's script. */
export function temporalBinaries(): { cli: string; testServer: string } {
  const output = execFileSync('bash', [path.join(ROOT, 'tools/install-temporal.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const value = (key: string): string => {
    const line = output.split('\n').find((entry) => entry.startsWith(`${key}=`));
    if (line === undefined) throw new Error(`tools/install-temporal.sh printed no ${key}`);
    return line.slice(key.length + 1);
  };
  return { cli: value('TEMPORAL_CLI_PATH'), testServer: value('TEMPORAL_TEST_SERVER_PATH') };
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const { cli, testServer } = temporalBinaries();
  project.provide('temporalCliPath', cli);
  project.provide('temporalTestServerPath', testServer);
  const given = process.env.MCP_AGENT_TEMPORAL_ADDRESS;
  if (given !== undefined && given !== '') {
    project.provide('temporalAddress', given);
    return async () => undefined;
  }
  // The dev server, handed to the SDK's test environment as an existing executable (it can't download one here),
  // with the search attributes runs set when temporal.search_attributes is on.
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const environment = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: cli },
      ip: '127.0.0.1',
      ui: false,
      log: { format: 'pretty', level: 'error' },
      extraArgs: MCP_AGENT_SEARCH_ATTRIBUTES.flatMap((attribute) => ['--search-attribute', attribute]),
    },
  });
  project.provide('temporalAddress', environment.address);
  return async () => {
    await environment.teardown();
  };
}
