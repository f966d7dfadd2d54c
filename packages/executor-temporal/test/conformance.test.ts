import { runConformanceSuite } from '@mcp-agent/conformance';
import { inject } from 'vitest';
import { createTemporalEngine } from '../src/index.js';

// The very suite the in-process engine passes, on a real Temporal dev server, with a worker in
// this process (the suite's tasks record what they did in this process's memory).
const address = inject('temporalAddress');

runConformanceSuite({
  name: 'temporal dev server',
  engine: createTemporalEngine({
    address,
    worker: { workflowsPath: new URL('../../conformance/src/workflows.ts', import.meta.url), taskQueue: `conformance-${process.pid}` },
  }),
  timeSkipping: false,
});
