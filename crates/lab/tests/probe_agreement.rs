//! The browser-only path against the exact verdict, over real sockets, graded as issue 5 grades it.
//!
//! For every scenario of `GET /scenarios` that the model's exact verdict (`decide` on the answers a
//! browser gets, see `model_agreement.rs`) blocks, from each page origin: plan the probes
//! (`probe::plan`), send each probe to the lab as Chromium would (the same socket browser), turn what
//! the browser would do into what the page observes (`ProbeOutcome`), and narrow the cause
//! (`probe::infer`). The inference is graded against the exact verdict:
//!
//! - *exact*: certain, the single candidate is the true code, and the failed parameter is the true one;
//! - *fault*: the true code is among the candidates; the fault stage and fault header, when given, are
//!   the true code's; the failed parameter, when given, is the true one wherever the true code names a
//!   request item (`MethodDisallowedByPreflightResponse`, `HeaderDisallowedByPreflightResponse`);
//! - *wrong*: anything else, including the true code only in `also_possible`.
//!
//! Two passes: the user allows probes to repeat the request (`may_repeat`, as the end-to-end harness
//! does: the lab is harmless), which must give no *wrong* row; and the default (`may_repeat: false`),
//! which is only reported.

// Test helpers outside #[test] functions may unwrap too: a panic there is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

#[path = "common/browser.rs"]
mod browser;
mod common;

use std::fmt::Write as _;
use std::net::SocketAddr;

use browser::{fetch_like_chromium, spec_of, PAGE_ORIGINS};
use common::Lab;
use corscope_model::error::Stage;
use corscope_model::probe::{self, Inference, Probe, ProbeOptions, ProbeOutcome};
use corscope_model::verdict::{decide, Blocked, ResponseType, Verdict};
use corscope_model::{Classification, CorsError, Mode};
use serde_json::Value;

/// What the page observes for one probe, and what the browser did behind it (for the report).
struct Observed {
    outcome: ProbeOutcome,
    /// The browser's side: the exact verdict on the probe's exchange.
    why: String,
}

/// Sends a probe as Chromium would and says what the page's `fetch()` observes.
async fn observe(lab: SocketAddr, probe: &Probe) -> Observed {
    let fetched = match fetch_like_chromium(lab, &probe.spec).await {
        Ok(fetched) => fetched,
        // `fetch()` throws a TypeError before sending anything.
        Err(refusal) => {
            return Observed {
                outcome: ProbeOutcome::Rejected,
                why: format!("refused before sending: {refusal}"),
            }
        }
    };
    let traffic = &fetched.traffic;
    if fetched.classification.request.mode() == Mode::NoCors {
        // No CORS check applies: any answer resolves the fetch with an opaque response, except that
        // Chromium 156 refuses to follow a `Location` with `user:password@` even in no-cors mode.
        let userinfo_redirect = traffic.actual.iter().any(|raw| {
            raw.response.is_redirect()
                && raw
                    .response
                    .location()
                    .and_then(|l| corscope_model::Url::parse(&l).ok())
                    .is_some_and(|url| url.has_credentials())
        });
        if userinfo_redirect {
            return Observed {
                outcome: ProbeOutcome::Rejected,
                why: "redirect to a URL with user:password@ (refused in every mode)".into(),
            };
        }
        return if traffic.actual.is_empty() {
            Observed {
                outcome: ProbeOutcome::Rejected,
                why: format!("no answer: {}", traffic.failure.as_deref().unwrap_or("?")),
            }
        } else {
            Observed {
                outcome: ProbeOutcome::Opaque,
                why: format!("answered {}", traffic.actual[0].response.status),
            }
        };
    }
    // Redirect mode `manual`: the browser only fetched the first answer, and `decide` stops there too
    // (an opaque redirect when it is a redirect that passes the access check).
    let verdict = decide(&fetched.classification, &traffic.exchange());
    let outcome = match &verdict {
        Verdict::Allowed(a) if a.response_type == ResponseType::OpaqueRedirect => {
            ProbeOutcome::OpaqueRedirect
        }
        Verdict::Allowed(a) if traffic.actual.len() > 1 => ProbeOutcome::OkRedirected(a.status),
        Verdict::Allowed(a) => ProbeOutcome::Ok(a.status),
        Verdict::Blocked(_) | Verdict::NetworkError(_) | Verdict::Incomplete(_) => {
            ProbeOutcome::Rejected
        }
    };
    let why = match &verdict {
        Verdict::Allowed(a) => format!("allowed ({} {})", a.response_type.as_str(), a.status),
        Verdict::Blocked(b) => format!("blocked {}", blocked_summary(b)),
        Verdict::NetworkError(e) => format!("network error {e:?}"),
        Verdict::Incomplete(m) => format!(
            "incomplete {m:?} ({})",
            traffic.failure.as_deref().unwrap_or("no failure")
        ),
    };
    Observed { outcome, why }
}

