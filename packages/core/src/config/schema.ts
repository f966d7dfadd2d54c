/**
 * Zod schemas of `mcp_agent.config.yaml`, the configuration file shared with the Python
 * `mcp-agent` project. Keys stay snake_case exactly as written in YAML.
 *
 * Sections accept keys they do not know (Python config files carry many other sections), except
 * where a typo would silently change behaviour: retry policies, `temporal.tls` and
 * `temporal.data_converter` reject unknown keys.
 *
 * Numbers and booleans also accept their string spellings (`"7233"`, `"true"`), so values that
 * come from `${ENV_VAR}` interpolation validate like the values they stand for.
 */

import { z } from 'zod';
import { describeValue, listValues, unknownKeysMessage } from './messages.js';

/** Something a per-schema `error` function can read from an issue. */
interface IssueInput {
  readonly input?: unknown;
}

// ---------------------------------------------------------------------------------------------
// Field builders: each writes its own messages, naming the received value and what is allowed.
// ---------------------------------------------------------------------------------------------

/** A decimal number written as a string, such as `"7233"`, `"0.5"` or `"1e3"`. */
const NUMERIC_STRING = /^\s*[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?\s*$/;

/** What a number field allows. */
interface NumberRule {
  /** Whole numbers only. */
  readonly integer?: boolean;
  /** The smallest allowed value. */
  readonly minimum?: number;
  /** When true, `minimum` itself is not allowed. */
  readonly exclusiveMinimum?: boolean;
  /** The largest allowed value, inclusive. */
  readonly maximum?: number;
  /** The noun used in messages; defaults to "number" or "integer". */
  readonly noun?: string;
  /** A note appended to range messages, such as "0 means unlimited". */
  readonly note?: string;
}

/** "a positive integer", "an integer from 1 to 65535", "a number >= 1", ... */
function describeNumberRule(rule: NumberRule): string {
  const noun = rule.noun ?? (rule.integer === true ? 'integer' : 'number');
  const article = /^[aeiou]/.test(noun) ? 'an' : 'a';
  if (rule.minimum !== undefined && rule.maximum !== undefined && rule.exclusiveMinimum !== true) {
    return `${article} ${noun} from ${rule.minimum} to ${rule.maximum}`;
  }
  if (rule.minimum === 0 && rule.exclusiveMinimum === true) return `a positive ${noun}`;
  const bounds: string[] = [];
  if (rule.minimum !== undefined) bounds.push(`${rule.exclusiveMinimum === true ? '>' : '>='} ${rule.minimum}`);
  if (rule.maximum !== undefined) bounds.push(`<= ${rule.maximum}`);
  return [`${article} ${noun}`, ...bounds].join(' ');
}

function satisfiesNumberRule(rule: NumberRule, value: number): boolean {
  if (rule.integer === true && !Number.isInteger(value)) return false;
  if (rule.minimum !== undefined && (rule.exclusiveMinimum === true ? value <= rule.minimum : value < rule.minimum)) return false;
  return rule.maximum === undefined || value <= rule.maximum;
}

/**
 * A number field: accepts a number or a numeric string (converted), then checks the rule.
 * Type errors read `expected a number, got "abc"`; range errors name the allowed range.
 */
function numberSetting(rule: NumberRule = {}) {
  const notNumber = (issue: IssueInput) => `expected a number, got ${describeValue(issue.input)}`;
  const outOfRange = (issue: IssueInput) =>
    `expected ${describeNumberRule(rule)}${rule.note === undefined ? '' : ` (${rule.note})`}, got ${describeValue(issue.input)}`;
  return z
    .union([z.number({ error: notNumber }), z.string().regex(NUMERIC_STRING, { error: notNumber }).transform(Number)], {
      error: notNumber,
    })
    .pipe(z.number({ error: notNumber }).refine((value) => satisfiesNumberRule(rule, value), { error: outOfRange }));
}

const BOOLEAN_WORDS = new Map<string, boolean>([
  ['true', true],
  ['yes', true],
  ['on', true],
  ['1', true],
  ['false', false],
  ['no', false],
  ['off', false],
  ['0', false],
]);

/** A boolean field: accepts `true`/`false` and the words `"true"`, `"yes"`, `"on"`, `"1"` and their opposites. */
function booleanSetting() {
  const notBoolean = (issue: IssueInput) => `expected true or false, got ${describeValue(issue.input)}`;
  return z.union(
    [
      z.boolean({ error: notBoolean }),
      z
        .string()
        .refine((word) => BOOLEAN_WORDS.has(word.trim().toLowerCase()), { error: notBoolean })
        .transform((word) => BOOLEAN_WORDS.get(word.trim().toLowerCase()) === true),
    ],
    { error: notBoolean },
  );
}

/** An enum field whose message lists the allowed values and the received one. */
function enumSetting<const Values extends readonly [string, ...string[]]>(values: Values) {
  return z.enum(values, { error: (issue: IssueInput) => `expected one of ${listValues(values)}, got ${describeValue(issue.input)}` });
}

/** A string-valued map entry that also accepts numbers and booleans, converted to strings (`PORT: 8080`). */
const StringLikeSchema = z.union(
  [z.string(), z.number().transform(String), z.boolean().transform(String)],
  { error: (issue: IssueInput) => `expected a string, got ${describeValue(issue.input)}` },
);

/** A mapping that rejects unknown keys, suggesting the closest allowed key. */
function strictSection<Shape extends z.core.$ZodLooseShape>(shape: Shape) {
  const allowed = Object.keys(shape);
  return z.strictObject(shape, {
    error: (issue) => {
      if (issue.code === 'unrecognized_keys') return unknownKeysMessage(issue.keys, allowed);
      if (issue.code === 'invalid_type') return `expected a mapping with keys ${listValues(allowed)}, got ${describeValue(issue.input)}`;
      return undefined;
    },
  });
}

const positiveInteger = () => numberSetting({ integer: true, minimum: 0, exclusiveMinimum: true });
const positiveNumber = () => numberSetting({ minimum: 0, exclusiveMinimum: true });

// ---------------------------------------------------------------------------------------------
// Durations and retry policies
// ---------------------------------------------------------------------------------------------

const DURATION_UNIT_MILLISECONDS = new Map<string, number>([
  ['ms', 1],
  ['millisecond', 1],
  ['milliseconds', 1],
  ['s', 1_000],
  ['second', 1_000],
  ['seconds', 1_000],
  ['m', 60_000],
  ['minute', 60_000],
  ['minutes', 60_000],
  ['h', 3_600_000],
  ['hour', 3_600_000],
  ['hours', 3_600_000],
  ['d', 86_400_000],
  ['day', 86_400_000],
  ['days', 86_400_000],
]);

/** `<number><optional space><unit>`, the unit one of ms, s, m, h, d or their long forms. */
const DURATION_PATTERN = /^(\d+(?:\.\d+)?|\.\d+) ?(ms|milliseconds?|s|seconds?|m|minutes?|h|hours?|d|days?)$/;

const DURATION_EXPECTATION = 'a number of seconds or a duration like "500ms", "2s", "5 minutes" or "1h"';

/**
 * A duration: a number of seconds (>= 0) or a string such as `"500ms"`, `"2s"`, `"5 minutes"`,
 * `"1h"`. The value is kept as written; `secondsOrDurationToMilliseconds` converts it.
 *
 * @example
 * ```ts
 * DurationSchema.parse('5 minutes'); // '5 minutes'
 * DurationSchema.parse(1.5);         // 1.5 (seconds)
 * ```
 */
export const DurationSchema = z.union(
  [
    numberSetting({ minimum: 0, noun: 'number of seconds' }),
    z.string().regex(DURATION_PATTERN, {
      error: (issue: IssueInput) => `expected ${DURATION_EXPECTATION}, got ${describeValue(issue.input)}`,
    }),
  ],
  { error: (issue: IssueInput) => `expected ${DURATION_EXPECTATION}, got ${describeValue(issue.input)}` },
);

/**
 * A duration as written in the config: seconds as a number, or a string like `"2s"`.
 *
 * @example
 * ```ts
 * const interval: DurationSetting = '500ms';
 * ```
 */
export type DurationSetting = z.infer<typeof DurationSchema>;

/**
 * Converts a configured duration to milliseconds, for comparing intervals. Numbers are seconds;
 * strings carry a unit. Only called on values that {@link isDuration} accepted.
 */
function durationToMilliseconds(duration: number | string): number {
  if (typeof duration === 'number') return duration * 1_000;
  const match = DURATION_PATTERN.exec(duration.trim());
  const unit = match?.[2] === undefined ? undefined : DURATION_UNIT_MILLISECONDS.get(match[2]);
  if (match?.[1] === undefined || unit === undefined) {
    throw new RangeError(`not a duration: ${JSON.stringify(duration)}; expected ${DURATION_EXPECTATION}`);
  }
  return Number(match[1]) * unit;
}

/** True when `value` is a valid duration: a finite number >= 0 or a duration string. */
function isDuration(value: unknown): value is number | string {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0;
  return typeof value === 'string' && DURATION_PATTERN.test(value.trim());
}

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
  if (!isDuration(initial) || !isDuration(maximum)) return;
  if (durationToMilliseconds(maximum) < durationToMilliseconds(initial)) {
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

// ---------------------------------------------------------------------------------------------
// Temporal
// ---------------------------------------------------------------------------------------------

/**
 * TLS files for the Temporal connection (`temporal.tls` when it is a mapping). Paths are read by
 * the Temporal executor. Unknown keys are errors.
 *
 * @example
 * ```ts
 * TemporalTlsConfigSchema.parse({ client_cert_path: 'certs/client.pem', client_key_path: 'certs/client.key' });
 * ```
 */
export const TemporalTlsConfigSchema = strictSection({
  client_cert_path: z.string().optional(),
  client_key_path: z.string().optional(),
  ca_cert_path: z.string().optional(),
  server_name: z.string().optional(),
});

/**
 * Validated `temporal.tls` mapping.
 *
 * @example
 * ```ts
 * const tls: TemporalTlsConfig = { ca_cert_path: 'certs/ca.pem', server_name: 'temporal.internal' };
 * ```
 */
export type TemporalTlsConfig = z.infer<typeof TemporalTlsConfigSchema>;

/**
 * A key kept to decrypt payloads written before a rotation: the key alone (its id is derived
 * from it), or the key with the `key_id` it was given.
 *
 * @example
 * ```ts
 * PreviousKeySchema.parse({ key_id: '2025-q4', key: '${OLD_PAYLOAD_KEY}' });
 * ```
 */
export const PreviousKeySchema = z.union(
  [z.string(), strictSection({ key: z.string(), key_id: z.string().min(1).optional() })],
  { error: (issue: IssueInput) => `expected a key, or a mapping with keys "key" and "key_id", got ${describeValue(issue.input)}` },
);

/**
 * Payload encoding of the Temporal client and worker (`temporal.data_converter`). Giving
 * `encryption_key` turns on `aes256gcm` (the only codec); `codec: aes256gcm` without a key is an
 * error when the client or worker starts. `key_id` names the key in each payload (default: derived
 * from the key); `previous_keys` still decrypt payloads written with earlier keys. `compress`
 * deflates payloads before encrypting them. Unknown keys are errors, since a misspelt key would
 * silently turn encryption off.
 *
 * @example
 * ```ts
 * DataConverterConfigSchema.parse({ encryption_key: '${PAYLOAD_KEY}', codec: 'aes256gcm', compress: true });
 * ```
 */
export const DataConverterConfigSchema = strictSection({
  encryption_key: z.string().optional(),
  key_id: z.string().min(1, { error: 'expected a non-empty key id such as "2026-11"' }).optional(),
  previous_keys: z.array(PreviousKeySchema).optional(),
  codec: enumSetting(['aes256gcm', 'none']).optional(),
  compress: booleanSetting().optional(),
});

/**
 * Validated `temporal.data_converter`.
 *
 * @example
 * ```ts
 * const converter: DataConverterConfig = { codec: 'aes256gcm', encryption_key: key, compress: true };
 * ```
 */
export type DataConverterConfig = z.infer<typeof DataConverterConfigSchema>;

/** `a.b.c.d:port` or `[ipv6]:port`: what Temporal's Prometheus exporter can bind (it takes no hostnames). */
const BIND_ADDRESS_PATTERN = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}|\[[0-9A-Fa-f:.]+\]):(\d{1,5})$/;

