export { runConformanceSuite } from './suite.js';
export type { ConformanceHarness } from './suite.js';
export { conformanceApp, probe } from './workflows.js';
export { CONFORMANCE_SETTINGS } from './settings.js';
