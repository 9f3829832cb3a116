//! Chromium's CORS checks on one response: the access check (every CORS response and redirect hop) and
//! the preflight check, each in the exact order Chromium 156 runs them, so that when several things are
//! wrong at once the model reports the one the browser reports.
//!
//! Sources: Chromium `services/network/public/cpp/cors/cors.cc` (`CheckAccess`),
//! `services/network/cors/preflight_controller.cc` (`CheckPreflightAccess`) and
//! `services/network/cors/preflight_result.cc` (`Create`, `EnsureAllowedCrossOriginMethod`,
//! `EnsureAllowedCrossOriginHeaders`); the Fetch Standard's <https://fetch.spec.whatwg.org/#cors-check> and
//! <https://fetch.spec.whatwg.org/#cors-preflight-fetch>.

use crate::error::CorsError;
use crate::request::Request;
use crate::response::{HeaderList, Response};
use crate::url::{Origin, Url};
use crate::verdict::FaultPart;

/// `Access-Control-Allow-Origin`, lowercase as [`FaultPart::Header`] holds it.
pub const ACAO: &str = "access-control-allow-origin";
/// `Access-Control-Allow-Credentials`.
pub const ACAC: &str = "access-control-allow-credentials";
/// `Access-Control-Allow-Methods`.
pub const ACAM: &str = "access-control-allow-methods";
/// `Access-Control-Allow-Headers`.
pub const ACAH: &str = "access-control-allow-headers";
/// `Access-Control-Expose-Headers`.
pub const ACEH: &str = "access-control-expose-headers";

/// One failed check: what Chromium reports to DevTools, and what an explanation needs.
///
/// [`crate::verdict::decide`] turns it into a [`crate::verdict::Blocked`] by adding where in the exchange
/// it happened (stage, hop, URL, status).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    /// The DevTools code.
    pub error: CorsError,
    /// Chromium's `failedParameter`, `None` where Chromium sends the empty string.
    pub failed_parameter: Option<String>,
    /// What in the response is at fault.
    pub part: FaultPart,
    /// The value the browser saw (`None`: the header was absent).
    pub seen: Option<String>,
    /// A value that would have passed.
    pub required: Option<String>,
}

impl Failure {
    fn new(error: CorsError, part: FaultPart) -> Failure {
        Failure {
            error,
            failed_parameter: None,
            part,
            seen: None,
            required: None,
        }
    }

    fn param(mut self, value: &str) -> Failure {
        // Chromium's failedParameter is a string; the report treats "" as "no parameter".
        self.failed_parameter = (!value.is_empty()).then(|| value.to_string());
        self
    }

    fn seen(mut self, value: Option<String>) -> Failure {
        self.seen = value;
        self
    }

    fn required(mut self, value: impl Into<String>) -> Failure {
        self.required = Some(value.into());
        self
    }

    /// The same failure found on a preflight response: access-check codes renamed to their
    /// `Preflight*` twins, as Chromium's `CheckPreflightAccess` does.
    fn on_preflight(mut self) -> Failure {
        self.error = self.error.on_preflight();
        self
    }
}

/// Chromium's access check (`cors::CheckAccess`) on a response's headers.
///
/// `origin` is the request's origin as the CORS check serializes it: the page's origin, or
/// [`Origin::Opaque`] (`null`) once a redirect tainted the request. `credentialed` is credentials mode
/// `include`. Order, which decides the code when several things are wrong:
///
/// 1. ACAO is `*`: passes unless credentialed (then `WildcardOriginNotAllowed`); a credentialed `*`
///    fails before ACAC is looked at.
/// 2. ACAO absent: `MissingAllowOriginHeader`.
/// 3. ACAO not byte-equal to the serialized origin: a space or comma anywhere gives
///    `MultipleAllowOriginValues` (two header lines arrive joined with `", "`); the literal `null` gives
///    `AllowOriginMismatch`; a value that is not a URL gives `InvalidAllowOriginValue`; any other value
///    `AllowOriginMismatch`. The failed parameter is the value.
/// 4. Credentialed: ACAC must be exactly `true` (case-sensitive), else `InvalidAllowCredentials` with the
///    value as failed parameter (Chromium sends `""` when ACAC is absent: `failed_parameter` is `None`
///    and `seen` is `None`).
pub fn access(headers: &HeaderList, origin: &Origin, credentialed: bool) -> Result<(), Failure> {
    check_allow_origin(headers.get(ACAO), origin, credentialed)?;
    if credentialed {
        check_allow_credentials(headers.get(ACAC))?;
    }
    Ok(())
}

