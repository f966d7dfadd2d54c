// A stand-in for a provider package's light `./config` entry: it registers its section when imported.
import { ProviderSettingsSchema, registerConfigSection } from '../../../config/index.ts';

registerConfigSection({ key: 'anthropic', schema: ProviderSettingsSchema, owner: '@mcp-agent/providers-anthropic' });
