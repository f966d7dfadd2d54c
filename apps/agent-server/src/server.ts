/**
 * What `mcp-agent serve --app src/server.ts` loads: the app and its workflows and, on the
 * in-process engine without an OpenAI key, the scripted model (src/model.ts), so the served
 * support agent answers offline. On Temporal the worker makes the model calls, and starts the
 * scripted model itself. Logs go to stderr: under stdio, stdout carries the protocol.
 */
import { loadSettings } from '@mcp-agent/core/config';
import { useLocalModelUnlessConfigured } from './model.js';

export { app, RefundWorkflow, SupportAgentWorkflow } from './workflows.js';

if (loadSettings().settings.execution_engine !== 'temporal') {
  const model = await useLocalModelUnlessConfigured();
  process.stderr.write(`${model.description}\n`);
}
