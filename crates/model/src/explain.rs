//! Words for a verdict: a one-line headline naming the header and the value seen against the value
//! required, the exact line Chrome's console prints for the same failure (so users recognise it), Firefox's
//! reason, and a few sentences on what happened and why.
//!
//! Two inputs are served: a full [`Blocked`] (from raw responses, every value known), and the probe
//! path's partial knowledge (stage, header at fault, failed parameter), see [`candidate_headline`].
//! Console wording: Chromium `third_party/blink/renderer/platform/loader/cors/cors_error_string.cc`.

use crate::check::{ACAC, ACAH, ACAM, ACAO};
use crate::error::{CorsError, Stage};
use crate::request::Request;
use crate::text::{code, Joined};
use crate::url::Origin;
use crate::verdict::{Blocked, FaultPart, Missing, NetworkError, Warning};

/// One sentence naming the header and the value seen against the value required.
///
/// e.g. "The preflight response lacks `x-api-key` in Access-Control-Allow-Headers (it allows
/// `content-type`)."
pub fn headline(blocked: &Blocked, request: &Request) -> String {
    use CorsError::*;
    let subject = subject(blocked);
    let seen = blocked.seen.as_deref().unwrap_or("");
    let origin = request.origin().serialize();
    let param = blocked.chromium_failed_parameter();
    match blocked.error {
        MissingAllowOriginHeader | PreflightMissingAllowOriginHeader => {
            match blocked.error_status_without_cors() {
                Some(status) => format!(
                    "{subject} is a {status} without Access-Control-Allow-Origin: the real error is \
                     the {status}; CORS only hides it."
                ),
                None => format!(
                    "{subject} lacks Access-Control-Allow-Origin (it must be {}).",
                    allowed_origin_values(blocked, request)
                ),
            }
        }
        WildcardOriginNotAllowed | PreflightWildcardOriginNotAllowed => format!(
            "{subject} has Access-Control-Allow-Origin `*`, which a request with credentials cannot \
             use (it must be {}).",
            code(&origin)
        ),
        MultipleAllowOriginValues | PreflightMultipleAllowOriginValues => format!(
            "{subject} has several Access-Control-Allow-Origin values ({}{}); it must be \
             exactly one: {}.",
            code(seen),
            if sent_twice(seen) {
                ", the same value sent twice"
            } else {
                ""
            },
            code(required(blocked, &origin))
        ),
        InvalidAllowOriginValue | PreflightInvalidAllowOriginValue => format!(
            "{subject} has Access-Control-Allow-Origin {}, which is not an origin (it must be \
             {}).",
            code(seen),
            code(required(blocked, &origin))
        ),
        AllowOriginMismatch | PreflightAllowOriginMismatch => format!(
            "{subject} has Access-Control-Allow-Origin {}, but the request's origin is {}{}.",
            code(seen),
            code(required(blocked, &origin)),
            origin_difference(seen, required(blocked, &origin))
        ),
        InvalidAllowCredentials | PreflightInvalidAllowCredentials => match &blocked.seen {
            None => format!(
                "{subject} lacks Access-Control-Allow-Credentials: true, which a request with \
                 credentials needs."
            ),
            Some(value) => format!(
                "{subject} has Access-Control-Allow-Credentials {}; it must be exactly `true`.",
                code(value)
            ),
        },
        PreflightInvalidStatus => format!(
            "The preflight (OPTIONS) response has status {seen}; it needs a 2xx status (usually 204)."
        ),
        PreflightDisallowedRedirect => format!(
            "The preflight (OPTIONS) request was redirected (to {}); a preflight may not \
             redirect.",
            code(seen)
        ),
        InvalidAllowMethodsPreflightResponse => format!(
            "The preflight response's Access-Control-Allow-Methods {} does not parse{}.",
            code(seen),
            first_invalid(seen)
        ),
        InvalidAllowHeadersPreflightResponse => format!(
            "The preflight response's Access-Control-Allow-Headers {} does not parse{}.",
            code(seen),
            first_invalid(seen)
        ),
        MethodDisallowedByPreflightResponse => format!(
            "The preflight response lacks {} in Access-Control-Allow-Methods ({}).",
            code(&param.to_ascii_uppercase()),
            it_allows(blocked.seen.as_deref())
        ),
        HeaderDisallowedByPreflightResponse => format!(
            "The preflight response lacks {} in Access-Control-Allow-Headers ({}).",
            code(param),
            it_allows(blocked.seen.as_deref())
        ),
        RedirectContainsCredentials => format!(
            "{subject} points to {}, which carries a user name or password; the browser \
             refuses that for a cross-origin request.",
            code(seen)
        ),
        DisallowedByMode => format!(
            "{subject} redirects to another origin ({}), which mode `same-origin` refuses.",
            code(seen)
        ),
        other => candidate_detail(other).to_string(),
    }
}

