//! The report area: headline, the exchange picture, live probes, details, fixes, curl and the paste box,
//! and the machine-readable `#report-json`.

use wasm_bindgen::JsValue;
use web_sys::{Document, Element, HtmlButtonElement, HtmlSelectElement, HtmlTextAreaElement, Node};

use crate::dom::{self, el, set_prose, Attr};
use crate::report::{Outcome, ProbeReport, Report};
use corscope_model::fix::{self, Stack};
use corscope_model::text::code_spans;
use corscope_model::{curl, explain, CorsError, Request};

/// What the fix and curl sections need beyond the report: the request as sent from the user's app origin
/// (or this page's, when none is given), so advice and commands name the origin the server must allow.
#[derive(Default)]
pub struct Tools {
    pub request: Option<Request>,
    pub body: Option<String>,
}

/// Handles on the report area.
pub struct Output {
    pub report: Element,
    headline: Element,
    exchange: Element,
    probes: Element,
    details: Element,
    pub fixes: Element,
    pub stack: HtmlSelectElement,
    curl: Element,
    pub paste_preflight: HtmlTextAreaElement,
    pub paste_actual: HtmlTextAreaElement,
    pub paste_run: HtmlButtonElement,
    pub paste_error: Element,
    pub tools: Element,
    json: Element,
    announce: Element,
}

/// The report's lifecycle after `idle` (its initial state), as the `data-state` contract spells it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    Running,
    Done,
}

impl Output {
    /// Builds the (empty, idle) report area under `parent`.
    pub fn build(doc: &Document, parent: &Element) -> Result<Output, JsValue> {
        let report = el(doc, "section")?
            .attr(Attr::Id, "report")?
            .attr(Attr::DataState, "idle")?
            .attr(Attr::AriaLabel, "Result")?
            .build();
        let headline = el(doc, "p")?
            .attr(Attr::Id, "headline")?
            .class("headline")?
            .build();
        let exchange = el(doc, "ol")?
            .attr(Attr::Id, "exchange")?
            .class("exchange")?
            .build();
        let probes = el(doc, "ul")?
            .attr(Attr::Id, "probes")?
            .class("probes")?
            .build();
        let details = el(doc, "div")?.attr(Attr::Id, "details")?.build();
        let json = el(doc, "script")?
            .attr(Attr::Type, "application/json")?
            .attr(Attr::Id, "report-json")?
            .build();
        for child in [&headline, &exchange, &probes, &details, &json] {
            report.append_child(child)?;
        }

        let tools = el(doc, "div")?.attr(Attr::Id, "tools")?.build();
        let stack: HtmlSelectElement = dom::create(doc, "select")?;
        stack.set_id("stack");
        for choice in Stack::ALL {
            let option = el(doc, "option")?
                .attr(Attr::Value, choice.id())?
                .text(choice.name())
                .build();
            stack.append_child(&option)?;
        }
        let fixes = el(doc, "div")?.attr(Attr::Id, "fixes")?.build();
        let fix_section = el(doc, "section")?
            .attr(Attr::Id, "fix-section")?
            .text_child("h2", "Fix")?
            .child(
                &el(doc, "label")?
                    .attr(Attr::For, "stack")?
                    .text("Server stack ")
                    .child(&stack)?
                    .build(),
            )?
            .child(&fixes)?
            .build();
        let curl = el(doc, "div")?.attr(Attr::Id, "curl")?.build();
        let paste_preflight: HtmlTextAreaElement = textarea(doc, "paste-preflight")?;
        let paste_actual: HtmlTextAreaElement = textarea(doc, "paste-actual")?;
        let paste_run: HtmlButtonElement = dom::create(doc, "button")?;
        paste_run.set_id("paste-run");
        paste_run.set_type("button");
        paste_run.set_text_content(Some("Diagnose pasted headers"));
        let paste_error = el(doc, "p")?
            .attr(Attr::Id, "paste-error")?
            .class("field-error")?
            .attr(Attr::Role, "alert")?
            .build();
        let curl_section = el(doc, "section")?
            .attr(Attr::Id, "curl-section")?
            .text_child("h2", "Check the raw headers with curl")?
            .text_child("p", "Run these, then paste each output (the status line and headers) below for an exact diagnosis.")?
            .child(&curl)?
            .child(&labelled(doc, "paste-preflight", "Preflight output (curl -i -X OPTIONS …)", &paste_preflight)?)?
            .child(&labelled(doc, "paste-actual", "Actual request output", &paste_actual)?)?
            .child(&paste_run)?
            .child(&paste_error)?
            .build();
        tools.append_child(&fix_section)?;
        tools.append_child(&curl_section)?;

        let announce = el(doc, "div")?
            .attr(Attr::Id, "announce")?
            .attr(Attr::Role, "status")?
            .attr(Attr::AriaLive, "polite")?
            .class("sr-only")?
            .build();
        parent.append_child(&report)?;
        parent.append_child(&tools)?;
        parent.append_child(&announce)?;
        Ok(Output {
            report,
            headline,
            exchange,
            probes,
            details,
            fixes,
            stack,
            curl,
            paste_preflight,
            paste_actual,
            paste_run,
            paste_error,
            tools,
            json,
            announce,
        })
    }

