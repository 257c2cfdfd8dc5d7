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
if [ $profile = release ]; then
  cargo leptos build --release --split
else
  cargo leptos build --split
fi
exec "$TONGBAN_BIN_DIR/$profile/tongban" serve --demo
