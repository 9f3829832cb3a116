//! The page's whole form state in the URL fragment, so a test can be bookmarked and shared.
//!
//! The fragment, never the query string, so header values and bodies are not sent to the host that
//! serves the page. The format is a contract other tools depend on:
//!
//! ```text
//! #url=<enc>&method=<m>&mode=<cors|no-cors|same-origin>&credentials=<omit|same-origin|include>
//!  &redirect=<follow|error|manual>&header=<enc Name:Value> (repeatable)&body=<enc>&timeout_ms=<n>&run=1
//! ```
//!
//! Values are percent-encoded as JavaScript's `encodeURIComponent` does (so `+` is a literal plus, not
//! a space), a header splits at its first `:`, and the leading `#` is optional. Beyond the contract,
//! the page keeps its other fields under keys other tools may ignore: `header_off=<enc Name:Value>` (a
//! disabled header row, kept so a bookmark loses nothing), `cache_bust=0`, `repeat=1`,
//! `app_origin=<enc>` and `stack=<enc>`.
//!
//! [`parse`] never fails: what it cannot read it ignores field by field and reports as a
//! [`FragmentNotice`], so a mangled link still opens a working page. Absurd sizes (over
//! [`MAX_FRAGMENT_BYTES`], or more than [`MAX_HEADER_ROWS`] header rows) are not processed at all.

use std::fmt;
use std::ops::RangeInclusive;

use crate::request::{Credentials, Mode, Redirect, RequestSpec};
use crate::text::{code, Joined};

/// The longest fragment [`parse`] reads (256 KiB). Bodies make links long, but a quarter of a megabyte
/// is far beyond any hand-made test; past it the fragment is refused, not processed (issue 7 point 3).
pub const MAX_FRAGMENT_BYTES: usize = 256 * 1024;

/// The most header rows (`header` plus `header_off`) [`parse`] accepts. Real requests carry a few;
/// Chromium itself refuses requests with hundreds of headers.
pub const MAX_HEADER_ROWS: usize = 200;

/// The timeout when the fragment gives none: `fetch()` has no timeout, the page's default is 10 s.
pub const DEFAULT_TIMEOUT_MS: u32 = 10_000;

/// Accepted timeouts: at least 100 ms (less cannot reach any server) and at most 2 minutes.
pub const TIMEOUT_RANGE_MS: RangeInclusive<u32> = 100..=120_000;

/// How many characters of an ignored value a notice quotes.
const QUOTE_CHARS: usize = 40;

/// One row of the header editor.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HeaderRow {
    /// Header name as typed.
    pub name: String,
    /// Header value as typed.
    pub value: String,
    /// Whether the row is sent; disabled rows are kept so the user can switch them back on.
    pub enabled: bool,
}

/// Everything the page's form holds.
///
/// [`Default`] is `fetch()`'s own defaults (GET, `cors`, `same-origin`, `follow`) plus the page's:
/// a 10 s timeout, cache-busting on, probes may not repeat the request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FormState {
    /// Target URL as typed.
    pub url: String,
    /// Method as typed.
    pub method: String,
    /// Fetch mode.
    pub mode: Mode,
    /// Credentials mode.
    pub credentials: Credentials,
    /// Redirect mode.
    pub redirect: Redirect,
    /// Header rows in order, enabled or not.
    pub headers: Vec<HeaderRow>,
    /// Request body, if any.
    pub body: Option<String>,
    /// Abort the request after this many milliseconds (within [`TIMEOUT_RANGE_MS`]).
    pub timeout_ms: u32,
    /// Run as soon as the page loads.
    pub run: bool,
    /// Give each probe a unique query parameter so a cached preflight cannot hide the server's answer.
    pub cache_bust: bool,
    /// The user allows probes to repeat a non-safe method or a body.
    pub may_repeat: bool,
    /// The user's app origin for the `curl` commands (the page's own origin when `None`).
    pub app_origin: Option<String>,
    /// The server stack whose fix snippets the user chose (an id such as `express`).
    pub stack: Option<String>,
}

impl Default for FormState {
    fn default() -> FormState {
        FormState {
            url: String::new(),
            method: "GET".to_string(),
            mode: Mode::default(),
            credentials: Credentials::default(),
            redirect: Redirect::default(),
            headers: Vec::new(),
            body: None,
            timeout_ms: DEFAULT_TIMEOUT_MS,
            run: false,
            cache_bust: true,
            may_repeat: false,
            app_origin: None,
            stack: None,
        }
    }
}

