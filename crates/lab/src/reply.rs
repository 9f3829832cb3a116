//! What every handler needs to answer: the facts of the request that header values may depend on, the
//! expansion of the catalogue's value templates, and the assembly of a response from a list of headers.
//!
//! Headers are appended, never inserted: sending the same header twice is exactly what some broken servers
//! do (a proxy and the app both adding `Access-Control-Allow-Origin`), and the lab must reproduce it.

use axum::body::Body;
use axum::http::header::{HeaderMap, HeaderName, HeaderValue, HOST, ORIGIN};
use axum::http::{Response, StatusCode};

use crate::query;

/// `Access-Control-Request-Method`, the header that makes an `OPTIONS` request a preflight.
pub const ACRM: &str = "access-control-request-method";
/// `Access-Control-Request-Headers`, the unsafe header names a preflight announces.
pub const ACRH: &str = "access-control-request-headers";

/// The request facts a response may reflect, borrowed from the request's headers.
#[derive(Debug)]
pub struct Ctx<'a> {
    /// The `Origin` header, as sent (absent for curl and same-origin GETs).
    pub origin: Option<&'a [u8]>,
    /// The authority the client used to reach the lab (`Host`), e.g. `127.0.0.1:8787`.
    pub lab: Vec<u8>,
    /// The same lab under another name (`localhost` ↔ `127.0.0.1`): a different origin, same server.
    pub alt: Vec<u8>,
    /// `Access-Control-Request-Method`, when this is a preflight.
    pub acrm: Option<&'a [u8]>,
    /// `Access-Control-Request-Headers`, when the preflight announced any.
    pub acrh: Option<&'a [u8]>,
}

