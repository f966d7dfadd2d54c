#!/usr/bin/env bash
# Runs the pnpm version pinned in package.json's packageManager field, whatever is on PATH.
set -euo pipefail
export TURBO_TELEMETRY_DISABLED=1 DO_NOT_TRACK=1
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
version="$(node -p "require('$root/package.json').packageManager.split('@')[1]")"
if command -v pnpm >/dev/null 2>&1 && [ "$(pnpm --version 2>/dev/null)" = "$version" ]; then
  exec pnpm "$@"
fi
export npm_config_update_notifier=false
exec npx --yes "pnpm@$version" "$@"
