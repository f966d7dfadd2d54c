// The config module of @mcp-agent/core: schemas of `mcp_agent.config.yaml` and the loader.
export {
  DataConverterConfigSchema,
  DurationSchema,
  LoggerSettingsSchema,
  McpServerConfigSchema,
  McpSettingsSchema,
  OtelSettingsSchema,
  OtlpSettingsSchema,
  ProviderSettingsSchema,
  RetryPolicyConfigSchema,
  SettingsSchema,
  TemporalMetricsConfigSchema,
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
  OtelSettings,
  ProviderSettings,
  RetryPolicyConfig,
  Settings,
  SettingsInput,
  TemporalMetricsConfig,
  TemporalSettings,
  TemporalTlsConfig,
} from './schema.js';
export { findConfigFile, loadSettings, parseSettings } from './load.js';
export type { LoadedSettings, LoadSettingsOptions } from './load.js';
