//! # corscope-model
//!
//! The Fetch Standard's CORS rules as pure Rust. Given a request and (when known) the server's raw
//! responses, it says what the browser will do and, when the browser blocks the request, exactly why:
//! the DevTools `Network.CorsError` code, the failed parameter, the header at fault, the wording of
//! Chrome's console, and how to fix the server.
//!
//! It knows nothing of browsers or HTTP libraries: it sends nothing and reads no DOM. It compiles for
//! `wasm32-unknown-unknown` (the page) and natively (tests, a future command-line tool).
//!
//! Where Chromium 156 departs from the standard, the model follows Chromium (the browser the page runs
//! in) and the explanations say what the standard and other browsers do; `e2e/FACTS.md` lists what was
//! observed in the real browser over the DevTools protocol.
//!
//! # The three questions
//! 1. **What will the browser do with this request?** [`classify()`]: refused before sending (a typed
//!    [`Refusal`]), or sent — simple or preflighted, and why ([`classify::PreflightReason`]).
//! 2. **Given the server's raw answers, is it allowed?** [`verdict::decide`]: Chromium's checks in
//!    Chromium's order; a [`verdict::Blocked`] names the code, the failed parameter and the header at
//!    fault; [`explain`] words it and [`fix`] writes the server change for twelve stacks.
//! 3. **Without the raw answers, what went wrong?** [`probe::plan`] lists the variant fetches that
//!    isolate a failure; [`probe::infer`] narrows the cause from their outcomes. Where that is not enough,
//!    [`curl::commands`] gives the commands whose output, pasted back through [`paste`], settles it.
//!
//! # Example: diagnose a pasted `curl -i` answer
//! ```
//! use corscope_model::{classify, explain, paste, verdict, CorsError, RequestSpec};
//!
//! let spec = RequestSpec {
//!     origin: "https://app.example".into(),
//!     url: "https://api.example/v1/items".into(),
//!     method: "PUT".into(),
//!     headers: vec![("X-Api-Key".into(), "secret".into())],
//!     ..RequestSpec::default()
//! };
//! let classification = classify(&spec)?;
//! assert!(classification.needs_preflight());
//!
//! // What `curl -i -X OPTIONS …` printed, pasted by the user.
//! let preflight = "HTTP/2 204\r\n\
//!     access-control-allow-origin: https://app.example\r\n\
//!     access-control-allow-methods: GET, PUT\r\n\
//!     access-control-allow-headers: content-type\r\n\r\n";
//! let actual = "HTTP/2 200\r\naccess-control-allow-origin: https://app.example\r\n\r\n";
//! let exchange = paste::parse_exchange(Some(preflight), actual)?;
//!
//! let verdict::Verdict::Blocked(blocked) = verdict::decide(&classification, &exchange) else {
//!     panic!("the preflight does not allow x-api-key");
//! };
//! assert_eq!(blocked.error, CorsError::HeaderDisallowedByPreflightResponse);
//! assert_eq!(blocked.failed_parameter.as_deref(), Some("x-api-key"));
//! let headline = explain::headline(&blocked, &classification.request);
//! assert!(headline.contains("x-api-key"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod error;
pub mod request;
pub mod response;
pub mod url;

pub mod classify;
pub mod header;
pub mod header_order;
pub mod method;

pub mod check;
pub mod explain;
pub mod fix;
pub mod verdict;

pub mod curl;
pub mod paste;
pub mod permalink;

pub mod probe;

pub mod text;

pub use crate::classify::{classify, Classification, Refusal};
pub use crate::error::CorsError;
pub use crate::request::{Credentials, Mode, Redirect, Request, RequestSpec};
pub use crate::response::{Exchange, HeaderList, Response};
pub use crate::url::{Origin, Url};
