#!/usr/bin/env bash
# Load benchmark for the release build: for each backend × registry size, serve a cached,
# pre-seeded registry on 127.0.0.1 and drive it with wrk. Prints one Markdown table row per
# endpoint (and appends them to $OUT/results.md), then page/wasm sizes and the targets from
# bench/README.md. Progress goes to stderr, so `bench/run.sh > table.md` keeps only results.
#
# Needs a built binary (`make build`); never builds anything itself.
set -euo pipefail
cd "$(dirname "$0")/.."

# ---- settings (environment) -------------------------------------------------------------
SCALES=${SCALES:-"28000 1000000"}
BACKENDS=${BACKENDS:-"sqlite postgres"}
PG_ADMIN_URL=${PG_ADMIN_URL:-"postgres://postgres@127.0.0.1:5432/test"}
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-2}
PORT=${PORT:-3900}
OUT=${OUT:-bench/out}
# Unmeasured load on the profile page before each backend × size, so the first measured run
# does not pay for a cold page cache (0 turns it off).
WARMUP=${WARMUP:-3s}

BIN=${BIN:-target/release/robopass}
HOST=127.0.0.1                 # the only host this script ever sends load to
BASE="http://$HOST:$PORT"
ID_COUNT=2000
# Per-request logging would measure the logger, not the server.
SERVER_LOG_LEVEL=warn
RESULTS="$OUT/results.md"

# ---- small helpers ----------------------------------------------------------------------
log() { printf '%s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }
WARNINGS=()
warn() { log "warning: $*"; WARNINGS+=("$*"); }

# 1000000 -> 1,000,000 (GNU sed: insert a comma before each trailing group of three digits).
thousands() { sed ':a;s/\B[0-9]\{3\}\>/,&/;ta' <<<"$1"; }
# Bytes -> KB with one decimal.
kb() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1024 }'; }
# Whole number for display; "?" when missing.
round() { if [[ -z $1 ]]; then echo "?"; else awk -v a="$1" 'BEGIN { printf "%.0f", a }'; fi; }
# Exit status of a floating-point comparison, e.g. `fcmp 3.2 '<' 20`.
fcmp() { awk -v a="$1" -v b="$3" "BEGIN { exit !(a $2 b) }"; }
# Append to the results file and echo to stdout at once.
emit() { printf '%s\n' "$*" | tee -a "$RESULTS"; }
now_ms() { date +%s%3N; }

# ---- server lifecycle ---------------------------------------------------------------------
SERVER_PID=""

stop_server() {
  [[ -n $SERVER_PID ]] || return 0
  # SIGTERM: the server finishes requests in flight and stops (SIGINT is ignored in the
  # background jobs of a script).
  kill -TERM "$SERVER_PID" 2>/dev/null || true
  local i
  for ((i = 0; i < 50; i++)); do            # up to 10 s, then force it
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.2
  done
  kill -KILL "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=""
}

cleanup() { stop_server; }
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Start the server on $1 (database URL), logging to $2; return once /healthz answers.
start_server() {
  local url=$1 logfile=$2
  DATABASE_URL=$url LEPTOS_SITE_ADDR="$HOST:$PORT" DEMO_ROBOTS=0 RUST_LOG=$SERVER_LOG_LEVEL \
    "$BIN" >"$logfile" 2>&1 &
  SERVER_PID=$!
  local deadline=$((SECONDS + 60))
  while ((SECONDS < deadline)); do
    if curl -fsS -m 1 "$BASE/healthz" >/dev/null 2>&1; then
      return 0
    fi
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
      tail -n 30 "$logfile" >&2 || true
      SERVER_PID=""
      die "server exited during start-up (log: $logfile)"
    fi
    sleep 0.3
  done
  tail -n 30 "$logfile" >&2 || true
  die "server did not answer /healthz within 60 s (log: $logfile)"
}

# ---- cached, seeded databases ---------------------------------------------------------------
# Run the binary's own seeder against $1 for $2 robots and report how long it took, naming
# the data $3 (the cache it becomes).
seed_into() {
  local url=$1 n=$2 name=$3 started
  log "seeding $(thousands "$n") robots (once; later runs reuse the data)..."
  started=$(now_ms)
  # The binary logs to stdout; keep stdout for results only.
  DATABASE_URL=$url DEMO_ROBOTS=0 RUST_LOG="info,sqlx=warn" "$BIN" seed --robots "$n" >&2
  local secs
  secs=$(awk -v ms="$(($(now_ms) - started))" 'BEGIN { printf "%.1f", ms / 1000 }')
  log "seeded $(thousands "$n") robots in ${secs} s"
  emit ""
  emit "- seeding: $(thousands "$n") robots into $name took ${secs} s"
}