/// The line Chrome prints in the console for the same failure.
///
/// Frame: `Access to fetch at '<url>' [(redirected from '<first url>')] from origin '<origin>' has been
/// blocked by CORS policy: ` + (for access-check and status/redirect errors on the preflight)
/// `Response to preflight request doesn't pass access control check: ` + the error's text. The hints
/// Chrome appends for `fetch()` ("If an opaque response serves your needs…") are included.
pub fn console_message(blocked: &Blocked, request: &Request) -> String {
    let mut line = format!("Access to fetch at '{}' ", blocked.url);
    if blocked.url != *request.url() {
        line.push_str(&format!("(redirected from '{}') ", request.url()));
    }
    line.push_str(&format!(
        "from origin '{}' has been blocked by CORS policy: ",
        request.origin()
    ));
    if is_preflight_flavoured(blocked.error) {
        line.push_str("Response to preflight request doesn't pass access control check: ");
    }
    line.push_str(&console_text(
        blocked.error,
        blocked.chromium_failed_parameter(),
    ));
    line
}

/// Blink `IsPreflightError`: the errors whose console text gets the "Response to preflight request"
/// prefix. The method/header/parse errors are not among them: their own text says "in preflight
/// response".
fn is_preflight_flavoured(error: CorsError) -> bool {
    use CorsError::*;
    matches!(
        error,
        PreflightWildcardOriginNotAllowed
            | PreflightMissingAllowOriginHeader
            | PreflightMultipleAllowOriginValues
            | PreflightInvalidAllowOriginValue
            | PreflightAllowOriginMismatch
            | PreflightInvalidAllowCredentials
            | PreflightInvalidStatus
            | PreflightDisallowedRedirect
    )
}

const NO_CORS_HINT: &str = " Have the server send the header with a valid value, or, if an opaque \
                            response serves your needs, set the request's mode to 'no-cors' to fetch \
                            the resource with CORS disabled.";

/// Chrome's text for one error, `hint` being the failed parameter (Blink `GetErrorString`, initiator
/// `fetch`).
pub fn console_text(error: CorsError, hint: &str) -> String {
    use CorsError::*;
    match error {
        DisallowedByMode => "Cross origin requests are not allowed by request mode.".into(),
        InvalidResponse => "The response is invalid.".into(),
        WildcardOriginNotAllowed | PreflightWildcardOriginNotAllowed => {
            "The value of the 'Access-Control-Allow-Origin' header in the response must not be the \
             wildcard '*' when the request's credentials mode is 'include'."
                .into()
        }
        MissingAllowOriginHeader | PreflightMissingAllowOriginHeader => {
            "No 'Access-Control-Allow-Origin' header is present on the requested resource. If an \
             opaque response serves your needs, set the request's mode to 'no-cors' to fetch the \
             resource with CORS disabled."
                .into()
        }
        MultipleAllowOriginValues | PreflightMultipleAllowOriginValues => format!(
            "The 'Access-Control-Allow-Origin' header contains multiple values '{hint}', but only \
             one is allowed.{NO_CORS_HINT}"
        ),
        InvalidAllowOriginValue | PreflightInvalidAllowOriginValue => format!(
            "The 'Access-Control-Allow-Origin' header contains the invalid value '{hint}'.{NO_CORS_HINT}"
        ),
        AllowOriginMismatch | PreflightAllowOriginMismatch => format!(
            "The 'Access-Control-Allow-Origin' header has a value '{hint}' that is not equal to the \
             supplied origin.{NO_CORS_HINT}"
        ),
        InvalidAllowCredentials | PreflightInvalidAllowCredentials => format!(
            "The value of the 'Access-Control-Allow-Credentials' header in the response is '{hint}' \
             which must be 'true' when the request's credentials mode is 'include'."
        ),
        // Blink's SchemeRegistry::ListOfCorsEnabledURLSchemes(); the list varies by build and embedder.
        CorsDisabledScheme => "Cross origin requests are only supported for protocol schemes: \
                               http, data, isolated-app, chrome-extension, chrome, https, \
                               chrome-untrusted."
            .into(),
        PreflightInvalidStatus => "It does not have HTTP ok status.".into(),
        PreflightDisallowedRedirect => "Redirect is not allowed for a preflight request.".into(),
        InvalidAllowMethodsPreflightResponse => {
            "Cannot parse Access-Control-Allow-Methods response header field in preflight response."
                .into()
        }
        InvalidAllowHeadersPreflightResponse => {
            "Cannot parse Access-Control-Allow-Headers response header field in preflight response."
                .into()
        }
        MethodDisallowedByPreflightResponse => format!(
            "Method {hint} is not allowed by Access-Control-Allow-Methods in preflight response."
        ),
        HeaderDisallowedByPreflightResponse => format!(
            "Request header field {hint} is not allowed by Access-Control-Allow-Headers in preflight \
             response."
        ),
        RedirectContainsCredentials => format!(
            "Redirect location '{hint}' contains a username and password, which is disallowed for \
             cross-origin requests."
        ),
        InsecureLocalNetwork => "The request client is not a secure context and the resource is in \
                                 more-private address space `local`."
            .into(),
        InvalidLocalNetworkAccess => "Request had a target IP address space of `unknown` yet the \
                                      resource is in address space `local`."
            .into(),
        LocalNetworkAccessPermissionDenied => {
            "Permission was denied for this request to access the `local` address space.".into()
        }
        NoCorsRedirectModeNotFollow => {
            "Redirect mode must be 'follow' for a request whose mode is 'no-cors'.".into()
        }
    }
}

