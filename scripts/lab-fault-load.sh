#!/usr/bin/env bash
# Bounded mixed load run of the lab on loopback (issue 7, point 4): does the lab keep serving its normal
# endpoints while faulty connections are open, and does it give everything back afterwards?
#
#   1. baseline: wrk drives the normal endpoints (scripts/lab-load-mix.lua, the preflight + GET mix of
#      scripts/lab-load.sh) for LOAD_DURATION, nothing else;
#   2. faults:   scripts/lab-fault-client.py keeps LOAD_FAULT_CONNECTIONS connections to `/f/` endpoints open
#                (each held ~LOAD_FAULT_HOLD s, then closed and re-opened, until the phase ends) while the same
#                wrk run goes again for the same duration;
#   3. after:    `GET /faults/open` must come back to 0 and the lab's open file descriptors to their
#                pre-run count (each within LOAD_SETTLE s).
#
# Prints requests/s and p99 of both phases, the fault connections opened, and the lab process's RSS (VmRSS:
# before, after the baseline, peak during the faults, after), threads and open fds (before/after), sampled
# from /proc/<pid>. Exits non-zero when the open count or the fds do not come back, when the RSS stays more
# than LOAD_RSS_SLACK_MB above its post-baseline level, when a normal request is not answered 2xx, when the
# fault client opened nothing, or when the lab dies.
#
# Starts the release lab itself on a free 127.0.0.1 port and stops everything it started by PID, also on
# failure or Ctrl-C. Traffic goes only to 127.0.0.1.
#
# Env: LOAD_DURATION (seconds per phase, default 15), LOAD_CONNECTIONS (wrk, 16), LOAD_THREADS (wrk, 1),
# LOAD_FAULT_CONNECTIONS (50), LOAD_FAULT_HOLD (mean seconds a fault connection is held, 3),
# LOAD_FAULTS (comma-separated, or `all` for the whole `GET /faults` catalogue; default never-answer,
# slow-drip,endless-body,reset-mid-body,huge-body),
# LOAD_SETTLE (seconds to wait for the open count and fds, 5), LOAD_FD_SLACK (fds above the pre-run count
# still accepted, 2), LOAD_RSS_SLACK_MB (RSS growth after the run over the RSS after the baseline still
# accepted, 16: the allocator keeps some memory, and the gzip bomb is built once and kept), LAB_QUIET=1
# (run the lab with --quiet; default: it logs every request to /dev/null),
# LAB_TARGET_DIR (default target/lab-release).
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${LOAD_DURATION:-15}
DURATION=${DURATION%s}
CONNECTIONS=${LOAD_CONNECTIONS:-16}
THREADS=${LOAD_THREADS:-1}
FAULT_CONNECTIONS=${LOAD_FAULT_CONNECTIONS:-50}
FAULT_HOLD=${LOAD_FAULT_HOLD:-3}
FAULTS=${LOAD_FAULTS:-never-answer,slow-drip,endless-body,reset-mid-body,huge-body}
SETTLE=${LOAD_SETTLE:-5}
FD_SLACK=${LOAD_FD_SLACK:-2}
RSS_SLACK_MB=${LOAD_RSS_SLACK_MB:-16}
TARGET_DIR=${LAB_TARGET_DIR:-target/lab-release}

say() { printf 'lab-fault-load: %s\n' "$*" >&2; }
die() { say "FAIL: $*"; exit 1; }

[[ $DURATION =~ ^[0-9]+$ && $DURATION -ge 1 && $DURATION -le 300 ]] || die "LOAD_DURATION must be 1..300 seconds"
if ! command -v wrk >/dev/null 2>&1; then
  if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null 2>&1; then
    say "wrk is missing: apt-get install -y wrk"
    apt-get install -y -q wrk >/dev/null || die "could not install wrk"
  else
    die "wrk is missing (Debian: apt-get install -y wrk)"
  fi
