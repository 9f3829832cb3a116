//! The free-form builder, `/b?<params>`: answers with exactly the headers the query asks for, separately
//! for the preflight (`pf_` prefix) and the actual response, so a user can rebuild the server they think
//! they have and watch the browser judge it.
//!
//! Parameters (each also with a `pf_` prefix for the preflight answer):
//!
//! | param | effect |
//! |---|---|
//! | `acao` | `Access-Control-Allow-Origin`; `echo` reflects the request's `Origin` |
//! | `acac`, `aceh`, `acma`, `vary` | `…-Allow-Credentials`, `…-Expose-Headers`, `…-Max-Age`, `Vary` |
//! | `acam`, `acah` | `…-Allow-Methods`, `…-Allow-Headers`; `echo` reflects `Access-Control-Request-Method`/`-Headers` |
//! | `set_cookie` | `Set-Cookie` |
//! | `redirect` | `Location`; the status becomes 302 unless `status` is a 3xx |
//! | `hdr` | any header, written `Name: value` |
//! | `status` | the status code (200–999; default 200, preflight 204) |
//! | `delay_ms` | wait before answering (capped at 10 s) |
//! | `body_bytes` | send this many filler bytes instead of the echo (capped at 64 MiB) |
//! | `body` | send these bytes (percent-decoded, NULs and all) instead of the echo; with `body_bytes`, repeated or cut to that length; capped at 2 MiB |
//! | `reason` | the status line's reason phrase instead of the standard one (tab, space, visible ASCII and bytes 0x80–0xFF) |
//!
//! Repeated parameters produce repeated header lines, in query order. The value `none` sends no header;
//! an empty value sends an empty header. Unknown parameters are ignored, so a cache-busting `_=123` is fine.

use std::time::Duration;

use axum::http::header::{HeaderName, HeaderValue};
use axum::http::StatusCode;
use hyper::ext::ReasonPhrase;

use crate::query::Param;
use crate::reply::{Ctx, Headers};

/// The longest `delay_ms` honoured: long enough to test client timeouts, short enough to bound the server.
pub const MAX_DELAY: Duration = Duration::from_secs(10);
/// The largest `body_bytes` honoured (the filler is streamed, so this bounds time, not memory).
pub const MAX_BODY_BYTES: u64 = 64 * 1024 * 1024;
/// The largest body sent for `body` (held in memory, so smaller than the streamed filler's cap).
pub const MAX_BODY_TEXT_BYTES: usize = 2 * 1024 * 1024;

/// One answer of the builder, ready to send.
#[derive(Debug)]
pub struct Plan {
    /// The status to send.
    pub status: StatusCode,
    /// The header lines, in query order.
    pub headers: Headers,
    /// How long to wait before answering.
    pub delay: Duration,
    /// Filler body size; `None` sends the echo (actual) or nothing (preflight).
    pub body_bytes: Option<u64>,
    /// The exact body to send (`body`, already repeated or cut to `body_bytes`); it wins over the filler.
    pub body: Option<Vec<u8>>,
    /// The reason phrase to send instead of the standard one (`reason`).
    pub reason: Option<ReasonPhrase>,
}

/// Builds the answer for the preflight (`preflight = true`) or the actual request from the query.
///
/// Errors name the offending parameter, for a 400 the page can show.
pub fn plan(params: &[Param], preflight: bool, ctx: &Ctx<'_>) -> Result<Plan, String> {
    let prefix = if preflight { "pf_" } else { "" };
    let mut plan = Plan {
        status: if preflight {
            StatusCode::NO_CONTENT
        } else {
            StatusCode::OK
        },
        headers: Vec::new(),
        delay: Duration::ZERO,
        body_bytes: None,
        body: None,
        reason: None,
    };
    let mut explicit_status = false;
    for param in params {
        let Some(key) = param.key.strip_prefix(prefix) else {
            continue;
        };
        if !preflight && param.key.starts_with("pf_") {
            continue;
        }
        match key {
            "status" => {
                plan.status = parse_status(&param.value)
                    .ok_or_else(|| bad(param, "a status from 200 to 999"))?;
                explicit_status = true;
            }
            "delay_ms" => {
                let ms = parse_number(&param.value)
                    .ok_or_else(|| bad(param, "a number of milliseconds"))?;
                plan.delay = Duration::from_millis(ms).min(MAX_DELAY);
            }
            "body_bytes" => {
                let n =
                    parse_number(&param.value).ok_or_else(|| bad(param, "a number of bytes"))?;
                plan.body_bytes = Some(n.min(MAX_BODY_BYTES));
            }
            "body" => plan.body = Some(param.value.clone()),
            "reason" => {
                let reason = ReasonPhrase::try_from(param.value.as_slice())
                    .map_err(|_| bad(param, "a reason phrase (no control bytes)"))?;
                plan.reason = Some(reason);
            }
            _ => push_header(&mut plan.headers, key, param, ctx)?,
        }
    }
    if let Some(body) = &mut plan.body {
        let len = plan
            .body_bytes
            .map_or(body.len(), |n| usize::try_from(n).unwrap_or(usize::MAX));
        *body = repeated(body, len.min(MAX_BODY_TEXT_BYTES));
    }
    let redirects = plan.headers.iter().any(|(name, _)| name == "location");
    if redirects && !(explicit_status && plan.status.is_redirection()) {
        plan.status = StatusCode::FOUND;
    }
    Ok(plan)
}

