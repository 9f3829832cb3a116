//! Classify a request as the browser would before sending anything: refused outright, sent as a
//! "simple" request, or preceded by a preflight, and why.
//!
//! The checks run in the order Chromium 156 runs them, so the refusal reported is the one the browser
//! reports first: `new Request()`'s `TypeError`s (URL, method, `no-cors` method, headers, body), then
//! the fetch's own checks (mode and scheme, mixed content, bad port), then Local Network Access.
//!
//! <https://fetch.spec.whatwg.org/#dom-request>, <https://fetch.spec.whatwg.org/#main-fetch>,
//! <https://fetch.spec.whatwg.org/#cors-preflight-fetch>

use std::fmt;

use crate::error::CorsError;
use crate::header::{self, ValueProblem};
use crate::method::{self, MethodError};
use crate::request::{Mode, Redirect, Request, RequestSpec};
use crate::response::HeaderList;
use crate::url::{AddressSpace, Origin, Url};

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
        /// Lowercase header name, as it appears in `Access-Control-Request-Headers`.
        name: String,
        /// The safelist rule the header breaks.
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
    ValueTooLong {
        /// The value's length in bytes.
        len: usize,
    },
    /// The value contains a CORS-unsafe request-header byte.
    UnsafeByte {
        /// The first unsafe byte.
        byte: u8,
    },
    /// `Content-Type` whose essence is not form, multipart or text/plain (or does not parse).
    ContentTypeNotSimple {
        /// The parsed `type/subtype` (lowercase), or the text before `;` when it does not parse.
        essence: String,
    },
    /// `Accept-Language`/`Content-Language` with a character outside `0-9A-Za-z *,-.;=`.
    LanguageCharacter {
        /// The first character not allowed.
        ch: char,
    },
    /// `Range` that is not a single `bytes=N-` or `bytes=N-M` range.
    RangeNotSimple,
    /// The safelisted values together exceed 1024 bytes, so every safelisted header counts as unsafe.
    SafelistTotalTooLarge {
        /// The safelisted values' total length in bytes.
        total: usize,
    },
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
    /// Allowed by the Fetch Standard but still dropped by Chromium (`User-Agent`, crbug.com/571722);
    /// Firefox sends it (after a preflight, since it is not safelisted).
    ForbiddenInChromium,
    /// `no-cors` mode keeps only no-CORS-safelisted headers.
    NotAllowedInNoCors,
}

/// Something that does not stop the request but changes what happens.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Notice {
    /// The target is in a more local address space than the page: Chromium asks the user for the
    /// Local Network Access permission (since Chrome 142); refused, the request fails.
    LocalNetworkAccess,
    /// A non-secure page on a domain name reaches a private or loopback address. Chromium blocks this
    /// (`InsecureLocalNetwork`) unless the page's own name resolves to an address at least as local,
    /// which only DNS can tell.
    MayBeInsecureLocalNetwork,
    /// The URL carries a fragment, which is never sent.
    FragmentNotSent,
}

