//! Read back what a user pastes: `curl -i` or `curl -v` output, or headers copied from DevTools, turned
//! into [`Response`] values the CORS check can decide on.
//!
//! The page cannot see a blocked response's headers, so it hands the user two `curl` commands
//! ([`crate::curl`]) and reads their output here. People paste whatever they have, so the parser accepts
//! every shape those tools print and says, with a line number, what it could not read:
//!
//! - `curl -i`: one or several responses (`HTTP/1.1 100 Continue` before the final one, `-L` redirect
//!   chains), status lines of any version (`HTTP/1.0`, `HTTP/1.1 200 OK`, `HTTP/2 200` without a reason
//!   phrase, `HTTP/3`), bodies after the blank line ignored;
//! - `curl -v`: only the `< ` lines are the response; `> ` (request), `* ` (info), `{ [5 bytes data]`
//!   and the unprefixed body are ignored;
//! - DevTools' raw view (a status line and header lines), its parsed view (`name: value` lines without a
//!   status line, or the name and the value on alternate lines), with or without the *General* section
//!   (whose `Status Code: 200 OK` line gives the status);
//! - CRLF, LF, CR or mixed line endings; obsolete line folding (a line starting with a space or tab
//!   continues the previous value); duplicated header lines kept in order.
//!
//! # When the status is unknown
//!
//! A paste of header lines alone (DevTools' parsed view without its *General* section) says nothing
//! about the status, and the status decides a preflight (`PreflightInvalidStatus`) and the "error
//! responses lose their CORS headers" warning. Guessing `200` would turn a failing preflight into a
//! passing one, so [`parse`] returns [`Paste::HeadersOnly`] and the convenience functions
//! ([`parse_responses`], [`parse_exchange`]) refuse it with [`PasteErrorKind::NoStatusLine`], whose
//! message tells the user the one line to add. A caller that asks the user for the status instead can
//! call [`Paste::with_status`].

use std::fmt;

use crate::header::is_token;
use crate::response::{Exchange, HeaderList, Response};
use crate::text::code;

/// The largest paste accepted, in bytes (1 MiB): far more than any header block, small enough that a
/// pasted log file cannot stall the page.
pub const MAX_PASTE_BYTES: usize = 1024 * 1024;

/// The most header lines accepted over all responses of one paste. Real responses have tens; a
/// thousand is already a hostile server (issue 7 tests exactly that many).
pub const MAX_HEADER_LINES: usize = 1000;

/// How many characters of an offending line an error message quotes.
const QUOTE_CHARS: usize = 60;

/// What a paste held.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Paste {
    /// One or more responses with status lines, in the order they arrived (1xx and redirects included).
    Responses(Vec<Response>),
    /// Header lines without any status line: the status is unknown (see the module docs).
    HeadersOnly(HeaderList),
}

impl Paste {
    /// Whether every response's status is known.
    pub fn status_known(&self) -> bool {
        matches!(self, Paste::Responses(_))
    }

    /// The responses, or [`PasteErrorKind::NoStatusLine`] when the status is unknown.
    pub fn into_responses(self) -> Result<Vec<Response>, PasteError> {
        match self {
            Paste::Responses(responses) => Ok(responses),
            Paste::HeadersOnly(_) => Err(PasteError::new(Some(1), PasteErrorKind::NoStatusLine)),
        }
    }

    /// The responses, giving a headers-only paste the status the user says it had.
    pub fn with_status(self, status: u16) -> Vec<Response> {
        match self {
            Paste::Responses(responses) => responses,
            Paste::HeadersOnly(headers) => vec![Response {
                status,
                status_text: String::new(),
                headers,
            }],
        }
    }
}

/// Why a paste could not be read. The message says what was wrong and where, in plain English.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PasteError {
    line: Option<usize>,
    kind: PasteErrorKind,
}

/// What was wrong with a paste.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum PasteErrorKind {
    /// The paste is empty or only whitespace.
    NothingPasted,
    /// The paste is larger than [`MAX_PASTE_BYTES`].
    TooLarge {
        /// The paste's size in bytes.
        bytes: usize,
    },
    /// The responses have more than [`MAX_HEADER_LINES`] header lines.
    TooManyHeaderLines,
    /// A line starts like a status line (`HTTP/`) but is not one.
    BadStatusLine {
        /// The line, shortened.
        found: String,
    },
    /// A line inside a header block is not `Name: value`.
    ExpectedHeader {
        /// The line, shortened.
        found: String,
    },
    /// The text before a line's `:` is not a valid header name (an HTTP token).
    InvalidHeaderName {
        /// The name, shortened.
        name: String,
    },
    /// A line starts with a space or tab (a folded continuation) but no header precedes it.
    FoldWithoutHeader,
    /// Header lines without a status line: the status is unknown (see the module docs).
    NoStatusLine,
    /// Only informational (1xx) responses: the final response is missing.
    OnlyInformational,
}

impl PasteError {
    fn new(line: Option<usize>, kind: PasteErrorKind) -> PasteError {
        PasteError { line, kind }
    }