/// Firefox's console reason for the same failure (the text inside "(Reason: …)"), as MDN lists it;
/// `None` where Firefox reports no CORS reason (its request fails before any CORS check).
pub fn firefox_reason(blocked: &Blocked) -> Option<String> {
    use CorsError::*;
    let seen = blocked.seen.as_deref().unwrap_or("");
    let reason = match blocked.error {
        MissingAllowOriginHeader | PreflightMissingAllowOriginHeader => {
            "CORS header 'Access-Control-Allow-Origin' missing".to_string()
        }
        // Gecko counts header lines; a comma-joined value usually means two lines.
        MultipleAllowOriginValues | PreflightMultipleAllowOriginValues
            if crate::text::contains(seen, ", ") =>
        {
            "Multiple CORS header 'Access-Control-Allow-Origin' not allowed".to_string()
        }
        MultipleAllowOriginValues
        | PreflightMultipleAllowOriginValues
        | InvalidAllowOriginValue
        | PreflightInvalidAllowOriginValue
        | AllowOriginMismatch
        | PreflightAllowOriginMismatch => {
            format!("CORS header 'Access-Control-Allow-Origin' does not match '{seen}'")
        }
        WildcardOriginNotAllowed | PreflightWildcardOriginNotAllowed => {
            "Credential is not supported if the CORS header 'Access-Control-Allow-Origin' is '*'"
                .to_string()
        }
        InvalidAllowCredentials | PreflightInvalidAllowCredentials => {
            "expected 'true' in CORS header 'Access-Control-Allow-Credentials'".to_string()
        }
        PreflightInvalidStatus => "CORS preflight channel did not succeed".to_string(),
        PreflightDisallowedRedirect => "CORS request external redirect not allowed".to_string(),
        InvalidAllowMethodsPreflightResponse => format!(
            "invalid token '{}' in CORS header 'Access-Control-Allow-Methods'",
            invalid_item(seen).unwrap_or(seen)
        ),
        InvalidAllowHeadersPreflightResponse => format!(
            "invalid token '{}' in CORS header 'Access-Control-Allow-Headers'",
            invalid_item(seen).unwrap_or(seen)
        ),
        MethodDisallowedByPreflightResponse => {
            "Did not find method in CORS header 'Access-Control-Allow-Methods'".to_string()
        }
        HeaderDisallowedByPreflightResponse => format!(
            "missing token '{}' in CORS header 'Access-Control-Allow-Headers' from CORS preflight \
             channel",
            blocked.chromium_failed_parameter()
        ),
        RedirectContainsCredentials => "CORS request did not succeed".to_string(),
        CorsDisabledScheme => "CORS request not http".to_string(),
        _ => return None,
    };
    Some(reason)
}

/// Two to four sentences: what happened, why the browser refuses it, and (for
/// Access-Control-Allow-Origin) that the origin checked is the one the request came from.
pub fn detail(blocked: &Blocked, request: &Request) -> String {
    let mut text = what_happened(blocked, request);
    if let Some(note) = divergence_note(blocked, request) {
        text.push(' ');
        text.push_str(&note);
    }
    if blocked.involves_allow_origin() {
        text.push(' ');
        text.push_str(&origin_note(request.origin()));
    }
    text
}

