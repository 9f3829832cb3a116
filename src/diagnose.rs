//! The pipeline: classify the request (model) → send it for real (fetch adapter), with the model's safe
//! probes alongside → when it fails, wait for every probe and let the model infer the cause → a
//! [`Report`]; when it does not, abort the probes.
//!
//! This module decides nothing about CORS itself; it moves facts between the browser and the model.

use std::cell::{Cell, RefCell};
use std::fmt;
use std::rc::Rc;

use corscope_model::check::{ACAC, ACAO};
use corscope_model::classify::Classification;
use corscope_model::error::Stage;
use corscope_model::fix::Focus;
use corscope_model::probe::{self, Inference, Probe, ProbeOptions, ProbeOutcome, ProbePlan};
use corscope_model::text::code;
use corscope_model::verdict::{Allowed, Blocked, ResponseType, Verdict};
use corscope_model::{classify, explain, paste, Credentials, Mode, Refusal, RequestSpec};
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::{future_to_promise, JsFuture};
use web_sys::AbortController;

use crate::fetch::{self, FetchOutcome, Priority, Purpose, Received};
use crate::report::{Outcome, ProbeReport, Report};

/// Called as each probe finishes, so a page can show probes live.
pub type ProbeCallback = Rc<dyn Fn(&ProbeReport)>;

/// How to run a diagnosis.
#[derive(Clone)]
pub struct Options {
    /// Abort each fetch after this many milliseconds.
    pub timeout_ms: u32,
    /// Add a unique query parameter so no cached preflight hides the server's current answer.
    pub cache_bust: bool,
    /// Allow probes to repeat a non-safe method or a body (off: probes stick to GET/HEAD variants).
    pub may_repeat: bool,
    /// Told about each probe as it finishes.
    pub on_probe: Option<ProbeCallback>,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            timeout_ms: 10_000,
            cache_bust: true,
            may_repeat: false,
            on_probe: None,
        }
    }
}

impl fmt::Debug for Options {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Options")
            .field("timeout_ms", &self.timeout_ms)
            .field("cache_bust", &self.cache_bust)
            .field("may_repeat", &self.may_repeat)
            .field("on_probe", &self.on_probe.is_some())
            .finish()
    }
}

/// Sends `spec` from this page and explains what the browser did.
///
/// Never fails: every problem (bad input, network error, timeout) is an [`Outcome`] in the report.
pub async fn diagnose(spec: &RequestSpec, options: Options) -> Report {
    let start = fetch::now_ms();
    let spec = fetch::normalized(spec.clone());
    let mut report = match classify(&spec) {
        Err(refusal) => refused(refusal),
        Ok(classification) => run(&spec, classification, &options).await,
    };
    report.elapsed_ms = (fetch::now_ms() - start).max(0.0);
    report
}

/// The exact verdict from raw headers the user pasted (the output of the `curl -i` commands).
///
/// `Err` is a sentence for the paste box: the paste does not parse, or lacks a response the verdict needs.
pub fn diagnose_pasted(
    classification: &Classification,
    preflight_text: &str,
    actual_text: &str,
) -> Result<Report, String> {
    let exchange =
        paste::parse_exchange(Some(preflight_text), actual_text).map_err(|e| e.to_string())?;
    let mut report = match corscope_model::verdict::decide(classification, &exchange) {
        Verdict::Blocked(blocked) => {
            let echo = echoed_to_curl(&blocked, classification);
            let mut report = blocked_report(blocked, classification);
            report.warnings.extend(echo);
            report
        }
        Verdict::Allowed(allowed) => allowed_report(&allowed),
        Verdict::NetworkError(error) => {
            let mut report = Report::new(Outcome::NetworkError);
            report.headline = explain::network_error(&error);
            report
        }
        Verdict::Incomplete(missing) => return Err(explain::missing(&missing)),
    };
    report.certain = true;
    report.preflight = classification.needs_preflight();
    report
        .warnings
        .splice(0..0, request_warnings(classification));
    report.classification = Some(classification.clone());
    Ok(report)
}