    /// The 1-based line the problem is on, when it is on one line.
    pub fn line(&self) -> Option<usize> {
        self.line
    }

    /// What was wrong.
    pub fn kind(&self) -> &PasteErrorKind {
        &self.kind
    }
}

impl fmt::Display for PasteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(line) = self.line {
            write!(f, "line {line}: ")?;
        }
        fmt::Display::fmt(&self.kind, f)
    }
}

impl fmt::Display for PasteErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PasteErrorKind::NothingPasted => f.write_str("nothing was pasted"),
            PasteErrorKind::TooLarge { bytes } => write!(
                f,
                "the paste is {bytes} bytes; at most {MAX_PASTE_BYTES} are read (paste only the headers)"
            ),
            PasteErrorKind::TooManyHeaderLines => write!(
                f,
                "more than {MAX_HEADER_LINES} header lines; paste only the responses that matter"
            ),
            PasteErrorKind::BadStatusLine { found } => write!(
                f,
                "expected a status line such as `HTTP/1.1 200 OK`, found {}",
                code(found)
            ),
            PasteErrorKind::ExpectedHeader { found } => {
                write!(f, "expected `Name: value`, found {}", code(found))
            }
            PasteErrorKind::InvalidHeaderName { name } => write!(
                f,
                "{} is not a valid header name (letters, digits and !#$%&'*+-.^_`|~ only)",
                code(name)
            ),
            PasteErrorKind::FoldWithoutHeader => f.write_str(
                "the line starts with a space, which continues a header, but no header precedes it",
            ),
            PasteErrorKind::NoStatusLine => f.write_str(
                "no status line, so the status is unknown: add the status as a first line \
                 (e.g. `HTTP/1.1 200 OK`) or copy DevTools' Raw response headers",
            ),
            PasteErrorKind::OnlyInformational => f.write_str(
                "only informational (1xx) responses: paste the final response too",
            ),
        }
    }
}

impl std::error::Error for PasteError {}

/// Parses a paste into responses, keeping what it is: responses with a status, or header lines alone.
pub fn parse(text: &str) -> Result<Paste, PasteError> {
    if text.len() > MAX_PASTE_BYTES {
        let kind = PasteErrorKind::TooLarge { bytes: text.len() };
        return Err(PasteError::new(None, kind));
    }
    let lines = response_lines(text);
    if lines.iter().all(|line| line.text.trim().is_empty()) {
        return Err(PasteError::new(None, PasteErrorKind::NothingPasted));
    }
    if lines
        .iter()
        .any(|line| parse_status_line(line.text).is_some())
    {
        parse_with_status_lines(&lines).map(Paste::Responses)
    } else {
        parse_headers_only(&lines)
    }
}

/// Parses a paste into every response it holds, in order (1xx and redirects included).
///
/// A `HTTP/1.1 200 Connection established` line from a proxy tunnel, followed by the real response, is
/// dropped: it is curl talking to the proxy, not the server's answer.
pub fn parse_responses(text: &str) -> Result<Vec<Response>, PasteError> {
    parse(text)?.into_responses()
}

/// Parses the two pastes of the `curl` round trip into an [`Exchange`].
///
/// The preflight is the first final (non-1xx) response of its paste: a browser never follows a
/// preflight's redirect, so a redirect there is the answer it judges (`PreflightDisallowedRedirect`).
/// The actual responses are every final response of the second paste, redirects first. A blank
/// preflight paste means no preflight; a blank actual paste means the actual request was never
/// answered (e.g. the preflight failed), which [`Exchange::actual`] represents as empty.
pub fn parse_exchange(preflight: Option<&str>, actual: &str) -> Result<Exchange, PasteError> {
    let preflight = preflight.filter(|text| !text.trim().is_empty());
    if preflight.is_none() && actual.trim().is_empty() {
        return Err(PasteError::new(None, PasteErrorKind::NothingPasted));
    }
    let preflight = match preflight {
        Some(text) => final_responses(text)?.into_iter().next(),
        None => None,
    };
    let actual = if actual.trim().is_empty() {
        Vec::new()
    } else {
        final_responses(actual)?
    };
    Ok(Exchange { preflight, actual })
}

/// The non-1xx responses of a paste; an error when there are none.
fn final_responses(text: &str) -> Result<Vec<Response>, PasteError> {
    let finals: Vec<Response> = parse_responses(text)?
        .into_iter()
        .filter(|response| !is_informational(response))
        .collect();
    if finals.is_empty() {
        return Err(PasteError::new(None, PasteErrorKind::OnlyInformational));
    }
    Ok(finals)
}

fn is_informational(response: &Response) -> bool {
    (100..=199).contains(&response.status)
}

/// One line of the paste with its 1-based number in the original text.
#[derive(Clone, Copy, Debug)]
struct Line<'a> {
    number: usize,
    text: &'a str,
}

