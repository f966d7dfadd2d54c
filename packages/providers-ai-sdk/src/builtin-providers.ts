/**
 * The providers the Python config sections select: `google` (Gemini, or Vertex AI), `bedrock`
 * (Amazon Bedrock) and `azure` (Azure OpenAI), each over its `@ai-sdk/*` package, an optional
 * peer dependency loaded on first use. Node only.
 */
import type { EmbeddingModelV3, LanguageModelV3 } from '@ai-sdk/provider';
import { WorkflowApplicationError } from '@mcp-agent/core';
import type { Settings } from '@mcp-agent/core/config';
import { aiSdkProvider, sectionString, type AiSdkProvider } from './ai-sdk-provider.js';

/** Where environment variables are read. */
export type Environment = Readonly<Record<string, string | undefined>>;

/** The model `google` asks for when neither the request nor `google.default_model` names one (as in Python). */
export const DEFAULT_GOOGLE_MODEL = 'gemini-2.5-flash';
/** The embedding model of `google` by default. */
export const DEFAULT_GOOGLE_EMBEDDING_MODEL = 'gemini-embedding-001';
/** The model `bedrock` asks for when neither the request nor `bedrock.default_model` names one (as in Python). */
export const DEFAULT_BEDROCK_MODEL = 'us.amazon.nova-lite-v1:0';
/** The embedding model of `bedrock` by default. */
export const DEFAULT_BEDROCK_EMBEDDING_MODEL = 'amazon.titan-embed-text-v2:0';
/** The deployment `azure` asks for when neither the request, `azure.azure_deployment` nor `azure.default_model` names one (as in Python). */
export const DEFAULT_AZURE_MODEL = 'gpt-4o-mini';

/** An AI SDK provider instance: what `createGoogleGenerativeAI(...)` and its siblings return. */
interface ModelSource {
  languageModel(modelId: string): LanguageModelV3;
  embeddingModel(modelId: string): EmbeddingModelV3;
}

/** Provider instances kept at most per built-in provider, one per connection: enough for key rotation without growing forever. */
const SOURCE_CACHE_SIZE = 16;

/**
 * Imports an optional peer dependency, or fails (not retried) naming the package to install.
 *
 * @param packageName - The package, such as `@ai-sdk/google`.
 * @param forWhat - What needs it, for the message: `the google provider`.
 */
export async function importOptional<T>(packageName: string, forWhat: string, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if ((code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && String((error as Error).message).includes(packageName)) {
      throw new WorkflowApplicationError(`${forWhat} needs the package ${packageName}, which is not installed: npm install ${packageName}`, {
        type: 'MissingPackageError',
        nonRetryable: true,
        cause: error,
      });
    }
    throw error;
  }
}

/**
 * The provider instance for a connection, made once per distinct options (the key among them,
 * kept in memory only) and reused by later round trips.
 */
function sourceCache(): (options: Record<string, unknown>, make: () => Promise<ModelSource>) => Promise<ModelSource> {
  const sources = new Map<string, Promise<ModelSource>>();
  return (options, make) => {
    const key = JSON.stringify(options);
    let source = sources.get(key);
    if (source === undefined) {
      source = make();
      // A failed import is not kept: installing the package fixes the next round trip.
      source.catch(() => sources.delete(key));
      if (sources.size >= SOURCE_CACHE_SIZE) sources.delete(sources.keys().next().value as string);
      sources.set(key, source);
    }
    return source;
  };
}

/** A setting the round trip can't go without is missing: not retried. */
function configError(message: string): WorkflowApplicationError {
  return new WorkflowApplicationError(message, { type: 'ConfigError', nonRetryable: true });
}

/** The first of these values that is set and not empty. */
function firstSet(...values: Array<string | undefined>): string | undefined {
  return values.find((value) => value !== undefined && value !== '');
}

/** Options of the built-in providers. */
export interface BuiltinProviderOptions {
  /** Where environment variables (`GOOGLE_API_KEY`, `AWS_REGION`, `AZURE_OPENAI_API_KEY`, ...) are read. Default `process.env`. */
  environment?: Environment;
}