fn check_allow_origin(
    acao: Option<String>,
    origin: &Origin,
    credentialed: bool,
) -> Result<(), Failure> {
    let expected = origin.serialize();
    let part = FaultPart::Header(ACAO);
    let Some(value) = acao else {
        return Err(Failure::new(CorsError::MissingAllowOriginHeader, part).required(expected));
    };
    if value == "*" {
        if !credentialed {
            return Ok(());
        }
        let failure = Failure::new(CorsError::WildcardOriginNotAllowed, part);
        return Err(failure.seen(Some(value)).required(expected));
    }
    if value == expected {
        return Ok(());
    }
    let error = if value.contains([' ', ',']) {
        CorsError::MultipleAllowOriginValues
    } else if value == "null" {
        CorsError::AllowOriginMismatch
    } else if Url::parse(&value).is_err() {
        CorsError::InvalidAllowOriginValue
    } else {
        CorsError::AllowOriginMismatch
    };
    let failure = Failure::new(error, part).param(&value);
    Err(failure.seen(Some(value)).required(expected))
}

fn check_allow_credentials(acac: Option<String>) -> Result<(), Failure> {
    if acac.as_deref() == Some("true") {
        return Ok(());
    }
    let failure = Failure::new(CorsError::InvalidAllowCredentials, FaultPart::Header(ACAC))
        .param(acac.as_deref().unwrap_or(""));
    Err(failure.seen(acac).required("true"))
}

/// What a passing preflight lets through only because Chromium is more lenient than the standard.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PreflightPass {
    /// `Authorization` passed under `Access-Control-Allow-Headers: *` (Chromium 156 only).
    pub authorization_under_wildcard: bool,
    /// The method passed only after Chromium upper-cased it (e.g. `patch` against `PATCH`).
    pub method_case_mismatch: Option<String>,
}

/// Chromium's preflight check on the `OPTIONS` response for `request`.
///
/// Order (Chromium `PreflightController` then `PreflightResult`):
///
/// 1. A redirect (301, 302, 303, 307, 308 with a `Location`): `PreflightDisallowedRedirect`.
/// 2. The access check with the *actual* request's credentials mode; its codes renamed to the
///    `Preflight*` twins. This runs **before** the status check, so a 404 preflight without ACAO is
///    `PreflightMissingAllowOriginHeader`, not `PreflightInvalidStatus`.
/// 3. Status outside 200–299: `PreflightInvalidStatus`.
/// 4. ACAM, then ACAH, must parse (see [`parse_allow_list`]): `InvalidAllow{Methods,Headers}PreflightResponse`.
/// 5. The method (see [`method_allowed`]): `MethodDisallowedByPreflightResponse`, parameter the method.
/// 6. The CORS-unsafe request-header names, sorted: the first one not listed (case-insensitive) gives
///    `HeaderDisallowedByPreflightResponse`, parameter the lowercase name; `*` allows all when not
///    credentialed, `Authorization` included (Chromium 156: feature `CorsNonWildcardRequestHeadersSupport`
///    is off; the standard and Firefox require `Authorization` to be listed by name).
pub fn preflight(request: &Request, response: &Response) -> Result<PreflightPass, Failure> {
    if let Some(location) = redirect_location(response) {
        let failure = Failure::new(CorsError::PreflightDisallowedRedirect, FaultPart::Redirect);
        return Err(failure
            .seen(Some(location))
            .required("a 2xx answer, no redirect"));
    }
    let credentialed = request.is_credentialed();
    access(&response.headers, request.origin(), credentialed).map_err(Failure::on_preflight)?;
    if !response.is_ok_status() {
        let failure = Failure::new(CorsError::PreflightInvalidStatus, FaultPart::Status);
        return Err(failure
            .seen(Some(response.status.to_string()))
            .required("200-299 (usually 204)"));
    }
    let acam = response.headers.get(ACAM);
    let methods = parse_allow_list(acam.as_deref()).ok_or_else(|| {
        Failure::new(
            CorsError::InvalidAllowMethodsPreflightResponse,
            FaultPart::Header(ACAM),
        )
        .seen(acam.clone())
    })?;
    let acah = response.headers.get(ACAH);
    let headers = parse_allow_list(acah.as_deref()).ok_or_else(|| {
        Failure::new(
            CorsError::InvalidAllowHeadersPreflightResponse,
            FaultPart::Header(ACAH),
        )
        .seen(acah.clone())
    })?;
    let method_case_mismatch = check_method(request, &methods, acam)?;
    let authorization_under_wildcard = check_headers(request, &headers, acah)?;
    Ok(PreflightPass {
        authorization_under_wildcard,
        method_case_mismatch,
    })
}

/// The `Location` of a response the network stack treats as a redirect, if it is one.
///
/// A 3xx without `Location` is an ordinary response (Fetch: "If locationURL is null, return response").
pub fn redirect_location(response: &Response) -> Option<String> {
    response
        .is_redirect()
        .then(|| response.location())
        .flatten()
}

