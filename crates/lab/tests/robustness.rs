//! Hostile and odd input: the lab answers (or refuses) without panicking and keeps serving, bounds bodies
//! and heads, and shuts down promptly.

// Test helpers outside #[test] functions may unwrap too: a panic there is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use std::time::{Duration, Instant};

use common::{Lab, ORIGIN};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// The lab still answers a normal request.
async fn assert_alive(lab: &Lab) {
    let r = lab.get("/s/simple-get-wildcard").await;
    assert_eq!(r.status, 200);
}

#[tokio::test]
async fn odd_methods_are_answered() {
    let lab = Lab::start().await;
    for method in [
        "FOO", "M-SEARCH", "PROPFIND", "patch", "OPTIONS", "TRACE", "CONNECT",
    ] {
        let target = if method == "CONNECT" {
            "127.0.0.1:1"
        } else {
            "/s/missing-acao"
        };
        let r = lab.send(method, target, &[("Origin", ORIGIN)], None).await;
        assert!(r.status < 500 || r.status == 503, "{method}: {}", r.status);
        r.assert_common_headers();
    }
    let r = lab.send("FOO", "/echo", &[("Origin", ORIGIN)], None).await;
    assert_eq!(r.json()["method"], "FOO");
    assert_alive(&lab).await;
    lab.stop().await.unwrap();
}

#[tokio::test]
async fn non_utf8_and_control_bytes_in_headers() {
    let lab = Lab::start().await;
    let raw = b"GET /b?acao=echo HTTP/1.1\r\nHost: x\r\nConnection: close\r\nOrigin: http://\xff\xfe.example\r\nX-Bin: \x80\x81\tz\r\n\r\n";
    let r = lab.raw(raw).await;
    assert_eq!(r.status, 200);
    assert_eq!(
        r.headers
            .iter()
            .find(|(n, _)| n == "access-control-allow-origin")
            .unwrap()
            .1,
        b"http://\xff\xfe.example"
    );
    assert!(r.json()["origin"].as_str().unwrap().contains('\u{fffd}'));
    // A control byte in a header value is refused by the HTTP parser (400), not passed to a handler.
    let r = lab
        .raw(b"GET /echo HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-Ctl: a\x01b\r\n\r\n")
        .await;
    assert_eq!(r.status, 400);
    assert_alive(&lab).await;
    lab.stop().await.unwrap();
}

#[tokio::test]
async fn oversized_head_is_refused() {
    let lab = Lab::start().await;
    let huge = "a".repeat(corscope_lab::MAX_HEADER_BYTES + 1024);
    let r = lab
        .send("GET", "/echo", &[("X-Huge", huge.as_str())], None)
        .await;
    assert_eq!(r.status, 431);
    let many: Vec<(String, String)> = (0..300).map(|i| (format!("X-H{i}"), "v".into())).collect();
    let many: Vec<(&str, &str)> = many.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
    let r = lab.send("GET", "/echo", &many, None).await;
    assert_eq!(r.status, 431);
    assert_alive(&lab).await;
    lab.stop().await.unwrap();
}

#[tokio::test]
async fn oversized_bodies_are_refused() {
    let lab = Lab::start().await;
    let max = corscope_lab::MAX_BODY_BYTES;
    // Declared too large: refused before reading.
    let raw = format!("POST /echo HTTP/1.1\r\nHost: x\r\nConnection: close\r\nOrigin: {ORIGIN}\r\nContent-Length: 999999999999\r\n\r\n");
    let r = lab.raw(raw.as_bytes()).await;
    assert_eq!(r.status, 413);
    assert_eq!(
        r.header("access-control-allow-origin").as_deref(),
        Some(ORIGIN)
    );
    r.assert_common_headers();
    // Chunked, too large once read.
    let mut stream = TcpStream::connect(lab.addr).await.unwrap();
    stream
        .write_all(b"POST /s/missing-acao HTTP/1.1\r\nHost: x\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n")
        .await
        .unwrap();
    let chunk = vec![b'y'; 64 * 1024];
    let mut sent = 0;
    while sent <= max {
        let head = format!("{:x}\r\n", chunk.len());
        if stream.write_all(head.as_bytes()).await.is_err() {
            break;
        }
        if stream.write_all(&chunk).await.is_err() {
            break;
        }
        if stream.write_all(b"\r\n").await.is_err() {
            break;
        }
        sent += chunk.len();
    }
    let mut bytes = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut bytes)).await;
    assert!(
        bytes.starts_with(b"HTTP/1.1 413"),
        "{:?}",
        String::from_utf8_lossy(&bytes[..bytes.len().min(80)])
    );
    // Exactly at the limit is fine.
    let r = lab
        .send("PUT", "/echo", &[("Origin", ORIGIN)], Some(&vec![0u8; max]))
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["body_bytes"].as_u64().unwrap() as usize, max);
    lab.stop().await.unwrap();
}