/// `text` repeated (or cut) to exactly `len` bytes; empty when `text` is.
fn repeated(text: &[u8], len: usize) -> Vec<u8> {
    text.iter().copied().cycle().take(len).collect()
}

/// Adds the header a parameter asks for (nothing for unknown parameters, `none`, or an echo of nothing).
fn push_header(
    headers: &mut Headers,
    key: &str,
    param: &Param,
    ctx: &Ctx<'_>,
) -> Result<(), String> {
    if param.value == b"none" {
        return Ok(());
    }
    let literal = Some(param.value.as_slice());
    let (name, value) = match key {
        "hdr" => return push_raw_header(headers, param),
        "acao" => (
            name("access-control-allow-origin"),
            echoed(&param.value, ctx.origin),
        ),
        "acam" => (
            name("access-control-allow-methods"),
            echoed(&param.value, ctx.acrm),
        ),
        "acah" => (
            name("access-control-allow-headers"),
            echoed(&param.value, ctx.acrh),
        ),
        "acac" => (name("access-control-allow-credentials"), literal),
        "aceh" => (name("access-control-expose-headers"), literal),
        "acma" => (name("access-control-max-age"), literal),
        "vary" => (name("vary"), literal),
        "set_cookie" => (name("set-cookie"), literal),
        "redirect" => (name("location"), literal),
        _ => return Ok(()),
    };
    // `echo` of a header the request did not carry: a reflecting server has nothing to send.
    let Some(value) = value else { return Ok(()) };
    let value = HeaderValue::from_bytes(value).map_err(|_| bad(param, "a valid header value"))?;
    headers.push((name, value));
    Ok(())
}

/// The value to send: the reflected request header for `echo` (`None` if absent), else the literal value.
fn echoed<'a>(value: &'a [u8], reflected: Option<&'a [u8]>) -> Option<&'a [u8]> {
    if value == b"echo" {
        reflected
    } else {
        Some(value)
    }
}

/// `hdr=Name: value` → any header, split at the first colon, leading spaces of the value dropped.
fn push_raw_header(headers: &mut Headers, param: &Param) -> Result<(), String> {
    let colon = param
        .value
        .iter()
        .position(|&b| b == b':')
        .ok_or_else(|| bad(param, "`Name: value`"))?;
    let (raw_name, rest) = param.value.split_at(colon);
    let raw_value = rest.get(1..).unwrap_or_default();
    let raw_value = raw_value.trim_ascii_start();
    let name = HeaderName::from_bytes(raw_name)
        .map_err(|_| bad(param, "a valid header name before `:`"))?;
    let value = HeaderValue::from_bytes(raw_value)
        .map_err(|_| bad(param, "a valid header value after `:`"))?;
    headers.push((name, value));
    Ok(())
}

fn name(lowercase: &'static str) -> HeaderName {
    HeaderName::from_static(lowercase)
}

/// A status from 200 to 999: 1xx are not final responses, and codes below 100 cannot be sent.
fn parse_status(value: &[u8]) -> Option<StatusCode> {
    let code = u16::try_from(parse_number(value)?).ok()?;
    if (200..=999).contains(&code) {
        StatusCode::from_u16(code).ok()
    } else {
        None
    }
}

