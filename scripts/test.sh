#!/usr/bin/env bash
# Runs every test layer: formatting and lints, the WASM dependency guard, unit, service and
# HTTP tests (SQLite and PostgreSQL), and the browser tests in Chromium.
# Installs what is missing (tools, Chromium, fonts, PostgreSQL, npm packages) and starts
# PostgreSQL when it is stopped. PostgreSQL is never skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test
. scripts/env.sh
step() { printf '\n\033[1;34m== %s\033[0m\n' "$*"; }

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
if [ -n "$bad" ]; then echo "use crate::data::{blocking, streaming, from_json}:"; echo "$bad"; exit 1; fi
echo "ok"

step "clippy (ssr and hydrate)"
cargo clippy -p app -p server -p migrations -p bench --tests -- -D warnings
cargo clippy -p frontend --target wasm32-unknown-unknown -- -D warnings

step "build (server, WASM client, styles)"
cargo leptos build --split

step "unit, service and HTTP tests (SQLite and PostgreSQL)"
logs=$(mktemp -d)
cargo test -p app -p server -p migrations 2>&1 | tee "$logs/cargo.log"

step "browser tests (Chromium)"
port=${TONGBAN_E2E_PORT:-3107}
data=$(mktemp -d)
export TONGBAN_DEMO_PASSWORD="${TONGBAN_DEMO_PASSWORD:-Demo-pass-2026}"
TONGBAN_DATA_DIR="$data" TONGBAN_ADDR="127.0.0.1:$port" TONGBAN_MAX_UPLOAD_BYTES=2097152 \
  "$CARGO_TARGET_DIR/debug/tongban" serve > "$data/server.log" 2>&1 &
server_pid=$!
trap 'kill $server_pid 2>/dev/null || true' EXIT
for _ in $(seq 1 60); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 1; done
curl -sf "http://127.0.0.1:$port/readyz" >/dev/null || { cat "$data/server.log"; exit 1; }
(cd end2end && BASE_URL="http://127.0.0.1:$port" npx playwright test) 2>&1 | tee "$logs/e2e.log" || { tail -50 "$data/server.log"; exit 1; }
echo "screenshots: end2end/screenshots/"

rust=$(grep -oE 'test result: ok\. [0-9]+ passed' "$logs/cargo.log" | awk '{s+=$4} END {print s+0}')
browser=$(grep -oE '^ *[0-9]+ passed' "$logs/e2e.log" | awk '{s+=$1} END {print s+0}')
echo
echo "rust tests: $rust passed; browser tests: $browser passed"
echo "tests: $((rust + browser)) passed, 0 failed"