/// After a redirect to another origin the browser sends `Origin: null`, while curl sent the request's own
/// origin all the way. When the failing answer carries that origin back, the server either names it
/// (and the verdict holds) or echoes what it is sent (and may answer the browser's `null` otherwise):
/// the page cannot tell, so the verdict stays the one for the pasted answer, and the warning says how to
/// get the browser's.
fn echoed_to_curl(blocked: &Blocked, classification: &Classification) -> Option<String> {
    let origin = classification.request.origin().serialize();
    let echoed = blocked
        .seen
        .as_deref()
        .is_some_and(|seen| seen.split(',').any(|value| value.trim() == origin));
    (blocked.involves_allow_origin() && blocked.required.as_deref() == Some("null") && echoed).then(|| {
        format!(
            "curl sent `Origin: {origin}` to {}, where the browser sends `Origin: null` (after the redirect to \
             another origin), and the server answered with that origin: if it echoes the origin it is sent, \
             it answers the browser's `null` otherwise. To check, run the last command again for that URL \
             with `-H 'Origin: null'` and paste its answer as the last one.",
            code(&blocked.url.to_string())
        )
    })
}

fn allowed_report(allowed: &Allowed) -> Report {
    let opaque = matches!(
        allowed.response_type,
        ResponseType::Opaque | ResponseType::OpaqueRedirect
    );
    let mut report = Report::new(if opaque { Outcome::Opaque } else { Outcome::Ok });
    report.status = Some(allowed.status);
    report.response_type = Some(allowed.response_type.as_str());
    report.headline = format!(
        "With these headers the browser allows the request; the page sees status {}.",
        allowed.status
    );
    report.readable_headers = allowed.readable.clone();
    report.hidden_headers = allowed.hidden.clone();
    report.expose_line = allowed.expose_headers_line();
    report.warnings = allowed.warnings.iter().map(explain::warning).collect();
    report.focus = Focus::from_allowed(allowed);
    report
}

fn blocked_report(blocked: Blocked, classification: &Classification) -> Report {
    let request = &classification.request;
    let mut report = Report::new(Outcome::Blocked);
    report.cors_error = Some(blocked.error.name());
    report.failed_parameter = blocked.failed_parameter.clone();
    report.certain = true;
    report.fault_response = stage_name(blocked.fault.stage);
    report.fault_header = blocked.fault.part.report_name().map(str::to_string);
    report.status = blocked.status;
    report.headline = explain::headline(&blocked, request);
    report.findings.push(explain::detail(&blocked, request));
    if let Some(reason) = explain::firefox_reason(&blocked) {
        report
            .findings
            .push(format!("Firefox says: {}", code(&reason)));
    }
    if blocked.involves_allow_origin() {
        report.warnings.push(explain::origin_note(request.origin()));
    }
    report.console_message = Some(explain::console_message(&blocked, request));
    report.focus = Some(Focus::from_blocked(&blocked));
    report.blocked = Some(blocked);
    report
}

fn refused(refusal: Refusal) -> Report {
    let outcome = match (&refusal, refusal.cors_error()) {
        (_, Some(_)) => Outcome::Blocked,
        (Refusal::MixedContent | Refusal::BlockedPort(_), None) => Outcome::NetworkError,
        _ => Outcome::InvalidRequest,
    };
    let mut report = Report::new(outcome);
    if let Some(error) = refusal.cors_error() {
        report.cors_error = Some(error.name());
        report.certain = true;
    }
    report.field = Some(refusal.field());
    report.headline = refusal.to_string();
    report.refusal = Some(refusal);
    report
}

