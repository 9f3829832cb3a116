//! The public API, used exactly as a user's own `wasm-pack test --headless --chrome` suite would use it.

use corscope::{diagnose, Options, Outcome};
use corscope_model::{Credentials, RequestSpec};
use wasm_bindgen_test::wasm_bindgen_test;

use super::{assert_no_panic, lab_url, spec};

/// The README's example: assert your API's CORS policy from a real browser.
#[wasm_bindgen_test]
async fn my_api_allows_this_origin_and_exposes_date() {
    super::fresh();
    let spec = RequestSpec {
        origin: corscope::page_origin(),
        url: lab_url("/b?acao=echo&aceh=date"),
        method: "GET".into(),
        ..RequestSpec::default()
    };
    let report = diagnose(&spec, Options::default()).await;
    assert_eq!(report.outcome, Outcome::Ok, "{}", report.headline);
    assert_eq!(report.status, Some(200));
    assert!(report
        .readable_headers
        .contains(&"content-type".to_string()));
    assert!(report.readable_headers.contains(&"date".to_string()));
    assert_no_panic();
}

#[wasm_bindgen_test]
async fn unexposed_headers_stay_hidden() {
    let report = diagnose(&spec("GET", "/b?acao=echo", &[]), Options::default()).await;
    assert_eq!(report.outcome, Outcome::Ok, "{}", report.headline);
    assert!(report
        .readable_headers
        .contains(&"content-type".to_string()));
    assert!(!report.readable_headers.contains(&"date".to_string()));
    assert!(!report.preflight);
    assert_no_panic();
}

#[wasm_bindgen_test]
async fn missing_allow_origin_is_blocked_on_the_actual_response() {
    let report = diagnose(&spec("GET", "/b?acao=none", &[]), Options::default()).await;
    assert_eq!(report.outcome, Outcome::Blocked, "{}", report.headline);
    assert_eq!(report.fault_response, Some("actual"));
    assert_eq!(
        report.fault_header.as_deref(),
        Some("access-control-allow-origin")
    );
    let possible = report.candidates.iter().chain(report.cors_error.iter());
    assert!(
        possible
            .into_iter()
            .any(|c| *c == "MissingAllowOriginHeader"),
        "{:?}",
        report.candidates
    );
    assert!(!report.probes.is_empty());
    // Without credentials a `*` origin would pass: the headline does not suggest it.
    assert!(
        !report.headline.contains("credentials"),
        "{}",
        report.headline
    );
    assert_no_panic();
}

/// With credentials, a page cannot tell a `*` origin from a missing Access-Control-Allow-Credentials (both
/// pass without credentials): the headline names both checks, and Chromium's code is among the candidates.
#[wasm_bindgen_test]
async fn credentialed_failures_name_both_credential_checks() {
    for (path, code) in [
        ("/b?acao=*", "WildcardOriginNotAllowed"),
        ("/b?acao=echo", "InvalidAllowCredentials"),
    ] {
        let spec = RequestSpec {
            credentials: Credentials::Include,
            ..spec("GET", path, &[])
        };
        let report = diagnose(&spec, Options::default()).await;
        assert_eq!(report.outcome, Outcome::Blocked, "{}", report.headline);
        assert!(
            report.candidates.contains(&code),
            "{path}: {:?}",
            report.candidates
        );
        assert!(
            report.headline.starts_with(
                "The response fails one of the two checks a request with credentials adds"
            ),
            "{path}: {}",
            report.headline
        );
    }
    assert_no_panic();
}

#[wasm_bindgen_test]
async fn preflight_without_the_custom_header_names_it() {
    // The preflight allows Content-Type (the probes' control header) but not X-Api-Key.
    let spec = spec(
        "PUT",
        "/b?acao=echo&pf_acao=echo&pf_acam=PUT&pf_acah=content-type",
        &[("X-Api-Key", "k")],
    );
    let options = Options {
        may_repeat: true,
        ..Options::default()
    };
    let report = diagnose(&spec, options).await;
    assert_eq!(report.outcome, Outcome::Blocked, "{}", report.headline);
    assert!(report.preflight);
    assert_eq!(report.fault_response, Some("preflight"));
    // A server may also refuse such a preflight with a 4xx (Starlette answers 400), so the page cannot
    // tell Access-Control-Allow-Headers from the status; the header and the parameter it can name.
    assert_eq!(
        report.cors_error,
        Some("HeaderDisallowedByPreflightResponse")
    );
    assert_eq!(report.failed_parameter.as_deref(), Some("x-api-key"));
    assert_no_panic();
}

#[wasm_bindgen_test]
async fn preflight_that_allows_everything_passes() {
    let spec = spec(
        "PUT",
        "/b?acao=echo&pf_acao=echo&pf_acam=PUT&pf_acah=x-api-key",
        &[("X-Api-Key", "k")],
    );
    let report = diagnose(&spec, Options::default()).await;
    assert_eq!(report.outcome, Outcome::Ok, "{}", report.headline);
    assert!(report.preflight);
    assert_no_panic();
}

