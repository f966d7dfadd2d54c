/**
 * The sections of `mcp_agent.config.yaml` that core reads: task retry policies, the engine-neutral
 * part of `temporal` (which the in-process engine honours too), `logger`, `mcp` and `otel`. Engine
 * and provider packages contribute their own sections (`registerConfigSection`).
 */
import { z } from 'zod';
import { secondsOrDurationToMilliseconds } from '../sandbox/duration.js';
import { describeValue } from './messages.js';
import { McpElicitationSchema, McpRootSchema, McpSamplingSchema, McpServerAuthSchema } from './mcp-client.js';
import { booleanSetting, DurationSchema, enumSetting, httpUrlSetting, numberSetting, positiveInteger, positiveNumber, strictSection, StringLikeSchema } from './fields.js';

/**
 * Retry policy of a workflow task (a Temporal activity), as in the Python project. Every key is
 * optional; unset keys fall back to the executor's defaults. Unknown keys are errors, because a
 * misspelt key would silently change retry behaviour.
 *
 * - `initial_interval`, `maximum_interval`: {@link DurationSchema durations}; the maximum may not
 *   be below the initial interval.
 * - `backoff_coefficient`: number >= 1.
 * - `maximum_attempts`: integer >= 0, where 0 means unlimited.
 * - `non_retryable_error_types`: error type names that are never retried.
 *
 * @example
 * ```ts
 * RetryPolicyConfigSchema.parse({ initial_interval: '1s', backoff_coefficient: 2, maximum_attempts: 5 });
 * ```
 */
export const RetryPolicyConfigSchema = strictSection({
  initial_interval: DurationSchema.optional(),
  maximum_interval: DurationSchema.optional(),
  backoff_coefficient: numberSetting({ minimum: 1 }).optional(),
  maximum_attempts: numberSetting({ integer: true, minimum: 0, note: '0 means unlimited' }).optional(),
  non_retryable_error_types: z.array(z.string()).optional(),
}).superRefine((policy, context) => {
  const { initial_interval: initial, maximum_interval: maximum } = policy;
  if (initial === undefined || maximum === undefined) return;
  // Either may still be invalid here (zod runs refinements after non-fatal issues).
  const milliseconds = (value: unknown): number | undefined => {
    try {
      return typeof value === 'number' || typeof value === 'string' ? secondsOrDurationToMilliseconds(value, 'interval') : undefined;
    } catch {
      return undefined;
    }
  };
  const initialMs = milliseconds(initial);
  const maximumMs = milliseconds(maximum);
  if (initialMs === undefined || maximumMs === undefined) return;
  if (maximumMs < initialMs) {
    context.addIssue({
      code: 'custom',
      path: ['maximum_interval'],
      input: maximum,
      message: `expected at least initial_interval (${describeValue(initial)}), got ${describeValue(maximum)}`,
    });
  }
});

/**
 * A validated retry policy, keys as in YAML.
 *
 * @example
 * ```ts
 * const policy: RetryPolicyConfig = { maximum_attempts: 1 };
 * ```
 */
export type RetryPolicyConfig = z.infer<typeof RetryPolicyConfigSchema>;

const ID_REUSE_POLICIES = ['allow_duplicate', 'allow_duplicate_failed_only', 'reject_duplicate', 'terminate_if_running'] as const;

/**
 * The keys of the `temporal` section that say how workflows run on any engine (the in-process
 * engine honours them too): `task_queue`, `namespace`, concurrency limits, the default attempt
 * timeout, the id reuse policy and the default retry policy. `@mcp-agent/executor-temporal`
 * extends them with the connection keys (host, TLS, API key, encryption, metrics).
 */