fn what_happened(blocked: &Blocked, request: &Request) -> String {
    use CorsError::*;
    let subject = subject(blocked);
    let hop_note = match blocked.hop {
        Some(hop) if hop > 0 => format!(
            " This is redirect hop {hop}: every response of a CORS request, redirects included, must \
             pass the check, and after a redirect to another origin the browser sends `Origin: null`."
        ),
        _ => String::new(),
    };
    let why = match blocked.error {
        MissingAllowOriginHeader | PreflightMissingAllowOriginHeader => {
            match blocked.error_status_without_cors() {
                Some(status) => format!(
                    "{subject} came back with status {status} and no CORS headers, so the browser \
                     hides it from the page and reports a CORS error. Many frameworks drop CORS \
                     headers from error responses; fix the {status} first (or make the error \
                     responses carry the CORS headers too)."
                ),
                None => format!(
                    "{subject} carries no Access-Control-Allow-Origin header, so the browser \
                     does not let the page read it. The server must name the page's origin (or \
                     `*` for requests without credentials)."
                ),
            }
        }
        WildcardOriginNotAllowed | PreflightWildcardOriginNotAllowed => format!(
            "The request is sent with credentials (credentials: 'include'), and for such requests the \
             browser refuses the wildcard `*`: {} must echo the exact origin and add \
             Access-Control-Allow-Credentials: true.",
            subject.to_ascii_lowercase()
        ),
        MultipleAllowOriginValues | PreflightMultipleAllowOriginValues => format!(
            "Access-Control-Allow-Origin must hold exactly one origin. When two layers (a proxy and \
             the app, or two middlewares) both add the header, the browser joins the lines with \
             \", \" and the value matches nothing; a list of origins is not allowed either. {subject} \
             must send one line with one origin."
        ),
        InvalidAllowOriginValue | PreflightInvalidAllowOriginValue => format!(
            "Access-Control-Allow-Origin must be `*` or a serialized origin such as {} \
             (scheme, host and port, nothing else); patterns like `*.example.com` are not supported.",
            code(&request.origin().serialize())
        ),
        AllowOriginMismatch | PreflightAllowOriginMismatch => {
            "The browser compares Access-Control-Allow-Origin byte for byte with the request's \
             origin: scheme, host and port must match exactly, with no trailing slash or path."
                .to_string()
        }
        InvalidAllowCredentials | PreflightInvalidAllowCredentials => format!(
            "The request is sent with credentials (credentials: 'include'), so {} must also say \
             Access-Control-Allow-Credentials: true, spelled exactly so (lowercase, one value).",
            subject.to_ascii_lowercase()
        ),
        PreflightInvalidStatus => "Before the real request the browser sent an OPTIONS preflight, \
                                   and the server did not answer it with a 2xx status. OPTIONS must \
                                   be answered by the CORS layer before routing, authentication or \
                                   method checks reject it."
            .to_string(),
        PreflightDisallowedRedirect => "A preflight must be answered where it is sent: a redirect \
                                        (http to https, a missing trailing slash, a login page) fails \
                                        it. Call the final URL directly."
            .to_string(),
        InvalidAllowMethodsPreflightResponse | InvalidAllowHeadersPreflightResponse => {
            "The list must be comma-separated HTTP tokens (no spaces inside an item, no quotes, \
             semicolons or slashes); the browser rejects the whole preflight when one item is not a \
             token."
                .to_string()
        }
        MethodDisallowedByPreflightResponse => format!(
            "The request's method {} is not GET, HEAD or POST, so the preflight's \
             Access-Control-Allow-Methods must list it.",
            code(request.method())
        ),
        HeaderDisallowedByPreflightResponse => format!(
            "The request sends {}, which is not CORS-safelisted, so the preflight's \
             Access-Control-Allow-Headers must list it (names are compared case-insensitively). The \
             browser asked for: {}.",
            code(&sent_header(request, blocked.chromium_failed_parameter())),
            request.unsafe_header_names().joined(", ")
        ),
        RedirectContainsCredentials => "A redirect target with `user:password@` would leak or \
                                        inject credentials across origins, so the browser refuses \
                                        to follow it."
            .to_string(),
        other => candidate_detail(other).to_string(),
    };
    format!("{why}{hop_note}")
}

/// Where Chromium 156 departs from the standard in a way that touches this failure.
fn divergence_note(blocked: &Blocked, request: &Request) -> Option<String> {
    match blocked.error {
        CorsError::MethodDisallowedByPreflightResponse => {
            let method = request.method();
            let upper = method.to_ascii_uppercase();
            (method != upper).then(|| {
                let (method, upper) = (code(method), code(&upper));
                format!(
                    "Methods are compared exactly as sent, case included, and `fetch()` upper-cases only \
                     DELETE, GET, HEAD, OPTIONS, POST and PUT: {method} goes out as {method}. Send \
                     {upper} and list {upper}, which works in every browser."
                )
            })
        }
        CorsError::PreflightMissingAllowOriginHeader => blocked.status.and_then(|status| {
            (!(200..=299).contains(&status)).then(|| {
                format!(
                    "The status {status} is wrong too: Chromium reports the missing header first \
                     because it checks the headers before the status."
                )
            })
        }),
        _ => None,
    }
}

/// The sentence every Access-Control-Allow-Origin verdict needs on a tester's page.
pub fn origin_note(origin: &Origin) -> String {
    format!(
        "The origin checked is {}, the one this request was sent from; if your app runs on \
         another origin, the server may rightly allow your app and refuse this page, so check with \
         the curl commands and your app's origin.",
        code(&origin.serialize())
    )
}

/// A headline from the probe path's partial knowledge: the stage, the response header at fault (or
/// `status`/`redirect`), and the failed parameter, without the header values.
///
/// `credentialed`: the request sends credentials, so a `*` origin fails too (otherwise `*` passes and the
/// headline does not suggest it).
pub fn candidate_headline(
    stage: Option<Stage>,
    fault_header: Option<&str>,
    failed_parameter: Option<&str>,
    credentialed: bool,
) -> String {
    let subject = stage_subject(stage);
    let param = failed_parameter.unwrap_or("");
    match (fault_header, failed_parameter) {
        (Some(ACAH), Some(_)) => format!(
            "{subject} does not allow the request header {} in Access-Control-Allow-Headers.",
            code(param)
        ),
        (Some(ACAM), Some(_)) => format!(
            "{subject} does not allow the method {} in Access-Control-Allow-Methods.",
            code(param)
        ),
        (Some(ACAO), _) => format!(
            "{subject} has no Access-Control-Allow-Origin that allows this page's origin (missing, \
             wrong{}).",
            if credentialed {
                ", several values, or `*` with credentials"
            } else {
                " or several values"
            }
        ),
        (Some(ACAC), _) => {
            format!("{subject} lacks Access-Control-Allow-Credentials: true.")
        }
        (Some("status"), _) => format!("{subject} does not have a 2xx status."),
        (Some("redirect"), _) => {
            format!("{subject} is a redirect, which the browser refuses here.")
        }
        (Some(header), _) => format!("{subject} has a bad {} header.", code(header)),
        (None, _) => format!("{subject} fails a CORS check that the probes could not isolate."),
    }
}

