//! Every scenario of the lab's catalogue (`GET /scenarios`), sent for real and graded against the
//! catalogue's expected code and failed parameter, as issue 5 grades: exact, fault, or wrong.

use corscope::{diagnose, Options, Report};
use corscope_model::{Credentials, Mode, Redirect, RequestSpec};
use wasm_bindgen::JsValue;
use wasm_bindgen_test::{console_log, wasm_bindgen_test};

use super::serde_json_lite::Json;
use super::{assert_no_panic, lab, lab_url, spec};

/// What the catalogue says one scenario should give.
struct Expected {
    name: String,
    spec: RequestSpec,
    cors_error: Option<String>,
    failed_parameter: Option<String>,
    fault_response: Option<String>,
    fault_header: Option<String>,
}

#[derive(Debug, PartialEq)]
enum Grade {
    Exact,
    Fault,
    Wrong(String),
}

#[wasm_bindgen_test]
async fn every_lab_scenario_is_diagnosed() {
    let catalogue = corscope::diagnose(&spec("GET", "/scenarios", &[]), Options::default()).await;
    assert_eq!(
        catalogue.outcome,
        corscope::Outcome::Ok,
        "the lab's /scenarios at {}: {}",
        lab(),
        catalogue.headline
    );
    let text = catalogue.body_preview.unwrap_or_default();
    assert!(
        !catalogue.body_truncated,
        "the catalogue is over the preview cap"
    );
    let json = Json::parse(&text);
    let list = if json.has("scenarios") {
        json.get("scenarios")
    } else {
        json
    };
    let entries: Vec<Expected> = js_sys::Array::from(&list.0)
        .iter()
        .map(|e| expected(&Json(e)))
        .collect();
    assert!(!entries.is_empty(), "empty catalogue");

    let mut wrong = Vec::new();
    let (mut exact, mut fault) = (0, 0);
    for entry in &entries {
        let options = Options {
            may_repeat: true,
            ..Options::default()
        };
        let report = diagnose(&entry.spec, options).await;
        let grade = grade(entry, &report);
        console_log!(
            "{:<40} expected {:<40} got {:<40} {:?}",
            entry.name,
            format!("{:?}/{:?}", entry.cors_error, entry.failed_parameter),
            format!(
                "{:?}/{:?} {:?}",
                report.cors_error, report.failed_parameter, report.candidates
            ),
            grade
        );
        match grade {
            Grade::Exact => exact += 1,
            Grade::Fault => fault += 1,
            Grade::Wrong(why) => {
                let probes: Vec<String> = report
                    .probes
                    .iter()
                    .map(|p| format!("{}={}", p.name, p.outcome))
                    .collect();
                wrong.push(format!(
                    "{}: {why} (outcome {}, probes {})",
                    entry.name,
                    report.outcome.as_str(),
                    probes.join(" ")
                ));
            }
        }
    }
    console_log!(
        "{} scenarios: {exact} exact, {fault} fault, {} wrong",
        entries.len(),
        wrong.len()
    );
    assert!(wrong.is_empty(), "wrong diagnoses:\n{}", wrong.join("\n"));
    assert_no_panic();
}

/// Issue 5's grades, as the lab's `probe_agreement` test applies them: *exact* is certain with the true
/// code and failed parameter; *fault* has the true code among the candidates, and whatever it claims
/// about the response and header at fault, and about a failed method or request header, is true;
/// anything else is *wrong*.
fn grade(entry: &Expected, report: &Report) -> Grade {
    let Some(code) = &entry.cors_error else {
        return match report.outcome {
            corscope::Outcome::Ok | corscope::Outcome::Opaque => Grade::Exact,
            other => Grade::Wrong(format!("{}, expected allowed", other.as_str())),
        };
    };
    if report.certain
        && report.cors_error == Some(code.as_str())
        && report.failed_parameter == entry.failed_parameter
    {
        return Grade::Exact;
    }
    let listed = if report.certain {
        report.cors_error == Some(code.as_str())
    } else {
        report.candidates.iter().any(|c| c == code)
    };
    if !listed {
        return Grade::Wrong(format!(
            "{code} not among {:?} (certain: {})",
            report.candidates, report.certain
        ));
    }
    if let Some(claimed) = report.fault_response {
        if Some(claimed) != entry.fault_response.as_deref() {
            return Grade::Wrong(format!(
                "fault response {claimed}, true {:?}",
                entry.fault_response
            ));
        }
    }
    if let Some(claimed) = &report.fault_header {
        if Some(claimed) != entry.fault_header.as_ref() {
            return Grade::Wrong(format!(
                "fault header {claimed}, true {:?}",
                entry.fault_header
            ));
        }
    }
    // An uncertain report names Chromium's parameter per candidate; the claim that counts is the one for
    // Chromium's code.
    let claimed = if report.certain {
        report.failed_parameter.as_ref()
    } else {
        report.candidate_parameter(code)
    };
    // The page knows the method or header name: it must give it, and give it right.
    if names_a_request_item(code) && claimed != entry.failed_parameter.as_ref() {
        return Grade::Wrong(format!(
            "failed parameter {claimed:?}, true {:?}",
            entry.failed_parameter
        ));
    }
    Grade::Fault
}

