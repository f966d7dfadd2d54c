/**
 * The app's MCP server, over stdio: one tool, `get_forecast`, with made-up forecasts. Replace it
 * with your own tools, or list other MCP servers under mcp.servers in mcp_agent.config.yaml.
 *
 *   node --import tsx src/weather-server.ts
 */
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { z } from 'zod';

/** Made-up forecasts by city; any other city gets the last one. */
const FORECASTS: Record<string, string> = {
  paris: 'sunny, 21 °C, light wind from the west',
  london: 'showers, 15 °C, clearing in the evening',
  tokyo: 'humid, 28 °C, thunderstorms after 16:00',
};
const UNKNOWN_CITY = 'no forecast for this city';

const server = new McpServer({ name: 'weather', version: '1.0.0' });

server.registerTool('get_forecast', { description: "Tomorrow's weather forecast for a city.", inputSchema: { city: z.string().describe('The city, e.g. "Paris".') } }, ({ city }) => ({
  content: [{ type: 'text', text: `${city}: ${FORECASTS[city.trim().toLowerCase()] ?? UNKNOWN_CITY}` }],
}));

await server.connect(new StdioServerTransport());
