#!/usr/bin/env bash
# A venue with VENUE_ROBOTS robots deployed (issue 17's target: its page renders under 50 ms,
# p99 at CONNECTIONS connections), per backend, on a demo registry of ROBOTS robots: the page
# `/v/{slug}`, its JSON `/api/v1/venues/{slug}` and its entrance display `/v/{slug}/display`,
# each with wrk for DURATION. The robots are
# put at one venue by setting their rows' venue directly in a copy of the seeded registry (a
# bench shortcut: the record is not filed). Prints Markdown rows and the verdict. Needs a built
# binary (`make build`); builds nothing itself.
set -euo pipefail
cd "$(dirname "$0")/.."

BACKENDS=${BACKENDS:-"sqlite postgres"}
ROBOTS=${ROBOTS:-28000}
VENUE_ROBOTS=${VENUE_ROBOTS:-500}
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-16}
PG_ADMIN_URL=${PG_ADMIN_URL:-"postgres://postgres@127.0.0.1:5432/test"}
PORT=${PORT:-3912}
OUT=${OUT:-bench/out}
BIN=${BIN:-target/release/robopass}
HOST=127.0.0.1
BASE="http://$HOST:$PORT"
TARGET_MS=50
mkdir -p "$OUT/wrk"
RESULTS="$OUT/results.md"

