#!/usr/bin/env bash
# Fuzzes the model's text parsers (crates/model/fuzz) for a bounded time and says how long each target
# ran clean. Not part of the test command: it needs cargo-fuzz and minutes of CPU.
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]     default: 60 s each for paste, permalink, header_list
#
# cargo-fuzz needs nightly compiler flags; on the stable toolchain RUSTC_BOOTSTRAP=1 unlocks them.
# Corpora grow in crates/model/fuzz/corpus/<target> (git-ignored), seeded from fuzz/seeds/<target>;
# a crash leaves its input in fuzz/artifacts/<target> and this script exits non-zero.
set -euo pipefail

seconds="${1:-60}"
shift || true
targets=("$@")
if [ "${#targets[@]}" -eq 0 ]; then
  targets=(paste permalink header_list)
fi
case "$seconds" in
  '' | *[!0-9]*) echo "usage: $0 [SECONDS_PER_TARGET] [TARGET...]" >&2; exit 2 ;;
esac

if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "installing cargo-fuzz (a few minutes, once)" >&2
  cargo install cargo-fuzz --locked
fi

cd "$(dirname "$0")/../crates/model"
export RUSTC_BOOTSTRAP=1

failed=0
summary=()
for target in "${targets[@]}"; do
  mkdir -p "fuzz/corpus/$target" "fuzz/seeds/$target"
  log="$(mktemp)"
  start=$(date +%s)
  if cargo fuzz run -O --debug-assertions "$target" "fuzz/corpus/$target" "fuzz/seeds/$target" -- \
      -max_total_time="$seconds" -max_len=65536 -timeout=10 -print_final_stats=1 >"$log" 2>&1; then
    status="clean"
  else
    status="FAILED"
    failed=1
    tail -40 "$log" >&2
  fi
  elapsed=$(( $(date +%s) - start ))
  runs=$(grep -o 'Done [0-9]* runs in [0-9]* second' "$log" | tail -1 | awk '{print $2}')
  fuzz_secs=$(grep -o 'Done [0-9]* runs in [0-9]* second' "$log" | tail -1 | awk '{print $5}')
  if [ "$status" = clean ]; then
    summary+=("$(printf '%-12s clean: fuzzed %ss, %s runs, no crash (%ss with the build)' \
      "$target" "${fuzz_secs:-0}" "${runs:-0}" "$elapsed")")
  else
    summary+=("$(printf '%-12s FAILED after %ss: see fuzz/artifacts/%s' "$target" "$elapsed" "$target")")
  fi
  rm -f "$log"
done

printf '%s\n' "${summary[@]}"
exit "$failed"
