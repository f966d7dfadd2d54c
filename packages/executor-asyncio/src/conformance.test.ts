import { runConformanceSuite } from '@mcp-agent/conformance';
import { createAsyncioEngine } from './asyncio-executor.js';
import { VirtualClock } from './clock.js';

// The same suite twice: once on a virtual clock that skips time, once in real time.
const clock = new VirtualClock();
runConformanceSuite({ name: 'asyncio, virtual clock', engine: createAsyncioEngine({ clock }), timeSkipping: true, now: () => clock.now() });
runConformanceSuite({ name: 'asyncio, real clock', engine: createAsyncioEngine(), timeSkipping: false });
