//! Every catalogue scenario, over a real socket: `/scenarios` is well-formed and covers the model's
//! server-caused errors, and each `/s/<name>` answers its preflight and actual request as catalogued.

// Test helpers outside #[test] functions may unwrap too: a panic there is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use common::{Lab, Response, ORIGIN};
use corscope_model::CorsError;
use serde_json::Value;

async fn catalogue(lab: &Lab) -> Vec<Value> {
    let response = lab.get("/scenarios").await;
    assert_eq!(response.status, 200);
    assert_eq!(
        response.header("access-control-allow-origin").as_deref(),
        Some(ORIGIN)
    );
    assert_eq!(
        response.header("content-type").as_deref(),
        Some("application/json")
    );
    response.assert_common_headers();
    response.json().as_array().unwrap().clone()
}

#[tokio::test]
async fn catalogue_is_complete_and_well_formed() {
    let lab = Lab::start().await;
    let rows = catalogue(&lab).await;
    let mut covered = Vec::new();
    for row in &rows {
        let name = row["name"].as_str().unwrap();
        assert_eq!(row["path"], format!("/s/{name}"));
        assert!(
            row["description"].as_str().is_some_and(|d| !d.is_empty()),
            "{name}"
        );
        let request = &row["request"];
        assert!(request["method"].is_string(), "{name}");
        assert!(
            ["omit", "same-origin", "include"].contains(&request["credentials"].as_str().unwrap())
        );
        assert_eq!(request["mode"], "cors");
        assert!(request["body"].is_string() || request["body"].is_null());
        for pair in request["headers"].as_array().unwrap() {
            assert_eq!(pair.as_array().unwrap().len(), 2, "{name}");
        }
        let expected = &row["expected"];
        let outcome = expected["outcome"].as_str().unwrap();
        assert!(expected["preflight"].is_boolean());
        match expected["cors_error"].as_str() {
            Some(code) => {
                assert_eq!(outcome, "blocked", "{name}");
                covered.push(
                    CorsError::from_name(code).unwrap_or_else(|| panic!("{name}: bad code {code}")),
                );
                assert!(
                    ["preflight", "actual"].contains(&expected["fault_response"].as_str().unwrap())
                );
                let header = expected["fault_header"].as_str().unwrap();
                assert_eq!(header, header.to_ascii_lowercase());
            }
            None => {
                assert_eq!(outcome, "ok", "{name}");
                assert!(expected["fault_response"].is_null() && expected["fault_header"].is_null());
                assert!(expected["failed_parameter"].is_null());
            }
        }
    }
    for e in CorsError::ALL.into_iter().filter(|e| e.is_server_caused()) {
        assert!(
            covered.contains(&e),
            "the catalogue has no scenario for {e}"
        );
    }
    lab.stop().await.unwrap();
}

/// Expands the catalogue's templates the way the lab does for this test's requests.
fn expand(template: &str, lab: &Lab) -> String {
    let port = lab.addr.port();
    template
        .replace("{origin_enc}", "http%3A%2F%2F127.0.0.1%3A41234")
        .replace("{origin}", ORIGIN)
        .replace("{lab}", &lab.authority())
        .replace("{alt}", &format!("localhost:{port}"))
}

/// Checks that the response has exactly the catalogued status and header lines (for the names listed).
fn assert_answer(
    name: &str,
    which: &str,
    response: &Response,
    answer: &Value,
    lab: &Lab,
    reflected: &[(&str, &str)],
) {
    assert_eq!(
        u64::from(response.status),
        answer["status"].as_u64().unwrap(),
        "{name} {which}"
    );
    let lines = answer["headers"].as_array().unwrap();
    let mut names: Vec<&str> = lines.iter().map(|l| l[0].as_str().unwrap()).collect();
    names.dedup();
    for header in names {
        let expected: Vec<String> = lines
            .iter()
            .filter(|l| l[0] == header)
            .filter_map(|l| {
                let template = l[1].as_str().unwrap();
                let reflected_value = reflected
                    .iter()
                    .find(|(p, _)| *p == template)
                    .map(|(_, v)| v.to_string());
                match template {
                    "{acrm}" | "{acrh}" => reflected_value,
                    _ => Some(expand(template, lab)),
                }
            })
            .collect();
        assert_eq!(response.all(header), expected, "{name} {which}: {header}");
    }
    response.assert_common_headers();
}

/// The lowercase, sorted, comma-joined unsafe header names, as a browser's preflight announces them.
fn acrh(headers: &[(String, String)]) -> Option<String> {
    let mut names: Vec<String> = headers
        .iter()
        .map(|(n, _)| n.to_ascii_lowercase())
        .filter(|n| n != "content-type" && n != "accept")
        .collect();
    if headers
        .iter()
        .any(|(n, v)| n.eq_ignore_ascii_case("content-type") && !v.starts_with("text/plain"))
    {
        names.push("content-type".into());
    }
    names.sort();
    (!names.is_empty()).then(|| names.join(","))
}

