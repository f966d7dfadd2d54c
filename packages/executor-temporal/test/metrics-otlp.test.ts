// temporal.metrics.otlp: the Temporal runtime pushes its metrics, the framework's among them, to
// an OpenTelemetry collector over OTLP/HTTP (here a local receiver). The runtime is process-wide;
// this file runs in its own process and installs it first.
import http from 'node:http';
import type net from 'node:net';
import { createLogger } from '@mcp-agent/core';
import { parseSettings } from '@mcp-agent/core/config';
import { Runtime } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { installRuntime } from '../src/index.js';

describe('temporal.metrics.otlp', () => {
  const received: Array<{ url: string | undefined; contentType: string | undefined; apiKey: string | string[] | undefined; body: Buffer }> = [];
  const receiver = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({ url: request.url, contentType: request.headers['content-type'], apiKey: request.headers['x-api-key'], body: Buffer.concat(chunks) });
      response.writeHead(200).end();
    });
  });
  let port: number;

  beforeAll(async () => {
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    port = (receiver.address() as net.AddressInfo).port;
  });

  afterAll(async () => {
    await Runtime._instance?.shutdown();
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
  });

  it("sends the runtime's metrics to the collector with the configured headers", async () => {
    const settings = parseSettings({ temporal: { metrics: { otlp: { url: `http://127.0.0.1:${port}/v1/metrics`, http: true, headers: { 'x-api-key': 'metrics-key' } } } } });
    expect(installRuntime(settings, createLogger({ level: 'error', sink: () => undefined }))).toBe(true);
    Runtime.instance().metricMeter.createCounter('mcp_agent_otlp_probe').add(3, { provider: 'openai' });
    await vi.waitFor(() => expect(received.some((request) => request.body.includes('mcp_agent_otlp_probe'))).toBe(true), { timeout: 10_000, interval: 200 });
    const request = received.find((candidate) => candidate.body.includes('mcp_agent_otlp_probe'));
    expect(request).toMatchObject({ url: '/v1/metrics', contentType: 'application/x-protobuf', apiKey: 'metrics-key' });
  });
});
