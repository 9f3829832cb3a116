//! # corscope-lab
//!
//! A real cross-origin HTTP server with every CORS misconfiguration on tap, for corscope's tests, demos and
//! benchmarks, and for people who want to see what each mistake looks like in their own browser.
//!
//! Its responses are written by hand from data, never by a CORS middleware: it must be able to send what
//! broken servers send (duplicate `Access-Control-Allow-Origin` lines, `True` for `true`, a 404 to the
//! preflight). Endpoints:
//!
//! - `GET /scenarios`: the catalogue ([`catalogue::SCENARIOS`]) as JSON;
//! - `/s/<name>`: a named scenario, answering its preflight and actual request from the catalogue;
//! - `/b?<params>`: the free-form builder ([`builder`]);
//! - `/echo`: allows everything;
//! - `/f/<name>`: a faulty server ([`faults`]: resets, hangs, drips, a 1 GiB body, a gzip bomb, …), answered
//!   on the raw socket; `GET /faults` lists them, `GET /faults/open` counts their open connections;
//! - `GET /`: a short index.
//!
//! Every actual response's body is the echo of what the lab received ([`echo::Echo`]). Every response
//! carries `Cross-Origin-Resource-Policy: cross-origin` and `Cache-Control: no-store`, except the few hyper
//! writes itself before any handler runs (431 for an oversized head, 400 for an unparsable one).

pub mod builder;
pub mod catalogue;
pub mod echo;
pub mod faults;
pub mod filler;
pub mod query;
pub mod reply;
mod server;

pub use crate::server::{
    serve, Config, HEADER_READ_TIMEOUT, MAX_BODY_BYTES, MAX_CONNECTIONS, MAX_HEADER_BYTES,
    REQUEST_TIMEOUT, SHUTDOWN_GRACE,
};
