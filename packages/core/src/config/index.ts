// The config module of @mcp-agent/core: schemas of `mcp_agent.config.yaml` and the loader.
export {
  DataConverterConfigSchema,
  DurationSchema,
  LoggerSettingsSchema,
  McpServerConfigSchema,
  McpSettingsSchema,
  ProviderSettingsSchema,
  RetryPolicyConfigSchema,
  SettingsSchema,
  TemporalSettingsSchema,
  TemporalTlsConfigSchema,
} from './schema.js';
export type {
  DataConverterConfig,
  DurationSetting,
  ExecutionEngineName,
  LoggerSettings,
  McpServerConfig,
  McpSettings,
  ProviderSettings,
  RetryPolicyConfig,
  Settings,
  SettingsInput,
  TemporalSettings,
  TemporalTlsConfig,
} from './schema.js';
export { findConfigFile, loadSettings, parseSettings } from './load.js';
export type { LoadedSettings, LoadSettingsOptions } from './load.js';
