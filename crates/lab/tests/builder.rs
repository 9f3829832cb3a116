//! The free-form builder `/b` and the echo body, over a real socket.

// Test helpers outside #[test] functions may unwrap too: a panic there is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use std::time::{Duration, Instant};

use common::{Lab, ORIGIN};

#[tokio::test]
async fn preflight_and_actual_are_built_separately_with_repeats() {
    let lab = Lab::start().await;
    let query = "/b?acao=echo&acac=true&aceh=X-A&aceh=X-B&vary=Origin&set_cookie=a%3D1&set_cookie=b%3D2\
                 &pf_acao=*&pf_acam=PUT&pf_acam=DELETE&pf_acah=echo&pf_acma=600&pf_status=200&_=cachebust";
    let preflight = lab.preflight(query, "PUT", Some("x-custom")).await;
    assert_eq!(preflight.status, 200);
    assert_eq!(preflight.all("access-control-allow-origin"), ["*"]);
    assert_eq!(
        preflight.all("access-control-allow-methods"),
        ["PUT", "DELETE"]
    );
    assert_eq!(preflight.all("access-control-allow-headers"), ["x-custom"]);
    assert_eq!(preflight.all("access-control-max-age"), ["600"]);
    assert!(preflight.all("access-control-expose-headers").is_empty());
    assert!(preflight.all("set-cookie").is_empty());
    assert!(preflight.body.is_empty());
    preflight.assert_common_headers();

    let actual = lab
        .send(
            "PUT",
            query,
            &[("Origin", ORIGIN), ("X-Custom", "1")],
            Some(b"abc"),
        )
        .await;
    assert_eq!(actual.status, 200);
    assert_eq!(actual.all("access-control-allow-origin"), [ORIGIN]);
    assert_eq!(actual.all("access-control-allow-credentials"), ["true"]);
    assert_eq!(actual.all("access-control-expose-headers"), ["X-A", "X-B"]);
    assert_eq!(actual.all("set-cookie"), ["a=1", "b=2"]);
    assert_eq!(actual.all("vary"), ["Origin"]);
    assert!(actual.all("access-control-allow-methods").is_empty());
    let echo = actual.json();
    assert_eq!(echo["method"], "PUT");
    assert_eq!(echo["path"], "/b");
    assert_eq!(echo["body_bytes"], 3);
    actual.assert_common_headers();
    lab.stop().await.unwrap();
}

#[tokio::test]
async fn default_statuses_and_duplicate_acao() {
    let lab = Lab::start().await;
    let preflight = lab.preflight("/b?acao=echo", "PUT", None).await;
    assert_eq!(preflight.status, 204);
    assert!(
        preflight.all("access-control-allow-origin").is_empty(),
        "only pf_ params apply to the preflight"
    );
    let actual = lab.get("/b?acao=echo&acao=*&status=503").await;
    assert_eq!(actual.status, 503);
    assert_eq!(actual.all("access-control-allow-origin"), [ORIGIN, "*"]);
    lab.stop().await.unwrap();
}

#[tokio::test]
async fn redirects_status_and_raw_headers() {
    let lab = Lab::start().await;
    let r = lab
        .get("/b?redirect=http%3A%2F%2Fuser%3Apass%40127.0.0.1%3A1%2Fx&acao=*")
        .await;
    assert_eq!(r.status, 302);
    assert_eq!(
        r.header("location").as_deref(),
        Some("http://user:pass@127.0.0.1:1/x")
    );
    let r = lab
        .preflight("/b?pf_redirect=%2Fb%2F&pf_status=308", "PUT", None)
        .await;
    assert_eq!(r.status, 308);
    assert_eq!(r.header("location").as_deref(), Some("/b/"));
    let r = lab
        .get("/b?hdr=X-Odd%3A%20%FF%FE&hdr=Content-Type:text/html&status=299")
        .await;
    assert_eq!(r.status, 299);
    assert_eq!(
        r.headers.iter().find(|(n, _)| n == "x-odd").unwrap().1,
        b"\xff\xfe"
    );
    assert_eq!(
        r.all("content-type"),
        ["text/html"],
        "an explicit Content-Type replaces the default"
    );
    lab.stop().await.unwrap();
}