DB_URL=""

# SQLite: seed into a ".partial" file and rename it only when seeding finished, so an
# interrupted seed is never mistaken for a complete cache. Sets DB_URL.
prepare_sqlite() {
  local n=$1 db="$OUT/robopass-$1.db"
  if [[ -s $db ]]; then
    log "reusing $db"
  else
    local partial="$db.partial" s
    rm -f "$partial" "$partial-wal" "$partial-shm" "$db-wal" "$db-shm"
    seed_into "sqlite://$partial" "$n" "$db"
    # Move any WAL sidecars along with the file: SQLite pairs them by name.
    for s in -wal -shm; do
      if [[ -e $partial$s ]]; then mv "$partial$s" "$db$s"; fi
    done
    mv "$partial" "$db"
  fi
  DB_URL="sqlite://$db"
}

psql_admin() { PGCONNECT_TIMEOUT=5 PGOPTIONS='-c client_min_messages=warning' psql "$PG_ADMIN_URL" -X -q -v ON_ERROR_STOP=1 "$@"; }

# PG_ADMIN_URL with its database name replaced by $1.
pg_url_for() {
  python3 - "$PG_ADMIN_URL" "$1" <<'PY'
import sys, urllib.parse as u
parts = u.urlsplit(sys.argv[1])
print(u.urlunsplit(parts._replace(path="/" + sys.argv[2])))
PY
}

pg_host() {
  python3 -c 'import sys, urllib.parse as u; print(u.urlsplit(sys.argv[1]).hostname or "")' "$PG_ADMIN_URL"
}

# PostgreSQL: same idea as SQLite: seed robopass_bench_N_partial, rename when complete.
# Sets DB_URL.
prepare_postgres() {
  local n=$1 name="robopass_bench_$1" partial="robopass_bench_$1_partial"
  if [[ $(psql_admin -tAc "SELECT 1 FROM pg_database WHERE datname = '$name'") == 1 ]]; then
    log "reusing database $name"
  else
    psql_admin -c "DROP DATABASE IF EXISTS $partial" >&2
    psql_admin -c "CREATE DATABASE $partial" >&2
    seed_into "$(pg_url_for "$partial")" "$n" "PostgreSQL database $name"
    # The seeder's sessions may take a moment to go away; renaming needs none left.
    local i
    for ((i = 0; i < 20; i++)); do
      if psql_admin -c "ALTER DATABASE $partial RENAME TO $name" >/dev/null 2>&1; then break; fi
      sleep 0.5
    done
    [[ $(psql_admin -tAc "SELECT 1 FROM pg_database WHERE datname = '$name'") == 1 ]] ||
      die "could not rename $partial to $name"
  fi
  DB_URL=$(pg_url_for "$name")
}

