/**
 * The client under test of the official MCP client conformance suite
 * (`@modelcontextprotocol/conformance`): this package's `McpConnectionManager`, configured the way
 * an app would configure it, for the scenario the suite names.
 *
 * The suite starts a server for a scenario, then runs this program with the server's URL as the
 * last argument and the scenario in `MCP_CONFORMANCE_SCENARIO` (plus, for some scenarios, test
 * credentials as JSON in `MCP_CONFORMANCE_CONTEXT`). The program connects through the manager,
 * lists the tools, calls the tools the scenario expects, closes, and exits 0; any error is
 * printed and exits 1. The suite judges the client by what its server saw.
 *
 * Run by conformance.test.ts; by hand (after `bash tools/install-conformance.sh`):
 *   "$CONFORMANCE_NODE" "$CONFORMANCE_CLI" client --scenario tools_call \
 *     --command "node node_modules/tsx/dist/cli.mjs --conditions=mcp-agent-source conformance/client.ts"
 */
import { createLogger, messageOf } from '@mcp-agent/core';
import type { McpToolResult } from '@mcp-agent/core';
import { createMcpConnectionManager, createMemoryTokenStore, headlessAuthorizationOpener } from '@mcp-agent/mcp-client';
import type { ElicitationHandler, McpServerConfigInput } from '@mcp-agent/mcp-client';

/** The name of the one configured server. */
const SERVER = 'conformance';

/**
 * The client ID metadata document URL the suite's authorization servers accept as a client_id
 * (it need not resolve); a client should use it where the server advertises
 * `client_id_metadata_document_supported`, and register dynamically otherwise.
 */
const CLIENT_METADATA_URL = 'https://conformance-test.local/client-metadata.json';

/** One tool call of a scenario, with a check of its result. */
interface ToolCall {
  tool: string;
  arguments?: Record<string, unknown>;
  /** Throws when the result is not what the scenario's server answers. */
  check?: (result: McpToolResult) => void;
}

/** What the client does in a scenario. */
interface Plan {
  /** The server's `auth.oauth` config (as in mcp_agent.config.yaml), when the scenario's server is protected. */
  oauth?: NonNullable<McpServerConfigInput['auth']>['oauth'];
  /** The app's elicitation handler, when the scenario's server elicits. */
  elicitation?: ElicitationHandler;
  /** The tools to call after listing them, in order. */
  calls: ToolCall[];
}

/** The text of a tool result's text items, joined. */
function textOf(result: McpToolResult): string {
  return result.content.map((item) => (item.type === 'text' ? item.text : '')).join('');
}

/** The conformance context JSON of a scenario that passes credentials, with `keys` present as strings. */
function context<Key extends string>(scenario: string, keys: readonly Key[]): Record<Key, string> & Record<string, unknown> {
  const raw = process.env.MCP_CONFORMANCE_CONTEXT;
  if (raw === undefined || raw === '') throw new Error(`scenario ${scenario}: MCP_CONFORMANCE_CONTEXT is not set; the conformance runner sets it for this scenario`);
  const parsed = JSON.parse(raw) as Record<string, unknown>;
  for (const key of keys) {
    if (typeof parsed[key] !== 'string') throw new Error(`scenario ${scenario}: MCP_CONFORMANCE_CONTEXT has no string "${key}" (keys: ${Object.keys(parsed).join(', ')})`);
  }
  return parsed as Record<Key, string> & Record<string, unknown>;
}

/** The authorization code flow with a public client: registered by metadata document or dynamically. */
const AUTHORIZATION_CODE: Plan['oauth'] = {
  grant_type: 'authorization_code',
  client_name: 'mcp-agent conformance client',
  client_metadata_url: CLIENT_METADATA_URL,
};

/** Lists the tools, then calls `test-tool`: what every protected server of the suite expects. */
const CALL_TEST_TOOL: ToolCall[] = [{ tool: 'test-tool' }];

