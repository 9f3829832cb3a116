#!/usr/bin/env bash
# The end-to-end proof (issue 5): builds the page (trunk build --release) into a temporary dist/, starts the
# lab on a free loopback port, and runs e2e/e2e.mjs, which serves the page on another loopback origin,
# drives Debian's Chromium through playwright-core and compares corscope's verdict with Chromium's own for
# every lab scenario (browser-only and pasted-headers paths), then runs the real-click and bad-input tests.
# Prints the agreement table and totals; exits non-zero on any wrong row or failed check. Stops everything
# it started, by PID.
#
# Env: CORSCOPE_E2E_DIST=<dir>  use an already built dist/ instead of building one
#      SCENARIO=<name,...>      only these scenarios;  E2E_PARTS=scenarios,click,bad (default: all)
#      CHROMIUM=<path>          the browser (default /usr/bin/chromium)
# Output: the table on stdout; target/e2e/agreement.json (every row, full reports); target/e2e/verdict.png.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf 'e2e: %s\n' "$*" >&2; }
start=$(date +%s)
WORK=$(mktemp -d)
PIDS=()
cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

for tool in node curl cargo; do
  command -v "$tool" >/dev/null || { say "$tool is required"; exit 1; }
done
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
[ -x "$CHROMIUM" ] || { say "no Chromium at $CHROMIUM (apt-get install chromium, or set CHROMIUM)"; exit 1; }
node_major=$(node -p 'process.versions.node.split(".")[0]')
[ "$node_major" -ge 20 ] || { say "node >= 20 (playwright-core 1.65) is required (found $(node --version))"; exit 1; }

if [ ! -d e2e/node_modules/playwright-core ]; then
  say "installing playwright-core (npm ci in e2e/; no browser download)"
  (cd e2e && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)
fi

if [ -n "${CORSCOPE_E2E_DIST:-}" ]; then
  DIST=$(cd "$CORSCOPE_E2E_DIST" && pwd)
  say "using the page already built in $DIST"
else
  DIST="$WORK/dist"
  say "building the page (trunk build --release)"
  trunk build --release --dist "$DIST" >"$WORK/trunk.log" 2>&1 || { cat "$WORK/trunk.log" >&2; say "trunk build failed"; exit 1; }
fi
[ -f "$DIST/index.html" ] || { say "no index.html in $DIST"; exit 1; }

cargo build -q -p corscope-lab
target/debug/corscope-lab --port 0 --quiet >"$WORK/lab.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 100); do
  grep -q "listening on" "$WORK/lab.log" && break
  kill -0 "${PIDS[0]}" 2>/dev/null || { cat "$WORK/lab.log" >&2; say "the lab failed to start"; exit 1; }
  sleep 0.1
done
LAB=$(sed -n 's/^corscope-lab listening on //p' "$WORK/lab.log")
[ -n "$LAB" ] || { cat "$WORK/lab.log" >&2; say "the lab did not say where it listens"; exit 1; }

# In the background, so the traps can stop it (it closes Chromium and its static server on SIGTERM).
CHROMIUM="$CHROMIUM" node e2e/e2e.mjs --dist "$DIST" --lab "$LAB" --out target/e2e &
PIDS+=($!)
status=0
wait "${PIDS[1]}" || status=$?
say "finished in $(( $(date +%s) - start )) s (build included) with status $status"
exit "$status"