#[tokio::test]
async fn garbage_and_truncated_requests() {
    let lab = Lab::start().await;
    for raw in [
        &b"\x00\x01\x02 garbage\r\n\r\n"[..],
        b"GET\r\n\r\n",
        b"GET / HTTP/9.9\r\n\r\n",
        b"GET /b?acao=%ff%00%zz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        b"GET /s/%ff%fe HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\nContent-Length: 20\r\n\r\n",
        b"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
    ] {
        let mut stream = TcpStream::connect(lab.addr).await.unwrap();
        stream.write_all(raw).await.unwrap();
        let _ = stream.shutdown().await;
        let mut bytes = Vec::new();
        let _ = tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut bytes)).await;
        if !bytes.is_empty() {
            assert!(
                bytes.starts_with(b"HTTP/1."),
                "{:?}",
                String::from_utf8_lossy(raw)
            );
        }
    }
    // A client that disconnects in the middle of a delayed answer.
    let mut stream = TcpStream::connect(lab.addr).await.unwrap();
    stream
        .write_all(b"GET /b?delay_ms=200 HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    drop(stream);
    assert_alive(&lab).await;
    lab.stop().await.unwrap();
}

#[tokio::test]
async fn keep_alive_serves_several_requests_on_one_connection() {
    let lab = Lab::start().await;
    let mut stream = TcpStream::connect(lab.addr).await.unwrap();
    let request =
        format!("GET /s/simple-get-wildcard HTTP/1.1\r\nHost: x\r\nOrigin: {ORIGIN}\r\n\r\n");
    stream
        .write_all(request.repeat(3).as_bytes())
        .await
        .unwrap();
    let mut seen = Vec::new();
    let mut buf = [0u8; 8192];
    while seen.windows(12).filter(|w| w == b"HTTP/1.1 200").count() < 3 {
        let n = tokio::time::timeout(Duration::from_secs(5), stream.read(&mut buf))
            .await
            .unwrap()
            .unwrap();
        assert!(n > 0, "closed early");
        seen.extend_from_slice(&buf[..n]);
    }
    lab.stop().await.unwrap();
}

#[tokio::test]
async fn many_concurrent_requests() {
    let lab = std::sync::Arc::new(Lab::start().await);
    let tasks: Vec<_> = (0..64)
        .map(|i| {
            let lab = std::sync::Arc::clone(&lab);
            tokio::spawn(async move {
                let target = if i % 2 == 0 {
                    "/s/preflight-put-ok"
                } else {
                    "/b?acao=*"
                };
                lab.preflight(target, "PUT", Some("content-type,x-custom"))
                    .await
                    .status
            })
        })
        .collect();
    for task in tasks {
        let status = task.await.unwrap();
        assert!(status == 204, "{status}");
    }
    let lab = std::sync::Arc::try_unwrap(lab).ok().unwrap();
    lab.stop().await.unwrap();
}

