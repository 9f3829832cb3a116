//! Decide a CORS exchange from raw responses, exactly as Chromium does, and say what the page may read.
//!
//! <https://fetch.spec.whatwg.org/#cors-check>, <https://fetch.spec.whatwg.org/#cors-preflight-fetch>,
//! <https://fetch.spec.whatwg.org/#http-redirect-fetch>

use crate::check::{self, Failure, PreflightPass, ACAO, ACEH};
use crate::classify::Classification;
use crate::error::{CorsError, Stage};
use crate::header::{
    CORS_SAFELISTED_RESPONSE_HEADER_NAMES as SAFELISTED_RESPONSE_HEADERS,
    FORBIDDEN_RESPONSE_HEADER_NAMES as FORBIDDEN_RESPONSE_HEADERS,
};
use crate::request::{Mode, Redirect, Request};
use crate::response::{Exchange, HeaderList, Response};
use crate::text::Joined;
use crate::url::{Origin, Url};

/// The outcome of an exchange.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// The browser hands the response to the page (possibly opaque: see [`Allowed::response_type`]).
    Allowed(Allowed),
    /// The browser blocks it; the page sees only `TypeError: Failed to fetch`.
    Blocked(Blocked),
    /// The fetch fails for a reason that is not a CORS check (no `CorsError` in DevTools): the page sees
    /// the same `TypeError`, but no CORS header would fix it.
    NetworkError(NetworkError),
    /// The exchange lacks a response the browser would have needed to decide.
    Incomplete(Missing),
}

/// Why an exchange is blocked: the same code and failed parameter Chromium gives DevTools, plus what a
/// person needs to fix it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Blocked {
    /// The DevTools `Network.CorsError` code.
    pub error: CorsError,
    /// Chromium's `failedParameter`: the offending header value, method or header name; `None` where
    /// Chromium leaves it empty (including `InvalidAllowCredentials` with the header absent, and
    /// `RedirectContainsCredentials`, for which Chromium sets no parameter).
    pub failed_parameter: Option<String>,
    /// Which response and which part of it is at fault.
    pub fault: Fault,
    /// The value the browser saw (`None` when the header was absent).
    pub seen: Option<String>,
    /// The value that would have passed, in words a server author can copy (e.g. `https://app.example`).
    pub required: Option<String>,
    /// For a failure on the actual request: the index in [`Exchange::actual`] of the response at fault
    /// (0 = the first response; higher = a redirect hop). `None` for the preflight.
    pub hop: Option<usize>,
    /// The URL whose response failed: the request URL, or the redirect target of `hop`. Chrome's console
    /// names it (`Access to fetch at '<url>'`).
    pub url: Url,
    /// The status of the response at fault, when a response is known.
    pub status: Option<u16>,
}

impl Blocked {
    /// Chromium's `failedParameter` string exactly as DevTools shows it (`""` for none).
    pub fn chromium_failed_parameter(&self) -> &str {
        self.failed_parameter.as_deref().unwrap_or("")
    }

    /// The status, when the failure is a missing `Access-Control-Allow-Origin` on a 4xx/5xx response.
    ///
    /// Many frameworks drop CORS headers from error responses (an exception handler outside the CORS
    /// middleware, nginx `add_header` without `always`), so the browser reports a CORS error while the
    /// real problem is the error itself: "the server answered 500 without CORS headers; the real error is
    /// the 500".
    pub fn error_status_without_cors(&self) -> Option<u16> {
        let missing = matches!(
            self.error,
            CorsError::MissingAllowOriginHeader | CorsError::PreflightMissingAllowOriginHeader
        );
        self.status
            .filter(|status| missing && (400..=599).contains(status))
    }

    /// Whether the fault is in `Access-Control-Allow-Origin`, whose right value depends on the page's
    /// origin: a tester's page has its own origin, not the user's app's.
    pub fn involves_allow_origin(&self) -> bool {
        self.fault.part == FaultPart::Header(ACAO)
    }
}

/// A failure that is not a CORS check: DevTools shows a net error, not a `CorsError`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NetworkError {
    /// Redirect mode `error` and the server redirected (after the redirect passed the CORS check).
    RedirectModeError {
        /// Index of the redirect in [`Exchange::actual`].
        hop: usize,
    },
    /// More than 20 redirects (`net::ERR_TOO_MANY_REDIRECTS`).
    TooManyRedirects {
        /// Index of the 21st redirect in [`Exchange::actual`].
        hop: usize,
    },
    /// A redirect to a scheme other than http(s), e.g. `file:` or `data:` (`net::ERR_UNSAFE_REDIRECT`).
    RedirectToNonHttp {
        /// Index of the redirect in [`Exchange::actual`].
        hop: usize,
        /// The resolved `Location`.
        location: String,
    },
    /// A `Location` that does not resolve to a URL (`net::ERR_INVALID_REDIRECT`).
    InvalidRedirectLocation {
        /// Index of the redirect in [`Exchange::actual`].
        hop: usize,
        /// The `Location` value as sent.
        location: String,
    },
}

/// What an [`Exchange`] lacks for a decision.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Missing {
    /// The request needs a preflight, but no preflight response is given.
    Preflight,
    /// No actual response is given (the preflight, if any, passed).
    Actual,
    /// The last response is a redirect the browser would follow; the next response is not given.
    RedirectTarget {
        /// Where the redirect leads.
        location: String,
    },
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
    /// The `type` of the `Response` the page gets.
    pub response_type: ResponseType,
    /// The status the page sees (0 for opaque and opaque-redirect responses).
    pub status: u16,
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
    /// The response is an error status (4xx/5xx) that still carries CORS headers: fine, noted so people
    /// know the status is real.
    ErrorStatus {
        /// The final response's status.
        status: u16,
    },
}

/// The `type` of the `Response` object the page receives.
///
/// <https://fetch.spec.whatwg.org/#concept-response-type>
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ResponseType {
    /// Same-origin: every header but `Set-Cookie` is readable.
    Basic,
    /// Cross-origin, passed the CORS check: safelisted and exposed headers are readable.
    #[default]
    Cors,
    /// `no-cors` to another origin: status 0, no headers, no body.
    Opaque,
    /// Redirect mode `manual` met a redirect: status 0, no headers.
    OpaqueRedirect,
}

impl ResponseType {
    /// The keyword `Response.type` returns, e.g. `"opaqueredirect"`.
    pub fn as_str(self) -> &'static str {
        match self {
            ResponseType::Basic => "basic",
            ResponseType::Cors => "cors",
            ResponseType::Opaque => "opaque",
            ResponseType::OpaqueRedirect => "opaqueredirect",
        }
    }
}