impl FormState {
    /// The request the form describes, sent from `page_origin`, with the enabled header rows only.
    pub fn to_spec(&self, page_origin: &str) -> RequestSpec {
        RequestSpec {
            origin: page_origin.to_string(),
            url: self.url.clone(),
            method: self.method.clone(),
            mode: self.mode,
            credentials: self.credentials,
            redirect: self.redirect,
            headers: self
                .headers
                .iter()
                .filter(|row| row.enabled)
                .map(|row| (row.name.clone(), row.value.clone()))
                .collect(),
            body: self.body.clone(),
        }
    }
}

/// Something in a fragment that [`parse`] ignored, and why. `Display` gives the sentence the page shows.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum FragmentNotice {
    /// The fragment is longer than [`MAX_FRAGMENT_BYTES`]: nothing was read.
    TooLong {
        /// Its length in bytes.
        bytes: usize,
    },
    /// More than [`MAX_HEADER_ROWS`] header rows: nothing was read.
    TooManyHeaders {
        /// How many rows it had.
        rows: usize,
    },
    /// A key this page does not know.
    UnknownKey {
        /// The key, shortened.
        key: String,
    },
    /// A `key` without `=value`.
    MissingValue {
        /// The key.
        key: String,
    },
    /// A `%` not followed by two hexadecimal digits.
    BadPercentEncoding {
        /// The key whose value (or the key itself) is malformed.
        key: String,
    },
    /// The decoded bytes are not UTF-8.
    InvalidUtf8 {
        /// The key whose value is malformed.
        key: String,
    },
    /// A value outside the key's allowed set (`mode=fast`, `run=yes`, `timeout_ms=soon`).
    BadValue {
        /// The key.
        key: String,
        /// The value, shortened.
        value: String,
        /// What is allowed, in plain English.
        expected: &'static str,
    },
    /// A `header`/`header_off` value without the `:` between name and value.
    HeaderWithoutColon {
        /// The value, shortened.
        value: String,
    },
    /// A key that takes one value appeared again; the last one is used.
    Repeated {
        /// The key.
        key: String,
    },
}

impl FragmentNotice {
    /// The fragment key the notice is about, so the page can show it next to that field; `None` for
    /// the notices about the whole fragment.
    pub fn key(&self) -> Option<&str> {
        match self {
            FragmentNotice::TooLong { .. } | FragmentNotice::TooManyHeaders { .. } => None,
            FragmentNotice::HeaderWithoutColon { .. } => Some("header"),
            FragmentNotice::UnknownKey { key }
            | FragmentNotice::MissingValue { key }
            | FragmentNotice::BadPercentEncoding { key }
            | FragmentNotice::InvalidUtf8 { key }
            | FragmentNotice::BadValue { key, .. }
            | FragmentNotice::Repeated { key } => Some(key),
        }
    }
}

impl fmt::Display for FragmentNotice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FragmentNotice::TooLong { bytes } => write!(
                f,
                "the link's fragment is {bytes} bytes, over the {MAX_FRAGMENT_BYTES}-byte limit: it was not read"
            ),
            FragmentNotice::TooManyHeaders { rows } => write!(
                f,
                "the link has {rows} header rows, over the limit of {MAX_HEADER_ROWS}: it was not read"
            ),
            FragmentNotice::UnknownKey { key } => write!(f, "{} is not a known field: ignored", code(key)),
            FragmentNotice::MissingValue { key } => write!(f, "{} has no `=value`: ignored", code(key)),
            FragmentNotice::BadPercentEncoding { key } => write!(
                f,
                "{} has a `%` not followed by two hex digits: ignored",
                code(key)
            ),
            FragmentNotice::InvalidUtf8 { key } => {
                write!(f, "{} does not decode to UTF-8 text: ignored", code(key))
            }
            FragmentNotice::BadValue {
                key,
                value,
                expected,
            } => write!(
                f,
                "{} is not valid ({expected}): ignored",
                code(&format!("{key}={value}"))
            ),
            FragmentNotice::HeaderWithoutColon { value } => write!(
                f,
                "header {} has no `:` between name and value: ignored",
                code(value)
            ),
            FragmentNotice::Repeated { key } => {
                write!(f, "{} appears more than once: the last one is used", code(key))
            }
        }
    }
}

/// Reads a fragment (with or without its leading `#`) into a form state and the notices for whatever
/// it ignored. Never fails: every field that cannot be read keeps its default.
pub fn parse(fragment: &str) -> (FormState, Vec<FragmentNotice>) {
    let fragment = fragment.strip_prefix('#').unwrap_or(fragment);
    if let Some(notice) = refuse_absurd(fragment) {
        return (FormState::default(), vec![notice]);
    }
    let mut reader = Reader::default();
    for part in fragment.split('&').filter(|part| !part.is_empty()) {
        reader.part(part);
    }
    (reader.state, reader.notices)
}