    /// Sets `data-state`; entering `running` clears the previous result.
    pub fn set_state(&self, state: State) -> Result<(), JsValue> {
        let name = match state {
            State::Running => "running",
            State::Done => "done",
        };
        if state == State::Running {
            for area in [
                &self.headline,
                &self.exchange,
                &self.probes,
                &self.details,
                &self.json,
            ] {
                area.set_text_content(None);
            }
            self.headline.set_text_content(Some("Running…"));
            self.announce.set_text_content(Some("Running the request…"));
        }
        self.report.set_attribute("data-state", name)
    }

    /// Adds one finished probe to the live list.
    pub fn add_probe(&self, doc: &Document, probe: &ProbeReport) -> Result<(), JsValue> {
        let status = probe.status.map(|s| format!(" {s}")).unwrap_or_default();
        let item = el(doc, "li")?
            .attr(Attr::DataMark, probe.outcome)?
            .text_child("code", &probe.name)?
            .text_child(
                "span",
                &format!(
                    " {}{status} in {} ms",
                    probe.outcome,
                    probe.ms.max(0.0) as u64
                ),
            )?
            .text_child("span", &format!(" — {}", probe.purpose))?
            .build();
        self.probes.append_child(&item)?;
        Ok(())
    }

    /// Draws a finished report and publishes its JSON; the state becomes `done`.
    pub fn show(&self, doc: &Document, report: &Report, tools: &Tools) -> Result<(), JsValue> {
        set_prose(doc, &self.headline, &report.headline)?;
        self.headline
            .set_attribute("data-mark", report.outcome.as_str())?;
        self.draw_exchange(doc, report)?;
        self.probes.set_text_content(None);
        for probe in &report.probes {
            self.add_probe(doc, probe)?;
        }
        dom::replace_children(&self.details, &details(doc, report)?)?;
        self.draw_tools(doc, report, tools)?;
        let json = report.to_json()?;
        self.json.set_text_content(Some(&json));
        // What the headline shows, without the code spans' backticks.
        let spoken: String = code_spans(&report.headline)
            .into_iter()
            .map(|(_, piece)| piece)
            .collect();
        self.announce.set_text_content(Some(&spoken));
        self.set_state(State::Done)
    }

    fn draw_exchange(&self, doc: &Document, report: &Report) -> Result<(), JsValue> {
        let method = report
            .classification
            .as_ref()
            .map_or("request", |c| c.request.method());
        let mut steps = Vec::new();
        let (preflight_mark, actual_mark) = marks(report);
        if report.preflight {
            steps.push(step(doc, "Preflight: OPTIONS", preflight_mark)?);
        }
        steps.push(step(
            doc,
            &format!("Actual request: {method}"),
            actual_mark,
        )?);
        dom::replace_children(&self.exchange, &steps)
    }

