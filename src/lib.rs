//! corscope: a CORS tester that runs in the browser.
//!
//! The page sends the request you describe from this browser, and when the browser blocks it, works out
//! which check failed: every CORS rule lives in [`corscope_model`]; this crate only executes fetches and
//! shows results.
//!
//! It is also a library for your own browser tests: [`diagnose()`] runs the same fetch → probes → verdict
//! pipeline and returns a [`Report`].
//!
//! ```no_run
//! # async fn check() {
//! use corscope::{diagnose, Options, Outcome};
//! use corscope_model::RequestSpec;
//!
//! let spec = RequestSpec {
//!     origin: corscope::page_origin(),
//!     url: "https://api.example/v1/items".into(),
//!     method: "PUT".into(),
//!     headers: vec![("X-Api-Key".into(), "k".into())],
//!     ..RequestSpec::default()
//! };
//! let report = diagnose(&spec, Options::default()).await;
//! assert_eq!(report.outcome, Outcome::Ok, "{}", report.headline);
//! # }
//! ```

/// The pipeline: classify, fetch, probe, infer.
pub mod diagnose;
/// Typed DOM helpers: text-only element builder, owned listeners.
pub mod dom;
/// The one fetch adapter.
pub mod fetch;
/// A JSON value built by hand (for the report's contract), serialised by serde-wasm-bindgen.
mod json;
/// The report and its JSON contract.
pub mod report;

/// Form, events, permalink: the interactive page.
mod app;
/// Lab presets, fetched on demand.
mod presets;
/// Drawing results.
mod view;

use std::cell::RefCell;

use wasm_bindgen::prelude::*;

pub use crate::app::{mount, App};
pub use crate::diagnose::{diagnose, Options, ProbeCallback};
pub use crate::report::{Outcome, ProbeReport, Report};

/// The id of the element the interactive page mounts into. Pages without it (such as the browser-test
/// runner's page) load the module without starting the app.
pub const ROOT_ID: &str = "corscope-app";

/// The allocator: talc (its safe WebAssembly constructor), which takes 2.8 KB less of the gzipped bundle
/// than std's dlmalloc.
#[cfg(all(target_family = "wasm", not(target_feature = "atomics")))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

thread_local! {
    static PANIC: RefCell<Option<String>> = const { RefCell::new(None) };
    static HOOKED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Entry point: installs the panic hook, then starts the app if this page has its root element.
#[wasm_bindgen(start)]
pub fn start() -> Result<(), JsValue> {
    install_panic_hook();
    let Some(root) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(ROOT_ID))
    else {
        return Ok(());
    };
    let app = mount(&root)?;
    // The page is interactive: the ready mark `scripts/bench.sh` measures navigation start against.
    if let Some(performance) = web_sys::window().and_then(|w| w.performance()) {
        let _ = performance.mark("corscope-ready");
    }
    // The app lives as long as the page: its listeners must never be unregistered.
    std::mem::forget(app);
    Ok(())
}

/// The page's own origin, e.g. `http://127.0.0.1:8080`: the `Origin` every request carries.
pub fn page_origin() -> String {
    web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_else(|| String::from("null"))
}

/// The message of a panic that happened on this page, if any. Tests assert it stays `None`.
pub fn panic_message() -> Option<String> {
    PANIC.with(|p| p.borrow().clone())
}

/// Installs the panic hook (once); in debug builds, any hook already set (a test harness's) runs after it.
///
/// A panic ends the WASM instance; before it does, the hook records it ([`panic_message`]) and marks
/// `#report` with `data-state="failed"`, so no tool waits forever for `done` and a browser test fails
/// loudly.
pub fn install_panic_hook() {
    // Changing the hook while a panic is in flight is itself a panic (a test harness may go on after a
    // failed test); the next call installs it.
    if std::thread::panicking() || HOOKED.with(|h| h.replace(true)) {
        return;
    }
    // A hook already set (a test harness's) stays behind this one in debug builds. Release builds (the
    // page) skip it: there it is std's default hook, which prints to a stderr that wasm32 does not have,
    // and chaining to it would keep its thread-name and backtrace code in the bundle (2.7 KB gzipped).
    let previous = cfg!(debug_assertions).then(std::panic::take_hook);
    std::panic::set_hook(Box::new(move |info| {
        mark_failed(&info.to_string());
        if let Some(previous) = &previous {
            previous(info);
        }
    }));
}

/// What the panic hook does with a panic's message.
#[doc(hidden)]
pub fn mark_failed(message: &str) {
    web_sys::console::error_1(&JsValue::from_str(&format!("corscope panicked: {message}")));
    if let Some(report) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("report"))
    {
        let _ = report.set_attribute("data-state", "failed");
        let _ = report.set_attribute("data-panic", message);
    }
    PANIC.with(|p| *p.borrow_mut() = Some(message.to_string()));
}

/// Forgets a recorded panic (for the test of the hook itself).
#[doc(hidden)]
pub fn clear_panic() {
    PANIC.with(|p| *p.borrow_mut() = None);
}