async fn run(spec: &RequestSpec, classification: Classification, options: &Options) -> Report {
    let mut report = Report::new(Outcome::Ok);
    report.preflight = classification.needs_preflight();
    report.warnings = request_warnings(&classification);
    let sent = if options.cache_bust {
        cache_busted(spec, &classification)
    } else {
        spec.clone()
    };
    // The plan depends on the request alone: its safe probes go out with the request (see `Probing`).
    let mut probing = Probing::new(&classification, options);
    if classification.request.mode() == Mode::Cors && classification.request.is_cross_origin() {
        probing.start(Probe::is_safe);
    }
    // Awaited after the probes were spawned, but polled (so sent) before any of them runs.
    let fetched = fetch::send(&sent, options.timeout_ms).await;
    if !matches!(fetched.outcome, FetchOutcome::Rejected { .. }) {
        probing.abort();
    }
    match fetched.outcome {
        FetchOutcome::Response(received) if received.kind.is_readable() => {
            fill_received(&mut report, received);
        }
        FetchOutcome::Response(received) => fill_opaque(&mut report, &received, &classification),
        FetchOutcome::TimedOut => {
            report.outcome = Outcome::Timeout;
            report.headline = format!(
                "No answer within {} s: the request was aborted. This says nothing about CORS yet.",
                crate::view::form::seconds(options.timeout_ms)
            );
        }
        FetchOutcome::Refused { message } => {
            report.outcome = Outcome::InvalidRequest;
            report.headline = format!(
                "The browser refused to send the request: {}",
                code(&message)
            );
            report.error_message = Some(message);
        }
        FetchOutcome::Rejected { message } => {
            report.error_message = Some(message);
            let inference = probing.finish(&classification, &mut report).await;
            fill_inference(&mut report, inference, Some(&classification));
        }
    }
    report.classification = Some(classification);
    report
}

fn fill_received(report: &mut Report, received: Received) {
    report.outcome = Outcome::Ok;
    report.status = Some(received.status);
    report.status_text = Some(received.status_text.clone());
    report.response_type = Some(received.kind.as_str());
    let mut names: Vec<String> = received
        .headers
        .iter()
        .map(|(n, _)| n.to_ascii_lowercase())
        .collect();
    corscope_model::header::sort_dedup(&mut names);
    report.readable_headers = names;
    report.headers = received.headers;
    report.body_bytes = Some(received.body.bytes_read);
    report.body_truncated = received.body.truncated;
    if let Some(error) = received.body.error {
        report
            .findings
            .push(format!("The body stopped part-way: {}", code(&error)));
    }
    report.body_preview = Some(received.body.text);
    // The reason phrase is the server's text: a code span keeps its backticks literal.
    let reason = match received.status_text.as_str() {
        "" => String::new(),
        text => format!(" {}", code(text)),
    };
    report.headline = format!(
        "Allowed: the server answered {}{reason} and the page can read the response.",
        received.status
    );
}

fn fill_opaque(report: &mut Report, received: &Received, classification: &Classification) {
    report.outcome = Outcome::Opaque;
    report.response_type = Some(received.kind.as_str());
    report.headline = if received.kind == fetch::ResponseKind::OpaqueRedirect {
        String::from(
            "The server answered with a redirect; redirect mode 'manual' hides where it leads.",
        )
    } else if classification.request.mode() == corscope_model::Mode::NoCors {
        String::from("The server answered, but mode 'no-cors' makes the response opaque: no status, headers or body for the page.")
    } else {
        String::from("The response is opaque: the page may not read it.")
    };
}

fn fill_inference(
    report: &mut Report,
    inference: Inference,
    classification: Option<&Classification>,
) {
    report.outcome = if inference.not_cors {
        Outcome::NetworkError
    } else {
        Outcome::Blocked
    };
    report.certain = inference.certain && inference.candidates.len() == 1;
    report.network_error_possible = inference.network_error_possible;
    report.cors_error = inference.candidates.first().map(|c| c.name());
    if !report.certain {
        report.candidates = inference.candidates.iter().map(|c| c.name()).collect();
    }
    // Chromium's parameter for the reported (most likely) code; the per-candidate ones beside it.
    report.failed_parameter = inference.parameters.first().cloned().flatten();
    for (error, param) in inference.candidates.iter().zip(&inference.parameters) {
        if let Some(param) = param {
            report
                .candidate_parameters
                .push((error.name(), param.clone()));
        }
    }
    report.fault_response = inference.fault_stage.and_then(stage_name);
    report.fault_header = inference.fault_header.map(str::to_string);
    report.findings.extend(inference.findings.iter().cloned());
    let credentialed =
        classification.is_some_and(|c| c.request.credentials() == Credentials::Include);
    report.headline = probe_headline(report, &inference, credentialed);
    if !inference.not_cors {
        let likely = inference
            .candidates
            .first()
            .and_then(|c| probe::fault_part(*c));
        report.focus = Some(Focus::from_candidates(
            inference.fault_stage,
            report.fault_header.as_deref().or(likely),
            inference.failed_parameter.as_deref(),
        ));
    }
    report.also_possible = inference.also_possible.iter().map(|c| c.name()).collect();
    if mentions_allow_origin(report) {
        if let Some(classification) = classification {
            report
                .warnings
                .push(explain::origin_note(classification.request.origin()));
        }
    }
}