/// A decimal number of at most 12 digits (larger values are clamped by the caller's caps anyway).
fn parse_number(value: &[u8]) -> Option<u64> {
    let text = std::str::from_utf8(value).ok()?;
    if text.is_empty() || text.len() > 12 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// The message for a parameter whose value is unusable.
fn bad(param: &Param, wanted: &str) -> String {
    format!(
        "parameter `{}` must be {wanted}, got {:?}",
        param.key,
        String::from_utf8_lossy(&param.value)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::parse;

    fn ctx() -> Ctx<'static> {
        Ctx {
            origin: Some(b"http://127.0.0.1:5000"),
            lab: b"127.0.0.1:8787".to_vec(),
            alt: b"localhost:8787".to_vec(),
            acrm: Some(b"PUT"),
            acrh: None,
        }
    }

    fn lines(plan: &Plan) -> Vec<(String, String)> {
        plan.headers
            .iter()
            .map(|(n, v)| {
                (
                    n.to_string(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect()
    }

    #[test]
    fn actual_and_preflight_are_separate() {
        let params =
            parse("acao=echo&pf_acao=*&pf_acam=echo&pf_acah=echo&pf_status=500&aceh=X-A&aceh=X-B");
        let actual = plan(&params, false, &ctx()).unwrap();
        assert_eq!(actual.status, StatusCode::OK);
        assert_eq!(
            lines(&actual),
            [
                (
                    "access-control-allow-origin".into(),
                    "http://127.0.0.1:5000".into()
                ),
                ("access-control-expose-headers".into(), "X-A".into()),
                ("access-control-expose-headers".into(), "X-B".into()),
            ]
        );
        let preflight = plan(&params, true, &ctx()).unwrap();
        assert_eq!(preflight.status, StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(
            lines(&preflight),
            [
                ("access-control-allow-origin".into(), "*".into()),
                ("access-control-allow-methods".into(), "PUT".into()),
            ]
        );
    }

    #[test]
    fn redirect_defaults_to_302_and_keeps_explicit_3xx() {
        let p = plan(&parse("redirect=/x"), false, &ctx()).unwrap();
        assert_eq!(p.status, StatusCode::FOUND);
        let p = plan(&parse("redirect=/x&status=307"), false, &ctx()).unwrap();
        assert_eq!(p.status, StatusCode::TEMPORARY_REDIRECT);
        let p = plan(&parse("status=200&redirect=/x"), false, &ctx()).unwrap();
        assert_eq!(p.status, StatusCode::FOUND);
    }

    #[test]
    fn caps_delay_and_body() {
        let p = plan(
            &parse("delay_ms=999999999&body_bytes=999999999999"),
            false,
            &ctx(),
        )
        .unwrap();
        assert_eq!(p.delay, MAX_DELAY);
        assert_eq!(p.body_bytes, Some(MAX_BODY_BYTES));
    }

    #[test]
    fn rejects_bad_values_with_the_parameter_name() {
        for query in [
            "status=abc",
            "status=99",
            "status=1000",
            "delay_ms=-1",
            "acao=a%0Ab",
            "hdr=nocolon",
            "hdr=b%20d:x",
            "reason=a%0Ab",
        ] {
            let err = plan(&parse(query), false, &ctx()).unwrap_err();
            let key = query.split('=').next().unwrap();
            assert!(err.contains(key), "{query}: {err}");
        }
    }

    #[test]
    fn none_empty_and_raw_headers() {
        let p = plan(
            &parse("acao=none&acac=&hdr=X-Odd:%20%FF&set_cookie=a=1&set_cookie=b=2"),
            false,
            &ctx(),
        )
        .unwrap();
        let got = lines(&p);
        assert_eq!(
            got[0],
            ("access-control-allow-credentials".into(), String::new())
        );
        assert_eq!(p.headers[1].1.as_bytes(), b"\xff");
        assert_eq!(got[2], ("set-cookie".into(), "a=1".into()));
        assert_eq!(got[3], ("set-cookie".into(), "b=2".into()));
    }

    #[test]
    fn body_is_repeated_or_cut_to_body_bytes() {
        let p = plan(&parse("body=%3Cb%3E%00"), false, &ctx()).unwrap();
        assert_eq!(p.body.as_deref(), Some(&b"<b>\0"[..]));
        let p = plan(&parse("body=ab&body_bytes=5"), false, &ctx()).unwrap();
        assert_eq!(p.body.as_deref(), Some(&b"ababa"[..]));
        let p = plan(&parse("body=&body_bytes=5"), false, &ctx()).unwrap();
        assert_eq!(p.body.as_deref(), Some(&b""[..]));
        let p = plan(&parse("reason=Not%20Okay"), false, &ctx()).unwrap();
        assert_eq!(p.reason.unwrap().as_bytes(), b"Not Okay");
    }

    #[test]
    fn echo_of_an_absent_header_sends_nothing() {
        let p = plan(&parse("pf_acah=echo"), true, &ctx()).unwrap();
        assert!(p.headers.is_empty());
    }
}