/// Why the browser refuses a request before sending anything.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// The URL does not parse (the reason, in words).
    InvalidUrl(String),
    /// The origin the request is sent from does not parse (the reason, in words).
    InvalidOrigin(String),
    /// A scheme `fetch()` cannot reach across origins (`file:`, `ftp:`, `ws:`, `about:`, custom
    /// schemes); the scheme.
    SchemeNotSupported(String),
    /// `data:` or `blob:`: the browser answers these itself, in every mode, without the network or
    /// any CORS check, so corscope has nothing to test. This refusal is corscope's, not the browser's.
    LocalScheme(String),
    /// The URL embeds a user name or password.
    CredentialsInUrl,
    /// The method is not an HTTP token (the method as typed).
    InvalidMethod(String),
    /// CONNECT, TRACE or TRACK (as typed).
    ForbiddenMethod(String),
    /// A header name is not an HTTP token (the name as typed).
    InvalidHeaderName(String),
    /// A header value `fetch()` refuses.
    InvalidHeaderValue {
        /// The header's name as typed.
        name: String,
        /// What is wrong with the value.
        problem: ValueProblem,
    },
    /// GET and HEAD cannot have a body (the normalised method).
    BodyWithGetOrHead(String),
    /// `no-cors` allows only GET, HEAD and POST (the normalised method).
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

    /// The form field the refusal belongs to, so the page can show the message next to it:
    /// `"url"`, `"method"`, `"headers"`, `"body"`, `"mode"`, `"redirect"` or `"origin"`.
    pub fn field(&self) -> &'static str {
        match self {
            Refusal::InvalidUrl(_)
            | Refusal::SchemeNotSupported(_)
            | Refusal::LocalScheme(_)
            | Refusal::CredentialsInUrl
            | Refusal::MixedContent
            | Refusal::BlockedPort(_)
            | Refusal::InsecureLocalNetwork => "url",
            Refusal::InvalidOrigin(_) => "origin",
            Refusal::InvalidMethod(_) | Refusal::ForbiddenMethod(_) | Refusal::NoCorsMethod(_) => {
                "method"
            }
            Refusal::InvalidHeaderName(_) | Refusal::InvalidHeaderValue { .. } => "headers",
            Refusal::BodyWithGetOrHead(_) => "body",
            Refusal::NoCorsRedirectMode => "redirect",
            Refusal::SameOriginModeCrossOrigin => "mode",
        }
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::InvalidUrl(reason) => write!(
                f,
                "The URL is not valid: {reason}. Enter an absolute URL such as https://api.example/path."
            ),
            Refusal::InvalidOrigin(reason) => write!(
                f,
                "The origin is not valid: {reason}. Write it as scheme://host[:port], e.g. https://app.example."
            ),
            Refusal::SchemeNotSupported(scheme) => write!(
                f,
                "{scheme}: URLs cannot be fetched across origins: browsers send cross-origin requests \
                 only to http: and https: URLs (DevTools: CorsDisabledScheme). Use an http(s) URL."
            ),
            Refusal::LocalScheme(scheme) => write!(
                f,
                "{scheme}: URLs are answered inside the browser, without the network or any CORS \
                 check, so there is nothing to test. Use an http(s) URL."
            ),
            Refusal::CredentialsInUrl => f.write_str(
                "The URL contains a user name or password (user:pass@host): fetch() refuses it \
                 (\"Request cannot be constructed from a URL that includes credentials\"). Remove \
                 them from the URL and send an Authorization header instead.",
            ),
            Refusal::InvalidMethod(m) => write!(
                f,
                "{} is not a valid HTTP method: fetch() throws. A method is one word of letters, \
                 digits and !#$%&'*+-.^_`|~, without spaces.",
                crate::text::quoted(m)
            ),
            Refusal::ForbiddenMethod(m) => write!(
                f,
                "{m} is a forbidden method: browsers refuse to send it. Use another method."
            ),
            Refusal::InvalidHeaderName(n) => write!(
                f,
                "{} is not a valid header name: fetch() throws. A header name is one word of \
                 letters, digits and !#$%&'*+-.^_`|~, without spaces or a colon.",
                crate::text::quoted(n)
            ),
            Refusal::InvalidHeaderValue { name, problem } => write!(
                f,
                "The value of header {name} {problem}: fetch() throws. Remove that character."
            ),
            Refusal::BodyWithGetOrHead(m) => write!(
                f,
                "A {m} request cannot have a body: fetch() throws. Remove the body, or use POST."
            ),
            Refusal::NoCorsMethod(m) => write!(
                f,
                "{m} cannot be sent in no-cors mode, which allows only GET, HEAD and POST: fetch() \
                 throws. Use mode cors, or one of those methods."
            ),
            Refusal::NoCorsRedirectMode => f.write_str(
                "Mode no-cors needs redirect mode follow: with error or manual the browser fails the \
                 request without sending it (DevTools: NoCorsRedirectModeNotFollow). Set redirect to \
                 follow.",
            ),
            Refusal::SameOriginModeCrossOrigin => f.write_str(
                "Mode same-origin allows requests only to the page's own origin, and this URL is on \
                 another origin (DevTools: DisallowedByMode). Use mode cors.",
            ),
            Refusal::MixedContent => f.write_str(
                "An https page cannot fetch an http URL: the browser blocks it as mixed content \
                 before sending anything. Use an https URL (plain http is allowed only for \
                 localhost, 127.0.0.0/8 and [::1]).",
            ),
            Refusal::BlockedPort(port) => write!(
                f,
                "Port {port} is on the browsers' list of bad ports (it belongs to a non-web \
                 service), so the request fails without being sent (net::ERR_UNSAFE_PORT). Serve \
                 the API on another port."
            ),
            Refusal::InsecureLocalNetwork => f.write_str(
                "A page that is not a secure context (plain http, not localhost) cannot reach a more \
                 local address (a private network or this machine): Chromium blocks it (DevTools: \
                 InsecureLocalNetwork). Load the page over https or from localhost.",
            ),
        }
    }
}

impl std::error::Error for Refusal {}

impl fmt::Display for PreflightReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PreflightReason::Method(m) => write!(f, "the method {m} is not GET, HEAD or POST"),
            PreflightReason::Header { name, rule } => write!(f, "header {name}: {rule}"),
        }
    }
}

impl fmt::Display for UnsafeHeaderRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UnsafeHeaderRule::NameNotSafelisted => f.write_str(
                "it is not CORS-safelisted (the standard safelists only Accept, Accept-Language, \
                 Content-Language, Content-Type and Range; Chromium also a few client hints with \
                 simple values, such as Save-Data: on and DPR: 2)",
            ),
            UnsafeHeaderRule::ValueTooLong { len } => write!(
                f,
                "its value is {len} bytes long, over the 128-byte limit for safelisted headers"
            ),
            UnsafeHeaderRule::UnsafeByte { byte } => {
                let shown = match char::from(*byte) {
                    c if c.is_ascii_graphic() => format!("'{c}'"),
                    _ => format!("the byte 0x{byte:02X}"),
                };
                write!(
                    f,
                    "its value contains {shown}, which safelisted headers may not contain"
                )
            }
            UnsafeHeaderRule::ContentTypeNotSimple { essence } => write!(
                f,
                "Content-Type {essence} is not application/x-www-form-urlencoded, \
                 multipart/form-data or text/plain"
            ),
            UnsafeHeaderRule::LanguageCharacter { ch } => write!(
                f,
                "its value contains {}; language headers may hold only letters, digits, spaces \
                 and * , - . ; =",
                crate::text::quoted(&ch.to_string())
            ),
            UnsafeHeaderRule::RangeNotSimple => {
                f.write_str("it is not a single range of the form bytes=N- or bytes=N-M")
            }
            UnsafeHeaderRule::SafelistTotalTooLarge { total } => write!(
                f,
                "the safelisted headers' values total {total} bytes, over the 1024-byte limit"
            ),
        }
    }
}

impl fmt::Display for DropReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DropReason::Forbidden => "it is a forbidden header: browsers drop it silently",
            DropReason::ForbiddenMethodOverride => {
                "it names a forbidden method (CONNECT, TRACE or TRACK): browsers drop it silently"
            }
            DropReason::ForbiddenInChromium => {
                "Chromium drops it silently (crbug.com/571722); the Fetch Standard allows it and \
                 Firefox sends it, after a preflight"
            }
            DropReason::NotAllowedInNoCors => {
                "mode no-cors keeps only Accept, Accept-Language, Content-Language and a simple \
                 Content-Type"
            }
        })
    }
}

