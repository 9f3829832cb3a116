//! The result of one diagnosis: what the browser did, what the model concluded, and the evidence.
//!
//! Its JSON form (the `#report-json` contract other tools read) is written out field by field in
//! [`Report::to_json`] and turned into text by serde-wasm-bindgen and the browser's own `JSON.stringify`,
//! so the page ships no JSON library of its own.

use corscope_model::classify::Classification;
use corscope_model::fix::Focus;
use corscope_model::verdict::Blocked;
use corscope_model::Refusal;
use wasm_bindgen::JsValue;

use crate::json::{array, optional, strings, Json};

/// What the page observed, in the contract's words.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// A readable response reached the page.
    Ok,
    /// The browser blocked the request for a CORS reason.
    Blocked,
    /// The request failed for a reason that is not CORS (refused connection, DNS, mixed content, …).
    NetworkError,
    /// An opaque response (`no-cors`, or a `manual` redirect): it arrived, the page may not read it.
    Opaque,
    /// The timeout fired first.
    Timeout,
    /// The browser would not send the request at all (bad input, forbidden method, …).
    InvalidRequest,
}

impl Outcome {
    /// The contract's string, e.g. `"network-error"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::Blocked => "blocked",
            Outcome::NetworkError => "network-error",
            Outcome::Opaque => "opaque",
            Outcome::Timeout => "timeout",
            Outcome::InvalidRequest => "invalid-request",
        }
    }
}

/// One probe as it finished.
#[derive(Clone, Debug, PartialEq)]
pub struct ProbeReport {
    /// The model's stable probe name (`reach`, `simple`, `header:x-api-key`, …).
    pub name: String,
    /// What the probe finds out.
    pub purpose: String,
    /// `ok`, `opaque`, `rejected` or `timeout`.
    pub outcome: &'static str,
    /// The status when the response was readable.
    pub status: Option<u16>,
    /// How long it took.
    pub ms: f64,
}

/// The diagnosis. The fields [`Report::to_json`] writes are the `#report-json` contract; the others feed
/// the views.
#[derive(Clone, Debug)]
pub struct Report {
    /// What happened.
    pub outcome: Outcome,
    /// The DevTools `Network.CorsError` name, when known (certain, or the first candidate).
    pub cors_error: Option<&'static str>,
    /// Chromium's `failedParameter`, when the page can know it.
    pub failed_parameter: Option<String>,
    /// Whether exactly one cause remains.
    pub certain: bool,
    /// The possible codes when not certain (most likely first); empty when certain.
    pub candidates: Vec<&'static str>,
    /// Chromium's `failedParameter` for each candidate where the page knows it (a method or header name),
    /// in the order of `candidates`: a list rather than a map, which would cost 5 KB of wasm for a few
    /// entries (see [`Report::candidate_parameter`]).
    pub candidate_parameters: Vec<(&'static str, String)>,
    /// Codes possible only if the server has several faults at once.
    pub also_possible: Vec<&'static str>,
    /// The failure may be a network error with no CORS code at all (a redirect no mode can follow).
    pub network_error_possible: bool,
    /// `preflight` or `actual`: which response is at fault.
    pub fault_response: Option<&'static str>,
    /// The lowercase response header at fault, or `status` or `redirect`.
    pub fault_header: Option<String>,
    /// Whether the request needed a preflight.
    pub preflight: bool,
    /// The response status when the page could read it.
    pub status: Option<u16>,
    /// The response's reason phrase when readable.
    pub status_text: Option<String>,
    /// `response.type` when a response arrived.
    pub response_type: Option<&'static str>,
    /// Lowercase names of the response headers the page could read, sorted.
    pub readable_headers: Vec<String>,
    /// The readable headers with their values, in the browser's order.
    pub headers: Vec<(String, String)>,
    /// Response headers present but hidden from the page (known only from pasted headers).
    pub hidden_headers: Vec<String>,
    /// The `Access-Control-Expose-Headers` line that would make the hidden headers readable.
    pub expose_line: Option<String>,
    /// The line Chrome's console prints for the same failure (known exactly from pasted headers).
    pub console_message: Option<String>,
    /// The probes that ran, in the order they finished.
    pub probes: Vec<ProbeReport>,
    /// Milliseconds from start to verdict.
    pub elapsed_ms: f64,
    /// The one-line explanation.
    pub headline: String,
    /// Plain-English findings, in the order they were established.
    pub findings: Vec<String>,
    /// Things the probes could not test (without the user's permission).
    pub untested: Vec<String>,
    /// The browser's own error text (`Failed to fetch`, …), verbatim.
    pub error_message: Option<String>,
    /// The form field the problem is in, for `invalid-request`.
    pub field: Option<&'static str>,
    /// The start of the response body, as text.
    pub body_preview: Option<String>,
    /// Bytes of body read (at most the preview cap plus one chunk).
    pub body_bytes: Option<usize>,
    /// The body was longer than the preview cap.
    pub body_truncated: bool,
    /// Warnings about the request or the server setup.
    pub warnings: Vec<String>,
    /// The model's classification of the request (for the views; not part of the JSON).
    pub classification: Option<Classification>,
    /// Why the browser refuses the request, typed (for library users; the JSON carries its words in
    /// `headline` and its form field in `field`).
    pub refusal: Option<Refusal>,
    /// The exact verdict, when it is known from raw headers (paste path; for the views).
    pub blocked: Option<Blocked>,
    /// What the server has to change, for the fix snippets (for the views).
    pub focus: Option<Focus>,
}

impl Report {
    /// Chromium's `failedParameter` for the candidate `code`, where the page knows it.
    pub fn candidate_parameter(&self, code: &str) -> Option<&String> {
        self.candidate_parameters
            .iter()
            .find(|(candidate, _)| *candidate == code)
            .map(|(_, parameter)| parameter)
    }

