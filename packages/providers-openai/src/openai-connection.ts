/**
 * Where and how the provider connects: OpenAI (or an OpenAI-compatible server) or Azure OpenAI,
 * resolved from the settings and the environment inside the task, on the worker; never part of
 * a request.
 */
import { WorkflowApplicationError } from '@mcp-agent/core';
import type { Settings } from '@mcp-agent/core/config';

/** The Azure OpenAI API version used when neither the config nor `OPENAI_API_VERSION` names one (GA, with structured outputs). */
export const DEFAULT_AZURE_API_VERSION = '2024-10-21';

/** A resolved connection. Holds the key: it lives in the worker process and is never serialised. */
export interface OpenAIConnection {
  /** `openai`, or `openai (Azure)`: how messages name the provider. */
  label: string;
  /** Whether this is Azure OpenAI. */
  azure: boolean;
  /** The settings section it came from: `openai` or `azure`. */
  section: 'openai' | 'azure';
  /** The environment variable of the key: `OPENAI_API_KEY` or `AZURE_OPENAI_API_KEY`. */
  keyVariable: string;
  /** The setting that names the server: `openai.base_url`, `azure.endpoint` or `openai.azure_endpoint`. */
  endpointSetting: string;
  apiKey: string;
  /** OpenAI: the base URL (undefined: the SDK's default). Azure: the endpoint's URL ending in `/openai`. */
  baseURL: string | undefined;
  /** Azure: the `api-version`. */
  apiVersion: string | undefined;
  /** Azure: the deployment every request goes to, when configured. */
  deployment: string | undefined;
  organization: string | undefined;
  project: string | undefined;
  /** The section's `default_model` (Azure: else the deployment). */
  defaultModel: string | undefined;
  /** The section's `reasoning_effort`, for reasoning models. */
  reasoningEffort: string | undefined;
  /** Identifies the SDK client this connection needs. */
  cacheKey: string;
}

/** The environment the provider reads, `process.env` by default. */
export type Environment = Readonly<Record<string, string | undefined>>;

