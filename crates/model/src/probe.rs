//! The browser-only path: when a request fails and the page cannot see why, plan the few variant
//! fetches that isolate the failure, then narrow the possible causes from their outcomes.
//!
//! # How the inference works
//! A page sees only "rejected" or "resolved" for each fetch. So the model reasons over *faults*: server
//! behaviours such as "every response lacks a usable `Access-Control-Allow-Origin`" or "the preflight
//! refuses the header `x-api-key`". Each fault has a *scope* — the request shapes it breaks (cors mode,
//! credentialed, preflighted, a given method or header). A *world* is a set of faults; it predicts which
//! fetches fail. Worlds that contradict an observed outcome are discarded. Of the rest, the
//! inclusion-minimal ones (no fault the evidence does not need) give the candidate codes: in each, the
//! first fault that breaks the user's request, in Chromium's order of checks, names the code.
//! The verdict is *certain* only when every consistent world, minimal or not, blames the same code, so a
//! fault the probes could not rule out (an untested method, say) keeps it honest.
//!
//! Codes only worlds with extra, unneeded faults would blame go to [`Inference::also_possible`].
//!
//! A URL that redirects a GET may or may not redirect its preflight: nginx's `return 301` and Flask's
//! trailing-slash redirect do, while a CORS middleware that answers OPTIONS before the router redirects
//! (FastAPI's and Express's trailing-slash redirects) does not. So the control probes are sent with
//! `redirect: "manual"`: when its preflight passes, a control resolves with the redirect itself, which
//! rules out a redirected preflight; when it fails, a redirected preflight stays one candidate of several.
//!
//! A property test in this module replays thousands of simulated servers through [`crate::verdict::decide`] and checks that the inference
//! is sound: the true code is always a candidate or also possible, and a certain verdict is always right.

use std::fmt;

use crate::classify::{classify, Classification, Refusal};
use crate::error::{CorsError, Stage};
use crate::method::is_cors_safelisted_method;
use crate::request::{Credentials, Mode, Redirect, RequestSpec};
use crate::text::Joined;

/// One variant fetch for the page to send.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Probe {
    /// Short stable name shown in the report, e.g. `reach`, `simple`, `method`, `header:x-api-key`.
    pub name: String,
    /// What the probe finds out, in plain English.
    pub purpose: String,
    /// What to send (the origin field is the page's own).
    pub spec: RequestSpec,
}

impl Probe {
    /// Whether sending this probe can change nothing on the server: a safe method (GET, HEAD or OPTIONS)
    /// and no body. The plan depends on the request alone, not on its outcome, so a page may send these
    /// alongside the request itself (and drop them if it succeeds); a probe that repeats the user's
    /// non-safe method waits for the request to fail.
    pub fn is_safe(&self) -> bool {
        ["GET", "HEAD", "OPTIONS"]
            .iter()
            .any(|m| self.spec.method.eq_ignore_ascii_case(m))
            && self.spec.body.is_none()
    }
}

/// What a probe's `fetch()` did, as the page can observe it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProbeOutcome {
    /// Resolved with a readable response (`type` basic or cors) and this status.
    Ok(u16),
    /// Resolved with a readable response after following at least one redirect (`response.redirected`).
    OkRedirected(u16),
    /// Resolved with an opaque response (`no-cors`).
    Opaque,
    /// Resolved with an opaque-redirect response (`redirect: "manual"` and the answer was a redirect).
    OpaqueRedirect,
    /// Rejected with a `TypeError` (CORS failure or network error: the page cannot tell which).
    Rejected,
    /// Aborted by the timeout.
    Timeout,
}

impl ProbeOutcome {
    /// The report's name for the outcome: `ok`, `opaque`, `rejected` or `timeout`.
    pub fn name(self) -> &'static str {
        match self {
            ProbeOutcome::Ok(_) | ProbeOutcome::OkRedirected(_) => "ok",
            ProbeOutcome::Opaque | ProbeOutcome::OpaqueRedirect => "opaque",
            ProbeOutcome::Rejected => "rejected",
            ProbeOutcome::Timeout => "timeout",
        }
    }

    /// Whether the fetch resolved (the browser let it through), `None` when it timed out.
    fn passed(self) -> Option<bool> {
        match self {
            ProbeOutcome::Rejected => Some(false),
            ProbeOutcome::Timeout => None,
            _ => Some(true),
        }
    }
}

impl fmt::Display for ProbeOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProbeOutcome::Ok(s) => write!(f, "ok ({s})"),
            ProbeOutcome::OkRedirected(s) => write!(f, "ok ({s}, after a redirect)"),
            ProbeOutcome::Opaque => f.write_str("opaque"),
            ProbeOutcome::OpaqueRedirect => f.write_str("opaque redirect"),
            ProbeOutcome::Rejected => f.write_str("rejected"),
            ProbeOutcome::Timeout => f.write_str("timeout"),
        }
    }
}

/// How the page may probe.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProbeOptions {
    /// Add a unique query parameter to each probe so no cached preflight hides the server's answer.
    /// Ignored for URLs that look signed (a changed query would break the signature).
    pub cache_bust: bool,
    /// The user allows probes to repeat a non-safe method or a body ("probes may repeat my request").
    pub may_repeat: bool,
    /// A value unique to this run, put into the cache-busting parameter.
    pub nonce: String,
}

impl Default for ProbeOptions {
    fn default() -> ProbeOptions {
        ProbeOptions {
            cache_bust: true,
            may_repeat: false,
            nonce: String::from("0"),
        }
    }
}

/// The probes to send, all independent (the page runs them in parallel), and what cannot be tested.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProbePlan {
    /// Probes to run in parallel.
    pub probes: Vec<Probe>,
    /// What the plan could not test without the user's permission, in plain English.
    pub untested: Vec<String>,
}

/// What the probes establish about a failed request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Inference {
    /// The likely DevTools codes: those of the simplest explanations (the fewest server faults that account
    /// for every outcome), in Chromium's order of checks across faults and, for the alternatives one fault
    /// allows, commonest first (the first is the page's "most likely"). Exactly one when certain.
    pub candidates: Vec<CorsError>,
    /// Chromium's `failedParameter` for each candidate (same order) where a page can know it: the
    /// method or header name of a `Method`/`HeaderDisallowedByPreflightResponse`; `None` otherwise
    /// (no parameter, or a response header's value the page cannot read).
    pub parameters: Vec<Option<String>>,
    /// Codes that stay possible only if the server has several faults at once (e.g. a broken preflight
    /// hidden behind an actual answer that fails anyway). Never overlaps `candidates`.
    pub also_possible: Vec<CorsError>,
    /// Whether the outcomes determine a single code.
    pub certain: bool,
    /// The request method or header name the candidates implicate, when they agree on one (for the
    /// headline and the fix; see `parameters` for the parameter of each code).
    pub failed_parameter: Option<String>,
    /// Which response is at fault, when every candidate agrees.
    pub fault_stage: Option<Stage>,
    /// Which part of it (lowercase header name, `status` or `redirect`), when every candidate agrees.
    pub fault_header: Option<&'static str>,
    /// The failure is not CORS at all (unreachable server, DNS, refused connection, …).
    pub not_cors: bool,
    /// The candidates may all be wrong because the failure is a network error with no CORS code: a
    /// redirect the browser cannot follow in any mode (more than 20 hops, a `file:` or `data:` target)
    /// looks exactly like one to a URL with `user:password@`.
    pub network_error_possible: bool,
    /// The URL answers with a redirect and the request's redirect mode is `error`: unless a CORS check of
    /// the redirect itself fails first, the browser fails the request with a network error, no CORS code.
    /// With `not_cors` that is the whole story; otherwise it is one possibility beside the candidates.
    pub redirect_refused: bool,
    /// No server that answers the same request the same way every time explains the outcomes (a flaky
    /// server); the findings say so and nothing is concluded.
    pub contradictory: bool,
    /// Plain-English findings, one per line, in the order they were established.
    pub findings: Vec<String>,
}

impl Inference {
    /// Everything but the findings (which describe each probe's outcome): what the page reports as its
    /// verdict. Two inferences with equal verdicts tell the user the same thing.
    #[allow(clippy::type_complexity)]
    fn verdict(
        &self,
    ) -> (
        &[CorsError],
        &[Option<String>],
        &[CorsError],
        [bool; 5],
        &Option<String>,
        Option<Stage>,
        Option<&'static str>,
    ) {
        (
            &self.candidates,
            &self.parameters,
            &self.also_possible,
            [
                self.certain,
                self.not_cors,
                self.network_error_possible,
                self.contradictory,
                self.redirect_refused,
            ],
            &self.failed_parameter,
            self.fault_stage,
            self.fault_header,
        )
    }
}

/// The cache-busting query parameter's name.
pub const CACHE_BUST_PARAM: &str = "corscope";

/// At most this many request headers are probed, the first in the order Chromium checks them
/// ([`crate::header_order`]): it names the first refused header in that order, so those matter most.
pub const MAX_PROBED_HEADERS: usize = 10;

/// Up to this many request headers get a probe each; more share probes (5–6 headers take 4 probes, 7–10
/// take 5), so that a request's preflight, the control and the header probes fit in the 6 connections
/// Chromium opens per HTTP/1.1 host and every probe answers within two round trips.
pub const SINGLE_HEADER_PROBES: usize = 4;

/// The header a preflight-forcing control probe sends: nearly every CORS setup allows it
/// (Starlette always does, Express and Flask-CORS reflect what is asked, nginx recipes list it).
const CONTROL_HEADER: (&str, &str) = ("Content-Type", "application/json");

/// The control header when the request itself sends a non-safelisted `Content-Type` (a control equal to
/// the header under test would tell nothing): django-cors-headers and Spring allow it by default,
/// Express and Flask-CORS reflect it.
const SPARE_CONTROL_HEADER: (&str, &str) = ("X-Requested-With", "XMLHttpRequest");

/// Plans the probes that explain a failure of this request. The plan depends on the request alone, so
/// it can be sent before the request's outcome is known (see [`Probe::is_safe`]).
pub fn plan(classification: &Classification, options: &ProbeOptions) -> ProbePlan {
    Planner::new(classification, options).plan()
}

/// Whether a URL's query looks signed, so that adding a parameter would invalidate it.
pub fn looks_signed(url: &str) -> bool {
    let query = url
        .split_once('?')
        .map(|(_, q)| q.to_ascii_lowercase())
        .unwrap_or_default();
    [
        "x-amz-signature",
        "x-goog-signature",
        "signature=",
        "sig=",
        "x-amz-credential",
        "hmac=",
    ]
    .iter()
    .any(|needle| crate::text::contains(&query, needle))
}

struct Planner<'a> {
    request: &'a crate::request::Request,
    needs_preflight: bool,
    options: &'a ProbeOptions,
    cache_bust: bool,
    probes: Vec<Probe>,
    untested: Vec<String>,
}

