#!/usr/bin/env bash
# Installs every tool the build and the tests need, each only when missing or at the wrong version.
# A fresh machine has only the Rust toolchain, Python and Node; this takes ~20 min there, seconds after.
set -euo pipefail
cd "$(dirname "$0")/.."

# The wasm-bindgen CLI must equal the locked crate exactly (trunk and wasm-pack compare version strings).
WASM_BINDGEN_VERSION=$(sed -n 's/^wasm-bindgen = "=\(.*\)"/\1/p' Cargo.toml | head -n1)
TRUNK_VERSION=0.21.14
BINARYEN_VERSION=132

have() { command -v "$1" >/dev/null 2>&1; }
say() { printf 'setup: %s\n' "$*" >&2; }

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

if ! wasm-bindgen --version 2>/dev/null | grep -qx "wasm-bindgen $WASM_BINDGEN_VERSION"; then
  say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION"
  # Not --locked: the registry mirror lacks some of the CLI's locked dependencies.
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
fi

if ! trunk --version 2>/dev/null | grep -qx "trunk $TRUNK_VERSION"; then
  say "installing trunk $TRUNK_VERSION"
  cargo install --locked trunk --version "$TRUNK_VERSION" --force
fi

if ! have wasm-pack; then
  say "installing wasm-pack"
  cargo install wasm-pack
fi

if ! wasm-opt --version 2>/dev/null | grep -q "version $BINARYEN_VERSION"; then
  say "installing binaryen $BINARYEN_VERSION (wasm-opt)"
  npm install -g "binaryen@$BINARYEN_VERSION" >/dev/null
fi

if ! have chromium || ! have chromedriver; then
  say "installing Debian's chromium and chromium-driver"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq chromium chromium-driver >/dev/null
fi
# Trunk runs cargo offline (Trunk.toml), so every crate the page needs is fetched here, once.
cargo fetch --locked --target wasm32-unknown-unknown >/dev/null
say "tools ready: $(wasm-bindgen --version), $(trunk --version), $(wasm-pack --version), wasm-opt $(wasm-opt --version | awk '{print $3}'), $(chromium --version 2>/dev/null)"
