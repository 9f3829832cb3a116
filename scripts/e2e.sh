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
. scripts/page-harness.sh
harness_tools
harness_dist "${CORSCOPE_E2E_DIST:-}"
harness_lab

status=0
harness_run e2e/e2e.mjs --dist "$DIST" --lab "$LAB" --out target/e2e || status=$?
say "finished in $(( $(date +%s) - start )) s (build included) with status $status"
exit "$status"