impl Allowed {
    /// Hidden names that `Access-Control-Expose-Headers` could make readable: every hidden name but
    /// `Set-Cookie`/`Set-Cookie2`; none unless the response is a CORS one.
    pub fn exposable(&self) -> Vec<&str> {
        if self.response_type != ResponseType::Cors {
            return Vec::new();
        }
        self.hidden
            .iter()
            .map(String::as_str)
            .filter(|name| !FORBIDDEN_RESPONSE_HEADERS.contains(name))
            .collect()
    }

    /// The `Access-Control-Expose-Headers` line that would make every hidden header readable, e.g.
    /// `Access-Control-Expose-Headers: x-request-id, x-total-count`; `None` when nothing exposable is
    /// hidden.
    pub fn expose_headers_line(&self) -> Option<String> {
        let names = self.exposable();
        (!names.is_empty())
            .then(|| format!("Access-Control-Expose-Headers: {}", names.joined(", ")))
    }
}

/// Decides an exchange as Chromium 156 does.
///
/// Takes the [`Classification`] rather than a bare request because whether a preflight is sent is the
/// classifier's decision (method, headers, mode); deciding it twice could disagree. A preflight response
/// in `exchange` is ignored when the request sends none; a needed but absent one gives
/// [`Verdict::Incomplete`].
///
/// Order: the preflight ([`check::preflight`]), then each actual response in turn: for a redirect,
/// invalid and non-HTTP(S) `Location`s first (the network stack refuses them before CORS sees the
/// response), then the access check ([`check::access`], when the CORS flag is set), then redirect mode,
/// the 20-redirect limit, credentials in `Location`, and the redirect taint. Only the first preflight is
/// modelled: Chromium sends a new preflight after a redirect of a preflighted request, which the
/// [`Exchange`] shape cannot hold.
pub fn decide(classification: &Classification, exchange: &Exchange) -> Verdict {
    let request = &classification.request;
    let sends_preflight = classification.needs_preflight()
        && request.mode() == Mode::Cors
        && request.is_cross_origin();
    let pass = match (sends_preflight, &exchange.preflight) {
        (false, _) => PreflightPass::default(),
        (true, None) => return Verdict::Incomplete(Missing::Preflight),
        (true, Some(response)) => match check::preflight(request, response) {
            Ok(pass) => pass,
            Err(failure) => {
                let at = At {
                    stage: Stage::Preflight,
                    hop: None,
                    url: request.url(),
                    status: response.status,
                };
                return Verdict::Blocked(at.blocked(failure));
            }
        },
    };
    Walk::new(request).run(&exchange.actual, &pass)
}

/// Where a failure happened.
struct At<'a> {
    stage: Stage,
    hop: Option<usize>,
    url: &'a Url,
    status: u16,
}

impl At<'_> {
    fn blocked(self, failure: Failure) -> Blocked {
        Blocked {
            error: failure.error,
            failed_parameter: failure.failed_parameter,
            fault: Fault {
                stage: self.stage,
                part: failure.part,
            },
            seen: failure.seen,
            required: failure.required,
            hop: self.hop,
            url: self.url.clone(),
            status: Some(self.status),
        }
    }
}

/// The state Chromium's `CorsURLLoader` carries along a redirect chain.
struct Walk<'a> {
    request: &'a Request,
    /// The URL of the response being looked at.
    url: Url,
    /// The CORS flag: set once any URL of the chain is cross-origin (mode `cors`); sticky.
    cors_flag: bool,
    /// `no-cors` reached another origin: the response is opaque.
    opaque: bool,
    /// The tainted-origin flag: the `Origin` becomes `null`.
    tainted: bool,
    redirects: usize,
}

/// What to do after one response.
enum Step {
    Done(Verdict),
    Follow(Url),
}

impl<'a> Walk<'a> {
    fn new(request: &'a Request) -> Walk<'a> {
        let cross = request.is_cross_origin();
        Walk {
            request,
            url: request.url().clone(),
            cors_flag: cross && request.mode() == Mode::Cors,
            opaque: cross && request.mode() == Mode::NoCors,
            tainted: false,
            redirects: 0,
        }
    }

    fn run(mut self, actual: &[Response], pass: &PreflightPass) -> Verdict {
        let mut last_location = None;
        for (hop, response) in actual.iter().enumerate() {
            match self.step(hop, response, pass) {
                Step::Done(verdict) => return verdict,
                Step::Follow(next) => {
                    last_location = Some(next.to_string());
                    self.url = next;
                }
            }
        }
        match last_location {
            None => Verdict::Incomplete(Missing::Actual),
            Some(location) => Verdict::Incomplete(Missing::RedirectTarget { location }),
        }
    }

    fn origin(&self) -> Origin {
        if self.tainted {
            Origin::Opaque
        } else {
            self.request.origin().clone()
        }
    }

    fn at(&self, hop: usize, response: &Response) -> At<'_> {
        At {
            stage: Stage::Actual,
            hop: Some(hop),
            url: &self.url,
            status: response.status,
        }
    }

    fn step(&mut self, hop: usize, response: &Response, pass: &PreflightPass) -> Step {
        let location = match check::redirect_location(response) {
            None => None,
            Some(raw) => match self.resolve(hop, &raw) {
                Ok(url) => Some(url),
                Err(error) => return Step::Done(Verdict::NetworkError(error)),
            },
        };
        if self.cors_flag {
            let credentialed = self.request.is_credentialed();
            if let Err(failure) = check::access(&response.headers, &self.origin(), credentialed) {
                return Step::Done(Verdict::Blocked(self.at(hop, response).blocked(failure)));
            }
        }
        match location {
            None => Step::Done(Verdict::Allowed(self.allowed(response, pass))),
            Some(next) => self.redirect(hop, response, next),
        }
    }

    /// Resolves a `Location` as the network stack does before CORS sees the redirect.
    fn resolve(&self, hop: usize, raw: &str) -> Result<Url, NetworkError> {
        let url = self
            .url
            .join(raw)
            .map_err(|_| NetworkError::InvalidRedirectLocation {
                hop,
                location: raw.to_string(),
            })?;
        if !url.is_http() {
            return Err(NetworkError::RedirectToNonHttp {
                hop,
                location: url.to_string(),
            });
        }
        Ok(url)
    }

