#!/usr/bin/env bash
# Soak test: the release server under ten minutes of mixed traffic at 64 connections (profiles,
# the API, labels, genuine photo scans) with the hostile set at a steady rate (photos that
# exhaust the QR reader, hang-up floods, a 36-megapixel turned photo, `Accept-Language` full of
# q=NaN, long foreign Host names, any label size, junk addresses, slow clients). It checks:
#   - zero 5xx (and no connection errors) on genuine requests;
#   - the profile's p99 in every 10-second window;
#   - peak memory of the server and its photo-reading processes;
#   - the server answers normally at the end (health, a profile, a genuine scan);
#   - it stops within seconds of SIGTERM, with a hostile upload and slow clients in flight.
# Prints Markdown (and appends it to $OUT/soak.md); exits non-zero when a check fails.
#
#   bench/soak.sh            ten minutes, 28,000 robots (the figures in bench/README.md)
#   bench/soak.sh --quick    45 seconds, 2,000 robots (what `make test` runs)
#
# Settings: SOAK_SECONDS, ROBOTS, CONNECTIONS (64), PORT (3902), OUT (bench/out).
# Needs the release build and its examples (`make soak` builds them).
set -euo pipefail
cd "$(dirname "$0")/.."

QUICK=""
for arg in "$@"; do
  case $arg in
    --quick) QUICK=1 ;;
    *) echo "usage: bench/soak.sh [--quick]" >&2; exit 2 ;;
  esac
done
if [[ -n $QUICK ]]; then
  SOAK_SECONDS=${SOAK_SECONDS:-45}
  ROBOTS=${ROBOTS:-2000}
else
  SOAK_SECONDS=${SOAK_SECONDS:-600}
  ROBOTS=${ROBOTS:-28000}
fi
export CONNECTIONS=${CONNECTIONS:-64}
PORT=${PORT:-3902}
OUT=${OUT:-bench/out}
BIN=target/release/robopass
DRIVER=target/release/examples/soak
PHOTO_MAKER=target/release/examples/label_photo
BASE="http://127.0.0.1:$PORT"
# Most a SIGTERM may take to stop the server.
STOP_LIMIT_S=5

