//! The scenario catalogue: one row per scenario, holding the request that triggers it, the lab's preflight
//! and actual answers as data, and the verdict Chromium reaches.
//!
//! This table is the single source of truth: `/s/<name>` answers from it and `GET /scenarios` serializes it,
//! so the page's presets, the browser tests and the lab can never disagree about a scenario.
//!
//! Expectations follow Chromium (156), not only the Fetch Standard, where the two differ (see
//! `shared/cors-reference.md`): the access check (ACAO, then ACAC) runs before the preflight status check,
//! duplicate header lines are joined with `", "` before the check, and `Authorization` passes under
//! `Access-Control-Allow-Headers: *` because `CorsNonWildcardRequestHeadersSupport` is off by default.
//!
//! Value templates (`{origin}`, `{lab}`, …) are expanded per request by [`crate::reply::Ctx::expand`].
//! In `failed_parameter`, `{origin}` stands for the request's `Origin` as the browser sends it (the page's
//! origin, e.g. `http://127.0.0.1:41234`) and `{lab}` for the host and port by which the page reaches the lab.

use corscope_model::CorsError;
use serde_json::{json, Value};

/// The request's credentials mode, as in `fetch(url, { credentials })`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Credentials {
    /// Never send cookies; `*` is acceptable in ACAO.
    Omit,
    /// Cookies only to the page's own origin (the fetch default; nothing is sent cross-origin).
    SameOrigin,
    /// Send cookies cross-origin; the response must name the origin and say `ACAC: true`.
    Include,
}

impl Credentials {
    /// The `RequestCredentials` string.
    pub fn as_str(self) -> &'static str {
        match self {
            Credentials::Omit => "omit",
            Credentials::SameOrigin => "same-origin",
            Credentials::Include => "include",
        }
    }
}

/// A list of header lines, `(name, value)`, in order; names may repeat.
pub type HeaderLines = &'static [(&'static str, &'static str)];

/// The request a page must send to reproduce a scenario (mode is always `cors`).
#[derive(Clone, Copy, Debug)]
pub struct Request {
    /// The method, as passed to `fetch`.
    pub method: &'static str,
    /// Headers set by the page's script.
    pub headers: HeaderLines,
    /// The credentials mode.
    pub credentials: Credentials,
    /// The body, if any.
    pub body: Option<&'static str>,
}

impl Request {
    /// Whether the browser sends a preflight first: a method other than GET/HEAD/POST, or a header that is
    /// not CORS-safelisted (only the cases the catalogue uses are modelled: Accept, Accept-Language,
    /// Content-Language with plain values, and Content-Type with one of the three form/text types).
    pub fn needs_preflight(&self) -> bool {
        !matches!(self.method, "GET" | "HEAD" | "POST")
            || self
                .headers
                .iter()
                .any(|(name, value)| !safelisted(name, value))
    }
}

/// A deliberately small CORS-safelisted request-header check, enough for the catalogue's requests.
fn safelisted(name: &str, value: &str) -> bool {
    match name.to_ascii_lowercase().as_str() {
        "accept" | "accept-language" | "content-language" => true,
        "content-type" => {
            let essence = value.split(';').next().unwrap_or_default().trim();
            [
                "application/x-www-form-urlencoded",
                "multipart/form-data",
                "text/plain",
            ]
            .iter()
            .any(|t| essence.eq_ignore_ascii_case(t))
        }
        _ => false,
    }
}

/// One answer of the lab: a status and header lines whose values are templates.
#[derive(Clone, Copy, Debug)]
pub struct Answer {
    /// The HTTP status code.
    pub status: u16,
    /// Header lines in order (repeats are sent as separate lines).
    pub headers: HeaderLines,
}