impl<'a> Planner<'a> {
    fn new(classification: &'a Classification, options: &'a ProbeOptions) -> Planner<'a> {
        let request = &classification.request;
        Planner {
            request,
            needs_preflight: classification.needs_preflight(),
            options,
            cache_bust: options.cache_bust && !looks_signed(&request.url().to_string()),
            probes: Vec::new(),
            untested: Vec::new(),
        }
    }

    fn plan(mut self) -> ProbePlan {
        if self.options.cache_bust && !self.cache_bust {
            self.untested.push(
                "The URL looks signed, so probes were sent without a cache-busting parameter: \
                 a cached preflight may hide the server's current answer."
                    .into(),
            );
        }
        self.reach();
        if self.request.mode() == Mode::Cors && self.request.is_cross_origin() {
            self.simple();
            self.manual_redirect();
            self.credentialed();
            self.preflight_probes();
        }
        ProbePlan {
            probes: self.probes,
            untested: self.untested,
        }
    }

    fn base_method(&self) -> &'static str {
        if self.request.method() == "HEAD" {
            "HEAD"
        } else {
            "GET"
        }
    }

    fn credentials(&self) -> Credentials {
        if self.request.is_credentialed() {
            Credentials::Include
        } else {
            Credentials::Omit
        }
    }

    fn push(&mut self, name: &str, purpose: &str, spec: RequestSpec) {
        let mut spec = spec;
        if self.cache_bust {
            let value = format!("{}-{}", self.options.nonce, sanitize(name));
            spec.url = crate::url::Url::parse(&spec.url)
                .map(|u| u.with_query_param(CACHE_BUST_PARAM, &value).to_string())
                .unwrap_or(spec.url);
        }
        self.probes.push(Probe {
            name: name.into(),
            purpose: purpose.into(),
            spec,
        });
    }

    fn spec(&self, method: &str, mode: Mode, credentials: Credentials) -> RequestSpec {
        RequestSpec {
            origin: self.request.origin().serialize(),
            url: self.request.url().to_string(),
            method: method.into(),
            mode,
            credentials,
            redirect: Redirect::Follow,
            headers: Vec::new(),
            body: None,
        }
    }

    fn reach(&mut self) {
        let spec = self.spec(self.base_method(), Mode::NoCors, Credentials::Omit);
        self.push(
            "reach",
            "Is the server reachable at all? (no-cors: no CORS check applies)",
            spec,
        );
    }

    fn simple(&mut self) {
        let spec = self.spec(self.base_method(), Mode::Cors, Credentials::Omit);
        self.push(
            "simple",
            "Does a plain GET without credentials pass the CORS check? (tests Access-Control-Allow-Origin)",
            spec,
        );
    }

    /// For a request that follows redirects, whether the URL answers with one. A request that does not
    /// (`manual` or `error`) stops at the redirect, after its CORS check: the probe then sends the
    /// request's credentials too, so that it is that same check.
    fn manual_redirect(&mut self) {
        let follows = self.request.redirect() == Redirect::Follow;
        let credentials = if follows {
            Credentials::Omit
        } else {
            self.credentials()
        };
        let mut spec = self.spec(self.base_method(), Mode::Cors, credentials);
        spec.redirect = Redirect::Manual;
        let purpose = if follows {
            "Does the URL answer with a redirect? (redirect: manual)"
        } else {
            "Does the URL answer with a redirect, and does it pass the CORS check? (redirect: manual, with \
             this request's credentials)"
        };
        self.push("redirect", purpose, spec);
    }

    fn credentialed(&mut self) {
        if !self.request.is_credentialed() {
            return;
        }
        let spec = self.spec(self.base_method(), Mode::Cors, Credentials::Include);
        self.push(
            "credentials",
            "Does the same GET pass with credentials? (tests a wildcard origin and Access-Control-Allow-Credentials)",
            spec,
        );
    }

    fn preflight_probes(&mut self) {
        if !self.needs_preflight {
            self.method_probe();
            return;
        }
        self.control(self.credentials(), "control");
        if self.request.is_credentialed() {
            self.control(Credentials::Omit, "control-omit");
        }
        self.method_probe();
        self.header_probes();
    }

    /// A preflighted GET with a header nearly every CORS setup allows. It does not follow redirects: when
    /// the URL redirects, a control whose preflight passes resolves with the redirect itself (if the
    /// redirect carries the CORS headers), which shows that the preflight was not redirected.
    fn control(&mut self, credentials: Credentials, name: &str) {
        let mut spec = self.spec(self.base_method(), Mode::Cors, credentials);
        spec.redirect = Redirect::Manual;
        let unsafe_names = self.request.unsafe_header_names();
        let (header, value) = if unsafe_names.iter().any(|h| h == "content-type") {
            SPARE_CONTROL_HEADER
        } else {
            CONTROL_HEADER
        };
        spec.headers.push((header.into(), value.into()));
        self.push(
            name,
            &format!("Does a preflight pass at all? (GET with {header}: {value}, which nearly every CORS setup allows; redirects not followed)"),
            spec,
        );
    }

    /// The user's method alone, when it differs from GET/HEAD: only with permission for non-safe methods.
    fn method_probe(&mut self) {
        let method = self.request.method().to_string();
        if matches!(method.as_str(), "GET" | "HEAD") {
            return;
        }
        let safe = method == "OPTIONS";
        if !safe && !self.options.may_repeat {
            self.untested.push(format!(
                "The method {method} was not tried on its own: probes never repeat a {method} unless you allow it \
                 (\"probes may repeat my request\")."
            ));
            return;
        }
        let mut spec = self.spec(&method, Mode::Cors, self.credentials());
        if self.request.has_body() && method != "OPTIONS" {
            spec.body = Some(String::new());
        }
        self.push(
            "method",
            &format!("Does {method} pass on its own, without the custom headers? (tests Access-Control-Allow-Methods)"),
            spec,
        );
    }

    /// The preflight's verdict on each request header. Up to [`SINGLE_HEADER_PROBES`] headers get a probe
    /// each; more share fewer probes (see [`header_groups`]), so that with the control and the request's
    /// own preflight they still fit in one wave of Chromium's 6 connections per host.
    fn header_probes(&mut self) {
        let names = crate::header_order::check_order(self.request);
        if names.len() > MAX_PROBED_HEADERS {
            self.untested.push(format!(
                "Only the first {MAX_PROBED_HEADERS} of {} custom headers (in the order Chromium checks them) \
                 were probed.",
                names.len()
            ));
        }
        let mut names: Vec<String> = names.into_iter().take(MAX_PROBED_HEADERS).collect();
        crate::header::sort_by(&mut names, |a, b| a < b);
        for group in header_groups(names.len()) {
            let members: Vec<&String> = names
                .iter()
                .enumerate()
                .filter(|(i, _)| group.contains(i))
                .map(|(_, name)| name)
                .collect();
            let mut spec = self.spec(self.base_method(), Mode::Cors, self.credentials());
            for name in &members {
                let value = self.request.headers().get(name).unwrap_or_default();
                spec.headers.push(((*name).clone(), value));
            }
            let (name, purpose) = match members.as_slice() {
                [one] => (
                    format!("header:{one}"),
                    format!(
                        "Does the preflight allow the header {one}? (GET with only this header)"
                    ),
                ),
                _ => {
                    let list: Vec<&str> = members.iter().map(|n| n.as_str()).collect();
                    (
                        format!("headers:{}", list.joined(",")),
                        format!(
                            "Does the preflight allow the headers {} together? (GET with only these; each \
                             header is sent in its own set of these probes, so the probes that fail point to it)",
                            list.joined(", ")
                        ),
                    )
                }
            };
            self.push(&name, &purpose, spec);
        }
    }
}

/// Which headers (by index, of `n` in sorted order) each header probe sends.
///
/// Up to [`SINGLE_HEADER_PROBES`] headers: one probe per header. Beyond, a *constant-weight code*: with `k`
/// probes, each header is sent by its own set of `k/2` of them (the fewest `k` with enough such sets: 5–6
/// headers take 4 probes, 7–10 take 5). No header's set contains another's, so when one header is refused
/// exactly its probes fail and every other header is seen to pass in some probe: the failing set names
/// it. When several headers are refused, other combinations may explain the same failures; the inference
/// then keeps every one of them and names no header it cannot be sure of.
fn header_groups(n: usize) -> Vec<Vec<usize>> {
    if n <= SINGLE_HEADER_PROBES {
        return (0..n).map(|i| vec![i]).collect();
    }
    let mut k = 1u32;
    let codes = loop {
        let codes: Vec<u32> = (0u32..(1 << k))
            .filter(|code| code.count_ones() == k / 2)
            .take(n)
            .collect();
        if codes.len() == n {
            break codes;
        }
        k += 1;
    };
    (0..k)
        .map(|bit| {
            codes
                .iter()
                .enumerate()
                .filter(|(_, code)| *code & (1 << bit) != 0)
                .map(|(i, _)| i)
                .collect()
        })
        .collect()
}

fn sanitize(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect()
}

/// A server behaviour that breaks some request shapes.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Fault {
    /// Nothing answers (DNS, refused connection, TLS): every fetch fails, no-cors too.
    Unreachable,
    /// A preflight is redirected (the URL redirects, so its preflight does too).
    PreflightRedirect,
    /// No usable `Access-Control-Allow-Origin` on any response, preflight included (no CORS set up).
    OriginRejected,
    /// No usable `Access-Control-Allow-Origin` on the actual responses only (error answers that lose
    /// their CORS headers, an nginx `if` block that adds them to OPTIONS alone). Indistinguishable from
    /// [`Fault::OriginRejected`] by any fetch whose actual response fails anyway.
    ActualOriginRejected,
    /// Credentialed responses fail, preflight included: a wildcard origin or no
    /// `Access-Control-Allow-Credentials: true`.
    CredentialsRejected,
    /// As [`Fault::CredentialsRejected`], on the actual responses only.
    ActualCredentialsRejected,
    /// Every preflight fails while plain requests pass (OPTIONS unhandled, error status, …).
    PreflightRejected,
    /// Credentialed preflights fail while plain credentialed requests pass.
    PreflightCredentialsRejected,
    /// The preflight refuses the user's method.
    PreflightMethod,
    /// `Access-Control-Allow-Methods: *`, which covers no method once credentials are included.
    PreflightWildcardMethods,
    /// `Access-Control-Allow-Headers: *`, which covers no header once credentials are included.
    PreflightWildcardHeaders,
    /// The preflight refuses this request header (lowercase).
    PreflightHeader(String),
    /// The actual response to the user's method lacks a usable origin header (e.g. a 405 or 500 answer).
    ActualMethod,
    /// A later redirect hop or the final response fails after a redirect that passed.
    AfterRedirect,
    /// The request's own redirect mode `error` refuses the redirect the URL answers with (a network error,
    /// once the redirect itself passed its CORS check).
    RedirectRefused,
    /// Credentialed fetches that follow the redirect fail after it, while the redirect itself passes (it
    /// carries `Access-Control-Allow-Credentials`, the final answer does not). Only for a request that does
    /// not follow redirects: for one that does, [`Fault::CredentialsRejected`] says the same.
    AfterRedirectCredentials,
    /// The redirect cannot be followed at all, whatever the mode: Chromium refuses a `Location` with
    /// `user:password@` even for `no-cors` (observed in Chromium 156), so the reach probe fails too.
    RedirectUnfollowable,
}

