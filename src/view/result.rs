//! The report area: headline, the exchange picture, live probes, details, fixes, curl and the paste box,
//! and the machine-readable `#report-json`.

use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Document, Element, HtmlButtonElement, HtmlSelectElement, HtmlTextAreaElement};

use crate::dom::{self, el, set_prose, Attr, Layout};
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
    /// Builds the (empty, idle) report area under `parent`: the elements of [`LAYOUT`], then the stack
    /// choices.
    pub fn build(doc: &Document, parent: &Element) -> Result<Output, JsValue> {
        let named = dom::build_layout(doc, LAYOUT)?;
        let output = handles(&named)
            .ok_or_else(|| JsValue::from_str("the report layout lacks an element"))?;
        for choice in Stack::ALL {
            let option = el(doc, "option")?
                .attr(Attr::Value, choice.id())?
                .text(choice.name())
                .build();
            output.stack.append_child(&option)?;
        }
        output.paste_preflight.set_rows(5);
        output.paste_actual.set_rows(5);
        for root in [&output.report, &output.tools, &output.announce] {
            parent.append_child(root)?;
        }
        Ok(output)
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

/// The typed handles on the built report area; `None` if the layout lacks one.
fn handles(named: &[(&str, Element)]) -> Option<Output> {
    let find = |id: &str| dom::by_id(named, id);
    Some(Output {
        report: find("report")?,
        headline: find("headline")?,
        exchange: find("exchange")?,
        probes: find("probes")?,
        details: find("details")?,
        fixes: find("fixes")?,
        stack: find("stack")?.unchecked_into(),
        curl: find("curl")?,
        paste_preflight: find("paste-preflight")?.unchecked_into(),
        paste_actual: find("paste-actual")?.unchecked_into(),
        paste_run: find("paste-run")?.unchecked_into(),
        paste_error: find("paste-error")?,
        tools: find("tools")?,
        json: find("report-json")?,
        announce: find("announce")?,
    })
}

/// The report area in document order (see [`Layout`]): the report, the tools (fix and curl) and the
/// screen-reader announcer are its three roots.
#[rustfmt::skip]
const LAYOUT: Layout = &[
    (0, "section", &[(Attr::Id, "report"), (Attr::DataState, "idle"), (Attr::AriaLabel, "Result")], ""),
      (1, "p", &[(Attr::Id, "headline"), (Attr::Class, "headline")], ""),
      (1, "ol", &[(Attr::Id, "exchange"), (Attr::Class, "exchange")], ""),
      (1, "ul", &[(Attr::Id, "probes"), (Attr::Class, "probes")], ""),
      (1, "div", &[(Attr::Id, "details")], ""),
      (1, "script", &[(Attr::Type, "application/json"), (Attr::Id, "report-json")], ""),
    (0, "div", &[(Attr::Id, "tools")], ""),
      (1, "section", &[(Attr::Id, "fix-section")], ""),
        (2, "h2", &[], "Fix"),
        (2, "label", &[(Attr::For, "stack")], "Server stack "),
          (3, "select", &[(Attr::Id, "stack")], ""),
        (2, "div", &[(Attr::Id, "fixes")], ""),
      (1, "section", &[(Attr::Id, "curl-section")], ""),
        (2, "h2", &[], "Check the raw headers with curl"),
        (2, "p", &[], "Run these, then paste each output (the status line and headers) below for an exact diagnosis."),
        (2, "div", &[(Attr::Id, "curl")], ""),
        (2, "div", &[(Attr::Class, "field")], ""),
          (3, "label", &[(Attr::For, "paste-preflight")], "Preflight output (curl -i -X OPTIONS …)"),
          (3, "textarea", &[(Attr::Id, "paste-preflight"), (Attr::Spellcheck, "false")], ""),
        (2, "div", &[(Attr::Class, "field")], ""),
          (3, "label", &[(Attr::For, "paste-actual")], "Actual request output"),
          (3, "textarea", &[(Attr::Id, "paste-actual"), (Attr::Spellcheck, "false")], ""),
        (2, "button", &[(Attr::Id, "paste-run"), (Attr::Type, "button")], "Diagnose pasted headers"),
        (2, "p", &[(Attr::Id, "paste-error"), (Attr::Class, "field-error"), (Attr::Role, "alert")], ""),
    (0, "div", &[(Attr::Id, "announce"), (Attr::Role, "status"), (Attr::AriaLive, "polite"), (Attr::Class, "sr-only")], ""),
];
