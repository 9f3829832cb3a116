//! The fault endpoints (`/f/<name>`) over real sockets: each does on the wire what the catalogue says
//! (bytes observed, resets seen as resets), every answer that gets as far as headers is readable by the
//! page's origin, and the open fault connections return to 0 once the clients go away.

// Test helpers outside #[test] functions may unwrap too: a panic there is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use std::io::ErrorKind;
use std::time::{Duration, Instant};

use common::{request_bytes, Lab, ORIGIN};
use corscope_lab::faults::{self, FAULTS};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// How a read of a fault's answer ended.
#[derive(Debug, PartialEq)]
enum End {
    /// The lab closed the connection (FIN).
    Closed,
    /// The lab reset the connection (RST).
    Reset,
    /// Nothing more arrived within the time given, and the connection is still open.
    Quiet,
    /// The byte cap was reached.
    Cap,
}

/// What came off the socket.
#[derive(Debug)]
struct Wire {
    bytes: Vec<u8>,
    end: End,
}

impl Wire {
    /// The first response head (up to the blank line), as text.
    fn head(&self) -> String {
        let end = self
            .bytes
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .unwrap_or_else(|| panic!("no complete head in {:?}", self.text()));
        String::from_utf8_lossy(&self.bytes[..end]).into_owned()
    }

    /// What follows the first head.
    fn body(&self) -> &[u8] {
        let end = self
            .bytes
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .unwrap();
        &self.bytes[end + 4..]
    }

    /// The values of a header of the first head (name case-insensitive), raw bytes.
    fn header(&self, name: &str) -> Vec<Vec<u8>> {
        let end = self
            .bytes
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .unwrap();
        self.bytes[..end]
            .split(|&b| b == b'\n')
            .skip(1)
            .filter_map(|line| {
                let line = line.strip_suffix(b"\r").unwrap_or(line);
                let colon = line.iter().position(|&b| b == b':')?;
                let (n, v) = line.split_at(colon);
                n.eq_ignore_ascii_case(name.as_bytes())
                    .then(|| v[1..].trim_ascii().to_vec())
            })
            .collect()
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.bytes[..self.bytes.len().min(2000)]).into_owned()
    }

    /// The page could read it: `Origin` reflected, CORP for `no-cors` probes.
    fn assert_readable(&self) {
        assert_eq!(
            self.header("access-control-allow-origin"),
            vec![ORIGIN.as_bytes().to_vec()],
            "{}",
            self.text()
        );
        assert_eq!(
            self.header("cross-origin-resource-policy"),
            vec![b"cross-origin".to_vec()]
        );
    }
}

/// Opens a connection and sends `method path` with `Origin: ORIGIN` and the given extra headers.
async fn send(lab: &Lab, method: &str, path: &str, headers: &[(&str, &str)]) -> TcpStream {
    let mut all = vec![("Origin", ORIGIN)];
    all.extend_from_slice(headers);
    let raw = request_bytes(method, path, &lab.authority(), &all, None);
    let mut stream = TcpStream::connect(lab.addr).await.unwrap();
    stream.write_all(&raw).await.unwrap();
    stream
}

/// Reads until the lab closes or resets, `quiet` passes with nothing new, or `cap` bytes arrived.
async fn read(stream: &mut TcpStream, quiet: Duration, cap: usize) -> Wire {
    let mut bytes = Vec::new();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        if bytes.len() >= cap {
            return Wire {
                bytes,
                end: End::Cap,
            };
        }
        match tokio::time::timeout(quiet, stream.read(&mut buf)).await {
            Err(_) => {
                return Wire {
                    bytes,
                    end: End::Quiet,
                }
            }
            Ok(Ok(0)) => {
                return Wire {
                    bytes,
                    end: End::Closed,
                }
            }
            Ok(Ok(n)) => bytes.extend_from_slice(&buf[..n]),
            Ok(Err(e)) if e.kind() == ErrorKind::ConnectionReset => {
                return Wire {
                    bytes,
                    end: End::Reset,
                }
            }
            Ok(Err(e)) => panic!("read failed: {e}"),
        }
    }
}