/// The shape of one observed fetch, as far as the faults care.
#[derive(Clone, Debug)]
struct Shape {
    cors: bool,
    method: String,
    headers: Vec<String>,
    credentialed: bool,
    preflighted: bool,
    follow: bool,
    refuses_redirects: bool,
}

impl Shape {
    fn of(classification: &Classification) -> Shape {
        let r = &classification.request;
        Shape {
            cors: r.mode() == Mode::Cors,
            method: r.method().to_string(),
            headers: r.unsafe_header_names(),
            credentialed: r.is_credentialed(),
            preflighted: classification.needs_preflight(),
            follow: r.redirect() == Redirect::Follow,
            refuses_redirects: r.redirect() == Redirect::Error,
        }
    }
}

/// The context faults are judged in: the user's request.
struct Context {
    method: String,
    preflighted: bool,
    /// The user's request's own shape: only faults that break it can be blamed for its failure.
    request: Shape,
    /// Its CORS-unsafe headers in the order Chromium checks them: of several refused, it names the first.
    check_order: Vec<String>,
}

impl Fault {
    /// Whether this fault makes a fetch of this shape fail.
    fn breaks(&self, s: &Shape, ctx: &Context) -> bool {
        match self {
            Fault::Unreachable => true,
            Fault::PreflightRedirect | Fault::PreflightRejected => s.cors && s.preflighted,
            Fault::OriginRejected | Fault::ActualOriginRejected => s.cors,
            Fault::CredentialsRejected | Fault::ActualCredentialsRejected => {
                s.cors && s.credentialed
            }
            Fault::PreflightCredentialsRejected => s.cors && s.preflighted && s.credentialed,
            Fault::PreflightMethod => s.cors && s.preflighted && s.method == ctx.method,
            Fault::PreflightWildcardMethods => {
                s.cors && s.preflighted && s.credentialed && !is_cors_safelisted_method(&s.method)
            }
            Fault::PreflightWildcardHeaders => {
                s.cors && s.preflighted && s.credentialed && !s.headers.is_empty()
            }
            Fault::PreflightHeader(h) => s.cors && s.preflighted && s.headers.contains(h),
            Fault::ActualMethod => s.cors && s.method == ctx.method,
            Fault::AfterRedirect => s.cors && s.follow,
            Fault::RedirectUnfollowable => s.follow,
            Fault::RedirectRefused => s.refuses_redirects,
            Fault::AfterRedirectCredentials => s.cors && s.follow && s.credentialed,
        }
    }

    /// Chromium's order of checks for the user's request: lower fails first.
    fn order(&self, ctx: &Context) -> (u8, usize) {
        let rank = match self {
            Fault::Unreachable => 0,
            Fault::PreflightRedirect => 1,
            Fault::OriginRejected if ctx.preflighted => 2,
            Fault::CredentialsRejected if ctx.preflighted => 3,
            Fault::PreflightCredentialsRejected => 3,
            Fault::PreflightRejected => 4,
            Fault::PreflightMethod | Fault::PreflightWildcardMethods => 5,
            Fault::PreflightWildcardHeaders => 6,
            Fault::PreflightHeader(_) => 6,
            Fault::OriginRejected | Fault::ActualOriginRejected => 7,
            Fault::CredentialsRejected | Fault::ActualCredentialsRejected => 8,
            // A missing origin header on the answer to the method fails before any credentials check.
            Fault::ActualMethod => 7,
            // After the redirect's own CORS check.
            Fault::RedirectRefused => 9,
            Fault::AfterRedirect
            | Fault::AfterRedirectCredentials
            | Fault::RedirectUnfollowable => 10,
        };
        let tie = match self {
            Fault::PreflightHeader(h) => ctx
                .check_order
                .iter()
                .position(|name| name == h)
                .unwrap_or(usize::MAX),
            _ => 0,
        };
        (rank, tie)
    }

    /// The codes Chromium may report when this fault is the first to break the user's request.
    fn codes(&self, ctx: &Context) -> Vec<CorsError> {
        use CorsError::*;
        let origin = [
            MissingAllowOriginHeader,
            AllowOriginMismatch,
            MultipleAllowOriginValues,
            InvalidAllowOriginValue,
        ];
        let credentials = [WildcardOriginNotAllowed, InvalidAllowCredentials];
        let twin = |codes: &[CorsError]| codes.iter().map(|c| c.on_preflight()).collect::<Vec<_>>();
        match self {
            Fault::Unreachable | Fault::RedirectRefused => Vec::new(),
            Fault::PreflightRedirect => vec![PreflightDisallowedRedirect],
            Fault::OriginRejected if ctx.preflighted => twin(&origin),
            Fault::OriginRejected | Fault::ActualOriginRejected | Fault::ActualMethod => {
                origin.to_vec()
            }
            Fault::CredentialsRejected if ctx.preflighted => twin(&credentials),
            Fault::CredentialsRejected
            | Fault::ActualCredentialsRejected
            | Fault::AfterRedirectCredentials => credentials.to_vec(),
            Fault::PreflightCredentialsRejected => twin(&credentials),
            // Alternatives, not an order of checks: which one depends on the server, so the commonest
            // comes first (a router answering OPTIONS 404/405 without CORS headers). A redirect only on
            // OPTIONS (a router's trailing-slash fallback) is invisible to GET probes, and rare.
            Fault::PreflightRejected => vec![
                PreflightMissingAllowOriginHeader,
                PreflightInvalidStatus,
                PreflightAllowOriginMismatch,
                PreflightMultipleAllowOriginValues,
                PreflightInvalidAllowOriginValue,
                PreflightDisallowedRedirect,
                InvalidAllowMethodsPreflightResponse,
                InvalidAllowHeadersPreflightResponse,
            ],
            // A server may refuse a method or header with an error status instead of leaving it out of the
            // list (Starlette answers 400 "Disallowed CORS method"), and Chromium then reports the status;
            // or with no CORS headers at all (Spring answers 403 "Invalid CORS request", rack-cors drops
            // them), and Chromium reports the missing origin header.
            Fault::PreflightMethod => vec![
                MethodDisallowedByPreflightResponse,
                PreflightInvalidStatus,
                PreflightMissingAllowOriginHeader,
            ],
            Fault::PreflightHeader(_) => vec![
                HeaderDisallowedByPreflightResponse,
                PreflightInvalidStatus,
                PreflightMissingAllowOriginHeader,
            ],
            Fault::PreflightWildcardMethods => vec![MethodDisallowedByPreflightResponse],
            Fault::PreflightWildcardHeaders => vec![HeaderDisallowedByPreflightResponse],
            Fault::RedirectUnfollowable => vec![RedirectContainsCredentials],
            // Any check of a later answer: after a redirect to another origin the browser sends
            // `Origin: null`, which an echoing server doubles or mismatches like any other.
            Fault::AfterRedirect => {
                let mut codes = origin.to_vec();
                codes.insert(2, RedirectContainsCredentials);
                if ctx.request.credentialed {
                    codes.extend(credentials);
                }
                codes
            }
        }
    }

    /// The request method or header name this fault implicates, when the page can know it.
    fn parameter(&self, ctx: &Context) -> Option<String> {
        match self {
            Fault::PreflightMethod | Fault::PreflightWildcardMethods => Some(ctx.method.clone()),
            Fault::PreflightWildcardHeaders => ctx.check_order.first().cloned(),
            Fault::PreflightHeader(h) => Some(h.clone()),
            _ => None,
        }
    }
}

/// Whether Chromium's failed parameter for `code` is a request item (method or header name) a page knows.
fn names_request_item(code: CorsError) -> bool {
    matches!(
        code,
        CorsError::MethodDisallowedByPreflightResponse
            | CorsError::HeaderDisallowedByPreflightResponse
    )
}

/// The response header (or `status`/`redirect`) a code blames.
pub fn fault_part(code: CorsError) -> Option<&'static str> {
    use CorsError::*;
    Some(match code {
        WildcardOriginNotAllowed
        | MissingAllowOriginHeader
        | MultipleAllowOriginValues
        | InvalidAllowOriginValue
        | AllowOriginMismatch
        | PreflightWildcardOriginNotAllowed
        | PreflightMissingAllowOriginHeader
        | PreflightMultipleAllowOriginValues
        | PreflightInvalidAllowOriginValue
        | PreflightAllowOriginMismatch => "access-control-allow-origin",
        InvalidAllowCredentials | PreflightInvalidAllowCredentials => {
            "access-control-allow-credentials"
        }
        PreflightInvalidStatus => "status",
        PreflightDisallowedRedirect | RedirectContainsCredentials => "redirect",
        InvalidAllowMethodsPreflightResponse | MethodDisallowedByPreflightResponse => {
            "access-control-allow-methods"
        }
        InvalidAllowHeadersPreflightResponse | HeaderDisallowedByPreflightResponse => {
            "access-control-allow-headers"
        }
        _ => return None,
    })
}

/// One observed fetch: its shape and whether it passed.
struct Observation<'s> {
    shape: &'s Shape,
    passed: bool,
}

/// Narrows the cause of a failed request from the probes' outcomes.
///
/// `classification` is the user's request, which failed (rejected); `outcomes` pairs each planned probe
/// with what its fetch did. Probes that timed out are left out of the reasoning and noted.
pub fn infer(classification: &Classification, outcomes: &[(Probe, ProbeOutcome)]) -> Inference {
    let seen: Vec<Seen> = outcomes.iter().map(|(p, o)| Seen::new(p, *o)).collect();
    reason(classification, &seen, true)
}

/// A probe's outcome beside the shape of its request, worked out once: [`settled`] reasons about the
/// same probes many times over.
struct Seen<'p> {
    probe: &'p Probe,
    outcome: ProbeOutcome,
    shape: Result<Shape, Refusal>,
}

