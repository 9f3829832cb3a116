//! Header rules of the Fetch Standard, as Chromium applies them: which names and values a page may set
//! at all, which ones the browser silently drops, which ones are CORS-safelisted (no preflight), and
//! which response headers a page can read.
//!
//! Header names and values reach the browser as JavaScript `ByteString`s: every character must be
//! Latin-1 (U+0000–U+00FF) and counts as **one byte**. The functions here take `&str` and count a
//! character up to U+00FF as one byte, which is what the browser measures for the 128- and 1024-byte
//! limits; [`check_header_value`] refuses anything beyond Latin-1, as `fetch()` does.
//!
//! <https://fetch.spec.whatwg.org/#terminology-headers>

use std::fmt;

use crate::classify::{DropReason, UnsafeHeaderRule};
use crate::method::is_forbidden_method;
use crate::response::HeaderList;

/// The forbidden request-header names: a page may not set them; `fetch()` silently ignores them.
///
/// <https://fetch.spec.whatwg.org/#forbidden-request-header>
pub const FORBIDDEN_REQUEST_HEADER_NAMES: [&str; 21] = [
    "accept-charset",
    "accept-encoding",
    "access-control-request-headers",
    "access-control-request-method",
    "connection",
    "content-length",
    "cookie",
    "cookie2",
    "date",
    "dnt",
    "expect",
    "host",
    "keep-alive",
    "origin",
    "referer",
    "set-cookie",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "via",
];

/// Name prefixes that make any request header forbidden.
///
/// <https://fetch.spec.whatwg.org/#forbidden-request-header>
pub const FORBIDDEN_REQUEST_HEADER_PREFIXES: [&str; 2] = ["proxy-", "sec-"];

/// Headers that are forbidden when any of their comma-separated values is a forbidden method, so a
/// page cannot smuggle `TRACE` past the method check through a method-override convention.
///
/// <https://fetch.spec.whatwg.org/#forbidden-request-header>
pub const METHOD_OVERRIDE_HEADER_NAMES: [&str; 3] = [
    "x-http-method",
    "x-http-method-override",
    "x-method-override",
];

/// Names Chromium still drops although the Fetch Standard allows them.
///
/// `User-Agent` left the standard's list in 2015 (Firefox sends it, after a preflight), but Chromium's
/// `net::HttpUtil::IsSafeHeader` keeps it forbidden (crbug.com/571722), so Chromium 156 drops it.
pub const CHROMIUM_ONLY_FORBIDDEN_REQUEST_HEADER_NAMES: [&str; 1] = ["user-agent"];

/// The names the Fetch Standard's CORS-safelisted request-header check knows (each with a value rule).
///
/// <https://fetch.spec.whatwg.org/#cors-safelisted-request-header>
pub const CORS_SAFELISTED_REQUEST_HEADER_NAMES: [&str; 5] = [
    "accept",
    "accept-language",
    "content-language",
    "content-type",
    "range",
];

/// The no-CORS-safelisted request-header names: all that `no-cors` mode keeps.
///
/// <https://fetch.spec.whatwg.org/#no-cors-safelisted-request-header-name>
pub const NO_CORS_SAFELISTED_REQUEST_HEADER_NAMES: [&str; 4] = [
    "accept",
    "accept-language",
    "content-language",
    "content-type",
];

/// The CORS-safelisted response-header names: readable by a page without `Access-Control-Expose-Headers`.
///
/// <https://fetch.spec.whatwg.org/#cors-safelisted-response-header-name>
pub const CORS_SAFELISTED_RESPONSE_HEADER_NAMES: [&str; 7] = [
    "cache-control",
    "content-language",
    "content-length",
    "content-type",
    "expires",
    "last-modified",
    "pragma",
];

/// The forbidden response-header names: never readable by a page, whatever the server exposes.
///
/// <https://fetch.spec.whatwg.org/#forbidden-response-header-name>
pub const FORBIDDEN_RESPONSE_HEADER_NAMES: [&str; 2] = ["set-cookie", "set-cookie2"];

/// The `Content-Type` essences that keep a request simple.
///
/// <https://fetch.spec.whatwg.org/#cors-safelisted-request-header> (`content-type`)
pub const SIMPLE_CONTENT_TYPES: [&str; 3] = [
    "application/x-www-form-urlencoded",
    "multipart/form-data",
    "text/plain",
];

/// A safelisted header whose value is longer than this many bytes is not safelisted.
pub const MAX_SAFELISTED_VALUE_LEN: usize = 128;

/// When the safelisted headers' values together exceed this many bytes, all of them count as unsafe.
///
/// <https://fetch.spec.whatwg.org/#cors-unsafe-request-header-names> step 5.
pub const MAX_SAFELISTED_TOTAL_LEN: usize = 1024;

/// A request header Chromium safelists beyond the Fetch Standard, with the value it accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChromiumExtraHeader {
    /// Lowercase name.
    pub name: &'static str,
    /// What the value must look like.
    pub value: ExtraValueRule,
}

