#!/usr/bin/env bash
# The domain is pure: `app/src/domain/` imports nothing from the crate outside `domain` and no
# framework, database, runtime or browser crate, so it compiles for the browser and every new
# area can lean on it without dragging the rest of the application in. Prints the offending
# lines and exits 1.
#   scripts/check-domain.sh [DIR]   (default: the checkout this script is in)
set -euo pipefail
root=${1:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$root"
fail=0
report() { echo "$1"; echo "$2" | sed 's/^/  /'; fail=1; }
# grep -rn output without comment lines (`file:line:   // …`).
code() { grep -vE '^[^:]+:[0-9]+:[[:space:]]*//' || true; }

# Paths into the rest of the crate (`crate::error`, `crate::ctx`, …).
up=$(grep -rnE '\bcrate::' --include='*.rs' app/src/domain | grep -vE '\bcrate::domain(::|\b)' | code || true)
[ -z "$up" ] || report "the domain reaches out of app/src/domain (move the type into the domain instead):" "$up"
# `super::` from the domain's root module is the crate root.
root_up=$(grep -HnE '\bsuper::' app/src/domain/mod.rs | code || true)
[ -z "$root_up" ] || report "app/src/domain/mod.rs reaches the crate root through super::" "$root_up"
# Frameworks, databases, runtimes, the browser.
crates='leptos|leptos_[a-z_]+|server_fn|sea_orm|sea_query|sqlx|tokio|tokio_[a-z_]+|axum|tower|tower_[a-z_]+|hyper|reqwest|lettre|web_sys|js_sys|wasm_bindgen|gloo|gloo_[a-z_]+|tracing'
ext=$(grep -rnE "(^|[^a-z_:])(::)?($crates)::" --include='*.rs' app/src/domain | code || true)
[ -z "$ext" ] || report "the domain uses a framework, database, runtime or browser crate:" "$ext"

[ $fail -eq 0 ] && echo "ok"
exit $fail
