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
  # Chromium's helper processes may still write to its profile for a moment after the browser exits, and
  # a cleanup that fails must not fail the run: retry, then leave the temporary directory behind.
  for _ in 1 2 3 4 5; do rm -rf "$WORK" 2>/dev/null && break; sleep 0.2; done
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

# Starts a server in the background that prints `listening on <url>` (after anything), and waits until it
# answers HTTP (any status); sets the variable named $1 to that URL. Usage: harness_server VAR name cmd...
harness_server() {
  local var=$1 name=$2; shift 2
  local log="$WORK/$name.log" pid url
  "$@" >"$log" 2>&1 &
  pid=$!
  PIDS+=("$pid")
  for _ in $(seq 100); do
    grep -q 'listening on ' "$log" && break
    kill -0 "$pid" 2>/dev/null || { cat "$log" >&2; say "$name failed to start"; exit 1; }
    sleep 0.1
  done
  url=$(sed -n 's/.*listening on //p' "$log" | head -n 1)
  [ -n "$url" ] || { cat "$log" >&2; say "$name did not say where it listens"; exit 1; }
  for _ in $(seq 50); do curl -s -o /dev/null --max-time 5 "$url/" && break; sleep 0.1; done
  curl -s -o /dev/null --max-time 5 "$url/" || { cat "$log" >&2; say "$name does not answer at $url"; exit 1; }
  printf -v "$var" '%s' "$url"
}

# Starts the lab on a free loopback port; sets LAB to its base URL.
harness_lab() {
  cargo build -q -p corscope-lab
  harness_server LAB lab target/debug/corscope-lab --port 0 --quiet
}

# Runs a node script in the background (so the traps can stop it) and exits with its status.
harness_run() {
  CHROMIUM="$CHROMIUM" node "$@" &
  PIDS+=($!)
  local status=0
  wait "${PIDS[-1]}" || status=$?
  return "$status"
}
