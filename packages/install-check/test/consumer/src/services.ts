// What an installed project gets of the app's services, config sections and typed handles:
// a section another package owns (temporal) validated from that package's installed ./config
// entry; the MCP service made by the installed @mcp-agent/mcp-client; a handle typed by its class.
import { fileURLToPath } from 'node:url';
import { MCPApp, runMain } from '@mcp-agent/core';
import { registeredConfigSections } from '@mcp-agent/core/config';
import { app, ReviewWorkflow } from './workflows.js';

await runMain(async () => {
  const strict = new MCPApp({ name: 'strict', settings: { temporal: { port: 'abc' } } });
  const refusal = await strict.initialize().then(
    () => 'started',
    (error: unknown) => (error instanceof Error ? error.message : String(error)),
  );
  process.stdout.write(`config: ${refusal}\n`);
  process.stdout.write(`sections: ${[...registeredConfigSections().keys()].sort().join(', ')}\n`);

  // A server that is configured but never called: its name shows which MCP service was made.
  app.configure({ settings: { mcp: { servers: { probe: { command: process.execPath, args: ['-e', ''] } } } } });
  await app.run(async ({ executor, services }) => {
    process.stdout.write(`mcp servers: ${services.mcp.serverNames().join(', ')}\n`);
    const handle = await executor.startWorkflow(ReviewWorkflow, fileURLToPath(import.meta.url));
    await handle.signal('review', 'Ada');
    // @ts-expect-error: the class has no handler "reveiw"; the compiler refuses the typo.
    const typo = () => handle.signal('reveiw', 'Ada');
    void typo;
    const result = await handle.result();
    process.stdout.write(`typed: ${JSON.stringify(result.value)}\n`);
  });
});