/// The notice for a fragment too large to read, if it is.
fn refuse_absurd(fragment: &str) -> Option<FragmentNotice> {
    if fragment.len() > MAX_FRAGMENT_BYTES {
        return Some(FragmentNotice::TooLong {
            bytes: fragment.len(),
        });
    }
    let rows = fragment
        .split('&')
        .filter(|part| {
            let key = part.split('=').next().unwrap_or("");
            matches!(decode_key(key).as_deref(), Some("header" | "header_off"))
        })
        .count();
    (rows > MAX_HEADER_ROWS).then_some(FragmentNotice::TooManyHeaders { rows })
}

fn decode_key(key: &str) -> Option<String> {
    decode(key).ok()
}

/// Accumulates the state field by field, with a notice for each thing ignored.
#[derive(Default)]
struct Reader {
    state: FormState,
    notices: Vec<FragmentNotice>,
    seen: Vec<&'static str>,
}

/// The single-valued keys, in the order [`serialize`] writes them.
const SINGLE_KEYS: &[&str] = &[
    "url",
    "method",
    "mode",
    "credentials",
    "redirect",
    "body",
    "timeout_ms",
    "run",
    "cache_bust",
    "repeat",
    "app_origin",
    "stack",
];

impl Reader {
    /// Reads one `key=value` part.
    fn part(&mut self, part: &str) {
        let (raw_key, raw_value) = match part.split_once('=') {
            Some(pair) => pair,
            None => {
                let key = quote(part);
                self.notices.push(FragmentNotice::MissingValue { key });
                return;
            }
        };
        let key = match decode(raw_key) {
            Ok(key) => key,
            Err(_) => {
                let key = quote(raw_key);
                self.notices
                    .push(FragmentNotice::BadPercentEncoding { key });
                return;
            }
        };
        let value = match decode(raw_value) {
            Ok(value) => value,
            Err(error) => return self.notices.push(error.notice(&key)),
        };
        self.field(&key, &value);
    }

    /// Applies one decoded field, or notes why it was ignored.
    fn field(&mut self, key: &str, value: &str) {
        if let Some(single) = SINGLE_KEYS.iter().find(|k| **k == key) {
            self.note_repeat(single);
        }
        if let Err(problem) = self.apply(key, value) {
            self.notices.push(problem.notice(key, value));
        }
    }

    fn apply(&mut self, key: &str, value: &str) -> Result<(), Problem> {
        let state = &mut self.state;
        match key {
            "url" => state.url = value.to_string(),
            "method" => state.method = value.to_string(),
            "mode" => state.mode = keyword(value, Mode::parse, "cors, no-cors or same-origin")?,
            "credentials" => {
                state.credentials =
                    keyword(value, Credentials::parse, "omit, same-origin or include")?;
            }
            "redirect" => {
                state.redirect = keyword(value, Redirect::parse, "follow, error or manual")?;
            }
            "header" => state.headers.push(header_row(value, true)?),
            "header_off" => state.headers.push(header_row(value, false)?),
            "body" => state.body = Some(value.to_string()),
            "timeout_ms" => state.timeout_ms = timeout(value)?,
            "run" => state.run = flag(value)?,
            "cache_bust" => state.cache_bust = flag(value)?,
            "repeat" => state.may_repeat = flag(value)?,
            "app_origin" => state.app_origin = Some(value.to_string()),
            "stack" => state.stack = Some(value.to_string()),
            _ => return Err(Problem::UnknownKey),
        }
        Ok(())
    }

    fn note_repeat(&mut self, key: &'static str) {
        if self.seen.contains(&key) {
            let key = key.to_string();
            self.notices.push(FragmentNotice::Repeated { key });
        } else {
            self.seen.push(key);
        }
    }
}

