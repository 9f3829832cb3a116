# Sourced by the lab's load scripts: builds the release lab into $TARGET_DIR and sets BIN to it.
# The workspace release profile is tuned for a small wasm page (opt-level z, fat LTO, panic=abort); a server
# wants speed and per-task panic isolation, so it is overridden for this build only.
build_fast_lab() {
  say "building the release lab in $TARGET_DIR"
  CARGO_TARGET_DIR=$TARGET_DIR \
    CARGO_PROFILE_RELEASE_OPT_LEVEL=3 CARGO_PROFILE_RELEASE_LTO=false \
    CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 CARGO_PROFILE_RELEASE_PANIC=unwind \
    cargo build --release --quiet -p corscope-lab
  BIN=$TARGET_DIR/release/corscope-lab
}
