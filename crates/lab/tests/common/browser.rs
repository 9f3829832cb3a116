//! A socket "browser": sends to the lab what Chromium sends for a `fetch()` (the preflight, then the
//! actual request, redirects followed with the `Origin: null` taint and the method rewrite of the Fetch
//! Standard), and keeps every answer verbatim for the model.
//!
//! Shared by `model_agreement.rs` (the model's exact verdict against the catalogue) and
//! `probe_agreement.rs` (the browser-only probe path against that verdict). Include it next to
//! `mod common;` with `#[path = "common/browser.rs"] mod browser;`: it is not a module of `common`, so
//! the test binaries that do not browse do not compile it.

// Each test binary uses a different part of the helper; a panic here is a failed test.
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]

use std::fmt::Write as _;
use std::net::SocketAddr;
use std::time::Duration;

use corscope_model::{
    classify, Classification, Credentials, Exchange, HeaderList, Mode, Redirect, Refusal,
    RequestSpec, Response, Url,
};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::common::{self, Lab};

/// The page origins the tests play: the lab's two names are both loopback, and either is cross-origin
/// to the lab (another port).
pub const PAGE_ORIGINS: [&str; 2] = ["http://localhost:41234", "http://127.0.0.1:41234"];

/// Chromium follows at most 20 redirects: the 21st response that is a redirect is the error.
pub const MAX_RESPONSES: usize = 21;

/// One response as it came off the socket.
#[derive(Debug)]
pub struct Raw {
    /// The response head verbatim: status line and header lines, CRLF-separated, no final blank line.
    pub head: String,
    /// The decoded body (de-chunked).
    pub body: Vec<u8>,
    /// The head parsed for the model, every header line kept in order.
    pub response: Response,
}

impl Raw {
    /// The response as `curl -i` prints it: the head, a blank line, then the body.
    pub fn curl_i(&self, with_body: bool) -> String {
        let mut text = format!("{}\r\n\r\n", self.head);
        if with_body {
            text.push_str(&String::from_utf8_lossy(&self.body));
        }
        text
    }
}

/// What a browser exchanged with the lab for one request.
pub struct Traffic {
    pub preflight: Option<Raw>,
    pub actual: Vec<Raw>,
    /// One line per request sent, for the report.
    pub log: Vec<String>,
    /// Why the exchange stopped early: a connection that could not be made or written to (the page would
    /// see a network error). `None` when every request got its answer.
    pub failure: Option<String>,
}

impl Traffic {
    /// The answers, for `decide`.
    pub fn exchange(&self) -> Exchange {
        Exchange {
            preflight: self.preflight.as_ref().map(|r| r.response.clone()),
            actual: self.actual.iter().map(|r| r.response.clone()).collect(),
        }
    }

    /// The two pastes of the curl round trip: the preflight's `curl -i` output, and the actual request's
    /// `curl -i -L` output (every hop's head, the final body last).
    pub fn pastes(&self) -> (Option<String>, String) {
        let preflight = self.preflight.as_ref().map(|r| r.curl_i(true));
        let last = self.actual.len().saturating_sub(1);
        let actual = self
            .actual
            .iter()
            .enumerate()
            .map(|(i, r)| r.curl_i(i == last))
            .collect::<Vec<_>>()
            .join("\r\n");
        (preflight, actual)
    }

    /// The requests sent and the heads received, indented for a failure report.
    pub fn describe(&self) -> String {
        let mut out = String::new();
        for line in &self.log {
            let _ = writeln!(out, "      > {line}");
        }
        if let Some(raw) = &self.preflight {
            let _ = writeln!(out, "      preflight answer:");
            for line in raw.head.lines() {
                let _ = writeln!(out, "        {line}");
            }
        }
        for (hop, raw) in self.actual.iter().enumerate() {
            let _ = writeln!(out, "      actual answer #{hop}:");
            for line in raw.head.lines() {
                let _ = writeln!(out, "        {line}");
            }
        }
        if let Some(failure) = &self.failure {
            let _ = writeln!(out, "      stopped: {failure}");
        }
        out
    }
}

