/**
 * The `temporal` section of `mcp_agent.config.yaml`, which this package owns: the engine-neutral
 * keys core reads (task queue, concurrency, timeouts, id reuse and retry policies) and the
 * connection keys (host and port, namespace, TLS, API key, payload encryption, metrics).
 * Registered with core when this package is loaded, so `parseSettings` and `loadSettings`
 * validate it, and `settings.temporal` is typed as {@link TemporalSettings}.
 */
import {
  booleanSetting,
  describeValue,
  enumSetting,
  httpUrlSetting,
  listValues,
  numberSetting,
  parseSettings,
  registerConfigSection,
  strictSection,
  StringLikeSchema,
  TEMPORAL_EXECUTION_FIELDS,
  type IssueInput,
  type Settings,
} from '@mcp-agent/core/config';
import { z } from 'zod';

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
export const PreviousKeySchema = z.union([z.string(), strictSection({ key: z.string(), key_id: z.string().min(1).optional() })], {
  error: (issue: IssueInput) => `expected a key, or a mapping with keys "key" and "key_id", got ${describeValue(issue.input)}`,
});

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

const TLS_EXPECTATION = `true, false or a mapping with keys ${listValues(Object.keys(TemporalTlsConfigSchema.shape))}`;

/** The sections this schema produced, so {@link withTemporalSection} knows settings it need not read again. */
const VALIDATED = new WeakSet<object>();

/**
 * The connection keys each section produced by this schema was given (rather than defaulted):
 * those win over Temporal's environment variables and `temporal.toml` profiles.
 */
const GIVEN_CONNECTION_KEYS = new WeakMap<object, ReadonlySet<TemporalConnectionKey>>();

/** The keys of the `temporal` section that Temporal's environment variables and profiles also set. */
export type TemporalConnectionKey = 'address' | 'namespace' | 'api_key' | 'tls' | 'rpc_metadata';

const TemporalFieldsSchema = z.looseObject({
  // The engine-neutral keys (task queue, concurrency, timeouts, id reuse and retry policies), as core reads them.
  ...TEMPORAL_EXECUTION_FIELDS,
  // Defaulted after parsing, so a namespace given in the file is told from the default.
  namespace: z.string().optional(),
  host: z.string().min(1, { error: 'expected a hostname such as "localhost" or "localhost:7233", got ""' }).optional(),
  port: numberSetting({ integer: true, minimum: 1, maximum: 65535 }).optional(),
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
  /**
   * Runs also carry the search attributes `McpAgentWorkflow` (Keyword, the workflow name, set at
   * start) and `McpAgentTotalTokens` (Int, set when the run ends), for `temporal workflow list
   * --query`. They must be registered on the server first (`temporal operator search-attribute
   * create`): the client checks that they are when it connects. Default false; the memo entries
   * `mcp_agent.workflow` and `mcp_agent.usage` are set either way.
   */
  search_attributes: booleanSetting().optional(),
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
  const [hostname, portText] = bracketed ? [bracketed[1] ?? '', bracketed[2]] : host.split(':').length === 2 ? (host.split(':') as [string, string]) : [host, undefined];
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
          message: `temporal.host ${describeValue(temporal.host)} includes port ${split.port} but temporal.port is ${port}; ` + 'give the port in one place only',
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
  const normalized = { ...temporal, host, port: port ?? 7233, namespace: temporal.namespace ?? 'default' };
  if (apiKey !== undefined) normalized.api_key = apiKey;
  const given = new Set<TemporalConnectionKey>();
  if (temporal.host !== undefined || temporal.port !== undefined) given.add('address');
  if (temporal.namespace !== undefined) given.add('namespace');
  if (apiKey !== undefined) given.add('api_key');
  if (temporal.tls !== undefined) given.add('tls');
  if (temporal.rpc_metadata !== undefined) given.add('rpc_metadata');
  VALIDATED.add(normalized);
  GIVEN_CONNECTION_KEYS.set(normalized, given);
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

declare module '@mcp-agent/core/config' {
  interface SettingsSections {
    temporal: TemporalSettings;
  }
}

registerConfigSection({ key: 'temporal', schema: TemporalSettingsSchema, owner: '@mcp-agent/executor-temporal' });

/**
 * The settings with their `temporal` section validated by this package's schema: as given when it
 * was (settings read after this package loaded, as `MCPApp` and the CLI read them), else with the
 * section read now (settings parsed before, which only core's engine-neutral keys checked).
 *
 * @throws ConfigError naming the key, as `parseSettings` words it.
 */
export function withTemporalSection(settings: Settings): Settings {
  const section = settings.temporal;
  if (section !== undefined && VALIDATED.has(section)) return settings;
  return { ...settings, temporal: parseSettings({ temporal: section ?? {} }, 'settings').temporal as TemporalSettings };
}

/**
 * The connection keys the `temporal` section of `settings` was given, as opposed to left to
 * their defaults (`address` for `host` or `port`). Settings with no section give none.
 */
export function givenConnectionKeys(settings: Settings): ReadonlySet<TemporalConnectionKey> {
  if (settings.temporal === undefined) return new Set();
  const section = withTemporalSection(settings).temporal as TemporalSettings;
  return GIVEN_CONNECTION_KEYS.get(section) ?? new Set();
}

/**
 * The settings with the server address replaced by `host` and `port`, which then count as given
 * (they win over `TEMPORAL_ADDRESS` and profiles); the rest of the section as it was.
 */
export function withTemporalAddress(settings: Settings, host: string, port: number): Settings {
  const validated = withTemporalSection(settings);
  const section = validated.temporal as TemporalSettings;
  const replaced = { ...section, host, port };
  VALIDATED.add(replaced);
  GIVEN_CONNECTION_KEYS.set(replaced, new Set([...(GIVEN_CONNECTION_KEYS.get(section) ?? []), 'address']));
  return { ...validated, temporal: replaced };
}
