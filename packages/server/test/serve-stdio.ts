// Serves the test app over stdio on the in-process engine (the app's defaults: no config file),
// for the stdio transport test: `node --import tsx test/serve-stdio.ts`.
import { createMcpServerForApp, serveApp } from '../src/index.js';
import { app, INPUT_SCHEMAS } from './served-workflows.js';

await serveApp(createMcpServerForApp(app, { inputSchemas: INPUT_SCHEMAS }), { transport: 'stdio' });