/// Everything that arrives within `total` (the lab must not close or reset meanwhile).
async fn read_during(stream: &mut TcpStream, total: Duration) -> Vec<u8> {
    let mut bytes = Vec::new();
    let mut buf = [0u8; 4096];
    let reading = async {
        loop {
            match stream.read(&mut buf).await {
                Ok(0) => panic!("closed"),
                Ok(n) => bytes.extend_from_slice(&buf[..n]),
                Err(e) => panic!("read failed: {e}"),
            }
        }
    };
    let _ = tokio::time::timeout(total, reading).await;
    bytes
}

/// GET a fault and read its whole answer (at most 10 s of silence, 8 MiB).
async fn get(lab: &Lab, path: &str) -> Wire {
    let mut stream = send(lab, "GET", path, &[]).await;
    read(&mut stream, Duration::from_secs(10), 8 << 20).await
}

/// `GET /faults/open`.
async fn open(lab: &Lab) -> u64 {
    lab.get("/faults/open").await.json()["open"]
        .as_u64()
        .unwrap()
}

/// Waits (at most 3 s) until `/faults/open` says `n`.
async fn wait_open(lab: &Lab, n: u64) {
    let deadline = Instant::now() + Duration::from_secs(3);
    loop {
        let now = open(lab).await;
        if now == n {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "open fault connections: {now}, expected {n}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn catalogue_lists_every_fault_with_its_expected_outcome() {
    let lab = Lab::start().await;
    let r = lab.get("/faults").await;
    assert_eq!(r.status, 200);
    r.assert_common_headers();
    assert_eq!(
        r.header("access-control-allow-origin").as_deref(),
        Some(ORIGIN)
    );
    let list = r.json();
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), FAULTS.len());
    let outcomes = ["ok", "network-error", "timeout", "blocked"];
    for (entry, fault) in list.iter().zip(&FAULTS) {
        assert_eq!(entry["name"], fault.name);
        assert_eq!(entry["path"], format!("/f/{}", fault.name));
        assert!(!entry["description"].as_str().unwrap().is_empty());
        assert!(outcomes.contains(&entry["expected"]["outcome"].as_str().unwrap()));
        assert!(entry["expected"]["preview_capped"].is_boolean());
    }
    assert_eq!(open(&lab).await, 0);
    // An unknown fault is a readable 404 from the raw side.
    let w = get(&lab, "/f/no-such-fault").await;
    assert!(w.head().starts_with("HTTP/1.1 404"), "{}", w.text());
    w.assert_readable();
    assert!(String::from_utf8_lossy(w.body()).contains("GET /faults"));
    lab.stop().await.unwrap();
}

#[tokio::test]
async fn resets_before_the_status_line_mid_headers_and_mid_body() {
    let lab = Lab::start().await;
    let w = get(&lab, "/f/reset-before-status").await;
    assert_eq!((w.bytes.len(), &w.end), (0, &End::Reset), "{}", w.text());

    let w = get(&lab, "/f/reset-mid-headers").await;
    assert_eq!(w.end, End::Reset);
    let text = w.text();
    assert!(text.starts_with("HTTP/1.1 200 OK\r\n"), "{text}");
    assert!(text.contains(&format!("Access-Control-Allow-Origin: {ORIGIN}\r\n")));
    assert!(!text.contains("\r\n\r\n"), "the head is complete: {text}");
    assert!(text.ends_with("cut o"), "{text}");

    let w = get(&lab, "/f/reset-mid-body").await;
    assert_eq!(w.end, End::Reset);
    w.assert_readable();
    assert_eq!(w.header("content-length"), vec![b"1048576".to_vec()]);
    assert_eq!(w.body().len(), 16 * 1024);
    assert_eq!(open(&lab).await, 0);
    lab.stop().await.unwrap();
}