export const TEMPORAL_EXECUTION_FIELDS = {
  namespace: z.string().default('default'),
  task_queue: z.string().default('mcp-agent'),
  max_concurrent_activities: positiveInteger().optional(),
  max_concurrent_workflows: positiveInteger().optional(),
  // 0 turns the worker's workflow cache (and sticky task queues) off, as Temporal allows.
  max_cached_workflows: numberSetting({ integer: true, minimum: 0 }).optional(),
  timeout_seconds: positiveNumber().optional(),
  /**
   * Longest silence, in seconds, of a running model round trip, embedding or MCP operation
   * (`llm.*`, `embedding.*`, `mcp.*` tasks) on Temporal before the server takes the attempt for
   * lost and retries it. The worker heartbeats for these tasks every third of it while they wait,
   * so an attempt lost with its worker or in a server outage is re-sent within about this long
   * rather than after the whole attempt timeout (`timeout_seconds`). Default 30; 0 turns it off; a
   * call's own `heartbeatTimeout` wins. The in-process engine ignores it.
   */
  heartbeat_timeout_seconds: numberSetting({ minimum: 0, note: '0 turns it off' }).optional(),
  id_reuse_policy: enumSetting(ID_REUSE_POLICIES).default('allow_duplicate'),
  retry_policy: RetryPolicyConfigSchema.optional(),
};

/** The `temporal` section as core reads it when no engine package contributes the whole section. */
export const TemporalExecutionSettingsSchema = z.looseObject(TEMPORAL_EXECUTION_FIELDS);

/** The engine-neutral keys of the `temporal` section. */
export type TemporalExecutionSettings = z.infer<typeof TemporalExecutionSettingsSchema>;

// ---------------------------------------------------------------------------------------------
// Logger, MCP servers, model providers
// ---------------------------------------------------------------------------------------------

const LOGGER_TRANSPORTS = ['console', 'file', 'none'] as const;

/**
 * The `logger` section. `level` defaults to `info`; `warn` is accepted as a synonym of `warning`.
 * Other keys (such as the Python project's `progress_display`) pass through.
 *
 * @example
 * ```ts
 * LoggerSettingsSchema.parse({ transports: ['console', 'file'], path: 'logs/agent.jsonl' }).level; // 'info'
 * ```
 */
export const LoggerSettingsSchema = z
  .looseObject({
    type: enumSetting(LOGGER_TRANSPORTS).optional(),
    transports: z.array(enumSetting(LOGGER_TRANSPORTS)).optional(),
    level: enumSetting(['debug', 'info', 'warning', 'warn', 'error']).default('info'),
    path: z.string().optional(),
  })
  .superRefine((logger, context) => {
    const usesFile = logger.type === 'file' || logger.transports?.includes('file') === true;
    if (usesFile && (logger.path === undefined || logger.path.trim() === '')) {
      context.addIssue({
        code: 'custom',
        path: ['path'],
        input: logger.path,
        message: 'the file transport needs a path, such as logs/mcp-agent.jsonl; set logger.path or remove "file" from the transports',
      });
    }
  });

/**
 * Validated `logger` section.
 *
 * @example
 * ```ts
 * const level: LoggerSettings['level'] = settings.logger.level; // 'info' unless configured
 * ```
 */
export type LoggerSettings = z.infer<typeof LoggerSettingsSchema>;

const MCP_TRANSPORTS = ['stdio', 'sse', 'streamable_http', 'websocket'] as const;

const URL_EXAMPLES: Record<(typeof MCP_TRANSPORTS)[number], string> = {
  stdio: '',
  sse: 'http://localhost:8000/sse',
  streamable_http: 'http://localhost:8000/mcp',
  websocket: 'ws://localhost:8000/ws',
};

/** The URL schemes each remote transport connects with. */
const URL_SCHEMES: Record<(typeof MCP_TRANSPORTS)[number], readonly string[]> = {
  stdio: [],
  sse: ['http:', 'https:'],
  streamable_http: ['http:', 'https:'],
  websocket: ['ws:', 'wss:'],
};

/**
 * Why `url` can't reach a server of `transport`, or `undefined` when it can. Without a scheme,
 * `localhost:8000/mcp` parses as a URL of scheme `localhost:`, so the scheme is checked too.
 */