impl<'a> Ctx<'a> {
    /// Reads the context from request headers; `fallback_lab` is used when there is no `Host` header.
    pub fn new(headers: &'a HeaderMap, fallback_lab: &str) -> Ctx<'a> {
        let lab = headers
            .get(HOST)
            .map(|h| h.as_bytes().to_vec())
            .filter(|h| !h.is_empty())
            .unwrap_or_else(|| fallback_lab.as_bytes().to_vec());
        let alt = other_name(&lab);
        Ctx {
            origin: headers.get(ORIGIN).map(HeaderValue::as_bytes),
            lab,
            alt,
            acrm: headers.get(ACRM).map(HeaderValue::as_bytes),
            acrh: headers.get(ACRH).map(HeaderValue::as_bytes),
        }
    }

    /// Expands a catalogue value template; `None` when it reflects a request header that was not sent.
    ///
    /// Placeholders: `{origin}` (the `Origin` header), `{origin_enc}` (the same, percent-encoded for a
    /// query string), `{lab}` (the `Host` the client used), `{alt}` (the lab under its other name),
    /// `{acrm}` / `{acrh}` (the preflight's request headers). Any other brace is literal.
    pub fn expand(&self, template: &str) -> Option<Vec<u8>> {
        let mut out = Vec::with_capacity(template.len() + 32);
        let mut rest = template;
        while let Some(start) = rest.find('{') {
            let (before, from_brace) = rest.split_at(start);
            out.extend_from_slice(before.as_bytes());
            match self.placeholder(from_brace) {
                Some((name_len, value)) => {
                    out.extend_from_slice(&value?);
                    rest = from_brace.get(name_len..).unwrap_or_default();
                }
                None => {
                    out.push(b'{');
                    rest = from_brace.get(1..).unwrap_or_default();
                }
            }
        }
        out.extend_from_slice(rest.as_bytes());
        Some(out)
    }

    /// If `text` starts with a known placeholder, its length and value (`Some(None)`: not available).
    fn placeholder(&self, text: &str) -> Option<(usize, Option<Vec<u8>>)> {
        let value = |v: Option<&[u8]>| v.map(<[u8]>::to_vec);
        let table: [(&str, Option<Vec<u8>>); 6] = [
            ("{origin}", value(self.origin)),
            (
                "{origin_enc}",
                self.origin.map(|o| query::encode(o).into_bytes()),
            ),
            ("{lab}", Some(self.lab.clone())),
            ("{alt}", Some(self.alt.clone())),
            ("{acrm}", value(self.acrm)),
            ("{acrh}", value(self.acrh)),
        ];
        table
            .into_iter()
            .find(|(name, _)| text.starts_with(name))
            .map(|(name, v)| (name.len(), v))
    }
}

/// The lab's other name: `localhost` becomes `127.0.0.1` and anything else becomes `localhost`, same port.
///
/// Both names reach the same loopback server, yet they are different origins, which is all a cross-origin
/// redirect scenario needs.
pub fn other_name(authority: &[u8]) -> Vec<u8> {
    let (host, port) = split_port(authority);
    let other: &[u8] = if host.eq_ignore_ascii_case(b"localhost") {
        b"127.0.0.1"
    } else {
        b"localhost"
    };
    [other, port].concat()
}

/// Splits `host:port` into the host and `:port` (empty when there is no numeric port).
fn split_port(authority: &[u8]) -> (&[u8], &[u8]) {
    match authority.iter().rposition(|&b| b == b':') {
        Some(colon) => {
            let (host, port) = authority.split_at(colon);
            let digits = port.get(1..).unwrap_or_default();
            if !digits.is_empty() && digits.iter().all(u8::is_ascii_digit) {
                (host, port)
            } else {
                (authority, &[])
            }
        }
        None => (authority, &[]),
    }
}

/// A list of response headers in the order they are sent, duplicates allowed.
pub type Headers = Vec<(HeaderName, HeaderValue)>;

/// Assembles a response; headers are appended so repeats are sent as separate lines.
pub fn build(status: StatusCode, headers: Headers, body: Body) -> Response<Body> {
    let mut response = Response::new(body);
    *response.status_mut() = status;
    let map = response.headers_mut();
    for (name, value) in headers {
        map.append(name, value);
    }
    response
}

/// A response the lab itself produces (bad builder input, unknown scenario, oversized body, timeout).
///
/// It reflects the request's origin with credentials allowed, so the page can always read *why* the lab
/// refused, whatever the request's credentials mode.
pub fn lab_error(status: StatusCode, origin: Option<&[u8]>, message: &str) -> Response<Body> {
    let body = serde_json::json!({ "error": message, "status": status.as_u16() }).to_string();
    build(status, readable_by(origin, JSON), Body::from(body))
}

/// `Content-Type` of the lab's JSON bodies.
pub const JSON: &str = "application/json";

/// Headers that make a lab-generated response readable by any origin, credentialed or not.
pub fn readable_by(origin: Option<&[u8]>, content_type: &'static str) -> Headers {
    let acao = origin
        .and_then(|o| HeaderValue::from_bytes(o).ok())
        .unwrap_or(HeaderValue::from_static("*"));
    let mut headers = vec![(HeaderName::from_static("access-control-allow-origin"), acao)];
    if origin.is_some() {
        headers.push((
            HeaderName::from_static("access-control-allow-credentials"),
            HeaderValue::from_static("true"),
        ));
        headers.push((
            HeaderName::from_static("vary"),
            HeaderValue::from_static("Origin"),
        ));
    }
    headers.push((
        HeaderName::from_static("content-type"),
        HeaderValue::from_static(content_type),
    ));
    headers
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx_with(origin: Option<&'static [u8]>) -> Ctx<'static> {
        Ctx {
            origin,
            lab: b"127.0.0.1:8787".to_vec(),
            alt: b"localhost:8787".to_vec(),
            acrm: Some(b"PUT"),
            acrh: None,
        }
    }

    #[test]
    fn expands_placeholders() {
        let ctx = ctx_with(Some(b"http://127.0.0.1:5000"));
        assert_eq!(ctx.expand("{origin}/").unwrap(), b"http://127.0.0.1:5000/");
        assert_eq!(
            ctx.expand("http://{alt}/b?acao={origin_enc}").unwrap(),
            b"http://localhost:8787/b?acao=http%3A%2F%2F127.0.0.1%3A5000"
        );
        assert_eq!(ctx.expand("{acrm}, {x} {").unwrap(), b"PUT, {x} {");
    }

    #[test]
    fn missing_request_header_drops_the_value() {
        let ctx = ctx_with(None);
        assert_eq!(ctx.expand("{origin}"), None);
        assert_eq!(ctx.expand("{acrh}"), None);
        assert_eq!(ctx.expand("*").unwrap(), b"*");
    }

    #[test]
    fn other_name_swaps_loopback_names() {
        assert_eq!(other_name(b"127.0.0.1:8787"), b"localhost:8787");
        assert_eq!(other_name(b"LOCALHOST:1"), b"127.0.0.1:1");
        assert_eq!(other_name(b"localhost"), b"127.0.0.1");
        assert_eq!(other_name(b"[::1]:9"), b"localhost:9");
        assert_eq!(other_name(b"host:x"), b"localhost");
        assert_eq!(other_name(b""), b"localhost");
    }
}