    /// Chromium `CorsURLLoader::OnReceiveRedirect` after the access check.
    fn redirect(&mut self, hop: usize, response: &Response, next: Url) -> Step {
        match self.request.redirect() {
            Redirect::Manual => {
                let allowed = Allowed {
                    response_type: ResponseType::OpaqueRedirect,
                    status: 0,
                    readable: Vec::new(),
                    hidden: header_names(&response.headers),
                    warnings: Vec::new(),
                };
                return Step::Done(Verdict::Allowed(allowed));
            }
            Redirect::Error => {
                return Step::Done(Verdict::NetworkError(NetworkError::RedirectModeError {
                    hop,
                }))
            }
            Redirect::Follow => {}
        }
        if self.redirects == 20 {
            return Step::Done(Verdict::NetworkError(NetworkError::TooManyRedirects {
                hop,
            }));
        }
        self.redirects += 1;
        if self.location_credentials_refused(&next) {
            let failure = Failure {
                error: CorsError::RedirectContainsCredentials,
                failed_parameter: None,
                part: FaultPart::Redirect,
                seen: Some(next.to_string()),
                required: Some(next.without_credentials().to_string()),
            };
            return Step::Done(Verdict::Blocked(self.at(hop, response).blocked(failure)));
        }
        let request_origin = self.request.origin();
        if next.origin() != self.url.origin() && *request_origin != self.url.origin() {
            self.tainted = true;
        }
        let cross = next.origin() != *request_origin || self.tainted;
        match self.request.mode() {
            Mode::Cors => self.cors_flag |= cross,
            Mode::NoCors => self.opaque |= cross,
            Mode::SameOrigin if cross => {
                let failure = Failure {
                    error: CorsError::DisallowedByMode,
                    failed_parameter: None,
                    part: FaultPart::Redirect,
                    seen: Some(next.to_string()),
                    required: Some(request_origin.serialize()),
                };
                return Step::Done(Verdict::Blocked(self.at(hop, response).blocked(failure)));
            }
            Mode::SameOrigin => {}
        }
        Step::Follow(next)
    }

    /// Chromium `CheckRedirectLocation`: a `Location` with user name or password fails a CORS-mode
    /// request when it leaves the request's origin (or the origin is tainted), and always once the CORS
    /// flag is set.
    fn location_credentials_refused(&self, next: &Url) -> bool {
        if !next.has_credentials() {
            return false;
        }
        let leaves = self.tainted || next.origin() != *self.request.origin();
        (self.request.mode() == Mode::Cors && leaves) || self.cors_flag
    }

    fn allowed(&self, response: &Response, pass: &PreflightPass) -> Allowed {
        if self.opaque {
            return Allowed {
                response_type: ResponseType::Opaque,
                status: 0,
                readable: Vec::new(),
                hidden: header_names(&response.headers),
                warnings: Vec::new(),
            };
        }
        let credentialed = self.request.is_credentialed();
        let (response_type, (readable, hidden)) = if self.cors_flag {
            (
                ResponseType::Cors,
                cors_readable(&response.headers, credentialed),
            )
        } else {
            (ResponseType::Basic, basic_readable(&response.headers))
        };
        let warnings = if self.cors_flag {
            warnings(&self.origin(), response, pass)
        } else {
            Vec::new()
        };
        Allowed {
            response_type,
            status: response.status,
            readable,
            hidden,
            warnings,
        }
    }
}

/// Present header names, lowercase, sorted, without duplicates (as `Headers` iterates them).
fn header_names(headers: &HeaderList) -> Vec<String> {
    let mut names: Vec<String> = headers
        .iter()
        .map(|(n, _)| n.to_ascii_lowercase())
        .collect();
    crate::header::sort_dedup(&mut names);
    names
}

fn basic_readable(headers: &HeaderList) -> (Vec<String>, Vec<String>) {
    header_names(headers)
        .into_iter()
        .partition(|name| !FORBIDDEN_RESPONSE_HEADERS.contains(&name.as_str()))
}

/// Readable and hidden names of a CORS response.
///
/// <https://fetch.spec.whatwg.org/#concept-filtered-response-cors>: safelisted names plus the names in
/// `Access-Control-Expose-Headers`; `*` there exposes everything only when not credentialed. An
/// unparsable list (an item that is not a token) exposes nothing, as Fetch's "extracting header list
/// values" returns failure.
fn cors_readable(headers: &HeaderList, credentialed: bool) -> (Vec<String>, Vec<String>) {
    let exposed: Vec<String> = check::parse_allow_list(headers.get(ACEH).as_deref())
        .unwrap_or_default()
        .into_iter()
        .map(|name| name.to_ascii_lowercase())
        .collect();
    let all = !credentialed && exposed.iter().any(|name| name == "*");
    header_names(headers).into_iter().partition(|name| {
        !FORBIDDEN_RESPONSE_HEADERS.contains(&name.as_str())
            && (all
                || SAFELISTED_RESPONSE_HEADERS.contains(&name.as_str())
                || exposed.contains(name))
    })
}

/// Allowed-but-fragile findings on a CORS response, in a fixed order.
fn warnings(origin: &Origin, response: &Response, pass: &PreflightPass) -> Vec<Warning> {
    let mut warnings = Vec::new();
    let acao = response.headers.get(ACAO);
    if acao.as_deref() == Some("*") {
        warnings.push(Warning::WildcardBreaksWithCredentials);
    } else if acao == Some(origin.serialize()) && !varies_on_origin(&response.headers) {
        warnings.push(Warning::MissingVaryOrigin);
    }
    if pass.authorization_under_wildcard {
        warnings.push(Warning::AuthorizationUnderWildcard);
    }
    if (400..=599).contains(&response.status) {
        warnings.push(Warning::ErrorStatus {
            status: response.status,
        });
    }
    warnings
}

/// Whether `Vary` names `Origin` (or is `*`), so caches key the answer by origin.
fn varies_on_origin(headers: &HeaderList) -> bool {
    headers.get("vary").is_some_and(|vary| {
        vary.split(',')
            .map(str::trim)
            .any(|item| item == "*" || item.eq_ignore_ascii_case("origin"))
    })
}

/// Test fixtures shared by the response-side modules: requests built directly (not through
/// [`crate::classify`], which is tested on its own) and classifications around them.
#[cfg(test)]
pub(crate) mod fixtures {
    use crate::classify::{Classification, PreflightReason, UnsafeHeaderRule};
    use crate::request::{Credentials, Mode, Redirect, Request};
    use crate::response::HeaderList;
    use crate::url::{Origin, Url};

