/**
 * The config sections this package owns, with the keys of the Python project's `GoogleSettings`
 * and `BedrockSettings`: `google` (`api_key`, `vertexai`, `project`, `location`, `default_model`)
 * and `bedrock` (`aws_access_key_id`, `aws_secret_access_key`, `aws_session_token`, `aws_region`,
 * `profile`), each also with `base_url`, `default_model` and `default_embedding_model`. Registered
 * with core when the package is loaded, so `parseSettings` and `loadSettings` validate them (and
 * `config check --strict` reports a misspelt key) and `settings.google` is typed.
 *
 * The `azure` section belongs to `@mcp-agent/providers-openai` (Azure OpenAI through the `openai`
 * SDK); this package's `azure` provider reads the same section.
 */
import { booleanSetting, ProviderSettingsSchema, registerConfigSection } from '@mcp-agent/core/config';

/** An optional string key, as core's provider sections declare theirs. */
const optionalText = ProviderSettingsSchema.shape.api_key;

/**
 * The `google` section: Gemini through `@ai-sdk/google`, or Vertex AI through
 * `@ai-sdk/google-vertex` when `vertexai` is true (with `project` and `location`).
 */
const GoogleSettingsSchema = ProviderSettingsSchema.extend({
  vertexai: booleanSetting().optional(),
  project: optionalText,
  location: optionalText,
  default_embedding_model: optionalText,
});

/** The validated `google` section (keys the schema doesn't declare pass through, as in Python). */
export interface GoogleSettings {
  api_key?: string | undefined;
  base_url?: string | undefined;
  default_model?: string | undefined;
  vertexai?: boolean | undefined;
  project?: string | undefined;
  location?: string | undefined;
  default_embedding_model?: string | undefined;
  [key: string]: unknown;
}

/**
 * The `bedrock` section: Amazon Bedrock through `@ai-sdk/amazon-bedrock`. Credentials are the
 * keys given, else a named `profile` (needs `@aws-sdk/credential-providers`), else the AWS
 * environment variables; `api_key` is a Bedrock API key (`AWS_BEARER_TOKEN_BEDROCK`) instead.
 */
const BedrockSettingsSchema = ProviderSettingsSchema.extend({
  aws_access_key_id: optionalText,
  aws_secret_access_key: optionalText,
  aws_session_token: optionalText,
  aws_region: optionalText,
  profile: optionalText,
  default_embedding_model: optionalText,
});

/** The validated `bedrock` section (keys the schema doesn't declare pass through, as in Python). */
export interface BedrockSettings {
  aws_access_key_id?: string | undefined;
  aws_secret_access_key?: string | undefined;
  aws_session_token?: string | undefined;
  aws_region?: string | undefined;
  profile?: string | undefined;
  api_key?: string | undefined;
  base_url?: string | undefined;
  default_model?: string | undefined;
  default_embedding_model?: string | undefined;
  [key: string]: unknown;
}

declare module '@mcp-agent/core/config' {
  interface SettingsSections {
    google: GoogleSettings;
    bedrock: BedrockSettings;
  }
}

registerConfigSection({ key: 'google', schema: GoogleSettingsSchema, owner: '@mcp-agent/providers-ai-sdk' });
registerConfigSection({ key: 'bedrock', schema: BedrockSettingsSchema, owner: '@mcp-agent/providers-ai-sdk' });
