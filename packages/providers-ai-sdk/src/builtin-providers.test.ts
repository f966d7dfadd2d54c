// The Python config sections as the built-in providers read them: validation of `google` and
// `bedrock` (strict checking included), the `azure` section through @ai-sdk/azure and the
// `bedrock` section through @ai-sdk/amazon-bedrock against the local server, and the message for
// a provider package that is not installed.
import { WorkflowApplicationError } from '@mcp-agent/core';
import { parseSettings } from '@mcp-agent/core/config';
import { startLocalLlmServer } from '@mcp-agent/testing';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { azureBaseUrl, createAzureProvider, createBedrockProvider, createGoogleProvider } from './index.js';
import { importOptional } from './builtin-providers.js';

const server = await startLocalLlmServer();
const KEY = 'azure-key-90af31c2';

afterAll(async () => {
  await server.close();
});

beforeEach(() => {
  server.reset();
});

describe('the google and bedrock sections', () => {
  it('accept the keys of the Python GoogleSettings and BedrockSettings, even with --strict', () => {
    const settings = parseSettings(
      {
        google: { api_key: 'k', vertexai: 'false', project: 'p', location: 'us-central1', default_model: 'gemini-2.5-pro' },
        bedrock: { aws_access_key_id: 'a', aws_secret_access_key: 's', aws_session_token: 't', aws_region: 'eu-west-1', profile: 'dev', default_model: 'm' },
      },
      'settings',
      { strict: true },
    );
    expect(settings.google).toEqual({ api_key: 'k', vertexai: false, project: 'p', location: 'us-central1', default_model: 'gemini-2.5-pro' });
    expect(settings.bedrock?.aws_region).toBe('eu-west-1');
  });

  it('report a misspelt key with a suggestion, and a value of the wrong type', () => {
    expect(() => parseSettings({ google: { defualt_model: 'gemini-2.5-pro' } }, 'settings', { strict: true })).toThrow(/google\.defualt_model: unknown key.*"default_model"/);
    const warnings: string[] = [];
    parseSettings({ bedrock: { aws_regoin: 'eu-west-1' } }, 'settings', { onWarning: (warning) => warnings.push(warning) });
    expect(warnings).toEqual([expect.stringMatching(/^settings: bedrock\.aws_regoin: unknown key.*"aws_region"/)]);
    expect(() => parseSettings({ google: { vertexai: 'maybe' } })).toThrow(/google\.vertexai: expected true or false/);
  });
});

describe('the azure provider (@ai-sdk/azure)', () => {
  it('maps endpoint to the base URL the SDK expects', () => {
    expect(azureBaseUrl('https://contoso.openai.azure.com/')).toBe('https://contoso.openai.azure.com/openai');
    expect(azureBaseUrl('https://contoso.services.ai.azure.com/openai/v1')).toBe('https://contoso.services.ai.azure.com/openai/v1');
  });

  it('calls the deployment named by azure_deployment with the api-key header, on Chat Completions', async () => {
    server.enqueue({ text: 'from Azure', usage: { inputTokens: 5, outputTokens: 2 } });
    const provider = createAzureProvider({ environment: {} });
    const settings = parseSettings({ azure: { base_url: server.openaiBaseUrl, api_key: KEY, azure_deployment: 'prod-4o' } });
    const response = await provider.complete({ provider: 'azure', messages: [{ role: 'user', content: 'Hi' }] }, { settings });
    expect(response.message.content).toBe('from Azure');
    expect(response.usage).toEqual({ inputTokens: 5, outputTokens: 2, totalTokens: 7 });
    expect(server.requests[0]).toMatchObject({ path: '/v1/chat/completions', model: 'prod-4o' });
    expect(server.requests[0]?.headers['api-key']).toBe('[redacted]');
  });

  it('uses the deployment URLs with a dated api_version, and names the fix for an unknown deployment', async () => {
    const provider = createAzureProvider({ environment: {} });
    const settings = parseSettings({ azure: { endpoint: server.url, api_key: KEY, api_version: '2024-10-21' } });
    const error = await provider.complete({ provider: 'azure', messages: [{ role: 'user', content: 'Hi' }] }, { settings }).catch((caught: unknown) => caught);
    expect(server.requests[0]?.path).toBe('/openai/deployments/gpt-4o-mini/chat/completions');
    expect(WorkflowApplicationError.is(error) && error.type).toBe('NotFoundError');
    expect((error as WorkflowApplicationError).nonRetryable).toBe(true);
    expect((error as Error).message).toContain('check the model name and azure.endpoint, azure.azure_deployment and azure.api_version');
  });

  it('fails without retry when no endpoint is set', async () => {
    const error = await createAzureProvider({ environment: {} })
      .complete({ provider: 'azure', messages: [{ role: 'user', content: 'Hi' }] }, { settings: parseSettings({}) })
      .catch((caught: unknown) => caught);
    expect(WorkflowApplicationError.is(error) && error.nonRetryable).toBe(true);
    expect((error as Error).message).toMatch(/^azure: no endpoint: set azure\.endpoint/);
  });
});

