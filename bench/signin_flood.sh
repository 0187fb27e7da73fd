#!/usr/bin/env bash
# Sign-in flood: wrong passwords on 64 connections, known and unknown e-mails alike, while a
# second wrk measures the profile page at random robots. Run twice per backend: with the
# default throttle (one client address: the flood is soon answered 429 without hashing), and
# with the throttle lifted (as if the flood came from a botnet of addresses: every attempt
# is hashed). Prints Markdown rows and the verdict on the targets: profile p99 under 20 ms,
# nothing answered 5xx. Needs a built binary (`make build`); builds nothing itself.
set -euo pipefail
cd "$(dirname "$0")/.."

BACKENDS=${BACKENDS:-"sqlite postgres"}
ROBOTS=${ROBOTS:-28000}
DURATION=${DURATION:-15s}
FLOOD_CONNECTIONS=${FLOOD_CONNECTIONS:-64}
PROFILE_CONNECTIONS=${PROFILE_CONNECTIONS:-8}
PG_ADMIN_URL=${PG_ADMIN_URL:-"postgres://postgres@127.0.0.1:5432/test"}
PORT=${PORT:-3910}
OUT=${OUT:-bench/out}
BIN=${BIN:-target/release/robopass}
HOST=127.0.0.1
BASE="http://$HOST:$PORT"
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
  for _ in $(seq 1 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.2; done
  kill -KILL "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=""
}
trap stop_server EXIT

# Start the server on $1 with extra environment $2… ; wait for /healthz.
start_server() {
  local url=$1; shift
  env DATABASE_URL="$url" LEPTOS_SITE_ADDR="$HOST:$PORT" DEMO_ROBOTS=0 RUST_LOG=warn \
    MAIL_DIR="$OUT/mail" "$@" "$BIN" >"$OUT/server-flood.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 200); do
    curl -fsS -m 1 "$BASE/healthz" >/dev/null 2>&1 && return 0
    kill -0 "$SERVER_PID" 2>/dev/null || die "the server stopped (see $OUT/server-flood.log)"
    sleep 0.3
  done
  die "the server did not come up"
}

