//! Test harness: a lab started in-process on `127.0.0.1:0`, and a raw HTTP/1.1 client over a real socket.
//!
//! The client is hand-written on purpose: it must send what a proper client refuses to (odd methods,
//! non-UTF-8 header bytes, oversized heads) and show every response header line, repeats included.

// Each test binary uses a different part of the harness; a panic here is a failed test.
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]

use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// The page origin the tests pretend to be (a random port, like the wasm-bindgen test runner's).
pub const ORIGIN: &str = "http://127.0.0.1:41234";

/// A running lab.
pub struct Lab {
    pub addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<std::io::Result<()>>>,
}

impl Lab {
    /// Starts a quiet lab on a free loopback port.
    pub async fn start() -> Lab {
        Lab::start_with(corscope_lab::Config {
            quiet: true,
            ..Default::default()
        })
        .await
    }

    /// Starts a lab with the given configuration.
    pub async fn start_with(config: corscope_lab::Config) -> Lab {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(corscope_lab::serve(listener, config, async {
            let _ = stopped.await;
        }));
        Lab {
            addr,
            stop: Some(stop),
            task: Some(task),
        }
    }

    /// `127.0.0.1:<port>`, the `{lab}` of the catalogue.
    pub fn authority(&self) -> String {
        self.addr.to_string()
    }

    /// Asks the lab to stop and waits for `serve` to return.
    pub async fn stop(mut self) -> std::io::Result<()> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        self.task.take().unwrap().await.unwrap()
    }

    /// Sends raw bytes on a fresh connection and reads the response until the server closes.
    pub async fn raw(&self, request: &[u8]) -> Response {
        let mut stream = TcpStream::connect(self.addr).await.unwrap();
        stream.write_all(request).await.unwrap();
        let mut bytes = Vec::new();
        let read = tokio::time::timeout(Duration::from_secs(20), stream.read_to_end(&mut bytes));
        // A reset after the response (the server closing a connection with unread input) is fine.
        let _ = read
            .await
            .expect("the lab did not close the connection in time");
        Response::parse(&bytes)
    }

    /// Sends a request with `Connection: close` and the given extra header lines.
    pub async fn send(
        &self,
        method: &str,
        target: &str,
        headers: &[(&str, &str)],
        body: Option<&[u8]>,
    ) -> Response {
        let raw = request_bytes(method, target, &self.authority(), headers, body);
        self.raw(&raw).await
    }

    /// A GET with `Origin: ORIGIN`.
    pub async fn get(&self, target: &str) -> Response {
        self.send("GET", target, &[("Origin", ORIGIN)], None).await
    }

    /// A preflight for `method` with `Origin: ORIGIN` and the given `Access-Control-Request-Headers`.
    pub async fn preflight(&self, target: &str, method: &str, acrh: Option<&str>) -> Response {
        let mut headers = vec![
            ("Origin", ORIGIN),
            ("Access-Control-Request-Method", method),
        ];
        if let Some(acrh) = acrh {
            headers.push(("Access-Control-Request-Headers", acrh));
        }
        self.send("OPTIONS", target, &headers, None).await
    }
}

/// Builds an HTTP/1.1 request; `Content-Length` is added when there is a body.
pub fn request_bytes(
    method: &str,
    target: &str,
    host: &str,
    headers: &[(&str, &str)],
    body: Option<&[u8]>,
) -> Vec<u8> {
    let mut raw =
        format!("{method} {target} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n").into_bytes();
    for (name, value) in headers {
        raw.extend_from_slice(format!("{name}: {value}\r\n").as_bytes());
    }
    if let Some(body) = body {
        raw.extend_from_slice(format!("Content-Length: {}\r\n", body.len()).as_bytes());
    }
    raw.extend_from_slice(b"\r\n");
    if let Some(body) = body {
        raw.extend_from_slice(body);
    }
    raw
}

/// A parsed response: every header line kept, names lowercased.
#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, Vec<u8>)>,
    pub body: Vec<u8>,
}

impl Response {
    fn parse(bytes: &[u8]) -> Response {
        let end = bytes
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .unwrap_or_else(|| panic!("no response head in {:?}", String::from_utf8_lossy(bytes)));
        let head = &bytes[..end];
        let mut lines = head
            .split(|&b| b == b'\n')
            .map(|l| l.strip_suffix(b"\r").unwrap_or(l));
        let status_line = String::from_utf8_lossy(lines.next().unwrap()).into_owned();
        let status = status_line.split(' ').nth(1).unwrap().parse().unwrap();
        let headers: Vec<(String, Vec<u8>)> = lines
            .map(|line| {
                let colon = line.iter().position(|&b| b == b':').unwrap();
                let name = String::from_utf8_lossy(&line[..colon]).to_ascii_lowercase();
                let value = line[colon + 1..].trim_ascii().to_vec();
                (name, value)
            })
            .collect();
        let mut response = Response {
            status,
            headers,
            body: bytes[end + 4..].to_vec(),
        };
        if response.header("transfer-encoding").as_deref() == Some("chunked") {
            response.body = dechunk(&response.body);
        }
        response
    }

    /// Every value of a header, in order, as text.
    pub fn all(&self, name: &str) -> Vec<String> {
        self.headers
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| String::from_utf8_lossy(v).into_owned())
            .collect()
    }

    /// The only value of a header (panics if repeated).
    pub fn header(&self, name: &str) -> Option<String> {
        let all = self.all(name);
        assert!(all.len() <= 1, "{name} repeated: {all:?}");
        all.into_iter().next()
    }

    /// The body as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("{e}: {:?}", String::from_utf8_lossy(&self.body)))
    }

    /// Checks the two headers every lab response must carry.
    pub fn assert_common_headers(&self) {
        assert_eq!(
            self.header("cross-origin-resource-policy").as_deref(),
            Some("cross-origin"),
            "{self:?}"
        );
        assert_eq!(
            self.header("cache-control").as_deref(),
            Some("no-store"),
            "{self:?}"
        );
    }
}

/// Decodes a chunked body (test input is the lab's own, well-formed output).
pub fn dechunk(mut body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let eol = body.windows(2).position(|w| w == b"\r\n").unwrap();
        let size =
            usize::from_str_radix(std::str::from_utf8(&body[..eol]).unwrap().trim(), 16).unwrap();
        body = &body[eol + 2..];
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&body[..size]);
        body = &body[size + 2..];
    }
}