impl<'p> Seen<'p> {
    fn new(probe: &'p Probe, outcome: ProbeOutcome) -> Seen<'p> {
        Seen {
            probe,
            outcome,
            shape: classify(&probe.spec).map(|c| Shape::of(&c)),
        }
    }
}

/// [`infer`] on probes already seen; without `explain` the findings about each probe are left out.
fn reason(classification: &Classification, seen: &[Seen], explain: bool) -> Inference {
    let ctx = Context {
        method: classification.request.method().to_string(),
        preflighted: classification.needs_preflight(),
        request: Shape::of(classification),
        check_order: crate::header_order::check_order(&classification.request),
    };
    let mut findings = Vec::new();
    let mut observations = vec![Observation {
        shape: &ctx.request,
        passed: false,
    }];
    for Seen {
        probe,
        outcome,
        shape,
    } in seen
    {
        match (outcome.passed(), shape) {
            (Some(passed), Ok(shape)) => {
                if explain {
                    findings.push(finding(probe, *outcome));
                }
                observations.push(Observation { shape, passed });
            }
            (None, _) => findings.push(format!(
                "Probe {} timed out; it was left out of the reasoning.",
                probe.name
            )),
            (Some(_), Err(refusal)) => {
                findings.push(format!("Probe {} could not be sent: {refusal}", probe.name))
            }
        }
    }
    let redirects = redirect_evidence(seen);
    let faults = universe(classification, seen, redirects);
    let evidence = Evidence::new(&faults, &observations, &ctx);
    conclude(&faults, &evidence, &ctx, findings, redirects)
}

/// Whether the verdict no longer waits for the `pending` probes: every combination of outcomes they
/// could still have (each resolving, rejecting, or never answering) gives the verdict of the `finished`
/// outcomes alone (see [`Inference`]'s fields; the findings differ), save combinations that would
/// contradict those already seen (a server that answers differently each time, which no verdict waits
/// for). The page then stops those probes: a `no-cors` probe of a streaming endpoint, for one, may not
/// resolve before the timeout, since Chromium reads the start of an opaque body before it hands the
/// response over; and probes that waited for one of Chromium's 6 connections per host answer no sooner
/// than the second round trip, when the probe that decides may already have answered.
///
/// More than [`MAX_SETTLED_PENDING`] pending probes answer `false`: the combinations grow as 4ⁿ, and with
/// that many still out the verdict is rarely settled.
pub fn settled(
    classification: &Classification,
    finished: &[(Probe, ProbeOutcome)],
    pending: &[Probe],
) -> bool {
    if pending.len() > MAX_SETTLED_PENDING {
        return false;
    }
    let mut seen: Vec<Seen> = finished.iter().map(|(p, o)| Seen::new(p, *o)).collect();
    let without = reason(classification, &seen, false);
    let answered = seen.len();
    seen.extend(pending.iter().map(|p| Seen::new(p, ProbeOutcome::Timeout)));
    agree(classification, &mut seen, answered, &without)
}

/// The most pending probes [`settled`] considers.
pub const MAX_SETTLED_PENDING: usize = 3;

/// Whether every combination of outcomes of `seen[next..]` (each may also never answer, a timeout)
/// infers the verdict of `without`, or contradicts itself.
fn agree(
    classification: &Classification,
    seen: &mut [Seen],
    next: usize,
    without: &Inference,
) -> bool {
    let Some(probe) = seen.get(next).map(|s| s.probe) else {
        let with = reason(classification, seen, false);
        return with.contradictory || with.verdict() == without.verdict();
    };
    possible_outcomes(probe)
        .iter()
        .chain(&[ProbeOutcome::Timeout])
        .all(|outcome| {
            if let Some(slot) = seen.get_mut(next) {
                slot.outcome = *outcome;
            }
            agree(classification, seen, next + 1, without)
        })
}

/// The outcomes a probe's fetch can have, given how it is sent (a timeout leaves it out, as if not sent).
fn possible_outcomes(probe: &Probe) -> &'static [ProbeOutcome] {
    match (probe.spec.mode, probe.spec.redirect) {
        (Mode::NoCors, _) => &[ProbeOutcome::Opaque, ProbeOutcome::Rejected],
        (_, Redirect::Manual) => &[
            ProbeOutcome::Ok(200),
            ProbeOutcome::OpaqueRedirect,
            ProbeOutcome::Rejected,
        ],
        _ => &[
            ProbeOutcome::Ok(200),
            ProbeOutcome::OkRedirected(200),
            ProbeOutcome::Rejected,
        ],
    }
}

fn finding(probe: &Probe, outcome: ProbeOutcome) -> String {
    format!("{}: {outcome} — {}", probe.name, probe.purpose)
}

/// What the probes say about redirects: `Some(true)` when the URL answers GET with a redirect.
fn redirect_evidence(seen: &[Seen]) -> Option<bool> {
    let mut evidence = None;
    for Seen { probe, outcome, .. } in seen {
        match (probe.name.as_str(), outcome) {
            (_, ProbeOutcome::OpaqueRedirect | ProbeOutcome::OkRedirected(_)) => return Some(true),
            ("redirect", ProbeOutcome::Ok(_)) => evidence = Some(false),
            _ => {}
        }
    }
    evidence
}

/// The faults worth considering for this request.
fn universe(classification: &Classification, seen: &[Seen], redirects: Option<bool>) -> Vec<Fault> {
    let request = &classification.request;
    let mut faults = vec![Fault::Unreachable];
    if request.mode() != Mode::Cors {
        return faults;
    }
    faults.push(Fault::OriginRejected);
    if request.is_credentialed() {
        faults.push(Fault::CredentialsRejected);
    }
    if classification.needs_preflight() {
        faults.push(Fault::ActualOriginRejected);
        if request.is_credentialed() {
            faults.push(Fault::ActualCredentialsRejected);
        }
    }
    let method_differs = !matches!(request.method(), "GET" | "HEAD");
    if classification.needs_preflight() {
        if redirects == Some(true) {
            faults.push(Fault::PreflightRedirect);
        }
        faults.push(Fault::PreflightRejected);
        if request.is_credentialed() {
            faults.push(Fault::PreflightCredentialsRejected);
            faults.push(Fault::PreflightWildcardMethods);
            faults.push(Fault::PreflightWildcardHeaders);
        }
        if method_differs && !crate::method::is_cors_safelisted_method(request.method()) {
            faults.push(Fault::PreflightMethod);
        }
        let mut headers: Vec<String> = request.unsafe_header_names();
        // Only probes that answered: one that did not says nothing about its headers.
        for Seen { probe, .. } in seen.iter().filter(|s| s.outcome.passed().is_some()) {
            for (name, _) in &probe.spec.headers {
                headers.push(name.to_ascii_lowercase());
            }
        }
        crate::header::sort_dedup(&mut headers);
        faults.extend(headers.into_iter().map(Fault::PreflightHeader));
    }
    if method_differs {
        faults.push(Fault::ActualMethod);
    }
    if redirects == Some(true) {
        // Probes that follow the redirect may fail after it, whatever the request's own mode.
        faults.push(Fault::AfterRedirect);
        faults.push(Fault::RedirectUnfollowable);
        if request.redirect() != Redirect::Follow && request.is_credentialed() {
            faults.push(Fault::AfterRedirectCredentials);
        }
        if request.redirect() == Redirect::Error {
            faults.push(Fault::RedirectRefused);
        }
    }
    faults
}

/// The most faults enumerated exhaustively (2^N worlds) once those a passing fetch rules out are set
/// aside; beyond it the last faults of the universe are left out. Only a request with many custom headers
/// (one fault each, see [`MAX_PROBED_HEADERS`]) that fails every probe comes near it.
const MAX_FAULTS: usize = 18;

/// What the observations say about worlds (bit sets over the universe of faults).
///
/// A fault that breaks a fetch that passed is in no consistent world, so worlds are drawn from the
/// others (`open`). Then a world is consistent when it breaks every fetch that failed; adding faults
/// keeps it so, which makes the minimal worlds and the faults some world blames cheap to find without
/// listing every world.
struct Evidence {
    /// The faults no passing fetch rules out (at most [`MAX_FAULTS`] of them).
    open: u32,
    /// For each fetch that failed (the user's request first), the faults that break it.
    failing: Vec<u32>,
}

impl Evidence {
    fn new(faults: &[Fault], observations: &[Observation], ctx: &Context) -> Evidence {
        let breaking = |o: &Observation| {
            faults
                .iter()
                .take(32)
                .enumerate()
                .filter(|(_, f)| f.breaks(o.shape, ctx))
                .fold(0u32, |m, (i, _)| m | (1 << i))
        };
        let ruled_out = observations
            .iter()
            .filter(|o| o.passed)
            .fold(0u32, |m, o| m | breaking(o));
        let open = (0..faults.len().min(32))
            .map(|i| 1u32 << i)
            .filter(|bit| ruled_out & bit == 0)
            .take(MAX_FAULTS)
            .fold(0u32, |m, bit| m | bit);
        Evidence {
            open,
            failing: observations
                .iter()
                .filter(|o| !o.passed)
                .map(|o| breaking(o) & open)
                .collect(),
        }
    }

    /// Whether `world` (drawn from `open`) predicts every observation.
    fn explains(&self, world: u32) -> bool {
        self.failing.iter().all(|m| world & m != 0)
    }

    /// The faults no passing fetch rules out.
    fn open_faults<'f>(&self, faults: &'f [Fault]) -> impl Iterator<Item = &'f Fault> {
        let open = self.open;
        faults
            .iter()
            .enumerate()
            .take(32)
            .filter(move |(i, _)| open & (1 << i) != 0)
            .map(|(_, f)| f)
    }

    /// Whether some world does.
    fn any(&self) -> bool {
        self.explains(self.open)
    }

    /// Whether `world` explains the observations and none of its faults could go: each is the only one
    /// of the world to break some fetch that failed.
    fn is_minimal(&self, world: u32) -> bool {
        let needed = self
            .failing
            .iter()
            .map(|m| world & m)
            .filter(|hits| hits.count_ones() == 1)
            .fold(0, |n, hit| n | hit);
        self.explains(world) && needed == world
    }

    /// The consistent worlds no fault can be taken from, in increasing order.
    ///
    /// These are the minimal sets of open faults that hit every failing fetch's set. Rather than test
    /// every subset of `open` (2¹⁸ for a broad universe, which made one inference cost milliseconds in
    /// the page), worlds grow from the empty one: the first failing
    /// fetch the world does not break yet must be broken by one of its faults, so the search branches on
    /// those. Every minimal world is reached this way (each branch can pick that world's own fault), and
    /// the growth stops as soon as a world explains everything, so the search is about as large as the
    /// product of the few failing sets it has to cover.
    fn minimal_worlds(&self) -> Vec<u32> {
        let mut worlds = Vec::new();
        self.grow(0, &mut worlds);
        crate::header::sort_by(&mut worlds, |a, b| a < b);
        worlds
    }

    /// Adds to `worlds` the minimal worlds that contain `world` (see [`Evidence::minimal_worlds`]).
    fn grow(&self, world: u32, worlds: &mut Vec<u32>) {
        match self.failing.iter().find(|m| world & **m == 0) {
            None => {
                if self.is_minimal(world) && !worlds.contains(&world) {
                    worlds.push(world);
                }
            }
            Some(&unbroken) => {
                let mut choices = unbroken;
                while choices != 0 {
                    let fault = choices & choices.wrapping_neg();
                    choices &= !fault;
                    self.grow(world | fault, worlds);
                }
            }
        }
    }

    /// The faults that some consistent world blames, in universe order. A fault is blamed by some world
    /// exactly when the largest world without the faults that would be blamed before it is consistent.
    fn blamed_somewhere<'f>(&self, faults: &'f [Fault], ctx: &Context) -> Vec<&'f Fault> {
        let breaks_request: Vec<(usize, &Fault)> = faults
            .iter()
            .enumerate()
            .take(32)
            .filter(|(i, f)| self.open & (1 << i) != 0 && f.breaks(&ctx.request, ctx))
            .collect();
        breaks_request
            .iter()
            .filter(|(i, f)| {
                let before = breaks_request
                    .iter()
                    .filter(|(j, g)| (g.order(ctx), *j) < (f.order(ctx), *i))
                    .fold(0u32, |m, (j, _)| m | (1 << j));
                self.explains(self.open & !before)
            })
            .map(|(_, f)| *f)
            .collect()
    }
}

