#!/usr/bin/env bash
# Runs every test: formatting, lints, native unit and integration tests, docs, the browser tests in headless
# Chromium against a running lab, and the release build of the page. Installs missing tools first.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

# A stray GECKODRIVER turns wasm-pack's Chrome run into a Firefox one.
unset GECKODRIVER
export CARGO_TERM_COLOR=never
LAB_PORT=${CORSCOPE_LAB_PORT:-8787}
export CORSCOPE_LAB_URL="http://127.0.0.1:$LAB_PORT"

step() { printf '\n== %s\n' "$*"; }

step "format"
cargo fmt --all -- --check

step "clippy (native and wasm32)"
cargo clippy --workspace --all-targets -- -D warnings
cargo clippy -p corscope --target wasm32-unknown-unknown --all-targets -- -D warnings
cargo clippy -p corscope-model --target wasm32-unknown-unknown -- -D warnings

step "native tests"
cargo test --workspace

step "lab catalogue vs headless Chromium (DevTools verdicts)"
bash crates/lab/verify/verify-chromium.sh

step "docs"
RUSTDOCFLAGS="-D warnings" cargo doc --no-deps -p corscope-model -p corscope-lab -q
RUSTDOCFLAGS="-D warnings" cargo doc --no-deps -p corscope --target wasm32-unknown-unknown -q

step "lab"
cargo build -q -p corscope-lab
lab_log=$(mktemp)
target/debug/corscope-lab --port "$LAB_PORT" >"$lab_log" 2>&1 &
lab_pid=$!
trap 'kill "$lab_pid" 2>/dev/null || true; wait "$lab_pid" 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  grep -q "listening on" "$lab_log" && break
  kill -0 "$lab_pid" 2>/dev/null || { cat "$lab_log"; echo "the lab failed to start (is port $LAB_PORT free?)"; exit 1; }
  sleep 0.1
done
grep "listening on" "$lab_log"

step "browser tests (headless Chromium)"
export WASM_BINDGEN_TEST_TIMEOUT=120 # the suite takes ~20 s, the runner's default budget
wasm-pack test --headless --chrome --chromedriver "$(command -v chromedriver)" --mode no-install

step "the post-build hook that shortens the wasm's import and export names"
python3 scripts/test_shorten_bindings.py

step "release build of the page"
trunk build --release
bash scripts/size.sh

step "end to end: the built page vs Chromium's own verdict"
CORSCOPE_E2E_DIST=dist bash scripts/e2e.sh

step "real servers: Express's cors, Starlette's CORSMiddleware, Flask-CORS and nginx vs Chromium's own verdict"
CORSCOPE_E2E_DIST=dist bash scripts/real-servers.sh

step "random servers: 100 cases drawn from seed 2026 vs Chromium's own verdict"
CORSCOPE_DIFF_DIST=dist bash scripts/differential.sh 100 2026