impl fmt::Display for Notice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Notice::LocalNetworkAccess => {
                "The target is on a more local network than this page: Chrome asks the user for \
                 the Local Network Access permission (which also lets an https page reach a \
                 plain-http local device), and the request fails if it is refused."
            }
            Notice::MayBeInsecureLocalNetwork => {
                "The target is a private or loopback address and this page is not a secure \
                 context: Chrome blocks the request (InsecureLocalNetwork) unless the page's own \
                 host is on a network at least as local. Load the page over https or from \
                 localhost to be sure."
            }
            Notice::FragmentNotSent => "The URL's #fragment is never sent to the server.",
        })
    }
}

/// The ports browsers refuse to connect to: the Fetch Standard's bad ports (including 4190 and
/// 6679, added in 2024) plus port 0, which Chromium also blocks.
///
/// <https://fetch.spec.whatwg.org/#bad-port>; Chromium `net/base/port_util.cc` `kRestrictedPorts`.
pub const BAD_PORTS: &[u16] = &[
    0, 1, 7, 9, 11, 13, 15, 17, 19, 20, 21, 22, 23, 25, 37, 42, 43, 53, 69, 77, 79, 87, 95, 101,
    102, 103, 104, 109, 110, 111, 113, 115, 117, 119, 123, 135, 137, 139, 143, 161, 179, 389, 427,
    465, 512, 513, 514, 515, 526, 530, 531, 532, 540, 548, 554, 556, 563, 587, 601, 636, 989, 990,
    993, 995, 1719, 1720, 1723, 2049, 3659, 4045, 4190, 5060, 5061, 6000, 6566, 6665, 6666, 6667,
    6668, 6669, 6679, 6697, 10080,
];

/// Whether `port` is a bad port.
///
/// <https://fetch.spec.whatwg.org/#bad-port>
pub fn is_bad_port(port: u16) -> bool {
    BAD_PORTS.contains(&port)
}

/// Classifies a request: refused, or accepted with the reasons it needs a preflight.
///
/// An empty method means GET, as when `fetch()` is given no method. A body of `Some("")` is a body,
/// as `fetch(url, { body: "" })` is; pass `None` for "no body".
///
/// ```
/// use corscope_model::{classify, RequestSpec};
///
/// let spec = RequestSpec {
///     origin: "https://app.example".into(),
///     url: "https://api.example/items".into(),
///     method: "put".into(),
///     headers: vec![("Content-Type".into(), "application/json".into())],
///     body: Some("{}".into()),
///     ..RequestSpec::default()
/// };
/// let c = classify(&spec)?;
/// assert_eq!(c.request.method(), "PUT");
/// assert!(c.needs_preflight());
/// // The preflight's Access-Control-Request-Headers value:
/// assert_eq!(c.request.unsafe_header_names().join(","), "content-type");
///
/// let trace = RequestSpec { method: "TRACE".into(), body: None, ..spec };
/// assert_eq!(
///     classify(&trace).unwrap_err().to_string(),
///     "TRACE is a forbidden method: browsers refuse to send it. Use another method."
/// );
/// # Ok::<(), corscope_model::Refusal>(())
/// ```
pub fn classify(spec: &RequestSpec) -> Result<Classification, Refusal> {
    let origin =
        Origin::parse(&spec.origin).map_err(|e| Refusal::InvalidOrigin(e.reason().into()))?;
    let url = parse_url(&spec.url)?;
    let method = construct_method(spec)?;
    let (headers, dropped) = construct_headers(spec)?;
    if spec.body.is_some() && (method == "GET" || method == "HEAD") {
        return Err(Refusal::BodyWithGetOrHead(method));
    }
    check_fetch(spec, &origin, &url)?;
    let mut notices = local_network(&origin, &url)?
        .into_iter()
        .collect::<Vec<_>>();
    if spec.url.contains('#') {
        notices.push(Notice::FragmentNotSent);
    }
    let request = Request {
        origin,
        url,
        method,
        mode: spec.mode,
        credentials: spec.credentials,
        redirect: spec.redirect,
        headers,
        has_body: spec.body.is_some(),
    };
    Ok(Classification {
        preflight: preflight_reasons(&request),
        request,
        dropped,
        notices,
    })
}

/// Parses the URL; a URL with credentials is refused as `new Request()` does.
///
/// <https://fetch.spec.whatwg.org/#dom-request> steps "parse input" and "includes credentials".
fn parse_url(input: &str) -> Result<Url, Refusal> {
    let url = Url::parse(input).map_err(|e| Refusal::InvalidUrl(e.reason().into()))?;
    if url.has_credentials() {
        return Err(Refusal::CredentialsInUrl);
    }
    Ok(url)
}

/// Validates and normalises the method, then applies the `no-cors` method rule.
///
/// <https://fetch.spec.whatwg.org/#dom-request> ("init[method]" and "mode is no-cors" steps).
fn construct_method(spec: &RequestSpec) -> Result<String, Refusal> {
    let typed = if spec.method.is_empty() {
        "GET"
    } else {
        &spec.method
    };
    let method = method::parse_method(typed).map_err(|e| match e {
        MethodError::NotAToken(m) => Refusal::InvalidMethod(m),
        MethodError::Forbidden(m) => Refusal::ForbiddenMethod(m),
    })?;
    if spec.mode == Mode::NoCors && !method::is_cors_safelisted_method(&method) {
        return Err(Refusal::NoCorsMethod(method));
    }
    Ok(method)
}