/// Why one decoded field was ignored; turned into a [`FragmentNotice`] with the key and value.
enum Problem {
    UnknownKey,
    BadValue(&'static str),
    NoColon,
}

impl Problem {
    fn notice(self, key: &str, value: &str) -> FragmentNotice {
        match self {
            Problem::UnknownKey => FragmentNotice::UnknownKey { key: quote(key) },
            Problem::BadValue(expected) => FragmentNotice::BadValue {
                key: key.to_string(),
                value: quote(value),
                expected,
            },
            Problem::NoColon => FragmentNotice::HeaderWithoutColon {
                value: quote(value),
            },
        }
    }
}

fn keyword<T>(
    value: &str,
    parse: fn(&str) -> Option<T>,
    expected: &'static str,
) -> Result<T, Problem> {
    parse(value).ok_or(Problem::BadValue(expected))
}

/// `Name:Value`, split at the first `:`, HTTP whitespace around each part removed (as Fetch
/// normalises header values).
fn header_row(value: &str, enabled: bool) -> Result<HeaderRow, Problem> {
    let (name, value) = value.split_once(':').ok_or(Problem::NoColon)?;
    Ok(HeaderRow {
        name: trim_http_whitespace(name).to_string(),
        value: trim_http_whitespace(value).to_string(),
        enabled,
    })
}

fn trim_http_whitespace(text: &str) -> &str {
    text.trim_matches([' ', '\t', '\r', '\n'])
}

/// Milliseconds as ASCII digits, within [`TIMEOUT_RANGE_MS`].
fn timeout(value: &str) -> Result<u32, Problem> {
    const EXPECTED: &str = "a whole number of milliseconds from 100 to 120000";
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Problem::BadValue(EXPECTED));
    }
    value
        .parse::<u32>()
        .ok()
        .filter(|ms| TIMEOUT_RANGE_MS.contains(ms))
        .ok_or(Problem::BadValue(EXPECTED))
}

fn flag(value: &str) -> Result<bool, Problem> {
    match value {
        "1" => Ok(true),
        "0" => Ok(false),
        _ => Err(Problem::BadValue("1 or 0")),
    }
}

/// Why a percent-encoded string could not be decoded.
enum DecodeError {
    BadEscape,
    NotUtf8,
}

impl DecodeError {
    fn notice(self, key: &str) -> FragmentNotice {
        let key = quote(key);
        match self {
            DecodeError::BadEscape => FragmentNotice::BadPercentEncoding { key },
            DecodeError::NotUtf8 => FragmentNotice::InvalidUtf8 { key },
        }
    }
}

/// `decodeURIComponent`: `%XX` to a byte, everything else (including `+`) as is; the bytes must be UTF-8.
fn decode(text: &str) -> Result<String, DecodeError> {
    let mut bytes = Vec::with_capacity(text.len());
    let mut rest = text.as_bytes();
    while let Some((&byte, tail)) = rest.split_first() {
        if byte != b'%' {
            bytes.push(byte);
            rest = tail;
            continue;
        }
        let (high, low, tail) = match tail {
            [high, low, tail @ ..] => (hex_value(*high), hex_value(*low), tail),
            _ => return Err(DecodeError::BadEscape),
        };
        let (Some(high), Some(low)) = (high, low) else {
            return Err(DecodeError::BadEscape);
        };
        bytes.push(high << 4 | low);
        rest = tail;
    }
    String::from_utf8(bytes).map_err(|_| DecodeError::NotUtf8)
}

fn hex_value(digit: u8) -> Option<u8> {
    char::from(digit)
        .to_digit(16)
        .and_then(|value| u8::try_from(value).ok())
}

/// Writes a form state as a fragment, without the leading `#`.
///
/// Keys come in the contract's order (`url`, `method`, `mode`, `credentials`, `redirect`, the header
/// rows, `body`, `timeout_ms`, `run`), then the page's own (`cache_bust`, `repeat`, `app_origin`,
/// `stack`). Disabled rows are written as `header_off` in their place among the rows, so the order
/// of the editor survives. To keep links short, every field at its default is left out, except `url`
/// and `method`, which are always written so a link says what it requests at a glance.
pub fn serialize(state: &FormState) -> String {
    let mut parts = vec![
        format!("url={}", encode(&state.url)),
        format!("method={}", encode(&state.method)),
    ];
    let defaults = FormState::default();
    let mut push_if = |differs: bool, key: &str, value: &str| {
        if differs {
            parts.push(format!("{key}={}", encode(value)));
        }
    };
    push_if(state.mode != defaults.mode, "mode", state.mode.as_str());
    push_if(
        state.credentials != defaults.credentials,
        "credentials",
        state.credentials.as_str(),
    );
    push_if(
        state.redirect != defaults.redirect,
        "redirect",
        state.redirect.as_str(),
    );
    for row in &state.headers {
        let key = if row.enabled { "header" } else { "header_off" };
        push_if(true, key, &format!("{}:{}", row.name, row.value));
    }
    if let Some(body) = &state.body {
        push_if(true, "body", body);
    }
    push_if(
        state.timeout_ms != defaults.timeout_ms,
        "timeout_ms",
        &state.timeout_ms.to_string(),
    );
    push_if(state.run, "run", "1");
    push_if(!state.cache_bust, "cache_bust", "0");
    push_if(state.may_repeat, "repeat", "1");
    if let Some(origin) = &state.app_origin {
        push_if(true, "app_origin", origin);
    }
    if let Some(stack) = &state.stack {
        push_if(true, "stack", stack);
    }
    parts.joined("&")
}