/**
 * The `google` provider: Gemini through `@ai-sdk/google`, configured by the `google` section as
 * the Python project's `GoogleSettings` (`api_key`, else `GOOGLE_API_KEY`, `GEMINI_API_KEY` or
 * `GOOGLE_GENERATIVE_AI_API_KEY`; `base_url`; `default_model`, default `gemini-2.5-flash`). With
 * `vertexai: true` it is Vertex AI through `@ai-sdk/google-vertex` (`project`, `location`, else
 * `GOOGLE_CLOUD_PROJECT` and `GOOGLE_CLOUD_LOCATION`; Google's application default credentials,
 * or `api_key` for Vertex express mode).
 *
 * @example
 * ```ts
 * const app = new MCPApp({ name: 'finder', llmProviders: [createGoogleProvider()] }); // the same one engines load by default
 * ```
 */
export function createGoogleProvider(options: BuiltinProviderOptions = {}): AiSdkProvider {
  const environment = options.environment ?? process.env;
  const cached = sourceCache();
  const connection = (settings: Settings) => {
    const vertex = settings.google?.vertexai === true || ['true', '1'].includes(environment['GOOGLE_VERTEXAI']?.toLowerCase() ?? '');
    const apiKey = vertex
      ? firstSet(sectionString(settings, 'google', 'api_key'), environment['GOOGLE_VERTEX_API_KEY'])
      : firstSet(sectionString(settings, 'google', 'api_key'), environment['GOOGLE_API_KEY'], environment['GEMINI_API_KEY'], environment['GOOGLE_GENERATIVE_AI_API_KEY']);
    const baseURL = sectionString(settings, 'google', 'base_url');
    if (!vertex) return { vertex, apiKey, baseURL };
    const project = firstSet(sectionString(settings, 'google', 'project'), environment['GOOGLE_CLOUD_PROJECT'], environment['PROJECT_ID']);
    const location = firstSet(sectionString(settings, 'google', 'location'), environment['GOOGLE_CLOUD_LOCATION'], environment['LOCATION']);
    return { vertex, apiKey, baseURL, project, location };
  };
  const source = (settings: Settings): Promise<ModelSource> => {
    const { vertex, apiKey, baseURL, project, location } = connection(settings);
    const given = {
      ...(apiKey === undefined ? {} : { apiKey }),
      ...(baseURL === undefined ? {} : { baseURL }),
      ...(project === undefined ? {} : { project }),
      ...(location === undefined ? {} : { location }),
    };
    if (vertex) {
      return cached({ vertex, ...given }, async () => {
        // Not a dependency of this package, not even a dev one: imported by name at run time.
        const packageName = '@ai-sdk/google-vertex';
        const loaded = await importOptional(
          packageName,
          'the google provider with google.vertexai: true',
          () => import(packageName) as Promise<{ createVertex(options: object): ModelSource }>,
        );
        return loaded.createVertex(given);
      });
    }
    return cached(given, async () => {
      const { createGoogleGenerativeAI } = await importOptional('@ai-sdk/google', 'the google provider', () => import('@ai-sdk/google'));
      return createGoogleGenerativeAI(given);
    });
  };
  return aiSdkProvider({
    name: 'google',
    model: async (modelId, { settings }) => (await source(settings)).languageModel(modelId),
    defaultModel: DEFAULT_GOOGLE_MODEL,
    embeddingModel: async (modelId, { settings }) => (await source(settings)).embeddingModel(modelId),
    defaultEmbeddingModel: DEFAULT_GOOGLE_EMBEDDING_MODEL,
    errorHints: (settings) => {
      const { vertex, apiKey } = connection(settings);
      return {
        keyHint: vertex
          ? 'google.api_key (Vertex express mode) or the application default credentials (gcloud auth application-default login)'
          : 'google.api_key in mcp_agent.secrets.yaml, or GOOGLE_API_KEY',
        endpointHint: vertex ? 'google.project and google.location' : 'google.base_url',
        apiKey,
      };
    },
  });
}