    /// The page's origin in every fixture.
    pub const APP: &str = "https://app.example";
    /// The API every fixture calls.
    pub const API: &str = "https://api.example/v1/items";

    /// A builder for [`Request`]: GET from [`APP`] to [`API`], mode cors, credentials same-origin.
    #[derive(Clone)]
    pub struct Req(Request);

    impl Req {
        pub fn new(method: &str) -> Req {
            Req(Request {
                origin: Origin::parse(APP).unwrap(),
                url: Url::parse(API).unwrap(),
                method: method.to_string(),
                mode: Mode::Cors,
                credentials: Credentials::SameOrigin,
                redirect: Redirect::Follow,
                headers: HeaderList::new(),
                has_body: false,
            })
        }

        pub fn url(mut self, url: &str) -> Req {
            self.0.url = Url::parse(url).unwrap();
            self
        }

        pub fn include(mut self) -> Req {
            self.0.credentials = Credentials::Include;
            self
        }

        pub fn header(mut self, name: &str, value: &str) -> Req {
            self.0.headers.push(name, value);
            self
        }

        pub fn mode(mut self, mode: Mode) -> Req {
            self.0.mode = mode;
            self
        }

        pub fn redirect(mut self, redirect: Redirect) -> Req {
            self.0.redirect = redirect;
            self
        }

        pub fn build(self) -> Request {
            self.0
        }

