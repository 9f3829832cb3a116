#!/usr/bin/env bash
# The benchmark (issue 6; not part of scripts/test.sh, never fails on a figure): builds the release page
# (trunk build --release) into a temporary dist/, starts the lab on a free loopback port and runs
# e2e/bench.mjs, which prints three tables: the raw and gzipped bytes of every dist/ file; time to ready
# over 20 cold loads in headless Chromium; and diagnosis latency against the lab with 100 ms injected on
# every answer, next to one plain fetch() of the same request, with the sequential round trips each used.
# Stops everything it started, by PID.
#
# Env: CORSCOPE_BENCH_DIST=<dir>   use an already built dist/ instead of building one
#      LOADS=20 RUNS=5 DELAY_MS=100 cold loads; runs per diagnosis case; the injected delay
#      BENCH_PARTS=size,ready,diagnosis (default: all)
#      CHROMIUM=<path>             the browser (default /usr/bin/chromium)
# Output: the tables on stdout; target/bench/bench.json (every measurement).
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf 'bench: %s\n' "$*" >&2; }
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

for tool in node cargo; do
  command -v "$tool" >/dev/null || { say "$tool is required"; exit 1; }
done
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
[ -x "$CHROMIUM" ] || { say "no Chromium at $CHROMIUM (apt-get install chromium, or set CHROMIUM)"; exit 1; }
if [ ! -d e2e/node_modules/playwright-core ]; then
  say "installing playwright-core (npm ci in e2e/; no browser download)"
  (cd e2e && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)
fi

if [ -n "${CORSCOPE_BENCH_DIST:-}" ]; then
  DIST=$(cd "$CORSCOPE_BENCH_DIST" && pwd)
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
CHROMIUM="$CHROMIUM" node e2e/bench.mjs --dist "$DIST" --lab "$LAB" --out target/bench \
  --loads "${LOADS:-20}" --runs "${RUNS:-5}" --delay "${DELAY_MS:-100}" &
PIDS+=($!)
status=0
wait "${PIDS[1]}" || status=$?
exit "$status"