#[wasm_bindgen_test]
async fn closed_port_is_a_network_error_not_cors() {
    super::fresh();
    let spec = RequestSpec {
        origin: corscope::page_origin(),
        url: "http://127.0.0.1:1/".into(),
        method: "GET".into(),
        ..RequestSpec::default()
    };
    let report = diagnose(&spec, Options::default()).await;
    assert_eq!(report.outcome, Outcome::NetworkError, "{}", report.headline);
    assert_eq!(report.cors_error, None);
    assert_no_panic();
}

#[wasm_bindgen_test]
async fn slow_server_times_out_within_the_timeout() {
    let options = Options {
        timeout_ms: 300,
        ..Options::default()
    };
    let report = diagnose(&spec("GET", "/b?acao=echo&delay_ms=3000", &[]), options).await;
    assert_eq!(report.outcome, Outcome::Timeout, "{}", report.headline);
    assert!(report.elapsed_ms < 1300.0, "took {} ms", report.elapsed_ms);
    assert_no_panic();
}

/// Bad input is an `invalid-request` report naming the field: never a panic, never a request.
#[wasm_bindgen_test]
async fn bad_input_names_the_field() {
    let cases: [(RequestSpec, &str); 4] = [
        (
            RequestSpec {
                url: "not a url".into(),
                ..spec("GET", "/", &[])
            },
            "url",
        ),
        (spec("TRACE", "/b", &[]), "method"),
        (spec("GET", "/b", &[("bad name", "v")]), "headers"),
        (
            RequestSpec {
                body: Some("x".into()),
                ..spec("GET", "/b", &[])
            },
            "body",
        ),
    ];
    for (spec, field) in cases {
        let report = diagnose(&spec, Options::default()).await;
        assert_eq!(report.outcome, Outcome::InvalidRequest, "{spec:?}");
        assert_eq!(report.field, Some(field), "{spec:?}");
        assert!(!report.headline.is_empty());
        assert!(report.probes.is_empty());
    }
    assert_no_panic();
}

/// The probe callback sees every probe, live, with the names that end up in the report.
#[wasm_bindgen_test]
async fn probe_callback_reports_each_probe() {
    use std::cell::RefCell;
    use std::rc::Rc;
    let seen: Rc<RefCell<Vec<String>>> = Rc::default();
    let sink = Rc::clone(&seen);
    let options = Options {
        on_probe: Some(Rc::new(move |p| sink.borrow_mut().push(p.name.clone()))),
        ..Options::default()
    };
    let report = diagnose(&spec("GET", "/b?acao=none", &[]), options).await;
    let mut reported: Vec<String> = report.probes.iter().map(|p| p.name.clone()).collect();
    let mut live = seen.borrow().clone();
    reported.sort();
    live.sort();
    assert_eq!(live, reported);
    assert_no_panic();
}

/// A large body is read only up to the preview cap; the rest of the stream is cancelled.
#[wasm_bindgen_test]
async fn large_body_is_capped() {
    let report = diagnose(
        &spec("GET", "/b?acao=echo&body_bytes=10000000", &[]),
        Options::default(),
    )
    .await;
    assert_eq!(report.outcome, Outcome::Ok, "{}", report.headline);
    assert!(report.body_truncated);
    let read = report.body_bytes.unwrap();
    assert!(read > corscope::fetch::BODY_PREVIEW_CAP, "{read}");
    assert!(read < 4 * 1024 * 1024, "read {read} bytes of a capped body");
    assert_eq!(
        report.body_preview.map(|b| b.len()),
        Some(corscope::fetch::BODY_PREVIEW_CAP)
    );
    assert_no_panic();
}

/// The safe probes start alongside the request; when it is allowed they are dropped unseen: no probe is
/// reported, live or in the report. The slow preflight keeps the probes in flight when the answer comes.
#[wasm_bindgen_test]
async fn an_allowed_request_reports_no_probes() {
    let seen = std::rc::Rc::new(std::cell::Cell::new(0));
    let counter = std::rc::Rc::clone(&seen);
    let options = Options {
        on_probe: Some(std::rc::Rc::new(move |_: &corscope::ProbeReport| {
            counter.set(counter.get() + 1)
        })),
        ..Options::default()
    };
    let spec = spec(
        "GET",
        "/b?acao=*&pf_acao=*&pf_acah=x-a&pf_delay_ms=400",
        &[("X-A", "1")],
    );
    let report = diagnose(&spec, options).await;
    assert_eq!(report.outcome, Outcome::Ok, "{}", report.headline);
    assert!(report.preflight);
    assert!(report.probes.is_empty(), "{:?}", report.probes);
    assert_eq!(seen.get(), 0, "on_probe was called for an allowed request");
    assert_no_panic();
}
