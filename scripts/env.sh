# Sourced by the scripts: one shared target dir outside the clone (CI clones afresh each run,
# so builds stay incremental), and the tools installed by setup.sh on PATH.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/tongban/target}"
export TONGBAN_TOOLS="${TONGBAN_TOOLS:-$HOME/.cache/tongban/tools}"
export PATH="$TONGBAN_TOOLS/node_modules/.bin:$HOME/.cargo/bin:$PATH"
# Leptos components are type-erased in debug builds: much faster compiles. Every cargo
# command must use the same flags or the whole dependency graph rebuilds.
export RUSTFLAGS="${RUSTFLAGS:---cfg erase_components}"
# `leptos` reads LEPTOS_OUTPUT_NAME at compile time (it decides the name of the WASM file
# the page asks for). cargo-leptos sets it; every other cargo command must too, or cargo
# rebuilds leptos and the server binary asks for a file that does not exist.
export LEPTOS_OUTPUT_NAME=tongban
# Where the server finds the site at run time (scripts run from the repo root).
export LEPTOS_SITE_ROOT="${LEPTOS_SITE_ROOT:-target/site}" LEPTOS_SITE_PKG_DIR=pkg