    /// An empty report with `outcome`; the pipeline fills in the rest.
    pub fn new(outcome: Outcome) -> Report {
        Report {
            outcome,
            cors_error: None,
            failed_parameter: None,
            certain: false,
            candidates: Vec::new(),
            candidate_parameters: Vec::new(),
            network_error_possible: false,
            also_possible: Vec::new(),
            fault_response: None,
            fault_header: None,
            preflight: false,
            status: None,
            status_text: None,
            response_type: None,
            readable_headers: Vec::new(),
            headers: Vec::new(),
            hidden_headers: Vec::new(),
            expose_line: None,
            console_message: None,
            probes: Vec::new(),
            elapsed_ms: 0.0,
            headline: String::new(),
            findings: Vec::new(),
            untested: Vec::new(),
            error_message: None,
            field: None,
            body_preview: None,
            body_bytes: None,
            body_truncated: false,
            warnings: Vec::new(),
            classification: None,
            refusal: None,
            blocked: None,
            focus: None,
        }
    }

    /// The report as one JSON object (plain objects and arrays, `null` for absent values).
    pub fn to_json(&self) -> Result<String, JsValue> {
        self.json().stringify()
    }

    /// The `#report-json` contract, in its order.
    fn json(&self) -> Json {
        let text = |s: &String| Json::from(s.as_str());
        let name = |s: &'static str| Json::from(s);
        let parameters = self
            .candidate_parameters
            .iter()
            .map(|(code, parameter)| (*code, text(parameter)))
            .collect();
        Json::Object(vec![
            ("outcome", self.outcome.as_str().into()),
            ("cors_error", optional(self.cors_error, name)),
            (
                "failed_parameter",
                optional(self.failed_parameter.as_ref(), text),
            ),
            ("certain", self.certain.into()),
            ("candidates", strings(&self.candidates)),
            ("candidate_parameters", Json::Object(parameters)),
            ("also_possible", strings(&self.also_possible)),
            ("network_error_possible", self.network_error_possible.into()),
            ("fault_response", optional(self.fault_response, name)),
            ("fault_header", optional(self.fault_header.as_ref(), text)),
            ("preflight", self.preflight.into()),
            ("status", optional(self.status, |s| f64::from(s).into())),
            ("status_text", optional(self.status_text.as_ref(), text)),
            ("response_type", optional(self.response_type, name)),
            ("readable_headers", strings(&self.readable_headers)),
            (
                "headers",
                array(&self.headers, |(n, v)| Json::Array(vec![text(n), text(v)])),
            ),
            ("hidden_headers", strings(&self.hidden_headers)),
            ("expose_line", optional(self.expose_line.as_ref(), text)),
            (
                "console_message",
                optional(self.console_message.as_ref(), text),
            ),
            ("probes", array(&self.probes, ProbeReport::json)),
            ("elapsed_ms", self.elapsed_ms.into()),
            ("headline", text(&self.headline)),
            ("findings", strings(&self.findings)),
            ("untested", strings(&self.untested)),
            ("error_message", optional(self.error_message.as_ref(), text)),
            ("field", optional(self.field, name)),
            ("body_preview", optional(self.body_preview.as_ref(), text)),
            (
                "body_bytes",
                optional(self.body_bytes, |n| (n as f64).into()),
            ),
            ("body_truncated", self.body_truncated.into()),
            ("warnings", strings(&self.warnings)),
        ])
    }
}

impl ProbeReport {
    fn json(&self) -> Json {
        Json::Object(vec![
            ("name", self.name.as_str().into()),
            ("purpose", self.purpose.as_str().into()),
            ("outcome", self.outcome.into()),
            ("status", optional(self.status, |s| f64::from(s).into())),
            ("ms", self.ms.into()),
        ])
    }
}
