#!/usr/bin/env bash
# Installs the official MCP conformance suite (@modelcontextprotocol/conformance) and the Node 22 it
# needs (the npm package `node`, which ships the binary) into .cache/conformance, apart from the
# workspace: a `node` in the workspace's node_modules/.bin would shadow the project's Node 20 in
# every script. Quick when already installed. Prints two paths, one per line:
#   CONFORMANCE_NODE=<path of the Node 22 binary>
#   CONFORMANCE_CLI=<path of the suite's CLI script, to run with that node>
# Run a scenario: "$CONFORMANCE_NODE" "$CONFORMANCE_CLI" client --scenario initialize --command "<client>"
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
conformance_version=0.1.16
node_version=22.23.3
# The suite's own dependencies are ranges; they resolve as of this date, so a later release of one
# of them can't change what runs.
registry_date=2026-12-01T00:00:00Z
target="$root/.cache/conformance/conformance-$conformance_version-node-$node_version-${registry_date%%T*}"
node_binary="$target/node_modules/node/bin/node"
cli="$target/node_modules/@modelcontextprotocol/conformance/dist/index.js"
marker="$target/.installed"

if [ ! -f "$marker" ] || [ ! -x "$node_binary" ] || [ ! -f "$cli" ]; then
  # Installed into a folder of this process, then renamed: a concurrent run never sees half an install.
  staging="$target.staging-$$"
  trap 'rm -rf "$staging"' EXIT
  rm -rf "$staging"
  mkdir -p "$staging"
  # A package.json of its own, so that npm installs here and not into an enclosing project.
  cat > "$staging/package.json" <<JSON
{
  "name": "mcp-agent-conformance-tools",
  "private": true,
  "dependencies": {
    "@modelcontextprotocol/conformance": "$conformance_version",
    "node": "$node_version"
  }
}
JSON
  echo "install-conformance: installing @modelcontextprotocol/conformance@$conformance_version and node@$node_version into $target" >&2
  # A stalled registry request must not hang the tests: each request times out in 30 s and is
  # retried (the settings go through the environment, so that the nested install of the node
  # package's binary gets them too), each attempt is bounded, and a failed attempt starts over.
  export npm_config_fetch_timeout=30000 npm_config_fetch_retries=4 npm_config_fetch_retry_mintimeout=1000 npm_config_fetch_retry_maxtimeout=5000
  installed=false
  for attempt in 1 2 3; do
    if timeout 240 npm install --prefix "$staging" --before="$registry_date" --no-audit --no-fund --loglevel=error >&2; then
      installed=true
      break
    fi
    echo "install-conformance: npm install attempt $attempt failed or timed out" >&2
    rm -rf "$staging/node_modules" "$staging/package-lock.json"
  done
  if [ "$installed" != true ]; then
    echo "install-conformance: npm install failed 3 times; check that the npm registry is reachable, then run bash tools/install-conformance.sh again" >&2
    exit 1
  fi
  staged_node="$staging/node_modules/node/bin/node"
  [ -x "$staged_node" ] || { echo "install-conformance: the node@$node_version package installed no binary at $staged_node" >&2; exit 1; }
  [ -f "$staging/node_modules/@modelcontextprotocol/conformance/dist/index.js" ] || { echo "install-conformance: @modelcontextprotocol/conformance@$conformance_version installed no dist/index.js" >&2; exit 1; }
  actual="$("$staged_node" --version)"
  [ "$actual" = "v$node_version" ] || { echo "install-conformance: expected Node v$node_version, the installed binary says $actual" >&2; exit 1; }
  touch "$staging/.installed"
  # Another run may have finished first; its install is as good as this one.
  if [ ! -f "$marker" ]; then
    rm -rf "$target"
    mv "$staging" "$target"
  fi
fi

echo "CONFORMANCE_NODE=$node_binary"
echo "CONFORMANCE_CLI=$cli"