/// `encodeURIComponent`: ASCII letters, digits and `-_.!~*'()` kept, every other UTF-8 byte as `%XX`
/// with uppercase hex.
pub fn encode(text: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-_.!~*'()".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push('%');
            for nibble in [byte >> 4, byte & 0x0f] {
                let digit = HEX.get(usize::from(nibble)).copied().unwrap_or(b'0');
                out.push(char::from(digit));
            }
        }
    }
    out
}

/// Header-name fragments that mark a value as secret (compared lowercase).
const SECRET_NAME_PARTS: &[&str] = &[
    "authorization",
    "cookie",
    "token",
    "key",
    "secret",
    "auth",
    "session",
    "password",
];

/// The names of header rows (enabled or not, as both go into the link) whose value looks secret, so
/// the page can warn before the user copies a link that would leak it.
///
/// A row counts when its name contains one of `authorization`, `cookie` (so `Proxy-Authorization` and
/// `Set-Cookie` too), `token`, `key`, `secret`, `auth`, `session` or `password`, or when its value
/// starts with an HTTP authentication scheme (`Bearer `, `Basic `). Rows with an empty value hold no
/// secret and are not listed.
pub fn sensitive_headers(state: &FormState) -> Vec<String> {
    state
        .headers
        .iter()
        .filter(|row| !row.value.trim().is_empty() && looks_secret(row))
        .map(|row| row.name.clone())
        .collect()
}

fn looks_secret(row: &HeaderRow) -> bool {
    let name = row.name.to_ascii_lowercase();
    let value = row.value.trim_start().to_ascii_lowercase();
    SECRET_NAME_PARTS
        .iter()
        .any(|part| crate::text::contains(&name, part))
        || value.starts_with("bearer ")
        || value.starts_with("basic ")
}

