#!/usr/bin/env bash
# Runs every test layer: formatting and lints, the WASM dependency guard, unit, service and
# HTTP tests (SQLite and PostgreSQL), and the browser tests in Chromium.
# Installs what is missing (tools, Chromium, fonts, PostgreSQL, npm packages) and starts
# PostgreSQL when it is stopped. PostgreSQL is never skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$SECONDS
step() { printf '\n\033[1;34m== %s\033[0m  (%d min %02d s in)\n' "$*" $(((SECONDS - started) / 60)) $(((SECONDS - started) % 60)); }
step "tools (installed when missing)"
bash scripts/setup.sh --test
. scripts/env.sh

step "PostgreSQL"
if ! pg_isready -q -h 127.0.0.1 -p 5432; then
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
fi
pg_isready -h 127.0.0.1 -p 5432 || { echo "PostgreSQL is not running on 127.0.0.1:5432 and could not be started" >&2; exit 1; }

step "format"
cargo fmt --all -- --check

step "the WASM client contains no server crates"
tree=$(cargo tree -p frontend --target wasm32-unknown-unknown -e normal --prefix none)
bad=$(echo "$tree" | grep -E '^(sea-orm|sqlx|sqlx-core|tokio|mio|axum|argon2) ' | sort -u || true)
if [ -n "$bad" ]; then echo "server crates in the client:"; echo "$bad"; exit 1; fi
echo "ok"

step "pages read JSON one way (app/src/data.rs)"
# Leptos's own resources decode with serde_json::from_str, server-function responses with
# from_slice: two copies of every type's decoder in the WASM. Pages use crate::data instead.
pages=$(find app/src -name '*.rs' | grep -E '(pages/|_pages?\.rs$|/shell\.rs$|/components\.rs$)')
bad=$(grep -nE 'Resource::new(_blocking)?\(|serde_json::from_str' $pages || true)
# A SharedValue with its default (JSON) codec reads with from_str too, wherever it is.
bad="$bad$(grep -rnE 'SharedValue::new(_with_encoding)?\(' app/src || true)"
if [ -n "$bad" ]; then echo "use crate::data::{blocking, streaming, from_json} (SharedValue::new_str for a value):"; echo "$bad"; exit 1; fi
echo "ok"

step "page titles are plain text"
# leptos_axum renders <title> after the page; a reactive closure there can read a value whose
# owner is already gone, and the panic drops the response (seen under concurrent requests).
bad=$(grep -rnE '<Title[^>]*text=move' app/src || true)
if [ -n "$bad" ]; then echo "give <Title> a String, not a closure:"; echo "$bad"; exit 1; fi
echo "ok"

step "the domain is pure: app/src/domain imports nothing from outside it, no framework or database"
scripts/check-domain.sh

step "one clock: no wall-clock or database-clock reads outside app::ctx::Clock"
scripts/check-time.sh

# Clippy lints while the code is built: the workspace's own crates are compiled by
# clippy-driver (rustc with clippy's lints), dependencies by rustc. The same lints as
# `cargo clippy -- -D warnings` for each feature set — ssr (server build), hydrate (WASM
# build), and the tests — without compiling every dependency a second and third time in
# check mode. (CLIPPY_ARGS is how cargo-clippy hands `-D warnings` to clippy-driver.)
export RUSTC_WORKSPACE_WRAPPER=clippy-driver CLIPPY_ARGS="-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__"

step "build (server, WASM client, styles) with clippy -D warnings"
cargo leptos build --split

step "unit, service and HTTP tests (SQLite and PostgreSQL), clippy on the tests"
logs=$(mktemp -d)
cargo test -p app -p server -p migrations 2>&1 | tee "$logs/cargo.log"

step "the load generator builds, with clippy -D warnings"
cargo build -p bench

