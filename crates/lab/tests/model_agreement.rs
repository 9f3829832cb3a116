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

mod common;

use std::fmt::Write as _;
use std::net::SocketAddr;
use std::time::Duration;

use common::Lab;
use corscope_model::error::Stage;
use corscope_model::verdict::{decide, Verdict};
use corscope_model::{
    classify, paste, Classification, Credentials, Exchange, HeaderList, Mode, RequestSpec,
    Response, Url,
};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// The page origins the test plays: the lab's two names are both loopback, and either is cross-origin
/// to the lab (another port).
const PAGE_ORIGINS: [&str; 2] = ["http://localhost:41234", "http://127.0.0.1:41234"];

/// Chromium follows at most 20 redirects: the 21st response that is a redirect is the error.
const MAX_RESPONSES: usize = 21;

/// One response as it came off the socket.
#[derive(Debug)]
struct Raw {
    /// The response head verbatim: status line and header lines, CRLF-separated, no final blank line.
    head: String,
    /// The decoded body (de-chunked).
    body: Vec<u8>,
    /// The head parsed for the model, every header line kept in order.
    response: Response,
}

impl Raw {
    /// The response as `curl -i` prints it: the head, a blank line, then the body.
    fn curl_i(&self, with_body: bool) -> String {
        let mut text = format!("{}\r\n\r\n", self.head);
        if with_body {
            text.push_str(&String::from_utf8_lossy(&self.body));
        }
        text
    }
}

/// What a browser exchanged with the lab for one scenario.
struct Traffic {
    preflight: Option<Raw>,
    actual: Vec<Raw>,
    /// One line per request sent, for the report.
    log: Vec<String>,
}

impl Traffic {
    fn exchange(&self) -> Exchange {
        Exchange {
            preflight: self.preflight.as_ref().map(|r| r.response.clone()),
            actual: self.actual.iter().map(|r| r.response.clone()).collect(),
        }
    }

    /// The two pastes of the curl round trip: the preflight's `curl -i` output, and the actual request's
    /// `curl -i -L` output (every hop's head, the final body last).
    fn pastes(&self) -> (Option<String>, String) {
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

    fn describe(&self) -> String {
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
        out
    }
}

/// Sends one HTTP/1.1 request to the lab on a fresh connection and reads the whole answer.
///
/// `url` must name the lab (either of its names): `localhost` is connected to as `127.0.0.1`, which is
/// where the lab listens, and the `Host` header carries the name the URL used.
async fn send(
    lab: SocketAddr,
    method: &str,
    url: &Url,
    headers: &[(String, String)],
    body: Option<&[u8]>,
) -> Raw {
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
    let mut stream = TcpStream::connect(lab).await.unwrap();
    stream.write_all(&request).await.unwrap();
    let mut bytes = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(20), stream.read_to_end(&mut bytes));
    // A reset after the response is fine: what was read is the answer.
    let _ = read
        .await
        .expect("the lab did not close the connection in time");
    parse_raw(&bytes)
}

/// Splits a raw answer into its verbatim head, its body and a [`Response`] for the model.
fn parse_raw(bytes: &[u8]) -> Raw {
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
        dechunk(body)
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

fn dechunk(mut body: &[u8]) -> Vec<u8> {
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

/// Does what Chromium does for a `fetch()` in mode `cors`: the preflight when the model says one is
/// needed (always sent here, so the model sees it even where it stops early), then the actual request,
/// following redirects (up to [`MAX_RESPONSES`] responses) with the redirect taint and the method rewrite
/// of the Fetch Standard. Whether a hop may be followed is not judged here: the model stops where the
/// browser stops, and ignores the responses after that.
async fn browse(lab: SocketAddr, classification: &Classification, body: Option<&str>) -> Traffic {
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
        Some(send(lab, "OPTIONS", request.url(), &headers, None).await)
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
        let raw = send(lab, &method, &url, &headers, body).await;
        let location = raw
            .response
            .is_redirect()
            .then(|| raw.response.location())
            .flatten();
        actual.push(raw);
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
    }
}

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

/// The scenario's request as the page would describe it to the model.
fn spec_of(row: &Value, origin: &str, lab: &Lab) -> RequestSpec {
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
            let classification = match classify(&spec) {
                Ok(c) => c,
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
            let traffic = browse(lab.addr, &classification, spec.body.as_deref()).await;
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
