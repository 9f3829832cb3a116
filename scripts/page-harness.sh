# Sourced by scripts/e2e.sh and scripts/bench.sh: what both need to drive the built page in Chromium against
# the lab. Expects `say` (a logger) and `cd` to the repository root; defines WORK, PIDS, CHROMIUM, DIST and
# LAB, and stops everything it started, by PID, when the calling script exits.
# Env: CHROMIUM=<path> (default /usr/bin/chromium); the caller passes a prebuilt dist/ dir or "".

WORK=$(mktemp -d)
PIDS=()
harness_cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap harness_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Node >= 20 with playwright-core (no browser download), curl, cargo and Debian's Chromium.
harness_tools() {
  local tool node_major
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
}

# Sets DIST: the prebuilt dist/ given as $1, or a fresh `trunk build --release` in WORK.
harness_dist() {
  if [ -n "${1:-}" ]; then
    DIST=$(cd "$1" && pwd)
    say "using the page already built in $DIST"
  else
    DIST="$WORK/dist"
    say "building the page (trunk build --release)"
    trunk build --release --dist "$DIST" >"$WORK/trunk.log" 2>&1 || { cat "$WORK/trunk.log" >&2; say "trunk build failed"; exit 1; }
  fi
  [ -f "$DIST/index.html" ] || { say "no index.html in $DIST"; exit 1; }
}

# Starts the lab on a free loopback port; sets LAB to its base URL.
harness_lab() {
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
}

# Runs a node script in the background (so the traps can stop it) and exits with its status.
harness_run() {
  CHROMIUM="$CHROMIUM" node "$@" &
  PIDS+=($!)
  local status=0
  wait "${PIDS[-1]}" || status=$?
  return "$status"
}
