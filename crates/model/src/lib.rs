//! # corscope-model
//!
//! The Fetch Standard's CORS rules as pure Rust. Given a request and (when known) the server's raw
//! responses, it says what the browser will do and, when the browser blocks the request, exactly why:
//! the DevTools `Network.CorsError` code, the failed parameter, the header at fault, the wording of
//! Chrome's console, and how to fix the server.
//!
//! It knows nothing of browsers or HTTP libraries: it sends nothing and reads no DOM. It compiles for
//! `wasm32-unknown-unknown` (the page) and natively (tests, a future command-line tool).

pub mod error;
pub mod request;
pub mod response;
pub mod url;

pub mod classify;
pub mod header;
pub mod method;

pub mod check;
pub mod explain;
pub mod fix;
pub mod verdict;

pub mod curl;
pub mod paste;
pub mod permalink;

pub mod probe;

pub use crate::classify::{classify, Classification, Refusal};
pub use crate::error::CorsError;
pub use crate::request::{Credentials, Mode, Redirect, Request, RequestSpec};
pub use crate::response::{Exchange, HeaderList, Response};
pub use crate::url::{Origin, Url};