fn probe_headline(report: &Report, inference: &Inference, credentialed: bool) -> String {
    if inference.not_cors && inference.redirect_refused {
        return String::from(
            "The URL answers with a redirect, and this request's redirect mode is `error`: the browser fails \
             it with a network error, not a CORS error. Use redirect `follow`, or request the URL the \
             redirect leads to.",
        );
    }
    if inference.not_cors {
        return String::from(
            "The request never got an HTTP answer the browser could check: a network problem, not CORS \
             (connection refused, DNS, TLS, or the server closed the connection).",
        );
    }
    if inference.candidates.is_empty() {
        return String::from(
            "The request failed and the probes could not tell why. Check the raw headers with the curl \
             commands below.",
        );
    }
    if inference.network_error_possible && !inference.redirect_refused {
        return String::from(
            "The browser will not follow this URL's redirect, even without CORS: its Location carries \
             `user:password@` (a CORS error), or the redirects loop or lead outside http(s) (a network \
             error). The curl commands below show the Location.",
        );
    }
    let implicated = inference.failed_parameter.as_deref();
    if report.fault_header.is_some() {
        return explain::candidate_headline(
            inference.fault_stage,
            report.fault_header.as_deref(),
            implicated,
            credentialed,
        );
    }
    let parts: Vec<Option<&str>> = inference
        .candidates
        .iter()
        .map(|c| probe::fault_part(*c))
        .collect();
    let credentials = [ACAO, ACAC].map(Some);
    if parts.iter().all(|p| credentials.contains(p))
        && credentials.iter().all(|c| parts.contains(c))
    {
        return explain::credentials_headline(inference.fault_stage);
    }
    // The causes left disagree on which response part refuses the request: lead with the most likely
    // one, and say it is that.
    let likely = parts.first().copied().flatten();
    let headline =
        explain::candidate_headline(inference.fault_stage, likely, implicated, credentialed);
    if likely.is_some() {
        format!("Most likely: {headline}")
    } else {
        headline
    }
}

fn mentions_allow_origin(report: &Report) -> bool {
    report.fault_header.as_deref() == Some(ACAO)
        || report
            .candidates
            .iter()
            .chain(report.cors_error.iter())
            .filter_map(|name| corscope_model::CorsError::from_name(name))
            .any(|code| probe::fault_part(code) == Some(ACAO))
}

fn stage_name(stage: Stage) -> Option<&'static str> {
    match stage {
        Stage::Preflight => Some("preflight"),
        Stage::Actual => Some("actual"),
        Stage::Request | Stage::LocalNetwork => None,
    }
}

/// Warnings that follow from the request alone: dropped headers, cookies sent, Local Network Access.
pub fn request_warnings(classification: &Classification) -> Vec<String> {
    let mut warnings = Vec::new();
    for dropped in &classification.dropped {
        warnings.push(format!(
            "Header {} is not sent: {}.",
            code(&dropped.name),
            dropped.why
        ));
    }
    if classification.request.credentials() == Credentials::Include {
        warnings.push(format!(
            "credentials 'include': cookies this browser holds for {} will be sent.",
            classification.request.url().host()
        ));
    }
    for notice in &classification.notices {
        warnings.push(notice.to_string());
    }
    warnings
}

/// The request with the model's cache-busting parameter, unless the URL looks signed (changing it would
/// break the signature).
fn cache_busted(spec: &RequestSpec, classification: &Classification) -> RequestSpec {
    if probe::looks_signed(&spec.url) {
        return spec.clone();
    }
    let token = format!("{}", (js_sys::Math::random() * 1e12) as u64);
    let url = classification
        .request
        .url()
        .with_query_param(probe::CACHE_BUST_PARAM, &token);
    RequestSpec {
        url: url.to_string(),
        ..spec.clone()
    }
}