log() { printf '%s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }
mkdir -p "$OUT"
RESULTS="$OUT/soak.md"
emit() { printf '%s\n' "$*" | tee -a "$RESULTS"; }

for f in "$BIN" "$DRIVER" "$PHOTO_MAKER"; do
  [[ -x $f ]] || die "$f is missing: run make soak (or make build and build the server's examples in release)"
done
command -v python3 >/dev/null || die "python3 is missing"

work=$(mktemp -d)
server_pid=""
sampler_pid=""
cleanup() {
  [[ -n $sampler_pid ]] && kill "$sampler_pid" 2>/dev/null || true
  [[ -n $server_pid ]] && { kill -KILL "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; }
  rm -rf "$work"
}
trap cleanup EXIT

# A registry of its own, kept between runs (seeding 28,000 robots takes a while).
db="$OUT/soak-$ROBOTS.db"
export SIGNING_KEY_FILE="$work/signing-key.json" DEMO_ROBOTS=0
if [[ ! -s $db ]]; then
  log "seeding $ROBOTS robots into $db (once)..."
  rm -f "$db.partial"*
  DATABASE_URL="sqlite://$db.partial" RUST_LOG=warn "$BIN" seed --robots "$ROBOTS" >&2
  for s in -wal -shm; do [[ -e $db.partial$s ]] && mv "$db.partial$s" "$db$s"; done
  mv "$db.partial" "$db"
fi
export DATABASE_URL="sqlite://$db"
# Three draws a robot: nearly every robot is asked for, not a warm few.
"$BIN" demo-ids --limit $((ROBOTS * 3)) | sed 's/.*"id":"\([^"]*\)".*/\1/' >"$work/ids.txt"
id=$(head -n 1 "$work/ids.txt")

LEPTOS_SITE_ADDR="127.0.0.1:$PORT" RUST_LOG=warn "$BIN" >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 200); do curl -fsS -m 1 "$BASE/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
curl -fsS "$BASE/healthz" >/dev/null || die "the server did not start: $(tail -n 20 "$work/server.log")"

curl -fsS -o "$work/label.png" "$BASE/qr/$id.png?size=1000"
"$PHOTO_MAKER" "$work/label.png" "$work/photo.jpg"
curl -fsS --data-binary @"$work/photo.jpg" "$BASE/api/v1/scan" | grep -q '"verified_label"' ||
  die "the genuine photo does not verify before the soak"

# Memory: the server's resident set plus its photo-reading children's, every half second.
sample_memory() {
  local peak=0 rss kids k
  while kill -0 "$server_pid" 2>/dev/null; do
    rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$server_pid/status" 2>/dev/null || echo 0)
    kids=$(cat /proc/"$server_pid"/task/*/children 2>/dev/null || true)
    for k in $kids; do
      k=$(awk '/^VmRSS:/ { print $2 }' "/proc/$k/status" 2>/dev/null || true)
      rss=$((rss + ${k:-0}))
    done
    ((rss > peak)) && peak=$rss && echo "$peak" >"$work/peak_kb"
    sleep 0.5
  done
}
sample_memory &
sampler_pid=$!
rss_start=$(awk '/^VmRSS:/ { print $2 }' "/proc/$server_pid/status")

log "soaking for $SOAK_SECONDS s at $CONNECTIONS connections..."
"$DRIVER" "$BASE" "$work/ids.txt" "$work/photo.jpg" "$SOAK_SECONDS" >"$work/soak.json"
rss_end=$(awk '/^VmRSS:/ { print $2 }' "/proc/$server_pid/status")

# Still answering normally at the end.
end_ok=1
curl -fsS -m 5 "$BASE/healthz" >/dev/null || end_ok=""
curl -fsS -m 5 "$BASE/r/$id" | grep -q "$id" || end_ok=""
curl -fsS -m 10 --data-binary @"$work/photo.jpg" "$BASE/api/v1/scan" | grep -q '"verified_label"' || end_ok=""

# SIGTERM with a hostile upload and a slow client in flight: it must stop within seconds.
python3 - "$PORT" <<'PY' &
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(b"GET /scan HTTP/1.1\r\nHost: slow\r\n")
time.sleep(30)
PY
slow_pid=$!
python3 -c 'import sys; sys.stdout.buffer.write(bytes(range(256)) * 8192)' >"$work/noise.bin"
curl -s -m 20 -o /dev/null --data-binary @"$work/noise.bin" "$BASE/api/v1/scan" &
upload_pid=$!
sleep 0.3
stop_started=$(date +%s%3N)
kill -TERM "$server_pid"
for _ in $(seq 1 $((STOP_LIMIT_S * 10))); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
stopped_ms=$(($(date +%s%3N) - stop_started))
stopped=1
if kill -0 "$server_pid" 2>/dev/null; then stopped=""; fi
wait "$server_pid" 2>/dev/null || true
server_pid=""
kill "$slow_pid" "$upload_pid" 2>/dev/null || true
wait "$sampler_pid" 2>/dev/null || true
sampler_pid=""
peak_kb=$(cat "$work/peak_kb" 2>/dev/null || echo 0)

status=0
python3 - "$work/soak.json" "$peak_kb" "$rss_start" "$rss_end" "$end_ok" "$stopped" "$stopped_ms" "$ROBOTS" "$(git rev-parse --short HEAD 2>/dev/null || echo '?')" >"$work/report.md" <<'PY' || status=$?
import json, sys
soak = json.load(open(sys.argv[1]))
peak_kb, rss_start, rss_end = (int(x or 0) for x in sys.argv[2:5])
end_ok, stopped, stopped_ms, robots, commit = sys.argv[5] == "1", sys.argv[6] == "1", int(sys.argv[7]), int(sys.argv[8]), sys.argv[9]
genuine = ["profile", "api", "label_svg", "label_png", "scan"]
bad = {}
print(f"Soak of {soak['seconds']} s at {soak['connections']} connections, {robots:,} robots (SQLite), commit {commit}:")
print()
print("| requests | count | p50 ms | p99 ms | max ms | statuses |")
print("|---|---|---|---|---|---|")
for name, c in soak["classes"].items():
    statuses = ", ".join(f"{k}: {v:,}" for k, v in c["statuses"].items())
    print(f"| {name} | {c['count']:,} | {c['p50_ms']:.1f} | {c['p99_ms']:.1f} | {c['max_ms']:.1f} | {statuses} |")
    if name in genuine:
        wrong = {k: v for k, v in c["statuses"].items() if not k.startswith(("2", "3", "4"))}
        if name == "scan":
            wrong.update({k: v for k, v in c["statuses"].items() if k != "200"})
        if wrong:
            bad[name] = wrong
windows = soak["profile_p99_windows"]
worst = max((w["p99_ms"] for w in windows), default=0)
print()
print("Profile p99 by 10-second window (ms): " + ", ".join(f"{w['p99_ms']:.1f}" for w in windows))
print(f"(worst window {worst:.1f} ms)")
print()
print(f"- peak memory, server and photo readers together: {peak_kb / 1024:.0f} MB "
      f"(server alone {rss_start / 1024:.0f} MB at the start, {rss_end / 1024:.0f} MB at the end)")
print(f"- slow clients closed by the server: {soak['slow_clients_closed']:,}, "
      f"after {(soak['slow_client_kept_ms_p50'] or 0) / 1000:.1f} s (p50), {(soak['slow_client_kept_ms_max'] or 0) / 1000:.1f} s (max)")
print(f"- genuine requests with a 5xx, an error or (scans) no verified label: {sum(sum(v.values()) for v in bad.values())}"
      + (f" {bad}" if bad else ""))
print(f"- answering normally at the end (health, a profile, a genuine scan): {'yes' if end_ok else 'NO'}")
print(f"- stopped {stopped_ms / 1000:.1f} s after SIGTERM, with a hostile upload and a slow client in flight" if stopped
      else f"- did NOT stop within {stopped_ms / 1000:.0f} s of SIGTERM")
sys.exit(0 if (not bad and end_ok and stopped) else 1)
PY

emit ""
emit "$(cat "$work/report.md")"
if ((status != 0)); then
  log "--- server log (last 30 lines) ---"
  tail -n 30 "$work/server.log" >&2 || true
  die "the soak test failed (see above)"
fi