describe('the bedrock provider (@ai-sdk/amazon-bedrock)', () => {
  it('signs the Converse request with the keys of the bedrock section and calls the default model', async () => {
    const provider = createBedrockProvider({ environment: {} });
    const settings = parseSettings({
      bedrock: { aws_access_key_id: 'AKIDEXAMPLE', aws_secret_access_key: 'secret-90af31c2', aws_region: 'eu-west-1', base_url: server.url },
    });
    const error = await provider.complete({ provider: 'bedrock', messages: [{ role: 'user', content: 'Hi' }] }, { settings }).catch((caught: unknown) => caught);
    // The local server speaks no Converse: the request is the assertion, the 404 its answer.
    expect(server.requests[0]?.path).toBe('/model/us.amazon.nova-lite-v1%3A0/converse');
    expect(server.requests[0]?.headers['authorization']).toBe('[redacted]');
    expect(server.requests[0]?.headers['x-amz-date']).toMatch(/^\d{8}T\d{6}Z$/);
    expect(WorkflowApplicationError.is(error) && error.type).toBe('NotFoundError');
    expect((error as Error).message).not.toContain('secret-90af31c2');
  });

  it('names the settings when there is no region or no credentials, without retrying', async () => {
    const provider = createBedrockProvider({ environment: {} });
    const failureOf = (bedrock: Record<string, unknown>): Promise<WorkflowApplicationError> =>
      provider.complete({ provider: 'bedrock', messages: [{ role: 'user', content: 'Hi' }] }, { settings: parseSettings({ bedrock }) }).then(
        () => {
          throw new Error('the round trip should have failed');
        },
        (caught: unknown) => caught as WorkflowApplicationError,
      );
    const noRegion = await failureOf({ aws_access_key_id: 'AKIDEXAMPLE', aws_secret_access_key: 's' });
    expect([noRegion.type, noRegion.nonRetryable, noRegion.message]).toEqual([
      'ConfigError',
      true,
      'bedrock: no AWS region: set bedrock.aws_region in mcp_agent.config.yaml, or AWS_REGION',
    ]);
    const noKeys = await failureOf({ aws_region: 'eu-west-1', aws_access_key_id: 'AKIDEXAMPLE' });
    expect([noKeys.type, noKeys.nonRetryable]).toEqual(['ConfigError', true]);
    expect(noKeys.message).toMatch(/^bedrock: no AWS credentials: set bedrock\.aws_access_key_id and bedrock\.aws_secret_access_key/);
    expect(server.requests).toHaveLength(0);
  });
});

describe('optional provider packages', () => {
  it('names the package to install when it is missing, without retrying', async () => {
    const packageName = '@ai-sdk/not-installed-anywhere';
    const error = await importOptional(packageName, 'the example provider', () => import(packageName)).catch((caught: unknown) => caught);
    expect(WorkflowApplicationError.is(error) && error.nonRetryable).toBe(true);
    expect((error as Error).message).toBe('the example provider needs the package @ai-sdk/not-installed-anywhere, which is not installed: npm install @ai-sdk/not-installed-anywhere');
  });

  it('asks for @ai-sdk/google-vertex when google.vertexai is true', async () => {
    const provider = createGoogleProvider({ environment: {} });
    const settings = parseSettings({ google: { vertexai: true, project: 'p', location: 'us-central1' } });
    const error = await provider.complete({ provider: 'google', messages: [{ role: 'user', content: 'Hi' }] }, { settings }).catch((caught: unknown) => caught);
    expect(WorkflowApplicationError.is(error) && error.type).toBe('MissingPackageError');
    expect((error as Error).message).toBe(
      'the google provider with google.vertexai: true needs the package @ai-sdk/google-vertex, which is not installed: npm install @ai-sdk/google-vertex',
    );
  });
});

describe('model selection', () => {
  it("chooses the google model by the request's modelPreferences from the model table, the config's models included", async () => {
    server.enqueue({ text: 'cheap' });
    server.enqueue({ text: 'custom' });
    const provider = createGoogleProvider({ environment: {} });
    const ask = (settings: ReturnType<typeof parseSettings>) =>
      provider.complete({ provider: 'google', modelPreferences: { costPriority: 1 }, messages: [{ role: 'user', content: 'Hi' }] }, { settings });
    const google = { api_key: 'google-key-5521', base_url: server.googleBaseUrl, default_model: 'gemini-2.5-pro' };
    expect((await ask(parseSettings({ google }))).model).toBe('gemini-2.5-flash-lite');
    const withOwn = parseSettings({ google, models: [{ name: 'gemma-in-house', provider: 'google', input_per_million_tokens: 0.001, output_per_million_tokens: 0.001 }] });
    expect((await ask(withOwn)).model).toBe('gemma-in-house');
    expect(server.requests.map((request) => request.path)).toEqual(['/v1beta/models/gemini-2.5-flash-lite:generateContent', '/v1beta/models/gemma-in-house:generateContent']);
  });
});