fn stage_name(stage: Stage) -> &'static str {
    match stage {
        Stage::Request => "request",
        Stage::Preflight => "preflight",
        Stage::Actual => "actual",
        Stage::LocalNetwork => "local-network",
    }
}

fn blocked_summary(b: &Blocked) -> String {
    format!(
        "{} [{}] @{}/{}",
        b.error.name(),
        b.chromium_failed_parameter(),
        stage_name(b.fault.stage),
        b.fault.part.report_name().unwrap_or("-"),
    )
}

fn codes(codes: &[CorsError]) -> String {
    codes
        .iter()
        .map(|c| c.name())
        .collect::<Vec<_>>()
        .join(", ")
}

fn inference_summary(i: &Inference) -> String {
    let mut text = codes(&i.candidates);
    if !i.also_possible.is_empty() {
        let _ = write!(text, " (+ {})", codes(&i.also_possible));
    }
    if let Some(param) = &i.failed_parameter {
        let _ = write!(text, " [{param}]");
    }
    if i.not_cors {
        text.push_str(" NOT-CORS");
    }
    text
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Grade {
    Exact,
    Fault,
    Wrong,
}

impl Grade {
    fn name(self) -> &'static str {
        match self {
            Grade::Exact => "exact",
            Grade::Fault => "fault",
            Grade::Wrong => "WRONG",
        }
    }
}

/// The grade, and why it is not better (empty for exact).
fn grade(i: &Inference, truth: &Blocked) -> (Grade, Vec<String>) {
    let code = truth.error;
    if i.certain && i.candidates == [code] && i.failed_parameter == truth.failed_parameter {
        return (Grade::Exact, Vec::new());
    }
    let mut notes = Vec::new();
    if i.certain && i.candidates == [code] {
        notes.push(format!(
            "failed parameter {:?}, true {:?}",
            i.failed_parameter, truth.failed_parameter
        ));
    }
    let mut wrong = Vec::new();
    if !i.candidates.contains(&code) {
        if i.also_possible.contains(&code) {
            wrong.push(format!("{} only in also_possible", code.name()));
        } else {
            wrong.push(format!("{} not among the candidates", code.name()));
        }
    }
    if let Some(stage) = i.fault_stage {
        if stage != code.stage() {
            wrong.push(format!(
                "fault stage {}, true {}",
                stage_name(stage),
                stage_name(code.stage())
            ));
        }
    }
    if let Some(header) = i.fault_header {
        if Some(header) != probe::fault_part(code) {
            wrong.push(format!(
                "fault header {header}, true {:?}",
                probe::fault_part(code)
            ));
        }
    }
    let names_a_request_item = matches!(
        code,
        CorsError::MethodDisallowedByPreflightResponse
            | CorsError::HeaderDisallowedByPreflightResponse
    );
    if let (Some(param), true) = (&i.failed_parameter, names_a_request_item) {
        if Some(param) != truth.failed_parameter.as_ref() {
            wrong.push(format!(
                "failed parameter {param:?}, true {:?}",
                truth.failed_parameter
            ));
        }
    }
    if wrong.is_empty() {
        (Grade::Fault, notes)
    } else {
        (Grade::Wrong, wrong)
    }
}

/// One graded row.
struct Row {
    scenario: String,
    origin: &'static str,
    truth: Blocked,
    inference: Inference,
    grade: Grade,
    why: Vec<String>,
    probes: Vec<(Probe, Observed)>,
}

