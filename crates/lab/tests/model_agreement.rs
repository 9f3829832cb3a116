//! The model against the catalogue, over real sockets: for every scenario of `GET /scenarios`, the test
//! sends what a browser sends (the preflight, then the actual request with redirects followed the way
//! Chromium follows them for a CORS request), hands the raw answers to `corscope_model::verdict::decide`
//! and compares the verdict with the catalogue's expectation (verified against Chromium 156).
//!
//! The same answers then go through the paste path: each raw response is rendered as `curl -i` prints it,
//! read back with `corscope_model::paste::parse_exchange` and decided again; the verdict must not change
//! (issue 5, "pasted headers path: 100% exact").
//!
//! Every disagreement is listed before the test fails, with the raw exchange behind it.

// Test helpers outside #[test] functions may unwrap too: a panic there is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

#[path = "common/browser.rs"]
mod browser;
mod common;

use std::fmt::Write as _;

use browser::{fetch_like_chromium, spec_of, Fetched, PAGE_ORIGINS};
use common::Lab;
use corscope_model::error::Stage;
use corscope_model::verdict::{decide, Verdict};
use corscope_model::{paste, Classification};
use serde_json::Value;

/// The catalogue's expectation for one scenario, placeholders filled.
#[derive(Debug)]
struct Expected {
    outcome: String,
    cors_error: Option<String>,
    failed_parameter: Option<String>,
    fault_response: Option<String>,
    fault_header: Option<String>,
    preflight: bool,
}

impl Expected {
    fn read(row: &Value, fill: &dyn Fn(&str) -> String) -> Expected {
        let e = &row["expected"];
        let text = |key: &str| e[key].as_str().map(str::to_string);
        Expected {
            outcome: text("outcome").unwrap(),
            cors_error: text("cors_error"),
            failed_parameter: e["failed_parameter"].as_str().map(fill),
            fault_response: text("fault_response"),
            fault_header: text("fault_header"),
            preflight: e["preflight"].as_bool().unwrap(),
        }
    }

    fn summary(&self) -> String {
        match &self.cors_error {
            None => self.outcome.clone(),
            Some(code) => format!(
                "{} {code} [{}] @{}/{}",
                self.outcome,
                self.failed_parameter.as_deref().unwrap_or(""),
                self.fault_response.as_deref().unwrap_or("-"),
                self.fault_header.as_deref().unwrap_or("-"),
            ),
        }
    }
}

fn stage_name(stage: Stage) -> &'static str {
    match stage {
        Stage::Request => "request",
        Stage::Preflight => "preflight",
        Stage::Actual => "actual",
        Stage::LocalNetwork => "local-network",
    }
}

fn verdict_summary(verdict: &Verdict) -> String {
    match verdict {
        Verdict::Allowed(a) => format!("ok ({} {})", a.response_type.as_str(), a.status),
        Verdict::Blocked(b) => format!(
            "blocked {} [{}] @{}/{}",
            b.error.name(),
            b.chromium_failed_parameter(),
            stage_name(b.fault.stage),
            b.fault.part.report_name().unwrap_or("-"),
        ),
        Verdict::NetworkError(e) => format!("network error {e:?}"),
        Verdict::Incomplete(m) => format!("incomplete {m:?}"),
    }
}

/// Every way the verdict differs from the expectation (empty: exact agreement).
fn differences(
    verdict: &Verdict,
    expected: &Expected,
    classification: &Classification,
) -> Vec<String> {
    let mut out = Vec::new();
    if classification.needs_preflight() != expected.preflight {
        out.push(format!(
            "preflight: model {}, catalogue {}",
            classification.needs_preflight(),
            expected.preflight
        ));
    }
    match (verdict, expected.cors_error.as_deref()) {
        (Verdict::Allowed(_), None) if expected.outcome == "ok" => {}
        (Verdict::Blocked(b), Some(code)) if expected.outcome == "blocked" => {
            if b.error.name() != code {
                out.push(format!(
                    "cors_error: model {}, catalogue {code}",
                    b.error.name()
                ));
            }
            let want = expected.failed_parameter.as_deref().unwrap_or("");
            if b.chromium_failed_parameter() != want {
                out.push(format!(
                    "failed_parameter: model {:?}, catalogue {want:?}",
                    b.chromium_failed_parameter()
                ));
            }
            if let Some(want) = expected.fault_response.as_deref() {
                let got = stage_name(b.fault.stage);
                if got != want {
                    out.push(format!("fault_response: model {got}, catalogue {want}"));
                }
            }
            if let Some(want) = expected.fault_header.as_deref() {
                let got = b.fault.part.report_name();
                if got != Some(want) {
                    out.push(format!("fault_header: model {got:?}, catalogue {want}"));
                }
            }
        }
        _ => out.push(format!(
            "outcome: model {}, catalogue {}",
            verdict_summary(verdict),
            expected.summary()
        )),
    }
    out
}