const BIND_ADDRESS_EXPECTATION = 'an IP address and port such as "127.0.0.1:9464", "0.0.0.0:9464" or "[::1]:9464" (a hostname is not accepted)';

/** A socket address to listen on, `ip:port`, the port from 1 to 65535. */
function bindAddressSetting() {
  const problem = (issue: IssueInput) => `expected ${BIND_ADDRESS_EXPECTATION}, got ${describeValue(issue.input)}`;
  return z
    .string({ error: problem })
    .trim()
    .refine(
      (address) => {
        const port = BIND_ADDRESS_PATTERN.exec(address)?.[1];
        return port !== undefined && Number(port) >= 1 && Number(port) <= 65535;
      },
      { error: problem },
    );
}

/** An absolute `http://` or `https://` URL. */
function httpUrlSetting(example: string) {
  const problem = (issue: IssueInput) => `expected an absolute http:// or https:// URL such as "${example}", got ${describeValue(issue.input)}`;
  return z.string({ error: problem }).refine((url) => URL.canParse(url) && /^https?:$/.test(new URL(url).protocol), { error: problem });
}

/**
 * Metrics of the Temporal runtime (`temporal.metrics`): Temporal's own worker metrics and the
 * framework's `mcp_agent_*` metrics, which activities and workflows record through the runtime's
 * meter. One exporter:
 *
 * - `prometheus.bind_address`: serve them for scraping at `http://<bind_address>/metrics`; an IP
 *   address and port such as `127.0.0.1:9464` (`0.0.0.0:9464` to be scraped from other hosts).
 * - `otlp`: push them to an OpenTelemetry collector: `url` (`http://collector:4317` for OTLP/gRPC,
 *   or `http://collector:4318/v1/metrics` with `http: true`), optional `headers`.
 *
 * The runtime is process-wide and made once, by the first worker of the process. Unknown keys
 * are errors.
 *
 * @example
 * ```ts
 * TemporalMetricsConfigSchema.parse({ prometheus: { bind_address: '0.0.0.0:9464' } });
 * TemporalMetricsConfigSchema.parse({ otlp: { url: 'http://localhost:4318/v1/metrics', http: true } });
 * ```
 */
