#!/usr/bin/env bash
# The lifecycle record under load, per backend, on a demo registry of ROBOTS robots:
#  1. filing: a service provider's entries filed one at a time until the demo robot's record
#     holds ENTRIES entries;
#  2. the provenance report of that robot (ENTRIES entries): JSON (POST /api/v1/provenance) and
#     the page (GET /provenance/{ID}), opened by a regulator (no share code, so no throttle),
#     each at CONNECTIONS connections; every opening is written to the audit log. The record
#     does not change meanwhile, so the server hands out the report it made (after reading
#     everything again): the cached path. Then the fresh path: CONNECTIONS clients each file an
#     entry and open the report, again and again, so that nearly every report is made and
#     checked afresh; the openings' latencies are reported;
#  3. filing throughput: CONNECTIONS filers at once on that one robot for DURATION, then the
#     robot's count must equal what it was plus every 201, and `robopass verify --robot` must
#     find one unbroken chain (nothing lost, nothing forked);
#  4. `robopass verify` over the whole registry, timed;
#  5. a CSV import of IMPORT_UNITS new units by the demo manufacturer, timed from the upload to
#     the import's progress saying done, then the units counted.
# Prints Markdown rows and the verdict on the targets (report p99 under 50 ms at 16
# connections; verify under 30 s at 28,000 robots; no lost or forked entry; the import of
# 10,000 units under 10 s; no 5xx). Needs a
# built binary (`make build`); builds nothing itself.
set -euo pipefail
cd "$(dirname "$0")/.."

BACKENDS=${BACKENDS:-"sqlite postgres"}
ROBOTS=${ROBOTS:-28000}
ENTRIES=${ENTRIES:-500}
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-16}
IMPORT_UNITS=${IMPORT_UNITS:-10000}
PG_ADMIN_URL=${PG_ADMIN_URL:-"postgres://postgres@127.0.0.1:5432/test"}
PORT=${PORT:-3911}
OUT=${OUT:-bench/out}
BIN=${BIN:-target/release/robopass}
HOST=127.0.0.1
BASE="http://$HOST:$PORT"
mkdir -p "$OUT/wrk"
RESULTS="$OUT/results.md"
# Seeding and serving share one key file, so the demo share codes are hashed alike.
export SIGNING_KEY_FILE="$OUT/signing-key-provenance.json"

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

start_server() {
  env DATABASE_URL="$1" LEPTOS_SITE_ADDR="$HOST:$PORT" DEMO_ROBOTS=0 RUST_LOG=warn \
    MAIL_DIR="$OUT/mail" "$BIN" >"$OUT/server-provenance.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 200); do
    curl -fsS -m 1 "$BASE/healthz" >/dev/null 2>&1 && return 0
    kill -0 "$SERVER_PID" 2>/dev/null || die "the server stopped (see $OUT/server-provenance.log)"
    sleep 0.3
  done
  die "the server did not come up"
}