/// Which response holds the fault, and what in it: a lowercase header name, `status` or `redirect`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// The preflight (`OPTIONS`) response.
    Preflight(&'static str),
    /// The actual response (or a redirect hop of it).
    Actual(&'static str),
}

/// Chromium's verdict for a scenario.
#[derive(Clone, Copy, Debug)]
pub struct Expected {
    /// The DevTools `Network.CorsError`, `None` when the request succeeds.
    pub cors_error: Option<CorsError>,
    /// DevTools' `failedParameter`, `None` when Chromium reports an empty one.
    pub failed_parameter: Option<&'static str>,
    /// Where the fault is, `None` when the request succeeds.
    pub fault: Option<Fault>,
}

/// One named scenario at `/s/<name>`.
#[derive(Clone, Copy, Debug)]
pub struct Scenario {
    /// URL-safe name, unique in the catalogue.
    pub name: &'static str,
    /// What the scenario shows, for people.
    pub description: &'static str,
    /// The request that triggers it.
    pub request: Request,
    /// The preflight answer; `None` answers a preflight like the actual request (a server with no
    /// special `OPTIONS` handling).
    pub preflight: Option<Answer>,
    /// The actual answer; its body is the echo of the request.
    pub actual: Answer,
    /// What Chromium reports.
    pub expected: Expected,
    /// A caveat the verdict should mention (e.g. a Chromium-only behaviour).
    pub note: Option<&'static str>,
}

impl Scenario {
    /// The answer to a preflight of this scenario.
    pub fn preflight_answer(&self) -> Answer {
        self.preflight.unwrap_or(self.actual)
    }
}

/// Looks a scenario up by name.
pub fn find(name: &str) -> Option<&'static Scenario> {
    SCENARIOS.iter().find(|s| s.name == name)
}

const ACAO: &str = "access-control-allow-origin";
const ACAC: &str = "access-control-allow-credentials";
const ACAM: &str = "access-control-allow-methods";
const ACAH: &str = "access-control-allow-headers";
const ACEH: &str = "access-control-expose-headers";
const VARY: &str = "vary";
const LOCATION: &str = "location";

/// A simple GET (no preflight).
const fn get(credentials: Credentials) -> Request {
    Request {
        method: "GET",
        headers: &[],
        credentials,
        body: None,
    }
}

/// A PUT without custom headers (preflighted for its method alone).
const fn put(credentials: Credentials) -> Request {
    Request {
        method: "PUT",
        headers: &[],
        credentials,
        body: None,
    }
}

/// A PUT with a custom header and a JSON body (preflighted for method and headers).
const fn put_custom(credentials: Credentials) -> Request {
    Request {
        method: "PUT",
        headers: &[("Content-Type", "application/json"), ("X-Custom", "1")],
        credentials,
        body: Some("{\"hello\":\"lab\"}"),
    }
}

/// A JSON POST (preflighted for its `Content-Type`).
const POST_JSON: Request = Request {
    method: "POST",
    headers: &[("Content-Type", "application/json")],
    credentials: Credentials::Omit,
    body: Some("{\"hello\":\"lab\"}"),
};

/// A GET with a bearer token (preflighted for `Authorization`).
const GET_AUTHORIZATION: Request = Request {
    method: "GET",
    headers: &[("Authorization", "Bearer lab-token")],
    credentials: Credentials::Omit,
    body: None,
};

/// An actual answer any origin can read, credentialed or not.
const ECHO_OK: Answer = Answer {
    status: 200,
    headers: &[(ACAO, "{origin}"), (ACAC, "true"), (VARY, "Origin")],
};

/// A preflight answer that allows anything the browser asks for.
const PREFLIGHT_OK: Answer = Answer {
    status: 204,
    headers: &[
        (ACAO, "{origin}"),
        (ACAC, "true"),
        (ACAM, "{acrm}"),
        (ACAH, "{acrh}"),
        (VARY, "Origin"),
    ],
};

const fn ok() -> Expected {
    Expected {
        cors_error: None,
        failed_parameter: None,
        fault: None,
    }
}

const fn blocked(
    cors_error: CorsError,
    failed_parameter: Option<&'static str>,
    fault: Fault,
) -> Expected {
    Expected {
        cors_error: Some(cors_error),
        failed_parameter,
        fault: Some(fault),
    }
}

use CorsError as E;
use Credentials::{Include, Omit};
use Fault::{Actual, Preflight};