/// Fills the request's header list as `Headers` does with guard "request" or "request-no-cors":
/// invalid names and values throw; forbidden headers and, in `no-cors` mode, anything not
/// no-CORS-safelisted (judged on the value combined with earlier lines of that name) are skipped.
///
/// <https://fetch.spec.whatwg.org/#concept-headers-append>
fn construct_headers(spec: &RequestSpec) -> Result<(HeaderList, Vec<DroppedHeader>), Refusal> {
    let mut kept = HeaderList::new();
    let mut dropped = Vec::new();
    for (name, value) in &spec.headers {
        if !header::is_header_name(name) {
            return Err(Refusal::InvalidHeaderName(name.clone()));
        }
        let value =
            header::check_header_value(value).map_err(|problem| Refusal::InvalidHeaderValue {
                name: name.clone(),
                problem,
            })?;
        match drop_reason(spec.mode, &kept, name, value) {
            Some(why) => dropped.push(DroppedHeader {
                name: name.clone(),
                why,
            }),
            None => kept.push(name.as_str(), value),
        }
    }
    Ok((kept, dropped))
}

fn drop_reason(mode: Mode, kept: &HeaderList, name: &str, value: &str) -> Option<DropReason> {
    if let Some(why) = header::forbidden_request_header(name, value) {
        return Some(why);
    }
    if mode != Mode::NoCors {
        return None;
    }
    let combined = match kept.get(name) {
        Some(earlier) => format!("{earlier}, {value}"),
        None => value.to_string(),
    };
    (!header::is_no_cors_safelisted_request_header(name, &combined))
        .then_some(DropReason::NotAllowedInNoCors)
}

/// The fetch's own refusals, in Chromium's order: mode and scheme (Blink's `FetchManager`), then mixed
/// content (Blink's `ResourceFetcher`), then bad ports (the network stack).
///
/// <https://fetch.spec.whatwg.org/#main-fetch> steps 7 and 12.
fn check_fetch(spec: &RequestSpec, origin: &Origin, url: &Url) -> Result<(), Refusal> {
    let scheme = url.scheme();
    if matches!(scheme, "data" | "blob") {
        // Main fetch step 12 answers data: URLs before any mode check (fetch() sets the same-origin
        // data-URL flag), so they load in every mode; same-origin blob: URLs load too.
        return Err(Refusal::LocalScheme(scheme.to_string()));
    }
    let same_origin = url.origin() == *origin && *origin != Origin::Opaque;
    if !same_origin {
        check_mode(spec, url)?;
    }
    if is_mixed_content(origin, url) {
        return Err(Refusal::MixedContent);
    }
    match url.port_or_default() {
        Some(port) if url.is_http() && is_bad_port(port) => Err(Refusal::BlockedPort(port)),
        _ => Ok(()),
    }
}

/// Main fetch step 12 for a cross-origin URL: `same-origin` mode fails, `no-cors` needs redirect
/// `follow`, and only http(s) can be fetched (`about:blank` included: fetching it is a network error).
fn check_mode(spec: &RequestSpec, url: &Url) -> Result<(), Refusal> {
    match spec.mode {
        Mode::SameOrigin => return Err(Refusal::SameOriginModeCrossOrigin),
        Mode::NoCors if spec.redirect != Redirect::Follow => {
            return Err(Refusal::NoCorsRedirectMode)
        }
        _ => {}
    }
    if !url.is_http() {
        return Err(Refusal::SchemeNotSupported(url.scheme().to_string()));
    }
    Ok(())
}

/// Chromium blocks an http URL from an https page unless the URL is potentially trustworthy
/// (localhost, 127.0.0.0/8, `[::1]`, `*.localhost`) or known to be on the local network before DNS
/// (a private IP literal or a `.local` name): since Local Network Access (Chrome 142) the permission
/// prompt replaces mixed-content blocking for those. Other schemes fail earlier.
///
/// <https://w3c.github.io/webappsec-mixed-content/#should-block-fetch>,
/// <https://wicg.github.io/local-network-access/>
fn is_mixed_content(origin: &Origin, url: &Url) -> bool {
    let page_is_https = matches!(origin, Origin::Tuple { scheme, .. } if scheme == "https");
    page_is_https
        && url.scheme() == "http"
        && !url.origin().is_potentially_trustworthy()
        && target_space(url) != AddressSpace::Local
}

/// The target's address space as Chromium knows it before connecting: from an IP literal or
/// `localhost`, and `.local` (mDNS) names count as local.
fn target_space(url: &Url) -> AddressSpace {
    match url.address_space() {
        AddressSpace::Unknown if url.host().ends_with(".local") => AddressSpace::Local,
        space => space,
    }
}

/// Local Network Access (Chromium 142+): a page reaching a more local address space than its own.
/// A secure page gets a permission prompt; a non-secure one is blocked.
///
/// Only IP literals and `localhost` have a known space; a target on a domain name is left alone, and
/// a page on a domain name is assumed public, with a softer notice where that guess decides a block.
/// <https://wicg.github.io/local-network-access/>
fn local_network(origin: &Origin, url: &Url) -> Result<Option<Notice>, Refusal> {
    let Some(target) = locality(target_space(url)) else {
        return Ok(None);
    };
    if target == 0 || *origin == Origin::Opaque {
        return Ok(None);
    }
    let page_space =
        Url::parse(&origin.serialize()).map_or(AddressSpace::Unknown, |u| u.address_space());
    let page = locality(page_space);
    if page.is_some_and(|page| page >= target) {
        return Ok(None);
    }
    if origin.is_potentially_trustworthy() {
        return Ok(Some(Notice::LocalNetworkAccess));
    }
    match page {
        Some(_) => Err(Refusal::InsecureLocalNetwork),
        None => Ok(Some(Notice::MayBeInsecureLocalNetwork)),
    }
}

/// How local an address space is: public 0, local 1, loopback 2; `None` when unknown.
fn locality(space: AddressSpace) -> Option<u8> {
    match space {
        AddressSpace::Public => Some(0),
        AddressSpace::Local => Some(1),
        AddressSpace::Loopback => Some(2),
        AddressSpace::Unknown => None,
    }
}

