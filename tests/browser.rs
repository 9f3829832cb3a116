//! Browser tests: real fetches from headless Chromium against the lab (`CORSCOPE_LAB_URL`, default
//! http://127.0.0.1:8787). Run with `wasm-pack test --headless --chrome --chromedriver /usr/bin/chromedriver`.
#![cfg(target_arch = "wasm32")]
// Tests may unwrap: a panic here is a failed test, not a broken page. (clippy.toml's allow-*-in-tests
// does not see `#[wasm_bindgen_test]` functions or their helpers.)
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

pub mod common;