/// A request classified by the model and sent the way Chromium sends it.
pub struct Fetched {
    pub classification: Classification,
    pub traffic: Traffic,
}

/// Classifies `spec` (whose `origin` is the page's) as the browser would and, when the browser would
/// send it, sends it to the lab as Chromium does ([`browse`]). `Err` when the browser refuses the request
/// before sending anything.
pub async fn fetch_like_chromium(lab: SocketAddr, spec: &RequestSpec) -> Result<Fetched, Refusal> {
    let classification = classify(spec)?;
    let traffic = browse(lab, &classification, spec.body.as_deref()).await;
    Ok(Fetched {
        classification,
        traffic,
    })
}

/// Sends one HTTP/1.1 request to the lab on a fresh connection and reads the whole answer; `Err` when
/// the connection cannot be made or written to.
///
/// `url` must name the lab (either of its names): `localhost` is connected to as `127.0.0.1`, which is
/// where the lab listens, and the `Host` header carries the name the URL used.
pub async fn send(
    lab: SocketAddr,
    method: &str,
    url: &Url,
    headers: &[(String, String)],
    body: Option<&[u8]>,
) -> Result<Raw, String> {
    assert!(
        matches!(url.host(), "127.0.0.1" | "localhost")
            && url.port_or_default() == Some(lab.port()),
        "a request left the lab: {url}"
    );
    let host = match url.port() {
        Some(port) => format!("{}:{port}", url.host()),
        None => url.host().to_string(),
    };
    let headers: Vec<(&str, &str)> = headers
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let request = common::request_bytes(method, url.path_and_query(), &host, &headers, body);
    let mut stream = TcpStream::connect(lab)
        .await
        .map_err(|e| format!("connect {lab}: {e}"))?;
    stream
        .write_all(&request)
        .await
        .map_err(|e| format!("write to {lab}: {e}"))?;
    let mut bytes = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(20), stream.read_to_end(&mut bytes));
    // A reset after the response is fine: what was read is the answer.
    let _ = read
        .await
        .expect("the lab did not close the connection in time");
    Ok(parse_raw(&bytes))
}

/// Splits a raw answer into its verbatim head, its body and a [`Response`] for the model.
pub fn parse_raw(bytes: &[u8]) -> Raw {
    let end = bytes
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no response head in {:?}", String::from_utf8_lossy(bytes)));
    let head = String::from_utf8(bytes[..end].to_vec()).expect("a lab head is ASCII");
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap();
    let mut parts = status_line.splitn(3, ' ');
    let _version = parts.next();
    let status: u16 = parts.next().unwrap().parse().unwrap();
    let status_text = parts.next().unwrap_or_default().to_string();
    let mut headers = HeaderList::new();
    let mut chunked = false;
    for line in lines {
        let (name, value) = line.split_once(':').unwrap();
        if name.eq_ignore_ascii_case("transfer-encoding") && value.trim() == "chunked" {
            chunked = true;
        }
        headers.push(name, value);
    }
    let body = &bytes[end + 4..];
    let body = if chunked {
        crate::common::dechunk(body)
    } else {
        body.to_vec()
    };
    Raw {
        head,
        body,
        response: Response {
            status,
            status_text,
            headers,
        },
    }
}

