//! Classify a request as the browser would before sending anything: refused outright, sent as a
//! "simple" request, or preceded by a preflight, and why.
//!
//! <https://fetch.spec.whatwg.org/#main-fetch>, <https://fetch.spec.whatwg.org/#cors-preflight-fetch>

use crate::error::CorsError;
use crate::request::{Request, RequestSpec};

/// What the browser will do with a request it accepts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Classification {
    /// The request as it will be sent.
    pub request: Request,
    /// Why a preflight is needed; empty for a simple (or same-origin) request.
    pub preflight: Vec<PreflightReason>,
    /// Headers the browser silently drops (forbidden names, or not allowed in `no-cors` mode).
    pub dropped: Vec<DroppedHeader>,
    /// Things worth knowing that do not stop the request (Local Network Access prompts, …).
    pub notices: Vec<Notice>,
}

impl Classification {
    /// Whether a CORS preflight precedes the request.
    pub fn needs_preflight(&self) -> bool {
        !self.preflight.is_empty()
    }
}

/// One reason a request needs a preflight.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PreflightReason {
    /// The method is not GET, HEAD or POST.
    Method(String),
    /// A header is not CORS-safelisted (name lowercase), and the rule it breaks.
    Header {
        name: String,
        rule: UnsafeHeaderRule,
    },
}

/// Why a request header is not CORS-safelisted.
///
/// <https://fetch.spec.whatwg.org/#cors-safelisted-request-header>
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UnsafeHeaderRule {
    /// The name is not one of the safelisted names.
    NameNotSafelisted,
    /// The value is longer than 128 bytes.
    ValueTooLong { len: usize },
    /// The value contains a CORS-unsafe request-header byte.
    UnsafeByte { byte: u8 },
    /// `Content-Type` whose essence is not form, multipart or text/plain (or does not parse).
    ContentTypeNotSimple { essence: String },
    /// `Accept-Language`/`Content-Language` with a character outside `0-9A-Za-z *,-.;=`.
    LanguageCharacter { ch: char },
    /// `Range` that is not a single `bytes=N-` or `bytes=N-M` range.
    RangeNotSimple,
    /// The safelisted values together exceed 1024 bytes, so every safelisted header counts as unsafe.
    SafelistTotalTooLarge { total: usize },
}

/// A header the browser removes without telling the page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DroppedHeader {
    /// The header name as given.
    pub name: String,
    /// Why it is dropped.
    pub why: DropReason,
}

/// Why a header is dropped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DropReason {
    /// A forbidden request-header name (`Cookie`, `Host`, `Origin`, `Sec-*`, `Proxy-*`, …).
    Forbidden,
    /// `X-HTTP-Method(-Override)`/`X-Method-Override` naming a forbidden method.
    ForbiddenMethodOverride,
    /// `no-cors` mode keeps only no-CORS-safelisted headers.
    NotAllowedInNoCors,
}

/// Something that does not stop the request but changes what happens.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Notice {
    /// The target is in a more local address space than the page: Chromium asks the user for the
    /// Local Network Access permission (since Chrome 142); refused, the request fails.
    LocalNetworkAccess,
    /// The URL carries a fragment, which is never sent.
    FragmentNotSent,
}

/// Why the browser refuses a request before sending anything.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// The URL does not parse.
    InvalidUrl(String),
    /// The origin the request is sent from does not parse.
    InvalidOrigin(String),
    /// A scheme CORS does not support (`file:`, `data:`, custom schemes).
    SchemeNotSupported(String),
    /// The URL embeds a user name or password.
    CredentialsInUrl,
    /// The method is not an HTTP token.
    InvalidMethod(String),
    /// CONNECT, TRACE or TRACK.
    ForbiddenMethod(String),
    /// A header name is not an HTTP token.
    InvalidHeaderName(String),
    /// A header value has a NUL, CR or LF, or leading/trailing whitespace the browser rejects.
    InvalidHeaderValue(String),
    /// GET and HEAD cannot have a body.
    BodyWithGetOrHead(String),
    /// `no-cors` allows only GET, HEAD and POST.
    NoCorsMethod(String),
    /// `no-cors` needs redirect mode `follow`.
    NoCorsRedirectMode,
    /// Mode `same-origin` to another origin.
    SameOriginModeCrossOrigin,
    /// An https page may not fetch an http URL (mixed content), except loopback.
    MixedContent,
    /// A port browsers never connect to (the Fetch Standard's bad-port list).
    BlockedPort(u16),
    /// A non-secure page may not reach a more local address space (Local Network Access).
    InsecureLocalNetwork,
}

impl Refusal {
    /// The DevTools `CorsError` Chromium reports for this refusal, if it reports one at all.
    pub fn cors_error(&self) -> Option<CorsError> {
        match self {
            Refusal::SchemeNotSupported(_) => Some(CorsError::CorsDisabledScheme),
            Refusal::SameOriginModeCrossOrigin => Some(CorsError::DisallowedByMode),
            Refusal::NoCorsRedirectMode => Some(CorsError::NoCorsRedirectModeNotFollow),
            Refusal::InsecureLocalNetwork => Some(CorsError::InsecureLocalNetwork),
            _ => None,
        }
    }
}

/// Classifies a request: refused, or accepted with the reasons it needs a preflight.
pub fn classify(spec: &RequestSpec) -> Result<Classification, Refusal> {
    let _ = spec;
    Err(Refusal::InvalidUrl("classify is not written yet".into()))
}
