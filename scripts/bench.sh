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
#      BENCH_PARTS=size,ready,diagnosis (default: all; "none" for none)
#      BENCH_CASE=<text>           only the diagnosis cases whose name contains it
#      PEER_TESTCORS=<dir> PEER_SIMONW=<dir>  static copies of test-cors.org and simonw's CORS Fetch
#                                  Tester: e2e/peers.mjs then measures them beside corscope (see its header)
#      CHROMIUM=<path>             the browser (default /usr/bin/chromium)
# Output: the tables on stdout; target/bench/bench.json (every measurement of corscope).
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf 'bench: %s\n' "$*" >&2; }
. scripts/page-harness.sh
harness_tools
harness_dist "${CORSCOPE_BENCH_DIST:-}"
harness_lab

harness_run e2e/bench.mjs --dist "$DIST" --lab "$LAB" --out target/bench \
  --loads "${LOADS:-20}" --runs "${RUNS:-5}" --delay "${DELAY_MS:-100}"
if [ -n "${PEER_TESTCORS:-}${PEER_SIMONW:-}" ]; then
  harness_run e2e/peers.mjs --dist "$DIST" --lab "$LAB" --loads "${LOADS:-20}" --runs "${RUNS:-5}" \
    --delay "${DELAY_MS:-100}" ${PEER_TESTCORS:+--testcors "$PEER_TESTCORS"} ${PEER_SIMONW:+--simonw "$PEER_SIMONW"}
fi