/** The plan of each client scenario of `@modelcontextprotocol/conformance` 0.1.16. */
function planFor(scenario: string): Plan {
  switch (scenario) {
    case 'initialize':
      return { calls: [] };
    case 'tools_call':
      return {
        calls: [
          {
            tool: 'add_numbers',
            arguments: { a: 5, b: 3 },
            check: (result) => {
              if (!textOf(result).includes('8')) throw new Error(`add_numbers(5, 3) answered ${JSON.stringify(result.content)}, expected a text with 8`);
            },
          },
        ],
      };
    case 'elicitation-sep1034-client-defaults':
      return {
        // Accepts with no values: the client is to fill in the schema's defaults before answering.
        elicitation: async () => ({ action: 'accept', content: {} }),
        calls: [{ tool: 'test_client_elicitation_defaults' }],
      };
    case 'sse-retry':
      // The server closes the call's stream; the result arrives on the stream the client reopens.
      return { calls: [{ tool: 'test_reconnection' }] };
    case 'auth/client-credentials-basic': {
      const credentials = context(scenario, ['client_id', 'client_secret']);
      return {
        oauth: {
          grant_type: 'client_credentials',
          client_id: credentials.client_id,
          client_secret: credentials.client_secret,
          token_endpoint_auth_method: 'client_secret_basic',
        },
        calls: [],
      };
    }
    case 'auth/client-credentials-jwt': {
      const credentials = context(scenario, ['client_id', 'private_key_pem']);
      const algorithm = typeof credentials.signing_algorithm === 'string' ? credentials.signing_algorithm : 'ES256';
      return {
        oauth: {
          grant_type: 'client_credentials',
          client_id: credentials.client_id,
          private_key: credentials.private_key_pem,
          signing_algorithm: algorithm,
          token_endpoint_auth_method: 'private_key_jwt',
        },
        calls: [],
      };
    }
    case 'auth/pre-registration': {
      const credentials = context(scenario, ['client_id', 'client_secret']);
      return {
        oauth: { grant_type: 'authorization_code', client_id: credentials.client_id, client_secret: credentials.client_secret },
        calls: [],
      };
    }
    case 'auth/cross-app-access-complete-flow': {
      // Enterprise-managed authorization (SEP-990): the user's IdP ID token becomes an identity
      // assertion at the IdP, which the authorization server takes as a JWT bearer grant.
      const credentials = context(scenario, ['client_id', 'client_secret', 'idp_client_id', 'idp_id_token', 'idp_token_endpoint']);
      return {
        oauth: {
          grant_type: 'identity_assertion',
          client_id: credentials.client_id,
          client_secret: credentials.client_secret,
          idp_token_endpoint: credentials.idp_token_endpoint,
          idp_client_id: credentials.idp_client_id,
          id_token: credentials.idp_id_token,
        },
        calls: CALL_TEST_TOOL,
      };
    }
    default:
      if (scenario.startsWith('auth/')) return { oauth: AUTHORIZATION_CODE, calls: CALL_TEST_TOOL };
      throw new Error(`unknown conformance scenario "${scenario}"; conformance/client.ts knows those of @modelcontextprotocol/conformance 0.1.16`);
  }
}

async function main(): Promise<void> {
  const scenario = process.env.MCP_CONFORMANCE_SCENARIO;
  const url = process.argv.at(-1);
  if (scenario === undefined || scenario === '' || url === undefined || !/^https?:\/\//.test(url)) {
    throw new Error('usage: MCP_CONFORMANCE_SCENARIO=<scenario> tsx --conditions=mcp-agent-source conformance/client.ts <server-url> (the conformance runner does this)');
  }
  const plan = planFor(scenario);
  const server: McpServerConfigInput = { transport: 'streamable_http', url, ...(plan.oauth === undefined ? {} : { auth: { oauth: plan.oauth } }) };
  const logger = createLogger({ namespace: 'conformance', level: 'debug' });
  const manager = createMcpConnectionManager({
    servers: { [SERVER]: server },
    logger,
    clientInfo: { name: 'mcp-agent-conformance', version: '0.1.0' },
    // A failing step should fail the scenario quickly, well within the runner's 30 s.
    requestTimeoutMilliseconds: 15_000,
    connectTimeoutMilliseconds: 15_000,
    ...(plan.elicitation === undefined ? {} : { elicitation: plan.elicitation }),
    ...(plan.oauth === undefined
      ? {}
      : {
          oauth: {
            // Tokens of a test run stay in this process.
            tokenStore: createMemoryTokenStore(),
            // The suite's authorization servers approve at once and redirect with the code: the
            // opener plays the user's browser and hands that redirect back to the flow.
            openAuthorizationUrl: headlessAuthorizationOpener(),
          },
        }),
  });
  try {
    const tools = await manager.listTools(SERVER);
    logger.info(`tools: ${tools.map((tool) => tool.name).join(', ') || '(none)'}`);
    for (const call of plan.calls) {
      const result = await manager.callTool({ server: SERVER, tool: call.tool, arguments: call.arguments ?? {} });
      if (result.isError) throw new Error(`tool ${call.tool} failed: ${textOf(result)}`);
      call.check?.(result);
      logger.info(`called ${call.tool}: ${textOf(result)}`);
    }
  } finally {
    await manager.close();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    const code = typeof error === 'object' && error !== null && 'code' in error ? ` [${String((error as { code: unknown }).code)}]` : '';
    console.error(`conformance client failed${code}: ${messageOf(error)}`);
    if (error instanceof Error && error.stack !== undefined) console.error(error.stack);
    process.exit(1);
  },
);