/// The headline when the causes left are a credentialed request's two own checks: a `*` origin and a missing
/// `Access-Control-Allow-Credentials: true` fail alike for a page (both pass without credentials), so
/// neither is named as the likelier.
pub fn credentials_headline(stage: Option<Stage>) -> String {
    // Both checks are on a response: the actual one unless the preflight's is known to fail.
    let subject = stage_subject(match stage {
        Some(Stage::Preflight) => stage,
        _ => Some(Stage::Actual),
    });
    format!(
        "{subject} fails one of the two checks a request with credentials adds: \
         Access-Control-Allow-Origin must be this page's origin (never `*`), and \
         Access-Control-Allow-Credentials must be `true`. The page cannot see which; the curl commands \
         below show both."
    )
}

/// How a headline names the response at fault.
fn stage_subject(stage: Option<Stage>) -> &'static str {
    match stage {
        Some(Stage::Preflight) => "The preflight (OPTIONS) response",
        Some(Stage::Actual) => "The response",
        _ => "The exchange",
    }
}

/// What one error means and what fixes it, for when only the code is known.
pub fn candidate_detail(error: CorsError) -> &'static str {
    use CorsError::*;
    match error {
        DisallowedByMode => "The request's mode is `same-origin` but the URL is on another origin; use mode `cors`.",
        InvalidResponse => "The preflight failed at the network level (no HTTP response to check): the connection was refused, reset or timed out.",
        WildcardOriginNotAllowed => "The response says Access-Control-Allow-Origin: * but the request is sent with credentials; the server must echo the exact origin and send Access-Control-Allow-Credentials: true.",
        MissingAllowOriginHeader => "The response has no Access-Control-Allow-Origin header; often an error response (4xx/5xx) that the CORS layer never saw.",
        MultipleAllowOriginValues => "Access-Control-Allow-Origin holds more than one value, usually because a proxy and the app both add it; send it once.",
        InvalidAllowOriginValue => "Access-Control-Allow-Origin is not a valid origin; send `*` or exactly scheme://host[:port].",
        AllowOriginMismatch => "Access-Control-Allow-Origin names another origin (check scheme, port, `www`, trailing slash).",
        InvalidAllowCredentials => "The request is sent with credentials but the response lacks Access-Control-Allow-Credentials: true (exactly, lowercase).",
        CorsDisabledScheme => "The URL's scheme is not http or https; CORS requests only work over HTTP(S).",
        PreflightInvalidStatus => "The OPTIONS preflight was answered with a non-2xx status; the server (or a proxy, or an auth layer) must answer OPTIONS with 204 and the CORS headers.",
        PreflightDisallowedRedirect => "The OPTIONS preflight was answered with a redirect (e.g. http to https, or a trailing slash); call the final URL directly.",
        PreflightWildcardOriginNotAllowed => "The preflight answers Access-Control-Allow-Origin: * but the request is sent with credentials; echo the exact origin.",
        PreflightMissingAllowOriginHeader => "The preflight response has no Access-Control-Allow-Origin; the OPTIONS request probably never reached the CORS layer.",
        PreflightMultipleAllowOriginValues => "The preflight response has several Access-Control-Allow-Origin values; send the header once.",
        PreflightInvalidAllowOriginValue => "The preflight's Access-Control-Allow-Origin is not a valid origin.",
        PreflightAllowOriginMismatch => "The preflight's Access-Control-Allow-Origin names another origin.",
        PreflightInvalidAllowCredentials => "The request is sent with credentials but the preflight lacks Access-Control-Allow-Credentials: true.",
        InvalidAllowMethodsPreflightResponse => "The preflight's Access-Control-Allow-Methods is not a comma-separated list of tokens.",
        InvalidAllowHeadersPreflightResponse => "The preflight's Access-Control-Allow-Headers is not a comma-separated list of tokens.",
        MethodDisallowedByPreflightResponse => "The request's method is not in the preflight's Access-Control-Allow-Methods.",
        HeaderDisallowedByPreflightResponse => "A request header is not in the preflight's Access-Control-Allow-Headers.",
        RedirectContainsCredentials => "A redirect points to a URL with a user name or password, which the browser refuses for cross-origin requests.",
        InsecureLocalNetwork => "A page that is not a secure context (http) tried to reach a more local address (Local Network Access); serve the page over https.",
        InvalidLocalNetworkAccess => "The request declared a target address space (targetAddressSpace) that differs from where the server actually is.",
        LocalNetworkAccessPermissionDenied => "The user (or a policy) did not grant this site the Local Network Access permission Chrome asks for since version 142.",
        NoCorsRedirectModeNotFollow => "A `no-cors` request must use redirect mode `follow`.",
    }
}