/// Fills the catalogue's placeholders as the lab's README defines them, for a page at `origin` that
/// reached the lab as `lab` (`127.0.0.1:<port>`).
fn filler(origin: &str, lab: &str) -> impl Fn(&str) -> String {
    let origin = origin.to_string();
    let alt = lab.replacen("127.0.0.1", "localhost", 1);
    let lab = lab.to_string();
    move |template: &str| {
        template
            .replace(
                "{origin_enc}",
                &corscope_lab::query::encode(origin.as_bytes()),
            )
            .replace("{origin}", &origin)
            .replace("{lab}", &lab)
            .replace("{alt}", &alt)
    }
}

#[tokio::test]
async fn model_agrees_with_the_catalogue_over_real_sockets_and_through_paste() {
    let lab = Lab::start().await;
    let listing = lab.get("/scenarios").await;
    assert_eq!(listing.status, 200);
    let rows = listing.json().as_array().unwrap().clone();
    assert_eq!(rows.len(), corscope_lab::catalogue::SCENARIOS.len());

    let mut table = String::new();
    let _ = writeln!(
        table,
        "{:<38} {:<24} {:<70} {:<70} paste",
        "scenario", "page origin", "model (sockets)", "catalogue"
    );
    let mut failures = Vec::new();
    let mut exact = 0;
    let mut paste_exact = 0;
    let mut total = 0;
    for origin in PAGE_ORIGINS {
        let fill = filler(origin, &lab.authority());
        for row in &rows {
            total += 1;
            let name = row["name"].as_str().unwrap();
            let expected = Expected::read(row, &fill);
            let spec = spec_of(row, origin, &lab);
            let Fetched {
                classification,
                traffic,
            } = match fetch_like_chromium(lab.addr, &spec).await {
                Ok(fetched) => fetched,
                Err(refusal) => {
                    let _ = writeln!(
                        table,
                        "{name:<38} {origin:<24} {:<70} {:<70} -",
                        format!("refused: {refusal}"),
                        expected.summary()
                    );
                    failures.push(format!(
                        "{name} from {origin}: the model refuses the request: {refusal:?}\n    spec: {spec:?}"
                    ));
                    continue;
                }
            };
            if let Some(failure) = &traffic.failure {
                failures.push(format!(
                    "{name} from {origin}: the lab could not be reached: {failure}"
                ));
            }
            let exchange = traffic.exchange();
            let verdict = decide(&classification, &exchange);
            let diffs = differences(&verdict, &expected, &classification);
            if diffs.is_empty() {
                exact += 1;
            } else {
                failures.push(format!(
                    "{name} from {origin}: the model disagrees with the catalogue\n    {}\n    model: {}\n    \
                     catalogue: {}\n    full verdict: {verdict:?}\n    exchange:\n{}",
                    diffs.join("\n    "),
                    verdict_summary(&verdict),
                    expected.summary(),
                    traffic.describe()
                ));
            }

            // The paste path: the same answers as `curl -i` text (CRLF as curl writes it, and LF as a
            // terminal copy gives it), read back and decided again.
            let (preflight_crlf, actual_crlf) = traffic.pastes();
            let mut paste_problems = Vec::new();
            for (endings, preflight_text, actual_text) in [
                ("CRLF", preflight_crlf.clone(), actual_crlf.clone()),
                (
                    "LF",
                    preflight_crlf.as_ref().map(|t| t.replace("\r\n", "\n")),
                    actual_crlf.replace("\r\n", "\n"),
                ),
            ] {
                let problem = match paste::parse_exchange(preflight_text.as_deref(), &actual_text) {
                    Err(error) => Some(format!("does not parse: {error}")),
                    Ok(pasted) => {
                        let again = decide(&classification, &pasted);
                        if again != verdict {
                            Some(format!(
                                "gives another verdict\n    sockets: {verdict:?}\n    pasted:  {again:?}"
                            ))
                        } else if pasted != exchange {
                            Some(format!(
                                "gives the same verdict but reads other responses\n    sockets: \
                                 {exchange:?}\n    pasted:  {pasted:?}"
                            ))
                        } else {
                            None
                        }
                    }
                };
                if let Some(problem) = problem {
                    paste_problems.push(format!("{endings} paste"));
                    failures.push(format!(
                        "{name} from {origin}: the {endings} paste {problem}\n    preflight paste: \
                         {preflight_text:?}\n    actual paste: {actual_text:?}"
                    ));
                }
            }
            let paste_column = if paste_problems.is_empty() {
                paste_exact += 1;
                "same".to_string()
            } else {
                format!("DIFFERENT ({})", paste_problems.join(", "))
            };
            let mark = if diffs.is_empty() {
                ""
            } else {
                "  <-- DISAGREES"
            };
            let _ = writeln!(
                table,
                "{name:<38} {origin:<24} {:<70} {:<70} {paste_column}{mark}",
                verdict_summary(&verdict),
                expected.summary()
            );
        }
    }
    let _ = writeln!(
        table,
        "\nsockets: {exact}/{total} exact; paste: {paste_exact}/{total} identical to the socket verdict (CRLF and LF)"
    );
    println!("{table}");
    lab.stop().await.unwrap();
    assert!(
        failures.is_empty(),
        "{} disagreement(s):\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}
