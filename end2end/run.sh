#!/usr/bin/env bash
# Browser tests against the release build: a fresh SQLite registry, the real server on a free
# port, Debian's Chromium driven by playwright-core. Stops the server whatever happens.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export DATABASE_URL="sqlite://$work/robopass.db" LEPTOS_SITE_ADDR="127.0.0.1:$port" DEMO_ROBOTS=0 RUST_LOG=warn
# Mail is written here as .eml files (no SMTP server); the account tests open their links.
export MAIL_DIR="$work/mail"
# A fixed label-signing key: the labels the camera and photo tests read are the same every run.
export SIGNING_KEY=7777777777777777777777777777777777777777777777777777777777777777
server_pid=""
cleanup() {
  if [[ -n $server_pid ]]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
target/release/robopass seed --robots 2000
target/release/robopass demo-ids > "$work/demo-ids.jsonl"
target/release/robopass demo-accounts > "$work/demo-accounts.jsonl"
target/release/robopass demo-share-codes > "$work/demo-share-codes.jsonl"
target/release/robopass > "$work/server.log" 2>&1 &
server_pid=$!
ready=""
for _ in $(seq 1 100); do
  if curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; then ready=1; break; fi
  kill -0 "$server_pid" 2>/dev/null || break
  sleep 0.1
done
if [[ -z $ready ]]; then
  echo "the server did not come up on port $port:"
  tail -n 40 "$work/server.log"
  exit 1
fi
export BASE_URL="http://127.0.0.1:$port" DEMO_IDS="$work/demo-ids.jsonl" DEMO_ACCOUNTS="$work/demo-accounts.jsonl" DEMO_SHARE_CODES="$work/demo-share-codes.jsonl"
status=0
(cd end2end && npm test) || status=$?
if ((status != 0)); then
  echo "--- server log (last 40 lines) ---"
  tail -n 40 "$work/server.log"
fi
exit $status