fi
command -v python3 >/dev/null 2>&1 || die "python3 is missing"
command -v curl >/dev/null 2>&1 || die "curl is missing"

. scripts/lab-build.sh
build_fast_lab

WORK=$(mktemp -d)
LAB_PID=""
DRAIN_PID=""
SAMPLER_PID=""
CLIENT_PID=""
WRK_PID=""
stop_pid() { # stop_pid PID: TERM, up to 5 s, then KILL
  local pid=$1
  [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
}
cleanup() {
  stop_pid "$WRK_PID"
  stop_pid "$CLIENT_PID"
  stop_pid "$SAMPLER_PID"
  stop_pid "$LAB_PID"
  [[ -n $DRAIN_PID ]] && kill "$DRAIN_PID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Start on a free port; the ready line names it. stdout goes through a FIFO so $! is the lab's own PID.
mkfifo "$WORK/out"
args=(--port 0)
logging="logging every request to /dev/null"
if [[ ${LAB_QUIET:-0} == 1 ]]; then args+=(--quiet); logging="quiet"; fi
"$BIN" "${args[@]}" >"$WORK/out" &
LAB_PID=$!
exec 3<"$WORK/out"
if ! IFS= read -r -t 20 ready <&3; then die "the lab did not start"; fi
cat <&3 >/dev/null &
DRAIN_PID=$!
URL=${ready#corscope-lab listening on }
PORT=${URL##*:}
[[ $URL == http://127.0.0.1:* && $PORT =~ ^[0-9]+$ ]] || die "unexpected ready line: $ready"
say "lab pid $LAB_PID at $URL ($logging)"

alive() { kill -0 "$LAB_PID" 2>/dev/null; }
rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$LAB_PID/status"; }
hwm_kb() { awk '/^VmHWM:/ {print $2}' "/proc/$LAB_PID/status"; }
threads() { awk '/^Threads:/ {print $2}' "/proc/$LAB_PID/status"; }
fds() { find "/proc/$LAB_PID/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l; }
open_count() { # the lab's fault connections in progress, or "?" when it does not answer
  local n
  n=$(curl -s --max-time 2 "$URL/faults/open" | sed -n 's/.*"open": *\([0-9][0-9]*\).*/\1/p')
  printf '%s\n' "${n:-?}"
}
mib() { awk -v kb="$1" 'BEGIN {printf "%.1f MiB", kb / 1024}'; }

# Samples RSS, threads, fds (and, with "open", the fault count) every 0.25 s into a file until stopped.
start_sampler() { # start_sampler FILE [open]
  local file=$1 with_open=${2:-}
  (
    while kill -0 "$LAB_PID" 2>/dev/null; do
      o=-
      [[ -n $with_open ]] && o=$(open_count)
      printf '%s %s %s %s\n' "$(rss_kb)" "$(threads)" "$(fds)" "$o"
      sleep 0.25
    done
  ) >"$file" 2>/dev/null &
  SAMPLER_PID=$!
}
stop_sampler() { stop_pid "$SAMPLER_PID"; SAMPLER_PID=""; }
col_max() { awk -v c="$2" '$c ~ /^[0-9]+$/ && $c + 0 > m {m = $c + 0} END {print m + 0}' "$1"; }

run_wrk() { # run_wrk OUTFILE: the normal endpoints for DURATION seconds, in the background (WRK_PID)
  timeout $((DURATION + 30)) wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency \
    -s scripts/lab-load-mix.lua "$URL" >"$1" 2>&1 &
  WRK_PID=$!
}
wrk_field() { # wrk_field FILE rps|p99|non2xx|sockerr
  case $2 in
    rps) awk '/^Requests\/sec:/ {print $2}' "$1" ;;
    p99) awk '$1 == "99%" {print $2}' "$1" ;;
    non2xx) awk '/Non-2xx or 3xx responses:/ {print $5}' "$1" ;;
    sockerr) awk '/Socket errors:/ {sub(/^ *Socket errors: */, ""); print}' "$1" ;;
  esac
}

sleep 1
RSS0=$(rss_kb) THR0=$(threads) FD0=$(fds) OPEN0=$(open_count)
say "before: RSS $(mib "$RSS0"), $THR0 threads, $FD0 fds, faults open $OPEN0"
[[ $OPEN0 == 0 ]] || die "GET /faults/open answered '$OPEN0' before the run"

if [[ $FAULTS == all ]]; then
  FAULTS=$(curl -s --max-time 5 "$URL/faults" |
    python3 -c 'import json, sys; print(",".join(f["name"] for f in json.load(sys.stdin)))') ||
    die "could not read GET /faults"
fi

# --- Phase 1: baseline -------------------------------------------------------------------------------------
say "phase 1 (baseline): wrk $THREADS thread(s), $CONNECTIONS connections, ${DURATION}s, no faults"
start_sampler "$WORK/samples-base"
run_wrk "$WORK/wrk-base.txt"
wait "$WRK_PID" || die "wrk failed: $(cat "$WORK/wrk-base.txt")"
WRK_PID=""
stop_sampler
alive || die "the lab died during the baseline"
sleep 1
RSS1=$(rss_kb)
BASE_PEAK=$(col_max "$WORK/samples-base" 1)

# --- Phase 2: the same load with faulty connections open ----------------------------------------------------
# The client staggers its first connections over half a hold; wrk starts once they are all open and the
# client runs on until wrk is done (then it is told to stop; its own bound is the duration + ramp + 5 s).
RAMP=$(awk -v h="$FAULT_HOLD" 'BEGIN {printf "%.1f", h / 2 + 0.5}')
CLIENT_BOUND=$(awk -v d="$DURATION" -v r="$RAMP" 'BEGIN {print d + r + 5}')
say "phase 2 (faults): $FAULT_CONNECTIONS fault connections (${FAULT_HOLD}s holds: $FAULTS), then wrk again"
start_sampler "$WORK/samples-fault" open
python3 scripts/lab-fault-client.py --port "$PORT" --concurrency "$FAULT_CONNECTIONS" \
  --duration "$CLIENT_BOUND" --hold "$FAULT_HOLD" --faults "$FAULTS" \
  >"$WORK/client.json" 2>"$WORK/client.err" &
CLIENT_PID=$!
sleep "$RAMP"
OPEN_RAMP=$(open_count)
say "faults open at the lab after the ramp: $OPEN_RAMP"
run_wrk "$WORK/wrk-fault.txt"
wait "$WRK_PID" || die "wrk failed: $(cat "$WORK/wrk-fault.txt")"
WRK_PID=""
OPEN_END=$(open_count)
kill -TERM "$CLIENT_PID" 2>/dev/null || true
client_rc=0
wait "$CLIENT_PID" || client_rc=$?
CLIENT_PID=""
stop_sampler
cat "$WORK/client.err" >&2
[[ $client_rc == 0 ]] || die "the fault client failed (exit $client_rc)"
alive || die "the lab died during the fault phase"
OPENED=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["opened"])' "$WORK/client.json")
CLIENT_ERRORS=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["errors"])' "$WORK/client.json")
FAULT_PEAK=$(col_max "$WORK/samples-fault" 1)
THR_PEAK=$(col_max "$WORK/samples-fault" 2)
FD_PEAK=$(col_max "$WORK/samples-fault" 3)
OPEN_PEAK=$(col_max "$WORK/samples-fault" 4)

# --- After: everything given back? --------------------------------------------------------------------------
t0=$(date +%s.%N)
OPEN_AFTER=$(open_count)
for _ in $(seq $((SETTLE * 5))); do
  [[ $OPEN_AFTER == 0 ]] && break
  sleep 0.2
  OPEN_AFTER=$(open_count)
done
OPEN_SECS=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN {printf "%.1f", b - a}')
FD_AFTER=$(fds)
for _ in $(seq $((SETTLE * 5))); do
  ((FD_AFTER <= FD0 + FD_SLACK)) && break
  sleep 0.2
  FD_AFTER=$(fds)
done
sleep 1
RSS2=$(rss_kb) THR2=$(threads) FD2=$(fds) HWM=$(hwm_kb)
alive || die "the lab died after the run"

# --- Report -------------------------------------------------------------------------------------------------
b_rps=$(wrk_field "$WORK/wrk-base.txt" rps) b_p99=$(wrk_field "$WORK/wrk-base.txt" p99)
f_rps=$(wrk_field "$WORK/wrk-fault.txt" rps) f_p99=$(wrk_field "$WORK/wrk-fault.txt" p99)
b_non=$(wrk_field "$WORK/wrk-base.txt" non2xx) f_non=$(wrk_field "$WORK/wrk-fault.txt" non2xx)
b_sock=$(wrk_field "$WORK/wrk-base.txt" sockerr) f_sock=$(wrk_field "$WORK/wrk-fault.txt" sockerr)
ratio=$(awk -v a="$b_rps" -v b="$f_rps" 'BEGIN {if (a > 0) printf "%.0f%%", 100 * b / a; else print "?"}')
echo
echo "lab-fault-load: ${DURATION}s per phase, wrk $CONNECTIONS connections / $THREADS thread(s), lab $logging"
echo "lab-fault-load: machine: $(uptime | sed 's/^ *//')"
printf '  %-34s %12s  %9s  %s\n' "normal endpoints (preflight+GET)" "requests/s" "p99" "non-2xx / socket errors"
printf '  %-34s %12s  %9s  %s / %s\n' "baseline, no faults" "$b_rps" "$b_p99" "${b_non:-0}" "${b_sock:-none}"
printf '  %-34s %12s  %9s  %s / %s\n' "with $FAULT_CONNECTIONS fault connections open" "$f_rps" "$f_p99" \
  "${f_non:-0}" "${f_sock:-none}"
echo "  rate with faults / baseline: $ratio"
echo "  fault connections opened: $OPENED ($CLIENT_ERRORS client errors); open at the lab: $OPEN_RAMP after the" \
  "ramp, peak $OPEN_PEAK, $OPEN_END when wrk ended, $OPEN_AFTER ${OPEN_SECS}s after the client stopped"
echo "  lab RSS: before $(mib "$RSS0"), baseline peak $(mib "$BASE_PEAK"), after baseline $(mib "$RSS1")," \
  "peak with faults $(mib "$FAULT_PEAK"), after $(mib "$RSS2") (VmHWM $(mib "$HWM"))"
echo "  lab threads: before $THR0, peak $THR_PEAK, after $THR2; open fds: before $FD0, peak $FD_PEAK, after $FD2"

status=0
[[ $OPEN_AFTER == 0 ]] || { say "FAIL: GET /faults/open is $OPEN_AFTER, not 0, ${SETTLE}s after"; status=1; }
((FD2 <= FD0 + FD_SLACK)) || { say "FAIL: the lab holds $FD2 fds after the run, $FD0 before"; status=1; }
[[ -z $b_non && -z $f_non ]] || { say "FAIL: some normal responses were not 2xx"; status=1; }
((OPENED > 0)) || { say "FAIL: the fault client opened no connection"; status=1; }
((RSS2 <= RSS1 + RSS_SLACK_MB * 1024)) || {
  say "FAIL: the lab's RSS is $(mib "$RSS2") after the run, $(mib "$RSS1") after the baseline" \
    "(more than +${RSS_SLACK_MB} MiB)"
  status=1
}
((THR2 <= THR0 + 2)) || say "note: the lab has $THR2 threads after the run, $THR0 before"
if ((status == 0)); then
  say "ok: fault connections all closed, fds back to baseline, RSS within ${RSS_SLACK_MB} MiB of the baseline's"
fi
exit "$status"