/**
 * The `bedrock` provider: Amazon Bedrock (the Converse API) through `@ai-sdk/amazon-bedrock`,
 * configured by the `bedrock` section as the Python project's `BedrockSettings`:
 * `aws_access_key_id`, `aws_secret_access_key`, `aws_session_token`, `aws_region` (else the
 * `AWS_*` environment variables), or `profile` (a named profile of `~/.aws`, which needs
 * `@aws-sdk/credential-providers`), or `api_key` (a Bedrock API key); `base_url`;
 * `default_model`, default `us.amazon.nova-lite-v1:0`.
 *
 * @example
 * ```ts
 * const app = new MCPApp({ name: 'finder', llmProviders: [createBedrockProvider()] });
 * ```
 */
export function createBedrockProvider(options: BuiltinProviderOptions = {}): AiSdkProvider {
  const environment = options.environment ?? process.env;
  const cached = sourceCache();
  const source = (settings: Settings): Promise<ModelSource> => {
    const setting = (key: string) => sectionString(settings, 'bedrock', key);
    const region = firstSet(setting('aws_region'), environment['AWS_REGION'], environment['AWS_DEFAULT_REGION']);
    const profile = firstSet(setting('profile'), setting('aws_access_key_id') === undefined ? environment['AWS_PROFILE'] : undefined);
    const apiKey = firstSet(setting('api_key'), environment['AWS_BEARER_TOKEN_BEDROCK']);
    const baseURL = setting('base_url');
    const keys = {
      accessKeyId: firstSet(setting('aws_access_key_id'), environment['AWS_ACCESS_KEY_ID']),
      secretAccessKey: firstSet(setting('aws_secret_access_key'), environment['AWS_SECRET_ACCESS_KEY']),
      sessionToken: firstSet(setting('aws_session_token'), environment['AWS_SESSION_TOKEN']),
    };
    if (region === undefined) throw configError('bedrock: no AWS region: set bedrock.aws_region in mcp_agent.config.yaml, or AWS_REGION');
    if (apiKey === undefined && profile === undefined && (keys.accessKeyId === undefined || keys.secretAccessKey === undefined)) {
      throw configError(
        'bedrock: no AWS credentials: set bedrock.aws_access_key_id and bedrock.aws_secret_access_key in mcp_agent.secrets.yaml, bedrock.profile or bedrock.api_key ' +
          '(else AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_PROFILE or AWS_BEARER_TOKEN_BEDROCK)',
      );
    }
    const given = {
      region,
      ...(apiKey === undefined ? {} : { apiKey }),
      ...(baseURL === undefined ? {} : { baseURL }),
      ...(profile !== undefined || apiKey !== undefined ? {} : Object.fromEntries(Object.entries(keys).filter(([, value]) => value !== undefined))),
    };
    return cached({ ...given, profile }, async () => {
      const { createAmazonBedrock } = await importOptional('@ai-sdk/amazon-bedrock', 'the bedrock provider', () => import('@ai-sdk/amazon-bedrock'));
      if (profile === undefined || apiKey !== undefined) return createAmazonBedrock(given);
      const packageName = '@aws-sdk/credential-providers';
      const { fromIni } = await importOptional(
        packageName,
        `the bedrock provider with profile "${profile}"`,
        () => import(packageName) as Promise<{ fromIni(options: { profile: string }): () => Promise<{ accessKeyId: string; secretAccessKey: string; sessionToken?: string }> }>,
      );
      return createAmazonBedrock({ ...given, credentialProvider: fromIni({ profile }) });
    });
  };
  return aiSdkProvider({
    name: 'bedrock',
    model: async (modelId, { settings }) => (await source(settings)).languageModel(modelId),
    defaultModel: DEFAULT_BEDROCK_MODEL,
    embeddingModel: async (modelId, { settings }) => (await source(settings)).embeddingModel(modelId),
    defaultEmbeddingModel: DEFAULT_BEDROCK_EMBEDDING_MODEL,
    errorHints: (settings) => ({
      keyHint: 'bedrock.aws_access_key_id and bedrock.aws_secret_access_key in mcp_agent.secrets.yaml (or bedrock.profile, bedrock.api_key)',
      endpointHint: 'bedrock.aws_region',
      apiKey: firstSet(sectionString(settings, 'bedrock', 'aws_secret_access_key'), sectionString(settings, 'bedrock', 'api_key')),
    }),
  });
}

