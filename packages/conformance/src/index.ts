export { runConformanceSuite } from './suite.js';
export type { ConformanceHarness } from './suite.js';
export { conformanceApp, CONFORMANCE_SETTINGS, probe } from './workflows.js';