/// The value rule of a [`ChromiumExtraHeader`] (from Chromium's `IsCorsSafelistedHeader`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExtraValueRule {
    /// Any value (`Intervention`).
    Any,
    /// `1*DIGIT [ "." 1*DIGIT ]` (`DPR`, `Device-Memory`, `Downlink`).
    Decimal,
    /// `1*DIGIT` (`Width`, `Viewport-Width`, `RTT`).
    Integer,
    /// Exactly one of these values (`ECT`: `slow-2g`, `2g`, `3g`, `4g`).
    OneOf(&'static [&'static str]),
    /// This value, ASCII case-insensitively (`Save-Data: on`).
    CaseInsensitive(&'static str),
}

impl ExtraValueRule {
    /// Whether `value` satisfies the rule.
    pub fn accepts(self, value: &str) -> bool {
        match self {
            ExtraValueRule::Any => true,
            ExtraValueRule::Integer => {
                !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit())
            }
            ExtraValueRule::Decimal => is_decimal(value),
            ExtraValueRule::OneOf(values) => values.contains(&value),
            ExtraValueRule::CaseInsensitive(expected) => value.eq_ignore_ascii_case(expected),
        }
    }
}

/// Request headers Chromium safelists although the Fetch Standard does not.
///
/// From Chromium's `services/network/public/cpp/cors/cors.cc` (`IsCorsSafelistedHeader`), confirmed in
/// headless Chromium 156 by `e2e/chromium-facts.mjs`: each of these, sent cross-origin to a server that
/// fails every preflight, went through without one (`Save-Data: off`, `DPR: abc`, `Device-Memory: x`
/// and `Lang` did not). `sec-ch-*` entries do not matter here because a page cannot set `Sec-` headers.
pub const CHROMIUM_EXTRA_SAFELISTED_REQUEST_HEADERS: &[ChromiumExtraHeader] = &[
    ChromiumExtraHeader {
        name: "device-memory",
        value: ExtraValueRule::Decimal,
    },
    ChromiumExtraHeader {
        name: "downlink",
        value: ExtraValueRule::Decimal,
    },
    ChromiumExtraHeader {
        name: "dpr",
        value: ExtraValueRule::Decimal,
    },
    ChromiumExtraHeader {
        name: "ect",
        value: ExtraValueRule::OneOf(&["slow-2g", "2g", "3g", "4g"]),
    },
    ChromiumExtraHeader {
        name: "intervention",
        value: ExtraValueRule::Any,
    },
    ChromiumExtraHeader {
        name: "rtt",
        value: ExtraValueRule::Integer,
    },
    ChromiumExtraHeader {
        name: "save-data",
        value: ExtraValueRule::CaseInsensitive("on"),
    },
    ChromiumExtraHeader {
        name: "viewport-width",
        value: ExtraValueRule::Integer,
    },
    ChromiumExtraHeader {
        name: "width",
        value: ExtraValueRule::Integer,
    },
];

/// Why a header name or value cannot be set at all (`fetch()` throws a `TypeError`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ValueProblem {
    /// NUL, CR or LF inside the value (after surrounding whitespace is stripped).
    ForbiddenByte(u8),
    /// A character beyond U+00FF: headers are `ByteString`s.
    NotLatin1(char),
}

impl fmt::Display for ValueProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ValueProblem::ForbiddenByte(0) => f.write_str("contains a NUL character"),
            ValueProblem::ForbiddenByte(b'\r') => f.write_str("contains a carriage return"),
            ValueProblem::ForbiddenByte(b'\n') => f.write_str("contains a line break"),
            ValueProblem::ForbiddenByte(b) => write!(f, "contains the byte 0x{b:02X}"),
            ValueProblem::NotLatin1(c) => write!(
                f,
                "contains {} (U+{:04X}), which is not a Latin-1 character",
                crate::text::quoted(&c.to_string()),
                u32::from(*c)
            ),
        }
    }
}

/// Whether `s` is an HTTP token (RFC 9110 §5.6.2): one or more `tchar`.
pub fn is_token(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(is_tchar)
}

/// Whether `b` is an RFC 9110 `tchar`: ALPHA, DIGIT or one of `!#$%&'*+-.^_`|~`.
pub fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric()
        || matches!(
            b,
            b'!' | b'#'
                | b'$'
                | b'%'
                | b'&'
                | b'\''
                | b'*'
                | b'+'
                | b'-'
                | b'.'
                | b'^'
                | b'_'
                | b'`'
                | b'|'
                | b'~'
        )
}

/// Whether `c` is HTTP whitespace (tab, line feed, carriage return, space).
///
/// <https://fetch.spec.whatwg.org/#http-whitespace>
pub fn is_http_whitespace(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | ' ')
}

/// Whether `name` is a valid header name (a token).
///
/// <https://fetch.spec.whatwg.org/#header-name>
pub fn is_header_name(name: &str) -> bool {
    is_token(name)
}

/// Normalises a header value as `Headers` does: strips leading and trailing HTTP whitespace.
///
/// <https://fetch.spec.whatwg.org/#concept-header-value-normalize>
pub fn normalize_header_value(value: &str) -> &str {
    value.trim_matches(is_http_whitespace)
}