impl Row {
    fn line(&self) -> String {
        let i = &self.inference;
        let at = format!(
            "{}/{}",
            i.fault_stage.map_or("?", stage_name),
            i.fault_header.unwrap_or("?")
        );
        format!(
            "{:<38} {:<24} {:<78} {:<5} {:<46} {:<5} {:>2}+{:<2} {}",
            self.scenario,
            self.origin,
            blocked_summary(&self.truth),
            if i.certain { "yes" } else { "no" },
            at,
            self.grade.name(),
            i.candidates.len(),
            i.also_possible.len(),
            inference_summary(i),
        )
    }

    fn details(&self) -> String {
        let mut out = format!(
            "{} from {}: {}\n    truth: {}\n    inference: {}\n    certain: {}, stage: {:?}, header: {:?}, \
             failed parameter: {:?}\n    probes:\n",
            self.scenario,
            self.origin,
            self.why.join("; "),
            blocked_summary(&self.truth),
            inference_summary(&self.inference),
            self.inference.certain,
            self.inference.fault_stage,
            self.inference.fault_header,
            self.inference.failed_parameter,
        );
        for (probe, observed) in &self.probes {
            let _ = writeln!(
                out,
                "      {:<22} {:<28} browser: {}  [{} {}{}{}]",
                probe.name,
                observed.outcome.to_string(),
                observed.why,
                probe.spec.method,
                probe.spec.mode,
                if probe.spec.credentials == corscope_model::Credentials::Include {
                    " include"
                } else {
                    ""
                },
                probe
                    .spec
                    .headers
                    .iter()
                    .map(|(n, v)| format!(" {n}: {v}"))
                    .collect::<String>(),
            );
        }
        out.push_str("    findings:\n");
        for finding in &self.inference.findings {
            let _ = writeln!(out, "      - {finding}");
        }
        out
    }
}

/// Plans, observes and infers for one blocked scenario.
async fn diagnose(
    lab: SocketAddr,
    classification: &Classification,
    may_repeat: bool,
) -> (Inference, Vec<(Probe, Observed)>) {
    let options = ProbeOptions {
        may_repeat,
        ..Default::default()
    };
    let plan = probe::plan(classification, &options);
    let mut probes = Vec::new();
    for p in plan.probes {
        let observed = observe(lab, &p).await;
        probes.push((p, observed));
    }
    let outcomes: Vec<(Probe, ProbeOutcome)> =
        probes.iter().map(|(p, o)| (p.clone(), o.outcome)).collect();
    (probe::infer(classification, &outcomes), probes)
}

#[derive(Default)]
struct Totals {
    rows: usize,
    exact: usize,
    fault: usize,
    wrong: usize,
    unknown_stage: usize,
    unknown_header: usize,
    /// Candidate codes over every row, and the most in one row.
    candidates: usize,
    most_candidates: usize,
    also_possible: usize,
    /// Rows whose true code names a request item (method or header) but the inference names none.
    request_item_unnamed: usize,
}

impl Totals {
    fn add(&mut self, row: &Row) {
        self.rows += 1;
        match row.grade {
            Grade::Exact => self.exact += 1,
            Grade::Fault => self.fault += 1,
            Grade::Wrong => self.wrong += 1,
        }
        if row.inference.fault_stage.is_none() {
            self.unknown_stage += 1;
        }
        if row.inference.fault_header.is_none() {
            self.unknown_header += 1;
        }
        self.candidates += row.inference.candidates.len();
        self.most_candidates = self.most_candidates.max(row.inference.candidates.len());
        self.also_possible += row.inference.also_possible.len();
        let names_a_request_item = matches!(
            row.truth.error,
            CorsError::MethodDisallowedByPreflightResponse
                | CorsError::HeaderDisallowedByPreflightResponse
        );
        if names_a_request_item && row.inference.failed_parameter.is_none() {
            self.request_item_unnamed += 1;
        }
    }