# ---- wrk -----------------------------------------------------------------------------------
# A wrk script that requests $1<random ID>$4 each time, IDs read from $2 (one per line).
# Every wrk thread runs its own Lua state; setup() gives each a distinct but fixed seed so
# runs are repeatable.
write_lua() {
  local prefix=$1 ids=$2 out=$3 suffix=${4:-}
  cat >"$out" <<LUA
-- generated by bench/run.sh
local prefix = "$prefix"
local suffix = "$suffix"
local ids_file = "$ids"
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("seed", threads)
end
function init(args)
  math.randomseed(seed or 1)
  ids = {}
  for line in io.lines(ids_file) do
    if #line > 0 then ids[#ids + 1] = line end
  end
end
function request()
  return wrk.format("GET", prefix .. ids[math.random(#ids)] .. suffix)
end
LUA
}

# Print "req/s|p50 ms|p99 ms|non-2xx count|socket error count|socket error detail" from a wrk
# --latency report. wrk writes latencies as 812.00us, 1.23ms, 2.01s, 1.00m: all become ms.
parse_wrk() {
  awk '
    function ms(v) {
      if (v ~ /us$/) return substr(v, 1, length(v) - 2) / 1000
      if (v ~ /ms$/) return substr(v, 1, length(v) - 2) + 0
      if (v ~ /s$/)  return substr(v, 1, length(v) - 1) * 1000
      if (v ~ /m$/)  return substr(v, 1, length(v) - 1) * 60000
      if (v ~ /h$/)  return substr(v, 1, length(v) - 1) * 3600000
      return v + 0
    }
    /Latency Distribution/ { dist = 1 }
    dist && $1 == "50%" { p50 = ms($2) }
    dist && $1 == "99%" { p99 = ms($2) }
    /Non-2xx or 3xx responses:/ { non2xx = $NF }
    /Socket errors:/ {
      detail = $0; sub(/.*Socket errors: */, "", detail)
      for (i = 1; i <= NF; i++) if ($i ~ /^[0-9]+,?$/) sock += $i
    }
    /^Requests\/sec:/ { rps = $2 }
    END { printf "%s|%s|%s|%d|%d|%s\n", rps, p50, p99, non2xx, sock, detail }
  ' "$1"
}

declare -A RPS=() P99=()

# Run wrk against $4 and emit a table row. $1 backend, $2 robots, $3 endpoint key,
# $4 URL, $5 label; remaining arguments are extra wrk options.
bench_endpoint() {
  local backend=$1 n=$2 key=$3 url=$4 label=$5
  shift 5
  local report="$OUT/wrk/$backend-$n-$key.txt"
  log "  $label: wrk -t$THREADS -c$CONNECTIONS -d$DURATION $url"
  local row_start="| $backend | $(thousands "$n") | $label |"
  if ! wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "$@" "$url" >"$report" 2>&1; then
    warn "$backend $(thousands "$n") $label: wrk failed (see $report)"
    emit "$row_start n/a | n/a | n/a | n/a | ⚠ wrk failed"
    return 0
  fi
  local rps p50 p99 non2xx sock detail
  IFS='|' read -r rps p50 p99 non2xx sock detail < <(parse_wrk "$report")
  if [[ -z $rps ]]; then
    warn "$backend $(thousands "$n") $label: could not read wrk's report ($report)"
    emit "$row_start n/a | n/a | n/a | n/a | ⚠ unreadable wrk report"
    return 0
  fi
  local id="$backend/$n/$key"
  RPS[$id]=$rps
  P99[$id]=$p99
  local ceiling=${RPS[$backend/$n/healthz]:-} share="n/a"
  if [[ -n $ceiling ]] && fcmp "$ceiling" '>' 0; then
    share=$(awk -v a="$rps" -v c="$ceiling" 'BEGIN { printf "%.0f%%", 100 * a / c }')
  fi
  local note=""
  if ((non2xx > 0)); then
    note+=" ⚠ $non2xx non-2xx/3xx responses"
    warn "$backend $(thousands "$n") $label: $non2xx non-2xx/3xx responses"
  fi
  if ((sock > 0)); then
    note+=" ⚠ socket errors: $detail"
    warn "$backend $(thousands "$n") $label: socket errors ($detail)"
  fi
  emit "$(printf '%s %.0f | %.2f | %.2f | %s |%s' "$row_start" "$rps" "$p50" "$p99" "$share" "$note")"
}

# ---- one backend × size ----------------------------------------------------------------------
CSS_PATH=""
WASM_PATH=""
SIZES_DONE=0

# The stylesheet the home page links to (its name carries a content hash).
discover_css() {
  curl -fsS -m 10 "$BASE/" | grep -o '<link[^>]*>' | grep 'rel="stylesheet"' |
    sed -n 's/.*href="\([^"]*\)".*/\1/p' | head -n 1
}

# Gzipped sizes of a profile page (as served) and of the wasm file (gzip -9), once per run.
report_sizes() {
  local id=$1 dir="$OUT/sizes"
  mkdir -p "$dir"
  curl -fsS -m 10 -D "$dir/profile.headers" -H 'Accept-Encoding: gzip' -o "$dir/profile.body" "$BASE/r/$id"
  local served plain html_gz
  served=$(wc -c <"$dir/profile.body")
  plain=$(curl -fsS -m 10 "$BASE/r/$id" | wc -c)
  if grep -qi '^content-encoding: *gzip' "$dir/profile.headers"; then
    html_gz=$served
  else
    warn "profile page was served without gzip; size below is gzip -c of the plain body"
    html_gz=$(curl -fsS -m 10 "$BASE/r/$id" | gzip -c | wc -c)
  fi
  local wasm_file="target/site$WASM_PATH" wasm_raw wasm_gz
  wasm_raw=$(wc -c <"$wasm_file")
  wasm_gz=$(gzip -9 -c "$wasm_file" | wc -c)
  HTML_GZ=$html_gz
  WASM_GZ=$wasm_gz
  emit ""
  emit "Sizes:"
  emit "- profile page /r/$id: $(kb "$plain") KB plain, $(kb "$html_gz") KB gzipped (as served)"
  emit "- wasm $WASM_PATH: $(kb "$wasm_raw") KB raw, $(kb "$wasm_gz") KB gzip -9"
  if [[ -e $wasm_file.br ]]; then
    emit "- the same in brotli, served to browsers that take br (made by \`robopass precompress\`): $(kb "$(wc -c <"$wasm_file.br")") KB"
  fi
  local part
  for part in target/site/pkg/split_*.wasm target/site/pkg/chunk_*.wasm; do
    [[ -e $part ]] || continue
    emit "- split out, fetched only where used: /pkg/$(basename "$part"): $(kb "$(wc -c <"$part")") KB raw, $(kb "$(gzip -9 -c "$part" | wc -c)") KB gzip -9"
  done
}

# Measure every endpoint for one backend × size against the database at $3.
run_combination() {
  local backend=$1 n=$2 url=$3
  start_server "$url" "$OUT/server-$backend-$n.log"

  local ids="$OUT/ids-$backend-$n.txt"
  DATABASE_URL=$url DEMO_ROBOTS=0 RUST_LOG=warn "$BIN" demo-ids --limit "$ID_COUNT" |
    sed -n 's/.*"id":"\([^"]*\)".*/\1/p' >"$ids"
  [[ -s $ids ]] || die "demo-ids returned no IDs for $backend $(thousands "$n")"

  local lua_profile="$OUT/profile-$backend-$n.lua" lua_api="$OUT/api-$backend-$n.lua"
  local lua_badge="$OUT/badge-$backend-$n.lua"
  # wrk's Lua opens the ID file itself, so give it an absolute path.
  local ids_abs
  ids_abs=$(realpath "$ids")
  write_lua "/r/" "$ids_abs" "$lua_profile"
  write_lua "/api/v1/robots/" "$ids_abs" "$lua_api"
  write_lua "/badge/" "$ids_abs" "$lua_badge" ".svg?lang=en"

  if [[ -z $CSS_PATH ]]; then
    CSS_PATH=$(discover_css) || true
    [[ -n $CSS_PATH ]] || warn "no <link rel=\"stylesheet\"> on the home page; CSS not measured"
  fi

  if [[ $WARMUP != 0 && $WARMUP != 0s ]]; then
    log "  warming up for $WARMUP (not measured)"
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" -s "$lua_profile" "$BASE" >/dev/null 2>&1 || true
  fi

  local gz=(-H 'Accept-Encoding: gzip')
  bench_endpoint "$backend" "$n" healthz "$BASE/healthz" "healthz (ceiling)"
  bench_endpoint "$backend" "$n" profile "$BASE" "profile /r/{id}" -s "$lua_profile"
  bench_endpoint "$backend" "$n" api "$BASE" "API /api/v1/robots/{id}" -s "$lua_api"
  # What a venue's website embeds on every page view: at least as fast as the profile.
  bench_endpoint "$backend" "$n" badge "$BASE" "badge /badge/{id}.svg" -s "$lua_badge"
  if [[ -n $CSS_PATH ]]; then
    bench_endpoint "$backend" "$n" css "$BASE$CSS_PATH" "CSS (gzip)" "${gz[@]}"
  fi
  bench_endpoint "$backend" "$n" wasm "$BASE$WASM_PATH" "wasm (gzip)" "${gz[@]}"
  # What a phone's browser asks for: it takes brotli, so it gets the smaller copy. The
  # "static files at least as fast as the profile" target is judged on this row.
  local browser_ae='Accept-Encoding: gzip, deflate, br, zstd'
  if curl -fsS -m 10 -o /dev/null -D - -H "$browser_ae" "$BASE$WASM_PATH" | grep -qi '^content-encoding: *br'; then
    bench_endpoint "$backend" "$n" wasm_br "$BASE$WASM_PATH" "wasm (as browsers ask: br)" -H "$browser_ae"
  else
    warn "the wasm is not served in brotli (no .br copy: run \`robopass precompress\`); its browser row is skipped"
  fi

  if ((SIZES_DONE == 0)); then
    report_sizes "$(head -n 1 "$ids")"
    SIZES_DONE=1
  fi
  stop_server
}

# ---- targets (see bench/README.md) -------------------------------------------------------------
check() {  # $1 description, $2 "pass" | "fail" | "n/a"
  local mark
  case $2 in pass) mark="PASS" ;; fail) mark="FAIL" ;; *) mark="n/a " ;; esac
  emit "- [$mark] $1"
}