/// Normalises a value and checks that `fetch()` accepts it: Latin-1 only, and no NUL, CR or LF left.
///
/// Returns the normalised value. <https://fetch.spec.whatwg.org/#header-value>
pub fn check_header_value(value: &str) -> Result<&str, ValueProblem> {
    if let Some(c) = value.chars().find(|c| u32::from(*c) > 0xFF) {
        return Err(ValueProblem::NotLatin1(c));
    }
    let value = normalize_header_value(value);
    match value.bytes().find(|b| matches!(b, 0 | b'\r' | b'\n')) {
        Some(b) => Err(ValueProblem::ForbiddenByte(b)),
        None => Ok(value),
    }
}

/// The length the browser measures: one byte per Latin-1 character (UTF-8 length beyond Latin-1,
/// which the browser would have refused anyway).
pub fn byte_len(value: &str) -> usize {
    value
        .chars()
        .map(|c| {
            if u32::from(c) <= 0xFF {
                1
            } else {
                c.len_utf8()
            }
        })
        .sum()
}

/// Why a request header is forbidden, or `None` when a page may set it (in Chromium 156).
///
/// <https://fetch.spec.whatwg.org/#forbidden-request-header>, plus
/// [`CHROMIUM_ONLY_FORBIDDEN_REQUEST_HEADER_NAMES`].
pub fn forbidden_request_header(name: &str, value: &str) -> Option<DropReason> {
    let lower = name.to_ascii_lowercase();
    if FORBIDDEN_REQUEST_HEADER_NAMES.contains(&lower.as_str())
        || FORBIDDEN_REQUEST_HEADER_PREFIXES
            .iter()
            .any(|p| lower.starts_with(p))
    {
        return Some(DropReason::Forbidden);
    }
    if CHROMIUM_ONLY_FORBIDDEN_REQUEST_HEADER_NAMES.contains(&lower.as_str()) {
        return Some(DropReason::ForbiddenInChromium);
    }
    let overrides_to_forbidden = METHOD_OVERRIDE_HEADER_NAMES.contains(&lower.as_str())
        && value
            .split(',')
            .any(|m| is_forbidden_method(m.trim_matches(is_http_whitespace)));
    overrides_to_forbidden.then_some(DropReason::ForbiddenMethodOverride)
}

/// Whether `name` is a no-CORS-safelisted request-header name.
///
/// <https://fetch.spec.whatwg.org/#no-cors-safelisted-request-header-name>
pub fn is_no_cors_safelisted_request_header_name(name: &str) -> bool {
    NO_CORS_SAFELISTED_REQUEST_HEADER_NAMES
        .iter()
        .any(|n| n.eq_ignore_ascii_case(name))
}

/// Whether `no-cors` mode keeps the header: a no-CORS-safelisted name with a CORS-safelisted value.
///
/// <https://fetch.spec.whatwg.org/#no-cors-safelisted-request-header>
pub fn is_no_cors_safelisted_request_header(name: &str, value: &str) -> bool {
    is_no_cors_safelisted_request_header_name(name)
        && is_cors_safelisted_request_header(name, value)
}

/// Whether `name` is a CORS-safelisted response-header name (readable without exposure).
///
/// <https://fetch.spec.whatwg.org/#cors-safelisted-response-header-name>
pub fn is_cors_safelisted_response_header_name(name: &str) -> bool {
    CORS_SAFELISTED_RESPONSE_HEADER_NAMES
        .iter()
        .any(|n| n.eq_ignore_ascii_case(name))
}

/// Whether `name` is a forbidden response-header name (`Set-Cookie`, `Set-Cookie2`).
///
/// <https://fetch.spec.whatwg.org/#forbidden-response-header-name>
pub fn is_forbidden_response_header_name(name: &str) -> bool {
    FORBIDDEN_RESPONSE_HEADER_NAMES
        .iter()
        .any(|n| n.eq_ignore_ascii_case(name))
}

/// Whether `b` is a CORS-unsafe request-header byte: a control byte other than tab,
/// `" ( ) : < > ? @ [ \ ] { }`, or DEL.
///
/// <https://fetch.spec.whatwg.org/#cors-unsafe-request-header-byte>
pub fn is_cors_unsafe_request_header_byte(b: u8) -> bool {
    (b < 0x20 && b != 0x09)
        || matches!(
            b,
            b'"' | b'('
                | b')'
                | b':'
                | b'<'
                | b'>'
                | b'?'
                | b'@'
                | b'['
                | b'\\'
                | b']'
                | b'{'
                | b'}'
                | 0x7F
        )
}

/// Whether (`name`, `value`) is a CORS-safelisted request-header.
///
/// <https://fetch.spec.whatwg.org/#cors-safelisted-request-header>
pub fn is_cors_safelisted_request_header(name: &str, value: &str) -> bool {
    unsafe_header_rule(name, value).is_none()
}

/// The rule a header breaks to be CORS-unsafe on its own, or `None` when it is CORS-safelisted.
///
/// The name is checked before the 128-byte limit (the standard checks the length first): for a name
/// that is never safelisted, "not safelisted" is the reason worth telling. Both orders agree on
/// whether the header is safelisted.
///
/// <https://fetch.spec.whatwg.org/#cors-safelisted-request-header>
pub fn unsafe_header_rule(name: &str, value: &str) -> Option<UnsafeHeaderRule> {
    rule_with(name, value, CHROMIUM_EXTRA_SAFELISTED_REQUEST_HEADERS)
}

