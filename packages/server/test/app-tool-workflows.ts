// The app the app-tool tests serve: sync tools (one that answers, one that fails, one whose result
// breaks its output schema, one with a plain result) and an async tool that sleeps and calls a task.
// Workflow code: bundled by the Temporal worker of the tests.
import { MCPApp } from '@mcp-agent/core';

export const app = new MCPApp({ name: 'app-tools' });

const WEATHER = {
  type: 'object' as const,
  properties: { city: { type: 'string' }, temperature: { type: 'number' } },
  required: ['city', 'temperature'],
};

/** The weather in a city; its temperature is the length of its name. */
export const getWeather = app.tool(async ({ city }: { city: string }) => ({ city, temperature: city.length }), {
  name: 'get_weather',
  title: 'Weather',
  description: 'The temperature in a city.',
  inputSchema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  outputSchema: WEATHER,
  annotations: { readOnlyHint: true },
});

app.tool(
  async (): Promise<never> => {
    throw new Error('the weather service is down');
  },
  { name: 'broken' },
);

app.tool(async () => ({ city: 3 }), { name: 'bad_output', outputSchema: WEATHER });

app.tool(({ a, b }: { a: number; b: number }) => a + b, { name: 'add' });

const shout = app.workflowTask(async (text: string) => text.toUpperCase(), { name: 'app-tools.shout' });

/** Researches a topic: sleeps durably, then calls a task. */
export const Research = app.asyncTool(
  async ({ topic }: { topic: string }, workflow) => {
    await workflow.sleep('20 ms');
    return `notes on ${await shout(topic)}`;
  },
  {
    name: 'research',
    description: 'Researches a topic.',
    inputSchema: { type: 'object', properties: { topic: { type: 'string' } }, required: ['topic'], additionalProperties: false },
  },
);
