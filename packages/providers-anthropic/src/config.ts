/**
 * The config section this package owns: `anthropic` (`api_key`, `base_url`, `default_model`, and
 * any other key the provider reads). Registered with core when the package is loaded, so
 * `parseSettings` and `loadSettings` validate it and `settings.anthropic` is typed.
 */
import { ProviderSettingsSchema, registerConfigSection, type ProviderSettings } from '@mcp-agent/core/config';

declare module '@mcp-agent/core/config' {
  interface SettingsSections {
    anthropic: ProviderSettings;
  }
}

registerConfigSection({ key: 'anthropic', schema: ProviderSettingsSchema, owner: '@mcp-agent/providers-anthropic' });
