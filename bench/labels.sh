#!/usr/bin/env bash
# Labels and scanning on the release build: how long the server takes to read a 12-megapixel
# phone photo (with a label on it, and without any code: the worst case, every size), and how
# many labels a second it draws (SVG, PNG, the print page). Prints Markdown and appends it to
# $OUT/results.md. Needs `make bench` (or `make build` and the label_photo example built).
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-2}
PORT=${PORT:-3901}
OUT=${OUT:-bench/out}
RUNS=${RUNS:-20}
BIN=target/release/robopass
PHOTO_MAKER=target/release/examples/label_photo
BASE="http://127.0.0.1:$PORT"
RESULTS="$OUT/results.md"

log() { printf '%s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }
emit() { printf '%s\n' "$*" | tee -a "$RESULTS"; }

[[ -x $BIN ]] || die "$BIN is missing: run make build"
[[ -x $PHOTO_MAKER ]] || die "$PHOTO_MAKER is missing: run make bench"
command -v wrk >/dev/null || die "wrk is missing: apt-get install wrk"
mkdir -p "$OUT"
work=$(mktemp -d)
server_pid=""
cleanup() {
  [[ -n $server_pid ]] && { kill -TERM "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; }
  rm -rf "$work"
}
trap cleanup EXIT

export DATABASE_URL="sqlite://$work/robopass.db" SIGNING_KEY_FILE="$work/signing-key.json"
"$BIN" seed --robots 2000 >/dev/null 2>&1
"$BIN" demo-ids >"$work/ids.jsonl"
id=$(head -n 1 "$work/ids.jsonl" | sed 's/.*"id":"\([^"]*\)".*/\1/')
LEPTOS_SITE_ADDR="127.0.0.1:$PORT" DEMO_ROBOTS=0 RUST_LOG=warn "$BIN" >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do curl -fsS "$BASE/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
curl -fsS "$BASE/healthz" >/dev/null || die "the server did not start: $(tail -n 20 "$work/server.log")"

curl -fsS -o "$work/label.png" "$BASE/qr/$id.png?size=1000"
"$PHOTO_MAKER" "$work/label.png" "$work/photo.jpg"
"$PHOTO_MAKER" "$work/label.png" "$work/empty.jpg" --no-code
verdict=$(curl -fsS --data-binary @"$work/photo.jpg" "$BASE/api/v1/scan")
grep -q '"verdict":"verified_label"' <<<"$verdict" || die "the benchmark photo did not verify: $verdict"

# Decode time: $RUNS sequential uploads over loopback; p50, p95 and the slowest, in ms.
decode_times() {
  local file=$1 i
  for ((i = 0; i < RUNS; i++)); do
    curl -s -o /dev/null -w '%{time_total}\n' --data-binary @"$file" "$BASE/api/v1/scan"
  done | sort -n | awk '{ t[NR] = $1 * 1000 } END {
    p50 = t[int((NR + 1) / 2)]; p95 = t[int(NR * 0.95 + 0.5)]; printf "%.0f | %.0f | %.0f", p50, p95, t[NR] }'
}

# wrk on one path: "req/s | p50 ms | p99 ms".
load() {
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "$BASE$1" | awk '
    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
    /^ +50%/ { p50 = ms($2) } /^ +99%/ { p99 = ms($2) } /^Requests\/sec/ { rps = $2 }
    END { printf "%.0f | %.1f | %.1f", rps, p50, p99 }'
}

emit ""
emit "## Labels and scanning — $(date -u +%Y-%m-%d) — $(nproc) cores, wrk -t$THREADS -c$CONNECTIONS -d$DURATION"
emit ""
emit "| photo (4000×3000 JPEG, $(( $(stat -c %s "$work/photo.jpg") / 1024 )) KB) | runs | p50 ms | p95 ms | max ms |"
emit "|---|---|---|---|---|"
emit "| label on it | $RUNS | $(decode_times "$work/photo.jpg") |"
emit "| no code at all (every size tried: the worst case) | $RUNS | $(decode_times "$work/empty.jpg") |"
emit ""
emit "| label output | req/s | p50 ms | p99 ms |"
emit "|---|---|---|---|"
emit "| \`/qr/{ID}.svg\` | $(load "/qr/$id.svg") |"
emit "| \`/qr/{ID}.png\` (512 px) | $(load "/qr/$id.png") |"
emit "| \`/labels/{ID}\` (print page) | $(load "/labels/$id") |"
