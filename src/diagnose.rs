//! The pipeline: classify the request (model) → send it for real (fetch adapter) → when it fails, run the
//! model's probe plan in parallel and let the model infer the cause → a [`Report`].
//!
//! This module decides nothing about CORS itself; it moves facts between the browser and the model.

use std::cell::RefCell;
use std::fmt;
use std::rc::Rc;

use corscope_model::classify::Classification;
use corscope_model::error::Stage;
use corscope_model::fix::Focus;
use corscope_model::probe::{self, Inference, Probe, ProbeOptions, ProbeOutcome};
use corscope_model::verdict::{Allowed, Blocked, ResponseType, Verdict};
use corscope_model::{classify, explain, paste, Credentials, Refusal, RequestSpec};
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::{future_to_promise, JsFuture};

use crate::fetch::{self, FetchOutcome, Received};
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
        Verdict::Blocked(blocked) => blocked_report(blocked, classification),
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
        report.findings.push(format!("Firefox says: {reason}"));
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
    let fetched = fetch::send(&sent, options.timeout_ms).await;
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
            report.headline = format!("The browser refused to send the request: {message}");
            report.error_message = Some(message);
        }
        FetchOutcome::Rejected { message } => {
            report.error_message = Some(message);
            let inference = run_probes(&classification, options, &mut report).await;
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
    names.sort();
    names.dedup();
    report.readable_headers = names;
    report.headers = received.headers;
    report.body_bytes = Some(received.body.bytes_read);
    report.body_truncated = received.body.truncated;
    if let Some(error) = received.body.error {
        report
            .findings
            .push(format!("The body stopped part-way: {error}"));
    }
    report.body_preview = Some(received.body.text);
    report.headline = format!(
        "Allowed: the server answered {} {} and the page can read the response.",
        received.status, received.status_text
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
    report.candidate_parameters = inference
        .candidates
        .iter()
        .zip(&inference.parameters)
        .filter_map(|(code, param)| Some((code.name(), param.clone()?)))
        .collect();
    report.fault_response = inference.fault_stage.and_then(stage_name);
    report.fault_header = inference.fault_header.map(str::to_string);
    report.findings.extend(inference.findings.iter().cloned());
    report.headline = probe_headline(report, &inference);
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

fn probe_headline(report: &Report, inference: &Inference) -> String {
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
    if inference.network_error_possible {
        return String::from(
            "The browser will not follow this URL's redirect, even without CORS: its Location carries \
             `user:password@` (a CORS error), or the redirects loop or lead outside http(s) (a network \
             error). The curl commands below show the Location.",
        );
    }
    let implicated = inference.failed_parameter.as_deref();
    if report.fault_header.is_some() || implicated.is_none() {
        return explain::candidate_headline(
            inference.fault_stage,
            report.fault_header.as_deref(),
            implicated,
        );
    }
    // The probes named the method or header but the causes disagree on which response part refuses it:
    // lead with the most likely one, and say it is that.
    let likely = inference
        .candidates
        .first()
        .and_then(|c| probe::fault_part(*c));
    let headline = explain::candidate_headline(inference.fault_stage, likely, implicated);
    format!("Most likely: {headline}")
}

fn mentions_allow_origin(report: &Report) -> bool {
    const ACAO: &str = "access-control-allow-origin";
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
            "Header '{}' is not sent: {}.",
            dropped.name, dropped.why
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

/// Runs every probe of the model's plan at once; reports each as it finishes; returns the inference.
async fn run_probes(
    classification: &Classification,
    options: &Options,
    report: &mut Report,
) -> Inference {
    let plan = probe::plan(
        classification,
        &ProbeOptions {
            cache_bust: options.cache_bust,
            may_repeat: options.may_repeat,
            nonce: format!("{}", (js_sys::Math::random() * 1e12) as u64),
        },
    );
    report.untested = plan.untested.clone();
    let finished: Rc<RefCell<Vec<(usize, ProbeOutcome, ProbeReport)>>> = Rc::default();
    let promises = js_sys::Array::new();
    for (index, probe) in plan.probes.iter().enumerate() {
        let promise = future_to_promise(run_probe(
            index,
            probe.clone(),
            options.clone(),
            Rc::clone(&finished),
        ));
        promises.push(&promise);
    }
    // Each probe future resolves (never rejects), so `all` waits for every one of them.
    let _ = JsFuture::from(js_sys::Promise::all(&promises)).await;
    let done = finished.take();
    report.probes = done.iter().map(|(_, _, r)| r.clone()).collect();
    // Back in plan order, by index (no sort: one sort instantiation less in the wasm).
    let mut by_index: Vec<Option<ProbeOutcome>> = plan.probes.iter().map(|_| None).collect();
    for (index, outcome, _) in done {
        if let Some(slot) = by_index.get_mut(index) {
            *slot = Some(outcome);
        }
    }
    let outcomes: Vec<(Probe, ProbeOutcome)> = plan
        .probes
        .iter()
        .zip(by_index)
        .filter_map(|(probe, outcome)| Some((probe.clone(), outcome?)))
        .collect();
    probe::infer(classification, &outcomes)
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
    options: Options,
    finished: Rc<RefCell<Vec<(usize, ProbeOutcome, ProbeReport)>>>,
) -> Result<JsValue, JsValue> {
    let fetched = fetch::send(&probe.spec, options.timeout_ms).await;
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
    if let Some(callback) = &options.on_probe {
        callback(&probe_report);
    }
    finished.borrow_mut().push((index, outcome, probe_report));
    Ok(JsValue::UNDEFINED)
}
