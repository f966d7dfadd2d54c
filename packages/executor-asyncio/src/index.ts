export { AsyncioExecutor, createAsyncioEngine, executionEngine } from './asyncio-executor.js';
export type { AsyncioEngineOptions } from './asyncio-executor.js';
export { RealClock, VirtualClock } from './clock.js';
export type { Clock, ClockTimer } from './clock.js';
