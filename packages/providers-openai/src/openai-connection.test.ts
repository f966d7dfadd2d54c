import { parseSettings } from '@mcp-agent/core/config';
import { WorkflowApplicationError } from '@mcp-agent/core';
import { describe, expect, it } from 'vitest';
import { resolveOpenAIConnection } from './openai-connection.js';

const resolve = (settings: Record<string, unknown>, environment: Record<string, string> = {}) => resolveOpenAIConnection(parseSettings(settings), environment);

describe('resolveOpenAIConnection', () => {
  it('prefers the config to the environment', () => {
    const connection = resolve({ openai: { api_key: 'from-config', base_url: 'http://config/v1' } }, { OPENAI_API_KEY: 'from-env', OPENAI_BASE_URL: 'http://env/v1' });
    expect(connection).toMatchObject({ azure: false, apiKey: 'from-config', baseURL: 'http://config/v1' });
    expect(resolve({}, { OPENAI_API_KEY: 'from-env' })).toMatchObject({ apiKey: 'from-env', baseURL: undefined });
  });

  it('gives one client key per key and base URL', () => {
    const a = resolve({ openai: { api_key: 'k1' } }).cacheKey;
    expect(resolve({ openai: { api_key: 'k1', default_model: 'other' } }).cacheKey).toBe(a);
    expect(resolve({ openai: { api_key: 'k2' } }).cacheKey).not.toBe(a);
    expect(resolve({ openai: { api_key: 'k1', base_url: 'http://elsewhere/v1' } }).cacheKey).not.toBe(a);
  });

  it('uses the azure section unless the openai section configures OpenAI itself', () => {
    const azure = { endpoint: 'https://res.openai.azure.com/', api_key: 'az', azure_deployment: 'dep' };
    expect(resolve({ azure })).toMatchObject({
      azure: true,
      section: 'azure',
      baseURL: 'https://res.openai.azure.com/openai',
      deployment: 'dep',
      defaultModel: 'dep',
      apiVersion: '2024-10-21',
    });
    expect(resolve({ azure, openai: { api_key: 'sk' } })).toMatchObject({ azure: false, apiKey: 'sk' });
  });

  it('reads a deployment named in an Azure endpoint, and OPENAI_API_VERSION', () => {
    const connection = resolve(
      { azure: { endpoint: 'https://res.cognitiveservices.azure.com/openai/deployments/gpt-4o-mini', api_key: 'az' } },
      { OPENAI_API_VERSION: '2025-01-01-preview' },
    );
    expect(connection).toMatchObject({ baseURL: 'https://res.cognitiveservices.azure.com/openai', deployment: 'gpt-4o-mini', apiVersion: '2025-01-01-preview' });
  });

  it('says what is missing, naming the setting and the variable', () => {
    const keyless = (() => {
      try {
        return resolve({});
      } catch (error) {
        return error;
      }
    })();
    expect(WorkflowApplicationError.is(keyless) && keyless.nonRetryable).toBe(true);
    expect((keyless as Error).message).toBe('openai: no API key; set openai.api_key in mcp_agent.secrets.yaml or the OPENAI_API_KEY environment variable');
    expect(() => resolve({ openai: { api_version: '2024-10-21', api_key: 'az' } })).toThrow(
      'openai (Azure): no endpoint; set openai.azure_endpoint (such as https://my-resource.openai.azure.com) or the AZURE_OPENAI_ENDPOINT environment variable',
    );
  });
});