export const TemporalMetricsConfigSchema = strictSection({
  prometheus: strictSection({ bind_address: bindAddressSetting() }).optional(),
  otlp: strictSection({
    url: httpUrlSetting('http://localhost:4317'),
    http: booleanSetting().optional(),
    headers: z.record(z.string(), StringLikeSchema).optional(),
  }).optional(),
}).superRefine((metrics, context) => {
  if (metrics.prometheus !== undefined && metrics.otlp !== undefined) {
    context.addIssue({ code: 'custom', path: [], input: metrics, message: 'give one exporter, prometheus or otlp, not both' });
  } else if (metrics.prometheus === undefined && metrics.otlp === undefined) {
    context.addIssue({ code: 'custom', path: [], input: metrics, message: 'give an exporter: prometheus: { bind_address: "127.0.0.1:9464" } or otlp: { url: ... }' });
  }
});

/**
 * Validated `temporal.metrics`.
 *
 * @example
 * ```ts
 * const address = (metrics satisfies TemporalMetricsConfig).prometheus?.bind_address; // '127.0.0.1:9464'
 * ```
 */
export type TemporalMetricsConfig = z.infer<typeof TemporalMetricsConfigSchema>;

const ID_REUSE_POLICIES = ['allow_duplicate', 'allow_duplicate_failed_only', 'reject_duplicate', 'terminate_if_running'] as const;