step "service, HTTP and CLI tests again at awkward instants (SQLite and PostgreSQL)"
# The tests run on a manual clock (server/tests/common: Monday 2026-11-23 10:00 in China
# unless TONGBAN_TEST_NOW says otherwise). Here all of them run again at instants where a mix
# of clocks or time zones shows — each under another time zone for the process, so nothing
# may lean on the server's own zone. All of them, not a list of the time-sensitive ones: a
# new test is covered without anyone remembering to add it (about 30 s an instant).
instants=(
  "2026-12-01T00:17:00+08:00 America/New_York"    # 00:17 in China, still 30 Nov in UTC; a month's turn
  "2027-01-01T00:05:00+08:00 Pacific/Kiritimati"  # New Year: a year's turn and a holiday (31 Dec in UTC)
  "2026-12-05T14:30:00+08:00 Europe/London"       # a Saturday afternoon
  "2027-01-09T10:00:00+08:00 Asia/Shanghai"       # a make-up working Saturday (调休) in the test calendar
  "2027-02-28T23:50:00+08:00 UTC"                 # Sunday night at February's end
)
for spec in "${instants[@]}"; do
  read -r at zone <<< "$spec"
  out="$logs/awkward-${at%%T*}.log"
  if ! TONGBAN_TEST_NOW="$at" TZ="$zone" cargo test -p server --tests > "$out" 2>&1; then
    grep -E 'panicked|FAILED|^---- ' "$out" || tail -40 "$out"
    echo "the tests failed at $at (TZ=$zone); the whole log: $out" >&2
    exit 1
  fi
  n=$(grep -oE 'test result: ok\. [0-9]+ passed' "$out" | awk '{s+=$4} END {print s+0}')
  echo "at $at (TZ=$zone): $n passed"
done

step "the server for the browser tests"
port=${TONGBAN_E2E_PORT:-3107}
data=$(mktemp -d)
export TONGBAN_DEMO_PASSWORD="${TONGBAN_DEMO_PASSWORD:-Demo-pass-2026}"
# The server's clock starts at a fixed instant (a Monday morning in China), like the
# service tests' clock: what the pages show does not depend on when the suite runs.
TONGBAN_CLOCK_START="${TONGBAN_E2E_CLOCK_START:-2026-11-23T09:30:00+08:00}" \
TONGBAN_DATA_DIR="$data" TONGBAN_ADDR="127.0.0.1:$port" TONGBAN_MAX_UPLOAD_BYTES=2097152 \
  "$TONGBAN_BIN_DIR/debug/tongban" serve --demo > "$data/server.log" 2>&1 &
server_pid=$!
trap 'kill $server_pid 2>/dev/null || true' EXIT
for _ in $(seq 1 60); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 1; done
curl -sf "http://127.0.0.1:$port/readyz" >/dev/null || { cat "$data/server.log"; exit 1; }

step "the OpenAPI document validates (openapi-spec-validator, PyPI)"
curl -sf "http://127.0.0.1:$port/api/v1/openapi.json" -o "$logs/openapi.json"
"$TONGBAN_TOOLS/venv/bin/openapi-spec-validator" "$logs/openapi.json"

step "browser tests (Chromium)"
(cd end2end && BASE_URL="http://127.0.0.1:$port" npx playwright test) 2>&1 | tee "$logs/e2e.log" || { tail -50 "$data/server.log"; exit 1; }
echo "screenshots: end2end/screenshots/"
if grep -qE '^ *[0-9]+ flaky' "$logs/e2e.log"; then
  echo "FLAKY browser tests (passed on their retry):"
  grep -A8 -E '^ *[0-9]+ flaky' "$logs/e2e.log"
fi
# A request may fail a test's expectations, but the server itself must never panic, and each
# request is logged in its own span (one nested in another is the symptom of a span held
# across an await, which ended in a panic under concurrent requests).
plain_log=$(sed 's/\x1b\[[0-9;]*m//g' "$data/server.log")
if echo "$plain_log" | grep -qE 'panicked|request:request'; then
  echo "$plain_log" | grep -nE -A8 'panicked|request:request' | head -40
  echo "the server panicked or nested request spans during the browser tests (log: $data/server.log)" >&2
  exit 1
fi

rust=$(grep -oE 'test result: ok\. [0-9]+ passed' "$logs/cargo.log" | awk '{s+=$4} END {print s+0}')
awkward=$(cat "$logs"/awkward-*.log | grep -oE 'test result: ok\. [0-9]+ passed' | awk '{s+=$4} END {print s+0}')
browser=$(grep -oE '^ *[0-9]+ passed' "$logs/e2e.log" | awk '{s+=$1} END {print s+0}')
echo
echo "rust tests: $rust passed (and $awkward again at the awkward instants); browser tests: $browser passed"
echo "tests: $((rust + awkward + browser)) passed, 0 failed"
echo "the test command took $(((SECONDS - started) / 60)) min $(((SECONDS - started) % 60)) s"