    fn draw_tools(&self, doc: &Document, report: &Report, tools: &Tools) -> Result<(), JsValue> {
        let Some(request) = &tools.request else {
            self.curl.set_text_content(None);
            self.fixes.set_text_content(None);
            return Ok(());
        };
        let stack = Stack::from_id(&self.stack.value()).unwrap_or(Stack::Headers);
        let fixes = match &report.focus {
            Some(focus) => {
                let fix = fix::advice(stack, request, focus);
                vec![prose(doc, &fix.summary)?, copyable(doc, &fix.snippet)?]
            }
            None => vec![para(
                doc,
                "Nothing to fix from what the page saw. Paste the curl output below to check the raw headers.",
            )?],
        };
        dom::replace_children(&self.fixes, &fixes)?;
        let commands = curl::commands(request, tools.body.as_deref(), None);
        let mut blocks = Vec::new();
        if let Some(preflight) = &commands.preflight {
            blocks.push(copyable(doc, &preflight.to_string())?);
        }
        blocks.push(copyable(doc, &commands.actual.to_string())?);
        dom::replace_children(&self.curl, &blocks)
    }
}

/// The mark of each step: ok, failed, not sent, or unknown.
fn marks(report: &Report) -> (&'static str, &'static str) {
    match (report.outcome, report.fault_response) {
        (Outcome::Ok | Outcome::Opaque, _) => ("ok", "ok"),
        (Outcome::Blocked, Some("preflight")) => ("failed", "not sent"),
        (Outcome::Blocked, Some("actual")) => ("ok", "failed"),
        (Outcome::InvalidRequest, _) => ("not sent", "not sent"),
        (Outcome::NetworkError | Outcome::Timeout, _) if !report.preflight => ("", "failed"),
        _ => ("unknown", "unknown"),
    }
}

fn step(doc: &Document, label: &str, mark: &str) -> Result<Element, JsValue> {
    Ok(el(doc, "li")?
        .attr(Attr::DataMark, mark)?
        .text_child("span", label)?
        .text_child("strong", &format!(" — {mark}"))?
        .build())
}

fn details(doc: &Document, report: &Report) -> Result<Vec<Element>, JsValue> {
    let mut out = Vec::new();
    if let Some(code) = report.cors_error {
        let certainty = if report.certain { "" } else { " (most likely)" };
        out.push(para(doc, &format!("DevTools code: {code}{certainty}"))?);
    }
    if !report.candidates.is_empty() {
        out.push(prose_list(
            doc,
            "Possible causes",
            &report
                .candidates
                .iter()
                .chain(&report.also_possible)
                .map(|name| match CorsError::from_name(name) {
                    Some(code) => format!("{name}: {}", explain::candidate_detail(code)),
                    None => name.to_string(),
                })
                .collect::<Vec<_>>(),
        )?);
    }
    if let Some(parameter) = &report.failed_parameter {
        out.push(para(doc, &format!("Failed parameter: {parameter}"))?);
    }
    if let Some(blocked) = &report.blocked {
        let seen = blocked.seen.as_deref().unwrap_or("(absent)");
        let required = blocked.required.as_deref().unwrap_or("(see the fix)");
        out.push(para(doc, &format!("Seen: {seen}"))?);
        out.push(para(doc, &format!("Required: {required}"))?);
    }
    if let Some(message) = &report.console_message {
        out.push(
            el(doc, "p")?
                .text("Chrome's console says: ")
                .text_child("code", message)?
                .build(),
        );
    }
    if let Some(message) = &report.error_message {
        out.push(para(doc, &format!("The browser's error: {message}"))?);
    }
    // The probes are listed above; findings that only repeat one are left out.
    let findings: Vec<String> = report
        .findings
        .iter()
        .filter(|f| {
            !report
                .probes
                .iter()
                .any(|p| f.starts_with(&format!("{}: ", p.name)))
        })
        .cloned()
        .collect();
    if !findings.is_empty() {
        out.push(prose_list(doc, "Findings", &findings)?);
    }
    if !report.untested.is_empty() {
        out.push(prose_list(doc, "Not tested", &report.untested)?);
    }
    if !report.warnings.is_empty() {
        out.push(prose_list(doc, "Warnings", &report.warnings)?);
    }
    if report.outcome == Outcome::Ok {
        out.extend(readable(doc, report)?);
    }
    Ok(out)
}