function urlProblem(url: string, transport: (typeof MCP_TRANSPORTS)[number]): string | undefined {
  const schemes = URL_SCHEMES[transport];
  const scheme = URL.canParse(url) ? new URL(url).protocol : undefined;
  if (scheme !== undefined && schemes.includes(scheme)) return undefined;
  const expected = `expected an absolute URL (${schemes.map((name) => `${name}//`).join(' or ')}) such as "${URL_EXAMPLES[transport]}", got ${describeValue(url)}`;
  const hasScheme = scheme !== undefined && /^[a-z][a-z0-9+.-]*:\/\//i.test(url);
  // A host and port without a scheme (`localhost:8000/mcp`) gets the URL it most likely means.
  if (hasScheme || !/^\/*[\w.-]+(:\d+)?(\/\S*)?$/.test(url)) return expected;
  return `${expected}; add the scheme: "${schemes[0] ?? 'http:'}//${url.replace(/^\/+/, '')}"`;
}

const TRANSPORT_PHRASES: Record<(typeof MCP_TRANSPORTS)[number], string> = {
  stdio: 'a stdio server',
  sse: 'an sse server',
  streamable_http: 'a streamable_http server',
  websocket: 'a websocket server',
};

/** The session scopes of an MCP server (`mcp.servers.<name>.session.scope`). */
export const MCP_SESSION_SCOPES = ['process', 'run', 'pool'] as const;

/**
 * How an MCP server's sessions are shared (`mcp.servers.<name>.session`), per worker process:
 *
 * - `scope: process` (the default): one session shared by every caller; right for stateless servers.
 * - `scope: run`: one session per workflow run, opened on its first call, on whichever worker
 *   runs it (after a worker crash the run's next call opens a fresh session on the worker that
 *   runs it). A run's session closes when the engine reports the run ended (in-process), after
 *   `idle_seconds` without a call (default 300), or when more than `max_sessions` runs hold one
 *   (default 32; the least recently used idle session closes). Right for browsers, shells, databases.
 *   On Temporal each worker also polls a task queue of its own, and a run's calls go to the
 *   worker that holds its session; a call that worker does not take within
 *   `affinity_timeout_seconds` (default 10: it died) moves the run to a live worker.
 * - `scope: pool`: `pool_size` sessions (default 4), each call on the least busy; a dead one
 *   is reopened by its next call. For stateless servers that serve one request at a time.
 *
 * A crash of one session never fails calls on another. Unknown keys are errors.
 *
 * @example
 * ```ts
 * McpSessionConfigSchema.parse({ scope: 'run', idle_seconds: 120, max_sessions: 8, affinity_timeout_seconds: 5 });
 * McpSessionConfigSchema.parse({ scope: 'pool', pool_size: 4 });
 * ```
 */
export const McpSessionConfigSchema = strictSection({
  scope: enumSetting(MCP_SESSION_SCOPES).default('process'),
  pool_size: positiveInteger().optional(),
  idle_seconds: positiveNumber().optional(),
  max_sessions: positiveInteger().optional(),
  affinity_timeout_seconds: positiveNumber().optional(),
}).superRefine((session, context) => {
  if (session.pool_size !== undefined && session.scope !== 'pool') {
    context.addIssue({
      code: 'custom',
      path: ['pool_size'],
      input: session.pool_size,
      message: `pool_size applies to scope "pool", but scope is "${session.scope}"; set scope: pool, or remove pool_size`,
    });
  }
  for (const key of ['idle_seconds', 'max_sessions', 'affinity_timeout_seconds'] as const) {
    if (session[key] !== undefined && session.scope !== 'run') {
      context.addIssue({
        code: 'custom',
        path: [key],
        input: session[key],
        message: `${key} applies to scope "run", but scope is "${session.scope}"; set scope: run, or remove ${key}`,
      });
    }
  }
});

/**
 * One MCP server under `mcp.servers.<name>`. `transport` defaults to `stdio`, which needs
 * `command` (plus optional `args`, `env`, `cwd`); `sse`, `streamable_http` and `websocket` need
 * `url` (plus optional `headers`), an absolute `http://`/`https://` URL (`ws://`/`wss://` for
 * `websocket`). Values of `env` and `headers` may be numbers or booleans and become strings.
 * `auth` (an `api_key` or `oauth`) and `roots` are the MCP client's (`./mcp-client.ts`); `session`
 * is how its sessions are shared ({@link McpSessionConfigSchema}). Other keys of the Python
 * project pass through.
 *
 * @example
 * ```ts
 * McpServerConfigSchema.parse({ command: 'uvx', args: ['mcp-server-fetch'] });
 * McpServerConfigSchema.parse({ transport: 'sse', url: 'http://localhost:8000/sse' });
 * ```
 */
export const McpServerConfigSchema = z
  .looseObject({
    name: z.string().optional(),
    description: z.string().optional(),
    transport: enumSetting(MCP_TRANSPORTS).default('stdio'),
    command: z.string().optional(),
    args: z.array(z.string()).optional(),
    env: z.record(z.string(), StringLikeSchema).optional(),
    cwd: z.string().optional(),
    url: z.string().optional(),
    headers: z.record(z.string(), StringLikeSchema).optional(),
    read_timeout_seconds: positiveNumber().optional(),
    http_timeout_seconds: positiveNumber().optional(),
    allowed_tools: z.array(z.string()).optional(),
    auth: McpServerAuthSchema.optional(),
    roots: z.array(McpRootSchema).optional(),
    session: McpSessionConfigSchema.optional(),
  })
  .superRefine((server, context) => {
    if (server.transport === 'stdio') {
      if (server.command === undefined || server.command.trim() === '') {
        context.addIssue({
          code: 'custom',
          path: [],
          input: server.command,
          message:
            `${TRANSPORT_PHRASES.stdio} needs "command", the program that starts it (for example command: "npx" with args: ["-y", "my-mcp-server"]); ` +
            'add command, or set transport to "sse", "streamable_http" or "websocket" and give its url',
        });
      }
      return;
    }
    if (server.url === undefined || server.url.trim() === '') {
      context.addIssue({
        code: 'custom',
        path: [],
        input: server.url,
        message:
          `${TRANSPORT_PHRASES[server.transport]} needs "url", its endpoint (for example url: "${URL_EXAMPLES[server.transport]}"); ` +
          'add url, or set transport to "stdio" and give its command',
      });
      return;
    }
    const problem = urlProblem(server.url.trim(), server.transport);
    if (problem !== undefined) context.addIssue({ code: 'custom', path: ['url'], input: server.url, message: problem });
  });

/**
 * Validated MCP server entry.
 *
 * @example
 * ```ts
 * const fetch: McpServerConfig | undefined = settings.mcp.servers['fetch'];
 * ```
 */
export type McpServerConfig = z.infer<typeof McpServerConfigSchema>;

/**
 * The `mcp` section: `servers` maps a server name to its {@link McpServerConfigSchema settings}
 * and defaults to no servers.
 *
 * @example
 * ```ts
 * McpSettingsSchema.parse({ servers: { fetch: { command: 'uvx', args: ['mcp-server-fetch'] } } });
 * ```
 */
export const McpSettingsSchema = z.looseObject({
  servers: z.record(z.string(), McpServerConfigSchema).default(() => ({})),
  sampling: McpSamplingSchema.optional(),
  elicitation: McpElicitationSchema.optional(),
});

/**
 * Validated `mcp` section.
 *
 * @example
 * ```ts
 * const serverNames = Object.keys((settings.mcp satisfies McpSettings).servers);
 * ```
 */
export type McpSettings = z.infer<typeof McpSettingsSchema>;

/**
 * A model provider section (`openai`, `anthropic`): `api_key`, `base_url`, `default_model`, and
 * any other key the provider understands.
 *
 * @example
 * ```ts
 * ProviderSettingsSchema.parse({ default_model: 'gpt-4o', reasoning_effort: 'low' });
 * ```
 */
export const ProviderSettingsSchema = z.looseObject({
  api_key: z.string().optional(),
  base_url: z.string().optional(),
  default_model: z.string().optional(),
});

/**
 * Validated provider section.
 *
 * @example
 * ```ts
 * const model = (settings.openai satisfies ProviderSettings | undefined)?.default_model ?? 'gpt-4o';
 * ```
 */
export type ProviderSettings = z.infer<typeof ProviderSettingsSchema>;

// ---------------------------------------------------------------------------------------------
// OpenTelemetry tracing
// ---------------------------------------------------------------------------------------------

const OTEL_EXPORTERS = ['console', 'otlp'] as const;

/**
 * Where `otel.exporters: [otlp]` sends spans (`otel.otlp_settings`): `endpoint`, the full OTLP/HTTP
 * traces URL (`http://localhost:4318/v1/traces`), and optional `headers` (for a vendor's API key,
 * usually from `${ENV}` or the secrets file). Unknown keys are errors.
 *
 * @example
 * ```ts
 * OtlpSettingsSchema.parse({ endpoint: 'http://localhost:4318/v1/traces', headers: { 'x-api-key': 'k' } });
 * ```
 */
export const OtlpSettingsSchema = strictSection({
  endpoint: httpUrlSetting('http://localhost:4318/v1/traces'),
  headers: z.record(z.string(), StringLikeSchema).optional(),
});

/**
 * The `otel` section, as in the Python project: tracing of workflows, activities, model requests
 * and MCP tool calls with OpenTelemetry.
 *
 * - `enabled` (default false) turns tracing on.
 * - `service_name` (default `mcp-agent`) and `service_version` name the service in the traces.
 * - `exporters`: `console` (spans printed to stdout) and/or `otlp` (sent to
 *   {@link OtlpSettingsSchema `otlp_settings.endpoint`}, which `otlp` needs). Default none: spans
 *   go only where the app's code sends them.
 * - `sample_rate` (0 to 1, default 1): the share of traces recorded where a trace starts.
 *
 * Other keys of the Python section (such as `service_instance_id`) pass through.
 *
 * @example
 * ```ts
 * OtelSettingsSchema.parse({ enabled: true, service_name: 'approvals', exporters: ['otlp'], otlp_settings: { endpoint: 'http://localhost:4318/v1/traces' } });
 * ```
 */
export const OtelSettingsSchema = z
  .looseObject({
    enabled: booleanSetting().default(false),
    service_name: z.string().min(1, { error: 'expected a service name, got ""' }).optional(),
    service_version: z.string().optional(),
    exporters: z.array(enumSetting(OTEL_EXPORTERS)).optional(),
    otlp_settings: OtlpSettingsSchema.optional(),
    sample_rate: numberSetting({ minimum: 0, maximum: 1 }).optional(),
  })
  .superRefine((otel, context) => {
    if (otel.exporters?.includes('otlp') === true && otel.otlp_settings === undefined) {
      context.addIssue({
        code: 'custom',
        path: ['otlp_settings'],
        input: undefined,
        message: 'exporter "otlp" needs otlp_settings.endpoint, the collector\'s traces URL (for example "http://localhost:4318/v1/traces")',
      });
    }
  });

/**
 * Validated `otel` section.
 *
 * @example
 * ```ts
 * if ((settings.otel satisfies OtelSettings | undefined)?.enabled) console.log('tracing on');
 * ```
 */
export type OtelSettings = z.infer<typeof OtelSettingsSchema>;

// ---------------------------------------------------------------------------------------------
// The whole file
// ---------------------------------------------------------------------------------------------

/**
 * The price of a model in `model_prices`, US dollars per million tokens, over the built-in table
 * (a model is priced by the longest key its name starts with).
 *
 * @example
 * ```yaml
 * model_prices:
 *   gpt-4o-mini: { input_per_million_tokens: 0.15, output_per_million_tokens: 0.6 }
 * ```
 */
export const ModelPriceConfigSchema = strictSection({
  input_per_million_tokens: numberSetting({ minimum: 0 }),
  output_per_million_tokens: numberSetting({ minimum: 0 }),
});

/**
 * One entry of `models`: a model for model selection (`modelPreferences`) and pricing, added to
 * the built-in model table or replacing its entry of the same provider and name. `provider` is
 * the mcp-agent provider that serves it (`openai`, `anthropic`, `google`, ...); the figures are
 * optional, and a missing one scores as the median of the candidates.
 *
 * @example
 * ```yaml
 * models:
 *   - name: mistral-large-latest
 *     provider: mistral
 *     context_window: 131072
 *     tool_calling: true
 *     input_per_million_tokens: 2
 *     output_per_million_tokens: 6
 *     time_to_first_token_ms: 400
 *     tokens_per_second: 60
 *     intelligence: 45        # a blended benchmark score, 0 to 100
 * ```
 */
export const ModelConfigSchema = strictSection({
  name: z.string().min(1),
  provider: z.string().min(1),
  context_window: positiveInteger().optional(),
  tool_calling: booleanSetting().optional(),
  structured_outputs: booleanSetting().optional(),
  input_per_million_tokens: numberSetting({ minimum: 0 }).optional(),
  output_per_million_tokens: numberSetting({ minimum: 0 }).optional(),
  time_to_first_token_ms: positiveNumber().optional(),
  tokens_per_second: positiveNumber().optional(),
  intelligence: numberSetting({ minimum: 0, maximum: 100 }).optional(),
});