/// Splits at CRLF, LF or a lone CR, numbering lines from 1.
fn split_lines(text: &str) -> Vec<Line<'_>> {
    let mut lines = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        let end = rest.find(['\r', '\n']).unwrap_or(rest.len());
        let (line, tail) = rest.split_at_checked(end).unwrap_or((rest, ""));
        lines.push(Line {
            number: lines.len() + 1,
            text: line,
        });
        rest = tail
            .strip_prefix("\r\n")
            .or_else(|| tail.strip_prefix('\r'))
            .or_else(|| tail.strip_prefix('\n'))
            .unwrap_or(tail);
    }
    lines
}

/// The lines that belong to responses: in `curl -v` output only the `<` lines (prefix removed),
/// otherwise every line.
fn response_lines(text: &str) -> Vec<Line<'_>> {
    let lines = split_lines(text);
    let verbose = lines
        .iter()
        .any(|line| verbose_response_line(line.text).is_some_and(|t| t.starts_with("HTTP/")));
    if !verbose {
        return lines;
    }
    lines
        .into_iter()
        .filter_map(|line| {
            let text = verbose_response_line(line.text)?;
            Some(Line { text, ..line })
        })
        .collect()
}

/// The text of a `curl -v` response line (`< name: value`), without the marker.
fn verbose_response_line(text: &str) -> Option<&str> {
    let rest = text.strip_prefix('<')?;
    Some(rest.strip_prefix(' ').unwrap_or(rest))
}

/// A status line's code and reason phrase: `HTTP/<version> <3 digits>[ <reason>]`.
fn parse_status_line(text: &str) -> Option<(u16, String)> {
    let rest = text.trim_end().strip_prefix("HTTP/")?;
    let (version, rest) = rest.split_once(' ')?;
    if !is_http_version(version) {
        return None;
    }
    let rest = rest.trim_start_matches(' ');
    let (code, reason) = rest.split_at_checked(3)?;
    if !(reason.is_empty() || reason.starts_with(' ')) {
        return None;
    }
    Some((parse_status_code(code)?, reason.trim().to_string()))
}

/// `1`, `1.1`, `2`, `2.0`, `3`: a digit, optionally a dot and a digit.
fn is_http_version(version: &str) -> bool {
    let mut parts = version.split('.');
    let major_ok = parts.next().is_some_and(is_one_digit);
    let minor_ok = parts.next().is_none_or(is_one_digit);
    major_ok && minor_ok && parts.next().is_none()
}

fn is_one_digit(text: &str) -> bool {
    text.len() == 1 && text.bytes().all(|b| b.is_ascii_digit())
}

/// Three digits, 100 to 999 (RFC 9110 §15: the first digit is the class).
fn parse_status_code(code: &str) -> Option<u16> {
    if code.len() != 3 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    code.parse().ok().filter(|code| *code >= 100)
}

/// Where the parser is within the current response.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Section {
    /// Before the first status line: commands and prompts the user copied along are skipped.
    Preamble,
    /// Header lines, until a blank line.
    Headers,
    /// The body, ignored until the next status line.
    Body,
}

/// A response being read: header lines stay editable until the end so a folded line can extend the
/// previous value (`HeaderList` is append-only by design).
struct Pending {
    status: u16,
    status_text: String,
    lines: Vec<(String, String)>,
}

impl Pending {
    fn finish(self) -> Response {
        Response {
            status: self.status,
            status_text: self.status_text,
            headers: self.lines.into_iter().collect(),
        }
    }
}

/// Accumulates responses while counting header lines against [`MAX_HEADER_LINES`].
#[derive(Default)]
struct Collector {
    responses: Vec<Pending>,
    header_lines: usize,
}

impl Collector {
    /// Counts one header line, refusing the paste past the limit.
    fn count_header_line(&mut self, line: Line<'_>) -> Result<(), PasteError> {
        self.header_lines += 1;
        if self.header_lines > MAX_HEADER_LINES {
            let kind = PasteErrorKind::TooManyHeaderLines;
            return Err(PasteError::new(Some(line.number), kind));
        }
        Ok(())
    }

    /// Adds a header line to the current response.
    fn header(&mut self, line: Line<'_>) -> Result<(), PasteError> {
        self.count_header_line(line)?;
        let header = parse_header_line(line)?;
        if let (Some(response), HeaderLine::Header(name, value)) =
            (self.responses.last_mut(), header)
        {
            response.lines.push((name, value));
        }
        Ok(())
    }

    /// Joins a continuation line to the previous value with one space (RFC 9112 §5.2: obs-fold is SP).
    fn fold(&mut self, line: Line<'_>) -> Result<(), PasteError> {
        self.count_header_line(line)?;
        let last = self.responses.last_mut().and_then(|r| r.lines.last_mut());
        let Some((_, value)) = last else {
            let kind = PasteErrorKind::FoldWithoutHeader;
            return Err(PasteError::new(Some(line.number), kind));
        };
        append_folded(value, line.text);
        Ok(())
    }
}

/// Appends a continuation line in place (a copy per fold would be quadratic in a hostile paste).
fn append_folded(value: &mut String, continuation: &str) {
    let kept = value.trim_end().len();
    value.truncate(kept);
    value.push(' ');
    value.push_str(continuation.trim());
}