#[tokio::test]
async fn every_scenario_answers_as_catalogued() {
    let lab = Lab::start().await;
    for row in catalogue(&lab).await {
        let name = row["name"].as_str().unwrap();
        let path = row["path"].as_str().unwrap();
        let method = row["request"]["method"].as_str().unwrap();
        let headers: Vec<(String, String)> = row["request"]["headers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                (
                    p[0].as_str().unwrap().to_owned(),
                    p[1].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        let acrh = acrh(&headers);

        let preflight = lab.preflight(path, method, acrh.as_deref()).await;
        let reflected = [
            ("{acrm}", method),
            ("{acrh}", acrh.as_deref().unwrap_or_default()),
        ];
        assert_answer(
            name,
            "preflight",
            &preflight,
            &row["answers"]["preflight"],
            &lab,
            &reflected,
        );
        assert!(preflight.body.is_empty(), "{name}: preflight body");

        let mut actual_headers: Vec<(&str, &str)> = vec![("Origin", ORIGIN)];
        actual_headers.extend(headers.iter().map(|(n, v)| (n.as_str(), v.as_str())));
        let body = row["request"]["body"].as_str().map(str::as_bytes);
        let actual = lab.send(method, path, &actual_headers, body).await;
        assert_answer(
            name,
            "actual",
            &actual,
            &row["answers"]["actual"],
            &lab,
            &[],
        );
        let echo = actual.json();
        assert_eq!(echo["method"], method, "{name}");
        assert_eq!(echo["origin"], ORIGIN, "{name}");
        assert_eq!(
            echo["body_bytes"].as_u64().unwrap() as usize,
            body.map_or(0, <[u8]>::len),
            "{name}"
        );
    }
    lab.stop().await.unwrap();
}

#[tokio::test]
async fn cross_origin_redirect_targets_answer_as_expected() {
    let lab = Lab::start().await;
    let first = lab.get("/s/redirect-cross-origin").await;
    let location = first.header("location").unwrap();
    let port = lab.addr.port();
    let prefix = format!("http://localhost:{port}");
    let target = location.strip_prefix(&prefix).unwrap();
    // The browser follows with `Origin: null`; the target allows only the page's origin.
    let host = format!("localhost:{port}");
    let raw = common::request_bytes("GET", target, &host, &[("Origin", "null")], None);
    let second = lab.raw(&raw).await;
    assert_eq!(
        second.header("access-control-allow-origin").as_deref(),
        Some(ORIGIN)
    );
    assert_eq!(second.json()["origin"], "null");

    let ok = lab.get("/s/redirect-cross-origin-ok").await;
    assert_eq!(
        ok.header("location"),
        Some(format!("http://localhost:{port}/b?acao=*"))
    );
    let raw = common::request_bytes("GET", "/b?acao=*", &host, &[("Origin", "null")], None);
    assert_eq!(
        lab.raw(&raw)
            .await
            .header("access-control-allow-origin")
            .as_deref(),
        Some("*")
    );

    let userinfo = lab.get("/s/redirect-with-userinfo").await;
    assert_eq!(
        userinfo.header("location"),
        Some(format!(
            "http://user:pass@127.0.0.1:{port}/s/simple-get-wildcard"
        ))
    );
    lab.stop().await.unwrap();
}

#[tokio::test]
async fn reached_as_localhost_redirects_to_127_0_0_1() {
    let lab = Lab::start().await;
    let port = lab.addr.port();
    let host = format!("localhost:{port}");
    let raw = common::request_bytes(
        "GET",
        "/s/redirect-cross-origin-ok",
        &host,
        &[("Origin", ORIGIN)],
        None,
    );
    let response = lab.raw(&raw).await;
    assert_eq!(
        response.header("location"),
        Some(format!("http://127.0.0.1:{port}/b?acao=*"))
    );
    lab.stop().await.unwrap();
}

#[tokio::test]
async fn without_origin_reflecting_headers_are_left_out() {
    let lab = Lab::start().await;
    let response = lab.send("GET", "/s/credentialed-echo", &[], None).await;
    assert_eq!(response.status, 200);
    assert_eq!(response.header("access-control-allow-origin"), None);
    assert_eq!(
        response
            .header("access-control-allow-credentials")
            .as_deref(),
        Some("true")
    );
    assert_eq!(response.json()["origin"], Value::Null);
    lab.stop().await.unwrap();
}

#[tokio::test]
async fn unknown_scenario_is_a_readable_404() {
    let lab = Lab::start().await;
    let response = lab.get("/s/no-such-thing").await;
    assert_eq!(response.status, 404);
    assert_eq!(
        response.header("access-control-allow-origin").as_deref(),
        Some(ORIGIN)
    );
    assert!(response.json()["error"]
        .as_str()
        .unwrap()
        .contains("no-such-thing"));
    response.assert_common_headers();
    lab.stop().await.unwrap();
}
