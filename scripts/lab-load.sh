#!/usr/bin/env bash
# Bounded load run of the lab on loopback: a release build, a fixed-duration wrk run with a preflight + GET mix
# (scenario and builder endpoints), then requests/s and p99 latency. Starts the lab itself and stops it by PID,
# also on failure or Ctrl-C.
#
# Env: LOAD_DURATION (default 15s), LOAD_CONNECTIONS (16), LOAD_THREADS (1), LAB_QUIET=1 to run the lab with
# --quiet (default: it logs every request, as it normally does; the log goes to /dev/null),
# LAB_TARGET_DIR (default target/lab-release: kept apart from the page's size-optimized release build).
# The request mix is scripts/lab-load-mix.lua; scripts/lab-fault-load.sh runs the same mix with faulty
# connections open and checks the lab for leaks afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${LOAD_DURATION:-15s}
CONNECTIONS=${LOAD_CONNECTIONS:-16}
THREADS=${LOAD_THREADS:-1}
TARGET_DIR=${LAB_TARGET_DIR:-target/lab-release}

say() { printf 'lab-load: %s\n' "$*" >&2; }

command -v wrk >/dev/null 2>&1 || { say "wrk is missing (Debian: apt-get install -y wrk)"; exit 1; }

. scripts/lab-build.sh
build_fast_lab

WORK=$(mktemp -d)
LAB_PID=""
DRAIN_PID=""
cleanup() {
  if [[ -n $LAB_PID ]] && kill -0 "$LAB_PID" 2>/dev/null; then
    kill -TERM "$LAB_PID" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$LAB_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$LAB_PID" 2>/dev/null || true
  fi
  [[ -n $DRAIN_PID ]] && kill "$DRAIN_PID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

# Start on a free port; the ready line names it. stdout goes through a FIFO so $! is the lab's own PID.
mkfifo "$WORK/out"
args=(--port 0)
logging="logging every request to /dev/null"
if [[ ${LAB_QUIET:-0} == 1 ]]; then args+=(--quiet); logging="quiet"; fi
"$BIN" "${args[@]}" >"$WORK/out" &
LAB_PID=$!
exec 3<"$WORK/out"
if ! IFS= read -r -t 20 ready <&3; then say "the lab did not start"; exit 1; fi
cat <&3 >/dev/null &
DRAIN_PID=$!
URL=${ready#corscope-lab listening on }
say "lab pid $LAB_PID at $URL ($logging)"

say "wrk: $THREADS thread(s), $CONNECTIONS connections, $DURATION"
timeout 300 wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s scripts/lab-load-mix.lua "$URL" | tee "$WORK/wrk.txt"

rps=$(awk '/^Requests\/sec:/ {print $2}' "$WORK/wrk.txt")
p99=$(awk '$1 == "99%" {print $2}' "$WORK/wrk.txt")
errors=$(awk '/Non-2xx or 3xx responses:/ {print $5}' "$WORK/wrk.txt")
kill -0 "$LAB_PID" 2>/dev/null || { say "the lab died during the run"; exit 1; }
printf 'lab-load: %s requests/s, p99 %s, non-2xx %s (%s, %s connections, preflight+GET mix, %s)\n' \
  "$rps" "$p99" "${errors:-0}" "$DURATION" "$CONNECTIONS" "$logging"
[[ -z $errors ]] || { say "some responses were not 2xx"; exit 1; }