fn readable(doc: &Document, report: &Report) -> Result<Vec<Element>, JsValue> {
    let lines: Vec<String> = if report.headers.is_empty() {
        report.readable_headers.clone()
    } else {
        report
            .headers
            .iter()
            .map(|(n, v)| format!("{n}: {v}"))
            .collect()
    };
    let mut out = Vec::new();
    if let (Some(status), Some(kind)) = (report.status, report.response_type) {
        let text = report.status_text.as_deref().unwrap_or("");
        out.push(
            el(doc, "p")?
                .text(&format!("Status {status} "))
                .child(&el(doc, "span")?.class("verbatim")?.text(text).build())?
                .child(&doc.create_text_node(&format!("; response.type is {kind}.")))?
                .build(),
        );
    }
    out.push(text_list(doc, "Headers this page can read", &lines)?);
    if report.hidden_headers.is_empty() {
        out.push(para(
            doc,
            "Any other header the server sent is hidden from JavaScript. To expose one, the server adds:",
        )?);
        out.push(copyable(
            doc,
            "Access-Control-Expose-Headers: <header-name>, <header-name>",
        )?);
    } else {
        out.push(text_list(
            doc,
            "Headers hidden from this page",
            &report.hidden_headers,
        )?);
    }
    if let Some(line) = &report.expose_line {
        out.push(copyable(doc, line)?);
    }
    if let Some(body) = &report.body_preview {
        let size = report.body_bytes.unwrap_or(0);
        let more = if report.body_truncated {
            " (preview cut at 64 KiB)"
        } else {
            ""
        };
        out.push(para(doc, &format!("Body: {size} bytes read{more}"))?);
        out.push(
            el(doc, "pre")?
                .attr(Attr::Id, "body-preview")?
                .text(body)
                .build(),
        );
    }
    Ok(out)
}

/// A paragraph of plain text (values from the server stay exactly as they are).
fn para(doc: &Document, text: &str) -> Result<Element, JsValue> {
    Ok(el(doc, "p")?.text(text).build())
}

/// A paragraph of the model's prose (its code spans shown as `<code>`).
fn prose(doc: &Document, text: &str) -> Result<Element, JsValue> {
    Ok(el(doc, "p")?.prose(text)?.build())
}

/// A titled list of the model's prose.
fn prose_list(doc: &Document, title: &str, items: &[String]) -> Result<Element, JsValue> {
    list(doc, title, items, |item, text| item.prose(text))
}

/// A titled list of text as the server sent it (header lines and names), shown verbatim; the
/// `verbatim` class isolates it from the page's text direction (bidi controls stay inside).
fn text_list(doc: &Document, title: &str, items: &[String]) -> Result<Element, JsValue> {
    list(doc, title, items, |item, text| {
        Ok(item.class("verbatim")?.text(text))
    })
}

fn list(
    doc: &Document,
    title: &str,
    items: &[String],
    fill: for<'d> fn(dom::Builder<'d>, &str) -> Result<dom::Builder<'d>, JsValue>,
) -> Result<Element, JsValue> {
    let ul = el(doc, "ul")?.build();
    for item in items {
        ul.append_child(&fill(el(doc, "li")?, item)?.build())?;
    }
    Ok(el(doc, "div")?.text_child("h3", title)?.child(&ul)?.build())
}

/// A code block with a copy button (the app copies the `pre` beside a `data-mark="copy"` button).
fn copyable(doc: &Document, text: &str) -> Result<Element, JsValue> {
    el(doc, "div")?
        .class("copyable")?
        .child(&el(doc, "pre")?.text(text).build())?
        .child(
            &el(doc, "button")?
                .attr(Attr::Type, "button")?
                .attr(Attr::DataMark, "copy")?
                .text("Copy")
                .build(),
        )
        .map(|b| b.build())
}

fn textarea(doc: &Document, id: &str) -> Result<HtmlTextAreaElement, JsValue> {
    let area: HtmlTextAreaElement = dom::create(doc, "textarea")?;
    area.set_id(id);
    area.set_rows(5);
    area.set_attribute(Attr::Spellcheck.name(), "false")?;
    Ok(area)
}

fn labelled(doc: &Document, id: &str, label: &str, control: &Element) -> Result<Node, JsValue> {
    el(doc, "div")?
        .class("field")?
        .child(&el(doc, "label")?.attr(Attr::For, id)?.text(label).build())?
        .child(control)
        .map(|b| b.build().into())
}