#[tokio::test]
async fn delay_and_filler_body() {
    let lab = Lab::start().await;
    let started = Instant::now();
    let r = lab.get("/b?acao=*&delay_ms=300&body_bytes=100000").await;
    assert!(started.elapsed() >= Duration::from_millis(300));
    assert_eq!(r.status, 200);
    assert_eq!(r.body.len(), 100_000);
    assert!(r.body.iter().all(|&b| b == b'x'));
    assert_eq!(r.header("content-type").as_deref(), Some("text/plain"));
    let started = Instant::now();
    let r = lab
        .preflight("/b?pf_delay_ms=200&pf_acao=*", "PUT", None)
        .await;
    assert!(started.elapsed() >= Duration::from_millis(200));
    assert_eq!(r.status, 204);
    lab.stop().await.unwrap();
}

#[tokio::test]
async fn bad_parameters_get_a_readable_400() {
    let lab = Lab::start().await;
    for query in [
        "status=abc",
        "status=100",
        "delay_ms=1e3",
        "acao=a%0Db",
        "hdr=no-colon",
        "pf_status=x",
    ] {
        let is_pf = query.starts_with("pf_");
        let target = format!("/b?{query}");
        let r = if is_pf {
            lab.preflight(&target, "PUT", None).await
        } else {
            lab.get(&target).await
        };
        assert_eq!(r.status, 400, "{query}");
        assert_eq!(
            r.header("access-control-allow-origin").as_deref(),
            Some(ORIGIN),
            "{query}"
        );
        let key = query.split('=').next().unwrap();
        assert!(r.json()["error"].as_str().unwrap().contains(key), "{query}");
        r.assert_common_headers();
    }
    lab.stop().await.unwrap();
}

#[tokio::test]
async fn malformed_queries_do_not_break_the_builder() {
    let lab = Lab::start().await;
    for query in [
        "%",
        "%%",
        "acao=%zz",
        "=&&=x",
        "acao=%E2%82",
        "acao",
        "%FF%FE=1",
        "acao=echo=echo",
    ] {
        let r = lab.get(&format!("/b?{query}")).await;
        assert!(r.status == 200 || r.status == 400, "{query}: {}", r.status);
        r.assert_common_headers();
    }
    let r = lab.get("/b?acao=%zz").await;
    assert_eq!(
        r.header("access-control-allow-origin").as_deref(),
        Some("%zz")
    );
    lab.stop().await.unwrap();
}

#[tokio::test]
async fn echo_describes_the_request() {
    let lab = Lab::start().await;
    let headers = [
        ("Origin", ORIGIN),
        ("Cookie", "session=abc; theme=dark"),
        ("X-Custom", "1"),
    ];
    let r = lab
        .send("POST", "/echo?x=1", &headers, Some(&[0u8; 1000]))
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(
        r.header("access-control-allow-origin").as_deref(),
        Some(ORIGIN)
    );
    assert_eq!(
        r.header("access-control-allow-credentials").as_deref(),
        Some("true")
    );
    let echo = r.json();
    assert_eq!(echo["method"], "POST");
    assert_eq!(echo["path"], "/echo");
    assert_eq!(echo["query"], "x=1");
    assert_eq!(echo["body_bytes"], 1000);
    assert_eq!(
        echo["cookies"],
        serde_json::json!([["session", "abc"], ["theme", "dark"]])
    );
    let names: Vec<&str> = echo["headers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h[0].as_str().unwrap())
        .collect();
    assert!(names.contains(&"x-custom") && names.contains(&"host"));

    let preflight = lab.preflight("/echo", "PATCH", Some("x-a,x-b")).await;
    assert_eq!(preflight.status, 204);
    assert_eq!(
        preflight.header("access-control-allow-methods").as_deref(),
        Some("PATCH")
    );
    assert_eq!(
        preflight.header("access-control-allow-headers").as_deref(),
        Some("x-a,x-b")
    );
    lab.stop().await.unwrap();
}
