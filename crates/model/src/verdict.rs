//! Decide a CORS exchange from raw responses, exactly as Chromium does, and say what the page may read.
//!
//! <https://fetch.spec.whatwg.org/#cors-check>, <https://fetch.spec.whatwg.org/#cors-preflight-fetch>,
//! <https://fetch.spec.whatwg.org/#http-redirect-fetch>

use crate::error::{CorsError, Stage};

/// The outcome of an exchange.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// The browser hands the response to the page.
    Allowed(Allowed),
    /// The browser blocks it; the page sees only `TypeError: Failed to fetch`.
    Blocked(Blocked),
}

/// Why an exchange is blocked: the same code and failed parameter Chromium gives DevTools, plus what a
/// person needs to fix it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Blocked {
    /// The DevTools `Network.CorsError` code.
    pub error: CorsError,
    /// Chromium's `failedParameter`: the offending header value, method or header name; `None` where
    /// Chromium leaves it empty.
    pub failed_parameter: Option<String>,
    /// Which response and which part of it is at fault.
    pub fault: Fault,
    /// The value the browser saw (`None` when the header was absent).
    pub seen: Option<String>,
    /// The value that would have passed, in words a server author can copy (e.g. `https://app.example`).
    pub required: Option<String>,
    /// For a failure on a redirect hop of the actual request: the hop's index (0 = first response).
    pub hop: Option<usize>,
}

/// The part of the exchange at fault.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fault {
    /// Preflight or actual response (or the request itself).
    pub stage: Stage,
    /// What in that response: a lowercase header name, the status, or a redirect.
    pub part: FaultPart,
}

/// What in a response is at fault.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FaultPart {
    /// A response header, lowercase (e.g. `access-control-allow-origin`).
    Header(&'static str),
    /// The status code.
    Status,
    /// The response is a redirect (or its `Location`).
    Redirect,
    /// Nothing in the response: the request itself (mode, scheme, Local Network Access).
    Request,
}

impl FaultPart {
    /// The report's `fault_header` value: the header name, `"status"`, `"redirect"`, or `None`.
    pub fn report_name(&self) -> Option<&'static str> {
        match self {
            FaultPart::Header(name) => Some(name),
            FaultPart::Status => Some("status"),
            FaultPart::Redirect => Some("redirect"),
            FaultPart::Request => None,
        }
    }
}

/// An allowed exchange: what the page can read, and what may break later.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Allowed {
    /// Response header names (lowercase) the page can read with `headers.get()`.
    pub readable: Vec<String>,
    /// Response header names (lowercase) present but hidden from the page.
    pub hidden: Vec<String>,
    /// Allowed-but-fragile setups.
    pub warnings: Vec<Warning>,
}

/// An allowed-but-fragile server setup.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Warning {
    /// ACAO echoes the origin without `Vary: Origin`: a shared cache may serve one origin's answer to another.
    MissingVaryOrigin,
    /// ACAO is `*`: it will break the day the request sends credentials.
    WildcardBreaksWithCredentials,
    /// `Access-Control-Allow-Headers: *` lets `Authorization` through in Chromium only; the standard and
    /// Firefox/Safari need it listed by name.
    AuthorizationUnderWildcard,
    /// A method that differs only in case from one listed in ACAM passes in Chromium (which upper-cases)
    /// but not in the standard.
    MethodCaseMismatch { method: String },
    /// The response is an error status (4xx/5xx) that still carries CORS headers: fine, noted so people
    /// know the status is real.
    ErrorStatus { status: u16 },
}