    fn summary(&self) -> String {
        let share = |n: usize| 100.0 * n as f64 / self.rows.max(1) as f64;
        format!(
            "{} blocked rows: {} exact ({:.0}%), {} fault ({:.0}%), {} wrong; fault stage unknown in {}, fault \
             header unknown in {}; method/header code with no failed parameter named: {}; candidates per row: \
             {:.1} on average, {} at most (+ {:.1} also possible on average)",
            self.rows,
            self.exact,
            share(self.exact),
            self.fault,
            share(self.fault),
            self.wrong,
            self.unknown_stage,
            self.unknown_header,
            self.request_item_unnamed,
            self.candidates as f64 / self.rows.max(1) as f64,
            self.most_candidates,
            self.also_possible as f64 / self.rows.max(1) as f64,
        )
    }
}

#[tokio::test]
async fn probe_inference_agrees_with_the_exact_verdict_on_every_blocked_scenario() {
    let lab = Lab::start().await;
    let listing = lab.get("/scenarios").await;
    assert_eq!(listing.status, 200);
    let rows: Vec<Value> = listing.json().as_array().unwrap().clone();
    assert_eq!(rows.len(), corscope_lab::catalogue::SCENARIOS.len());

    // The truth: the exact verdict on the scenario's own request, as model_agreement.rs establishes it.
    let mut blocked = Vec::new();
    let mut allowed = 0;
    for origin in PAGE_ORIGINS {
        for row in &rows {
            let name = row["name"].as_str().unwrap().to_string();
            let spec = spec_of(row, origin, &lab);
            let fetched = fetch_like_chromium(lab.addr, &spec)
                .await
                .unwrap_or_else(|refusal| panic!("{name}: the model refuses it: {refusal:?}"));
            assert!(
                fetched.traffic.failure.is_none(),
                "{name}: {:?}",
                fetched.traffic.failure
            );
            match decide(&fetched.classification, &fetched.traffic.exchange()) {
                Verdict::Blocked(truth) => {
                    blocked.push((name, origin, fetched.classification, truth))
                }
                Verdict::Allowed(_) => allowed += 1,
                other => panic!("{name} from {origin}: not a CORS verdict: {other:?}"),
            }
        }
    }

    // `CORSCOPE_PROBE_DETAILS=1`: the probes and findings of every row, not only the wrong ones.
    let every_detail = std::env::var_os("CORSCOPE_PROBE_DETAILS").is_some_and(|v| v == "1");
    let mut report = String::new();
    let mut failures = Vec::new();
    let mut totals_lines = Vec::new();
    for may_repeat in [true, false] {
        let _ = writeln!(
            report,
            "\n== may_repeat: {may_repeat} ==\n{:<38} {:<24} {:<78} {:<5} {:<46} {:<5} {:<5} candidates (+ also possible) [failed parameter]",
            "scenario", "page origin", "truth (exact verdict)", "cert", "fault stage/header", "grade", "n+a"
        );
        let mut totals = Totals::default();
        let mut notes = Vec::new();
        for (name, origin, classification, truth) in &blocked {
            let (inference, probes) = diagnose(lab.addr, classification, may_repeat).await;
            let (grade, why) = grade(&inference, truth);
            let row = Row {
                scenario: name.clone(),
                origin,
                truth: truth.clone(),
                inference,
                grade,
                why,
                probes,
            };
            let _ = writeln!(report, "{}", row.line());
            totals.add(&row);
            match row.grade {
                Grade::Wrong if may_repeat => failures.push(row.details()),
                Grade::Wrong => notes.push(row.details()),
                _ if every_detail => notes.push(row.details()),
                _ => {}
            }
        }
        let line = format!("may_repeat {may_repeat}: {}", totals.summary());
        let _ = writeln!(report, "\n{line}");
        if !notes.is_empty() {
            let _ = writeln!(
                report,
                "\n{} (reported, not failed):\n\n{}",
                if every_detail {
                    "details"
                } else {
                    "wrong rows with may_repeat: false"
                },
                notes.join("\n")
            );
        }
        totals_lines.push(line);
    }
    let _ = writeln!(
        report,
        "\n{allowed} scenario rows are allowed (not graded).\n{}",
        totals_lines.join("\n")
    );
    println!("{report}");
    lab.stop().await.unwrap();
    assert!(
        failures.is_empty(),
        "{} wrong row(s) with may_repeat: true:\n\n{}",
        failures.len(),
        failures.join("\n")
    );
}