/// The first fault of `world` that breaks the user's request (observation 0 is always broken).
fn blamed<'f>(faults: &'f [Fault], world: u32, ctx: &Context) -> Option<&'f Fault> {
    faults
        .iter()
        .enumerate()
        .filter(|(i, _)| *i < 32 && world & (1 << i) != 0)
        .map(|(_, f)| f)
        .filter(|f| f.breaks(&ctx.request, ctx))
        .min_by(|a, b| a.order(ctx).cmp(&b.order(ctx)))
}

fn conclude(
    faults: &[Fault],
    evidence: &Evidence,
    ctx: &Context,
    mut findings: Vec<String>,
    redirects: Option<bool>,
) -> Inference {
    let mut inference = Inference {
        candidates: Vec::new(),
        parameters: Vec::new(),
        also_possible: Vec::new(),
        certain: false,
        failed_parameter: None,
        fault_stage: None,
        fault_header: None,
        not_cors: false,
        network_error_possible: false,
        redirect_refused: false,
        contradictory: false,
        findings: Vec::new(),
    };
    if !evidence.any() {
        inference.contradictory = true;
        findings.push(
            "The outcomes contradict each other (a flaky server, or one that answers differently each time); \
             use the curl commands below to see the raw answers."
                .into(),
        );
        inference.findings = findings;
        return inference;
    }
    let mut minimal_blames: Vec<&Fault> = evidence
        .minimal_worlds()
        .into_iter()
        .filter_map(|w| blamed(faults, w, ctx))
        .collect();
    crate::header::sort_by(&mut minimal_blames, |a, b| a.order(ctx) < b.order(ctx));
    minimal_blames.dedup();
    if minimal_blames.iter().any(|f| **f == Fault::Unreachable) {
        inference.not_cors = true;
        findings.push(
            "Even a no-cors request failed: the server could not be reached (DNS, refused connection, TLS, or a \
             blocked port). This is not a CORS problem."
                .into(),
        );
        inference.findings = findings;
        return inference;
    }
    if minimal_blames == [&Fault::RedirectRefused] {
        inference.redirect_refused = true;
        inference.not_cors = true;
        findings.push(REDIRECT_REFUSED.into());
        inference.findings = findings;
        return inference;
    }
    let mut candidates: Vec<CorsError> = Vec::new();
    let mut parameters: Vec<Option<String>> = Vec::new();
    for fault in &minimal_blames {
        for code in fault.codes(ctx) {
            let parameter = names_request_item(code)
                .then(|| fault.parameter(ctx))
                .flatten();
            match candidates.iter().position(|c| *c == code) {
                None => {
                    candidates.push(code);
                    parameters.push(parameter);
                }
                // Two explanations give the same code about different items: the page cannot tell which.
                Some(i) if parameters.get(i) != Some(&parameter) => {
                    if let Some(slot) = parameters.get_mut(i) {
                        *slot = None;
                    }
                }
                Some(_) => {}
            }
        }
    }
    let mut all_blames = evidence.blamed_somewhere(faults, ctx);
    crate::header::sort_by(&mut all_blames, |a, b| a.order(ctx) < b.order(ctx));
    all_blames.dedup();
    for code in all_blames.iter().flat_map(|f| f.codes(ctx)) {
        if !candidates.contains(&code) && !inference.also_possible.contains(&code) {
            inference.also_possible.push(code);
        }
    }
    // A server may refuse a header or method by dropping every CORS header (Spring's 403, rack-cors): the
    // preflight then fails its origin check, before any credentials or status check, so such a refusal
    // shows as PreflightMissingAllowOriginHeader whatever else the world blames. Any refusal no passing
    // probe rules out is in a consistent world (the world of every open fault explains the outcomes).
    let refusal_open = evidence.open_faults(faults).any(|f| {
        matches!(f, Fault::PreflightHeader(_) | Fault::PreflightMethod)
            && f.breaks(&ctx.request, ctx)
    });
    let bare = CorsError::PreflightMissingAllowOriginHeader;
    if refusal_open && !candidates.contains(&bare) && !inference.also_possible.contains(&bare) {
        inference.also_possible.push(bare);
    }
    inference.certain = candidates.len() == 1 && inference.also_possible.is_empty();
    // The method or header that the parameterised candidates implicate, when they agree: a PUT refused
    // by the preflight can only be about PUT, whatever else might have failed instead.
    let mut params: Vec<String> = minimal_blames
        .iter()
        .filter_map(|f| f.parameter(ctx))
        .collect();
    // A world with more faults than it needs may give a candidate code about another item: when header
    // probes share headers, two refused headers can fail the same probes as a third. An item is named
    // only if every consistent world that gives the code names it.
    for fault in &all_blames {
        for code in fault.codes(ctx) {
            let Some(at) = candidates.iter().position(|c| *c == code) else {
                continue;
            };
            if !names_request_item(code) {
                continue;
            }
            let parameter = fault.parameter(ctx);
            if let Some(slot) = parameters.get_mut(at) {
                if *slot != parameter {
                    *slot = None;
                }
            }
            params.extend(parameter);
        }
    }
    inference.failed_parameter = common(&params);
    inference.fault_stage = common(&candidates.iter().map(|c| c.stage()).collect::<Vec<_>>());
    inference.fault_header = common(
        &candidates
            .iter()
            .map(|c| fault_part(*c))
            .collect::<Vec<_>>(),
    )
    .flatten();
    if all_blames.contains(&&Fault::RedirectRefused) {
        inference.redirect_refused = true;
        inference.network_error_possible = true;
        inference.certain = false;
        findings.push(REDIRECT_REFUSED.into());
    }
    if minimal_blames.contains(&&Fault::RedirectUnfollowable) {
        inference.network_error_possible = true;
        inference.certain = false;
        findings.push(
            "Even a no-cors request fails once the redirect is followed. Either the redirect's Location \
             carries `user:password@` (RedirectContainsCredentials), or it cannot be followed at all: a \
             loop of more than 20 redirects, or a target that is not http(s) — a network error, not CORS."
                .into(),
        );
    }
    if redirects == Some(true) {
        findings.push(
            "The URL answers with a redirect. Preflights may not be redirected, and after a redirect to another \
             origin the browser sends `Origin: null`."
                .into(),
        );
    }
    if ctx.preflighted && inference.fault_stage.is_none() && !candidates.is_empty() {
        findings.push(
            "The page cannot tell whether the preflight already failed: the actual answer fails as well. \
             The curl commands below show both answers."
                .into(),
        );
    }
    inference.candidates = candidates;
    inference.parameters = parameters;
    inference.findings = findings;
    inference
}

const REDIRECT_REFUSED: &str = "The URL answers with a redirect, and this request's redirect mode is `error`: \
    the browser fails it with a network error (no CORS code) once the redirect itself passes its CORS check. \
    Use redirect `follow`, or request the URL the redirect leads to.";