/// Every scenario, allowed ones first, then blocked on the actual response, then blocked on the preflight.
pub static SCENARIOS: &[Scenario] = &[
    // Allowed.
    Scenario {
        name: "simple-get-wildcard",
        description: "A simple GET answered with `Access-Control-Allow-Origin: *`: readable by any origin.",
        request: get(Omit),
        preflight: None,
        actual: Answer { status: 200, headers: &[(ACAO, "*")] },
        expected: ok(),
        note: None,
    },
    Scenario {
        name: "credentialed-echo",
        description: "A credentialed GET answered with the echoed origin, `Access-Control-Allow-Credentials: true` \
                      and `Vary: Origin`: the correct way to allow cookies.",
        request: get(Include),
        preflight: None,
        actual: ECHO_OK,
        expected: ok(),
        note: None,
    },
    Scenario {
        name: "preflight-put-ok",
        description: "A PUT with `Content-Type: application/json` and `X-Custom`: the preflight lists the method and \
                      both headers, so the request goes through.",
        request: put_custom(Omit),
        preflight: Some(Answer {
            status: 204,
            headers: &[(ACAO, "{origin}"), (ACAM, "GET, PUT"), (ACAH, "Content-Type, X-Custom"), (VARY, "Origin")],
        }),
        actual: Answer { status: 200, headers: &[(ACAO, "{origin}"), (VARY, "Origin")] },
        expected: ok(),
        note: None,
    },
    Scenario {
        name: "expose-headers",
        description: "`Access-Control-Expose-Headers` lists `X-Request-Id` and `X-Total-Count`, so script can read \
                      them; `X-Hidden` is sent too but stays invisible to script.",
        request: get(Omit),
        preflight: None,
        actual: Answer {
            status: 200,
            headers: &[
                (ACAO, "*"),
                (ACEH, "X-Request-Id, X-Total-Count"),
                ("x-request-id", "lab-42"),
                ("x-total-count", "7"),
                ("x-hidden", "not-exposed"),
            ],
        },
        expected: ok(),
        note: Some("Not a failure: unexposed headers only read as null from `response.headers.get()`."),
    },
    Scenario {
        name: "error-404-with-cors",
        description: "A 404 that carries `Access-Control-Allow-Origin: *`: CORS passes and script sees the real status.",
        request: get(Omit),
        preflight: None,
        actual: Answer { status: 404, headers: &[(ACAO, "*")] },
        expected: ok(),
        note: Some("Any status can be shared when the CORS headers are right; the failure is the 404 itself."),
    },
    Scenario {
        name: "authorization-under-wildcard",
        description: "A GET with `Authorization` whose preflight answers `Access-Control-Allow-Headers: *` without \
                      listing `Authorization`.",
        request: GET_AUTHORIZATION,
        preflight: Some(Answer { status: 204, headers: &[(ACAO, "*"), (ACAH, "*")] }),
        actual: Answer { status: 200, headers: &[(ACAO, "*")] },
        expected: ok(),
        note: Some(
            "Allowed in Chromium 156 (CorsNonWildcardRequestHeadersSupport is off; DevTools only warns). The Fetch \
             Standard and Firefox block it: HeaderDisallowedByPreflightResponse, failed parameter `authorization`. \
             List `Authorization` explicitly.",
        ),
    },
    Scenario {
        name: "redirect-cross-origin-ok",
        description: "A GET redirected (302) to the lab under its other name (`localhost` vs `127.0.0.1`): the browser \
                      sends `Origin: null` there, and the target answers `*`, so it works.",
        request: get(Omit),
        preflight: None,
        actual: Answer { status: 302, headers: &[(ACAO, "*"), (LOCATION, "http://{alt}/b?acao=*")] },
        expected: ok(),
        note: None,
    },
    // Blocked on the actual response.
    Scenario {
        name: "missing-acao",
        description: "A simple GET answered 200 with no `Access-Control-Allow-Origin` at all.",
        request: get(Omit),
        preflight: None,
        actual: Answer { status: 200, headers: &[] },
        expected: blocked(E::MissingAllowOriginHeader, None, Actual(ACAO)),
        note: None,
    },
    Scenario {
        name: "error-404-without-cors",
        description: "The route's 200 answers carry `Access-Control-Allow-Origin: *`, but its 404 comes from an error \
                      handler that adds no CORS headers: the real error is hidden behind a CORS error.",
        request: get(Omit),
        preflight: None,
        actual: Answer { status: 404, headers: &[("content-type", "text/plain")] },
        expected: blocked(E::MissingAllowOriginHeader, None, Actual(ACAO)),
        note: Some("The real problem is the 404; the console shows it, script cannot."),
    },
    Scenario {
        name: "error-500-without-cors",
        description: "A JSON POST whose preflight passes (the CORS middleware answers OPTIONS), but the handler crashes \
                      and the 500 from the outer error middleware carries no CORS headers.",
        request: POST_JSON,
        preflight: Some(Answer {
            status: 204,
            headers: &[(ACAO, "{origin}"), (ACAM, "GET, POST"), (ACAH, "Content-Type"), (VARY, "Origin")],
        }),
        actual: Answer { status: 500, headers: &[("content-type", "text/plain")] },
        expected: blocked(E::MissingAllowOriginHeader, None, Actual(ACAO)),
        note: Some("The real problem is the 500; fix the crash and add CORS headers to error responses too."),
    },
    Scenario {
        name: "wildcard-with-credentials",
        description: "A credentialed GET answered with `Access-Control-Allow-Origin: *` (and \
                      `Access-Control-Allow-Credentials: true`): `*` is not allowed with credentials.",
        request: get(Include),
        preflight: None,
        actual: Answer { status: 200, headers: &[(ACAO, "*"), (ACAC, "true")] },
        expected: blocked(E::WildcardOriginNotAllowed, None, Actual(ACAO)),
        note: None,
    },
    Scenario {
        name: "multiple-acao-list",
        description: "`Access-Control-Allow-Origin` holds a comma-separated list of origins: only one is allowed.",
        request: get(Omit),
        preflight: None,
        actual: Answer { status: 200, headers: &[(ACAO, "{origin}, https://admin.example.com")] },
        expected: blocked(
            E::MultipleAllowOriginValues,
            Some("{origin}, https://admin.example.com"),
            Actual(ACAO),
        ),
        note: None,
    },
    Scenario {
        name: "duplicate-acao-proxy",
        description: "The app echoes the origin and the reverse proxy adds `Access-Control-Allow-Origin: *` too: two \
                      header lines, which the browser joins into one invalid value.",
        request: get(Omit),
        preflight: None,
        actual: Answer { status: 200, headers: &[(ACAO, "{origin}"), (ACAO, "*")] },
        expected: blocked(E::MultipleAllowOriginValues, Some("{origin}, *"), Actual(ACAO)),
        note: Some("Firefox counts header lines; Chromium sees the joined value `{origin}, *`."),
    },
    Scenario {
        name: "invalid-acao",
        description: "`Access-Control-Allow-Origin: app.example.com`: a host without a scheme is not an origin.",
        request: get(Omit),
        preflight: None,
        actual: Answer { status: 200, headers: &[(ACAO, "app.example.com")] },
        expected: blocked(E::InvalidAllowOriginValue, Some("app.example.com"), Actual(ACAO)),
        note: None,
    },
    Scenario {
        name: "origin-mismatch",
        description: "`Access-Control-Allow-Origin` names another origin (the production app), not the requesting one.",
        request: get(Omit),
        preflight: None,
        actual: Answer { status: 200, headers: &[(ACAO, "https://app.example.com")] },
        expected: blocked(E::AllowOriginMismatch, Some("https://app.example.com"), Actual(ACAO)),
        note: None,
    },
    Scenario {
        name: "origin-trailing-slash",
        description: "`Access-Control-Allow-Origin` is the requesting origin with a trailing slash: origins have no \
                      path, so it does not match.",
        request: get(Omit),
        preflight: None,
        actual: Answer { status: 200, headers: &[(ACAO, "{origin}/"), (VARY, "Origin")] },
        expected: blocked(E::AllowOriginMismatch, Some("{origin}/"), Actual(ACAO)),
        note: None,
    },
    Scenario {
        name: "credentials-without-acac",
        description: "A credentialed GET answered with the echoed origin but no `Access-Control-Allow-Credentials`.",
        request: get(Include),
        preflight: None,
        actual: Answer { status: 200, headers: &[(ACAO, "{origin}"), (VARY, "Origin")] },
        expected: blocked(E::InvalidAllowCredentials, None, Actual(ACAC)),
        note: Some("Chromium reports the missing header as the empty value ''."),
    },
    Scenario {
        name: "credentials-acac-wrong-case",
        description: "`Access-Control-Allow-Credentials: True`: the value is case-sensitive and must be `true`.",
        request: get(Include),
        preflight: None,
        actual: Answer { status: 200, headers: &[(ACAO, "{origin}"), (ACAC, "True"), (VARY, "Origin")] },
        expected: blocked(E::InvalidAllowCredentials, Some("True"), Actual(ACAC)),
        note: None,
    },
    Scenario {
        name: "redirect-with-userinfo",
        description: "A GET redirected (302) to a URL with `user:pass@` in it: cross-origin requests may not follow it.",
        request: get(Omit),
        preflight: None,
        actual: Answer {
            status: 302,
            headers: &[(ACAO, "*"), (LOCATION, "http://user:pass@{lab}/s/simple-get-wildcard")],
        },
        expected: blocked(E::RedirectContainsCredentials, None, Actual("redirect")),
        note: Some(
            "Chromium's CheckRedirectLocation reports no failed parameter; the console message quotes the \
             redirect URL.",
        ),
    },
    Scenario {
        name: "redirect-cross-origin",
        description: "A GET redirected (302) to the lab under its other name; the target allows only the page's \
                      origin, but after a cross-origin redirect the browser sends `Origin: null`.",
        request: get(Omit),
        preflight: None,
        actual: Answer { status: 302, headers: &[(ACAO, "*"), (LOCATION, "http://{alt}/b?acao={origin_enc}")] },
        expected: blocked(E::AllowOriginMismatch, Some("{origin}"), Actual(ACAO)),
        note: Some(
            "The mismatch is on the redirect target (`http://{alt}/b`), which would need `*` or `null`; the first \
             hop is fine.",
        ),
    },
    // Blocked on the preflight.
    Scenario {
        name: "preflight-missing-acao",
        description: "The preflight is answered 204 with `Access-Control-Allow-Methods` but no \
                      `Access-Control-Allow-Origin`.",
        request: put(Omit),
        preflight: Some(Answer { status: 204, headers: &[(ACAM, "GET, PUT")] }),
        actual: ECHO_OK,
        expected: blocked(E::PreflightMissingAllowOriginHeader, None, Preflight(ACAO)),
        note: None,
    },
    Scenario {
        name: "preflight-404-router",
        description: "The router has no OPTIONS route: the preflight gets a bare 404. Chromium checks \
                      `Access-Control-Allow-Origin` before the status, so it reports the missing header.",
        request: put(Omit),
        preflight: Some(Answer { status: 404, headers: &[("content-type", "text/plain")] }),
        actual: ECHO_OK,
        expected: blocked(E::PreflightMissingAllowOriginHeader, None, Preflight(ACAO)),
        note: Some("The 404 is the underlying problem: handle OPTIONS for this path (before any auth)."),
    },
    Scenario {
        name: "preflight-405-router",
        description: "The framework answers the preflight `405 Method Not Allowed` (with `Allow: GET, POST`) and no \
                      CORS headers.",
        request: put_custom(Omit),
        preflight: Some(Answer { status: 405, headers: &[("allow", "GET, POST"), ("content-type", "text/plain")] }),
        actual: ECHO_OK,
        expected: blocked(E::PreflightMissingAllowOriginHeader, None, Preflight(ACAO)),
        note: Some("The 405 is the underlying problem: answer OPTIONS with 204 and the CORS headers."),
    },
    Scenario {
        name: "preflight-401-auth",
        description: "Authentication runs before CORS: the preflight (which never carries credentials) is answered \
                      401, even though the CORS headers are right.",
        request: GET_AUTHORIZATION,
        preflight: Some(Answer {
            status: 401,
            headers: &[
                (ACAO, "{origin}"),
                (ACAM, "GET, POST"),
                (ACAH, "Authorization"),
                (VARY, "Origin"),
                ("www-authenticate", "Bearer"),
            ],
        }),
        actual: ECHO_OK,
        expected: blocked(E::PreflightInvalidStatus, None, Preflight("status")),
        note: None,
    },
    Scenario {
        name: "preflight-redirect",
        description: "The preflight is answered with a 301 to the same path plus a trailing slash: preflights may \
                      not redirect.",
        request: put(Omit),
        preflight: Some(Answer {
            status: 301,
            headers: &[(ACAO, "{origin}"), (LOCATION, "http://{lab}/s/preflight-redirect/")],
        }),
        actual: ECHO_OK,
        expected: blocked(E::PreflightDisallowedRedirect, None, Preflight("redirect")),
        note: None,
    },
    Scenario {
        name: "preflight-wildcard-with-credentials",
        description: "A credentialed PUT whose preflight answers `Access-Control-Allow-Origin: *`.",
        request: put(Include),
        preflight: Some(Answer { status: 204, headers: &[(ACAO, "*"), (ACAC, "true"), (ACAM, "PUT")] }),
        actual: ECHO_OK,
        expected: blocked(E::PreflightWildcardOriginNotAllowed, None, Preflight(ACAO)),
        note: None,
    },
    Scenario {
        name: "preflight-multiple-acao",
        description: "The preflight carries `Access-Control-Allow-Origin` twice (proxy and app), joined into one \
                      invalid value.",
        request: put(Omit),
        preflight: Some(Answer { status: 204, headers: &[(ACAO, "{origin}"), (ACAO, "{origin}"), (ACAM, "PUT")] }),
        actual: ECHO_OK,
        expected: blocked(E::PreflightMultipleAllowOriginValues, Some("{origin}, {origin}"), Preflight(ACAO)),
        note: None,
    },
    Scenario {
        name: "preflight-invalid-acao",
        description: "The preflight answers `Access-Control-Allow-Origin: app.example.com` (no scheme).",
        request: put(Omit),
        preflight: Some(Answer { status: 204, headers: &[(ACAO, "app.example.com"), (ACAM, "PUT")] }),
        actual: ECHO_OK,
        expected: blocked(E::PreflightInvalidAllowOriginValue, Some("app.example.com"), Preflight(ACAO)),
        note: None,
    },
    Scenario {
        name: "preflight-origin-mismatch",
        description: "The preflight allows another origin (the production app), not the requesting one.",
        request: put(Omit),
        preflight: Some(Answer { status: 204, headers: &[(ACAO, "https://app.example.com"), (ACAM, "PUT")] }),
        actual: ECHO_OK,
        expected: blocked(E::PreflightAllowOriginMismatch, Some("https://app.example.com"), Preflight(ACAO)),
        note: None,
    },
    Scenario {
        name: "preflight-credentials-without-acac",
        description: "A credentialed PUT whose preflight echoes the origin but omits \
                      `Access-Control-Allow-Credentials` (the preflight has no cookies, but its answer must allow them).",
        request: put(Include),
        preflight: Some(Answer { status: 204, headers: &[(ACAO, "{origin}"), (ACAM, "PUT"), (VARY, "Origin")] }),
        actual: ECHO_OK,
        expected: blocked(E::PreflightInvalidAllowCredentials, None, Preflight(ACAC)),
        note: Some("Chromium reports the missing header as the empty value ''."),
    },
    Scenario {
        name: "invalid-allow-methods",
        description: "`Access-Control-Allow-Methods: GET PUT DELETE`: space-separated, so `GET PUT DELETE` is one \
                      item and not a method token.",
        request: put(Omit),
        preflight: Some(Answer { status: 204, headers: &[(ACAO, "{origin}"), (ACAM, "GET PUT DELETE")] }),
        actual: ECHO_OK,
        expected: blocked(E::InvalidAllowMethodsPreflightResponse, None, Preflight(ACAM)),
        note: None,
    },
    Scenario {
        name: "invalid-allow-headers",
        description: "`Access-Control-Allow-Headers: X-Custom; Content-Type`: semicolons are not list separators.",
        request: put_custom(Omit),
        preflight: Some(Answer {
            status: 204,
            headers: &[(ACAO, "{origin}"), (ACAM, "PUT"), (ACAH, "X-Custom; Content-Type")],
        }),
        actual: ECHO_OK,
        expected: blocked(E::InvalidAllowHeadersPreflightResponse, None, Preflight(ACAH)),
        note: None,
    },
    Scenario {
        name: "method-disallowed",
        description: "A PUT whose preflight allows only `GET, POST`.",
        request: put(Omit),
        preflight: Some(Answer { status: 204, headers: &[(ACAO, "{origin}"), (ACAM, "GET, POST")] }),
        actual: ECHO_OK,
        expected: blocked(E::MethodDisallowedByPreflightResponse, Some("PUT"), Preflight(ACAM)),
        note: None,
    },
    Scenario {
        name: "header-disallowed",
        description: "A PUT with `X-Custom` whose preflight allows only `Content-Type`.",
        request: put_custom(Omit),
        preflight: Some(Answer {
            status: 204,
            headers: &[(ACAO, "{origin}"), (ACAM, "PUT"), (ACAH, "Content-Type")],
        }),
        actual: ECHO_OK,
        expected: blocked(E::HeaderDisallowedByPreflightResponse, Some("x-custom"), Preflight(ACAH)),
        note: None,
    },
    Scenario {
        name: "content-type-json-not-allowed",
        description: "A JSON POST: `Content-Type: application/json` is not safelisted, and the preflight allows only \
                      `X-Requested-With`.",
        request: POST_JSON,
        preflight: Some(Answer {
            status: 204,
            headers: &[(ACAO, "{origin}"), (ACAM, "GET, POST"), (ACAH, "X-Requested-With")],
        }),
        actual: ECHO_OK,
        expected: blocked(E::HeaderDisallowedByPreflightResponse, Some("content-type"), Preflight(ACAH)),
        note: None,
    },
    Scenario {
        name: "acah-wildcard-with-credentials",
        description: "A credentialed PUT with `X-Custom` whose preflight answers `Access-Control-Allow-Headers: *`: \
                      with credentials, `*` is only a literal header name.",
        request: Request {
            method: "PUT",
            headers: &[("X-Custom", "1")],
            credentials: Include,
            body: None,
        },
        preflight: Some(Answer {
            status: 204,
            headers: &[(ACAO, "{origin}"), (ACAC, "true"), (ACAM, "PUT"), (ACAH, "*"), (VARY, "Origin")],
        }),
        actual: ECHO_OK,
        expected: blocked(E::HeaderDisallowedByPreflightResponse, Some("x-custom"), Preflight(ACAH)),
        note: None,
    },
];