function text(section: Record<string, unknown> | undefined, key: string): string | undefined {
  const value = section?.[key];
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

function env(environment: Environment, name: string): string | undefined {
  const value = environment[name];
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

function section(settings: Settings, name: string): Record<string, unknown> | undefined {
  const value = (settings as Record<string, unknown>)[name];
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function missingKey(label: string, sectionName: string, variable: string): WorkflowApplicationError {
  return new WorkflowApplicationError(`${label}: no API key; set ${sectionName}.api_key in mcp_agent.secrets.yaml or the ${variable} environment variable`, {
    type: 'MissingApiKeyError',
    nonRetryable: true,
  });
}

/**
 * Which connection the settings describe:
 *
 * - Azure OpenAI when the `openai` section has `azure_endpoint` or `api_version`; its keys are then
 *   `api_key`, `azure_endpoint` (or `base_url`), `api_version`, `azure_deployment`, `default_model`.
 * - Azure OpenAI when there is an `azure` section (the Python project's shape: `endpoint`,
 *   `api_key`, `api_version`, `azure_deployment`, `default_model`) and the `openai` section sets
 *   neither `api_key` nor `base_url`.
 * - OpenAI otherwise: `openai.api_key` else `OPENAI_API_KEY`, `openai.base_url` else `OPENAI_BASE_URL`.
 *
 * Azure keys fall back to `AZURE_OPENAI_API_KEY`, endpoints to `AZURE_OPENAI_ENDPOINT`, versions
 * to `OPENAI_API_VERSION`, then {@link DEFAULT_AZURE_API_VERSION}.
 *
 * @throws WorkflowApplicationError (non-retryable) without a key, or for Azure without an endpoint.
 *
 * @example
 * ```ts
 * resolveOpenAIConnection(parseSettings({ openai: { api_key: 'sk-...' } }), process.env).baseURL; // undefined: api.openai.com
 * ```
 */
export function resolveOpenAIConnection(settings: Settings, environment: Environment): OpenAIConnection {
  const openai = section(settings, 'openai');
  const azure = section(settings, 'azure');
  if (text(openai, 'azure_endpoint') !== undefined || text(openai, 'api_version') !== undefined) {
    return azureConnection(openai, 'openai', text(openai, 'azure_endpoint'), environment);
  }
  if (azure !== undefined && text(openai, 'api_key') === undefined && text(openai, 'base_url') === undefined) {
    return azureConnection(azure, 'azure', text(azure, 'endpoint'), environment);
  }
  const apiKey = text(openai, 'api_key') ?? env(environment, 'OPENAI_API_KEY');
  if (apiKey === undefined) throw missingKey('openai', 'openai', 'OPENAI_API_KEY');
  const baseURL = text(openai, 'base_url') ?? env(environment, 'OPENAI_BASE_URL');
  const organization = text(openai, 'organization') ?? env(environment, 'OPENAI_ORG_ID');
  const project = text(openai, 'project') ?? env(environment, 'OPENAI_PROJECT_ID');
  return {
    label: 'openai',
    azure: false,
    section: 'openai',
    keyVariable: 'OPENAI_API_KEY',
    endpointSetting: 'openai.base_url',
    apiKey,
    baseURL,
    apiVersion: undefined,
    deployment: undefined,
    organization,
    project,
    defaultModel: text(openai, 'default_model'),
    reasoningEffort: text(openai, 'reasoning_effort'),
    cacheKey: JSON.stringify(['openai', apiKey, baseURL ?? '', organization ?? '', project ?? '']),
  };
}

function azureConnection(
  config: Record<string, unknown> | undefined,
  sectionName: 'openai' | 'azure',
  configuredEndpoint: string | undefined,
  environment: Environment,
): OpenAIConnection {
  const label = 'openai (Azure)';
  const apiKey = text(config, 'api_key') ?? env(environment, 'AZURE_OPENAI_API_KEY');
  if (apiKey === undefined) throw missingKey(label, sectionName, 'AZURE_OPENAI_API_KEY');
  const endpointKey = sectionName === 'openai' ? 'azure_endpoint' : 'endpoint';
  const given = configuredEndpoint ?? text(config, 'base_url') ?? env(environment, 'AZURE_OPENAI_ENDPOINT');
  if (given === undefined) {
    throw new WorkflowApplicationError(
      `${label}: no endpoint; set ${sectionName}.${endpointKey} (such as https://my-resource.openai.azure.com) or the AZURE_OPENAI_ENDPOINT environment variable`,
      { type: 'MissingEndpointError', nonRetryable: true },
    );
  }
  // The Python project's configs often name the deployment in the endpoint: .../openai/deployments/<name>.
  const trimmed = given.replace(/\/+$/, '');
  const inPath = /^(.*?\/openai)\/deployments\/([^/?#]+)/.exec(trimmed);
  // Always a base URL (never the SDK's `endpoint`), so that OPENAI_BASE_URL in the environment can't collide with it.
  const baseURL = inPath !== null ? (inPath[1] as string) : trimmed.endsWith('/openai') ? trimmed : `${trimmed}/openai`;
  const deployment = text(config, 'azure_deployment') ?? (inPath !== null ? decodeURIComponent(inPath[2] as string) : undefined);
  const apiVersion = text(config, 'api_version') ?? env(environment, 'OPENAI_API_VERSION') ?? DEFAULT_AZURE_API_VERSION;
  return {
    label,
    azure: true,
    section: sectionName,
    keyVariable: 'AZURE_OPENAI_API_KEY',
    endpointSetting: `${sectionName}.${endpointKey}`,
    apiKey,
    baseURL,
    apiVersion,
    deployment,
    organization: undefined,
    project: undefined,
    defaultModel: text(config, 'default_model') ?? deployment,
    reasoningEffort: text(config, 'reasoning_effort'),
    cacheKey: JSON.stringify(['azure', apiKey, baseURL, apiVersion, deployment ?? '']),
  };
}
