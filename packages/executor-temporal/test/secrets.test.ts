// No secret reaches the server or the logs: the model provider's API key, the payload encryption
// key and an MCP server's environment values stay out of every workflow history event (read raw,
// and with every payload decrypted) and every log line.
import { randomBytes } from 'node:crypto';
import { createLogger, type LogRecord, type AppServices } from '@mcp-agent/core';
import { parseSettings, type Settings } from '@mcp-agent/core/config';
import { llmProvider } from '@mcp-agent/providers-openai';
import { mcpTestServerStdioCommand, startLocalLlmServer, type LocalLlmServer } from '@mcp-agent/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createAppServices } from '@mcp-agent/core/engine';
import { createTemporalEngine, encryptionCodecFromSettings, fetchWorkflowHistory, type EncryptionCodec, type TemporalExecutor } from '../src/index.js';
import { DurableAgentWorkflow, proofApp } from './fixtures/proof-workflows.js';

const API_KEY = 'sk-secret-api-key-7f3a9c';
const MCP_TOKEN = 'mcp-env-token-51e0b2';
const ENCRYPTION_KEY = randomBytes(32).toString('base64');

/** Every string and byte string of a value; with a codec, encrypted payloads are decrypted first. */
function textsOf(value: unknown, codec?: EncryptionCodec): string[] {
  const texts: string[] = [];
  const walk = (node: unknown): void => {
    if (node instanceof Uint8Array) texts.push(Buffer.from(node).toString('utf8'));
    else if (typeof node === 'string') texts.push(node);
    else if (Array.isArray(node)) node.forEach(walk);
    else if (typeof node === 'object' && node !== null) {
      const payload = node as { metadata?: Record<string, Uint8Array>; data?: Uint8Array };
      if (codec !== undefined && payload.metadata !== undefined && payload.data instanceof Uint8Array) {
        const decoded = codec.decodeOne(payload);
        if (decoded !== payload) return walk(decoded);
      }
      Object.values(node).forEach(walk);
    }
  };
  walk(value);
  return texts;
}

describe('secrets', { timeout: 120_000 }, () => {
  let llm: LocalLlmServer;
  let executor: TemporalExecutor;
  let services: AppServices | undefined;
  let settings: Settings;
  const lines: LogRecord[] = [];

  beforeAll(async () => {
    llm = await startLocalLlmServer({ script: { rules: [{ match: () => true, reply: (request) => ({ text: `noted ${request.lastUserMessage}` }) }] } });
    const server = mcpTestServerStdioCommand();
    settings = parseSettings(
      {
        execution_engine: 'temporal',
        temporal: { data_converter: { encryption_key: ENCRYPTION_KEY } },
        openai: { api_key: API_KEY, base_url: llm.openaiBaseUrl, default_model: 'gpt-4o-mini' },
        mcp: { servers: { test: { transport: 'stdio', command: server.command, args: server.args, env: { TEST_TOKEN: MCP_TOKEN } } } },
      },
      'secrets',
    );
    const logger = createLogger({ level: 'debug', sink: (line) => lines.push(line) });
    services = await createAppServices({ registry: proofApp.registry, settings: settings, logger, llmProviders: [llmProvider] });
    executor = (await createTemporalEngine({
      address: inject('temporalAddress'),
      worker: { workflowsPath: new URL('./fixtures/proof-workflows.ts', import.meta.url), taskQueue: `secrets-${process.pid}` },
    }).createExecutor({
      appName: proofApp.name,
      registry: proofApp.registry,
      settings,
      logger,
      tasks: services.tasks,
    })) as TemporalExecutor;
  });

  afterAll(async () => {
    await executor?.close();
    await services?.close();
    await llm?.close();
  });

  it('keeps the API key, the encryption key and MCP server environment out of the workflow history and the logs', async () => {
    const workflowId = `secrets-${Date.now()}`;
    const result = await executor.executeWorkflow(DurableAgentWorkflow, { topic: 'secrets', steps: 2 }, { workflowId });
    expect(result.value?.answers).toEqual(['noted step 1 of secrets', 'noted step 2 of secrets']);
    // The key did reach the model server, so the test would see it if it leaked.
    expect(llm.requests.length).toBeGreaterThanOrEqual(2);
    const raw = await fetchWorkflowHistory(executor.client, workflowId);
    const stored = textsOf(raw).join('\n');
    // Encrypted: the server holds none of the conversation either.
    expect(stored).toContain('binary/encrypted');
    expect(stored).not.toContain('step 1 of secrets');
    const decrypted = textsOf(raw, encryptionCodecFromSettings(settings)).join('\n');
    // The test would see a leak: decrypted, the history holds the conversation.
    expect(decrypted).toContain('step 1 of secrets');
    const logged = JSON.stringify(lines);
    for (const secret of [API_KEY, MCP_TOKEN, ENCRYPTION_KEY, Buffer.from(ENCRYPTION_KEY, 'base64').toString('hex')]) {
      expect(stored).not.toContain(secret);
      expect(decrypted).not.toContain(secret);
      expect(logged).not.toContain(secret);
    }
    expect(lines.length).toBeGreaterThan(0);
  });
});