/// The value every item shares, if any.
fn common<T: Clone + PartialEq>(items: &[T]) -> Option<T> {
    let first = items.first()?;
    items.iter().all(|i| i == first).then(|| first.clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use CorsError::*;

    const PAGE: &str = "http://127.0.0.1:8080";
    const API: &str = "http://127.0.0.1:8787/api";

    fn spec(method: &str, headers: &[(&str, &str)], credentials: Credentials) -> RequestSpec {
        RequestSpec {
            origin: PAGE.into(),
            url: API.into(),
            method: method.into(),
            mode: Mode::Cors,
            credentials,
            redirect: Redirect::Follow,
            headers: headers
                .iter()
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect(),
            body: None,
        }
    }

    /// Runs plan + infer with outcomes chosen by probe name (`default` for the others).
    fn run(
        spec: &RequestSpec,
        may_repeat: bool,
        outcome: impl Fn(&str) -> ProbeOutcome,
    ) -> (ProbePlan, Inference) {
        let c = classify(spec).unwrap();
        let options = ProbeOptions {
            may_repeat,
            ..ProbeOptions::default()
        };
        let plan = plan(&c, &options);
        let outcomes: Vec<_> = plan
            .probes
            .iter()
            .map(|p| (p.clone(), outcome(&p.name)))
            .collect();
        let inference = infer(&c, &outcomes);
        (plan, inference)
    }

    /// The plan's probes with the outcomes `outcome` gives, but for the probe named `pending`.
    fn split(
        spec: &RequestSpec,
        pending: &str,
        outcome: impl Fn(&str) -> ProbeOutcome,
    ) -> (Classification, Vec<(Probe, ProbeOutcome)>, Vec<Probe>) {
        let c = classify(spec).unwrap();
        let plan = plan(&c, &ProbeOptions::default());
        let (waiting, done): (Vec<Probe>, Vec<Probe>) =
            plan.probes.into_iter().partition(|p| p.name == pending);
        let finished = done
            .into_iter()
            .map(|p| {
                let o = outcome(&p.name);
                (p, o)
            })
            .collect();
        (c, finished, waiting)
    }

    #[test]
    fn minimal_worlds_are_those_of_every_subset() {
        // The search against the plain enumeration of every subset of `open`, on random evidence.
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for _ in 0..3000 {
            let open = (next() as u32) & ((1 << (next() % 13)) - 1);
            let failing: Vec<u32> = (0..next() % 6)
                .map(|_| (next() as u32) & (next() as u32 | next() as u32) & open)
                .collect();
            let evidence = Evidence { open, failing };
            let mut every = Vec::new();
            let mut world = 0u32;
            loop {
                if evidence.is_minimal(world) {
                    every.push(world);
                }
                world = world.wrapping_sub(open) & open;
                if world == 0 {
                    break;
                }
            }
            assert_eq!(
                evidence.minimal_worlds(),
                every,
                "open {open:b} failing {:?}",
                evidence.failing
            );
        }
    }

    #[test]
    fn probes_queued_behind_the_deciding_one_are_not_waited_for() {
        // One header of five refused: once one probe without it passed, neither the other such probe nor
        // a one-trip probe still waiting for a connection can change the verdict.
        let names = ["X-A", "X-B", "X-C", "X-D", "X-E"];
        let headers: Vec<(&str, &str)> = names.iter().map(|n| (*n, "1")).collect();
        let s = spec("GET", &headers, Credentials::Omit);
        let c = classify(&s).unwrap();
        let plan = plan(&c, &ProbeOptions::default());
        let groups: Vec<&Probe> = plan
            .probes
            .iter()
            .filter(|p| p.name.starts_with("headers:") && !p.name.contains("x-c"))
            .collect();
        let [first, second] = groups.as_slice() else {
            panic!("two groups without x-c: {:?}", plan.probes);
        };
        let outcome = |p: &Probe| match p.name.as_str() {
            "reach" => ProbeOutcome::Opaque,
            "simple" | "redirect" => ProbeOutcome::Ok(200),
            name if name.starts_with("headers:") && !name.contains("x-c") => ProbeOutcome::Ok(200),
            _ => ProbeOutcome::Rejected,
        };
        let pending = |p: &Probe| p.name == "redirect" || p.name == second.name;
        let finished: Vec<(Probe, ProbeOutcome)> = plan
            .probes
            .iter()
            .filter(|p| !pending(p))
            .map(|p| (p.clone(), outcome(p)))
            .collect();
        let waiting: Vec<Probe> = plan.probes.iter().filter(|p| pending(p)).cloned().collect();
        assert_eq!(waiting.len(), 2);
        assert!(settled(&c, &finished, &waiting));
        let i = infer(&c, &finished);
        assert_eq!(i.failed_parameter.as_deref(), Some("x-c"));
        // Before the first passing group answered, the header could not be told yet.
        let early: Vec<(Probe, ProbeOutcome)> = finished
            .iter()
            .filter(|(p, _)| p.name != first.name)
            .cloned()
            .collect();
        let waiting_early = [waiting.clone(), vec![(*first).clone()]].concat();
        assert!(!settled(&c, &early, &waiting_early));
    }

    #[test]
    fn a_reach_probe_is_not_waited_for_once_another_probe_got_an_answer() {
        // A streaming endpoint: the request is refused at its preflight, the cors GETs resolved, and the
        // no-cors probe waits for Chromium to sniff a body that does not come.
        let s = spec("GET", &[("X-Custom", "1")], Credentials::Omit);
        let (c, finished, pending) = split(&s, "reach", |name| match name {
            "simple" | "redirect" => ProbeOutcome::Ok(200),
            _ => ProbeOutcome::Rejected,
        });
        assert_eq!(pending.len(), 1);
        assert!(settled(&c, &finished, &pending));
        // The same probe as often as the cap allows is still settled; once more, `settled` gives up.
        assert!(settled(
            &c,
            &finished,
            &vec![pending[0].clone(); MAX_SETTLED_PENDING]
        ));
        assert!(!settled(
            &c,
            &finished,
            &vec![pending[0].clone(); MAX_SETTLED_PENDING + 1]
        ));
    }

    #[test]
    fn a_probe_that_decides_is_waited_for() {
        // Only the header's own probe can tell a refused header from a preflight refused outright.
        let s = spec("PUT", &[("X-Api-Key", "k")], Credentials::Omit);
        let (c, finished, pending) = split(&s, "header:x-api-key", |name| match name {
            "reach" => ProbeOutcome::Opaque,
            _ => ProbeOutcome::Ok(200),
        });
        assert_eq!(pending.len(), 1);
        assert!(!settled(&c, &finished, &pending));
        // Nothing pending: settled; the deciding probe among others: not.
        assert!(settled(&c, &finished, &[]));
        let mut rest = finished.clone();
        let other = rest.remove(0).0;
        assert!(!settled(&c, &rest, &[pending[0].clone(), other]));
    }

    fn names(plan: &ProbePlan) -> Vec<&str> {
        plan.probes.iter().map(|p| p.name.as_str()).collect()
    }

    #[test]
    fn plan_for_a_preflighted_put_without_permission_never_repeats_the_put() {
        let s = spec(
            "PUT",
            &[("X-Api-Key", "k"), ("Content-Type", "application/json")],
            Credentials::Omit,
        );
        let (plan, _) = run(&s, false, |_| ProbeOutcome::Rejected);
        assert_eq!(
            names(&plan),
            [
                "reach",
                "simple",
                "redirect",
                "control",
                "header:content-type",
                "header:x-api-key"
            ]
        );
        assert!(plan.probes.iter().all(|p| p.spec.method == "GET"));
        assert!(plan.untested.iter().any(|u| u.contains("PUT")));
        assert!(plan
            .probes
            .iter()
            .all(|p| p.spec.url.contains("corscope=0-")));
    }

    #[test]
    fn plan_with_permission_tries_the_method_alone() {
        let s = spec("PUT", &[("X-Api-Key", "k")], Credentials::Include);
        let (plan, _) = run(&s, true, |_| ProbeOutcome::Rejected);
        let method = plan.probes.iter().find(|p| p.name == "method").unwrap();
        assert_eq!(method.spec.method, "PUT");
        assert!(method.spec.headers.is_empty());
        assert_eq!(method.spec.credentials, Credentials::Include);
        assert!(names(&plan).contains(&"control-omit"));
        assert!(names(&plan).contains(&"credentials"));
    }

    #[test]
    fn signed_urls_are_not_cache_busted() {
        let mut s = spec("GET", &[], Credentials::Omit);
        s.url = format!("{API}?X-Amz-Signature=abc");
        let (plan, _) = run(&s, false, |_| ProbeOutcome::Rejected);
        assert!(plan
            .probes
            .iter()
            .all(|p| !p.spec.url.contains("corscope=")));
        assert!(!plan.untested.is_empty());
    }

    #[test]
    fn unreachable_server_is_not_cors() {
        let (_, i) = run(&spec("GET", &[], Credentials::Omit), false, |_| {
            ProbeOutcome::Rejected
        });
        assert!(i.not_cors);
        assert!(i.candidates.is_empty());
    }

    #[test]
    fn missing_origin_header_on_a_simple_get() {
        // Fetch #cors-check step 2: no ACAO fails every cors-mode fetch; no-cors still resolves.
        let (_, i) = run(
            &spec("GET", &[], Credentials::Omit),
            false,
            |name| match name {
                "reach" => ProbeOutcome::Opaque,
                _ => ProbeOutcome::Rejected,
            },
        );
        assert!(!i.not_cors);
        assert_eq!(i.candidates[0], MissingAllowOriginHeader);
        assert!(i.candidates.contains(&AllowOriginMismatch));
        assert!(!i.certain);
        assert_eq!(i.fault_stage, Some(Stage::Actual));
        assert_eq!(i.fault_header, Some("access-control-allow-origin"));
    }

    #[test]
    fn no_cors_at_all_blames_the_allow_origin_header_of_some_response() {
        let (_, i) = run(
            &spec("GET", &[("X-Api-Key", "k")], Credentials::Omit),
            false,
            |name| match name {
                "reach" => ProbeOutcome::Opaque,
                _ => ProbeOutcome::Rejected,
            },
        );
        // The preflight twin comes first (Chromium checks the preflight first) but the actual response may
        // be the one that fails (error answers without CORS headers), so the stage stays open.
        assert_eq!(i.candidates[0], PreflightMissingAllowOriginHeader);
        assert!(i.candidates.contains(&MissingAllowOriginHeader));
        assert_eq!(i.fault_stage, None);
        assert_eq!(i.fault_header, Some("access-control-allow-origin"));
    }

    #[test]
    fn one_header_refused_by_the_preflight() {
        // #cors-preflight-fetch: each unsafe header must be listed; the control preflight passes.
        let s = spec(
            "GET",
            &[("X-Api-Key", "k"), ("X-Trace", "1")],
            Credentials::Omit,
        );
        let (_, i) = run(&s, false, |name| match name {
            "header:x-api-key" => ProbeOutcome::Rejected,
            "reach" => ProbeOutcome::Opaque,
            "redirect" => ProbeOutcome::Ok(200),
            _ => ProbeOutcome::Ok(200),
        });
        assert_eq!(
            i.candidates,
            [
                HeaderDisallowedByPreflightResponse,
                PreflightInvalidStatus,
                PreflightMissingAllowOriginHeader
            ]
        );
        assert_eq!(i.failed_parameter.as_deref(), Some("x-api-key"));
        assert_eq!(i.fault_stage, Some(Stage::Preflight));
        assert!(!i.certain);
    }

    #[test]
    fn of_two_refused_headers_the_one_chromium_checks_first_is_blamed() {
        // Chromium 156 names x-custom before authorization, in either order (see `header_order`).
        let s = spec(
            "GET",
            &[("Authorization", "Bearer t"), ("X-Custom", "1")],
            Credentials::Omit,
        );
        let (_, i) = run(&s, false, |name| match name {
            "header:authorization" | "header:x-custom" => ProbeOutcome::Rejected,
            "reach" => ProbeOutcome::Opaque,
            _ => ProbeOutcome::Ok(200),
        });
        assert_eq!(i.failed_parameter.as_deref(), Some("x-custom"));
    }

    #[test]
    fn an_untested_method_keeps_the_verdict_uncertain() {
        let s = spec("PUT", &[("X-Api-Key", "k")], Credentials::Omit);
        let (_, i) = run(&s, false, |name| match name {
            "header:x-api-key" => ProbeOutcome::Rejected,
            "reach" => ProbeOutcome::Opaque,
            _ => ProbeOutcome::Ok(200),
        });
        assert_eq!(i.candidates[0], HeaderDisallowedByPreflightResponse);
        assert!(!i.certain);
    }

    #[test]
    fn method_refused_when_the_method_probe_fails_and_headers_pass() {
        let s = spec("DELETE", &[], Credentials::Omit);
        let (_, i) = run(&s, true, |name| match name {
            "method" => ProbeOutcome::Rejected,
            "reach" => ProbeOutcome::Opaque,
            _ => ProbeOutcome::Ok(200),
        });
        assert_eq!(i.candidates[0], MethodDisallowedByPreflightResponse);
        // The actual DELETE response may be at fault instead, but if the preflight is, it is about DELETE.
        assert_eq!(i.failed_parameter.as_deref(), Some("DELETE"));
        assert_eq!(i.fault_stage, None);
        assert!(i.candidates.contains(&MissingAllowOriginHeader));
    }

    #[test]
    fn credentials_refused_on_a_simple_request() {
        // #cors-check step 3-4: `*` or no ACAC fails only credentialed requests.
        let (_, i) = run(
            &spec("GET", &[], Credentials::Include),
            false,
            |name| match name {
                "credentials" => ProbeOutcome::Rejected,
                "reach" => ProbeOutcome::Opaque,
                _ => ProbeOutcome::Ok(200),
            },
        );
        assert_eq!(
            i.candidates,
            [WildcardOriginNotAllowed, InvalidAllowCredentials]
        );
        assert_eq!(i.fault_stage, Some(Stage::Actual));
        assert_eq!(i.fault_header, None);
    }

    #[test]
    fn redirecting_url_blames_the_preflight_redirect() {
        let (_, i) = run(
            &spec("GET", &[("X-Api-Key", "k")], Credentials::Omit),
            false,
            |name| match name {
                "reach" => ProbeOutcome::Opaque,
                "redirect" => ProbeOutcome::OpaqueRedirect,
                "simple" => ProbeOutcome::OkRedirected(200),
                _ => ProbeOutcome::Rejected,
            },
        );
        // The control failed too: its preflight may be the one redirected (nginx's `return 301`), or
        // refused for another reason. The redirect leads, being what every failure here has in common.
        assert_eq!(i.candidates.first(), Some(&PreflightDisallowedRedirect));
        assert!(i.candidates.contains(&HeaderDisallowedByPreflightResponse));
        assert!(!i.certain);
    }

    #[test]
    fn a_control_answered_with_the_redirect_rules_out_a_redirected_preflight() {
        // FastAPI or Express: the CORS middleware answers the preflight, the router redirects the GET
        // (a trailing slash), and the preflight refuses the request's header.
        let (_, i) = run(
            &spec("GET", &[("X-Api-Key", "k")], Credentials::Omit),
            false,
            |name| match name {
                "reach" => ProbeOutcome::Opaque,
                "redirect" | "control" => ProbeOutcome::OpaqueRedirect,
                "simple" => ProbeOutcome::OkRedirected(200),
                _ => ProbeOutcome::Rejected,
            },
        );
        assert_eq!(
            i.candidates.first(),
            Some(&HeaderDisallowedByPreflightResponse)
        );
        assert!(!i.candidates.contains(&PreflightDisallowedRedirect));
        assert!(!i.also_possible.contains(&PreflightDisallowedRedirect));
        assert_eq!(i.failed_parameter.as_deref(), Some("x-api-key"));
    }

    #[test]
    fn a_redirect_that_fails_after_a_passing_preflight_is_blamed_on_the_redirect_target() {
        // The preflight passes (the control is answered with the redirect), but the redirected request
        // fails at its target: the simple GET fails as well.
        let (_, i) = run(
            &spec("GET", &[("X-Api-Key", "k")], Credentials::Omit),
            false,
            |name| match name {
                "reach" => ProbeOutcome::Opaque,
                "redirect" | "control" => ProbeOutcome::OpaqueRedirect,
                _ => ProbeOutcome::Rejected,
            },
        );
        assert!(
            i.candidates.contains(&AllowOriginMismatch),
            "{:?}",
            i.candidates
        );
        assert!(!i.candidates.contains(&PreflightDisallowedRedirect));
    }

    #[test]
    fn a_redirect_refused_by_the_request_s_own_mode_is_a_network_error() {
        let mut refusing = spec("HEAD", &[], Credentials::Include);
        refusing.redirect = Redirect::Error;
        let (plan, _) = run(&refusing, false, |_| ProbeOutcome::Rejected);
        let redirect = plan.probes.iter().find(|p| p.name == "redirect").unwrap();
        assert_eq!(redirect.spec.credentials, Credentials::Include);
        assert_eq!(redirect.spec.redirect, Redirect::Manual);
        // The redirect passes its CORS check with this request's credentials; what follows it fails with
        // credentials (the final answer lacks Access-Control-Allow-Credentials), which this request never
        // reaches: its own mode refuses the redirect.
        let (_, i) = run(&refusing, false, |name| match name {
            "reach" => ProbeOutcome::Opaque,
            "redirect" => ProbeOutcome::OpaqueRedirect,
            "credentials" => ProbeOutcome::Rejected,
            _ => ProbeOutcome::OkRedirected(200),
        });
        assert!(i.not_cors && i.redirect_refused, "{:?}", i.candidates);
        assert!(i.candidates.is_empty());
        // The redirect itself fails the credentials check: a CORS error, before the mode refuses anything.
        let (_, i) = run(&refusing, false, |name| match name {
            "reach" => ProbeOutcome::Opaque,
            "redirect" | "credentials" => ProbeOutcome::Rejected,
            _ => ProbeOutcome::OkRedirected(200),
        });
        assert!(!i.not_cors && !i.redirect_refused && !i.network_error_possible);
        assert_eq!(
            i.candidates,
            [WildcardOriginNotAllowed, InvalidAllowCredentials]
        );
    }

    #[test]
    fn a_redirect_to_user_info_fails_even_without_cors() {
        // Fetch #http-redirect-fetch step 7; Chromium 156 refuses it in no-cors mode as well.
        let (_, i) = run(
            &spec("GET", &[], Credentials::Omit),
            false,
            |name| match name {
                "redirect" => ProbeOutcome::OpaqueRedirect,
                _ => ProbeOutcome::Rejected,
            },
        );
        assert!(!i.not_cors);
        assert_eq!(i.candidates, [RedirectContainsCredentials]);
        assert_eq!(i.fault_header, Some("redirect"));
        // A redirect loop or a file: target looks the same to every probe.
        assert!(i.network_error_possible);
        assert!(!i.certain);
    }

    const FIVE: [(&str, &str); 5] = [
        ("X-A", "1"),
        ("X-B", "2"),
        ("X-C", "3"),
        ("X-D", "4"),
        ("X-E", "5"),
    ];

    /// A probe's outcome when the preflight refuses exactly `refused` (and everything else passes).
    fn refusing<'a>(
        plan: &'a ProbePlan,
        refused: &'a [&str],
    ) -> impl Fn(&str) -> ProbeOutcome + 'a {
        move |name| {
            let probe = plan.probes.iter().find(|p| p.name == name).unwrap();
            let hit = probe
                .spec
                .headers
                .iter()
                .any(|(h, _)| refused.contains(&h.to_ascii_lowercase().as_str()));
            match name {
                _ if hit => ProbeOutcome::Rejected,
                "reach" => ProbeOutcome::Opaque,
                _ => ProbeOutcome::Ok(200),
            }
        }
    }

    #[test]
    fn header_groups_tell_one_header_from_any_other() {
        for n in 0..=MAX_PROBED_HEADERS {
            let groups = header_groups(n);
            let expected = match n {
                0..=4 => n,
                5..=6 => 4,
                _ => 5,
            };
            assert_eq!(groups.len(), expected, "{n} headers");
            let sets: Vec<Vec<usize>> = (0..n)
                .map(|h| {
                    (0..groups.len())
                        .filter(|g| groups[*g].contains(&h))
                        .collect()
                })
                .collect();
            for (a, set_a) in sets.iter().enumerate() {
                assert!(!set_a.is_empty());
                for (b, set_b) in sets.iter().enumerate() {
                    let contained = set_a.iter().all(|g| set_b.contains(g));
                    assert!(a == b || !contained, "{n} headers: {a} within {b}");
                }
            }
        }
    }

    #[test]
    fn five_headers_share_four_probes() {
        let s = spec("GET", &FIVE, Credentials::Omit);
        let (plan, _) = run(&s, false, |_| ProbeOutcome::Rejected);
        let headers: Vec<&Probe> = plan
            .probes
            .iter()
            .filter(|p| p.name.starts_with("header"))
            .collect();
        assert_eq!(headers.len(), 4);
        assert_eq!(headers[0].name, "headers:x-a,x-b,x-d");
        assert_eq!(headers[0].spec.headers.len(), 3);
        assert!(plan.probes.iter().all(Probe::is_safe));
        assert!(plan.untested.is_empty());
    }

    #[test]
    fn one_refused_header_of_five_is_named() {
        let s = spec("GET", &FIVE, Credentials::Omit);
        let c = classify(&s).unwrap();
        let plan = plan(&c, &ProbeOptions::default());
        let (_, i) = run(&s, false, refusing(&plan, &["x-c"]));
        assert_eq!(
            i.candidates,
            [
                HeaderDisallowedByPreflightResponse,
                PreflightInvalidStatus,
                PreflightMissingAllowOriginHeader
            ]
        );
        assert_eq!(i.failed_parameter.as_deref(), Some("x-c"));
        assert_eq!(i.parameters[0].as_deref(), Some("x-c"));
        assert!(i.also_possible.is_empty());
    }

    #[test]
    fn several_refused_headers_are_not_guessed() {
        // x-b and x-e fail every group, as x-c and x-d together would: Chromium names x-b, but the
        // probes cannot tell, so no header is named.
        let s = spec("GET", &FIVE, Credentials::Omit);
        let c = classify(&s).unwrap();
        let plan = plan(&c, &ProbeOptions::default());
        let (_, i) = run(&s, false, refusing(&plan, &["x-b", "x-e"]));
        assert_eq!(i.candidates[0], HeaderDisallowedByPreflightResponse);
        assert_eq!(i.parameters[0], None);
        assert_eq!(i.failed_parameter, None);
        assert!(!i.certain);
    }

    #[test]
    fn only_probes_that_repeat_a_non_safe_method_are_unsafe() {
        let s = spec("PUT", &[("X-Api-Key", "k")], Credentials::Omit);
        let (plan, _) = run(&s, true, |_| ProbeOutcome::Rejected);
        for probe in &plan.probes {
            assert_eq!(probe.is_safe(), probe.name != "method", "{}", probe.name);
        }
        let s = spec("OPTIONS", &[], Credentials::Omit);
        let (plan, _) = run(&s, false, |_| ProbeOutcome::Rejected);
        assert!(plan.probes.iter().any(|p| p.name == "method"));
        assert!(plan.probes.iter().all(Probe::is_safe));
    }

    #[test]
    fn contradictory_outcomes_give_no_candidates() {
        // The request fails, yet the identical probe passes: nothing explains both.
        let (_, i) = run(&spec("GET", &[], Credentials::Omit), false, |_| {
            ProbeOutcome::Ok(200)
        });
        assert!(i.candidates.is_empty());
        assert!(!i.certain);
    }

    /// A simulated server: the inference must be *sound* against the model's exact decision for every
    /// server it can meet, i.e. Chromium's code for the user's request is always among the candidates,
    /// and a certain verdict is exactly that code.
    mod simulation {
        use super::*;
        use crate::response::{Exchange, Response};
        use crate::verdict::{decide, ResponseType, Verdict};
        use proptest::prelude::*;

        #[derive(Clone, Debug)]
        struct Server {
            acao: u8,
            acac: u8,
            pf_acao: u8,
            pf_acac: u8,
            acam: &'static str,
            acah: String,
            pf_status: u16,
            actual_status: u16,
            /// How a refused method or header is answered: 0 left out of the lists; 1 Starlette's 400
            /// (with the CORS headers); 2 Spring's 403 with no CORS header at all.
            refusal: u8,
            /// Whether non-GET actual answers keep their CORS headers.
            other_methods_keep_cors: bool,
            /// Whether actual requests are first answered with a same-origin redirect carrying the same
            /// CORS headers (a router's trailing-slash redirect behind a CORS middleware). The preflight is
            /// redirected only when `pf_status` is 301 as well.
            redirect: bool,
        }

        fn origin_value(kind: u8, origin: &str) -> Option<String> {
            match kind {
                1 => Some("*".into()),
                2 => Some(origin.into()),
                3 => Some("https://other.example".into()),
                4 => Some(format!("{origin}, {origin}")),
                _ => None,
            }
        }

        fn credentials_value(kind: u8) -> Option<&'static str> {
            match kind {
                1 => Some("true"),
                2 => Some("True"),
                _ => None,
            }
        }

        fn listed(list: &str, item: &str) -> bool {
            list.split(',')
                .any(|i| i.trim().eq_ignore_ascii_case(item) || i.trim() == "*")
        }

        fn answer(server: &Server, c: &Classification) -> Exchange {
            let r = &c.request;
            let origin = r.origin().serialize();
            let mut preflight = Response::new(server.pf_status);
            if server.pf_status == 301 {
                preflight.headers.push("Location", "/elsewhere/");
            }
            let refused = !listed(server.acam, r.method())
                || r.unsafe_header_names()
                    .iter()
                    .any(|h| !listed(&server.acah, h));
            match (refused, server.refusal) {
                (true, 1) => preflight.status = 400,
                (true, 2) => {
                    preflight.status = 403;
                    return Exchange {
                        preflight: Some(preflight),
                        actual: vec![Response::new(server.actual_status)],
                    };
                }
                _ => {}
            }
            if let Some(v) = origin_value(server.pf_acao, &origin) {
                preflight.headers.push("Access-Control-Allow-Origin", v);
            }
            if let Some(v) = credentials_value(server.pf_acac) {
                preflight
                    .headers
                    .push("Access-Control-Allow-Credentials", v);
            }
            if !server.acam.is_empty() {
                preflight
                    .headers
                    .push("Access-Control-Allow-Methods", server.acam);
            }
            if !server.acah.is_empty() {
                preflight
                    .headers
                    .push("Access-Control-Allow-Headers", server.acah.as_str());
            }
            let keeps = server.other_methods_keep_cors || matches!(r.method(), "GET" | "HEAD");
            let with_cors = |mut response: Response| {
                if let (true, Some(v)) = (keeps, origin_value(server.acao, &origin)) {
                    response.headers.push("Access-Control-Allow-Origin", v);
                }
                if let (true, Some(v)) = (keeps, credentials_value(server.acac)) {
                    response.headers.push("Access-Control-Allow-Credentials", v);
                }
                response
            };
            let mut actual = Vec::new();
            if server.redirect {
                let mut hop = Response::new(307);
                hop.headers.push("Location", "/final/");
                actual.push(with_cors(hop));
            }
            actual.push(with_cors(Response::new(server.actual_status)));
            Exchange {
                preflight: Some(preflight),
                actual,
            }
        }

        fn outcome(server: &Server, spec: &RequestSpec) -> ProbeOutcome {
            let Ok(c) = classify(spec) else {
                return ProbeOutcome::Rejected;
            };
            if c.request.mode() == Mode::NoCors {
                return ProbeOutcome::Opaque;
            }
            match decide(&c, &answer(server, &c)) {
                Verdict::Allowed(a) if a.response_type == ResponseType::OpaqueRedirect => {
                    ProbeOutcome::OpaqueRedirect
                }
                Verdict::Allowed(_) if server.redirect => {
                    ProbeOutcome::OkRedirected(server.actual_status)
                }
                Verdict::Allowed(_) => ProbeOutcome::Ok(server.actual_status),
                _ => ProbeOutcome::Rejected,
            }
        }

        fn server() -> impl Strategy<Value = Server> {
            let lists = |items: &'static [&'static str]| proptest::sample::select(items);
            (
                (0u8..5, 0u8..3, 0u8..5, 0u8..3),
                lists(&["", "GET, POST", "GET, PUT, DELETE", "*", "put"]),
                lists(&[
                    "",
                    "x-api-key",
                    "content-type",
                    "content-type, x-api-key",
                    "*",
                    "X-API-KEY",
                ]),
                proptest::sample::select(&[200u16, 204, 301, 404, 500][..]),
                proptest::sample::select(&[200u16, 500][..]),
                0u8..3,
                any::<bool>(),
                proptest::bool::weighted(0.2),
            )
                .prop_map(
                    |(
                        (acao, acac, pf_acao, pf_acac),
                        acam,
                        acah,
                        pf_status,
                        actual_status,
                        refuse,
                        keep,
                        redirect,
                    )| Server {
                        acao,
                        acac,
                        pf_acao,
                        pf_acac,
                        acam,
                        acah: acah.to_string(),
                        pf_status,
                        actual_status,
                        refusal: refuse,
                        other_methods_keep_cors: keep,
                        redirect,
                    },
                )
        }

        fn request() -> impl Strategy<Value = RequestSpec> {
            let shapes: &'static [(&'static str, &'static [(&'static str, &'static str)])] = &[
                ("GET", &[]),
                ("GET", &[("X-Api-Key", "k")]),
                ("PUT", &[]),
                (
                    "PUT",
                    &[("X-Api-Key", "k"), ("Content-Type", "application/json")],
                ),
                ("DELETE", &[("X-Api-Key", "k")]),
                ("POST", &[("Content-Type", "text/plain")]),
                ("GET", &[("Authorization", "Bearer t")]),
            ];
            (
                proptest::sample::select(shapes),
                any::<bool>(),
                proptest::bool::weighted(0.15),
            )
                .prop_map(|((method, headers), include, refuse_redirects)| {
                    let credentials = if include {
                        Credentials::Include
                    } else {
                        Credentials::Omit
                    };
                    let mut spec = spec(method, headers, credentials);
                    if refuse_redirects {
                        spec.redirect = Redirect::Error;
                    }
                    spec
                })
        }

        /// The inference for `spec` against `server` is sound (see the module's doc).
        /// Also checks that stopping the probes `stop` picks (each an index, modulo the probes left) when
        /// the verdict no longer waits for them changes nothing.
        fn check(
            server: &Server,
            spec: &RequestSpec,
            may_repeat: bool,
            stop: &[usize],
        ) -> Result<(), TestCaseError> {
            let c = classify(spec).unwrap();
            let verdict = decide(&c, &answer(server, &c));
            if let Verdict::Allowed(_) | Verdict::Incomplete(_) = verdict {
                return Ok(());
            }
            let plan = plan(
                &c,
                &ProbeOptions {
                    may_repeat,
                    ..ProbeOptions::default()
                },
            );
            let (_, i) = run(spec, may_repeat, |name| {
                let probe = plan.probes.iter().find(|p| p.name == name).unwrap();
                outcome(server, &probe.spec)
            });
            let Verdict::Blocked(truth) = verdict else {
                // A redirect the request's mode refuses: a network error the inference must allow for.
                prop_assert!(i.not_cors || i.network_error_possible, "{:?}", i.candidates);
                prop_assert!(i.redirect_refused);
                return Ok(());
            };
            prop_assert!(!i.not_cors);
            // Stopping a probe the verdict no longer waits for changes nothing: the simulated server's
            // outcome for it is one `settled` considered, and consistent with the others.
            let outcomes: Vec<(Probe, ProbeOutcome)> = plan
                .probes
                .iter()
                .map(|p| (p.clone(), outcome(server, &p.spec)))
                .collect();
            let mut finished = outcomes.clone();
            let mut stopped = Vec::new();
            for n in stop {
                if !finished.is_empty() {
                    let at = n % finished.len();
                    stopped.push(finished.remove(at).0);
                }
            }
            if !stopped.is_empty() && settled(&c, &finished, &stopped) {
                let (all, partial) = (infer(&c, &outcomes), infer(&c, &finished));
                prop_assert_eq!(
                    all.verdict(),
                    partial.verdict(),
                    "stopping {:?} changed the verdict",
                    stopped.iter().map(|p| &p.name).collect::<Vec<_>>()
                );
            }
            let possible =
                i.candidates.contains(&truth.error) || i.also_possible.contains(&truth.error);
            prop_assert!(
                possible,
                "{:?} not in {:?} + {:?}",
                truth.error,
                i.candidates,
                i.also_possible
            );
            if i.certain {
                prop_assert_eq!(&i.candidates, &vec![truth.error]);
            }
            if !i.candidates.contains(&truth.error) {
                return Ok(());
            }
            if let Some(stage) = i.fault_stage {
                prop_assert_eq!(stage, truth.error.stage());
            }
            if let Some(header) = i.fault_header {
                prop_assert_eq!(Some(header), fault_part(truth.error));
            }
            let at = i.candidates.iter().position(|c| *c == truth.error).unwrap();
            if let Some(Some(param)) = i.parameters.get(at) {
                prop_assert_eq!(Some(param), truth.failed_parameter.as_ref());
            }
            let names_a_request_item = matches!(
                truth.error,
                MethodDisallowedByPreflightResponse | HeaderDisallowedByPreflightResponse
            );
            if let (Some(param), true) = (&i.failed_parameter, names_a_request_item) {
                prop_assert_eq!(Some(param), truth.failed_parameter.as_ref());
            }
            Ok(())
        }

        /// 5 to 8 custom headers (probed in shared groups), maybe a JSON `Content-Type`, and which of them
        /// the preflight allows (bit i: header i): any number may be refused.
        fn many_headers() -> impl Strategy<Value = (RequestSpec, String)> {
            const NAMES: [&str; 8] = ["X-A", "X-B", "X-C", "X-D", "X-E", "X-F", "X-G", "X-H"];
            (
                5usize..=8,
                any::<u16>(),
                proptest::sample::select(&["GET", "PUT", "DELETE"][..]),
                any::<bool>(),
                any::<bool>(),
            )
                .prop_map(|(n, allowed, method, include, json)| {
                    let mut headers: Vec<(&str, &str)> =
                        NAMES.iter().take(n).map(|name| (*name, "1")).collect();
                    if json {
                        headers.push(("Content-Type", "application/json"));
                    }
                    let acah: Vec<&str> = headers
                        .iter()
                        .enumerate()
                        .filter(|(i, _)| allowed & (1 << i) != 0)
                        .map(|(_, (name, _))| *name)
                        .collect();
                    let credentials = if include {
                        Credentials::Include
                    } else {
                        Credentials::Omit
                    };
                    (spec(method, &headers, credentials), acah.join(", "))
                })
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(3000))]
            #[test]
            fn inference_is_sound(
                server in server(),
                spec in request(),
                may_repeat in any::<bool>(),
                stop in proptest::collection::vec(any::<usize>(), 0..=MAX_SETTLED_PENDING),
            ) {
                check(&server, &spec, may_repeat, &stop)?;
            }
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(1000))]
            #[test]
            fn inference_is_sound_with_shared_header_probes(
                server in server(),
                (spec, acah) in many_headers(),
                may_repeat in any::<bool>(),
                stop in proptest::collection::vec(any::<usize>(), 0..=MAX_SETTLED_PENDING),
            ) {
                // Mostly the generated list; sometimes the server's own (`*`, none, …).
                let server = if acah.len() % 4 == 0 { server } else { Server { acah, ..server } };
                check(&server, &spec, may_repeat, &stop)?;
            }
        }
    }
}