/// Does what Chromium does for a `fetch()`: the preflight when the model says one is needed (always
/// sent here, so the model sees it even where it stops early), then the actual request, following
/// redirects (up to [`MAX_RESPONSES`] responses) with the redirect taint and the method rewrite of the
/// Fetch Standard. Whether a hop may be followed is not judged here: the model stops where the browser
/// stops, and ignores the responses after that. With redirect mode `manual` or `error` the browser never
/// follows, so only the first actual response is fetched.
pub async fn browse(
    lab: SocketAddr,
    classification: &Classification,
    body: Option<&str>,
) -> Traffic {
    let request = &classification.request;
    let origin = request.origin().clone();
    let mut log = Vec::new();
    let accept = ("Accept".to_string(), "*/*".to_string());

    let preflight = if classification.needs_preflight() {
        let mut headers = vec![
            accept.clone(),
            ("Origin".to_string(), origin.serialize()),
            (
                "Access-Control-Request-Method".to_string(),
                request.method().to_string(),
            ),
        ];
        let unsafe_names = request.unsafe_header_names();
        if !unsafe_names.is_empty() {
            headers.push((
                "Access-Control-Request-Headers".to_string(),
                unsafe_names.join(","),
            ));
        }
        log.push(format!("OPTIONS {} {headers:?}", request.url()));
        match send(lab, "OPTIONS", request.url(), &headers, None).await {
            Ok(raw) => Some(raw),
            Err(failure) => {
                return Traffic {
                    preflight: None,
                    actual: Vec::new(),
                    log,
                    failure: Some(failure),
                }
            }
        }
    } else {
        None
    };

    let mut url = request.url().clone();
    let mut method = request.method().to_string();
    let mut body = body.map(str::as_bytes);
    let mut author: Vec<(String, String)> = request
        .headers()
        .iter()
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect();
    let mut tainted = false;
    let mut actual = Vec::new();
    let mut failure = None;
    while actual.len() < MAX_RESPONSES {
        let origin_header = if tainted {
            "null".to_string()
        } else {
            origin.serialize()
        };
        let mut headers = Vec::new();
        if !author.iter().any(|(n, _)| n.eq_ignore_ascii_case("accept")) {
            headers.push(accept.clone());
        }
        headers.push(("Origin".to_string(), origin_header));
        headers.extend(author.iter().cloned());
        log.push(format!("{method} {url} {headers:?}"));
        let raw = match send(lab, &method, &url, &headers, body).await {
            Ok(raw) => raw,
            Err(error) => {
                failure = Some(error);
                break;
            }
        };
        let location = raw
            .response
            .is_redirect()
            .then(|| raw.response.location())
            .flatten();
        actual.push(raw);
        if request.redirect() != Redirect::Follow {
            break;
        }
        let Some(location) = location else { break };
        let Ok(next) = url.join(&location) else { break };
        if !next.is_http() {
            break;
        }
        // https://fetch.spec.whatwg.org/#http-redirect-fetch step 13: the taint.
        if next.origin() != url.origin() && origin != url.origin() {
            tainted = true;
        }
        // Step 12: 301/302 turn POST into GET, 303 turns anything but HEAD into GET; the body and its
        // headers go.
        let status = actual.last().map_or(0, |r: &Raw| r.response.status);
        if ((status == 301 || status == 302) && method == "POST")
            || (status == 303 && method != "GET" && method != "HEAD")
        {
            method = "GET".to_string();
            body = None;
            author.retain(|(n, _)| {
                ![
                    "content-encoding",
                    "content-language",
                    "content-location",
                    "content-type",
                ]
                .iter()
                .any(|h| n.eq_ignore_ascii_case(h))
            });
        }
        url = next;
    }
    Traffic {
        preflight,
        actual,
        log,
        failure,
    }
}

/// The scenario's request (a row of `GET /scenarios`) as a page at `origin` would describe it to the
/// model.
pub fn spec_of(row: &Value, origin: &str, lab: &Lab) -> RequestSpec {
    let request = &row["request"];
    RequestSpec {
        origin: origin.to_string(),
        url: format!(
            "http://{}{}",
            lab.authority(),
            row["path"].as_str().unwrap()
        ),
        method: request["method"].as_str().unwrap().to_string(),
        mode: Mode::parse(request["mode"].as_str().unwrap()).unwrap(),
        credentials: Credentials::parse(request["credentials"].as_str().unwrap()).unwrap(),
        redirect: Default::default(),
        headers: request["headers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|pair| {
                (
                    pair[0].as_str().unwrap().to_string(),
                    pair[1].as_str().unwrap().to_string(),
                )
            })
            .collect(),
        body: request["body"].as_str().map(str::to_string),
    }
}