fn rule_with(name: &str, value: &str, extras: &[ChromiumExtraHeader]) -> Option<UnsafeHeaderRule> {
    let lower = name.to_ascii_lowercase();
    let extra = extras.iter().find(|h| h.name == lower);
    if !CORS_SAFELISTED_REQUEST_HEADER_NAMES.contains(&lower.as_str()) && extra.is_none() {
        return Some(UnsafeHeaderRule::NameNotSafelisted);
    }
    let len = byte_len(value);
    if len > MAX_SAFELISTED_VALUE_LEN {
        return Some(UnsafeHeaderRule::ValueTooLong { len });
    }
    if let Some(extra) = extra {
        return (!extra.value.accepts(value)).then_some(UnsafeHeaderRule::NameNotSafelisted);
    }
    match lower.as_str() {
        "accept" => first_unsafe_byte(value),
        "accept-language" | "content-language" => language_rule(value),
        "content-type" => content_type_rule(value),
        "range" => (!is_simple_range(value)).then_some(UnsafeHeaderRule::RangeNotSimple),
        _ => Some(UnsafeHeaderRule::NameNotSafelisted),
    }
}

/// The CORS-unsafe headers of a header list with the rule each breaks, sorted by (lowercase) name.
///
/// Follows Chromium: repeated names are judged on their combined value (`a, b`), as Blink merges
/// them before the network service checks them (the standard judges each line on its own). If the
/// safelisted values together exceed 1024 bytes, every safelisted header joins the list with
/// [`UnsafeHeaderRule::SafelistTotalTooLarge`].
///
/// <https://fetch.spec.whatwg.org/#cors-unsafe-request-header-names>
pub fn cors_unsafe_request_headers(headers: &HeaderList) -> Vec<(String, UnsafeHeaderRule)> {
    unsafe_headers_with(headers, CHROMIUM_EXTRA_SAFELISTED_REQUEST_HEADERS)
}

fn unsafe_headers_with(
    headers: &HeaderList,
    extras: &[ChromiumExtraHeader],
) -> Vec<(String, UnsafeHeaderRule)> {
    let mut unsafe_headers = Vec::new();
    let mut safelisted = Vec::new();
    let mut total = 0usize;
    for name in unique_lowercase_names(headers) {
        let value = headers.get(&name).unwrap_or_default();
        match rule_with(&name, &value, extras) {
            Some(rule) => unsafe_headers.push((name, rule)),
            None => {
                total = total.saturating_add(byte_len(&value));
                safelisted.push(name);
            }
        }
    }
    if total > MAX_SAFELISTED_TOTAL_LEN {
        let rule = UnsafeHeaderRule::SafelistTotalTooLarge { total };
        unsafe_headers.extend(safelisted.into_iter().map(|n| (n, rule.clone())));
    }
    sort_by(&mut unsafe_headers, |a, b| a.0 < b.0);
    unsafe_headers
}

/// The CORS-unsafe request-header names: lowercase, deduplicated, sorted — the value of
/// `Access-Control-Request-Headers` once joined with `","`.
///
/// <https://fetch.spec.whatwg.org/#cors-unsafe-request-header-names>
pub fn cors_unsafe_request_header_names(headers: &HeaderList) -> Vec<String> {
    cors_unsafe_request_headers(headers)
        .into_iter()
        .map(|(name, _)| name)
        .collect()
}

/// Parses a MIME type strictly and returns its essence (`type/subtype`, lowercase), ignoring
/// parameters; `None` when it does not parse.
///
/// <https://mimesniff.spec.whatwg.org/#parse-a-mime-type> steps 1–10 (parameters cannot make it fail).
/// Chromium's `ParseMimeTypeWithoutParameter` on the text before `;` agrees on every value without
/// CORS-unsafe bytes.
pub fn mime_essence(value: &str) -> Option<String> {
    let value = value.trim_matches(is_http_whitespace);
    let (kind, rest) = value.split_once('/')?;
    let subtype = rest.split(';').next().unwrap_or("");
    let subtype = subtype.trim_end_matches(is_http_whitespace);
    if !is_token(kind) || !is_token(subtype) {
        return None;
    }
    Some(format!("{kind}/{subtype}").to_ascii_lowercase())
}

/// Whether `value` is a simple range: exactly `bytes=N-` or `bytes=N-M` with N ≤ M, no whitespace.
///
/// <https://fetch.spec.whatwg.org/#simple-range-header-value>. Like Chromium
/// (`ParseFetchSingleRange` then the saturation check), a position of 2^63 − 1 or more is refused.
pub fn is_simple_range(value: &str) -> bool {
    let Some(range) = value.strip_prefix("bytes=") else {
        return false;
    };
    let Some((start, end)) = range.split_once('-') else {
        return false;
    };
    let Some(start) = range_position(start) else {
        return false;
    };
    if end.is_empty() {
        return true;
    }
    range_position(end).is_some_and(|end| start <= end)
}

fn range_position(digits: &str) -> Option<u64> {
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n: u64 = digits.parse().ok()?;
    (n < i64::MAX.unsigned_abs()).then_some(n)
}