/// Parses an `Access-Control-Allow-Methods`/`-Headers` value as Chromium does: split at commas, trim
/// spaces and tabs, **skip empty items** (`net::HttpUtil::ValuesIterator` with `ignore_empty_values`, so
/// `GET, , PUT` and a trailing comma are accepted), and every remaining item must be an HTTP token.
/// `None` when an item is not a token; an absent header is an empty list.
///
/// The Fetch Standard's `#method`/`#field-name` grammar also tolerates empty list elements
/// (RFC 9110 §5.6.1), so the two agree.
pub fn parse_allow_list(value: Option<&str>) -> Option<Vec<String>> {
    let Some(value) = value else {
        return Some(Vec::new());
    };
    let mut items = Vec::new();
    for item in value.split(',') {
        let item = item.trim_matches(|c| c == ' ' || c == '\t');
        if item.is_empty() {
            continue;
        }
        if !is_token(item) {
            return None;
        }
        items.push(item.to_string());
    }
    Some(items)
}

/// Whether `s` is an HTTP token (RFC 9110 `1*tchar`).
pub fn is_token(s: &str) -> bool {
    !s.is_empty()
        && s.bytes().all(|b| {
            b.is_ascii_alphanumeric()
                || matches!(
                    b,
                    b'!' | b'#'
                        | b'$'
                        | b'%'
                        | b'&'
                        | b'\''
                        | b'*'
                        | b'+'
                        | b'-'
                        | b'.'
                        | b'^'
                        | b'_'
                        | b'`'
                        | b'|'
                        | b'~'
                )
        })
}

/// How a method fares against a parsed `Access-Control-Allow-Methods` list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MethodMatch {
    /// Allowed by Chromium and by the standard.
    Allowed,
    /// Allowed by Chromium only: listed after upper-casing (`patch` against `PATCH`), not as sent.
    ChromiumOnly,
    /// Blocked by Chromium (possibly allowed by the standard, e.g. `patch` listed as `patch`).
    Disallowed,
}

/// Chromium's `EnsureAllowedCrossOriginMethod` in its legacy mode, the default in Chromium 156
/// (feature `AcamPreflightSpecConformant` off, crbug.com/1228178): the method is upper-cased, then
/// compared case-sensitively with the list; GET, HEAD and POST always pass; `*` counts only when the
/// request is not credentialed. The standard compares the method as sent, so `patch` against `PATCH`
/// passes only in Chromium and `patch` against `patch` only in the standard.
pub fn method_allowed(method: &str, allowed: &[String], credentialed: bool) -> MethodMatch {
    let is_safelisted = |m: &str| matches!(m, "GET" | "HEAD" | "POST");
    let listed = |m: &str| allowed.iter().any(|a| a == m);
    let wildcard = !credentialed && listed("*");
    let upper = method.to_ascii_uppercase();
    let chromium = listed(&upper) || is_safelisted(&upper) || wildcard;
    let standard = listed(method) || is_safelisted(method) || wildcard;
    match (chromium, standard) {
        (true, true) => MethodMatch::Allowed,
        (true, false) => MethodMatch::ChromiumOnly,
        (false, _) => MethodMatch::Disallowed,
    }
}

fn check_method(
    request: &Request,
    methods: &[String],
    acam: Option<String>,
) -> Result<Option<String>, Failure> {
    let method = request.method();
    match method_allowed(method, methods, request.is_credentialed()) {
        MethodMatch::Allowed => Ok(None),
        MethodMatch::ChromiumOnly => Ok(Some(method.to_string())),
        MethodMatch::Disallowed => Err(Failure::new(
            CorsError::MethodDisallowedByPreflightResponse,
            FaultPart::Header(ACAM),
        )
        .param(method)
        .seen(acam)
        .required(method)),
    }
}

/// Returns whether `Authorization` passed only under `*`.
fn check_headers(
    request: &Request,
    allowed: &[String],
    acah: Option<String>,
) -> Result<bool, Failure> {
    let listed = |name: &str| allowed.iter().any(|a| a.eq_ignore_ascii_case(name));
    if !request.is_credentialed() && listed("*") {
        let has_authorization = request.headers().contains("authorization");
        return Ok(has_authorization && !listed("authorization"));
    }
    let names = request.unsafe_header_names();
    match names.iter().find(|name| !listed(name)) {
        None => Ok(false),
        Some(missing) => Err(Failure::new(
            CorsError::HeaderDisallowedByPreflightResponse,
            FaultPart::Header(ACAH),
        )
        .param(missing)
        .seen(acah)
        .required(names.join(", "))),
    }
}