log() { printf '%s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }
emit() { printf '%s\n' "$*" | tee -a "$RESULTS"; }
command -v wrk >/dev/null || die "wrk is missing: apt-get install wrk"
[[ -x $BIN ]] || die "$BIN is missing: make build"

SERVER_PID=""
stop_server() {
  [[ -n $SERVER_PID ]] || return 0
  kill -TERM "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=""
}
trap stop_server EXIT

start_server() {
  env DATABASE_URL="$1" LEPTOS_SITE_ADDR="$HOST:$PORT" DEMO_ROBOTS=0 RUST_LOG=warn \
    "$BIN" >"$OUT/server-venue.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 200); do
    curl -fsS -m 1 "$BASE/healthz" >/dev/null 2>&1 && return 0
    kill -0 "$SERVER_PID" 2>/dev/null || die "the server stopped (see $OUT/server-venue.log)"
    sleep 0.3
  done
  die "the server did not come up"
}

# "req/s|p50|p99|non-2xx" from a wrk --latency report, in ms.
parse() {
  awk '
    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
    /Requests\/sec/ { rps = $2 }
    $1 == "50%" { p50 = ms($2) }
    $1 == "99%" { p99 = ms($2) }
    /Non-2xx/ { bad = $NF }
    END { printf "%.0f|%.2f|%.2f|%d", rps, p50, p99, bad }' "$1"
}

# SQL on the copy: venue 1's robots moved to venue 2, then VENUE_ROBOTS deployed robots put at venue 1.
put_robots() {  # $1 backend, $2 database (file or URL)
  local away="UPDATE robots SET venue_id = 2 WHERE venue_id = 1"
  local here="UPDATE robots SET venue_id = 1 WHERE id IN
    (SELECT id FROM robots WHERE lifecycle = 'deployed' ORDER BY id LIMIT $VENUE_ROBOTS)"
  if [[ $1 == sqlite ]]; then
    python3 -c 'import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.execute(sys.argv[2]); c.execute(sys.argv[3]); c.commit(); c.close()' "$2" "$away" "$here"
  else
    psql "$2" -XqtA -v ON_ERROR_STOP=1 -c "$away" -c "$here" >/dev/null
  fi
}

emit ""
emit "## A venue of $VENUE_ROBOTS robots — $(date -u +%Y-%m-%d) — $(nproc) cores, $ROBOTS robots, wrk -c$CONNECTIONS, $DURATION"
emit ""
emit "| backend | robots at the venue | page req/s | p50 ms | p99 ms | JSON req/s | p50 ms | p99 ms | display req/s | p50 ms | p99 ms | non-2xx |"
emit "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
verdict=PASS
for backend in $BACKENDS; do
  if [[ $backend == sqlite ]]; then
    seeded="$OUT/robopass-venue-$ROBOTS.db" db="$OUT/robopass-venue-run.db"
    if [[ ! -s $seeded ]]; then
      rm -f "$seeded.partial"*
      DATABASE_URL="sqlite://$seeded.partial" RUST_LOG=warn "$BIN" seed --robots "$ROBOTS" >&2
      python3 -c 'import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.execute("PRAGMA wal_checkpoint(TRUNCATE)"); c.close()' "$seeded.partial"
      rm -f "$seeded.partial-wal" "$seeded.partial-shm"
      mv "$seeded.partial" "$seeded"
    fi
    rm -f "$db" "$db-wal" "$db-shm"
    cp "$seeded" "$db"
    put_robots sqlite "$db"
    url="sqlite://$db"
  else
    psql "$PG_ADMIN_URL" -XqtA -c "SELECT 1" >/dev/null 2>&1 || { log "PostgreSQL unreachable: skipped"; continue; }
    name="robopass_venue_$ROBOTS" admin="psql $PG_ADMIN_URL -XqtA -v ON_ERROR_STOP=1"
    base=${PG_ADMIN_URL%/*}
    if [[ $($admin -c "SELECT 1 FROM pg_database WHERE datname = '$name'") != 1 ]]; then
      $admin -c "DROP DATABASE IF EXISTS ${name}_partial" >&2
      $admin -c "CREATE DATABASE ${name}_partial" >&2
      DATABASE_URL="$base/${name}_partial" RUST_LOG=warn "$BIN" seed --robots "$ROBOTS" >&2
      sleep 1
      $admin -c "ALTER DATABASE ${name}_partial RENAME TO $name" >&2
    fi
    $admin -c "DROP DATABASE IF EXISTS ${name}_run" >&2
    $admin -c "CREATE DATABASE ${name}_run TEMPLATE $name" >&2
    url="$base/${name}_run"
    put_robots postgres "$url"
  fi
  start_server "$url"
  # The venue's slug, and how many robots its JSON lists.
  if [[ $backend == sqlite ]]; then
    slug=$(python3 -c 'import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT slug FROM venues WHERE id = 1").fetchone()[0])' "$db")
  else
    slug=$(psql "$url" -XqtA -c "SELECT slug FROM venues WHERE id = 1")
  fi
  listed=$(curl -fsS "$BASE/api/v1/venues/$slug" | python3 -c 'import sys, json; print(len(json.load(sys.stdin)["robots"]))')
  wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency "$BASE/v/$slug" >"$OUT/wrk/venue-$backend-page.txt"
  wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency "$BASE/api/v1/venues/$slug" >"$OUT/wrk/venue-$backend-json.txt"
  wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency "$BASE/v/$slug/display" >"$OUT/wrk/venue-$backend-display.txt"
  stop_server
  IFS='|' read -r prps pp50 pp99 pbad <<<"$(parse "$OUT/wrk/venue-$backend-page.txt")"
  IFS='|' read -r jrps jp50 jp99 jbad <<<"$(parse "$OUT/wrk/venue-$backend-json.txt")"
  IFS='|' read -r drps dp50 dp99 dbad <<<"$(parse "$OUT/wrk/venue-$backend-display.txt")"
  emit "| $backend | $listed | $prps | $pp50 | $pp99 | $jrps | $jp50 | $jp99 | $drps | $dp50 | $dp99 | $((pbad + jbad + dbad)) |"
  if awk -v a="$pp99" -v t="$TARGET_MS" 'BEGIN { exit !(a >= t) }'; then
    log "FAIL: venue page p99 $pp99 ms ($backend)"; verdict=FAIL
  fi
  ((listed == VENUE_ROBOTS)) || { log "FAIL: the venue lists $listed robots, not $VENUE_ROBOTS"; verdict=FAIL; }
  ((pbad + jbad + dbad == 0)) || { log "FAIL: non-2xx answers"; verdict=FAIL; }
done
emit ""
emit "Target: $verdict (venue page of $VENUE_ROBOTS robots, p99 under $TARGET_MS ms at $CONNECTIONS connections)"
[[ $verdict == PASS ]]
