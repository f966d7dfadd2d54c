/**
 * Throughput of the in-process engine: 10,000 workflows of 10 sequential tasks each, against the
 * same async functions called directly. Prints tasks per second and the engine's overhead per task.
 *
 * Run: pnpm bench (from the repository root) or pnpm --filter @mcp-agent/executor-asyncio bench.
 */
import { createLogger, MCPApp, Workflow, WorkflowResult } from '@mcp-agent/core';
import { createAsyncioEngine } from '../src/index.js';

const WORKFLOWS = 10_000;
const TASKS_PER_WORKFLOW = 10;

const app = new MCPApp({
  name: 'bench',
  settings: { execution_engine: 'asyncio' },
  engines: { asyncio: createAsyncioEngine({ retainClosedExecutions: 1_000 }) },
  logger: createLogger({ transports: ['none'] }),
});

async function addOne(value: number): Promise<number> {
  return value + 1;
}

const addOneTask = app.workflowTask(addOne, { name: 'bench.addOne' });

@app.workflow
class TenTasksWorkflow extends Workflow<number> {
  @app.workflowRun
  async run(start: number): Promise<WorkflowResult<number>> {
    let value = start;
    for (let index = 0; index < TASKS_PER_WORKFLOW; index += 1) value = await addOneTask(value);
    return new WorkflowResult({ value });
  }
}

async function direct(workflows: number): Promise<number> {
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: workflows }, async (_, index) => {
      let value = index;
      for (let step = 0; step < TASKS_PER_WORKFLOW; step += 1) value = await addOne(value);
      if (value !== index + TASKS_PER_WORKFLOW) throw new Error('wrong sum');
    }),
  );
  return Number(process.hrtime.bigint() - started) / 1e6;
}

async function engine(workflows: number): Promise<number> {
  return app.run(async ({ executor }) => {
    const started = process.hrtime.bigint();
    const results = await Promise.all(Array.from({ length: workflows }, async (_, index) => (await executor.startWorkflow(TenTasksWorkflow, index)).result()));
    const elapsed = Number(process.hrtime.bigint() - started) / 1e6;
    results.forEach((result, index) => {
      if (result.value !== index + TASKS_PER_WORKFLOW) throw new Error(`workflow ${index} returned ${String(result.value)}`);
    });
    return elapsed;
  });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

await engine(1_000);
await direct(1_000);
const engineTimes: number[] = [];
const directTimes: number[] = [];
for (let round = 0; round < 5; round += 1) {
  engineTimes.push(await engine(WORKFLOWS));
  directTimes.push(await direct(WORKFLOWS));
}
const tasks = WORKFLOWS * TASKS_PER_WORKFLOW;
const engineMs = median(engineTimes);
const directMs = median(directTimes);
const overheadMicroseconds = ((engineMs - directMs) * 1000) / tasks;
const rssMiB = process.memoryUsage().rss / 1024 / 1024;

console.log(`in-process engine: ${WORKFLOWS.toLocaleString('en')} workflows x ${TASKS_PER_WORKFLOW} tasks (median of 5 rounds)`);
console.log(
  `  engine:   ${engineMs.toFixed(1)} ms, ${Math.round(tasks / (engineMs / 1000)).toLocaleString('en')} tasks/s, ${Math.round(WORKFLOWS / (engineMs / 1000)).toLocaleString('en')} workflows/s`,
);
console.log(`  direct:   ${directMs.toFixed(1)} ms for the same ${tasks.toLocaleString('en')} async calls`);
console.log(`  overhead: ${overheadMicroseconds.toFixed(2)} µs per task (target < 20 µs), ${(engineMs / directMs).toFixed(1)}x the direct calls`);
console.log(`  rss:      ${rssMiB.toFixed(0)} MiB`);