/// Parses a paste that has status lines: each starts a response.
fn parse_with_status_lines(lines: &[Line<'_>]) -> Result<Vec<Response>, PasteError> {
    let mut collector = Collector::default();
    let mut section = Section::Preamble;
    for &line in lines {
        if let Some((status, status_text)) = parse_status_line(line.text) {
            collector.responses.push(Pending {
                status,
                status_text,
                lines: Vec::new(),
            });
            section = Section::Headers;
            continue;
        }
        if section != Section::Headers {
            continue;
        }
        if line.text.trim().is_empty() {
            section = Section::Body;
        } else if line.text.starts_with("HTTP/") {
            let kind = PasteErrorKind::BadStatusLine {
                found: quote(line.text),
            };
            return Err(PasteError::new(Some(line.number), kind));
        } else if starts_with_blank(line.text) {
            collector.fold(line)?;
        } else {
            collector.header(line)?;
        }
    }
    let responses = collector.responses.into_iter().map(Pending::finish);
    Ok(drop_proxy_tunnel(responses.collect()))
}

/// Removes curl's `200 Connection established` answers from a proxy when a real response follows.
fn drop_proxy_tunnel(responses: Vec<Response>) -> Vec<Response> {
    let count = responses.len();
    responses
        .into_iter()
        .enumerate()
        .filter(|(index, response)| {
            let tunnel = response.status == 200
                && response
                    .status_text
                    .eq_ignore_ascii_case("connection established");
            !(tunnel && index + 1 < count)
        })
        .map(|(_, response)| response)
        .collect()
}

fn starts_with_blank(text: &str) -> bool {
    text.starts_with([' ', '\t'])
}

/// A header line: a real header, or an HTTP/2 pseudo-header (`:status: 200`) that is not one.
enum HeaderLine {
    Header(String, String),
    Pseudo,
}

/// Parses `Name: value` (whitespace before the colon tolerated, the name must be a token).
fn parse_header_line(line: Line<'_>) -> Result<HeaderLine, PasteError> {
    if line.text.starts_with(':') {
        return Ok(HeaderLine::Pseudo);
    }
    let Some((name, value)) = line.text.split_once(':') else {
        let kind = PasteErrorKind::ExpectedHeader {
            found: quote(line.text),
        };
        return Err(PasteError::new(Some(line.number), kind));
    };
    let name = name.trim_end_matches([' ', '\t']);
    if !is_token(name) {
        let kind = PasteErrorKind::InvalidHeaderName { name: quote(name) };
        return Err(PasteError::new(Some(line.number), kind));
    }
    Ok(HeaderLine::Header(name.to_string(), value.to_string()))
}

/// Shortens a line for an error message, on a character boundary.
fn quote(text: &str) -> String {
    crate::text::shorten(text, QUOTE_CHARS)
}

/// DevTools' *General* section fields, which are not response headers (`Status Code` gives the status).
const GENERAL_FIELDS: &[&str] = &[
    "request url",
    "request method",
    "status code",
    "remote address",
    "referrer policy",
];

/// One meaningful line of a headers-only paste: a name and its value (value possibly on the next line).
struct Field<'a> {
    line: Line<'a>,
    name: &'a str,
    value: String,
}

/// Parses header lines without a status line (DevTools' parsed view). A `Status Code` line from its
/// *General* section, or an HTTP/2 `:status` pseudo-header, supplies the status after all.
fn parse_headers_only(lines: &[Line<'_>]) -> Result<Paste, PasteError> {
    let block = header_block(lines);
    if let Some(line) = block.iter().find(|line| line.text.starts_with("HTTP/")) {
        let kind = PasteErrorKind::BadStatusLine {
            found: quote(line.text),
        };
        return Err(PasteError::new(Some(line.number), kind));
    }
    let fields = if is_alternating(&block) {
        alternating_fields(&block)
    } else {
        inline_fields(&block)?
    };
    let mut headers = HeaderList::new();
    let mut status = None;
    for (count, field) in fields.iter().enumerate() {
        if count >= MAX_HEADER_LINES {
            let kind = PasteErrorKind::TooManyHeaderLines;
            return Err(PasteError::new(Some(field.line.number), kind));
        }
        if let Some(found) = status_field(field) {
            status = Some(found);
        } else if !is_general_field(field.name) && !field.name.starts_with(':') {
            headers.push(field.name, &field.value);
        }
    }
    Ok(match status {
        Some((status, status_text)) => Paste::Responses(vec![Response {
            status,
            status_text,
            headers,
        }]),
        None => Paste::HeadersOnly(headers),
    })
}

/// The lines of the first header block: leading blank lines and DevTools' section titles skipped,
/// ending at a blank line after content (a body follows) unless a *Response Headers* title comes next,
/// or at the *Request Headers* title.
fn header_block<'a>(lines: &[Line<'a>]) -> Vec<Line<'a>> {
    let mut block = Vec::new();
    let mut blank_after_content = false;
    for &line in lines {
        let title = line.text.trim().to_ascii_lowercase();
        if title.starts_with("request headers") {
            break;
        }
        if title == "general" || title.starts_with("response headers") {
            blank_after_content = false;
            continue;
        }
        if title.is_empty() {
            blank_after_content = !block.is_empty();
            continue;
        }
        if blank_after_content {
            break;
        }
        block.push(line);
    }
    block
}