/**
 * The base URL `@ai-sdk/azure` takes for the Python `azure.endpoint`: a resource's address
 * (`https://<resource>.openai.azure.com/`) gets the `/openai` path the SDK expects; an address
 * with a path (`.../openai/v1`, a gateway's) is taken as it is.
 */
export function azureBaseUrl(endpoint: string): string {
  const url = new URL(endpoint);
  const path = url.pathname.replace(/\/+$/, '');
  return path === '' ? `${url.origin}/openai` : `${url.origin}${path}`;
}

/**
 * The `azure` provider: Azure OpenAI through `@ai-sdk/azure` (Chat Completions), configured by
 * the same `azure` section as the Python project's `AzureSettings`: `endpoint` (or `base_url`),
 * `api_key` (else `AZURE_OPENAI_API_KEY`, `AZURE_AI_API_KEY` or `AZURE_API_KEY`) or
 * `azure_ad_token` (an Entra ID token), `api_version` (a dated version such as
 * `2025-04-01-preview` uses the deployment URLs; none uses the `v1` API), `azure_deployment`
 * (default: the model), `default_model` (default `gpt-4o-mini`).
 *
 * @example
 * ```ts
 * const app = new MCPApp({ name: 'finder', llmProviders: [createAzureProvider()] });
 * ```
 */
export function createAzureProvider(options: BuiltinProviderOptions = {}): AiSdkProvider {
  const environment = options.environment ?? process.env;
  const cached = sourceCache();
  const connection = (settings: Settings) => {
    const setting = (key: string) => sectionString(settings, 'azure', key);
    const endpoint = firstSet(setting('base_url'), setting('endpoint'), environment['AZURE_OPENAI_ENDPOINT'], environment['AZURE_AI_ENDPOINT']);
    const token = firstSet(setting('azure_ad_token'), environment['AZURE_AD_TOKEN']);
    const apiKey = token === undefined ? firstSet(setting('api_key'), environment['AZURE_OPENAI_API_KEY'], environment['AZURE_AI_API_KEY'], environment['AZURE_API_KEY']) : undefined;
    const apiVersion = firstSet(setting('api_version'), environment['AZURE_OPENAI_API_VERSION']);
    return { endpoint, token, apiKey, apiVersion, deployment: setting('azure_deployment') };
  };
  const source = (settings: Settings): Promise<ModelSource> => {
    const { endpoint, token, apiKey, apiVersion } = connection(settings);
    if (endpoint === undefined) throw configError('azure: no endpoint: set azure.endpoint (https://<resource>.openai.azure.com/) in mcp_agent.config.yaml, or AZURE_OPENAI_ENDPOINT');
    const given = {
      baseURL: azureBaseUrl(endpoint),
      ...(apiKey === undefined ? {} : { apiKey }),
      ...(apiVersion === undefined ? {} : { apiVersion, useDeploymentBasedUrls: apiVersion !== 'v1' }),
    };
    return cached({ ...given, token }, async () => {
      const { createAzure } = await importOptional('@ai-sdk/azure', 'the azure provider', () => import('@ai-sdk/azure'));
      const azure = createAzure({ ...given, ...(token === undefined ? {} : { tokenProvider: async () => token }) });
      // Chat Completions, as the Python project's Azure LLM speaks; `azure(...)` alone is the Responses API.
      return { languageModel: (modelId) => azure.chat(modelId), embeddingModel: (modelId) => azure.embedding(modelId) };
    });
  };
  return aiSdkProvider({
    name: 'azure',
    // Python's `azure_deployment`: the deployment to call, the model name when unset.
    model: async (modelId, { settings }) => (await source(settings)).languageModel(connection(settings).deployment ?? modelId),
    defaultModel: DEFAULT_AZURE_MODEL,
    embeddingModel: async (modelId, { settings }) => (await source(settings)).embeddingModel(modelId),
    errorHints: (settings) => ({
      keyHint: 'azure.api_key in mcp_agent.secrets.yaml (or azure.azure_ad_token), or AZURE_OPENAI_API_KEY',
      endpointHint: 'azure.endpoint, azure.azure_deployment and azure.api_version',
      apiKey: connection(settings).apiKey ?? connection(settings).token,
    }),
  });
}