#[tokio::test]
async fn shutdown_is_prompt_with_idle_connections_and_stops_accepting() {
    let lab = Lab::start().await;
    let addr = lab.addr;
    // An idle keep-alive connection and one that has sent only half a request head.
    let mut idle = TcpStream::connect(addr).await.unwrap();
    idle.write_all(format!("GET /echo HTTP/1.1\r\nHost: x\r\nOrigin: {ORIGIN}\r\n\r\n").as_bytes())
        .await
        .unwrap();
    let mut buf = [0u8; 4096];
    let _ = idle.read(&mut buf).await.unwrap();
    let mut half = TcpStream::connect(addr).await.unwrap();
    half.write_all(b"GET /echo HTTP/1.1\r\nHost:")
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(50)).await;

    let started = Instant::now();
    lab.stop().await.unwrap();
    assert!(
        started.elapsed() <= corscope_lab::SHUTDOWN_GRACE + Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    assert!(
        TcpStream::connect(addr).await.is_err(),
        "still accepting after shutdown"
    );
    // The idle connection was closed by the server.
    let n = tokio::time::timeout(Duration::from_secs(2), idle.read(&mut buf))
        .await
        .unwrap()
        .unwrap_or(0);
    assert_eq!(n, 0);
}

#[tokio::test]
async fn shutdown_lets_an_in_flight_request_finish() {
    let lab = Lab::start().await;
    let mut stream = TcpStream::connect(lab.addr).await.unwrap();
    stream
        .write_all(b"GET /b?acao=*&delay_ms=500 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    let stopping = tokio::spawn(lab.stop());
    let mut bytes = Vec::new();
    tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut bytes))
        .await
        .unwrap()
        .unwrap();
    assert!(
        bytes.starts_with(b"HTTP/1.1 200"),
        "{:?}",
        String::from_utf8_lossy(&bytes)
    );
    stopping.await.unwrap().unwrap();
}

#[tokio::test]
async fn slow_requests_hit_the_time_limit() {
    let config = corscope_lab::Config {
        quiet: true,
        request_timeout: Duration::from_millis(300),
        ..Default::default()
    };
    let lab = Lab::start_with(config).await;
    let started = Instant::now();
    let r = lab.get("/b?acao=*&delay_ms=5000").await;
    assert_eq!(r.status, 503);
    assert!(started.elapsed() < Duration::from_secs(2));
    assert_eq!(
        r.header("access-control-allow-origin").as_deref(),
        Some(ORIGIN)
    );
    r.assert_common_headers();
    // A body that trickles in too slowly is cut off the same way.
    let mut stream = TcpStream::connect(lab.addr).await.unwrap();
    stream
        .write_all(b"POST /echo HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 100\r\n\r\nabc")
        .await
        .unwrap();
    let mut bytes = Vec::new();
    tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut bytes))
        .await
        .unwrap()
        .unwrap();
    assert!(
        bytes.starts_with(b"HTTP/1.1 503"),
        "{:?}",
        String::from_utf8_lossy(&bytes)
    );
    assert_alive(&lab).await;
    lab.stop().await.unwrap();
}

#[tokio::test]
async fn slow_or_idle_clients_are_disconnected() {
    let config = corscope_lab::Config {
        quiet: true,
        header_read_timeout: Duration::from_millis(300),
        ..Default::default()
    };
    let lab = Lab::start_with(config).await;
    // Half a request head, then nothing (slowloris).
    let mut half = TcpStream::connect(lab.addr).await.unwrap();
    half.write_all(b"GET /echo HTTP/1.1\r\nHost:")
        .await
        .unwrap();
    // A keep-alive connection that goes idle after one request.
    let mut idle = TcpStream::connect(lab.addr).await.unwrap();
    idle.write_all(b"GET /echo HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let mut buf = vec![0u8; 65536];
    let n = idle.read(&mut buf).await.unwrap();
    assert!(buf[..n].starts_with(b"HTTP/1.1 200"));
    for (what, stream) in [("half head", &mut half), ("idle keep-alive", &mut idle)] {
        let started = Instant::now();
        let mut rest = Vec::new();
        let read =
            tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut rest)).await;
        assert!(read.is_ok(), "{what}: still open after 5 s");
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "{what}: {:?}",
            started.elapsed()
        );
    }
    assert_alive(&lab).await;
    lab.stop().await.unwrap();
}