/// The permissive preflight answer used by `/echo`.
pub const ECHO_PREFLIGHT: Answer = PREFLIGHT_OK;
/// The permissive actual answer used by `/echo`.
pub const ECHO_ACTUAL: Answer = ECHO_OK;

/// The catalogue as served by `GET /scenarios`.
pub fn to_json() -> Value {
    Value::Array(SCENARIOS.iter().map(scenario_json).collect())
}

fn scenario_json(s: &Scenario) -> Value {
    json!({
        "name": s.name,
        "path": format!("/s/{}", s.name),
        "description": s.description,
        "request": {
            "method": s.request.method,
            "headers": s.request.headers,
            "credentials": s.request.credentials.as_str(),
            "mode": "cors",
            "body": s.request.body,
        },
        "expected": expected_json(s),
        "note": s.note,
        "answers": {
            "preflight": answer_json(&s.preflight_answer()),
            "actual": answer_json(&s.actual),
        },
    })
}

fn expected_json(s: &Scenario) -> Value {
    let e = &s.expected;
    let (fault_response, fault_header) = match e.fault {
        Some(Fault::Preflight(what)) => (Some("preflight"), Some(what)),
        Some(Fault::Actual(what)) => (Some("actual"), Some(what)),
        None => (None, None),
    };
    json!({
        "outcome": if e.cors_error.is_some() { "blocked" } else { "ok" },
        "cors_error": e.cors_error.map(CorsError::name),
        "failed_parameter": e.failed_parameter,
        "fault_response": fault_response,
        "fault_header": fault_header,
        "preflight": s.request.needs_preflight(),
    })
}