/// One sentence per warning of an allowed exchange, saying what the standard and other browsers do
/// where Chromium is more lenient.
pub fn warning(warning: &Warning) -> String {
    match warning {
        Warning::MissingVaryOrigin => "Access-Control-Allow-Origin echoes the origin but the response \
            lacks `Vary: Origin`: a shared cache may hand this answer to another origin, which then \
            fails. Add `Vary: Origin`."
            .to_string(),
        Warning::WildcardBreaksWithCredentials => "Access-Control-Allow-Origin is `*`: fine without \
            credentials, but the day the request sends cookies (credentials: 'include') the browser \
            blocks it; the server will then have to echo the origin and send \
            Access-Control-Allow-Credentials: true."
            .to_string(),
        Warning::AuthorizationUnderWildcard => "`Authorization` passes only because \
            Access-Control-Allow-Headers is `*`: Chromium 156 allows that, but the Fetch Standard, \
            Firefox and Safari require `Authorization` to be listed by name. Add `authorization` to \
            Access-Control-Allow-Headers."
            .to_string(),
        Warning::ErrorStatus { status } => format!(
            "The server answered {status}; the CORS headers are right, so the page can read this \
             error response — the status is the real problem."
        ),
    }
}

/// One sentence for a failure that is not a CORS check.
pub fn network_error(error: &NetworkError) -> String {
    match error {
        NetworkError::RedirectModeError { hop } => format!(
            "Response {hop} is a redirect and the request's redirect mode is `error`, so the fetch \
             fails (a network error, not a CORS error)."
        ),
        NetworkError::TooManyRedirects { .. } => {
            "More than 20 redirects: the browser gives up (ERR_TOO_MANY_REDIRECTS); look for a \
             redirect loop."
                .to_string()
        }
        NetworkError::RedirectToNonHttp { location, .. } => format!(
            "A redirect leads to {}, which is not http or https; the browser refuses to \
             follow it (a network error, not a CORS error).",
            code(location)
        ),
        NetworkError::InvalidRedirectLocation { location, .. } => format!(
            "A redirect's Location {} is not a valid URL; the browser fails the fetch.",
            code(location)
        ),
    }
}

/// One sentence for an exchange that lacks a response.
pub fn missing(missing: &Missing) -> String {
    match missing {
        Missing::Preflight => "This request needs a preflight: paste the response to the OPTIONS \
                               request too."
            .to_string(),
        Missing::Actual => "The preflight passes; paste the response to the actual request to \
                            check it too."
            .to_string(),
        Missing::RedirectTarget { location } => format!(
            "The last response redirects to {}; paste the response from there too.",
            code(location)
        ),
    }
}

fn subject(blocked: &Blocked) -> String {
    match (blocked.fault.stage, blocked.hop) {
        (Stage::Preflight, _) => "The preflight response".to_string(),
        (_, Some(hop)) if hop > 0 => format!("The response after redirect {hop}"),
        (_, _) if blocked.fault.part == FaultPart::Redirect => "The redirect".to_string(),
        _ => "The response".to_string(),
    }
}

/// What ACAO may say for this request: the exact origin, or also `*` without credentials.
fn allowed_origin_values(blocked: &Blocked, request: &Request) -> String {
    let origin = required(blocked, "");
    let origin = if origin.is_empty() {
        request.origin().serialize()
    } else {
        origin.to_string()
    };
    if request.is_credentialed() {
        code(&origin)
    } else {
        format!("{} or `*`", code(&origin))
    }
}

fn required<'a>(blocked: &'a Blocked, fallback: &'a str) -> &'a str {
    blocked.required.as_deref().unwrap_or(fallback)
}

/// A hint at the usual small differences between an ACAO value and the origin.
fn origin_difference(seen: &str, origin: &str) -> &'static str {
    if seen.trim_end_matches('/') == origin {
        " (remove the trailing slash)"
    } else if seen.eq_ignore_ascii_case(origin) {
        " (the comparison is case-sensitive)"
    } else if strip_scheme(seen) == strip_scheme(origin) {
        " (the scheme differs)"
    } else if strip_www(strip_scheme(seen)) == strip_www(strip_scheme(origin)) {
        " (`www.` differs)"
    } else if origin == "null" {
        " (a redirect to another origin made the request's origin `null`)"
    } else if seen.rsplit_once(':').map(|(host, _)| host) == Some(origin)
        || origin.rsplit_once(':').map(|(host, _)| host) == Some(seen)
    {
        " (the port differs)"
    } else {
        ""
    }
}

fn strip_scheme(origin: &str) -> &str {
    origin
        .split_once(':')
        .and_then(|(_, rest)| rest.strip_prefix("//"))
        .unwrap_or(origin)
}

fn strip_www(host: &str) -> &str {
    host.strip_prefix("www.").unwrap_or(host)
}

/// Whether a joined ACAO value is one origin repeated (two layers adding the same header).
fn sent_twice(seen: &str) -> bool {
    let mut parts = seen.split(',').map(|part| part.trim_start_matches(' '));
    let first = parts.next().unwrap_or("");
    let mut rest = parts.peekable();
    rest.peek().is_some() && rest.all(|part| part == first)
}

/// `name: value` as the request sends it, the value cut at 60 characters.
fn sent_header(request: &Request, name: &str) -> String {
    match request.headers().get(name) {
        Some(value) => format!("{name}: {}", crate::text::shorten(&value, 60)),
        None => name.to_string(),
    }
}

fn it_allows(seen: Option<&str>) -> String {
    match seen {
        None => "the header is absent".to_string(),
        Some(value) if value.trim().is_empty() => "the header is empty".to_string(),
        Some(value) => format!("it allows {}", code(value)),
    }
}

