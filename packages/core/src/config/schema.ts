/**
 * The root schema of `mcp_agent.config.yaml`, the configuration file shared with the Python
 * `mcp-agent` project. Keys stay snake_case exactly as written in YAML.
 *
 * Core validates its own sections (`sections.ts`); engine and provider packages contribute theirs
 * with {@link registerConfigSection} when they are loaded (`@mcp-agent/executor-temporal` the whole
 * `temporal` section, `@mcp-agent/providers-openai` the `openai` section, ...), and type them by
 * augmenting {@link SettingsSections}. Sections nobody registered pass through untouched, as do
 * the Python project's other sections and keys; any other key is reported as a likely typo.
 */
import { z } from 'zod';
import { ConfigError } from '../sandbox/errors.js';
import type { SettingsProblem } from './messages.js';
import { unknownKeys } from './unknown-keys.js';
import { OAuthSettingsSchema } from './mcp-client.js';
import {
  LoggerSettingsSchema,
  McpSettingsSchema,
  ModelConfigSchema,
  ModelPriceConfigSchema,
  OtelSettingsSchema,
  RetryPolicyConfigSchema,
  TemporalExecutionSettingsSchema,
} from './sections.js';

/** The sections core itself validates. */
const CORE_SHAPE = {
  execution_engine: z.string().min(1, { error: 'expected an engine name such as "asyncio" or "temporal", got ""' }).default('asyncio'),
  workflow_task_modules: z.array(z.string()).default(() => []),
  workflow_task_retry_policies: z.record(z.string(), RetryPolicyConfigSchema).default(() => ({})),
  temporal: TemporalExecutionSettingsSchema.optional(),
  logger: LoggerSettingsSchema.prefault({}),
  mcp: McpSettingsSchema.prefault({}),
  oauth: OAuthSettingsSchema.optional(),
  otel: OtelSettingsSchema.optional(),
  model_prices: z.record(z.string(), ModelPriceConfigSchema).default(() => ({})),
  models: z.array(ModelConfigSchema).default(() => []),
};

const CoreSettingsSchema = z.looseObject(CORE_SHAPE);

/**
 * The sections that packages contribute, by key, with their validated types. A package that
 * registers a section augments this interface so that `settings.<key>` is typed:
 *
 * @example
 * ```ts
 * declare module '@mcp-agent/core/config' {
 *   interface SettingsSections { temporal: TemporalSettings }
 * }
 * registerConfigSection({ key: 'temporal', schema: TemporalSettingsSchema, owner: '@mcp-agent/executor-temporal' });
 * ```
 */
// biome-ignore lint/suspicious/noEmptyInterface: filled in by module augmentation
export interface SettingsSections {}

/**
 * Validated settings: defaults applied, and each registered section validated by its package's
 * schema (`temporal.host`/`port` split, ...).
 *
 * @example
 * ```ts
 * const settings: Settings = parseSettings({ execution_engine: 'temporal' });
 * ```
 */
export type Settings = z.infer<typeof CoreSettingsSchema> & { [K in keyof SettingsSections]?: SettingsSections[K] };

/**
 * Settings as they may be written (before defaults), e.g. for `loadSettings({ overrides })`.
 *
 * @example
 * ```ts
 * const overrides: SettingsInput = { temporal: { host: 'localhost:7233' } };
 * ```
 */
export type SettingsInput = z.input<typeof CoreSettingsSchema>;

/**
 * The name of the engine that runs workflows: `asyncio` (in process, the default), `temporal`, or
 * any engine given to `new MCPApp({ engines })`.
 */
export type ExecutionEngineName = Settings['execution_engine'];

/** A config section a package validates: its top-level key, its schema, and the package (for messages). */
export interface ConfigSection {
  readonly key: string;
  readonly schema: z.ZodType;
  readonly owner: string;
}

interface SectionRegistry {
  sections: Map<string, ConfigSection>;
  schema: z.ZodType | undefined;
}

// On globalThis, so that two copies of core in one process see the same sections.
const REGISTRY_KEY = Symbol.for('mcp-agent.config-sections');
const holder = globalThis as unknown as Record<symbol, SectionRegistry | undefined>;
const registry = (holder[REGISTRY_KEY] ??= { sections: new Map(), schema: undefined });

/**
 * Adds a package's section to the settings schema: from now on `parseSettings` and `loadSettings`
 * validate `settings[key]` with `schema` (errors read `file: key.path: message`, as core's own).
 * Engine and provider packages call it when loaded. Registering the same schema again is a no-op;
 * another schema for a key taken by another package is an error.
 *
 * @throws ConfigError when another package owns the key, or the key is one core validates.
 */
export function registerConfigSection(section: ConfigSection): void {
  const existing = registry.sections.get(section.key);
  if (existing !== undefined) {
    if (existing.owner === section.owner) {
      // A second copy of the same package: keep the first, the schemas are the same.
      return;
    }
    throw new ConfigError(`config section "${section.key}" is registered by ${existing.owner} and again by ${section.owner}; install only one of them`);
  }
  if (section.key in CORE_SHAPE && section.key !== 'temporal') {
    throw new ConfigError(`config section "${section.key}" belongs to @mcp-agent/core; ${section.owner} can't replace it`);
  }
  registry.sections.set(section.key, section);
  registry.schema = undefined;
}

/** The sections packages registered so far, by key. */
export function registeredConfigSections(): ReadonlyMap<string, ConfigSection> {
  return registry.sections;
}

/**
 * The schema of the whole file: core's sections and every registered one. Prefer `parseSettings`
 * or `loadSettings`, which word every problem as `path: message`.
 */
export function settingsSchema(): z.ZodType<Settings, SettingsInput> {
  registry.schema ??= z.looseObject({
    ...CORE_SHAPE,
    ...Object.fromEntries([...registry.sections.values()].map((section) => [section.key, section.schema.optional()])),
  });
  return registry.schema as z.ZodType<Settings, SettingsInput>;
}

/**
 * The keys of `raw` that no schema declares and the Python project does not know (likely typos),
 * each with a suggestion. Core's partial view of `temporal` is not searched: only the package that
 * owns the section knows all its keys.
 */
export function unknownSettingsKeys(raw: unknown): SettingsProblem[] {
  const partial = new Set<z.ZodType>(registry.sections.has('temporal') ? [] : [TemporalExecutionSettingsSchema]);
  return unknownKeys(raw, settingsSchema(), partial);
}