/// Whether the block is DevTools' copy with each name (ending in `:`) on its own line before its value.
fn is_alternating(block: &[Line<'_>]) -> bool {
    block.len().is_multiple_of(2)
        && block
            .iter()
            .step_by(2)
            .all(|line| name_only(line.text).is_some())
}

/// `Name:` with nothing after the colon: the name, when it is a token or a *General* field.
fn name_only(text: &str) -> Option<&str> {
    let name = text.trim_end().strip_suffix(':')?.trim_end();
    (is_token(name) || is_general_field(name) || is_pseudo(name)).then_some(name)
}

fn is_pseudo(name: &str) -> bool {
    name.strip_prefix(':').is_some_and(is_token)
}

fn is_general_field(name: &str) -> bool {
    GENERAL_FIELDS.contains(&name.to_ascii_lowercase().as_str())
}

/// Pairs a name line with the value line after it.
fn alternating_fields<'a>(block: &[Line<'a>]) -> Vec<Field<'a>> {
    block
        .chunks_exact(2)
        .filter_map(|pair| match pair {
            [name, value] => Some(Field {
                line: *name,
                name: name_only(name.text)?,
                value: value.text.to_string(),
            }),
            _ => None,
        })
        .collect()
}

/// Reads `Name: value` lines; a line starting with a space or tab continues the previous value.
fn inline_fields<'a>(block: &[Line<'a>]) -> Result<Vec<Field<'a>>, PasteError> {
    let mut fields: Vec<Field<'a>> = Vec::new();
    for &line in block {
        if !starts_with_blank(line.text) {
            fields.push(inline_field(line)?);
            continue;
        }
        let Some(last) = fields.last_mut() else {
            let kind = PasteErrorKind::FoldWithoutHeader;
            return Err(PasteError::new(Some(line.number), kind));
        };
        append_folded(&mut last.value, line.text);
    }
    Ok(fields)
}

