// `@mcp-agent/core/config`: the settings schemas, their types, the field builders packages use
// for their own sections, and reading `mcp_agent.config.yaml` (with the secrets file, `${VAR}`
// substitution and environment overrides). Node only.
export {
  booleanSetting,
  DurationSchema,
  enumSetting,
  httpUrlSetting,
  numberSetting,
  positiveInteger,
  positiveNumber,
  strictSection,
  StringLikeSchema,
} from './fields.js';
export type { DurationSetting, IssueInput, NumberRule } from './fields.js';
export { describeValue, listValues } from './messages.js';
export {
  LoggerSettingsSchema,
  MCP_SESSION_SCOPES,
  McpServerConfigSchema,
  McpSessionConfigSchema,
  McpSettingsSchema,
  OtelSettingsSchema,
  OtlpSettingsSchema,
  ProviderSettingsSchema,
  RetryPolicyConfigSchema,
  TEMPORAL_EXECUTION_FIELDS,
  TemporalExecutionSettingsSchema,
} from './sections.js';
export type {
  LoggerSettings,
  McpServerConfig,
  McpSettings,
  OtelSettings,
  ProviderSettings,
  RetryPolicyConfig,
  TemporalExecutionSettings,
} from './sections.js';
export {
  McpElicitationSchema,
  McpOAuthClientSchema,
  McpRootSchema,
  McpSamplingSchema,
  McpServerAuthSchema,
  OAUTH_CLIENT_AUTH_METHODS,
  OAUTH_GRANT_TYPES,
  OAuthSettingsSchema,
} from './mcp-client.js';
export type { McpElicitationConfig, McpOAuthClientConfig, McpRootConfig, McpSamplingConfig, McpServerAuthConfig, OAuthSettings } from './mcp-client.js';
export { registerConfigSection, registeredConfigSections, settingsSchema } from './schema.js';
export type { ConfigSection, ExecutionEngineName, Settings, SettingsInput, SettingsSections } from './schema.js';
export { findConfigFile, loadSettings, parseSettings } from './load.js';
export type { LoadedSettings, LoadSettingsOptions, ParseSettingsOptions } from './load.js';
