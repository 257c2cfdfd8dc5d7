#!/usr/bin/env bash
# Builds Tongban and runs it: SQLite in ./data (TONGBAN_DATA_DIR), the demo organisation
# seeded on the first start, sign-in details printed. Installs missing tools first.
#   scripts/run.sh          release build (what an operator runs)
#   scripts/run.sh --dev    debug build (faster to compile)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
. scripts/env.sh
profile=release
[ "${1:-}" = "--dev" ] && profile=debug
say() { printf '\033[1;34m[run]\033[0m %s\n' "$*"; }
if [ $profile = release ]; then
  say "building the release server and WASM client: about 14 minutes on 2 cores the first time, a few after a change"
  cargo leptos build --release --split
else
  say "building the debug server and WASM client: about 15 minutes on 2 cores the first time, under a minute after a change to one page"
  cargo leptos build --split
fi
exec "$TONGBAN_BIN_DIR/$profile/tongban" serve --demo