pub(crate) fn unique_lowercase_names(headers: &HeaderList) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for (name, _) in headers.iter() {
        let lower = name.to_ascii_lowercase();
        if !names.contains(&lower) {
            names.push(lower);
        }
    }
    names
}

fn latin1_bytes(value: &str) -> impl Iterator<Item = u8> + '_ {
    // Characters beyond Latin-1 cannot be in a header; they map to 0x80, a byte no rule treats as unsafe.
    value
        .chars()
        .map(|c| u8::try_from(u32::from(c)).unwrap_or(0x80))
}

fn first_unsafe_byte(value: &str) -> Option<UnsafeHeaderRule> {
    latin1_bytes(value)
        .find(|b| is_cors_unsafe_request_header_byte(*b))
        .map(|byte| UnsafeHeaderRule::UnsafeByte { byte })
}

fn language_rule(value: &str) -> Option<UnsafeHeaderRule> {
    value
        .chars()
        .find(|c| {
            !(c.is_ascii_alphanumeric() || matches!(c, ' ' | '*' | ',' | '-' | '.' | ';' | '='))
        })
        .map(|ch| UnsafeHeaderRule::LanguageCharacter { ch })
}

fn content_type_rule(value: &str) -> Option<UnsafeHeaderRule> {
    if let Some(rule) = first_unsafe_byte(value) {
        return Some(rule);
    }
    match mime_essence(value) {
        Some(essence) if SIMPLE_CONTENT_TYPES.contains(&essence.as_str()) => None,
        Some(essence) => Some(UnsafeHeaderRule::ContentTypeNotSimple { essence }),
        None => Some(UnsafeHeaderRule::ContentTypeNotSimple {
            essence: value
                .split(';')
                .next()
                .unwrap_or("")
                .trim_matches(is_http_whitespace)
                .to_ascii_lowercase(),
        }),
    }
}