# A fresh registry each run (the run adds entries to it): seeded once, copied per run.
prepare() {
  local backend=$1
  if [[ $backend == sqlite ]]; then
    local seeded="$OUT/robopass-provenance-$ROBOTS.db" db="$OUT/robopass-provenance-run.db"
    if [[ ! -s $seeded ]]; then
      rm -f "$seeded.partial"*
      DATABASE_URL="sqlite://$seeded.partial" RUST_LOG=warn "$BIN" seed --robots "$ROBOTS" >&2
      python3 -c 'import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.execute("PRAGMA wal_checkpoint(TRUNCATE)"); c.close()' "$seeded.partial"
      rm -f "$seeded.partial-wal" "$seeded.partial-shm"
      mv "$seeded.partial" "$seeded"
    fi
    rm -f "$db" "$db-wal" "$db-shm"
    cp "$seeded" "$db"
    DB_URL="sqlite://$db"
  else
    local name="robopass_provenance_$ROBOTS"
    local admin="psql $PG_ADMIN_URL -XqtA -v ON_ERROR_STOP=1"
    local base=${PG_ADMIN_URL%/*}
    if [[ $($admin -c "SELECT 1 FROM pg_database WHERE datname = '$name'") != 1 ]]; then
      $admin -c "DROP DATABASE IF EXISTS ${name}_partial" >&2
      $admin -c "CREATE DATABASE ${name}_partial" >&2
      DATABASE_URL="$base/${name}_partial" RUST_LOG=warn "$BIN" seed --robots "$ROBOTS" >&2
      sleep 1
      $admin -c "ALTER DATABASE ${name}_partial RENAME TO $name" >&2
    fi
    $admin -c "DROP DATABASE IF EXISTS ${name}_run" >&2
    $admin -c "CREATE DATABASE ${name}_run TEMPLATE $name" >&2
    DB_URL="$base/${name}_run"
  fi
}

# Sign in as a demo role: the session token.
session() {
  local role=$1 dashed=${1//_/-}
  curl -fsS -o /dev/null -D - -m 10 "$BASE/account/sign-in" \
    --data-urlencode "email=$dashed@demo.robopass.example" \
    --data-urlencode "password=demo-$dashed-2026" |
    sed -n 's/^[Ss]et-[Cc]ookie: robopass_session=\([^;]*\).*/\1/p' | head -1
}

# "req/s|p50|p99" from a wrk --latency report, in ms.
parse() {
  awk '
    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
    /Requests\/sec/ { rps = $2 }
    $1 == "50%" { p50 = ms($2) }
    $1 == "99%" { p99 = ms($2) }
    END { printf "%.0f|%.2f|%.2f", rps, p50, p99 }' "$1"
}

# A wrk script: METHOD PATH with BODY (JSON) and the session COOKIE; counts answers by class.
script() {
  local file=$1 method=$2 path=$3 body=$4 cookie=$5
  cat >"$file" <<LUA
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) c2, c4, c5, n = 0, 0, 0, 0 end
function request()
  n = n + 1
  local body = [[$body]]
  body = body:gsub("#N#", tostring(n))
  return wrk.format("$method", "$path", { ["Content-Type"] = "application/json",
    ["Cookie"] = "robopass_session=$cookie" }, $( [[ -n $body ]] && echo body || echo nil ))
end
function response(status)
  if status >= 500 then c5 = c5 + 1 elseif status >= 400 then c4 = c4 + 1 else c2 = c2 + 1 end
end
function done()
  local t = { 0, 0, 0 }
  for _, th in ipairs(threads) do t[1] = t[1] + th:get("c2"); t[2] = t[2] + th:get("c4"); t[3] = t[3] + th:get("c5") end
  io.write(string.format("CLASSES ok=%d 4xx=%d 5xx=%d\n", t[1], t[2], t[3]))
end
LUA
}

classes() { grep -h '^CLASSES' "$1" | sed 's/^CLASSES //'; }
count_of() { classes "$1" | sed -n "s/.*$2=\([0-9]*\).*/\1/p"; }

emit ""
emit "## Lifecycle record — $(date -u +%Y-%m-%d) — $(nproc) cores, $ROBOTS robots, report of a robot with $ENTRIES entries, wrk -c$CONNECTIONS, $DURATION"
emit ""
emit "| backend | report JSON req/s | p50 ms | p99 ms | report page req/s | p50 ms | p99 ms | filings/s at $CONNECTIONS filers | filed | lost or forked | fresh JSON p50/p99 ms | fresh page p50/p99 ms | verify $ROBOTS robots s | import $IMPORT_UNITS units s | 5xx |"
emit "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
FAILED=0
for backend in $BACKENDS; do
  if [[ $backend == postgres ]] && ! psql "$PG_ADMIN_URL" -Xqc 'SELECT 1' >/dev/null 2>&1; then
    log "PostgreSQL cannot be reached: skipped"
    continue
  fi
  prepare "$backend"
  start_server "$DB_URL"
  provider=$(session service_provider)
  regulator=$(session regulator)
  [[ -n $provider && -n $regulator ]] || die "the demo accounts could not sign in"
  robot=$(DATABASE_URL="$DB_URL" "$BIN" demo-accounts | python3 -c 'import sys, json; print(next(json.loads(l)["robot"] for l in sys.stdin if json.loads(l)["role"] == "service_provider"))')
  # 1. The robot's record grows to ENTRIES entries, one filing at a time.
  python3 - "$BASE" "$robot" "$provider" "$ENTRIES" <<'PY'