/// The first item of an Access-Control-Allow-* list that is not a token.
fn invalid_item(list: &str) -> Option<&str> {
    list.split(',')
        .map(|item| item.trim_matches(|c| c == ' ' || c == '\t'))
        .find(|item| !item.is_empty() && !crate::header::is_token(item))
}

fn first_invalid(list: &str) -> String {
    match invalid_item(list) {
        Some(item) => format!(
            ": {} is not a token (items are separated by commas, not spaces or semicolons)",
            code(item)
        ),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::response::{Exchange, Response};
    use crate::verdict::fixtures::{Req, APP};
    use crate::verdict::{decide, Verdict};

    fn blocked(req: &Req, preflight: Option<Response>, actual: Vec<Response>) -> Blocked {
        let c = Req::classified(req.clone());
        match decide(&c, &Exchange { preflight, actual }) {
            Verdict::Blocked(b) => b,
            other => panic!("expected Blocked, got {other:?}"),
        }
    }

    #[test]
    fn headline_names_header_seen_and_required() {
        let req = Req::new("PUT").header("X-Api-Key", "k");
        let pf = Response::new(204)
            .with("Access-Control-Allow-Origin", APP)
            .with("Access-Control-Allow-Methods", "PUT")
            .with("Access-Control-Allow-Headers", "content-type");
        let b = blocked(&req, Some(pf), vec![]);
        assert_eq!(
            headline(&b, &req.build()),
            "The preflight response lacks `x-api-key` in Access-Control-Allow-Headers (it allows \
             `content-type`)."
        );
    }

    #[test]
    fn detail_cuts_a_long_header_value_at_60_characters() {
        let long = format!("{}é{}", "a".repeat(59), "b".repeat(40));
        let req = Req::new("GET").header("X-Token", &long);
        let pf = Response::new(204)
            .with("Access-Control-Allow-Origin", APP)
            .with("Access-Control-Allow-Headers", "content-type");
        let text = detail(&blocked(&req, Some(pf), vec![]), &req.build());
        let cut = format!("`x-token: {}é…`", "a".repeat(59));
        assert!(text.contains(&cut), "{text}");
    }

    #[test]
    fn headline_spots_small_origin_differences() {
        // Fetch #cors-check: byte-exact comparison.
        let req = Req::new("GET");
        let rows = [
            ("https://app.example/", "trailing slash"),
            ("http://app.example", "scheme"),
            ("https://www.app.example", "www."),
            ("https://app.example:8443", "port"),
        ];
        for (acao, hint) in rows {
            let r = Response::new(200).with("Access-Control-Allow-Origin", acao);
            let b = blocked(&req, None, vec![r]);
            let line = headline(&b, &req.clone().build());
            assert!(line.contains(acao) && line.contains(hint), "{line}");
        }
    }

    #[test]
    fn server_values_with_backticks_stay_whole_code_spans() {
        // The page shows code spans as <code>: a server's backticks must neither vanish nor split one.
        let req = Req::new("GET");
        for acao in ["a`b", "`https://x.example`", "https://x``.example", "a ` b"] {
            let r = Response::new(200).with("Access-Control-Allow-Origin", acao);
            let b = blocked(&req, None, vec![r]);
            let line = headline(&b, &req.clone().build());
            let code: Vec<&str> = crate::text::code_spans(&line)
                .into_iter()
                .filter_map(|(code, piece)| code.then_some(piece))
                .collect();
            assert!(code.contains(&acao), "{acao:?}: {line} -> {code:?}");
        }
    }

    #[test]
    fn headline_unmasks_error_status() {
        let req = Req::new("GET");
        let b = blocked(&req, None, vec![Response::new(500)]);
        let line = headline(&b, &req.build());
        assert!(
            line.contains("500") && line.contains("real error"),
            "{line}"
        );
    }

    #[test]
    fn console_messages_match_chrome() {
        // cors_error_string.cc: preflight access errors get the preflight prefix.
        let req = Req::new("PUT");
        let b = blocked(&req, Some(Response::new(204)), vec![]);
        assert_eq!(
            console_message(&b, &req.clone().build()),
            "Access to fetch at 'https://api.example/v1/items' from origin 'https://app.example' has \
             been blocked by CORS policy: Response to preflight request doesn't pass access control \
             check: No 'Access-Control-Allow-Origin' header is present on the requested resource. If \
             an opaque response serves your needs, set the request's mode to 'no-cors' to fetch the \
             resource with CORS disabled."
        );
        // ... method errors do not (their text says "in preflight response").
        let pf = Response::new(204).with("Access-Control-Allow-Origin", APP);
        let b = blocked(&req, Some(pf), vec![]);
        assert_eq!(
            console_message(&b, &req.build()),
            "Access to fetch at 'https://api.example/v1/items' from origin 'https://app.example' has \
             been blocked by CORS policy: Method PUT is not allowed by Access-Control-Allow-Methods in \
             preflight response."
        );
        // A redirected request names both URLs.
        let req = Req::new("GET");
        let hop = Response::new(302)
            .with("Location", "https://other.example/x")
            .with("Access-Control-Allow-Origin", APP);
        let fin = Response::new(200).with("Access-Control-Allow-Origin", APP);
        let b = blocked(&req, None, vec![hop, fin]);
        let line = console_message(&b, &req.build());
        assert!(line.starts_with(
            "Access to fetch at 'https://other.example/x' (redirected from \
             'https://api.example/v1/items') from origin 'https://app.example'"
        ));
        assert!(line.contains("has a value 'https://app.example' that is not equal"));
    }

    #[test]
    fn credentials_console_shows_empty_value() {
        let req = Req::new("GET").include();
        let r = Response::new(200).with("Access-Control-Allow-Origin", APP);
        let b = blocked(&req, None, vec![r]);
        assert!(console_message(&b, &req.build())
            .contains("'Access-Control-Allow-Credentials' header in the response is '' which"));
        assert_eq!(
            firefox_reason(&b).as_deref(),
            Some("expected 'true' in CORS header 'Access-Control-Allow-Credentials'")
        );
    }

    #[test]
    fn firefox_reasons() {
        let req = Req::new("GET").header("X-Api-Key", "k");
        let pf = Response::new(204)
            .with("Access-Control-Allow-Origin", APP)
            .with("Access-Control-Allow-Headers", "x-api-key; x-b");
        let b = blocked(&req, Some(pf), vec![]);
        assert_eq!(
            firefox_reason(&b).as_deref(),
            Some("invalid token 'x-api-key; x-b' in CORS header 'Access-Control-Allow-Headers'")
        );
        let dup = Response::new(200)
            .with("Access-Control-Allow-Origin", APP)
            .with("Access-Control-Allow-Origin", APP);
        let b = blocked(&Req::new("GET"), None, vec![dup]);
        assert_eq!(
            firefox_reason(&b).as_deref(),
            Some("Multiple CORS header 'Access-Control-Allow-Origin' not allowed")
        );
    }

    #[test]
    fn detail_mentions_the_page_origin_for_acao_only() {
        let req = Req::new("GET");
        let b = blocked(&req, None, vec![Response::new(200)]);
        let text = detail(&b, &req.clone().build());
        assert!(text.contains("`https://app.example`, the one this request was sent from"));
        let req = Req::new("DELETE");
        let pf = Response::new(204).with("Access-Control-Allow-Origin", APP);
        let b = blocked(&req, Some(pf), vec![]);
        assert!(!detail(&b, &req.build()).contains("sent from"));
    }

    #[test]
    fn detail_explains_method_case() {
        let req = Req::new("patch");
        let pf = Response::new(204)
            .with("Access-Control-Allow-Origin", APP)
            .with("Access-Control-Allow-Methods", "PATCH");
        let b = blocked(&req, Some(pf), vec![]);
        let text = detail(&b, &req.build());
        assert!(text.contains("Send `PATCH`"), "{text}");
    }

    /// Every server-caused code, from raw responses: each text names the failed parameter.
    #[test]
    fn every_server_caused_error_reads_well() {
        for case in crate::verdict::tests::server_caused_cases() {
            let request = case.request.clone().build();
            let b = blocked(&case.request, case.preflight, case.actual);
            let head = headline(&b, &request);
            let console = console_message(&b, &request);
            assert!(head.ends_with('.'), "{}: {head}", case.cite);
            assert!(console.starts_with("Access to fetch at '"), "{}", case.cite);
            if let Some(param) = case.param {
                assert!(head.contains(param), "{}: {head}", case.cite);
                assert!(console.contains(param), "{}: {console}", case.cite);
            }
            assert!(firefox_reason(&b).is_some(), "{}", case.cite);
            assert!(detail(&b, &request).len() > head.len() / 2, "{}", case.cite);
        }
    }

    #[test]
    fn every_error_has_words() {
        for error in CorsError::ALL {
            assert!(!candidate_detail(error).is_empty());
            assert!(!console_text(error, "x").is_empty());
        }
    }

    #[test]
    fn candidate_headlines_name_what_is_known() {
        let line = candidate_headline(Some(Stage::Preflight), Some(ACAH), Some("x-api-key"), false);
        assert_eq!(
            line,
            "The preflight (OPTIONS) response does not allow the request header `x-api-key` in \
             Access-Control-Allow-Headers."
        );
        let line = candidate_headline(Some(Stage::Actual), Some(ACAO), None, false);
        assert!(line.starts_with("The response has no Access-Control-Allow-Origin"));
        assert!(
            line.ends_with("(missing, wrong or several values)."),
            "{line}"
        );
        let line = candidate_headline(Some(Stage::Actual), Some(ACAO), None, true);
        assert!(
            line.ends_with("several values, or `*` with credentials)."),
            "{line}"
        );
        assert!(candidate_headline(None, None, None, false).contains("could not isolate"));
        let line = credentials_headline(Some(Stage::Actual));
        assert!(
            line.starts_with("The response fails one of the two checks"),
            "{line}"
        );
        assert!(!line.contains("  "), "{line}");
    }

    #[test]
    fn warnings_say_what_other_browsers_do() {
        assert!(warning(&Warning::AuthorizationUnderWildcard).contains("Firefox"));
    }
}
