#!/usr/bin/env bash
# Installs whatever the build and the tests need and is missing on this machine.
# Safe to run again: each step checks first. Used by scripts/run.sh and scripts/test.sh.
#   scripts/setup.sh          tools for building and running
#   scripts/setup.sh --test   also Chromium, CJK fonts, PostgreSQL and the end2end npm packages
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh

CARGO_LEPTOS_VERSION=0.3.10
# Must equal the wasm-bindgen pinned in Cargo.toml.
WASM_BINDGEN_VERSION=$(sed -n 's/^wasm-bindgen = "=\([0-9.]*\)".*/\1/p' Cargo.toml)
BINARYEN_VERSION=132

want_test=0
[ "${1:-}" = "--test" ] && want_test=1

log() { printf '\033[1;34m[setup]\033[0m %s\n' "$*"; }

# clippy-driver lints during the test command's builds; rustfmt checks the format.
for component in clippy rustfmt; do
  if ! rustup component list --installed | grep -q "^$component"; then
    log "adding the $component component"
    rustup component add "$component"
  fi
done

if ! rustup target list --installed | grep -q wasm32-unknown-unknown; then
  log "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# The tools are built without their own release profiles' link-time optimisation:
# cargo-leptos asks for fat LTO in a single codegen unit, 14 of a cold run's minutes on two
# cores, for a program that mostly waits for cargo (its own work — splitting the WASM,
# running wasm-bindgen — takes seconds either way).
tool_install() {
  CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 CARGO_PROFILE_RELEASE_OPT_LEVEL=2 \
    CARGO_PROFILE_RELEASE_DEBUG=false CARGO_PROFILE_RELEASE_STRIP=true cargo install "$@"
}

if ! cargo leptos --version 2>/dev/null | grep -q "$CARGO_LEPTOS_VERSION"; then
  log "installing cargo-leptos $CARGO_LEPTOS_VERSION: compiling it takes about 11 minutes on 2 cores, once"
  # no_downloads: it must never fetch a tool at build time (they are installed here).
  tool_install --locked cargo-leptos --version "$CARGO_LEPTOS_VERSION" --features no_downloads
fi

if ! wasm-bindgen --version 2>/dev/null | grep -q "$WASM_BINDGEN_VERSION"; then
  log "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION: about 2 minutes on 2 cores, once"
  # Not --locked: its lockfile names a crate version the registry no longer serves.
  tool_install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
fi

apt_updated=0
apt_install() {
  local missing=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ $apt_updated -eq 0 ]; then apt-get update -qq; apt_updated=1; fi
  log "installing Debian packages: ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

# wasm-opt from npm's binaryen: Debian's older one produces a wasm that fails in the browser.
if ! "$TONGBAN_TOOLS/node_modules/.bin/wasm-opt" --version 2>/dev/null | grep -q "$BINARYEN_VERSION"; then
  command -v npm >/dev/null || apt_install nodejs npm
  log "installing binaryen@$BINARYEN_VERSION (wasm-opt) under $TONGBAN_TOOLS"
  mkdir -p "$TONGBAN_TOOLS"
  npm install --silent --no-audit --no-fund --prefix "$TONGBAN_TOOLS" "binaryen@$BINARYEN_VERSION" >/dev/null
fi

if [ $want_test -eq 1 ]; then
  apt_install chromium fonts-noto-cjk curl
  if ! command -v pg_ctlcluster >/dev/null; then apt_install postgresql; fi
  if [ ! -d end2end/node_modules/playwright-core ] || [ end2end/package-lock.json -nt end2end/node_modules/.package-lock.json ]; then
    log "installing end2end npm packages (about a minute)"
    (cd end2end && npm ci --silent --no-audit --no-fund >/dev/null)
  fi
  # An OpenAPI validator that is not ours (PyPI), in its own virtual environment.
  if ! "$TONGBAN_TOOLS/venv/bin/openapi-spec-validator" --help >/dev/null 2>&1; then
    log "installing openapi-spec-validator (PyPI) under $TONGBAN_TOOLS/venv"
    python3 -m venv "$TONGBAN_TOOLS/venv" || { apt_install python3-venv; python3 -m venv "$TONGBAN_TOOLS/venv"; }
    "$TONGBAN_TOOLS/venv/bin/pip" install --quiet --disable-pip-version-check "openapi-spec-validator==0.7.2"
  fi
fi
log "tools ready"