        /// The classification `classify` would give: a preflight for a non-safelisted method or any
        /// CORS-unsafe header of a cross-origin CORS request.
        pub fn classified(self) -> Classification {
            let request = self.0;
            let mut preflight = Vec::new();
            if request.mode == Mode::Cors && request.is_cross_origin() {
                if !matches!(request.method.as_str(), "GET" | "HEAD" | "POST") {
                    preflight.push(PreflightReason::Method(request.method.clone()));
                }
                for name in request.unsafe_header_names() {
                    preflight.push(PreflightReason::Header {
                        name,
                        rule: UnsafeHeaderRule::NameNotSafelisted,
                    });
                }
            }
            Classification {
                request,
                preflight,
                dropped: Vec::new(),
                notices: Vec::new(),
            }
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::fixtures::{Req, API, APP};
    use super::*;
    use crate::response::Response;

    fn ok_preflight() -> Response {
        Response::new(204)
            .with("Access-Control-Allow-Origin", APP)
            .with("Access-Control-Allow-Methods", "GET, PUT, DELETE")
            .with("Access-Control-Allow-Headers", "content-type, x-api-key")
    }

    fn exchange(preflight: Option<Response>, actual: Vec<Response>) -> Exchange {
        Exchange { preflight, actual }
    }

    fn blocked(verdict: Verdict) -> Blocked {
        match verdict {
            Verdict::Blocked(b) => b,
            other => panic!("expected Blocked, got {other:?}"),
        }
    }

    fn allowed(verdict: Verdict) -> Allowed {
        match verdict {
            Verdict::Allowed(a) => a,
            other => panic!("expected Allowed, got {other:?}"),
        }
    }

    /// One row per server-caused `CorsError`, from raw responses.
    pub(crate) struct Case {
        /// The Fetch Standard step or Chromium function the row checks.
        pub(crate) cite: &'static str,
        pub(crate) request: Req,
        pub(crate) preflight: Option<Response>,
        pub(crate) actual: Vec<Response>,
        pub(crate) error: CorsError,
        pub(crate) param: Option<&'static str>,
        pub(crate) stage: Stage,
        pub(crate) part: FaultPart,
    }

    pub(crate) fn server_caused_cases() -> Vec<Case> {
        let h = FaultPart::Header;
        let acao = |v: &str| Response::new(200).with("Access-Control-Allow-Origin", v);
        let pf = |r: Response| {
            r.with("Access-Control-Allow-Methods", "PUT")
                .with("Access-Control-Allow-Headers", "x-api-key")
        };
        vec![
            Case {
                cite: "Fetch #cors-check step 2: no ACAO",
                request: Req::new("GET"),
                preflight: None,
                actual: vec![Response::new(200)],
                error: CorsError::MissingAllowOriginHeader,
                param: None,
                stage: Stage::Actual,
                part: h("access-control-allow-origin"),
            },
            Case {
                cite: "Fetch #cors-check step 3: `*` not allowed with credentials include",
                request: Req::new("GET").include(),
                preflight: None,
                actual: vec![acao("*").with("Access-Control-Allow-Credentials", "true")],
                error: CorsError::WildcardOriginNotAllowed,
                param: None,
                stage: Stage::Actual,
                part: h("access-control-allow-origin"),
            },
            Case {
                cite: "Chromium CheckAccess: duplicate ACAO lines joined with \", \"",
                request: Req::new("GET"),
                preflight: None,
                actual: vec![acao(APP).with("Access-Control-Allow-Origin", APP)],
                error: CorsError::MultipleAllowOriginValues,
                param: Some("https://app.example, https://app.example"),
                stage: Stage::Actual,
                part: h("access-control-allow-origin"),
            },
            Case {
                cite: "Chromium CheckAccess: ACAO that is not a URL",
                request: Req::new("GET"),
                preflight: None,
                actual: vec![acao("app.example")],
                error: CorsError::InvalidAllowOriginValue,
                param: Some("app.example"),
                stage: Stage::Actual,
                part: h("access-control-allow-origin"),
            },
            Case {
                cite: "Fetch #cors-check step 3: byte-equal, so a trailing slash mismatches",
                request: Req::new("GET"),
                preflight: None,
                actual: vec![acao("https://app.example/")],
                error: CorsError::AllowOriginMismatch,
                param: Some("https://app.example/"),
                stage: Stage::Actual,
                part: h("access-control-allow-origin"),
            },
            Case {
                cite: "Fetch #cors-check step 5: ACAC must be `true`",
                request: Req::new("GET").include(),
                preflight: None,
                actual: vec![acao(APP).with("Access-Control-Allow-Credentials", "True")],
                error: CorsError::InvalidAllowCredentials,
                param: Some("True"),
                stage: Stage::Actual,
                part: h("access-control-allow-credentials"),
            },
            Case {
                cite: "Fetch #http-redirect-fetch step 9: credentials in a cross-origin Location",
                request: Req::new("GET"),
                preflight: None,
                actual: vec![Response::new(302)
                    .with("Access-Control-Allow-Origin", APP)
                    .with("Location", "https://user:pw@other.example/")],
                error: CorsError::RedirectContainsCredentials,
                param: None,
                stage: Stage::Actual,
                part: FaultPart::Redirect,
            },
            Case {
                cite: "Fetch #cors-preflight-fetch step 7: a redirect is not an ok status",
                request: Req::new("PUT"),
                preflight: Some(
                    Response::new(301).with("Location", "https://api.example/v1/items/"),
                ),
                actual: vec![],
                error: CorsError::PreflightDisallowedRedirect,
                param: None,
                stage: Stage::Preflight,
                part: FaultPart::Redirect,
            },
            Case {
                cite: "Fetch #cors-preflight-fetch step 7: ok status needed",
                request: Req::new("PUT"),
                preflight: Some(pf(
                    Response::new(405).with("Access-Control-Allow-Origin", APP)
                )),
                actual: vec![],
                error: CorsError::PreflightInvalidStatus,
                param: None,
                stage: Stage::Preflight,
                part: FaultPart::Status,
            },
            Case {
                cite: "Fetch #cors-preflight-fetch step 7: CORS check on the preflight",
                request: Req::new("PUT"),
                preflight: Some(pf(Response::new(204))),
                actual: vec![],
                error: CorsError::PreflightMissingAllowOriginHeader,
                param: None,
                stage: Stage::Preflight,
                part: h("access-control-allow-origin"),
            },
            Case {
                cite: "Fetch #cors-preflight-fetch: actual request's credentials mode, `*` fails",
                request: Req::new("PUT").include(),
                preflight: Some(pf(acao("*"))),
                actual: vec![],
                error: CorsError::PreflightWildcardOriginNotAllowed,
                param: None,
                stage: Stage::Preflight,
                part: h("access-control-allow-origin"),
            },
            Case {
                cite: "Chromium CheckPreflightAccess: MultipleAllowOriginValues renamed",
                request: Req::new("PUT"),
                preflight: Some(pf(acao("https://app.example https://b.example"))),
                actual: vec![],
                error: CorsError::PreflightMultipleAllowOriginValues,
                param: Some("https://app.example https://b.example"),
                stage: Stage::Preflight,
                part: h("access-control-allow-origin"),
            },
            Case {
                cite: "Chromium CheckPreflightAccess: InvalidAllowOriginValue renamed",
                request: Req::new("PUT"),
                preflight: Some(pf(acao("*.example"))),
                actual: vec![],
                error: CorsError::PreflightInvalidAllowOriginValue,
                param: Some("*.example"),
                stage: Stage::Preflight,
                part: h("access-control-allow-origin"),
            },
            Case {
                cite: "Chromium CheckPreflightAccess: AllowOriginMismatch renamed",
                request: Req::new("PUT"),
                preflight: Some(pf(acao("http://app.example"))),
                actual: vec![],
                error: CorsError::PreflightAllowOriginMismatch,
                param: Some("http://app.example"),
                stage: Stage::Preflight,
                part: h("access-control-allow-origin"),
            },
            Case {
                cite: "Fetch #cors-preflight-fetch: credentialed preflight needs ACAC `true`",
                request: Req::new("PUT").include(),
                preflight: Some(pf(acao(APP))),
                actual: vec![],
                error: CorsError::PreflightInvalidAllowCredentials,
                param: None,
                stage: Stage::Preflight,
                part: h("access-control-allow-credentials"),
            },
            Case {
                cite: "Fetch #cors-preflight-fetch step 7.3: ACAM must parse as #method",
                request: Req::new("PUT"),
                preflight: Some(acao(APP).with("Access-Control-Allow-Methods", "PUT DELETE")),
                actual: vec![],
                error: CorsError::InvalidAllowMethodsPreflightResponse,
                param: None,
                stage: Stage::Preflight,
                part: h("access-control-allow-methods"),
            },
            Case {
                cite: "Fetch #cors-preflight-fetch step 7.5: ACAH must parse as #field-name",
                request: Req::new("GET").header("X-Api-Key", "k"),
                preflight: Some(acao(APP).with("Access-Control-Allow-Headers", "x-api-key; x-b")),
                actual: vec![],
                error: CorsError::InvalidAllowHeadersPreflightResponse,
                param: None,
                stage: Stage::Preflight,
                part: h("access-control-allow-headers"),
            },
            Case {
                cite: "Fetch #cors-preflight-fetch step 7.7: method must be listed",
                request: Req::new("DELETE"),
                preflight: Some(pf(acao(APP))),
                actual: vec![],
                error: CorsError::MethodDisallowedByPreflightResponse,
                param: Some("DELETE"),
                stage: Stage::Preflight,
                part: h("access-control-allow-methods"),
            },
            Case {
                cite: "Fetch #cors-preflight-fetch step 7.8: every unsafe header listed",
                request: Req::new("GET").header("Content-Type", "application/json"),
                preflight: Some(pf(acao(APP))),
                actual: vec![],
                error: CorsError::HeaderDisallowedByPreflightResponse,
                param: Some("content-type"),
                stage: Stage::Preflight,
                part: h("access-control-allow-headers"),
            },
        ]
    }

    #[test]
    fn every_server_caused_error_from_raw_responses() {
        let cases = server_caused_cases();
        for case in cases {
            let verdict = decide(
                &case.request.classified(),
                &exchange(case.preflight, case.actual),
            );
            let b = blocked(verdict);
            assert_eq!(b.error, case.error, "{}", case.cite);
            assert_eq!(b.failed_parameter.as_deref(), case.param, "{}", case.cite);
            assert_eq!(b.fault.stage, case.stage, "{}", case.cite);
            assert_eq!(b.fault.part, case.part, "{}", case.cite);
        }
    }

    #[test]
    fn the_table_covers_every_server_caused_error() {
        let covered: Vec<CorsError> = server_caused_cases().iter().map(|c| c.error).collect();
        for error in CorsError::ALL.into_iter().filter(|e| e.is_server_caused()) {
            assert!(covered.contains(&error), "no row for {error}");
        }
    }

    /// Rows where Chromium 156 and the Fetch Standard differ; the model follows Chromium.
    #[test]
    fn chromium_divergences() {
        // Chromium 156: `CorsNonWildcardRequestHeadersSupport` off, so `*` covers Authorization.
        // The standard (#cors-preflight-fetch step 7.8) and Firefox block it.
        let c = Req::new("GET")
            .header("Authorization", "Bearer t")
            .classified();
        let pf = Response::new(204)
            .with("Access-Control-Allow-Origin", "*")
            .with("Access-Control-Allow-Headers", "*");
        let a = allowed(decide(
            &c,
            &exchange(
                Some(pf),
                vec![Response::new(200).with("Access-Control-Allow-Origin", "*")],
            ),
        ));
        assert!(a.warnings.contains(&Warning::AuthorizationUnderWildcard));

        // Chromium 156 compares the method as sent (e2e/FACTS.md): `patch` fails against `PATCH`…
        let c = Req::new("patch").classified();
        let ok = Response::new(200).with("Access-Control-Allow-Origin", APP);
        for listed in ["PATCH", "PUT, Patch"] {
            let pf = ok_preflight().with("Access-Control-Allow-Methods", listed);
            let b = blocked(decide(&c, &exchange(Some(pf), vec![ok.clone()])));
            assert_eq!(
                b.error,
                CorsError::MethodDisallowedByPreflightResponse,
                "{listed}"
            );
            assert_eq!(b.failed_parameter.as_deref(), Some("patch"));
        }
        // … and passes against `patch`, as the standard says.
        let pf = ok_preflight().with("Access-Control-Allow-Methods", "patch");
        allowed(decide(&c, &exchange(Some(pf), vec![ok])));

        // Chromium CheckPreflightAccess checks access before status: a 404 without ACAO is
        // PreflightMissingAllowOriginHeader (the standard checks both, naming neither first).
        let c = Req::new("PUT").classified();
        let b = blocked(decide(&c, &exchange(Some(Response::new(404)), vec![])));
        assert_eq!(b.error, CorsError::PreflightMissingAllowOriginHeader);
        assert_eq!(b.error_status_without_cors(), Some(404));

        // Chromium CheckAccess: literal `null` is a mismatch for a non-opaque origin.
        let c = Req::new("GET").classified();
        let null = Response::new(200).with("Access-Control-Allow-Origin", "null");
        let b = blocked(decide(&c, &exchange(None, vec![null])));
        assert_eq!(b.error, CorsError::AllowOriginMismatch);
        assert_eq!(b.failed_parameter.as_deref(), Some("null"));
    }

    /// When several checks fail at once, the code is the one Chromium reports first.
    #[test]
    fn several_failures_report_chromiums_first() {
        let acao = |v: &str| Response::new(200).with("Access-Control-Allow-Origin", v);
        type Row = (
            &'static str,
            Req,
            Option<Response>,
            Vec<Response>,
            CorsError,
        );
        let rows: Vec<Row> = vec![
            (
                "CheckAccess: `*` with credentials fails before ACAC is read",
                Req::new("GET").include(),
                None,
                vec![acao("*")],
                CorsError::WildcardOriginNotAllowed,
            ),
            (
                "CheckAccess: multiple values before credentials",
                Req::new("GET").include(),
                None,
                vec![acao("https://a.example,https://app.example")],
                CorsError::MultipleAllowOriginValues,
            ),
            (
                "preflight: redirect before access",
                Req::new("PUT"),
                Some(Response::new(307).with("Location", "/elsewhere")),
                vec![],
                CorsError::PreflightDisallowedRedirect,
            ),
            (
                "preflight: access before status and methods",
                Req::new("DELETE"),
                Some(Response::new(500).with("Access-Control-Allow-Methods", "GET")),
                vec![],
                CorsError::PreflightMissingAllowOriginHeader,
            ),
            (
                "preflight: status before ACAM parsing",
                Req::new("PUT"),
                Some(acao(APP).with("Access-Control-Allow-Methods", "P U T")),
                vec![],
                CorsError::InvalidAllowMethodsPreflightResponse,
            ),
            (
                "preflight: ACAM parsed before ACAH",
                Req::new("PUT").header("X-Api-Key", "k"),
                Some(
                    acao(APP)
                        .with("Access-Control-Allow-Methods", "(PUT)")
                        .with("Access-Control-Allow-Headers", "[x]"),
                ),
                vec![],
                CorsError::InvalidAllowMethodsPreflightResponse,
            ),
            (
                "preflight: method before headers",
                Req::new("DELETE").header("X-Api-Key", "k"),
                Some(acao(APP).with("Access-Control-Allow-Methods", "PUT")),
                vec![],
                CorsError::MethodDisallowedByPreflightResponse,
            ),
            (
                "preflight passes, the actual response fails",
                Req::new("PUT"),
                Some(ok_preflight()),
                vec![Response::new(200)],
                CorsError::MissingAllowOriginHeader,
            ),
            (
                "redirect: access check before Location credentials",
                Req::new("GET"),
                None,
                vec![Response::new(302).with("Location", "https://u:p@api.example/")],
                CorsError::MissingAllowOriginHeader,
            ),
        ];
        let mut first_preflight_status = None;
        for (cite, req, preflight, actual, error) in rows {
            let b = blocked(decide(&req.classified(), &exchange(preflight, actual)));
            assert_eq!(b.error, error, "{cite}");
            if first_preflight_status.is_none() && b.fault.stage == Stage::Preflight {
                first_preflight_status = b.status;
            }
        }
        assert_eq!(first_preflight_status, Some(307));
    }

    #[test]
    fn first_missing_header_in_sorted_order() {
        // Chromium walks CorsUnsafeNotForbiddenRequestHeaderNames, sorted lowercase.
        let c = Req::new("GET")
            .header("X-Zeta", "1")
            .header("X-Alpha", "1")
            .classified();
        let pf = Response::new(204)
            .with("Access-Control-Allow-Origin", APP)
            .with("Access-Control-Allow-Headers", "X-ZETA");
        let b = blocked(decide(&c, &exchange(Some(pf), vec![])));
        assert_eq!(b.failed_parameter.as_deref(), Some("x-alpha"));
        assert_eq!(b.required.as_deref(), Some("x-alpha, x-zeta"));
        assert_eq!(b.seen.as_deref(), Some("X-ZETA"));
    }

    #[test]
    fn credentials_parameter_is_empty_when_acac_absent() {
        // Chromium passes allow_credentials_header.value_or(""): empty, reported as null.
        let c = Req::new("GET").include().classified();
        let r = Response::new(200).with("Access-Control-Allow-Origin", APP);
        let b = blocked(decide(&c, &exchange(None, vec![r.clone()])));
        assert_eq!(b.error, CorsError::InvalidAllowCredentials);
        assert_eq!(b.failed_parameter, None);
        assert_eq!(b.chromium_failed_parameter(), "");
        assert_eq!(b.seen, None);
        // Present but empty: same parameter, but the seen value says it was there.
        let r = r.with("Access-Control-Allow-Credentials", "");
        let b = blocked(decide(&c, &exchange(None, vec![r])));
        assert_eq!(b.failed_parameter, None);
        assert_eq!(b.seen.as_deref(), Some(""));
    }

    #[test]
    fn empty_list_items_are_skipped() {
        // net::HttpUtil::ValuesIterator(ignore_empty_values = true).
        let c = Req::new("PUT").header("X-Api-Key", "k").classified();
        let pf = Response::new(204)
            .with("Access-Control-Allow-Origin", APP)
            .with("Access-Control-Allow-Methods", "GET, , PUT,")
            .with("Access-Control-Allow-Headers", ",x-api-key");
        let ok = Response::new(200).with("Access-Control-Allow-Origin", APP);
        allowed(decide(&c, &exchange(Some(pf), vec![ok])));
    }

    #[test]
    fn wildcards_count_only_without_credentials() {
        let star = |r: Req| {
            let pf = Response::new(204)
                .with("Access-Control-Allow-Origin", APP)
                .with("Access-Control-Allow-Credentials", "true")
                .with("Access-Control-Allow-Methods", "*")
                .with("Access-Control-Allow-Headers", "*");
            let ok = Response::new(200)
                .with("Access-Control-Allow-Origin", APP)
                .with("Access-Control-Allow-Credentials", "true");
            decide(&r.classified(), &exchange(Some(pf), vec![ok]))
        };
        allowed(star(Req::new("PUT").header("X-Api-Key", "k")));
        let b = blocked(star(Req::new("PUT").include()));
        assert_eq!(b.error, CorsError::MethodDisallowedByPreflightResponse);
        let b = blocked(star(Req::new("GET").include().header("X-Api-Key", "k")));
        assert_eq!(b.error, CorsError::HeaderDisallowedByPreflightResponse);
        assert_eq!(b.failed_parameter.as_deref(), Some("x-api-key"));
    }

    #[test]
    fn error_status_without_cors_headers_is_named() {
        let c = Req::new("GET").classified();
        let b = blocked(decide(&c, &exchange(None, vec![Response::new(500)])));
        assert_eq!(b.error_status_without_cors(), Some(500));
        let b = blocked(decide(&c, &exchange(None, vec![Response::new(200)])));
        assert_eq!(b.error_status_without_cors(), None);
    }

    fn redirect(status: u16, to: &str, acao: Option<&str>) -> Response {
        let r = Response::new(status).with("Location", to);
        match acao {
            Some(v) => r.with("Access-Control-Allow-Origin", v),
            None => r,
        }
    }

    #[test]
    fn redirects() {
        let c = Req::new("GET").classified();
        let ok = |v: &str| Response::new(200).with("Access-Control-Allow-Origin", v);

        // Fetch #http-redirect-fetch step 13: api.example → other.example taints the origin: the
        // final response must allow `null` (or `*`).
        let hop = redirect(302, "https://other.example/x", Some(APP));
        let b = blocked(decide(&c, &exchange(None, vec![hop.clone(), ok(APP)])));
        assert_eq!(b.error, CorsError::AllowOriginMismatch);
        assert_eq!(b.hop, Some(1));
        assert_eq!(b.url.to_string(), "https://other.example/x");
        assert_eq!(b.required.as_deref(), Some("null"));
        allowed(decide(&c, &exchange(None, vec![hop.clone(), ok("null")])));
        allowed(decide(&c, &exchange(None, vec![hop, ok("*")])));

        // A redirect within api.example does not taint; relative Location resolves against the hop.
        let hop = redirect(301, "../v2/items", Some(APP));
        let a = allowed(decide(&c, &exchange(None, vec![hop, ok(APP)])));
        assert_eq!(a.status, 200);

        // The CORS check runs on the redirect response itself (Fetch #http-fetch step 4.3).
        let hop = redirect(302, "https://api.example/b", None);
        let b = blocked(decide(&c, &exchange(None, vec![hop, ok(APP)])));
        assert_eq!(
            (b.error, b.hop),
            (CorsError::MissingAllowOriginHeader, Some(0))
        );
        assert_eq!(b.status, Some(302));

        // Same-origin request redirected to another origin: no CORS check on the first hop, not
        // tainted (the request's origin equals the first URL's), the final needs the app origin.
        let c = Req::new("GET").url("https://app.example/go").classified();
        let hop = redirect(302, API, None);
        allowed(decide(&c, &exchange(None, vec![hop.clone(), ok(APP)])));
        let b = blocked(decide(&c, &exchange(None, vec![hop, Response::new(200)])));
        assert_eq!(b.hop, Some(1));
    }

    #[test]
    fn redirect_modes_and_limits() {
        let hop = redirect(302, "https://api.example/b", Some(APP));
        let ok = Response::new(200).with("Access-Control-Allow-Origin", APP);

        let c = Req::new("GET").redirect(Redirect::Error).classified();
        assert_eq!(
            decide(&c, &exchange(None, vec![hop.clone(), ok.clone()])),
            Verdict::NetworkError(NetworkError::RedirectModeError { hop: 0 })
        );
        // The CORS check still comes first (Chromium OnReceiveRedirect).
        let bare = redirect(302, "https://api.example/b", None);
        blocked(decide(&c, &exchange(None, vec![bare])));

        let c = Req::new("GET").redirect(Redirect::Manual).classified();
        let a = allowed(decide(&c, &exchange(None, vec![hop.clone()])));
        assert_eq!(
            (a.response_type, a.status),
            (ResponseType::OpaqueRedirect, 0)
        );

        // Fetch #http-redirect-fetch step 7: the 21st redirect fails; 20 are fine.
        let c = Req::new("GET").classified();
        let mut chain = vec![hop.clone(); 20];
        chain.push(ok.clone());
        allowed(decide(&c, &exchange(None, chain.clone())));
        chain.insert(0, hop.clone());
        assert_eq!(
            decide(&c, &exchange(None, chain)),
            Verdict::NetworkError(NetworkError::TooManyRedirects { hop: 20 })
        );

        // Fetch #http-redirect-fetch step 5: non-HTTP(S) Location.
        let file = redirect(302, "file:///etc/passwd", Some(APP));
        assert_eq!(
            decide(&c, &exchange(None, vec![file])),
            Verdict::NetworkError(NetworkError::RedirectToNonHttp {
                hop: 0,
                location: "file:///etc/passwd".into()
            })
        );

        // The chain ends on a redirect: the next response is missing.
        assert_eq!(
            decide(&c, &exchange(None, vec![hop])),
            Verdict::Incomplete(Missing::RedirectTarget {
                location: "https://api.example/b".into()
            })
        );
    }

    #[test]
    fn missing_responses_are_incomplete() {
        let c = Req::new("PUT").classified();
        assert_eq!(
            decide(&c, &Exchange::default()),
            Verdict::Incomplete(Missing::Preflight)
        );
        assert_eq!(
            decide(&c, &exchange(Some(ok_preflight()), vec![])),
            Verdict::Incomplete(Missing::Actual)
        );
        // A simple request ignores a pasted preflight.
        let c = Req::new("GET").classified();
        let ok = Response::new(200).with("Access-Control-Allow-Origin", APP);
        allowed(decide(&c, &exchange(Some(Response::new(500)), vec![ok])));
    }

    #[test]
    fn readable_and_hidden_headers() {
        let response = Response::new(200)
            .with("Access-Control-Allow-Origin", APP)
            .with("Vary", "Origin")
            .with("Content-Type", "application/json")
            .with("X-Request-Id", "1")
            .with("X-Total-Count", "9")
            .with("Set-Cookie", "a=b")
            .with("Access-Control-Expose-Headers", "X-Request-Id");
        let c = Req::new("GET").classified();
        let a = allowed(decide(&c, &exchange(None, vec![response.clone()])));
        assert_eq!(a.response_type, ResponseType::Cors);
        assert_eq!(a.readable, ["content-type", "x-request-id"]);
        assert_eq!(
            a.hidden,
            [
                "access-control-allow-origin",
                "access-control-expose-headers",
                "set-cookie",
                "vary",
                "x-total-count"
            ]
        );
        assert_eq!(
            a.expose_headers_line().as_deref(),
            Some(
                "Access-Control-Expose-Headers: access-control-allow-origin, \
                 access-control-expose-headers, vary, x-total-count"
            )
        );

        // ACEH `*` exposes all (never Set-Cookie) without credentials ...
        let star = response.with("Access-Control-Expose-Headers", "*");
        let a = allowed(decide(&c, &exchange(None, vec![star.clone()])));
        assert_eq!(a.hidden, ["set-cookie"]);
        assert_eq!(a.expose_headers_line(), None);
        // ... and with credentials only the names listed literally (Fetch #concept-filtered-response-cors):
        // the two ACEH lines read `X-Request-Id, *`.
        let star = star.with("Access-Control-Allow-Credentials", "true");
        let c = Req::new("GET").include().classified();
        let a = allowed(decide(&c, &exchange(None, vec![star])));
        assert_eq!(a.readable, ["content-type", "x-request-id"]);

        // Same-origin: basic, everything but Set-Cookie.
        let c = Req::new("GET").url("https://app.example/me").classified();
        let r = Response::new(200)
            .with("X-A", "1")
            .with("Set-Cookie", "a=b");
        let a = allowed(decide(&c, &exchange(None, vec![r.clone()])));
        assert_eq!(a.response_type, ResponseType::Basic);
        assert_eq!(
            (a.readable, a.hidden),
            (vec!["x-a".to_string()], vec!["set-cookie".to_string()])
        );

        // no-cors cross-origin: opaque, nothing readable, status 0.
        let c = Req::new("GET").mode(Mode::NoCors).classified();
        let a = allowed(decide(&c, &exchange(None, vec![r])));
        assert_eq!((a.response_type, a.status), (ResponseType::Opaque, 0));
        assert!(a.readable.is_empty());
    }

    #[test]
    fn warnings_on_allowed_exchanges() {
        let c = Req::new("GET").classified();
        let echo = Response::new(200).with("Access-Control-Allow-Origin", APP);
        let a = allowed(decide(&c, &exchange(None, vec![echo.clone()])));
        assert_eq!(a.warnings, [Warning::MissingVaryOrigin]);
        let varied = echo.clone().with("Vary", "Accept-Encoding, origin");
        let a = allowed(decide(&c, &exchange(None, vec![varied])));
        assert!(a.warnings.is_empty());

        let star = Response::new(503).with("Access-Control-Allow-Origin", "*");
        let a = allowed(decide(&c, &exchange(None, vec![star])));
        assert_eq!(
            a.warnings,
            [
                Warning::WildcardBreaksWithCredentials,
                Warning::ErrorStatus { status: 503 }
            ]
        );
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        const NAMES: &[&str] = &[
            "Access-Control-Allow-Origin",
            "Access-Control-Allow-Credentials",
            "Access-Control-Allow-Methods",
            "Access-Control-Allow-Headers",
            "Access-Control-Expose-Headers",
            "Location",
            "Vary",
            "Set-Cookie",
        ];

        fn header() -> impl Strategy<Value = (String, String)> {
            let name = prop_oneof![
                proptest::sample::select(NAMES).prop_map(str::to_string),
                ".{0,12}",
            ];
            let value = prop_oneof![
                Just(APP.to_string()),
                Just("*".to_string()),
                Just("null".to_string()),
                Just("true".to_string()),
                Just("/next".to_string()),
                Just("https://u:p@x.example/".to_string()),
                ".{0,40}",
            ];
            (name, value)
        }

        fn response() -> impl Strategy<Value = Response> {
            let status = prop_oneof![Just(200u16), Just(204), Just(302), Just(500), any::<u16>()];
            (status, proptest::collection::vec(header(), 0..8)).prop_map(|(status, headers)| {
                let mut r = Response::new(status);
                for (n, v) in headers {
                    r.headers.push(n, v);
                }
                r
            })
        }

        proptest! {
            #[test]
            fn decide_never_panics(
                method in prop_oneof![Just("GET"), Just("PUT"), Just("patch")],
                include in any::<bool>(),
                header in any::<bool>(),
                preflight in proptest::option::of(response()),
                actual in proptest::collection::vec(response(), 0..25),
            ) {
                let mut req = Req::new(method);
                if include { req = req.include(); }
                if header { req = req.header("Authorization", "x"); }
                let verdict = decide(&req.classified(), &Exchange { preflight, actual });
                if let Verdict::Blocked(b) = verdict {
                    prop_assert!(b.error.is_server_caused() || b.error == CorsError::DisallowedByMode);
                }
            }
        }
    }

    #[test]
    fn api_fixture_is_cross_origin() {
        assert!(Req::new("GET").build().is_cross_origin());
        assert_eq!(
            Url::parse(API).unwrap().origin().serialize(),
            "https://api.example"
        );
    }
}