/// One `Name: value` line of a headers-only paste; *General* fields may have spaces in their names.
fn inline_field(line: Line<'_>) -> Result<Field<'_>, PasteError> {
    let text = line.text;
    if let Some(rest) = text.strip_prefix(':') {
        let (name, value) = rest.split_once(':').unwrap_or((rest, ""));
        let name = text.get(..name.len() + 1).unwrap_or(text);
        let value = value.to_string();
        return Ok(Field { line, name, value });
    }
    let Some((name, value)) = text.split_once(':') else {
        let kind = PasteErrorKind::ExpectedHeader { found: quote(text) };
        return Err(PasteError::new(Some(line.number), kind));
    };
    let name = name.trim_end_matches([' ', '\t']);
    if !is_token(name) && !is_general_field(name) {
        let kind = PasteErrorKind::InvalidHeaderName { name: quote(name) };
        return Err(PasteError::new(Some(line.number), kind));
    }
    let value = value.to_string();
    Ok(Field { line, name, value })
}

/// The status from DevTools' `Status Code: 200 OK` (maybe `200 OK (from disk cache)`), the HTTP/2
/// pseudo-header `:status: 200`, or the `status: 200` line older DevTools versions showed for it.
fn status_field(field: &Field<'_>) -> Option<(u16, String)> {
    let name = field.name.trim_start_matches(':');
    if !(name.eq_ignore_ascii_case("status code") || name.eq_ignore_ascii_case("status")) {
        return None;
    }
    let value = field.value.trim();
    let (code, reason) = value.split_at_checked(3)?;
    let reason = reason.split('(').next().unwrap_or("").trim();
    Some((parse_status_code(code)?, reason.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn headers(response: &Response) -> Vec<(String, String)> {
        response
            .headers
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect()
    }

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect()
    }

    /// Each row: a shape of paste named in issue 2 point 5, and the (status, reason, headers) of every
    /// response it must yield.
    #[test]
    fn accepted_shapes() {
        type Expected = &'static [(u16, &'static str, &'static [(&'static str, &'static str)])];
        let cases: &[(&str, &str, Expected)] = &[
            (
                "curl -i, HTTP/1.1, CRLF, body ignored",
                "HTTP/1.1 204 No Content\r\nAccess-Control-Allow-Origin: *\r\nVary: Origin\r\n\r\n{\"a\": 1}\r\n",
                &[(204, "No Content", &[("Access-Control-Allow-Origin", "*"), ("Vary", "Origin")])],
            ),
            (
                "curl -i, HTTP/2 without reason phrase (curl prints a trailing space), LF",
                "HTTP/2 200 \naccess-control-allow-origin: https://app.example\n\nbody: not a header\n",
                &[(200, "", &[("access-control-allow-origin", "https://app.example")])],
            ),
            (
                "HTTP/1.0 and HTTP/3 status lines",
                "HTTP/1.0 301 Moved Permanently\nLocation: /b\n\nHTTP/3 200\nx: y\n",
                &[(301, "Moved Permanently", &[("Location", "/b")]), (200, "", &[("x", "y")])],
            ),
            (
                "100 Continue before the final response (parse_responses keeps it)",
                "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nhello",
                &[(100, "Continue", &[]), (200, "OK", &[("Content-Type", "text/plain")])],
            ),
            (
                "curl -iL redirect chain, order kept",
                "HTTP/1.1 302 Found\nLocation: https://b.example/\nContent-Length: 0\n\nHTTP/1.1 200 OK\nAccess-Control-Allow-Origin: *\n\nok",
                &[
                    (302, "Found", &[("Location", "https://b.example/"), ("Content-Length", "0")]),
                    (200, "OK", &[("Access-Control-Allow-Origin", "*")]),
                ],
            ),
            (
                "duplicated lines kept in order (RFC 9110 §5.3)",
                "HTTP/1.1 200 OK\nAccess-Control-Allow-Origin: https://a.example\nAccess-Control-Allow-Origin: *\n",
                &[(200, "OK", &[
                    ("Access-Control-Allow-Origin", "https://a.example"),
                    ("Access-Control-Allow-Origin", "*"),
                ])],
            ),
            (
                "obsolete line folding joins with one space (RFC 9112 §5.2)",
                "HTTP/1.1 200 OK\r\nAccess-Control-Allow-Headers: content-type,\r\n\t x-api-key\r\nVary: Origin\r\n",
                &[(200, "OK", &[
                    ("Access-Control-Allow-Headers", "content-type, x-api-key"),
                    ("Vary", "Origin"),
                ])],
            ),
            (
                "mixed CRLF, LF and lone CR line endings",
                "HTTP/1.1 200 OK\r\nA: 1\nB: 2\rC: 3\r\n\r\n",
                &[(200, "OK", &[("A", "1"), ("B", "2"), ("C", "3")])],
            ),
            (
                "empty value is kept (present, not absent)",
                "HTTP/1.1 200 OK\nAccess-Control-Allow-Credentials:\n",
                &[(200, "OK", &[("Access-Control-Allow-Credentials", "")])],
            ),
            (
                "a copied command line before the output is skipped",
                "$ curl -i -X OPTIONS https://api.example/\nHTTP/1.1 200 OK\nAllow: GET\n",
                &[(200, "OK", &[("Allow", "GET")])],
            ),
            (
                "curl -v: only < lines count; > request, * info, { data } noise and the body ignored",
                "* Host api.example:443 was resolved.\n*   Trying 1.2.3.4:443...\n> OPTIONS / HTTP/1.1\r\n> Host: api.example\r\n> Origin: https://app.example\r\n>\r\n{ [5 bytes data]\n< HTTP/1.1 403 Forbidden\r\n< Content-Type: text/plain\r\n< Vary: Origin\r\n<\r\n{ [9 bytes data]\nForbidden: nope\n* Connection #0 to host api.example left intact\n",
                &[(403, "Forbidden", &[("Content-Type", "text/plain"), ("Vary", "Origin")])],
            ),
            (
                "curl -v over HTTP/2 with 1xx",
                "> POST /x HTTP/2\n< HTTP/2 100 \n< \n< HTTP/2 201 \n< access-control-allow-origin: *\n< \nbody\n",
                &[(100, "", &[]), (201, "", &[("access-control-allow-origin", "*")])],
            ),
            (
                "proxy tunnel answer dropped when the real response follows",
                "HTTP/1.1 200 Connection established\r\n\r\nHTTP/2 404 \r\nx: y\r\n",
                &[(404, "", &[("x", "y")])],
            ),
            (
                "DevTools raw view with whitespace before the colon tolerated",
                "HTTP/1.1 200 OK\ncontent-type : text/html\n",
                &[(200, "OK", &[("content-type", "text/html")])],
            ),
            (
                "DevTools parsed view with its General section: Status Code gives the status",
                "General\nRequest URL: https://api.example/x\nRequest Method: OPTIONS\nStatus Code: 405 Method Not Allowed\nRemote Address: 1.2.3.4:443\nReferrer Policy: strict-origin-when-cross-origin\n\nResponse Headers\nallow: GET\nvary: Origin\n\nRequest Headers\naccept: */*\n",
                &[(405, "Method Not Allowed", &[("allow", "GET"), ("vary", "Origin")])],
            ),
            (
                "DevTools parsed view copied as alternating name/value lines",
                "Status Code:\n200 OK (from disk cache)\naccess-control-allow-origin:\n*\ncontent-type:\napplication/json\n",
                &[(200, "OK", &[("access-control-allow-origin", "*"), ("content-type", "application/json")])],
            ),
            (
                "HTTP/2 :status pseudo-header gives the status",
                ":status: 204\naccess-control-allow-methods: PUT\n",
                &[(204, "", &[("access-control-allow-methods", "PUT")])],
            ),
            (
                "older DevTools showed HTTP/2's status as a `status` line",
                "status: 403\ncontent-type: text/html\n",
                &[(403, "", &[("content-type", "text/html")])],
            ),
            (
                "pseudo-headers inside a status-line paste are not headers",
                "HTTP/2 200\n:status: 200\nx: y\n",
                &[(200, "", &[("x", "y")])],
            ),
            (
                "a body line that merely starts with HTTP/ is ignored",
                "HTTP/1.1 200 OK\nx: y\n\nHTTP/1.1 is a protocol\n",
                &[(200, "OK", &[("x", "y")])],
            ),
        ];
        for (name, text, expected) in cases {
            let responses = parse_responses(text).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(responses.len(), expected.len(), "{name}: {responses:?}");
            for (response, (status, reason, lines)) in responses.iter().zip(expected.iter()) {
                assert_eq!(response.status, *status, "{name}");
                assert_eq!(response.status_text, *reason, "{name}");
                assert_eq!(headers(response), pairs(lines), "{name}");
            }
        }
    }

    /// Each row: a bad paste, the line the error must point at, and the message it must show.
    #[test]
    fn refused_pastes_say_what_and_where() {
        let cases: &[(&str, &str, Option<usize>, &str)] = &[
            ("empty", "  \r\n\t\n", None, "nothing was pasted"),
            (
                "a line in the header block that is not a header",
                "HTTP/1.1 200 OK\nVary: Origin\nthis is not a header\n",
                Some(3),
                "line 3: expected `Name: value`, found `this is not a header`",
            ),
            (
                "a header name with a space",
                "HTTP/1.1 200 OK\nAllow Origin: *\n",
                Some(2),
                "line 2: `Allow Origin` is not a valid header name",
            ),
            (
                "a malformed status line inside a header block",
                "HTTP/1.1 200 OK\nx: y\nHTTP/1.1 2xx Nope\n",
                Some(3),
                "line 3: expected a status line such as `HTTP/1.1 200 OK`, found `HTTP/1.1 2xx Nope`",
            ),
            (
                "a status line that is the only one and malformed",
                "HTTP/1.1 abc\nx: y\n",
                Some(1),
                "line 1: expected a status line",
            ),
            (
                "a folded line with nothing to continue",
                "HTTP/1.1 200 OK\n  continued\n",
                Some(2),
                "line 2: the line starts with a space",
            ),
            (
                "headers only: the status is unknown",
                "access-control-allow-origin: *\n",
                Some(1),
                "line 1: no status line, so the status is unknown",
            ),
            (
                "headers only with garbage",
                "\n\nvary: Origin\n<html>\n",
                Some(4),
                "line 4: expected `Name: value`, found `<html>`",
            ),
            (
                "curl -v line numbers are those of the original text",
                "> GET / HTTP/1.1\n< HTTP/1.1 200 OK\n< bogus\n",
                Some(3),
                "line 3: expected `Name: value`, found `bogus`",
            ),
        ];
        for (name, text, line, message) in cases {
            let error = parse_responses(text).expect_err(name);
            assert_eq!(error.line(), *line, "{name}: {error}");
            assert!(
                error.to_string().starts_with(message),
                "{name}: got `{error}`, want it to start with `{message}`"
            );
        }
    }

    #[test]
    fn long_lines_are_quoted_short_on_a_char_boundary() {
        let text = format!("HTTP/1.1 200 OK\n{}\n", "é".repeat(500));
        let error = parse_responses(&text).unwrap_err();
        let PasteErrorKind::ExpectedHeader { found } = error.kind() else {
            panic!("{error:?}");
        };
        assert_eq!(found.chars().count(), QUOTE_CHARS + 1);
        assert!(found.ends_with('…'));
    }

    /// Issue 2 point 5: pastes over 1 MiB and over 1,000 header lines are refused with a message.
    #[test]
    fn limits_are_enforced_at_their_boundary() {
        let big = "x".repeat(MAX_PASTE_BYTES + 1);
        let error = parse_responses(&big).unwrap_err();
        assert_eq!(
            error.kind(),
            &PasteErrorKind::TooLarge {
                bytes: MAX_PASTE_BYTES + 1
            }
        );

        let block = |n: usize| format!("HTTP/1.1 200 OK\n{}", "x-h: v\n".repeat(n));
        let at_limit = parse_responses(&block(MAX_HEADER_LINES)).unwrap();
        assert_eq!(
            at_limit.first().map(|r| r.headers.len()),
            Some(MAX_HEADER_LINES)
        );
        let error = parse_responses(&block(MAX_HEADER_LINES + 1)).unwrap_err();
        assert_eq!(error.kind(), &PasteErrorKind::TooManyHeaderLines);
        assert_eq!(error.line(), Some(MAX_HEADER_LINES + 2));
        assert!(error.to_string().contains("more than 1000 header lines"));

        // The limit counts over all responses of a paste, not per response.
        let split = format!("{}\n{}", block(600), block(600));
        assert_eq!(
            parse_responses(&split).unwrap_err().kind(),
            &PasteErrorKind::TooManyHeaderLines
        );
        let headers_only = "x-h: v\n".repeat(MAX_HEADER_LINES + 1);
        assert_eq!(
            parse(&headers_only).unwrap_err().kind(),
            &PasteErrorKind::TooManyHeaderLines
        );
    }

    #[test]
    fn headers_only_paste_keeps_the_headers_and_takes_a_status_on_request() {
        let paste = parse("Access-Control-Allow-Origin: *\nVary: Origin\n").unwrap();
        assert!(!paste.status_known());
        let responses = paste.with_status(204);
        assert_eq!(responses.len(), 1);
        let response = responses.first().unwrap();
        assert_eq!(response.status, 204);
        assert_eq!(response.headers.get("vary").as_deref(), Some("Origin"));

        let folded = parse("A: one\n two\nB: 3\n").unwrap().with_status(200);
        assert_eq!(
            folded.first().map(headers),
            Some(pairs(&[("A", "one two"), ("B", "3")]))
        );
    }

    #[test]
    fn exchange_takes_the_first_final_preflight_and_every_final_actual() {
        let preflight = "HTTP/1.1 100 Continue\n\nHTTP/1.1 301 Moved\nLocation: /a\n\nHTTP/1.1 204 No Content\n";
        let actual = "HTTP/1.1 100 Continue\n\nHTTP/1.1 307 Temporary Redirect\nLocation: /b\n\nHTTP/1.1 200 OK\nx: y\n";
        let exchange = parse_exchange(Some(preflight), actual).unwrap();
        // The browser never follows a preflight redirect: the 301 is what it judges.
        assert_eq!(exchange.preflight.map(|r| r.status), Some(301));
        let statuses: Vec<u16> = exchange.actual.iter().map(|r| r.status).collect();
        assert_eq!(statuses, vec![307, 200]);
    }

    #[test]
    fn exchange_blank_parts() {
        let only_preflight = parse_exchange(Some("HTTP/1.1 403 Forbidden\n"), " \n").unwrap();
        assert_eq!(only_preflight.preflight.map(|r| r.status), Some(403));
        assert!(only_preflight.actual.is_empty());

        let no_preflight = parse_exchange(Some(""), "HTTP/2 200\n").unwrap();
        assert_eq!(no_preflight.preflight, None);
        assert_eq!(no_preflight.actual.len(), 1);

        assert_eq!(
            parse_exchange(None, "").unwrap_err().kind(),
            &PasteErrorKind::NothingPasted
        );
        assert_eq!(
            parse_exchange(None, "HTTP/1.1 100 Continue\n\n")
                .unwrap_err()
                .kind(),
            &PasteErrorKind::OnlyInformational
        );
        assert_eq!(
            parse_exchange(Some("vary: Origin\n"), "HTTP/1.1 200 OK\n")
                .unwrap_err()
                .kind(),
            &PasteErrorKind::NoStatusLine
        );
    }

    /// A header name: an RFC 9110 token.
    fn token() -> impl Strategy<Value = String> {
        "[A-Za-z0-9!#$%&'*+.^_`|~-]{1,20}"
    }

    /// A header value as a server sends it: no CR/LF, no surrounding blanks (HeaderList trims them).
    fn value() -> impl Strategy<Value = String> {
        "[^\r\n]{0,40}".prop_map(|v| v.trim_matches([' ', '\t']).to_string())
    }

    fn response() -> impl Strategy<Value = Response> {
        (
            200u16..=599,
            "[A-Za-z][A-Za-z ]{0,20}",
            prop::collection::vec((token(), value()), 0..8),
        )
            .prop_map(|(status, text, lines)| Response {
                status,
                status_text: text.trim().to_string(),
                headers: lines.into_iter().collect(),
            })
    }

    fn print(response: &Response) -> String {
        let mut text = format!("HTTP/1.1 {} {}\r\n", response.status, response.status_text);
        for (name, value) in response.headers.iter() {
            text.push_str(&format!("{name}: {value}\r\n"));
        }
        text
    }

    proptest! {
        /// Issue 7 point 3 / issue 2: arbitrary input never panics.
        #[test]
        fn never_panics(text in "\\PC*") {
            let _ = parse_exchange(Some(&text), &text);
        }

        /// Line-shaped noise reaches the deeper parser paths (status lines, folds, prefixes).
        #[test]
        fn never_panics_on_line_noise(
            lines in prop::collection::vec(
                prop_oneof![
                    Just("HTTP/1.1 200 OK".to_string()),
                    Just("< HTTP/2 204 ".to_string()),
                    Just(String::new()),
                    Just(" folded".to_string()),
                    Just("Status Code:".to_string()),
                    ":?[a-z]{0,5}:? ?[ -~é]{0,8}",
                ],
                0..20,
            ),
            ending in prop_oneof![Just("\n"), Just("\r\n"), Just("\r")],
        ) {
            let _ = parse(&lines.join(ending));
        }

        /// Printing parsed responses back and re-parsing gives the same responses.
        #[test]
        fn print_then_parse_round_trips(responses in prop::collection::vec(response(), 1..4)) {
            let text: String = responses.iter().map(print).collect::<Vec<_>>().join("\r\n");
            prop_assert_eq!(parse_responses(&text).unwrap(), responses);
        }
    }
}