/// The probes of one diagnosis.
///
/// The model's plan does not depend on the request's outcome, so the probes that cannot change anything
/// on the server ([`Probe::is_safe`]: GET, HEAD or OPTIONS, no body) are sent alongside a cross-origin
/// `cors` request (see [`Probing::start`] for the order and priorities). A failure is then explained
/// about as soon as it is seen, or one round trip later when a probe that passes its preflight still
/// waits for its answer, instead of after a whole round of probes. When the request does not fail the
/// probes are aborted and the report lists none: the cost of a request that turns out fine is a few GETs
/// (and their preflights) to its URL, some of which the server may already have answered. A probe that
/// repeats the user's non-safe method (with permission) is sent only once the request has failed. Probes
/// are shown (through [`Options::on_probe`]) only once the request has failed.
struct Probing {
    plan: ProbePlan,
    options: Options,
    /// Which probes of the plan have been sent.
    started: Vec<bool>,
    /// The probes sent, in the order they were: plan index, a promise resolved (never rejected) when the
    /// probe finishes, and what aborts it.
    running: Vec<(usize, js_sys::Promise, AbortController)>,
    shared: Rc<Shared>,
}

/// What the running probes share with the diagnosis.
#[derive(Default)]
struct Shared {
    /// Finished probes, in the order they finished: plan index, outcome, report line.
    finished: RefCell<Vec<(usize, ProbeOutcome, ProbeReport)>>,
    /// The request failed: each probe is shown as it finishes (until then, finished probes wait).
    live: Cell<bool>,
}

impl Probing {
    fn new(classification: &Classification, options: &Options) -> Probing {
        let plan = probe::plan(
            classification,
            &ProbeOptions {
                cache_bust: options.cache_bust,
                may_repeat: options.may_repeat,
                nonce: format!("{}", (js_sys::Math::random() * 1e12) as u64),
            },
        );
        Probing {
            started: plan.probes.iter().map(|_| false).collect(),
            plan,
            options: options.clone(),
            running: Vec::new(),
            shared: Rc::default(),
        }
    }

    /// Sends the probes `which` selects that are not sent yet. Those that need a preflight go first, at
    /// the request's own priority: they take two round trips, and the second (sent by Chromium when the
    /// preflight passes) is the answer a verdict most often waits for. The one-trip probes follow at
    /// `fetch()`'s low priority: Chromium opens at most 6 connections per HTTP/1.1 host and hands a freed
    /// one to the highest priority first, so they are the ones to wait for a connection, and the verdict
    /// does not wait for them once they could not change it ([`probe::settled`]).
    fn start(&mut self, which: fn(&Probe) -> bool) {
        let preflighted: Vec<bool> = self
            .plan
            .probes
            .iter()
            .map(|p| classify(&p.spec).is_ok_and(|c| c.needs_preflight()))
            .collect();
        for first in [true, false] {
            for (index, probe) in self.plan.probes.iter().enumerate() {
                let waiting = self.started.get(index) == Some(&false);
                if !waiting || preflighted.get(index) != Some(&first) || !which(probe) {
                    continue;
                }
                let Ok(controller) = AbortController::new() else {
                    continue;
                };
                if let Some(slot) = self.started.get_mut(index) {
                    *slot = true;
                }
                let priority = if first {
                    Priority::Default
                } else {
                    Priority::Low
                };
                let promise = future_to_promise(run_probe(
                    index,
                    probe.clone(),
                    priority,
                    self.options.clone(),
                    Rc::clone(&self.shared),
                    controller.clone(),
                ));
                self.running.push((index, promise, controller));
            }
        }
    }

    /// The request did not fail: stops every probe still running; nothing of them is reported.
    fn abort(&self) {
        for (_, _, controller) in &self.running {
            controller.abort();
        }
    }