const TLS_EXPECTATION = `true, false or a mapping with keys ${listValues(Object.keys(TemporalTlsConfigSchema.shape))}`;

const TemporalFieldsSchema = z.looseObject({
  host: z.string().min(1, { error: 'expected a hostname such as "localhost" or "localhost:7233", got ""' }).optional(),
  port: numberSetting({ integer: true, minimum: 1, maximum: 65535 }).optional(),
  namespace: z.string().default('default'),
  task_queue: z.string().default('mcp-agent'),
  max_concurrent_activities: positiveInteger().optional(),
  max_concurrent_workflows: positiveInteger().optional(),
  // 0 turns the worker's workflow cache (and sticky task queues) off, as Temporal allows.
  max_cached_workflows: numberSetting({ integer: true, minimum: 0 }).optional(),
  timeout_seconds: positiveNumber().optional(),
  id_reuse_policy: enumSetting(ID_REUSE_POLICIES).default('allow_duplicate'),
  rpc_metadata: z.record(z.string(), StringLikeSchema).optional(),
  api_key: z.string().optional(),
  auth: z.looseObject({ api_key: z.string().optional() }).optional(),
  tls: z
    .union([booleanSetting(), TemporalTlsConfigSchema], {
      error: (issue: IssueInput) => `expected ${TLS_EXPECTATION}, got ${describeValue(issue.input)}`,
    })
    .optional(),
  data_converter: DataConverterConfigSchema.optional(),
  metrics: TemporalMetricsConfigSchema.optional(),
  retry_policy: RetryPolicyConfigSchema.optional(),
});

