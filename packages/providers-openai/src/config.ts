/**
 * The config sections this package owns: `openai` and `azure` (`api_key`, `base_url`,
 * `default_model`, and any other key the provider reads, such as Azure's `azure_endpoint` and
 * `api_version`). Registered with core when the package is loaded, so `parseSettings` and
 * `loadSettings` validate them and `settings.openai` is typed.
 */
import { ProviderSettingsSchema, registerConfigSection, type ProviderSettings } from '@mcp-agent/core/config';

declare module '@mcp-agent/core/config' {
  interface SettingsSections {
    openai: ProviderSettings;
    azure: ProviderSettings;
  }
}

registerConfigSection({ key: 'openai', schema: ProviderSettingsSchema, owner: '@mcp-agent/providers-openai' });
registerConfigSection({ key: 'azure', schema: ProviderSettingsSchema, owner: '@mcp-agent/providers-openai' });
