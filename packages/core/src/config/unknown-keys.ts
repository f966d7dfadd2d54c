/**
 * Unknown keys in the settings: keys that neither this project nor the Python `mcp-agent` reads,
 * usually a misspelt key (`exectuion_engine`), which would otherwise be ignored without a word.
 *
 * Internal to the config module; `loadSettings` and `parseSettings` report them as warnings (or,
 * when strict, as errors). Sections declared with `strictSection` reject unknown keys themselves.
 */
import type { z } from 'zod';
import { closestKey, type SettingsProblem } from './messages.js';
import { isPlainObject } from './tree.js';

/**
 * Keys of the Python project's settings (its `config.py`) that this project does not validate,
 * plus the sections this project's packages own, by where they appear (`*` stands for any key of
 * a mapping such as `mcp.servers`). They are accepted silently.
 */
const KNOWN_KEYS: Readonly<Record<string, readonly string[]>> = {
  '': [
    '$schema',
    'name',
    'description',
    'mcp',
    'execution_engine',
    'temporal',
    'anthropic',
    'bedrock',
    'cohere',
    'openai',
    'lm_studio',
    'workflow_task_modules',
    'workflow_task_retry_policies',
    'azure',
    'google',
    'vertexai',
    'otel',
    'logger',
    'usage_telemetry',
    'agents',
    'authorization',
    'oauth',
    'env',
    // Sections of this project's packages, accepted when the package is not installed.
    'server',
  ],
  temporal: ['host', 'namespace', 'api_key', 'tls', 'task_queue', 'max_concurrent_activities', 'timeout_seconds', 'rpc_metadata', 'id_reuse_policy', 'workflow_task_modules'],
  logger: ['type', 'transports', 'level', 'progress_display', 'path', 'path_settings', 'batch_size', 'flush_interval', 'max_queue_size', 'http_endpoint', 'http_headers', 'http_timeout'],
  mcp: ['servers', 'sampling', 'elicitation'],
  'mcp.servers.*': [
    'name',
    'description',
    'transport',
    'command',
    'args',
    'cwd',
    'url',
    'headers',
    'http_timeout_seconds',
    'read_timeout_seconds',
    'terminate_on_close',
    'auth',
    'roots',
    'env',
    'allowed_tools',
  ],
  otel: ['enabled', 'exporters', 'service_name', 'service_instance_id', 'service_version', 'sample_rate', 'path', 'path_settings', 'otlp_settings'],
  openai: ['api_key', 'reasoning_effort', 'base_url', 'user', 'default_headers', 'default_model', 'default_embedding_model', 'azure_endpoint', 'api_version', 'azure_deployment'],
  azure: [
    'api_key',
    'endpoint',
    'base_url',
    'api_version',
    'azure_deployment',
    'azure_ad_token',
    'azure_ad_token_provider',
    'credential_scopes',
    'default_model',
    'default_embedding_model',
  ],
  anthropic: ['api_key', 'default_model', 'provider', 'base_url', 'project', 'location', 'aws_access_key_id', 'aws_secret_access_key', 'aws_session_token', 'aws_region', 'profile'],
};

/** The parts of a zod schema's definition this walk reads. */
interface SchemaDefinition {
  readonly type: string;
  readonly shape?: Record<string, z.ZodType>;
  readonly catchall?: z.ZodType;
  readonly innerType?: z.ZodType;
  readonly in?: z.ZodType;
  readonly valueType?: z.ZodType;
  readonly element?: z.ZodType;
  readonly options?: readonly z.ZodType[];
}

function definitionOf(schema: z.ZodType): SchemaDefinition {
  return (schema as unknown as { _zod: { def: SchemaDefinition } })._zod.def;
}

/** Wrappers whose inner schema validates the value. */
const WRAPPERS = new Set(['optional', 'nullable', 'default', 'prefault', 'nonoptional', 'readonly', 'catch']);

/** The schema under optional/default/pipe wrappers. */
function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema;
  for (let depth = 0; depth < 20; depth++) {
    const definition = definitionOf(current);
    if (WRAPPERS.has(definition.type) && definition.innerType !== undefined) current = definition.innerType;
    else if (definition.type === 'pipe' && definition.in !== undefined) current = definition.in;
    else return current;
  }
  return current;
}

/**
 * Finds the keys of `value` that `schema` does not declare and the Python project does not know,
 * in every mapping the schema describes field by field. Mappings that reject unknown keys
 * themselves (`strictSection`) are only searched below. `partial` holds schemas that describe only
 * part of a section (core's view of `temporal` when its package is not loaded): their extra keys
 * are not reported.
 *
 * @example
 * ```ts
 * unknownKeys({ exectuion_engine: 'temporal' }, settingsSchema(), new Set());
 * // [{ path: ['exectuion_engine'], message: 'unknown key, so it has no effect (did you mean "execution_engine"?)' }]
 * ```
 */
export function unknownKeys(value: unknown, schema: z.ZodType, partial: ReadonlySet<z.ZodType>): SettingsProblem[] {
  const problems: SettingsProblem[] = [];
  walk(value, schema, [], [], partial, problems);
  return problems;
}

function walk(value: unknown, schema: z.ZodType, path: readonly PropertyKey[], pattern: readonly string[], partial: ReadonlySet<z.ZodType>, problems: SettingsProblem[]): void {
  const inner = unwrap(schema);
  const definition = definitionOf(inner);
  if (definition.type === 'object' && definition.shape !== undefined && isPlainObject(value)) {
    const shape = definition.shape;
    const strict = definition.catchall !== undefined && definitionOf(definition.catchall).type === 'never';
    const known = [...Object.keys(shape), ...(KNOWN_KEYS[pattern.join('.')] ?? [])];
    for (const [key, child] of Object.entries(value)) {
      const field = Object.hasOwn(shape, key) ? shape[key] : undefined;
      if (field !== undefined) walk(child, field, [...path, key], [...pattern, key], partial, problems);
      else if (!strict && !partial.has(schema) && !partial.has(inner) && !known.includes(key)) {
        const suggestion = closestKey(key, known);
        problems.push({
          path: [...path, key],
          message: `unknown key, so it has no effect${suggestion === undefined ? '; check its spelling, or remove it' : ` (did you mean ${JSON.stringify(suggestion)}?)`}`,
        });
      }
    }
    return;
  }
  if (definition.type === 'record' && definition.valueType !== undefined && isPlainObject(value)) {
    for (const [key, child] of Object.entries(value)) walk(child, definition.valueType, [...path, key], [...pattern, '*'], partial, problems);
    return;
  }
  if (definition.type === 'array' && definition.element !== undefined && Array.isArray(value)) {
    const element = definition.element;
    value.forEach((item: unknown, index) => {
      walk(item, element, [...path, index], [...pattern, '*'], partial, problems);
    });
    return;
  }
  if (definition.type === 'union' && definition.options !== undefined && isPlainObject(value)) {
    // Only when one option is a mapping is it clear which one describes the value.
    const mappings = definition.options.filter((option) => definitionOf(unwrap(option)).type === 'object');
    const only = mappings.length === 1 ? mappings[0] : undefined;
    if (only !== undefined) walk(value, only, path, pattern, partial, problems);
  }
}
