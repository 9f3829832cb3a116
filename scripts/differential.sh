#!/usr/bin/env bash
# Random differential testing (scripts/test.sh runs 100 cases of seed 2026): builds the release page, starts the lab on a
# free loopback port and runs e2e/differential.mjs, which draws servers (the lab's /b builder) and
# requests at random from a seed and grades corscope against Chromium's own verdict on each, on both the
# browser-only and the pasted-headers path. Stops everything it started, by PID.
#
#   scripts/differential.sh [CASES] [SEED]          default: 150 cases, seed 1
#
# Env: CORSCOPE_DIFF_DIST=<dir> use an already built dist/; CHROMIUM=<path>.
# Output: the table on stdout; target/differential/seed-<SEED>.json. Exits 1 on any wrong row.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf 'differential: %s\n' "$*" >&2; }
cases="${1:-150}"
seed="${2:-1}"
case "$cases$seed" in
  '' | *[!0-9]*) echo "usage: $0 [CASES] [SEED]" >&2; exit 2 ;;
esac
. scripts/page-harness.sh
harness_tools
harness_dist "${CORSCOPE_DIFF_DIST:-}"
harness_lab
harness_run e2e/differential.mjs --dist "$DIST" --lab "$LAB" --cases "$cases" --seed "$seed" --out target/differential