#[tokio::test]
async fn a_reused_keep_alive_connection_is_claimed_too() {
    // A browser sends a later /f/ request on its idle connection to the lab: the fault must still happen.
    let lab = Lab::start().await;
    let mut stream = TcpStream::connect(lab.addr).await.unwrap();
    let host = lab.authority();
    let first = format!("GET /echo HTTP/1.1\r\nHost: {host}\r\nOrigin: {ORIGIN}\r\n\r\n");
    stream.write_all(first.as_bytes()).await.unwrap();
    let w = read(&mut stream, Duration::from_millis(500), 1 << 20).await;
    assert_eq!(w.end, End::Quiet, "the connection stays open");
    assert!(w.head().starts_with("HTTP/1.1 200"));
    let second =
        format!("GET /f/reset-mid-headers HTTP/1.1\r\nHost: {host}\r\nOrigin: {ORIGIN}\r\n\r\n");
    stream.write_all(second.as_bytes()).await.unwrap();
    let w = read(&mut stream, Duration::from_secs(5), 1 << 20).await;
    assert_eq!(w.end, End::Reset);
    assert!(w.text().ends_with("cut o"), "{}", w.text());
    wait_open(&lab, 0).await;
    lab.stop().await.unwrap();
}

#[tokio::test]
async fn hanging_faults_hold_until_the_client_leaves() {
    let lab = Lab::start().await;
    let mut never = send(&lab, "GET", "/f/never-answer", &[]).await;
    let mut endless = send(&lab, "GET", "/f/endless-body", &[]).await;
    let mut drip = send(&lab, "GET", "/f/slow-drip", &[]).await;
    let mut preflight = send(
        &lab,
        "OPTIONS",
        "/f/slow-preflight",
        &[("Access-Control-Request-Method", "PUT")],
    )
    .await;
    wait_open(&lab, 4).await;

    let w = read(&mut never, Duration::from_millis(1500), 1 << 20).await;
    assert_eq!((w.bytes.len(), &w.end), (0, &End::Quiet));

    let w = read(&mut endless, Duration::from_millis(1000), 1 << 20).await;
    assert_eq!(w.end, End::Quiet);
    w.assert_readable();
    assert_eq!(w.header("transfer-encoding"), vec![b"chunked".to_vec()]);
    assert_eq!(w.body(), b"1f\r\nthe body starts and never ends\n\r\n");

    // One byte a second: after 1.5 s of reading (plus the 2.5 s above), a few bytes of the status line.
    let bytes = read_during(&mut drip, Duration::from_millis(1500)).await;
    assert!(
        (3..=7).contains(&bytes.len()) && b"HTTP/1.1 200".starts_with(&bytes),
        "{:?}",
        String::from_utf8_lossy(&bytes)
    );

    let w = read(&mut preflight, Duration::from_millis(200), 1 << 20).await;
    assert_eq!((w.bytes.len(), &w.end), (0, &End::Quiet));
    assert_eq!(open(&lab).await, 4);

    drop((never, endless, drip, preflight));
    wait_open(&lab, 0).await;
    lab.stop().await.unwrap();
}

#[tokio::test]
async fn slow_preflight_answers_after_its_delay_and_the_actual_request_at_once() {
    let lab = Lab::start().await;
    let start = Instant::now();
    let mut stream = send(
        &lab,
        "OPTIONS",
        "/f/slow-preflight?delay_ms=400",
        &[
            ("Access-Control-Request-Method", "PUT"),
            ("Access-Control-Request-Headers", "x-custom"),
        ],
    )
    .await;
    let w = read(&mut stream, Duration::from_secs(5), 1 << 20).await;
    assert!(start.elapsed() >= Duration::from_millis(400));
    assert!(w.head().starts_with("HTTP/1.1 204"), "{}", w.text());
    w.assert_readable();
    assert_eq!(
        w.header("access-control-allow-methods"),
        vec![b"PUT".to_vec()]
    );
    assert_eq!(
        w.header("access-control-allow-headers"),
        vec![b"x-custom".to_vec()]
    );
    assert_eq!(w.end, End::Closed);
    drop(stream);

    let start = Instant::now();
    let mut stream = send(&lab, "PUT", "/f/slow-preflight", &[]).await;
    let w = read(&mut stream, Duration::from_secs(5), 1 << 20).await;
    assert!(start.elapsed() < Duration::from_secs(2));
    assert!(w.head().starts_with("HTTP/1.1 200"));
    w.assert_readable();
    drop(stream);
    wait_open(&lab, 0).await;
    lab.stop().await.unwrap();
}