fn is_decimal(value: &str) -> bool {
    let (int, frac) = match value.split_once('.') {
        Some((int, frac)) => (int, Some(frac)),
        None => (value, None),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    digits(int) && frac.is_none_or(digits)
}

/// Sorts `items` stably, `less` saying which of two comes first: an insertion sort. The lists sorted here
/// hold a few header names, and one small function per element type keeps the standard library's sort
/// (kilobytes per element type) out of the WASM bundle.
pub fn sort_by<T>(items: &mut [T], less: impl Fn(&T, &T) -> bool) {
    for i in 1..items.len() {
        let mut j = i;
        while j > 0 {
            match items.get(j - 1..=j) {
                Some([a, b]) if less(b, a) => items.swap(j - 1, j),
                _ => break,
            }
            j -= 1;
        }
    }
}

/// Sorts names and drops repeats ([`sort_by`]).
pub fn sort_dedup(names: &mut Vec<String>) {
    sort_by(names, |a, b| a < b);
    names.dedup();
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn list(headers: &[(&str, &str)]) -> HeaderList {
        headers.iter().map(|(n, v)| (*n, *v)).collect()
    }

    #[test]
    fn forbidden_request_headers_table() {
        use DropReason::*;
        let cases: &[(&str, &str, Option<DropReason>)] = &[
            // #forbidden-request-header: the 21 names, byte-case-insensitively.
            ("Accept-Charset", "utf-8", Some(Forbidden)),
            ("accept-encoding", "gzip", Some(Forbidden)),
            ("Access-Control-Request-Headers", "x", Some(Forbidden)),
            ("Access-Control-Request-Method", "PUT", Some(Forbidden)),
            ("Connection", "close", Some(Forbidden)),
            ("Content-Length", "3", Some(Forbidden)),
            ("Cookie", "a=b", Some(Forbidden)),
            ("Cookie2", "a=b", Some(Forbidden)),
            ("Date", "x", Some(Forbidden)),
            ("DNT", "1", Some(Forbidden)),
            ("Expect", "100-continue", Some(Forbidden)),
            ("HOST", "evil.example", Some(Forbidden)),
            ("Keep-Alive", "x", Some(Forbidden)),
            ("Origin", "https://evil.example", Some(Forbidden)),
            ("Referer", "x", Some(Forbidden)),
            ("Set-Cookie", "a=b", Some(Forbidden)),
            ("TE", "trailers", Some(Forbidden)),
            ("Trailer", "x", Some(Forbidden)),
            ("Transfer-Encoding", "chunked", Some(Forbidden)),
            ("Upgrade", "websocket", Some(Forbidden)),
            ("Via", "x", Some(Forbidden)),
            // #forbidden-request-header: `proxy-` and `sec-` prefixes.
            ("Proxy-Authorization", "x", Some(Forbidden)),
            ("Sec-Fetch-Mode", "cors", Some(Forbidden)),
            ("sec-ch-ua", "x", Some(Forbidden)),
            // Chromium's net::HttpUtil::IsSafeHeader still lists User-Agent (crbug.com/571722).
            ("User-Agent", "curl/8", Some(ForbiddenInChromium)),
            // #forbidden-request-header: method-override headers naming a forbidden method.
            (
                "X-HTTP-Method-Override",
                "TRACE",
                Some(ForbiddenMethodOverride),
            ),
            (
                "x-http-method",
                "get, connect",
                Some(ForbiddenMethodOverride),
            ),
            (
                "X-Method-Override",
                " track ",
                Some(ForbiddenMethodOverride),
            ),
            // … but not when every value is an ordinary method.
            ("X-HTTP-Method-Override", "PATCH", None),
            ("X-HTTP-Method-Override", "TRACEX", None),
            // Ordinary names are allowed, including near misses.
            ("Authorization", "Bearer x", None),
            ("X-Cookie", "x", None),
            ("Proxy", "x", None),
            ("Content-Type", "application/json", None),
        ];
        for (name, value, expected) in cases {
            assert_eq!(
                forbidden_request_header(name, value),
                *expected,
                "{name}: {value}"
            );
        }
        assert_eq!(FORBIDDEN_REQUEST_HEADER_NAMES.len(), 21);
    }

    #[test]
    fn safelisted_request_header_table() {
        use UnsafeHeaderRule::*;
        let long = "a".repeat(129);
        let max = format!("text/plain;x={}", "a".repeat(128 - 13));
        let latin1 = format!("text/plain;x={}", "é".repeat(115));
        let cases: &[(&str, &str, Option<UnsafeHeaderRule>)] = &[
            // step 2: only the listed names are safelisted.
            ("X-Api-Key", "k", Some(NameNotSafelisted)),
            ("Authorization", "Bearer x", Some(NameNotSafelisted)),
            // step 1: a value longer than 128 bytes is never safelisted.
            ("Accept", &long, Some(ValueTooLong { len: 129 })),
            // step 1: exactly 128 bytes is fine.
            ("Content-Type", &max, None),
            // A Latin-1 character is one byte in a ByteString (UTF-8 would make this 243 bytes).
            ("Content-Type", &latin1, None),
            // step 2, accept: no CORS-unsafe request-header byte.
            ("Accept", "application/json, text/*;q=0.8", None),
            ("ACCEPT", "*/*", None),
            ("Accept", "a\"b", Some(UnsafeByte { byte: b'"' })),
            ("Accept", "a{b", Some(UnsafeByte { byte: b'{' })),
            ("Accept", "a\u{7f}", Some(UnsafeByte { byte: 0x7f })),
            ("Accept", "a\tb", None),
            // step 2, accept-language / content-language: 0-9 A-Z a-z space * , - . ; =
            ("Accept-Language", "en-GB,en;q=0.9, *", None),
            ("Content-Language", "de-DE", None),
            (
                "Accept-Language",
                "en_US",
                Some(LanguageCharacter { ch: '_' }),
            ),
            (
                "Content-Language",
                "fr\tFR",
                Some(LanguageCharacter { ch: '\t' }),
            ),
            ("Accept-Language", "é", Some(LanguageCharacter { ch: 'é' })),
            // step 2, content-type: essence form-urlencoded, multipart/form-data or text/plain.
            ("Content-Type", "text/plain", None),
            ("content-type", "TEXT/Plain; charset=UTF-8", None),
            ("Content-Type", "multipart/form-data; boundary=x", None),
            ("Content-Type", "application/x-www-form-urlencoded", None),
            // … parameters never make the parse fail.
            ("Content-Type", "text/plain;;;garbage", None),
            ("Content-Type", "text/plain ; charset=utf-8", None),
            (
                "Content-Type",
                "application/json",
                Some(ContentTypeNotSimple {
                    essence: "application/json".into(),
                }),
            ),
            // … the strict parse: no whitespace before the slash, a subtype is required.
            (
                "Content-Type",
                "text /plain",
                Some(ContentTypeNotSimple {
                    essence: "text /plain".into(),
                }),
            ),
            (
                "Content-Type",
                "text/",
                Some(ContentTypeNotSimple {
                    essence: "text/".into(),
                }),
            ),
            (
                "Content-Type",
                "text/plain, text/html",
                Some(ContentTypeNotSimple {
                    essence: "text/plain, text/html".into(),
                }),
            ),
            // … an unsafe byte fails before the parse (`:` here).
            (
                "Content-Type",
                "text/plain; a=b:c",
                Some(UnsafeByte { byte: b':' }),
            ),
            // step 2, range: a simple range value, start required.
            ("Range", "bytes=0-", None),
            ("Range", "bytes=10-20", None),
            ("Range", "bytes=5-5", None),
            ("Range", "bytes=-500", Some(RangeNotSimple)),
            ("Range", "bytes=20-10", Some(RangeNotSimple)),
            ("Range", "bytes=0-1,5-6", Some(RangeNotSimple)),
            ("Range", "bytes = 0-", Some(RangeNotSimple)),
            ("Range", "Bytes=0-", Some(RangeNotSimple)),
            ("Range", "items=0-5", Some(RangeNotSimple)),
            // Chromium: positions saturating int64 are refused.
            ("Range", "bytes=9223372036854775807-", Some(RangeNotSimple)),
            ("Range", "bytes=9223372036854775806-", None),
        ];
        for (name, value, expected) in cases {
            assert_eq!(
                unsafe_header_rule(name, value),
                *expected,
                "{name}: {value}"
            );
        }
    }

    #[test]
    fn unsafe_names_are_sorted_lowercase_and_unique() {
        // #cors-unsafe-request-header-names step 6: convert to a sorted-lowercase set.
        let headers = list(&[
            ("X-B", "1"),
            ("Accept", "*/*"),
            ("x-a", "1"),
            ("X-A", "2"),
            ("Content-Type", "application/json"),
        ]);
        assert_eq!(
            cors_unsafe_request_header_names(&headers),
            ["content-type", "x-a", "x-b"]
        );
    }

    #[test]
    fn spec_names_alone_stay_under_the_total() {
        // #cors-unsafe-request-header-names step 5. With repeated names combined (Chromium), the five
        // spec names hold at most 5 × 128 = 640 bytes, so the 1024-byte rule cannot fire on them.
        let text = format!("text/plain;a={}", "b".repeat(128 - 13));
        let headers = list(&[
            ("Accept", &"c".repeat(128)),
            ("Accept-Language", &"a".repeat(128)),
            ("Content-Language", &"a".repeat(128)),
            ("Content-Type", &text),
            ("Range", "bytes=0-"),
            ("X-1", "x"),
        ]);
        assert_eq!(cors_unsafe_request_header_names(&headers), ["x-1"]);
    }

    #[test]
    fn safelisted_total_over_1024_makes_all_safelisted_unsafe() {
        // #cors-unsafe-request-header-names step 5, exercised with a test table of extra names.
        const EXTRAS: &[ChromiumExtraHeader] = &[
            ChromiumExtraHeader {
                name: "x-1",
                value: ExtraValueRule::Any,
            },
            ChromiumExtraHeader {
                name: "x-2",
                value: ExtraValueRule::Any,
            },
            ChromiumExtraHeader {
                name: "x-3",
                value: ExtraValueRule::Any,
            },
            ChromiumExtraHeader {
                name: "x-4",
                value: ExtraValueRule::Any,
            },
            ChromiumExtraHeader {
                name: "x-5",
                value: ExtraValueRule::Any,
            },
            ChromiumExtraHeader {
                name: "x-6",
                value: ExtraValueRule::Any,
            },
            ChromiumExtraHeader {
                name: "x-7",
                value: ExtraValueRule::Any,
            },
            ChromiumExtraHeader {
                name: "x-8",
                value: ExtraValueRule::Any,
            },
        ];
        let v = "a".repeat(128);
        let names = ["x-1", "x-2", "x-3", "x-4", "x-5", "x-6", "x-7", "x-8"];
        // 8 × 128 = 1024: not over the limit.
        let at_limit: HeaderList = names.iter().map(|n| (*n, v.as_str())).collect();
        assert!(unsafe_headers_with(&at_limit, EXTRAS).is_empty());
        // One more byte anywhere tips every safelisted header over, keeping unsafe ones as they were.
        let over = at_limit.clone().with("Accept", "*").with("X-Custom", "1");
        let unsafe_headers = unsafe_headers_with(&over, EXTRAS);
        let total = UnsafeHeaderRule::SafelistTotalTooLarge { total: 1025 };
        assert_eq!(unsafe_headers.len(), 10);
        assert!(unsafe_headers.contains(&("accept".into(), total.clone())));
        assert!(unsafe_headers.contains(&("x-8".into(), total)));
        assert!(unsafe_headers.contains(&("x-custom".into(), UnsafeHeaderRule::NameNotSafelisted)));
    }

    #[test]
    fn repeated_safelisted_name_is_judged_on_the_combined_value() {
        // Chromium: Blink joins repeated names with ", " before the CORS check.
        let headers = list(&[
            ("Content-Type", "text/plain"),
            ("content-type", "text/plain"),
        ]);
        assert_eq!(
            cors_unsafe_request_headers(&headers),
            [(
                "content-type".to_string(),
                UnsafeHeaderRule::ContentTypeNotSimple {
                    essence: "text/plain, text/plain".into()
                }
            )]
        );
        let langs = list(&[("Accept-Language", "en"), ("Accept-Language", "fr")]);
        assert!(cors_unsafe_request_header_names(&langs).is_empty());
    }

    #[test]
    fn header_value_checks() {
        // #concept-header-value-normalize: strip leading/trailing HTTP whitespace.
        assert_eq!(check_header_value("  a b \t\r\n"), Ok("a b"));
        // #header-value: no NUL, CR or LF inside.
        assert_eq!(
            check_header_value("a\nb"),
            Err(ValueProblem::ForbiddenByte(b'\n'))
        );
        assert_eq!(
            check_header_value("a\0"),
            Err(ValueProblem::ForbiddenByte(0))
        );
        // WebIDL ByteString: a character beyond U+00FF throws.
        assert_eq!(check_header_value("5 €"), Err(ValueProblem::NotLatin1('€')));
        assert_eq!(check_header_value("café"), Ok("café"));
        assert_eq!(byte_len("café"), 4);
    }

    #[test]
    fn header_names_are_tokens() {
        // #header-name: a token.
        assert!(is_header_name("X-Api-Key"));
        assert!(is_header_name("x_weird!#$%&'*+.^`|~"));
        assert!(!is_header_name(""));
        assert!(!is_header_name("X Api"));
        assert!(!is_header_name("X-Api:"));
        assert!(!is_header_name("Ünïcode"));
    }

    #[test]
    fn response_header_names() {
        // #cors-safelisted-response-header-name and #forbidden-response-header-name.
        assert!(is_cors_safelisted_response_header_name("Content-Type"));
        assert!(is_cors_safelisted_response_header_name("expires"));
        assert!(!is_cors_safelisted_response_header_name("ETag"));
        assert!(!is_cors_safelisted_response_header_name(
            "Access-Control-Allow-Origin"
        ));
        assert!(is_forbidden_response_header_name("Set-Cookie"));
        assert!(is_forbidden_response_header_name("set-cookie2"));
        assert!(!is_forbidden_response_header_name("Cookie"));
    }

    #[test]
    fn no_cors_names() {
        // #no-cors-safelisted-request-header-name: Range is not one.
        assert!(is_no_cors_safelisted_request_header("Accept", "*/*"));
        assert!(!is_no_cors_safelisted_request_header("Range", "bytes=0-"));
        assert!(!is_no_cors_safelisted_request_header(
            "Content-Type",
            "application/json"
        ));
    }

    #[test]
    fn chromium_extra_value_rules() {
        // Chromium cors.cc IsSimilarToDoubleABNF / IsSimilarToIntABNF / save-data / ect.
        assert!(ExtraValueRule::Decimal.accepts("1.5"));
        assert!(ExtraValueRule::Decimal.accepts("8"));
        assert!(!ExtraValueRule::Decimal.accepts("1."));
        assert!(!ExtraValueRule::Decimal.accepts(".5"));
        assert!(!ExtraValueRule::Decimal.accepts("1.2.3"));
        assert!(ExtraValueRule::Integer.accepts("1280"));
        assert!(!ExtraValueRule::Integer.accepts(""));
        assert!(ExtraValueRule::CaseInsensitive("on").accepts("ON"));
        assert!(ExtraValueRule::OneOf(&["4g"]).accepts("4g"));
        assert!(!ExtraValueRule::OneOf(&["4g"]).accepts("5g"));
        assert!(ExtraValueRule::Any.accepts("anything"));
        // Observed in Chromium 156 (e2e/chromium-facts.mjs): these go without a preflight…
        for (name, value) in [
            ("Save-Data", "on"),
            ("DPR", "2"),
            ("Device-Memory", "8"),
            ("Width", "100"),
            ("Viewport-Width", "100"),
            ("RTT", "50"),
            ("Downlink", "1.5"),
            ("ECT", "4g"),
            ("Intervention", "x"),
        ] {
            assert_eq!(unsafe_header_rule(name, value), None, "{name}: {value}");
        }
        // …and these need one.
        for (name, value) in [
            ("Save-Data", "off"),
            ("DPR", "abc"),
            ("Device-Memory", "x"),
            ("Lang", "en"),
        ] {
            assert_eq!(
                unsafe_header_rule(name, value),
                Some(UnsafeHeaderRule::NameNotSafelisted),
                "{name}"
            );
        }
    }

    fn header_strategy() -> impl Strategy<Value = (String, String)> {
        (
            prop_oneof![
                Just("Accept".to_string()),
                Just("Content-Type".to_string()),
                Just("Accept-Language".to_string()),
                Just("Range".to_string()),
                "[A-Za-z-]{1,12}",
            ],
            "[ -~é]{0,200}",
        )
    }

    proptest! {
        #[test]
        fn unsafe_names_sorted_lowercase_dedup(headers in proptest::collection::vec(header_strategy(), 0..12)) {
            let list: HeaderList = headers.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
            let names = cors_unsafe_request_header_names(&list);
            let mut expected = names.clone();
            expected.sort();
            expected.dedup();
            prop_assert_eq!(&names, &expected);
            for name in &names {
                prop_assert_eq!(name, &name.to_ascii_lowercase());
            }
        }

        #[test]
        fn sort_by_is_the_standard_stable_sort(items in proptest::collection::vec((0u8..6, 0u8..255), 0..40)) {
            // Equal keys (the first byte) keep their order: the second byte tells them apart.
            let mut ours = items.clone();
            sort_by(&mut ours, |a, b| a.0 < b.0);
            let mut std_sorted = items;
            std_sorted.sort_by_key(|item| item.0);
            prop_assert_eq!(ours, std_sorted);
        }

        #[test]
        fn values_over_128_bytes_are_unsafe((name, _) in header_strategy(), value in "[ -~é]{129,300}") {
            prop_assert!(!is_cors_safelisted_request_header(&name, &value));
            let list = HeaderList::new().with(&name, &value);
            prop_assert!(cors_unsafe_request_header_names(&list).contains(&name.to_ascii_lowercase()));
        }

        #[test]
        fn simple_ranges_round_trip(start in 0u64..1_000_000, len in proptest::option::of(0u64..1_000_000)) {
            let value = match len {
                Some(len) => format!("bytes={start}-{}", start + len),
                None => format!("bytes={start}-"),
            };
            prop_assert!(is_simple_range(&value));
        }

        #[test]
        fn header_checks_never_panic(name in "\\PC{0,20}", value in "\\PC{0,200}") {
            let _ = unsafe_header_rule(&name, &value);
            let _ = forbidden_request_header(&name, &value);
            let _ = check_header_value(&value);
            let _ = mime_essence(&value);
        }
    }
}
