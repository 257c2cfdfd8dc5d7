#!/usr/bin/env bash
# One clock: services, jobs, pages and tests read the time only through `app::ctx::Clock`
# (app/src/ctx.rs), never from the system clock directly and never from the database's
# `now()`. A mix is how a test went red a week after it landed: a row stamped by one clock
# and compared by another (issue 24). Prints the offending lines and exits 1.
#   scripts/check-time.sh [DIR]   (default: the checkout this script is in)
set -euo pipefail
root=${1:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$root"
dirs=(app/src server/src server/tests migrations/src)
fail=0
report() { echo "$1"; echo "$2" | sed 's/^/  /'; fail=1; }

# The wall clock: only Clock::system() reads it.
wall=$(grep -rnE 'Utc::now\(|Local::now\(|chrono::Local\b|SystemTime::now\(|OffsetDateTime::now_(utc|local)\(|Date::now\(|new Date\(' \
  --include='*.rs' "${dirs[@]}" | grep -v '^app/src/ctx.rs:' || true)
[ -z "$wall" ] || report "reads the wall clock (use the state's clock: st.clock.now()):" "$wall"
# The browser tests run against a server whose clock starts at a fixed instant; a test that
# computes "today" from the machine's clock would drift away from it.
e2e=$(grep -rnE 'Date\.now\(|new Date\(' end2end/tests 2>/dev/null || true)
[ -z "$e2e" ] || report "a browser test reads the wall clock (the server's clock starts at TONGBAN_CLOCK_START):" "$e2e"

# The database's clock: a value it stamps cannot be compared with the app's clock.
dbclock=$( (grep -rniE 'CURRENT_TIMESTAMP|CURRENT_DATE|LOCALTIMESTAMP|datetime\(.now|strftime\([^)]*now|Expr::current_(timestamp|date|time)|"[^"]*\bnow\(\)[^"]*"' \
  --include='*.rs' "${dirs[@]}"; grep -rniE '\bnow\(\)' --include='*.rs' "${dirs[@]}" | grep -E '\b(SELECT|UPDATE|INSERT|DELETE|WHERE|VALUES|DEFAULT)\b') | sort -u || true)
[ -z "$dbclock" ] || report "uses the database's clock (write the app clock's instant instead):" "$dbclock"

# The system clock is chosen in one place (the server's configuration); the session store
# keeps to it on purpose (tower-sessions stamps expiries from the system time itself).
system=$(grep -rn 'Clock::system()' --include='*.rs' "${dirs[@]}" \
  | grep -vE '^(app/src/ctx.rs|server/src/config.rs|server/src/session_store.rs):' || true)
[ -z "$system" ] || report "picks the system clock outside the configuration:" "$system"

# Dates people read are China dates: no code may take a zone from the machine it runs on.
tz=$(grep -rnE 'with_timezone\(&(chrono::)?Local\)|\.naive_local\(\)' --include='*.rs' "${dirs[@]}" \
  | grep -v '^app/src/domain/time.rs:' || true)
[ -z "$tz" ] || report "derives a local time outside app/src/domain/time.rs:" "$tz"

[ $fail -eq 0 ] && echo "ok: one clock"
exit $fail
