//! The builder's `body` and `reason` parameters, which carry hostile text for the page's browser tests
//! (tests/common/hostile.rs), over a real socket.

// Test helpers outside #[test] functions may unwrap too: a panic there is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use std::time::Duration;

use common::{request_bytes, Lab, ORIGIN};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// The raw bytes of the answer to a GET of `target` with `Origin: ORIGIN`.
async fn raw_get(lab: &Lab, target: &str) -> Vec<u8> {
    let request = request_bytes("GET", target, &lab.authority(), &[("Origin", ORIGIN)], None);
    let mut stream = TcpStream::connect(lab.addr).await.unwrap();
    stream.write_all(&request).await.unwrap();
    let mut bytes = Vec::new();
    tokio::time::timeout(Duration::from_secs(20), stream.read_to_end(&mut bytes))
        .await
        .expect("the lab did not close the connection in time")
        .unwrap();
    bytes
}

fn status_line(raw: &[u8]) -> &[u8] {
    let end = raw.windows(2).position(|w| w == b"\r\n").unwrap();
    &raw[..end]
}

#[tokio::test]
async fn body_sends_exact_bytes_nul_and_markup_included() {
    let lab = Lab::start().await;
    let answer = lab
        .get("/b?acao=echo&body=%3Cscript%3Ex%3D1%3C%2Fscript%3E%00%FF+end")
        .await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.body, b"<script>x=1</script>\0\xff end");
    assert_eq!(answer.header("content-type").as_deref(), Some("text/plain"));
    assert_eq!(answer.all("access-control-allow-origin"), [ORIGIN]);
    answer.assert_common_headers();

    // A content type of the caller's choosing wins; an empty body is a body.
    let answer = lab
        .get("/b?body=%3Cb%3E&hdr=Content-Type:%20text/html")
        .await;
    assert_eq!(answer.body, b"<b>");
    assert_eq!(answer.all("content-type"), ["text/html"]);
    let answer = lab.get("/b?body=").await;
    assert!(answer.body.is_empty());
    lab.stop().await.unwrap();
}

#[tokio::test]
async fn body_with_body_bytes_is_repeated_or_cut_and_capped() {
    let lab = Lab::start().await;
    let answer = lab.get("/b?body=%3Cimg%3E&body_bytes=1048576").await;
    assert_eq!(answer.body.len(), 1_048_576);
    assert!(answer.body.starts_with(b"<img><img>"));
    assert!(answer.body.chunks_exact(5).all(|c| c == b"<img>"));
    let answer = lab.get("/b?body=abcdef&body_bytes=3").await;
    assert_eq!(answer.body, b"abc");
    let answer = lab.get("/b?body=ab&body_bytes=999999999").await;
    assert_eq!(
        answer.body.len(),
        corscope_lab::builder::MAX_BODY_TEXT_BYTES
    );
    // The preflight answer can carry one too, with the `pf_` prefix (and a status that allows a body).
    let preflight = lab
        .preflight("/b?pf_body=%3Cp%3E&pf_status=200", "PUT", None)
        .await;
    assert_eq!(preflight.status, 200);
    assert_eq!(preflight.body, b"<p>");
    lab.stop().await.unwrap();
}

#[tokio::test]
async fn reason_replaces_the_status_text() {
    let lab = Lab::start().await;
    let raw = raw_get(
        &lab,
        "/b?acao=echo&reason=%3Cimg+src%3Dx+onerror%3Dalert(1)%3E+%E2%80%AE",
    )
    .await;
    assert_eq!(
        status_line(&raw),
        b"HTTP/1.1 200 <img src=x onerror=alert(1)> \xe2\x80\xae"
    );
    let raw = raw_get(&lab, "/b?status=404&reason=Gone%20Fishing").await;
    assert_eq!(status_line(&raw), b"HTTP/1.1 404 Gone Fishing");
    let raw = raw_get(&lab, "/b?status=404").await;
    assert_eq!(status_line(&raw), b"HTTP/1.1 404 Not Found");
    lab.stop().await.unwrap();
}

#[tokio::test]
async fn reason_with_control_bytes_is_refused_with_the_parameter_name() {
    let lab = Lab::start().await;
    for bad in ["a%0D%0AX-Injected:%201", "nul%00", "bell%07"] {
        let answer = lab.get(&format!("/b?reason={bad}")).await;
        assert_eq!(answer.status, 400, "{bad}");
        assert!(answer.all("x-injected").is_empty());
        let error = answer.json()["error"].as_str().unwrap().to_string();
        assert!(error.contains("`reason`"), "{error}");
    }
    lab.stop().await.unwrap();
}
