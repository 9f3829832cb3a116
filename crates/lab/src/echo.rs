//! The echo body: what the lab received, as JSON, so the page can show that the browser dropped a forbidden
//! header, sent `Origin: null` after a redirect, or sent no cookie.
//!
//! Header values and cookies are shown lossily as UTF-8 (bytes that are not UTF-8 become U+FFFD): the echo is
//! for people, and a JSON string cannot hold raw bytes anyway.

use axum::http::{HeaderMap, Method, Uri};
use serde::Serialize;

/// What the lab received, in the order it arrived.
#[derive(Debug, Serialize)]
pub struct Echo {
    /// The request method as sent (any token, not only the standard ones).
    pub method: String,
    /// The path, still percent-encoded.
    pub path: String,
    /// The raw query string, `None` when the URL had none.
    pub query: Option<String>,
    /// The `Origin` header, `None` when absent.
    pub origin: Option<String>,
    /// Every request header as `[name, value]`, repeats kept.
    pub headers: Vec<[String; 2]>,
    /// The cookies from every `Cookie` header as `[name, value]`.
    pub cookies: Vec<[String; 2]>,
    /// The size of the request body in bytes.
    pub body_bytes: usize,
}

impl Echo {
    /// Describes a request whose body was `body_bytes` long.
    pub fn new(method: &Method, uri: &Uri, headers: &HeaderMap, body_bytes: usize) -> Echo {
        Echo {
            method: method.as_str().to_owned(),
            path: uri.path().to_owned(),
            query: uri.query().map(str::to_owned),
            origin: headers.get("origin").map(|v| lossy(v.as_bytes())),
            headers: headers
                .iter()
                .map(|(name, value)| [name.as_str().to_owned(), lossy(value.as_bytes())])
                .collect(),
            cookies: cookies(headers),
            body_bytes,
        }
    }

    /// The echo as a JSON document.
    pub fn to_json(&self) -> String {
        // Serializing plain strings and numbers cannot fail; an empty object is a safe fallback anyway.
        serde_json::to_string(self).unwrap_or_else(|_| String::from("{}"))
    }
}

/// Splits every `Cookie` header into `name=value` pairs (a pair without `=` is a name with an empty value).
fn cookies(headers: &HeaderMap) -> Vec<[String; 2]> {
    headers
        .get_all("cookie")
        .iter()
        .flat_map(|v| {
            lossy(v.as_bytes())
                .split(';')
                .map(str::trim)
                .filter(|pair| !pair.is_empty())
                .map(|pair| {
                    let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
                    [name.to_owned(), value.to_owned()]
                })
                .collect::<Vec<_>>()
        })
        .collect()
}

/// Bytes as text, invalid UTF-8 replaced.
fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn describes_headers_cookies_and_body() {
        let mut headers = HeaderMap::new();
        headers.append("origin", HeaderValue::from_static("null"));
        headers.append("cookie", HeaderValue::from_static("a=1; b=x=y"));
        headers.append("cookie", HeaderValue::from_static("flag"));
        headers.append("x-odd", HeaderValue::from_bytes(b"\xff").unwrap());
        let uri: Uri = "/b?acao=*".parse().unwrap();
        let echo = Echo::new(&Method::PUT, &uri, &headers, 5);
        let json: serde_json::Value = serde_json::from_str(&echo.to_json()).unwrap();
        assert_eq!(json["method"], "PUT");
        assert_eq!(json["query"], "acao=*");
        assert_eq!(json["origin"], "null");
        assert_eq!(json["body_bytes"], 5);
        assert_eq!(
            json["cookies"],
            serde_json::json!([["a", "1"], ["b", "x=y"], ["flag", ""]])
        );
        assert_eq!(json["headers"][3], serde_json::json!(["x-odd", "\u{fffd}"]));
    }
}
