# Sourced by the scripts: one shared target dir outside the clone (CI clones afresh each run,
# so builds stay incremental), and the tools installed by setup.sh on PATH.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/tongban/target}"
export TONGBAN_TOOLS="${TONGBAN_TOOLS:-$HOME/.cache/tongban/tools}"
export PATH="$TONGBAN_TOOLS/node_modules/.bin:$HOME/.cargo/bin:$PATH"
# Leptos components are type-erased in every build: much faster compiles (a release build
# without it does not compile as the code stands). Every cargo command must use the same
# flags or the whole dependency graph rebuilds; cargo-leptos is told not to add the flag a
# second time (`disable-erase-components` in Cargo.toml), so its builds and `cargo test`
# share every artifact.
export RUSTFLAGS="${RUSTFLAGS:---cfg erase_components}"
# The server is built for the host's target triple named explicitly. With an explicit
# target, RUSTFLAGS reach only the crates built for that target, not build scripts and proc
# macros, so those are the same artifacts in the server and the WASM builds (the WASM build
# names its target too) and compile once instead of twice. Binaries land in
# $CARGO_TARGET_DIR/<triple>/<profile>/ — $TONGBAN_BIN_DIR.
export TONGBAN_HOST="${TONGBAN_HOST:-$(rustc -vV | sed -n 's/^host: //p')}"
export CARGO_BUILD_TARGET="$TONGBAN_HOST" LEPTOS_BIN_TARGET_TRIPLE="$TONGBAN_HOST"
export TONGBAN_BIN_DIR="$CARGO_TARGET_DIR/$TONGBAN_HOST"
# `leptos` reads LEPTOS_OUTPUT_NAME at compile time (it decides the name of the WASM file
# the page asks for). cargo-leptos sets it; every other cargo command must too, or cargo
# rebuilds leptos and the server binary asks for a file that does not exist.
export LEPTOS_OUTPUT_NAME=tongban
# Where the server finds the site at run time (scripts run from the repo root).
export LEPTOS_SITE_ROOT="${LEPTOS_SITE_ROOT:-target/site}" LEPTOS_SITE_PKG_DIR=pkg