verdict() {  # runs a comparison: verdict a op b -> pass/fail, n/a when a value is missing
  if [[ -z $1 || -z $3 ]]; then echo n/a; elif fcmp "$1" "$2" "$3"; then echo pass; else echo fail; fi
}

check_targets() {
  emit ""
  emit "Targets:"
  local backend n
  local smallest largest
  smallest=$(tr ' ' '\n' <<<"$SCALES" | grep . | sort -n | head -n 1)
  largest=$(tr ' ' '\n' <<<"$SCALES" | grep . | sort -n | tail -n 1)
  for backend in "${RAN_BACKENDS[@]}"; do
    for n in $SCALES; do
      local k="$backend/$n" where="$backend $(thousands "$n")" p99=${P99[$backend/$n/profile]:-} rps=${RPS[$backend/$n/profile]:-}
      local ceil=${RPS[$backend/$n/healthz]:-} fifth=""
      [[ -n $ceil ]] && fifth=$(awk -v c="$ceil" 'BEGIN { print c / 5 }')
      check "$where: profile p99 ${p99:-?} ms < 20 ms" "$(verdict "$p99" '<' 20)"
      check "$where: profile $(round "$rps") req/s ≥ a fifth of the ceiling ($(round "$fifth"))" \
        "$(verdict "$rps" '>=' "$fifth")"
      check "$where: badge $(round "${RPS[$k/badge]:-}") req/s ≥ profile $(round "$rps") req/s" \
        "$(verdict "${RPS[$k/badge]:-}" '>=' "$rps")"
      if [[ -n $CSS_PATH ]]; then
        check "$where: css $(round "${RPS[$k/css]:-}") req/s ≥ profile $(round "$rps") req/s" \
          "$(verdict "${RPS[$k/css]:-}" '>=' "$rps")"
      fi
      # The wasm is judged as a phone fetches it: browsers ask for brotli and get it. The
      # gzip-only figure is shown beside it (on this 2-core loopback it is level with the
      # profile, one run either side; see bench/README.md).
      local wasm_key=wasm_br wasm_how="as browsers ask (br)"
      [[ -n ${RPS[$k/wasm_br]:-} ]] || { wasm_key=wasm; wasm_how="gzip; no brotli row"; }
      check "$where: wasm $wasm_how $(round "${RPS[$k/$wasm_key]:-}") req/s ≥ profile $(round "$rps") req/s (gzip only: $(round "${RPS[$k/wasm]:-}"))" \
        "$(verdict "${RPS[$k/$wasm_key]:-}" '>=' "$rps")"
    done
    if [[ $smallest != "$largest" ]]; then
      local ps=${P99[$backend/$smallest/profile]:-} pl=${P99[$backend/$largest/profile]:-}
      local rs=${RPS[$backend/$smallest/profile]:-} rl=${RPS[$backend/$largest/profile]:-}
      local limit_p99="" floor_rps=""
      [[ -n $ps ]] && limit_p99=$(awk -v a="$ps" 'BEGIN { print a * 1.5 }')
      [[ -n $rs ]] && floor_rps=$(awk -v a="$rs" 'BEGIN { print a / 1.5 }')
      check "$backend: profile p99 at $(thousands "$largest") (${pl:-?} ms) within 1.5× of $(thousands "$smallest") (${ps:-?} ms)" \
        "$(verdict "$pl" '<=' "$limit_p99")"
      check "$backend: profile req/s at $(thousands "$largest") ($(round "$rl")) within 1.5× of $(thousands "$smallest") ($(round "$rs"))" \
        "$(verdict "$rl" '>=' "$floor_rps")"
    fi
  done
  local html_kb="" wasm_kb=""
  [[ -n ${HTML_GZ:-} ]] && html_kb=$(kb "$HTML_GZ")
  [[ -n ${WASM_GZ:-} ]] && wasm_kb=$(kb "$WASM_GZ")
  check "profile HTML ${html_kb:-?} KB gzipped < 20 KB" "$(verdict "$html_kb" '<' 20)"
  check "wasm ${wasm_kb:-?} KB gzipped < 250 KB" "$(verdict "$wasm_kb" '<' 250)"
}

