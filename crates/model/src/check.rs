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
use crate::header::is_token;
use crate::request::Request;
use crate::response::{HeaderList, Response};
use crate::text::Joined;
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
    check_method(request, &methods, acam)?;
    let authorization_under_wildcard = check_headers(request, &headers, acah)?;
    Ok(PreflightPass {
        authorization_under_wildcard,
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

/// Whether `Access-Control-Allow-Methods` (parsed) lets `method` through, as Chromium 156 decides.
///
/// The method is compared as sent, case-sensitively: `patch` against `PATCH` is blocked, as the standard
/// says (observed in Chromium 156, `e2e/FACTS.md`; older Chromium upper-cased first, crbug.com/1228178).
/// GET, HEAD and POST always pass; `*` counts only when the request is not credentialed.
pub fn method_allowed(method: &str, allowed: &[String], credentialed: bool) -> bool {
    let listed = |m: &str| allowed.iter().any(|a| a == m);
    matches!(method, "GET" | "HEAD" | "POST") || listed(method) || (!credentialed && listed("*"))
}

fn check_method(
    request: &Request,
    methods: &[String],
    acam: Option<String>,
) -> Result<(), Failure> {
    let method = request.method();
    if method_allowed(method, methods, request.is_credentialed()) {
        return Ok(());
    }
    Err(Failure::new(
        CorsError::MethodDisallowedByPreflightResponse,
        FaultPart::Header(ACAM),
    )
    .param(method)
    .seen(acam)
    .required(method))
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
    // Of several refused headers, Chromium names the first it meets (see `header_order`).
    match crate::header_order::check_order(request)
        .into_iter()
        .find(|name| !listed(name))
    {
        None => Ok(false),
        Some(missing) => Err(Failure::new(
            CorsError::HeaderDisallowedByPreflightResponse,
            FaultPart::Header(ACAH),
        )
        .param(&missing)
        .seen(acah)
        .required(names.joined(", "))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn origin() -> Origin {
        Origin::parse("https://app.example").unwrap()
    }

    /// Chromium `cors::CheckAccess`, one row per branch.
    #[test]
    fn access_check_branches() {
        /// (cite, ACAO, ACAC, credentialed, expected error)
        type Row = (
            &'static str,
            Option<&'static str>,
            Option<&'static str>,
            bool,
            Option<CorsError>,
        );
        let rows: [Row; 12] = [
            (
                "Fetch #cors-check 3: `*` without credentials",
                Some("*"),
                None,
                false,
                None,
            ),
            (
                "`*` with credentials, even with ACAC true",
                Some("*"),
                Some("true"),
                true,
                Some(CorsError::WildcardOriginNotAllowed),
            ),
            (
                "exact origin",
                Some("https://app.example"),
                None,
                false,
                None,
            ),
            (
                "absent",
                None,
                None,
                false,
                Some(CorsError::MissingAllowOriginHeader),
            ),
            (
                "comma: several values",
                Some("https://app.example,https://b.example"),
                None,
                false,
                Some(CorsError::MultipleAllowOriginValues),
            ),
            (
                "space: several values",
                Some("https://a.example https://app.example"),
                None,
                false,
                Some(CorsError::MultipleAllowOriginValues),
            ),
            (
                "`null` is a mismatch for a tuple origin",
                Some("null"),
                None,
                false,
                Some(CorsError::AllowOriginMismatch),
            ),
            (
                "not a URL",
                Some("app.example"),
                None,
                false,
                Some(CorsError::InvalidAllowOriginValue),
            ),
            (
                "case matters (byte-equal)",
                Some("https://APP.example"),
                None,
                false,
                Some(CorsError::AllowOriginMismatch),
            ),
            (
                "credentialed needs ACAC",
                Some("https://app.example"),
                None,
                true,
                Some(CorsError::InvalidAllowCredentials),
            ),
            (
                "ACAC is case-sensitive",
                Some("https://app.example"),
                Some("TRUE"),
                true,
                Some(CorsError::InvalidAllowCredentials),
            ),
            (
                "credentialed, all right",
                Some("https://app.example"),
                Some("true"),
                true,
                None,
            ),
        ];
        for (cite, acao, acac, credentialed, expected) in rows {
            let mut headers = HeaderList::new();
            if let Some(v) = acao {
                headers.push("Access-Control-Allow-Origin", v);
            }
            if let Some(v) = acac {
                headers.push("Access-Control-Allow-Credentials", v);
            }
            let got = access(&headers, &origin(), credentialed)
                .err()
                .map(|f| f.error);
            assert_eq!(got, expected, "{cite}");
        }
    }

    #[test]
    fn opaque_origin_matches_null() {
        // Fetch #serializing-a-request-origin: a tainted request's origin is `null`.
        let headers = HeaderList::new().with("Access-Control-Allow-Origin", "null");
        assert_eq!(access(&headers, &Origin::Opaque, false), Ok(()));
        assert!(access(&headers, &origin(), false).is_err());
    }

    #[test]
    fn allow_lists_parse_like_chromium() {
        // net::HttpUtil::ValuesIterator with ignore_empty_values, then net::HttpUtil::IsToken.
        let rows: [(Option<&str>, Option<Vec<&str>>); 8] = [
            (None, Some(vec![])),
            (Some(""), Some(vec![])),
            (Some("GET, PUT"), Some(vec!["GET", "PUT"])),
            (Some(" GET ,\tPUT , "), Some(vec!["GET", "PUT"])),
            (Some("GET, , PUT,"), Some(vec!["GET", "PUT"])),
            (Some("*"), Some(vec!["*"])),
            (Some("GET PUT"), None),
            (Some("x-a;x-b"), None),
        ];
        for (input, expected) in rows {
            let expected = expected.map(|v| v.into_iter().map(str::to_string).collect::<Vec<_>>());
            assert_eq!(parse_allow_list(input), expected, "{input:?}");
        }
        assert!(!is_token("\"GET\""));
        assert!(is_token("X-Custom_1.2~"));
    }

    #[test]
    fn method_matching() {
        let list = |items: &[&str]| items.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        // Fetch #cors-preflight-fetch 7.7; Chromium 156 compares as sent (e2e/FACTS.md).
        assert!(method_allowed("PUT", &list(&["PUT"]), false));
        assert!(method_allowed("POST", &list(&[]), true));
        assert!(!method_allowed("PUT", &list(&["put"]), false));
        assert!(
            !method_allowed("patch", &list(&["PATCH"]), false),
            "Chromium 156 compares the method as sent"
        );
        assert!(method_allowed("patch", &list(&["patch"]), false));
        assert!(method_allowed("PROPFIND", &list(&["*"]), false));
        assert!(!method_allowed("PROPFIND", &list(&["*"]), true));
    }
}