/** `host` split into hostname and optional port, or the reason it can't be. */
type SplitHost = { readonly hostname: string; readonly port?: number } | { readonly problem: string };

const HOST_EXPECTATION = 'expected "hostname" or "hostname:port" with a port from 1 to 65535';

/**
 * Splits `host:port`. A bracketed IPv6 address keeps its brackets (`[::1]:7233` gives `[::1]`);
 * a bare IPv6 address (several colons) is a hostname without port.
 */
function splitHost(host: string): SplitHost {
  const bracketed = /^(\[[^\]]+\])(?::(.*))?$/.exec(host);
  const [hostname, portText] = bracketed
    ? [bracketed[1] ?? '', bracketed[2]]
    : host.split(':').length === 2
      ? (host.split(':') as [string, string])
      : [host, undefined];
  if (portText === undefined) return { hostname };
  const port = /^\d+$/.test(portText) ? Number(portText) : Number.NaN;
  if (hostname === '' || !(port >= 1 && port <= 65535)) return { problem: `${HOST_EXPECTATION}, got ${describeValue(host)}` };
  return { hostname, port };
}

/**
 * The `temporal` section. When present its defaults are host `localhost`, port 7233, namespace
 * `default`, task queue `mcp-agent` and id reuse policy `allow_duplicate`.
 *
 * `host` may carry the port (`my-namespace.tmprl.cloud:7233`), as in the Python project; after
 * parsing `host` is the hostname and `port` the number. Giving a different `port` as well is an
 * error. The Python guide's `auth: { api_key }` is folded into `api_key`. `tls` is `true` (system
 * roots), `false`, or a {@link TemporalTlsConfigSchema mapping of certificate paths}.
 *
 * @example
 * ```ts
 * const temporal = TemporalSettingsSchema.parse({ host: 'my-ns.a1b2c.tmprl.cloud:7233', namespace: 'my-ns.a1b2c', tls: true });
 * temporal.host; // 'my-ns.a1b2c.tmprl.cloud'
 * temporal.port; // 7233
 * ```
 */
export const TemporalSettingsSchema = TemporalFieldsSchema.transform((temporal, context) => {
  let host = 'localhost';
  let port = temporal.port;
  if (temporal.host !== undefined) {
    const split = splitHost(temporal.host.trim());
    if ('problem' in split) {
      context.addIssue({ code: 'custom', path: ['host'], input: temporal.host, message: split.problem });
      return z.NEVER;
    }
    host = split.hostname;
    if (split.port !== undefined) {
      if (port !== undefined && port !== split.port) {
        context.addIssue({
          code: 'custom',
          path: ['port'],
          input: port,
          message:
            `temporal.host ${describeValue(temporal.host)} includes port ${split.port} but temporal.port is ${port}; ` +
            'give the port in one place only',
        });
        return z.NEVER;
      }
      port = split.port;
    }
  }
  let apiKey = temporal.api_key;
  const authApiKey = temporal.auth?.api_key;
  if (authApiKey !== undefined) {
    if (apiKey !== undefined && apiKey !== authApiKey) {
      context.addIssue({
        code: 'custom',
        path: ['auth', 'api_key'],
        message: 'temporal.auth.api_key and temporal.api_key are both set to different keys; keep only one of them',
      });
      return z.NEVER;
    }
    apiKey = authApiKey;
  }
  const normalized = { ...temporal, host, port: port ?? 7233 };
  if (apiKey !== undefined) normalized.api_key = apiKey;
  return normalized;
});