/// Shortens a value for a notice, on a character boundary.
fn quote(text: &str) -> String {
    crate::text::shorten(text, QUOTE_CHARS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// `encodeURIComponent` outputs, taken from Node.js (ECMA-262 §19.2.6.5: the unreserved set is
    /// `A-Z a-z 0-9 - _ . ! ~ * ' ( )`, everything else is UTF-8 percent-encoded with uppercase hex).
    const ENCODE_URI_COMPONENT: &[(&str, &str)] = &[
        (" ", "%20"),
        ("+", "%2B"),
        ("&", "%26"),
        ("=", "%3D"),
        ("#", "%23"),
        ("%", "%25"),
        ("é", "%C3%A9"),
        ("😀", "%F0%9F%98%80"),
        ("'", "'"),
        ("(", "("),
        (")", ")"),
        ("*", "*"),
        ("-_.!~", "-_.!~"),
        ("/?:@", "%2F%3F%3A%40"),
        ("a b+c", "a%20b%2Bc"),
        ("\u{0}", "%00"),
        ("\u{7f}", "%7F"),
        ("[]{}", "%5B%5D%7B%7D"),
        ("|\\^`\"<>", "%7C%5C%5E%60%22%3C%3E"),
        (";,$", "%3B%2C%24"),
    ];

    #[test]
    fn encode_matches_encode_uri_component() {
        for (raw, encoded) in ENCODE_URI_COMPONENT {
            assert_eq!(encode(raw), *encoded, "encode({raw:?})");
            assert_eq!(
                decode(encoded).ok().as_deref(),
                Some(*raw),
                "decode({encoded:?})"
            );
        }
    }

    #[test]
    fn contract_example_parses() {
        let (state, notices) = parse(
            "#url=https%3A%2F%2Fapi.example%2Fv1%3Fq%3Da%2Bb&method=PUT&mode=no-cors\
             &credentials=include&redirect=manual&header=X-Api-Key%3A%20k%3Av%2B1\
             &header=Content-Type%3Aapplication%2Fjson&body=%7B%22a%22%3A1%7D&timeout_ms=2500&run=1",
        );
        assert_eq!(notices, vec![]);
        let expected = FormState {
            url: "https://api.example/v1?q=a+b".into(),
            method: "PUT".into(),
            mode: Mode::NoCors,
            credentials: Credentials::Include,
            redirect: Redirect::Manual,
            headers: vec![
                // The header splits at its FIRST colon: the value keeps `k:v+1` (and `+` is a plus).
                HeaderRow {
                    name: "X-Api-Key".into(),
                    value: "k:v+1".into(),
                    enabled: true,
                },
                HeaderRow {
                    name: "Content-Type".into(),
                    value: "application/json".into(),
                    enabled: true,
                },
            ],
            body: Some("{\"a\":1}".into()),
            timeout_ms: 2500,
            run: true,
            ..FormState::default()
        };
        assert_eq!(state, expected);
    }

    #[test]
    fn defaults_are_fetch_defaults_and_links_stay_short() {
        let state = FormState::default();
        assert_eq!(state.method, "GET");
        assert_eq!(state.mode, Mode::Cors);
        assert_eq!(state.credentials, Credentials::SameOrigin);
        assert_eq!(state.redirect, Redirect::Follow);
        assert_eq!(state.timeout_ms, 10_000);
        assert!(state.cache_bust && !state.may_repeat && !state.run);
        assert_eq!(serialize(&state), "url=&method=GET");
        assert_eq!(parse(""), (FormState::default(), vec![]));
        assert_eq!(parse("#"), (FormState::default(), vec![]));
    }

    #[test]
    fn serialize_writes_contract_order_then_extras() {
        let state = FormState {
            url: "https://a.example/?x=1&y=2".into(),
            method: "POST".into(),
            mode: Mode::SameOrigin,
            credentials: Credentials::Omit,
            redirect: Redirect::Error,
            headers: vec![
                HeaderRow {
                    name: "A".into(),
                    value: "1".into(),
                    enabled: true,
                },
                HeaderRow {
                    name: "Authorization".into(),
                    value: "Bearer x".into(),
                    enabled: false,
                },
                HeaderRow {
                    name: "B".into(),
                    value: "a b".into(),
                    enabled: true,
                },
            ],
            body: Some("q=1+2".into()),
            timeout_ms: 500,
            run: true,
            cache_bust: false,
            may_repeat: true,
            app_origin: Some("https://myapp.example".into()),
            stack: Some("express".into()),
        };
        assert_eq!(
            serialize(&state),
            "url=https%3A%2F%2Fa.example%2F%3Fx%3D1%26y%3D2&method=POST&mode=same-origin\
             &credentials=omit&redirect=error&header=A%3A1&header_off=Authorization%3ABearer%20x\
             &header=B%3Aa%20b&body=q%3D1%2B2&timeout_ms=500&run=1&cache_bust=0&repeat=1\
             &app_origin=https%3A%2F%2Fmyapp.example&stack=express"
        );
    }

    /// Each row: a fragment with one bad field, the notice it must give, and a check that the rest of
    /// the fragment was still read (`url=ok` comes first in every row).
    #[test]
    fn garbage_is_ignored_field_by_field() {
        let bad_value = |key: &str, value: &str, expected: &'static str| FragmentNotice::BadValue {
            key: key.into(),
            value: value.into(),
            expected,
        };
        let cases: Vec<(&str, FragmentNotice)> = vec![
            (
                "colour=red",
                FragmentNotice::UnknownKey {
                    key: "colour".into(),
                },
            ),
            ("run", FragmentNotice::MissingValue { key: "run".into() }),
            (
                "body=%E",
                FragmentNotice::BadPercentEncoding { key: "body".into() },
            ),
            (
                "body=%zz",
                FragmentNotice::BadPercentEncoding { key: "body".into() },
            ),
            (
                "b%g=1",
                FragmentNotice::BadPercentEncoding { key: "b%g".into() },
            ),
            (
                "body=%FF%FE",
                FragmentNotice::InvalidUtf8 { key: "body".into() },
            ),
            (
                "mode=navigate",
                bad_value("mode", "navigate", "cors, no-cors or same-origin"),
            ),
            (
                "mode=CORS",
                bad_value("mode", "CORS", "cors, no-cors or same-origin"),
            ),
            (
                "credentials=yes",
                bad_value("credentials", "yes", "omit, same-origin or include"),
            ),
            (
                "redirect=",
                bad_value("redirect", "", "follow, error or manual"),
            ),
            (
                "timeout_ms=soon",
                bad_value(
                    "timeout_ms",
                    "soon",
                    "a whole number of milliseconds from 100 to 120000",
                ),
            ),
            (
                "timeout_ms=99",
                bad_value(
                    "timeout_ms",
                    "99",
                    "a whole number of milliseconds from 100 to 120000",
                ),
            ),
            (
                "timeout_ms=120001",
                bad_value(
                    "timeout_ms",
                    "120001",
                    "a whole number of milliseconds from 100 to 120000",
                ),
            ),
            (
                "timeout_ms=-5",
                bad_value(
                    "timeout_ms",
                    "-5",
                    "a whole number of milliseconds from 100 to 120000",
                ),
            ),
            (
                "timeout_ms=99999999999",
                bad_value(
                    "timeout_ms",
                    "99999999999",
                    "a whole number of milliseconds from 100 to 120000",
                ),
            ),
            ("run=yes", bad_value("run", "yes", "1 or 0")),
            (
                "header=NoColonHere",
                FragmentNotice::HeaderWithoutColon {
                    value: "NoColonHere".into(),
                },
            ),
            ("url=again", FragmentNotice::Repeated { key: "url".into() }),
        ];
        for (garbage, notice) in cases {
            let fragment = format!("url=ok&{garbage}&method=PATCH");
            let (state, notices) = parse(&fragment);
            assert_eq!(notices, vec![notice.clone()], "{fragment}");
            assert_eq!(state.method, "PATCH", "{fragment}: later fields still read");
            let url = if garbage == "url=again" {
                "again"
            } else {
                "ok"
            };
            assert_eq!(state.url, url, "{fragment}");
            assert!(
                notice.to_string().ends_with("ignored") || garbage == "url=again",
                "{notice}"
            );
            let key = garbage.split('=').next();
            assert_eq!(notice.key(), key, "{fragment}");
        }
    }

    #[test]
    fn bad_fields_keep_their_defaults_and_boundaries_are_accepted() {
        let (state, _) = parse("mode=bogus&timeout_ms=0&run=2");
        assert_eq!(
            (state.mode, state.timeout_ms, state.run),
            (Mode::Cors, 10_000, false)
        );
        for ms in [100u32, 120_000] {
            let (state, notices) = parse(&format!("timeout_ms={ms}"));
            assert_eq!((state.timeout_ms, notices), (ms, vec![]));
        }
        // Whitespace around a header's name and value is not part of them (Fetch normalises values).
        let (state, _) = parse("header=%20X-A%20%3A%20v%20");
        assert_eq!(
            state.headers,
            vec![HeaderRow {
                name: "X-A".into(),
                value: "v".into(),
                enabled: true
            }]
        );
    }

    #[test]
    fn absurd_sizes_are_refused_whole_with_one_notice() {
        let long = format!("url={}", "a".repeat(MAX_FRAGMENT_BYTES));
        assert_eq!(
            parse(&long),
            (
                FormState::default(),
                vec![FragmentNotice::TooLong {
                    bytes: MAX_FRAGMENT_BYTES + 4
                }]
            )
        );
        let rows = |n: usize| format!("method=PUT{}", "&header=a%3Ab&header_off=c:d".repeat(n / 2));
        let (state, notices) = parse(&rows(MAX_HEADER_ROWS));
        assert_eq!((state.headers.len(), notices), (MAX_HEADER_ROWS, vec![]));
        let (state, notices) = parse(&rows(MAX_HEADER_ROWS + 2));
        assert_eq!(state, FormState::default());
        assert_eq!(
            notices,
            vec![FragmentNotice::TooManyHeaders {
                rows: MAX_HEADER_ROWS + 2
            }]
        );
        // Issue 7 point 3: a 2 MB fragment and 10,000 headers are refused, not processed.
        assert!(matches!(
            parse(&"x".repeat(2_000_000)).1.as_slice(),
            [FragmentNotice::TooLong { .. }]
        ));
        assert!(matches!(
            parse(&"header=a:b&".repeat(10_000)).1.as_slice(),
            [FragmentNotice::TooManyHeaders { rows: 10_000 }]
        ));
    }

    #[test]
    fn to_spec_sends_enabled_rows_from_the_page_origin() {
        let state = FormState {
            url: "https://api.example/".into(),
            method: "DELETE".into(),
            headers: vec![
                HeaderRow {
                    name: "X-On".into(),
                    value: "1".into(),
                    enabled: true,
                },
                HeaderRow {
                    name: "X-Off".into(),
                    value: "2".into(),
                    enabled: false,
                },
            ],
            body: Some("b".into()),
            app_origin: Some("https://myapp.example".into()),
            ..FormState::default()
        };
        let spec = state.to_spec("https://corscope.example");
        assert_eq!(spec.origin, "https://corscope.example");
        assert_eq!(spec.headers, vec![("X-On".to_string(), "1".to_string())]);
        assert_eq!(
            (spec.url.as_str(), spec.method.as_str()),
            ("https://api.example/", "DELETE")
        );
        assert_eq!(spec.body.as_deref(), Some("b"));
    }

    /// Each row: a header row and whether the page must warn before the link is copied.
    #[test]
    fn sensitive_headers_are_named() {
        let cases: &[(&str, &str, bool)] = &[
            ("Authorization", "Bearer abc", true),
            ("Proxy-Authorization", "Basic Zm9v", true),
            ("Cookie", "sid=1", true),
            ("X-Api-Key", "k", true),
            ("X-Auth-Token", "t", true),
            ("X-Client-Secret", "s", true),
            ("X-Session-Id", "s", true),
            ("X-Password", "p", true),
            ("X-Anything", "Bearer abc", true),
            ("Authorization", "", false),
            ("Content-Type", "application/json", false),
            ("Accept", "*/*", false),
            ("X-Request-Id", "42", false),
        ];
        for (name, value, secret) in cases {
            let state = FormState {
                headers: vec![HeaderRow {
                    name: (*name).into(),
                    value: (*value).into(),
                    enabled: false,
                }],
                ..FormState::default()
            };
            let expected = if *secret {
                vec![name.to_string()]
            } else {
                vec![]
            };
            assert_eq!(sensitive_headers(&state), expected, "{name}: {value}");
        }
    }

    fn text() -> impl Strategy<Value = String> {
        "\\PC{0,12}|[&=#%+ :éА😀'()*]{0,8}"
    }

    /// Header names and values as the form can hold them after a reload: a name has no `:` (the row
    /// splits at the first one) and neither has surrounding HTTP whitespace.
    fn header_row_strategy() -> impl Strategy<Value = HeaderRow> {
        ("[^:]{0,10}", text(), any::<bool>()).prop_map(|(name, value, enabled)| HeaderRow {
            name: trim_http_whitespace(&name).to_string(),
            value: trim_http_whitespace(&value).to_string(),
            enabled,
        })
    }

    fn form_state() -> impl Strategy<Value = FormState> {
        (
            (text(), text(), 0..3usize, 0..3usize, 0..3usize),
            prop::collection::vec(header_row_strategy(), 0..5),
            prop::option::of(text()),
            (
                TIMEOUT_RANGE_MS,
                any::<bool>(),
                any::<bool>(),
                any::<bool>(),
            ),
            (prop::option::of(text()), prop::option::of(text())),
        )
            .prop_map(
                |(
                    (url, method, m, c, r),
                    headers,
                    body,
                    (timeout_ms, run, cache_bust, may_repeat),
                    (app_origin, stack),
                )| {
                    FormState {
                        url,
                        method,
                        mode: Mode::ALL.get(m).copied().unwrap_or_default(),
                        credentials: Credentials::ALL.get(c).copied().unwrap_or_default(),
                        redirect: Redirect::ALL.get(r).copied().unwrap_or_default(),
                        headers,
                        body,
                        timeout_ms,
                        run,
                        cache_bust,
                        may_repeat,
                        app_origin,
                        stack,
                    }
                },
            )
    }

    proptest! {
        #[test]
        fn serialize_then_parse_round_trips(state in form_state()) {
            let fragment = serialize(&state);
            prop_assert_eq!(parse(&format!("#{fragment}")), (state, vec![]));
        }

        /// Issue 7 point 3: any fragment gives a state and notices, never a panic.
        #[test]
        fn parse_never_panics(fragment in "\\PC*") {
            let _ = parse(&fragment);
        }

        /// Fragments built from the grammar's own pieces reach every field's reader.
        #[test]
        fn parse_never_panics_on_near_misses(
            parts in prop::collection::vec(
                (
                    prop_oneof![
                        Just("url"), Just("method"), Just("mode"), Just("credentials"), Just("redirect"),
                        Just("header"), Just("header_off"), Just("body"), Just("timeout_ms"), Just("run"),
                        Just("cache_bust"), Just("repeat"), Just("app_origin"), Just("stack"), Just("x%"),
                    ],
                    "[%0-9A-Fa-f:=+a-z-]{0,8}",
                ),
                0..12,
            )
        ) {
            let fragment: Vec<String> = parts.iter().map(|(k, v)| format!("{k}={v}")).collect();
            let _ = parse(&fragment.join("&"));
        }

        /// Every encoded string uses only unreserved characters and `%XX`, and decodes back.
        #[test]
        fn encode_is_decodable(raw in "\\PC*") {
            let encoded = encode(&raw);
            prop_assert!(encoded.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.!~*'()%".contains(&b)));
            prop_assert_eq!(decode(&encoded).ok(), Some(raw));
        }
    }
}