    /// The request failed: shows the probes already finished, sends the rest of the plan, waits for the
    /// probes and returns the model's inference. The last probes, once no answers they could give would
    /// change the verdict ([`probe::settled`]), are stopped rather than waited for, and the findings say so.
    async fn finish(mut self, classification: &Classification, report: &mut Report) -> Inference {
        report.untested = self.plan.untested.clone();
        self.shared.live.set(true);
        if let Some(callback) = &self.options.on_probe {
            for (_, _, probe_report) in self.shared.finished.borrow().iter() {
                callback(probe_report);
            }
        }
        self.start(|_| true);
        loop {
            let pending: Vec<&(usize, js_sys::Promise, AbortController)> = {
                let finished = self.shared.finished.borrow();
                self.running
                    .iter()
                    .filter(|(index, _, _)| finished.iter().all(|(i, _, _)| i != index))
                    .collect()
            };
            if pending.is_empty() {
                break;
            }
            let waiting: Vec<Probe> = pending
                .iter()
                .filter_map(|(index, _, _)| self.plan.probes.get(*index).cloned())
                .collect();
            if probe::settled(classification, &self.outcomes(), &waiting) {
                // Stopped probes are not shown: the page stops listening before it aborts.
                self.shared.live.set(false);
                for (_, _, controller) in &pending {
                    controller.abort();
                }
                for probe in &waiting {
                    report.findings.push(format!(
                        "Probe {} was stopped: no answer it could give would change the verdict.",
                        probe.name
                    ));
                }
                break;
            }
            // Each probe future resolves (never rejects): `race` wakes when the next one finishes.
            let next: js_sys::Array = pending.iter().map(|(_, promise, _)| promise).collect();
            let _ = JsFuture::from(js_sys::Promise::race(&next)).await;
        }
        self.shared.live.set(false);
        let outcomes = self.outcomes();
        report.probes = self
            .shared
            .finished
            .take()
            .into_iter()
            .map(|(_, _, r)| r)
            .collect();
        probe::infer(classification, &outcomes)
    }

    /// The finished probes' outcomes, in plan order (by index: no sort instantiation in the wasm).
    fn outcomes(&self) -> Vec<(Probe, ProbeOutcome)> {
        let finished = self.shared.finished.borrow();
        self.plan
            .probes
            .iter()
            .enumerate()
            .filter_map(|(index, probe)| {
                let (_, outcome, _) = finished.iter().find(|(i, _, _)| *i == index)?;
                Some((probe.clone(), *outcome))
            })
            .collect()
    }
}

/// What the model needs to know of a probe's fetch: the browser's `response.type`, whether a redirect
/// was followed, or how it failed.
fn probe_outcome(outcome: &FetchOutcome) -> ProbeOutcome {
    match outcome {
        FetchOutcome::Response(r) if r.kind.is_readable() && r.redirected => {
            ProbeOutcome::OkRedirected(r.status)
        }
        FetchOutcome::Response(r) if r.kind.is_readable() => ProbeOutcome::Ok(r.status),
        FetchOutcome::Response(r) if r.kind == fetch::ResponseKind::OpaqueRedirect => {
            ProbeOutcome::OpaqueRedirect
        }
        FetchOutcome::Response(_) => ProbeOutcome::Opaque,
        FetchOutcome::TimedOut => ProbeOutcome::Timeout,
        FetchOutcome::Rejected { .. } | FetchOutcome::Refused { .. } => ProbeOutcome::Rejected,
    }
}

async fn run_probe(
    index: usize,
    probe: Probe,
    priority: Priority,
    options: Options,
    shared: Rc<Shared>,
    controller: AbortController,
) -> Result<JsValue, JsValue> {
    let fetched = fetch::send_with(
        &probe.spec,
        options.timeout_ms,
        &controller,
        Purpose::Probe(priority),
    )
    .await;
    let outcome = probe_outcome(&fetched.outcome);
    let status = match outcome {
        ProbeOutcome::Ok(status) | ProbeOutcome::OkRedirected(status) => Some(status),
        _ => None,
    };
    let probe_report = ProbeReport {
        name: probe.name,
        purpose: probe.purpose,
        outcome: outcome.name(),
        status,
        ms: fetched.elapsed_ms,
    };
    if let (true, Some(callback)) = (shared.live.get(), &options.on_probe) {
        callback(&probe_report);
    }
    shared
        .finished
        .borrow_mut()
        .push((index, outcome, probe_report));
    Ok(JsValue::UNDEFINED)
}