fn answer_json(a: &Answer) -> Value {
    json!({ "status": a.status, "headers": a.headers })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reply::Ctx;
    use axum::http::{HeaderName, HeaderValue, StatusCode};
    use corscope_model::error::Stage;
    use std::collections::HashSet;

    #[test]
    fn covers_every_server_caused_error() {
        let covered: HashSet<CorsError> = SCENARIOS
            .iter()
            .filter_map(|s| s.expected.cors_error)
            .collect();
        for e in CorsError::ALL.into_iter().filter(|e| e.is_server_caused()) {
            assert!(covered.contains(&e), "no scenario for {e}");
        }
        for e in &covered {
            assert!(e.is_server_caused(), "{e} is not server-caused");
        }
    }

    #[test]
    fn served_codes_parse_as_devtools_names() {
        let Value::Array(rows) = to_json() else {
            panic!("not an array")
        };
        assert_eq!(rows.len(), SCENARIOS.len());
        for row in rows {
            let code = &row["expected"]["cors_error"];
            if let Some(name) = code.as_str() {
                assert!(CorsError::from_name(name).is_some(), "{name}");
            } else {
                assert!(code.is_null());
                assert_eq!(row["expected"]["outcome"], "ok");
            }
        }
    }

    #[test]
    fn names_are_unique_and_url_safe() {
        let mut seen = HashSet::new();
        for s in SCENARIOS {
            assert!(seen.insert(s.name), "duplicate {}", s.name);
            assert!(s
                .name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'));
            assert_eq!(find(s.name).map(|f| f.name), Some(s.name));
        }
    }

    #[test]
    fn faults_agree_with_the_error_stage() {
        for s in SCENARIOS {
            let e = &s.expected;
            match (e.cors_error, e.fault) {
                (None, None) => {}
                (Some(err), Some(Fault::Preflight(_))) => {
                    assert_eq!(err.stage(), Stage::Preflight, "{}", s.name);
                    assert!(s.request.needs_preflight(), "{}", s.name);
                }
                (Some(err), Some(Fault::Actual(_))) => {
                    assert_eq!(err.stage(), Stage::Actual, "{}", s.name)
                }
                _ => panic!("{}: cors_error and fault disagree", s.name),
            }
        }
    }

    #[test]
    fn failed_parameter_only_where_chromium_sets_one() {
        use CorsError::*;
        for s in SCENARIOS {
            let Some(err) = s.expected.cors_error else {
                continue;
            };
            let has_param = matches!(
                err,
                MultipleAllowOriginValues
                    | PreflightMultipleAllowOriginValues
                    | InvalidAllowOriginValue
                    | PreflightInvalidAllowOriginValue
                    | AllowOriginMismatch
                    | PreflightAllowOriginMismatch
                    | InvalidAllowCredentials
                    | PreflightInvalidAllowCredentials
                    | MethodDisallowedByPreflightResponse
                    | HeaderDisallowedByPreflightResponse
            );
            if !has_param {
                assert_eq!(s.expected.failed_parameter, None, "{}", s.name);
            }
        }
    }

    #[test]
    fn every_answer_is_sendable() {
        let ctx = Ctx {
            origin: Some(b"http://127.0.0.1:5000"),
            lab: b"127.0.0.1:8787".to_vec(),
            alt: b"localhost:8787".to_vec(),
            acrm: Some(b"PUT"),
            acrh: Some(b"x-custom"),
        };
        for s in SCENARIOS {
            for answer in [s.preflight_answer(), s.actual] {
                assert!(StatusCode::from_u16(answer.status).is_ok(), "{}", s.name);
                for (name, template) in answer.headers {
                    assert!(
                        HeaderName::from_bytes(name.as_bytes()).is_ok(),
                        "{}: {name}",
                        s.name
                    );
                    let value = ctx.expand(template).unwrap();
                    assert!(
                        HeaderValue::from_bytes(&value).is_ok(),
                        "{}: {template}",
                        s.name
                    );
                }
            }
        }
    }

    #[test]
    fn preflight_classification() {
        let preflighted: Vec<&str> = SCENARIOS
            .iter()
            .filter(|s| s.request.needs_preflight())
            .map(|s| s.name)
            .collect();
        assert!(preflighted.contains(&"preflight-put-ok"));
        assert!(preflighted.contains(&"authorization-under-wildcard"));
        assert!(preflighted.contains(&"error-500-without-cors"));
        assert!(!preflighted.contains(&"missing-acao"));
        assert!(safelisted("Content-Type", "text/plain;charset=UTF-8"));
        assert!(!safelisted("Content-Type", "application/json"));
    }
}
