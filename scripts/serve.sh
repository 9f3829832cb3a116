#!/usr/bin/env bash
# Builds and serves the page on http://127.0.0.1:8080 with the lab beside it on http://127.0.0.1:8787.
# Installs missing tools first. Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
PAGE_PORT=${CORSCOPE_PAGE_PORT:-8080}
LAB_PORT=${CORSCOPE_LAB_PORT:-8787}

cargo build -q --release -p corscope-lab
target/release/corscope-lab --port "$LAB_PORT" &
lab_pid=$!
trap 'kill "$lab_pid" 2>/dev/null || true' EXIT INT TERM
echo "corscope: page on http://127.0.0.1:$PAGE_PORT  lab on http://127.0.0.1:$LAB_PORT"
trunk serve --release --address 127.0.0.1 --port "$PAGE_PORT"
