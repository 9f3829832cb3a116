#!/usr/bin/env bash
# Checks the catalogue's expectations against real Chromium: starts the lab, a blank page on another loopback
# port, and headless Chromium, fetches every scenario from the page and compares DevTools' corsErrorStatus,
# failedParameter, preflight and outcome with GET /scenarios. Stops everything it started by PID.
# Needs chromium and node (>= 20). Env: SCENARIO=<name> runs one scenario.
set -euo pipefail
cd "$(dirname "$0")/../../.."

say() { printf 'verify-chromium: %s\n' "$*" >&2; }
WORK=$(mktemp -d)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  # Chromium's helper processes may still write to its profile for a moment after the browser exits, and
  # a cleanup that fails must not fail the run: retry, then leave the temporary directory behind.
  for _ in 1 2 3 4 5; do rm -rf "$WORK" 2>/dev/null && break; sleep 0.2; done
}
trap cleanup EXIT INT TERM

wait_for() { # file pattern
  for _ in $(seq 100); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done
  say "timed out waiting for '$2' in $1"; cat "$1" >&2; return 1
}

cargo build -q -p corscope-lab
target/debug/corscope-lab --port 0 --quiet >"$WORK/lab.log" 2>&1 &
PIDS+=($!)
wait_for "$WORK/lab.log" "listening on"
LAB=$(sed -n 's/^corscope-lab listening on //p' "$WORK/lab.log")

mkdir "$WORK/page"
echo '<!doctype html><title>corscope lab verification</title>' >"$WORK/page/index.html"
# The page is cross-origin isolated (COOP + COEP), like wasm-bindgen-test's runner: no-cors probes of the lab
# then only work because every lab response carries Cross-Origin-Resource-Policy.
cat >"$WORK/serve.py" <<'PY'
import functools, http.server, sys
class Isolated(http.server.SimpleHTTPRequestHandler):
    def end_headers(self):
        self.send_header("Cross-Origin-Opener-Policy", "same-origin")
        self.send_header("Cross-Origin-Embedder-Policy", "require-corp")
        super().end_headers()
handler = functools.partial(Isolated, directory=sys.argv[1])
with http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler) as server:
    print(f"Serving HTTP on port {server.server_address[1]}", flush=True)
    server.serve_forever()
PY
python3 "$WORK/serve.py" "$WORK/page" >"$WORK/page.log" 2>&1 &
PIDS+=($!)
wait_for "$WORK/page.log" "Serving HTTP"
PAGE_PORT=$(sed -n 's/.* port \([0-9]*\).*/\1/p' "$WORK/page.log" | head -n1)

chromium --headless=new --no-sandbox --disable-gpu --no-first-run --user-data-dir="$WORK/profile" \
  --remote-debugging-port=0 about:blank >"$WORK/chromium.log" 2>&1 &
PIDS+=($!)
wait_for "$WORK/profile/DevToolsActivePort" "[0-9]"
DEVTOOLS_PORT=$(head -n1 "$WORK/profile/DevToolsActivePort")

say "lab $LAB, page http://127.0.0.1:$PAGE_PORT, $(chromium --version)"
node_flags=()
node -e 'process.exit(typeof WebSocket === "function" ? 0 : 1)' || node_flags+=(--experimental-websocket --no-warnings)
timeout 300 node "${node_flags[@]}" crates/lab/verify/chromium.mjs "$LAB" "http://127.0.0.1:$PAGE_PORT/index.html" "$DEVTOOLS_PORT"