/// Why a cross-origin `cors` request is preflighted: a non-safelisted method, and each CORS-unsafe
/// header with the rule it breaks. Same-origin and `no-cors` requests are never preflighted.
///
/// <https://fetch.spec.whatwg.org/#main-fetch> step 12 ("use-CORS-preflight flag … or
/// CORS-unsafe request-header names").
fn preflight_reasons(request: &Request) -> Vec<PreflightReason> {
    if request.mode != Mode::Cors || !request.is_cross_origin() {
        return Vec::new();
    }
    let method = (!method::is_cors_safelisted_method(&request.method))
        .then(|| PreflightReason::Method(request.method.clone()));
    let headers = header::cors_unsafe_request_headers(&request.headers)
        .into_iter()
        .map(|(name, rule)| PreflightReason::Header { name, rule });
    method.into_iter().chain(headers).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::request::Credentials;
    use proptest::prelude::*;

    const PAGE: &str = "https://app.example";
    const API: &str = "https://api.example/v1/items";

    fn spec(method: &str, headers: &[(&str, &str)]) -> RequestSpec {
        RequestSpec {
            origin: PAGE.into(),
            url: API.into(),
            method: method.into(),
            headers: headers
                .iter()
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect(),
            ..RequestSpec::default()
        }
    }

    fn with(f: impl FnOnce(&mut RequestSpec)) -> RequestSpec {
        let mut s = spec("GET", &[]);
        f(&mut s);
        s
    }

    #[test]
    fn refusals_table() {
        let cases: Vec<(&str, RequestSpec, Refusal)> = vec![
            (
                // HTML origin serialisation: an origin has no path.
                "origin with a path",
                with(|s| s.origin = "https://app.example/".into()),
                Refusal::InvalidOrigin(String::new()),
            ),
            (
                // #dom-request: "If parsedURL is failure, then throw a TypeError".
                "relative URL",
                with(|s| s.url = "/v1/items".into()),
                Refusal::InvalidUrl(String::new()),
            ),
            (
                // #dom-request: "If parsedURL includes credentials, then throw a TypeError".
                "credentials in URL",
                with(|s| s.url = "https://user:pw@api.example/".into()),
                Refusal::CredentialsInUrl,
            ),
            (
                // #dom-request: "If method is not a method … throw a TypeError".
                "method with a space",
                spec("GE T", &[]),
                Refusal::InvalidMethod("GE T".into()),
            ),
            (
                // #dom-request: "If method is a forbidden method, then throw a TypeError".
                "forbidden method, any case",
                spec("trace", &[]),
                Refusal::ForbiddenMethod("trace".into()),
            ),
            (
                // #dom-request: mode no-cors and method not CORS-safelisted → TypeError.
                "no-cors PUT",
                with(|s| {
                    s.method = "put".into();
                    s.mode = Mode::NoCors;
                }),
                Refusal::NoCorsMethod("PUT".into()),
            ),
            (
                // #concept-headers-append step 2: name must be a header name.
                "header name with a colon",
                spec("GET", &[("X-Api:", "1")]),
                Refusal::InvalidHeaderName("X-Api:".into()),
            ),
            (
                // #concept-headers-append step 2: value must be a header value (no CR/LF/NUL).
                "header value with a line break",
                spec("GET", &[("X-Api", "a\nb")]),
                Refusal::InvalidHeaderValue {
                    name: "X-Api".into(),
                    problem: ValueProblem::ForbiddenByte(b'\n'),
                },
            ),
            (
                // WebIDL ByteString conversion throws beyond U+00FF.
                "header value beyond Latin-1",
                spec("GET", &[("X-Price", "5 €")]),
                Refusal::InvalidHeaderValue {
                    name: "X-Price".into(),
                    problem: ValueProblem::NotLatin1('€'),
                },
            ),
            (
                // #dom-request: body with GET or HEAD → TypeError (an empty string is a body).
                "GET with body",
                with(|s| s.body = Some(String::new())),
                Refusal::BodyWithGetOrHead("GET".into()),
            ),
            (
                // #dom-request: checked after normalisation, so `head` is HEAD.
                "head with body",
                with(|s| {
                    s.method = "head".into();
                    s.body = Some("x".into());
                }),
                Refusal::BodyWithGetOrHead("HEAD".into()),
            ),
            (
                // #main-fetch step 12: mode same-origin and another origin → network error.
                "same-origin mode cross-origin",
                with(|s| s.mode = Mode::SameOrigin),
                Refusal::SameOriginModeCrossOrigin,
            ),
            (
                // #main-fetch step 12: no-cors and redirect mode not follow → network error.
                "no-cors with redirect manual",
                with(|s| {
                    s.mode = Mode::NoCors;
                    s.redirect = Redirect::Manual;
                }),
                Refusal::NoCorsRedirectMode,
            ),
            (
                // #main-fetch step 12: scheme not HTTP(S) in cors mode → network error.
                "ftp URL",
                with(|s| s.url = "ftp://files.example/a".into()),
                Refusal::SchemeNotSupported("ftp".into()),
            ),
            (
                // Same step for file: (its origin is opaque, so it is cross-origin).
                "file URL",
                with(|s| s.url = "file:///etc/passwd".into()),
                Refusal::SchemeNotSupported("file".into()),
            ),
            (
                // #scheme-fetch: data: is answered locally (corscope's refusal).
                "data URL",
                with(|s| s.url = "data:text/plain,hi".into()),
                Refusal::LocalScheme("data".into()),
            ),
            (
                // #main-fetch step 12: data: is answered before the mode check, so even mode
                // same-origin loads it (WPT fetch/api/basic/scheme-data.any.js); nothing to test.
                "data URL in same-origin mode",
                with(|s| {
                    s.url = "data:text/plain,hi".into();
                    s.mode = Mode::SameOrigin;
                }),
                Refusal::LocalScheme("data".into()),
            ),
            (
                // #scheme-fetch: about:blank is a network error for fetch() (WPT scheme-about).
                "about:blank",
                with(|s| s.url = "about:blank".into()),
                Refusal::SchemeNotSupported("about".into()),
            ),
            (
                // Mixed Content §4.4 should-block-fetch: https page, http URL.
                "mixed content",
                with(|s| s.url = "http://api.example/".into()),
                Refusal::MixedContent,
            ),
            (
                // #bad-port: 6000 (X11).
                "bad port",
                with(|s| s.url = "https://api.example:6000/".into()),
                Refusal::BlockedPort(6000),
            ),
            (
                // #bad-port: 10080 (amanda), the highest entry.
                "bad port 10080",
                with(|s| s.url = "https://api.example:10080/".into()),
                Refusal::BlockedPort(10080),
            ),
            (
                // Local Network Access: non-secure public page → private address → blocked.
                "insecure page to private network",
                with(|s| {
                    s.origin = "http://203.0.113.5".into();
                    s.url = "http://192.168.1.10/api".into();
                }),
                Refusal::InsecureLocalNetwork,
            ),
        ];
        for (name, spec, expected) in cases {
            let got = classify(&spec).map(|c| c.request.method().to_string());
            let Err(got) = got else {
                panic!("{name}: expected {expected:?}, got {got:?}");
            };
            // Reasons in InvalidUrl/InvalidOrigin come from url.rs; compare the variant only.
            let same = match (&got, &expected) {
                (Refusal::InvalidUrl(_), Refusal::InvalidUrl(_))
                | (Refusal::InvalidOrigin(_), Refusal::InvalidOrigin(_)) => true,
                _ => got == expected,
            };
            assert!(same, "{name}: expected {expected:?}, got {got:?}");
            assert!(!got.to_string().is_empty());
        }
    }

    #[test]
    fn refusal_order_follows_the_request_constructor() {
        // #dom-request parses the URL, then the method, then headers, then the body.
        let both = with(|s| {
            s.url = "https://u:p@api.example/".into();
            s.method = "TRACE".into();
        });
        assert_eq!(classify(&both), Err(Refusal::CredentialsInUrl));
        let method_then_header = spec("CONNECT", &[("Bad Name", "x")]);
        assert_eq!(
            classify(&method_then_header),
            Err(Refusal::ForbiddenMethod("CONNECT".into()))
        );
        // Blink checks the mode before mixed content: same-origin mode wins over http.
        let mode_first = with(|s| {
            s.mode = Mode::SameOrigin;
            s.url = "http://api.example/".into();
        });
        assert_eq!(
            classify(&mode_first),
            Err(Refusal::SameOriginModeCrossOrigin)
        );
    }

    #[test]
    fn accepted_requests_table() {
        // (name, spec, expected method, expected preflight reasons)
        use UnsafeHeaderRule::*;
        let header = |name: &str, rule: UnsafeHeaderRule| PreflightReason::Header {
            name: name.into(),
            rule,
        };
        let cases: Vec<(&str, RequestSpec, &str, Vec<PreflightReason>)> = vec![
            // #cors-safelisted-method: a GET with no headers is simple.
            ("simple GET", spec("get", &[]), "GET", vec![]),
            // An empty method is fetch()'s default, GET.
            ("empty method", spec("", &[]), "GET", vec![]),
            // #cors-safelisted-request-header: POST with a form content type stays simple.
            (
                "form POST",
                spec(
                    "post",
                    &[("Content-Type", "application/x-www-form-urlencoded")],
                ),
                "POST",
                vec![],
            ),
            // #main-fetch step 12: method not safelisted → preflight; `patch` keeps its case.
            (
                "patch",
                spec("patch", &[]),
                "patch",
                vec![PreflightReason::Method("patch".into())],
            ),
            (
                "PUT",
                spec("put", &[]),
                "PUT",
                vec![PreflightReason::Method("PUT".into())],
            ),
            // #cors-safelisted-request-header content-type: application/json is not safelisted.
            (
                "JSON POST",
                spec("POST", &[("Content-Type", "application/json")]),
                "POST",
                vec![header(
                    "content-type",
                    ContentTypeNotSimple {
                        essence: "application/json".into(),
                    },
                )],
            ),
            // Custom headers and Authorization are never safelisted; reasons are sorted by name.
            (
                "custom headers",
                spec(
                    "DELETE",
                    &[("X-Request-Id", "1"), ("Authorization", "Bearer t")],
                ),
                "DELETE",
                vec![
                    PreflightReason::Method("DELETE".into()),
                    header("authorization", NameNotSafelisted),
                    header("x-request-id", NameNotSafelisted),
                ],
            ),
            // Values are normalised (HTTP whitespace stripped) before the checks.
            (
                "padded value",
                spec("GET", &[("Accept", "  text/html \t")]),
                "GET",
                vec![],
            ),
        ];
        for (name, spec, method, preflight) in cases {
            let c = classify(&spec).unwrap_or_else(|r| panic!("{name}: refused: {r}"));
            assert_eq!(c.request.method(), method, "{name}");
            assert_eq!(c.preflight, preflight, "{name}");
            assert_eq!(c.needs_preflight(), !preflight.is_empty(), "{name}");
        }
    }

    #[test]
    fn forbidden_headers_are_dropped_not_refused() {
        // #concept-headers-append step 3: guard "request" and a forbidden header → return silently.
        let c = classify(&spec(
            "GET",
            &[
                ("Cookie", "a=b"),
                ("Sec-Fetch-Site", "none"),
                ("X-HTTP-Method-Override", "TRACE"),
                ("User-Agent", "corscope"),
                ("X-Ok", "1"),
            ],
        ))
        .unwrap();
        let why: Vec<_> = c
            .dropped
            .iter()
            .map(|d| (d.name.as_str(), d.why.clone()))
            .collect();
        assert_eq!(
            why,
            [
                ("Cookie", DropReason::Forbidden),
                ("Sec-Fetch-Site", DropReason::Forbidden),
                (
                    "X-HTTP-Method-Override",
                    DropReason::ForbiddenMethodOverride
                ),
                ("User-Agent", DropReason::ForbiddenInChromium),
            ]
        );
        assert_eq!(c.request.headers().len(), 1);
        assert_eq!(c.request.unsafe_header_names(), ["x-ok"]);
    }

    #[test]
    fn no_cors_keeps_only_no_cors_safelisted_headers() {
        // #concept-headers-append step 4: guard "request-no-cors" checks the combined value.
        let s = RequestSpec {
            mode: Mode::NoCors,
            ..spec(
                "POST",
                &[
                    ("Accept", "*/*"),
                    ("X-Api-Key", "k"),
                    ("Content-Type", "application/json"),
                    ("Content-Type", "text/plain"),
                    ("Content-Type", "text/plain"),
                    ("Range", "bytes=0-"),
                ],
            )
        };
        let c = classify(&s).unwrap();
        let dropped: Vec<_> = c.dropped.iter().map(|d| d.name.as_str()).collect();
        // The second text/plain would combine to "text/plain, text/plain", which does not parse.
        assert_eq!(
            dropped,
            ["X-Api-Key", "Content-Type", "Content-Type", "Range"]
        );
        assert!(c
            .dropped
            .iter()
            .all(|d| d.why == DropReason::NotAllowedInNoCors));
        assert_eq!(
            c.request.headers().get("content-type").as_deref(),
            Some("text/plain")
        );
        // no-cors requests are never preflighted.
        assert!(c.preflight.is_empty());
    }

    #[test]
    fn same_origin_requests_never_preflight() {
        // #main-fetch step 12: same origin with basic tainting → scheme fetch, no CORS.
        let s = RequestSpec {
            url: "https://app.example/api".into(),
            ..spec("PUT", &[("X-Custom", "1")])
        };
        let c = classify(&s).unwrap();
        assert!(!c.request.is_cross_origin());
        assert!(c.preflight.is_empty());
        // …but the Access-Control-Request-Headers value is still computable.
        assert_eq!(c.request.unsafe_header_names(), ["x-custom"]);
        // Mode same-origin to the same origin is fine.
        let same = RequestSpec {
            mode: Mode::SameOrigin,
            ..s
        };
        assert!(classify(&same).is_ok());
    }

    /// What classification says about Local Network Access: a notice, nothing, or a refusal.
    type LnaOutcome = Result<Option<Notice>, Refusal>;

    #[test]
    fn local_network_access_table() {
        // (page origin, URL, expected): Local Network Access as Chromium 142+ applies it.
        let cases: &[(&str, &str, LnaOutcome)] = &[
            // Secure public page → private address: permission prompt.
            (
                "https://app.example",
                "https://192.168.1.10/",
                Ok(Some(Notice::LocalNetworkAccess)),
            ),
            // Secure page → plain-http private IP literal: not mixed content since LNA; a prompt.
            (
                "https://app.example",
                "http://192.168.1.10/",
                Ok(Some(Notice::LocalNetworkAccess)),
            ),
            // … the same for an mDNS name.
            (
                "https://app.example",
                "http://printer.local/",
                Ok(Some(Notice::LocalNetworkAccess)),
            ),
            // Secure page → loopback (http allowed: loopback is potentially trustworthy).
            (
                "https://app.example",
                "http://127.0.0.1:8080/",
                Ok(Some(Notice::LocalNetworkAccess)),
            ),
            // Loopback page → loopback: same space, fine.
            ("http://127.0.0.1:3000", "http://localhost:8787/", Ok(None)),
            // Loopback page → private: less local, fine.
            ("http://localhost:3000", "http://10.0.0.5/", Ok(None)),
            // Private page (non-secure) → loopback: more local, blocked.
            (
                "http://192.168.1.2",
                "http://127.0.0.1:8787/",
                Err(Refusal::InsecureLocalNetwork),
            ),
            // Non-secure page on a domain → private: probably blocked, only DNS knows.
            (
                "http://intranet.example",
                "http://10.1.2.3/",
                Ok(Some(Notice::MayBeInsecureLocalNetwork)),
            ),
            // Target on a domain name: its space is unknown before DNS.
            ("http://203.0.113.9", "http://router.example/", Ok(None)),
            // Public target: nothing to say.
            ("http://192.168.1.2", "http://8.8.8.8/", Ok(None)),
        ];
        for (page, url, expected) in cases {
            let s = RequestSpec {
                origin: (*page).into(),
                url: (*url).into(),
                ..spec("GET", &[])
            };
            let got = classify(&s).map(|c| c.notices.first().cloned());
            assert_eq!(&got, expected, "{page} → {url}");
        }
    }

    #[test]
    fn mixed_content_spares_loopback() {
        // Secure Contexts §3.2: http://localhost, 127.0.0.0/8 and [::1] are potentially trustworthy.
        for url in [
            "http://localhost:8000/",
            "http://127.0.0.2/",
            "http://[::1]:81/",
        ] {
            let s = with(|s| s.url = url.into());
            assert!(classify(&s).is_ok(), "{url}");
        }
        // An http page may fetch http URLs.
        let s = with(|s| {
            s.origin = "http://app.example".into();
            s.url = "http://api.example/".into();
        });
        assert!(classify(&s).is_ok());
    }

    #[test]
    fn fragment_notice_and_request_fields() {
        let s = RequestSpec {
            url: "https://api.example/a#frag".into(),
            credentials: Credentials::Include,
            redirect: Redirect::Error,
            body: Some("{}".into()),
            ..spec("POST", &[])
        };
        let c = classify(&s).unwrap();
        assert_eq!(c.notices, [Notice::FragmentNotSent]);
        assert_eq!(c.request.url().path_and_query(), "/a");
        assert!(c.request.is_credentialed());
        assert!(c.request.has_body());
        assert_eq!(c.request.redirect(), Redirect::Error);
    }

    #[test]
    fn every_refusal_names_a_field_and_says_what_to_do() {
        let all = [
            Refusal::InvalidUrl("x".into()),
            Refusal::InvalidOrigin("x".into()),
            Refusal::SchemeNotSupported("ftp".into()),
            Refusal::LocalScheme("data".into()),
            Refusal::CredentialsInUrl,
            Refusal::InvalidMethod("A B".into()),
            Refusal::ForbiddenMethod("TRACE".into()),
            Refusal::InvalidHeaderName("a b".into()),
            Refusal::InvalidHeaderValue {
                name: "X".into(),
                problem: ValueProblem::ForbiddenByte(0),
            },
            Refusal::BodyWithGetOrHead("GET".into()),
            Refusal::NoCorsMethod("PUT".into()),
            Refusal::NoCorsRedirectMode,
            Refusal::SameOriginModeCrossOrigin,
            Refusal::MixedContent,
            Refusal::BlockedPort(25),
            Refusal::InsecureLocalNetwork,
        ];
        let fields = [
            "url", "method", "headers", "body", "mode", "redirect", "origin",
        ];
        for r in all {
            assert!(fields.contains(&r.field()), "{r:?}");
            let text = r.to_string();
            assert!(text.ends_with('.'), "{text}");
        }
        assert_eq!(
            Refusal::ForbiddenMethod("TRACE".into()).to_string(),
            "TRACE is a forbidden method: browsers refuse to send it. Use another method."
        );
    }

    #[test]
    fn explanations_name_the_rule() {
        let json = PreflightReason::Header {
            name: "content-type".into(),
            rule: UnsafeHeaderRule::ContentTypeNotSimple {
                essence: "application/json".into(),
            },
        };
        assert_eq!(
            json.to_string(),
            "header content-type: Content-Type application/json is not \
             application/x-www-form-urlencoded, multipart/form-data or text/plain"
        );
        assert!(UnsafeHeaderRule::UnsafeByte { byte: b'"' }
            .to_string()
            .contains("'\"'"));
        assert!(UnsafeHeaderRule::UnsafeByte { byte: 0x01 }
            .to_string()
            .contains("0x01"));
        assert!(DropReason::ForbiddenInChromium
            .to_string()
            .contains("571722"));
        assert!(Notice::MayBeInsecureLocalNetwork
            .to_string()
            .contains("InsecureLocalNetwork"));
    }

    #[test]
    fn bad_port_list_matches_the_standard() {
        // #bad-port: 82 entries in the Fetch Standard (with 4190 and 6679), plus Chromium's 0.
        assert_eq!(BAD_PORTS.len(), 83);
        assert!(is_bad_port(0) && is_bad_port(1) && is_bad_port(6697));
        assert!(!is_bad_port(80) && !is_bad_port(443) && !is_bad_port(8080));
        let mut all: Vec<u16> = BAD_PORTS.to_vec();
        let sorted = {
            let mut s = all.clone();
            s.sort_unstable();
            s.dedup();
            s
        };
        all.dedup();
        assert_eq!(all, sorted);
    }

    fn arbitrary_spec() -> impl Strategy<Value = RequestSpec> {
        let mode = prop_oneof![Just(Mode::Cors), Just(Mode::NoCors), Just(Mode::SameOrigin)];
        let redirect = prop_oneof![
            Just(Redirect::Follow),
            Just(Redirect::Error),
            Just(Redirect::Manual)
        ];
        let url = prop_oneof![
            "\\PC{0,40}",
            "(https?|ftp|data|file|ws)://[a-z0-9.:@\\[\\]]{0,20}(/[ -~]{0,10})?",
        ];
        (
            prop_oneof!["\\PC{0,30}", "(https?)://[a-z0-9.:\\[\\]]{1,20}"],
            url,
            prop_oneof!["\\PC{0,8}", "(GET|get|POST|PUT|patch|TRACE|OPTIONS)"],
            mode,
            redirect,
            proptest::collection::vec(("\\PC{0,12}", "\\PC{0,140}"), 0..6),
            proptest::option::of("\\PC{0,10}"),
        )
            .prop_map(
                |(origin, url, method, mode, redirect, headers, body)| RequestSpec {
                    origin,
                    url,
                    method,
                    mode,
                    credentials: Credentials::SameOrigin,
                    redirect,
                    headers,
                    body,
                },
            )
    }

    proptest! {
        #[test]
        fn classify_never_panics_and_is_consistent(s in arbitrary_spec()) {
            match classify(&s) {
                Ok(c) => {
                    // Only cross-origin cors requests preflight.
                    if c.needs_preflight() {
                        prop_assert_eq!(c.request.mode(), Mode::Cors);
                        prop_assert!(c.request.is_cross_origin());
                    }
                    // Kept headers are never forbidden.
                    for (name, value) in c.request.headers().iter() {
                        prop_assert!(header::forbidden_request_header(name, value).is_none());
                    }
                    let names = c.request.unsafe_header_names();
                    let mut sorted = names.clone();
                    sorted.sort();
                    sorted.dedup();
                    prop_assert_eq!(names, sorted);
                }
                Err(r) => {
                    prop_assert!(!r.to_string().is_empty());
                    let _ = r.field();
                }
            }
        }
    }
}
