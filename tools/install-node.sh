#!/usr/bin/env bash
# Installs a Node.js binary of the given version from the npm package `node` (which ships it) into
# .cache/node/<version>, apart from the workspace: a `node` in the workspace's node_modules/.bin
# would shadow the project's own Node in every script. Quick when already installed. Prints the
# binary's path.
#   bash tools/install-node.sh 24.9.0   ->   /…/.cache/node/24.9.0/node_modules/node/bin/node
set -euo pipefail
version="${1:?usage: bash tools/install-node.sh <version, e.g. 22.23.3>}"
[[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || { echo "install-node: expected a version like 22.23.3, got \"$version\"" >&2; exit 2; }
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
target="$root/.cache/node/$version"
binary="$target/node_modules/node/bin/node"

if [ ! -f "$target/.installed" ] || [ ! -x "$binary" ]; then
  # Installed into a folder of this process, then renamed: a concurrent run never sees half an install.
  staging="$target.staging-$$"
  trap 'rm -rf "$staging"' EXIT
  rm -rf "$staging"
  mkdir -p "$staging"
  # A package.json of its own, so that npm installs here and not into an enclosing project.
  printf '{ "name": "mcp-agent-node-%s", "private": true, "dependencies": { "node": "%s" } }\n' "$version" "$version" > "$staging/package.json"
  echo "install-node: installing node@$version into $target" >&2
  # A stalled registry request must not hang the tests: each request times out and is retried
  # (through the environment, so that the node package's own install step gets the settings too),
  # each attempt is bounded, and a failed attempt starts over.
  export npm_config_fetch_timeout=30000 npm_config_fetch_retries=4 npm_config_fetch_retry_mintimeout=1000 npm_config_fetch_retry_maxtimeout=5000
  installed=false
  for attempt in 1 2 3; do
    if timeout 240 npm install --prefix "$staging" --no-audit --no-fund --loglevel=error >&2; then
      installed=true
      break
    fi
    echo "install-node: npm install attempt $attempt failed or timed out" >&2
    rm -rf "$staging/node_modules" "$staging/package-lock.json"
  done
  [ "$installed" = true ] || { echo "install-node: npm install of node@$version failed 3 times; check that the npm registry is reachable, then run bash tools/install-node.sh $version again" >&2; exit 1; }
  staged="$staging/node_modules/node/bin/node"
  [ -x "$staged" ] || { echo "install-node: the node@$version package installed no binary at $staged" >&2; exit 1; }
  actual="$("$staged" --version)"
  [ "$actual" = "v$version" ] || { echo "install-node: expected Node v$version, the installed binary says $actual" >&2; exit 1; }
  touch "$staging/.installed"
  # Another run may have finished first; its install is as good as this one.
  if [ ! -f "$target/.installed" ]; then
    rm -rf "$target"
    mv "$staging" "$target"
  fi
fi
echo "$binary"