#[tokio::test]
async fn huge_body_is_one_gibibyte_streamed() {
    let lab = Lab::start().await;
    let mut stream = send(&lab, "GET", "/f/huge-body", &[]).await;
    let w = read(&mut stream, Duration::from_secs(10), 4096).await;
    w.assert_readable();
    assert_eq!(w.header("content-length"), vec![b"1073741824".to_vec()]);
    // Count the rest without keeping it.
    let mut total = w.body().len() as u64;
    let mut buf = vec![0u8; 1 << 20];
    let start = Instant::now();
    loop {
        let n = tokio::time::timeout(Duration::from_secs(10), stream.read(&mut buf))
            .await
            .expect("the body stalled")
            .unwrap();
        if n == 0 {
            break;
        }
        assert_eq!((buf[0], buf[n - 1]), (b'x', b'x'));
        total += n as u64;
    }
    assert_eq!(total, faults::HUGE_BODY_BYTES);
    eprintln!("1 GiB read in {:?}", start.elapsed());
    drop(stream);
    wait_open(&lab, 0).await;

    // A client that stops reading and leaves frees the connection.
    let mut stream = send(&lab, "GET", "/f/huge-body", &[]).await;
    let w = read(&mut stream, Duration::from_secs(10), 1 << 20).await;
    assert_eq!(w.end, End::Cap);
    assert_eq!(open(&lab).await, 1);
    drop(stream);
    wait_open(&lab, 0).await;
    lab.stop().await.unwrap();
}

#[tokio::test]
async fn gzip_bomb_is_small_on_the_wire() {
    let lab = Lab::start().await;
    let w = get(&lab, "/f/gzip-bomb").await;
    assert_eq!(w.end, End::Closed);
    w.assert_readable();
    assert_eq!(w.header("content-encoding"), vec![b"gzip".to_vec()]);
    let bomb = faults::gzip_bomb();
    assert_eq!(
        w.header("content-length"),
        vec![bomb.len().to_string().into_bytes()]
    );
    assert_eq!(w.body(), bomb);
    // gzip magic, deflate; the trailer's decoded size is 1 GiB (mod 2^32) and its CRC that of 1 GiB of
    // zeros. (The deflate stream itself is checked by zlib in the browser test, and by `python3 -c
    // "import zlib"` when it was written: 1,073,741,824 zero bytes, CRC verified.)
    assert_eq!(&bomb[..4], &[0x1f, 0x8b, 8, 0]);
    assert!(bomb.len() < 1_100_000);
    let isize = u32::from_le_bytes(bomb[bomb.len() - 4..].try_into().unwrap());
    assert_eq!(u64::from(isize), faults::GZIP_BOMB_DECODED % (1 << 32));
    let crc = u32::from_le_bytes(bomb[bomb.len() - 8..bomb.len() - 4].try_into().unwrap());
    assert_eq!(crc, faults::crc32_of_zeros(faults::GZIP_BOMB_DECODED));
    lab.stop().await.unwrap();
}