/// For these codes the failed parameter is the method or a request header name, which a page can
/// know; for the others it is a response header's value, which a page cannot read.
fn names_a_request_item(code: &str) -> bool {
    matches!(
        code,
        "MethodDisallowedByPreflightResponse" | "HeaderDisallowedByPreflightResponse"
    )
}

fn text(json: &Json, key: &str) -> Option<String> {
    json.str(key).filter(|s| !s.is_empty())
}

/// Reads one catalogue entry; its `request` is `{method, path|url, headers, mode, credentials, redirect, body}`.
fn expected(entry: &Json) -> Expected {
    let name = text(entry, "name").expect("scenario without a name");
    let request = entry.get("request");
    let url = text(&request, "url").unwrap_or_else(|| {
        let path = text(&request, "path").unwrap_or_else(|| format!("/s/{name}"));
        lab_url(&path)
    });
    let headers = headers(&request.get("headers").0);
    let spec = RequestSpec {
        origin: corscope::page_origin(),
        url,
        method: text(&request, "method").unwrap_or_else(|| "GET".into()),
        mode: text(&request, "mode")
            .and_then(|m| Mode::parse(&m))
            .unwrap_or_default(),
        credentials: text(&request, "credentials")
            .and_then(|c| Credentials::parse(&c))
            .unwrap_or_default(),
        redirect: text(&request, "redirect")
            .and_then(|r| Redirect::parse(&r))
            .unwrap_or_default(),
        headers,
        body: text(&request, "body"),
    };
    let expected = if entry.has("expected") {
        entry.get("expected")
    } else {
        Json(entry.0.clone())
    };
    Expected {
        name,
        spec,
        cors_error: text(&expected, "cors_error").or_else(|| text(&expected, "code")),
        failed_parameter: text(&expected, "failed_parameter").map(|p| expand(&p)),
        fault_response: text(&expected, "fault_response"),
        fault_header: text(&expected, "fault_header"),
    }
}

/// Expands the catalogue's templates: `{origin}` is this page's origin, `{lab}` the lab's host:port.
fn expand(text: &str) -> String {
    let host = lab().split_once("://").map_or(lab(), |(_, rest)| rest);
    text.replace("{origin}", &corscope::page_origin())
        .replace("{lab}", host)
}

fn headers(value: &JsValue) -> Vec<(String, String)> {
    if value.is_undefined() || value.is_null() {
        return Vec::new();
    }
    if js_sys::Array::is_array(value) {
        return js_sys::Array::from(value)
            .iter()
            .map(|h| match h.as_string() {
                Some(line) => {
                    let (n, v) = line.split_once(':').unwrap();
                    (n.trim().to_string(), v.trim().to_string())
                }
                None => {
                    let pair = js_sys::Array::from(&h);
                    (
                        pair.get(0).as_string().unwrap(),
                        pair.get(1).as_string().unwrap(),
                    )
                }
            })
            .collect();
    }
    let object: js_sys::Object = value.clone().into();
    js_sys::Object::entries(&object)
        .iter()
        .map(|e| {
            let pair = js_sys::Array::from(&e);
            (
                pair.get(0).as_string().unwrap(),
                pair.get(1).as_string().unwrap(),
            )
        })
        .collect()
}