# ---- preflight -------------------------------------------------------------------------------
[[ -x $BIN ]] || die "$BIN not found: build it first (make build)"
for tool in wrk curl gzip python3; do
  command -v "$tool" >/dev/null || die "$tool is required"
done
for v in "$CONNECTIONS" "$THREADS" "$PORT"; do
  [[ $v =~ ^[0-9]+$ ]] || die "CONNECTIONS, THREADS and PORT must be whole numbers"
done
((CONNECTIONS >= THREADS)) || die "wrk needs CONNECTIONS ≥ THREADS"
for n in $SCALES; do
  [[ $n =~ ^[0-9]+$ && $n -gt 0 ]] || die "SCALES must be positive whole numbers, got '$n'"
done
[[ -n ${SCALES// /} ]] || die "SCALES is empty"

# The wasm every page loads: the build's own (`robopass.wasm`), not the parts split out of it
# (`split_*.wasm`, fetched only where they are used).
shopt -s nullglob
wasm_files=(target/site/pkg/robopass.wasm target/site/pkg/robopass_bg.wasm)
shopt -u nullglob
((${#wasm_files[@]} > 0)) || die "no target/site/pkg/robopass.wasm: build the site first (make build)"
WASM_PATH="/pkg/$(basename "${wasm_files[0]}")"

# A server already on the port would be measured instead of ours.
if curl -s -m 1 -o /dev/null "$BASE/" 2>/dev/null; then
  die "something already listens on $HOST:$PORT; set PORT to a free port"
fi

RAN_BACKENDS=()
for backend in $BACKENDS; do
  case $backend in
    sqlite) RAN_BACKENDS+=(sqlite) ;;
    postgres)
      command -v psql >/dev/null || { warn "psql not installed: postgres skipped"; continue; }
      case $(pg_host) in
        127.0.0.1 | localhost | ::1 | "") ;;
        *) die "PG_ADMIN_URL must point at this machine (127.0.0.1), got host $(pg_host)" ;;
      esac
      if psql_admin -tAc 'SELECT 1' >/dev/null 2>&1; then
        RAN_BACKENDS+=(postgres)
      else
        # Only the part after "@", so a password in the URL never reaches the log.
        warn "PostgreSQL not reachable at ${PG_ADMIN_URL#*@}: postgres skipped"
      fi
      ;;
    *) die "unknown backend '$backend' (sqlite or postgres)" ;;
  esac
done
((${#RAN_BACKENDS[@]} > 0)) || die "no backend left to measure"

mkdir -p "$OUT/wrk"

# ---- run ---------------------------------------------------------------------------------------
[[ -s $RESULTS ]] || printf '# robopass benchmark results\n' >"$RESULTS"
{
  printf '\n## %s\n\n' "$(date -u '+%Y-%m-%d %H:%M:%S UTC')"
  printf -- '- machine: %s CPUs (nproc), %s\n' "$(nproc)" "$(uname -srm)"
  printf -- '- wrk: -t%s -c%s -d%s --latency; profile/API pick one of %s IDs at random per request; static files with Accept-Encoding: gzip, the wasm also as browsers ask (br)\n' \
    "$THREADS" "$CONNECTIONS" "$DURATION" "$ID_COUNT"
  printf -- '- server: RUST_LOG=%s, DEMO_ROBOTS=0, on %s:%s; warm-up %s\n' "$SERVER_LOG_LEVEL" "$HOST" "$PORT" "$WARMUP"
} | tee -a "$RESULTS"
log "note: wrk and the server share this machine's $(nproc) CPUs; compare '% of ceiling' rather than raw req/s across machines."

TABLE_HEADER='| backend | robots | endpoint | req/s | p50 ms | p99 ms | % of ceiling |
|---|---|---|---:|---:|---:|---:|'

for backend in "${RAN_BACKENDS[@]}"; do
  for n in $SCALES; do
    log ""
    log "== $backend, $(thousands "$n") robots =="
    # Seed (or reuse) before the table starts, so a seeding line never splits it.
    "prepare_$backend" "$n"
    emit ""
    emit "$TABLE_HEADER"
    run_combination "$backend" "$n" "$DB_URL"
  done
done

check_targets

if ((${#WARNINGS[@]} > 0)); then
  emit ""
  emit "Warnings:"
  for w in "${WARNINGS[@]}"; do emit "- $w"; done
fi
log ""
log "results appended to $RESULTS; wrk reports in $OUT/wrk/, server logs in $OUT/server-*.log"