import http.client, json, sys, datetime, urllib.parse
base, robot, cookie, target = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
u = urllib.parse.urlsplit(base)
conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
headers = {"Content-Type": "application/json", "Cookie": f"robopass_session={cookie}"}
seq, n = 0, 0
while seq < target:
    n += 1
    at = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    kind = ("condition_reading", {"battery_soh": 90 - n % 30 / 3, "battery_cycles": 100 + n, "hours": 1000 + 10 * n,
            "joints": {"left_knee": n % 40, "right_knee": n % 37}}) if n % 5 == 0 else ("maintained", {"work": f"bench job {n}"})
    body = json.dumps({"kind": kind[0], "occurred_at": at, "details": kind[1]})
    conn.request("POST", f"/api/v1/robots/{robot}/entries", body, headers)
    r = conn.getresponse(); answer = json.loads(r.read())
    if r.status != 201:
        sys.exit(f"filing refused: {r.status} {answer}")
    seq = answer["seq"]
PY
  # 2. Its provenance report, as JSON and as the page.
  script "$OUT/prov-json.lua" POST "/api/v1/provenance/$robot" "" "$regulator"
  script "$OUT/prov-page.lua" GET "/provenance/$robot" "" "$regulator"
  wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency -s "$OUT/prov-json.lua" "$BASE" >"$OUT/wrk/prov-$backend-json.txt"
  wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency -s "$OUT/prov-page.lua" "$BASE" >"$OUT/wrk/prov-$backend-page.txt"
  # 2b. The fresh path: each client files, then opens (JSON and page in turn).
  fresh=$(python3 - "$BASE" "$robot" "$provider" "$regulator" "$CONNECTIONS" <<'PY'
import http.client, json, sys, threading, time, datetime, urllib.parse
base, robot, filer, reader, clients = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
u = urllib.parse.urlsplit(base)
times, fails, lock = {"json": [], "page": []}, [0], threading.Lock()
def client(k):
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
    for n in range(40):
        at = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        body = json.dumps({"kind": "maintained", "occurred_at": at, "details": {"work": f"fresh {k}-{n}"}})
        conn.request("POST", f"/api/v1/robots/{robot}/entries", body,
                     {"Content-Type": "application/json", "Cookie": f"robopass_session={filer}"})
        r = conn.getresponse(); r.read()
        how = "json" if n % 2 == 0 else "page"
        start = time.monotonic()
        if how == "json":
            conn.request("POST", f"/api/v1/provenance/{robot}", "", {"Cookie": f"robopass_session={reader}"})
        else:
            conn.request("GET", f"/provenance/{robot}", headers={"Cookie": f"robopass_session={reader}"})
        r = conn.getresponse(); r.read()
        took = (time.monotonic() - start) * 1000
        with lock:
            times[how].append(took)
            if r.status != 200:
                fails[0] += 1
threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
for t in threads: t.start()
for t in threads: t.join()
def q(xs, p):
    xs = sorted(xs); return xs[min(len(xs) - 1, int(p * len(xs)))]
print(f"{q(times['json'], .5):.1f}|{q(times['json'], .99):.1f}|{q(times['page'], .5):.1f}|{q(times['page'], .99):.1f}|{fails[0]}")
PY
  )
  IFS='|' read -r fj50 fj99 fp50 fp99 ffail <<<"$fresh"
  # 3. Filers at once on the one robot.
  before=$(curl -fsS "$BASE/api/v1/robots/$robot" | python3 -c 'import sys, json; print(json.load(sys.stdin)["record"]["entries"])')
  now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
  script "$OUT/prov-file.lua" POST "/api/v1/robots/$robot/entries" "{\"kind\":\"maintained\",\"occurred_at\":\"$now\",\"details\":{\"work\":\"concurrent job #N#\"}}" "$provider"
  wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency --timeout 30s -s "$OUT/prov-file.lua" "$BASE" >"$OUT/wrk/prov-$backend-file.txt"
  after=$(curl -fsS "$BASE/api/v1/robots/$robot" | python3 -c 'import sys, json; print(json.load(sys.stdin)["record"]["entries"])')
  # 5. A CSV file of new units, under the demo manufacturer's code and one of its models.
  maker=$(session manufacturer)
  made=$(DATABASE_URL="$DB_URL" "$BIN" demo-accounts | python3 -c 'import sys, json; print(next(json.loads(l)["robot"] for l in sys.stdin if json.loads(l)["role"] == "manufacturer"))')
  import_s=$(python3 - "$BASE" "$made" "$maker" "$IMPORT_UNITS" <<'PY'
import http.client, json, sys, time, datetime, urllib.parse
base, robot, cookie, units = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
code, model = robot[2:6], robot[6:12]
day = (datetime.date.today() - datetime.timedelta(days=1)).isoformat()
rows = ["model,serial,produced_on,factory"] + [f"{model},B{n:016d},{day},Bench line" for n in range(1, units + 1)]
body = ("\n".join(rows) + "\n").encode()
u = urllib.parse.urlsplit(base)
conn = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
headers = {"Content-Type": "text/csv", "Cookie": f"robopass_session={cookie}"}
start = time.monotonic()
conn.request("POST", f"/api/v1/manufacturers/{code}/units/import", body, headers)
r = conn.getresponse(); answer = json.loads(r.read())
if r.status != 202:
    sys.exit(f"import refused: {r.status} {answer}")
where = r.getheader("Location")
while True:
    conn.request("GET", where, headers=headers)
    r = conn.getresponse(); progress = json.loads(r.read())
    if progress["state"] != "running":
        break
    time.sleep(0.05)
took = time.monotonic() - start
if progress["state"] != "done" or progress["written"] != units:
    sys.exit(f"import did not finish: {progress}")
conn.request("GET", f"/api/v1/robots/CN{code}{model}B{units:016d}")
r = conn.getresponse(); r.read()
if r.status != 200:
    sys.exit(f"the last unit is not registered: {r.status}")
print(f"{took:.1f}")
PY
  ) || { FAILED=1; import_s="failed"; log "FAIL: the import ($backend)"; }
  stop_server
  filed=$(count_of "$OUT/wrk/prov-$backend-file.txt" ok)
  # wrk stops counting at the deadline; filings still in flight then land uncounted, so the
  # record may hold a few more than the 201s counted, never fewer.
  lost=$(( before + filed - after ))
  ((lost < 0)) && lost=0
  if ! DATABASE_URL="$DB_URL" "$BIN" verify --robot "$robot" >"$OUT/prov-verify-robot.txt" 2>&1; then
    lost="forked: $(cat "$OUT/prov-verify-robot.txt")"
  fi
  # 4. The whole registry checked.
  start=$(date +%s.%N)
  DATABASE_URL="$DB_URL" "$BIN" verify >/dev/null 2>&1 || { FAILED=1; log "FAIL: verify found a broken record"; }
  verify_s=$(python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f}')" "$start" "$(date +%s.%N)")
  IFS='|' read -r jrps jp50 jp99 <<<"$(parse "$OUT/wrk/prov-$backend-json.txt")"
  IFS='|' read -r prps pp50 pp99 <<<"$(parse "$OUT/wrk/prov-$backend-page.txt")"
  IFS='|' read -r frps _ _ <<<"$(parse "$OUT/wrk/prov-$backend-file.txt")"
  fives=0
  for f in json page file; do fives=$(( fives + $(count_of "$OUT/wrk/prov-$backend-$f.txt" 5xx) )); done
  emit "| $backend | $jrps | $jp50 | $jp99 | $prps | $pp50 | $pp99 | $frps | $filed | $lost | $fj50 / $fj99 | $fp50 / $fp99 | $verify_s | $import_s | $fives |"
  for p in "$jp99" "$pp99"; do
    awk -v a="$p" 'BEGIN { exit !(a < 50) }' || { FAILED=1; log "FAIL: report p99 $p ms ($backend)"; }
  done
  [[ $lost == 0 ]] || { FAILED=1; log "FAIL: $lost ($backend)"; }
  [[ $ffail == 0 ]] || { FAILED=1; log "FAIL: $ffail fresh openings failed ($backend)"; }
  ((fives == 0)) || { FAILED=1; log "FAIL: $fives answers were 5xx ($backend)"; }
  if ((IMPORT_UNITS >= 10000)) && [[ $import_s != failed ]]; then
    awk -v a="$import_s" 'BEGIN { exit !(a < 10) }' || { FAILED=1; log "FAIL: the import took $import_s s ($backend)"; }
  fi
  if ((ROBOTS >= 28000)); then
    awk -v a="$verify_s" 'BEGIN { exit !(a < 30) }' || { FAILED=1; log "FAIL: verify took $verify_s s ($backend)"; }
  fi
done
emit ""
if ((FAILED)); then emit "Targets: FAIL (see above)"; exit 1; else emit "Targets: PASS (report p99 under 50 ms at $CONNECTIONS connections, nothing lost or forked, verify under 30 s, import of $IMPORT_UNITS units under 10 s, no 5xx)"; fi
