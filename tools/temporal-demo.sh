#!/usr/bin/env bash
# The demo on Temporal in one command: installs what it needs, starts the Temporal dev server
# (unless one already listens on 7233), runs the demo with a worker in its process, and leaves the
# server running so the runs can be seen in the Web UI at http://localhost:8233 until Ctrl-C.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash tools/pnpm.sh install --frozen-lockfile --reporter=silent
eval "$(bash tools/install-temporal.sh | grep '^TEMPORAL_CLI_PATH=')"
export TEMPORAL_CLI_PATH

listening() { (exec 3<>/dev/tcp/127.0.0.1/7233) 2>/dev/null; }

server_pid=""
if listening; then
  echo "a Temporal server already listens on 127.0.0.1:7233; using it"
else
  "$TEMPORAL_CLI_PATH" server start-dev --ip 127.0.0.1 --port 7233 --ui-port 8233 --log-level error >/dev/null 2>&1 &
  server_pid=$!
  trap '[ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; wait 2>/dev/null' EXIT
  for _ in $(seq 1 60); do listening && break; sleep 0.5; done
  listening || { echo "the Temporal dev server did not start on 127.0.0.1:7233" >&2; exit 1; }
  echo "started the Temporal dev server on 127.0.0.1:7233"
fi

EXECUTION_ENGINE=temporal TEMPORAL__HOST=127.0.0.1:7233 bash tools/pnpm.sh --filter @mcp-agent/demo-app start

echo
echo "The runs are in the Web UI: http://localhost:8233 (namespace default)."
if [ -n "$server_pid" ]; then
  echo "The dev server keeps running; Ctrl-C stops it."
  wait "$server_pid"
fi