#[tokio::test]
async fn broken_framing_and_odd_heads() {
    let lab = Lab::start().await;

    let mut bad = send(&lab, "GET", "/f/bad-chunked", &[]).await;
    let w = read(&mut bad, Duration::from_secs(1), 1 << 20).await;
    w.assert_readable();
    assert_eq!(w.header("transfer-encoding"), vec![b"chunked".to_vec()]);
    assert!(w
        .body()
        .starts_with(b"10\r\nthis chunk is ok\r\nzz; not a chunk size\r\n"));
    assert_eq!(w.end, End::Quiet, "held open after the broken chunk");

    let w = get(&lab, "/f/many-headers").await;
    w.assert_readable();
    let count = (0..1000)
        .filter(|i| w.header(&format!("x-fault-{i:04}")) == vec![format!("value {i}").into_bytes()])
        .count();
    assert_eq!(count, 1000);
    assert_eq!(
        w.header("access-control-expose-headers"),
        vec![b"*".to_vec()]
    );

    let w = get(&lab, "/f/huge-header").await;
    w.assert_readable();
    assert_eq!(w.header("x-fault-huge"), vec![vec![b'h'; 64 * 1024]]);

    let w = get(&lab, "/f/non-utf8").await;
    w.assert_readable();
    let value = &w.header("x-fault-bytes")[0];
    assert!(std::str::from_utf8(value).is_err(), "{value:?}");
    assert!(std::str::from_utf8(w.body()).is_err());
    assert_eq!(
        w.body().len().to_string().into_bytes(),
        w.header("content-length")[0]
    );

    let w = get(&lab, "/f/http10-no-length").await;
    assert_eq!(w.end, End::Closed, "ends with a FIN, not a reset");
    assert!(w.head().starts_with("HTTP/1.0 200 OK\r\n"));
    w.assert_readable();
    assert!(w.header("content-length").is_empty());
    assert!(w.header("transfer-encoding").is_empty());
    assert_eq!(w.body().split(|&b| b == b'\n').count(), 101);

    let w = get(&lab, "/f/informational").await;
    let text = w.text();
    let statuses: Vec<&str> = text
        .split("\r\n")
        .filter(|l| l.starts_with("HTTP/1.1 "))
        .collect();
    assert_eq!(
        statuses,
        [
            "HTTP/1.1 100 Continue",
            "HTTP/1.1 102 Processing",
            "HTTP/1.1 103 Early Hints",
            "HTTP/1.1 200 OK"
        ]
    );
    assert!(text.ends_with("\r\n\r\nthe final answer, after three 1xx responses\n"));
    assert!(text.contains(&format!("Access-Control-Allow-Origin: {ORIGIN}\r\n")));

    // Only bad-chunked's connection is still held, until its client leaves.
    wait_open(&lab, 1).await;
    drop(bad);
    wait_open(&lab, 0).await;
    lab.stop().await.unwrap();
}

#[tokio::test]
async fn redirects_loop_and_leave_http() {
    let lab = Lab::start().await;
    let mut path = String::from("/f/redirect-loop");
    for hop in 1..=25 {
        let w = get(&lab, &path).await;
        assert!(w.head().starts_with("HTTP/1.1 302"), "{}", w.text());
        w.assert_readable();
        let location = String::from_utf8(w.header("location").remove(0)).unwrap();
        assert_eq!(location, format!("/f/redirect-loop?hop={hop}"));
        path = location;
    }
    for (name, location) in [
        ("redirect-file", &b"file:///etc/passwd"[..]),
        (
            "redirect-data",
            b"data:text/plain,corscope-lab%20redirect%20target",
        ),
    ] {
        let w = get(&lab, &format!("/f/{name}")).await;
        assert!(w.head().starts_with("HTTP/1.1 302"));
        w.assert_readable();
        assert_eq!(w.header("location"), vec![location.to_vec()]);
    }
    wait_open(&lab, 0).await;
    lab.stop().await.unwrap();
}

#[tokio::test]
async fn shutdown_ends_open_fault_connections_promptly() {
    let lab = Lab::start().await;
    let mut never = send(&lab, "GET", "/f/never-answer", &[]).await;
    let mut drip = send(&lab, "GET", "/f/slow-drip", &[]).await;
    wait_open(&lab, 2).await;
    let start = Instant::now();
    lab.stop().await.unwrap();
    for stream in [&mut never, &mut drip] {
        let w = read(stream, Duration::from_secs(3), 1 << 20).await;
        assert!(matches!(w.end, End::Closed | End::Reset), "{:?}", w.end);
    }
    assert!(
        start.elapsed() < Duration::from_secs(3),
        "{:?}",
        start.elapsed()
    );
}

#[tokio::test]
async fn normal_endpoints_keep_working_while_faults_are_open() {
    let lab = Lab::start().await;
    let mut held = Vec::new();
    for _ in 0..20 {
        held.push(send(&lab, "GET", "/f/never-answer", &[]).await);
        held.push(send(&lab, "GET", "/f/slow-drip", &[]).await);
    }
    wait_open(&lab, 40).await;
    let start = Instant::now();
    for _ in 0..50 {
        let r = lab.get("/s/simple-get-wildcard").await;
        assert_eq!(r.status, 200);
    }
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "{:?}",
        start.elapsed()
    );
    drop(held);
    wait_open(&lab, 0).await;
    lab.stop().await.unwrap();
}