# A registry of its own (the demo accounts included), seeded once and reused.
prepare() {
  local backend=$1
  if [[ $backend == sqlite ]]; then
    local db="$OUT/robopass-flood-$ROBOTS.db"
    if [[ ! -s $db ]]; then
      rm -f "$db.partial"*
      DATABASE_URL="sqlite://$db.partial" DEMO_ROBOTS=0 RUST_LOG=warn "$BIN" seed --robots "$ROBOTS" >&2
      for s in -wal -shm; do [[ -e $db.partial$s ]] && mv "$db.partial$s" "$db$s"; done
      mv "$db.partial" "$db"
    fi
    DB_URL="sqlite://$db"
  else
    local name="robopass_flood_$ROBOTS"
    local admin="psql $PG_ADMIN_URL -XqtA -v ON_ERROR_STOP=1"
    DB_URL=$(python3 -c 'import sys, urllib.parse as u; p = u.urlsplit(sys.argv[1]); print(u.urlunsplit(p._replace(path="/" + sys.argv[2])))' "$PG_ADMIN_URL" "$name")
    if [[ $($admin -c "SELECT 1 FROM pg_database WHERE datname = '$name'") != 1 ]]; then
      $admin -c "DROP DATABASE IF EXISTS ${name}_partial" >&2
      $admin -c "CREATE DATABASE ${name}_partial" >&2
      local partial=${DB_URL%/*}/${name}_partial
      DATABASE_URL="$partial" DEMO_ROBOTS=0 RUST_LOG=warn "$BIN" seed --robots "$ROBOTS" >&2
      sleep 1
      $admin -c "ALTER DATABASE ${name}_partial RENAME TO $name" >&2
    fi
  fi
}

# The flood: POST /account/sign-in, a wrong password, a demo account's e-mail or an unknown
# one in turn. Counts answers by class (2xx, 3xx, 4xx, 429, 5xx) over every thread.
cat >"$OUT/flood.lua" <<'LUA'
local counts = {}
local threads = {}
function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end
function init(args)
  n = 0
  c2, c3, c4, c429, c5 = 0, 0, 0, 0, 0
end
function request()
  n = n + 1
  local email
  if n % 2 == 0 then
    email = "operator%40demo.robopass.example"
  else
    email = "nobody" .. id .. "-" .. n .. "%40example.com"
  end
  local body = "email=" .. email .. "&password=wrong+password+" .. n
  return wrk.format("POST", "/account/sign-in",
    { ["Content-Type"] = "application/x-www-form-urlencoded" }, body)
end
function response(status, headers, body)
  if status == 429 then c429 = c429 + 1
  elseif status >= 500 then c5 = c5 + 1
  elseif status >= 400 then c4 = c4 + 1
  elseif status >= 300 then c3 = c3 + 1
  else c2 = c2 + 1 end
end
function done(summary, latency, requests)
  local t = { 0, 0, 0, 0, 0 }
  for _, thread in ipairs(threads) do
    t[1] = t[1] + thread:get("c2"); t[2] = t[2] + thread:get("c3")
    t[3] = t[3] + thread:get("c4"); t[4] = t[4] + thread:get("c429")
    t[5] = t[5] + thread:get("c5")
  end
  io.write(string.format("CLASSES 2xx=%d 3xx=%d 4xx=%d 429=%d 5xx=%d\n", t[1], t[2], t[3], t[4], t[5]))
end
LUA

cat >"$OUT/profile.lua" <<LUA
local ids = {}
for line in io.lines("$OUT/flood-ids.txt") do ids[#ids + 1] = line end
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) math.randomseed(os.time() + #ids); c5 = 0 end
function request() return wrk.format("GET", "/r/" .. ids[math.random(#ids)]) end
function response(status) if status >= 500 then c5 = c5 + 1 end end
function done()
  local t = 0
  for _, thread in ipairs(threads) do t = t + thread:get("c5") end
  io.write(string.format("CLASSES 5xx=%d\n", t))
end
LUA

# "req/s|p50|p99" from a wrk --latency report, in ms.
parse() {
  awk '
    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
    /Requests\/sec/ { rps = $2 }
    $1 == "50%" { p50 = ms($2) }
    $1 == "99%" { p99 = ms($2) }
    END { printf "%.0f|%.2f|%.2f", rps, p50, p99 }' "$1"
}

emit ""
emit "## Sign-in flood — $(date -u +%Y-%m-%d) — $(nproc) cores, $ROBOTS robots, flood wrk -c$FLOOD_CONNECTIONS, profile wrk -c$PROFILE_CONNECTIONS, $DURATION"
emit ""
emit "| backend | throttle | profile alone p99 ms | profile under flood req/s | p50 ms | p99 ms | flood req/s | flood answers | 5xx |"
emit "|---|---|---:|---:|---:|---:|---:|---|---:|"
FAILED=0
for backend in $BACKENDS; do
  if [[ $backend == postgres ]] && ! psql "$PG_ADMIN_URL" -Xqc 'SELECT 1' >/dev/null 2>&1; then
    log "PostgreSQL cannot be reached: skipped"
    continue
  fi
  prepare "$backend"
  for throttle in default lifted; do
    extra=()
    if [[ $throttle == lifted ]]; then
      extra=(SIGN_IN_LIMIT_PER_ADDRESS=1000000 SIGN_IN_LIMIT_PER_ACCOUNT=1000000)
    fi
    start_server "$DB_URL" "${extra[@]}"
    DATABASE_URL="$DB_URL" "$BIN" demo-ids --limit 2000 | python3 -c 'import sys, json; [print(json.loads(l)["id"]) for l in sys.stdin if l.strip()]' >"$OUT/flood-ids.txt"
    # The profile alone, then under the flood.
    wrk -t1 -c"$PROFILE_CONNECTIONS" -d5s --latency -s "$OUT/profile.lua" "$BASE" >"$OUT/wrk/flood-$backend-$throttle-alone.txt"
    wrk -t2 -c"$FLOOD_CONNECTIONS" -d"$DURATION" --timeout 30s -s "$OUT/flood.lua" "$BASE" >"$OUT/wrk/flood-$backend-$throttle-flood.txt" &
    flood=$!
    sleep 2
    wrk -t1 -c"$PROFILE_CONNECTIONS" -d"$(( ${DURATION%s} - 4 ))s" --latency -s "$OUT/profile.lua" "$BASE" >"$OUT/wrk/flood-$backend-$throttle-profile.txt"
    wait "$flood"
    stop_server
    IFS='|' read -r _ _ alone99 <<<"$(parse "$OUT/wrk/flood-$backend-$throttle-alone.txt")"
    IFS='|' read -r prps p50 p99 <<<"$(parse "$OUT/wrk/flood-$backend-$throttle-profile.txt")"
    IFS='|' read -r frps _ _ <<<"$(parse "$OUT/wrk/flood-$backend-$throttle-flood.txt")"
    classes=$(grep -h '^CLASSES' "$OUT/wrk/flood-$backend-$throttle-flood.txt" | sed 's/^CLASSES //')
    p5=$(grep -h '^CLASSES' "$OUT/wrk/flood-$backend-$throttle-profile.txt" | sed 's/.*5xx=//')
    f5=$(sed 's/.*5xx=//' <<<"$classes")
    emit "| $backend | $throttle | $alone99 | $prps | $p50 | $p99 | $frps | $classes | $((p5 + f5)) |"
    if ! awk -v a="$p99" 'BEGIN { exit !(a < 20) }'; then FAILED=1; log "FAIL: profile p99 $p99 ms under the flood ($backend, throttle $throttle)"; fi
    if ((p5 + f5 > 0)); then FAILED=1; log "FAIL: $((p5 + f5)) answers were 5xx ($backend, throttle $throttle)"; fi
  done
done
emit ""
if ((FAILED)); then emit "Targets: FAIL (see above)"; exit 1; else emit "Targets: PASS (profile p99 under 20 ms under the flood, no 5xx)"; fi