/**
 * Validated `temporal` section, with `host` and `port` split and `auth.api_key` folded into `api_key`.
 *
 * @example
 * ```ts
 * const address = `${temporal.host}:${temporal.port}`; // temporal: TemporalSettings
 * ```
 */
export type TemporalSettings = z.infer<typeof TemporalSettingsSchema>;

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
export const LoggerSettingsSchema = z.looseObject({
  type: enumSetting(LOGGER_TRANSPORTS).optional(),
  transports: z.array(enumSetting(LOGGER_TRANSPORTS)).optional(),
  level: enumSetting(['debug', 'info', 'warning', 'warn', 'error']).default('info'),
  path: z.string().optional(),
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

const TRANSPORT_PHRASES: Record<(typeof MCP_TRANSPORTS)[number], string> = {
  stdio: 'a stdio server',
  sse: 'an sse server',
  streamable_http: 'a streamable_http server',
  websocket: 'a websocket server',
};

/**
 * One MCP server under `mcp.servers.<name>`. `transport` defaults to `stdio`, which needs
 * `command` (plus optional `args`, `env`, `cwd`); `sse`, `streamable_http` and `websocket` need
 * `url` (plus optional `headers`). Values of `env` and `headers` may be numbers or booleans and
 * become strings. Other keys (such as `auth` or `roots`) pass through.
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
    if (!URL.canParse(server.url)) {
      context.addIssue({
        code: 'custom',
        path: ['url'],
        input: server.url,
        message: `expected an absolute URL such as "${URL_EXAMPLES[server.transport]}", got ${describeValue(server.url)}`,
      });
    }
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
 * The whole `mcp_agent.config.yaml` (merged with `mcp_agent.secrets.yaml`). Unknown top-level
 * sections pass through untouched.
 *
 * Defaults: `execution_engine` `asyncio`, `workflow_task_modules` `[]`,
 * `workflow_task_retry_policies` `{}`, `logger` `{ level: 'info' }`, `mcp` `{ servers: {} }`;
 * `temporal`, `openai`, `anthropic` and `otel` are absent unless configured.
 *
 * Prefer `parseSettings` or `loadSettings`, which word every problem as `path: message`; calling
 * `SettingsSchema.parse` directly uses zod's default wording for some issues.
 *
 * @example
 * ```ts
 * const settings = SettingsSchema.parse({ execution_engine: 'temporal', temporal: { host: 'localhost:7233' } });
 * settings.temporal?.port; // 7233
 * ```
 */
export const SettingsSchema = z.looseObject({
  execution_engine: enumSetting(['asyncio', 'temporal']).default('asyncio'),
  workflow_task_modules: z.array(z.string()).default(() => []),
  workflow_task_retry_policies: z.record(z.string(), RetryPolicyConfigSchema).default(() => ({})),
  temporal: TemporalSettingsSchema.optional(),
  logger: LoggerSettingsSchema.prefault({}),
  mcp: McpSettingsSchema.prefault({}),
  openai: ProviderSettingsSchema.optional(),
  anthropic: ProviderSettingsSchema.optional(),
  otel: OtelSettingsSchema.optional(),
});

/**
 * Validated settings: defaults applied, `temporal.host`/`port` split.
 *
 * @example
 * ```ts
 * const settings: Settings = parseSettings({ execution_engine: 'temporal' });
 * ```
 */
export type Settings = z.infer<typeof SettingsSchema>;

/**
 * Settings as they may be written (before defaults), e.g. for `loadSettings({ overrides })`.
 *
 * @example
 * ```ts
 * const overrides: SettingsInput = { temporal: { host: 'localhost:7233' } };
 * ```
 */
export type SettingsInput = z.input<typeof SettingsSchema>;

/**
 * The name of the engine that runs workflows: `asyncio` (in process, the default) or `temporal`.
 *
 * @example
 * ```ts
 * const engine: ExecutionEngineName = settings.execution_engine;
 * ```
 */
export type ExecutionEngineName = Settings['execution_engine'];
