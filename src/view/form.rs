//! The request form: built once, read into a permalink `FormState`, filled from one.

use corscope_model::{Credentials, Mode, Redirect};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{
    Document, Element, HtmlButtonElement, HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement,
    Node,
};

use crate::dom::{self, el, Attr};
use corscope_model::permalink::{FormState, HeaderRow, TIMEOUT_RANGE_MS};
use corscope_model::Origin;

/// The methods offered in the method field's suggestions; any other token can be typed.
const METHODS: [&str; 7] = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

/// Body presets: label and the `Content-Type` they set (`None` removes it).
const BODY_TYPES: [(&str, Option<&str>); 4] = [
    ("none", None),
    ("JSON", Some("application/json")),
    ("form", Some("application/x-www-form-urlencoded")),
    ("text", Some("text/plain")),
];

/// The form fields errors can be shown next to, by the names the model's refusals use.
pub const FIELDS: [&str; 8] = [
    "url",
    "method",
    "mode",
    "redirect",
    "headers",
    "body",
    "timeout",
    "app-origin",
];

/// Typed handles on every field of the form.
pub struct Form {
    pub element: Element,
    pub url: HtmlInputElement,
    pub method: HtmlInputElement,
    pub mode: HtmlSelectElement,
    pub credentials: HtmlSelectElement,
    pub redirect: HtmlSelectElement,
    pub headers: Element,
    pub add_header: HtmlButtonElement,
    pub body_type: HtmlSelectElement,
    pub body: HtmlTextAreaElement,
    pub timeout: HtmlInputElement,
    pub cache_bust: HtmlInputElement,
    pub may_repeat: HtmlInputElement,
    pub app_origin: HtmlInputElement,
    pub copy_link: HtmlButtonElement,
    /// Live classification by the model.
    pub classification: Element,
    /// The permalink's secrets warning and copy status.
    pub link_status: Element,
    /// Notices about ignored permalink fields.
    pub notices: Element,
}

/// What reading the form gives: the state, or the field that is wrong and why.
pub type FieldError = (&'static str, String);

impl Form {
    /// Builds the form under `parent`.
    pub fn build(doc: &Document, parent: &Element, origin: &str) -> Result<Form, JsValue> {
        let element = el(doc, "form")?
            .attr(Attr::Id, "request-form")?
            .attr(Attr::AriaLabel, "Request")?
            .build();
        let origin_line = el(doc, "p")?
            .class("origin")?
            .text_child("span", "requests are sent from ")?
            .text_child("strong", origin)?
            .attr(Attr::Id, "page-origin")?
            .build();
        element.append_child(&origin_line)?;

        let url: HtmlInputElement = input(doc, "url", "url")?;
        url.set_placeholder("https://api.example.com/v1/items");
        url.set_attribute(Attr::Autocomplete.name(), "url")?;
        url.set_attribute(Attr::Spellcheck.name(), "false")?;
        element.append_child(&field(doc, "url", "URL", &url)?)?;

        let method: HtmlInputElement = input(doc, "method", "text")?;
        method.set_value("GET");
        method.set_attribute(Attr::List.name(), "methods")?;
        method.set_attribute(Attr::Spellcheck.name(), "false")?;
        let datalist = el(doc, "datalist")?.attr(Attr::Id, "methods")?.build();
        for m in METHODS {
            datalist.append_child(&el(doc, "option")?.attr(Attr::Value, m)?.build())?;
        }
        let row = el(doc, "div")?.class("row")?.build();
        row.append_child(&field(doc, "method", "Method", &method)?)?;
        row.append_child(&datalist)?;
        let mode = select(doc, "mode", Mode::ALL.iter().map(|m| m.as_str()))?;
        row.append_child(&field(doc, "mode", "Mode", &mode)?)?;
        let credentials = select(
            doc,
            "credentials",
            Credentials::ALL.iter().map(|c| c.as_str()),
        )?;
        row.append_child(&field(doc, "credentials", "Credentials", &credentials)?)?;
        let redirect = select(doc, "redirect", Redirect::ALL.iter().map(|r| r.as_str()))?;
        row.append_child(&field(doc, "redirect", "Redirect", &redirect)?)?;
        element.append_child(&row)?;

        let fieldset = el(doc, "fieldset")?
            .text_child("legend", "Request headers")?
            .build();
        let headers = el(doc, "div")?.attr(Attr::Id, "headers")?.build();
        let add_header: HtmlButtonElement = button(doc, "add-header", "Add header")?;
        fieldset.append_child(&headers)?;
        fieldset.append_child(&add_header)?;
        fieldset.append_child(&error_slot(doc, "headers")?)?;
        element.append_child(&fieldset)?;

        let body_type = select(doc, "body-type", BODY_TYPES.iter().map(|(label, _)| *label))?;
        element.append_child(&field(
            doc,
            "body-type",
            "Body type (sets Content-Type)",
            &body_type,
        )?)?;
        let body: HtmlTextAreaElement = dom::create(doc, "textarea")?;
        body.set_id("body");
        body.set_rows(3);
        body.set_attribute(Attr::Spellcheck.name(), "false")?;
        element.append_child(&field(doc, "body", "Body", &body)?)?;

        let row = el(doc, "div")?.class("row")?.build();
        let timeout: HtmlInputElement = input(doc, "timeout", "number")?;
        timeout.set_value("10");
        timeout.set_attribute(Attr::Min.name(), "0.1")?;
        timeout.set_attribute(Attr::Max.name(), "120")?;
        timeout.set_attribute(Attr::Step.name(), "any")?;
        row.append_child(&field(doc, "timeout", "Timeout (seconds)", &timeout)?)?;
        let app_origin: HtmlInputElement = input(doc, "app-origin", "url")?;
        app_origin.set_placeholder("https://myapp.example (for curl)");
        row.append_child(&field(doc, "app-origin", "Your app's origin", &app_origin)?)?;
        element.append_child(&row)?;

        let cache_bust = checkbox(
            doc,
            &element,
            "cache-bust",
            "Avoid the preflight cache (adds a unique query parameter)",
            true,
        )?;
        let may_repeat = checkbox(
            doc,
            &element,
            "may-repeat",
            "Probes may repeat my request (non-safe method or body)",
            false,
        )?;

        let actions = el(doc, "div")?.class("actions")?.build();
        let run: HtmlButtonElement = button(doc, "run", "Run")?;
        run.set_type("submit");
        let copy_link: HtmlButtonElement = button(doc, "copy-link", "Copy link")?;
        actions.append_child(&run)?;
        actions.append_child(&copy_link)?;
        element.append_child(&actions)?;
        let link_status = el(doc, "p")?
            .attr(Attr::Id, "link-status")?
            .class("note")?
            .build();
        element.append_child(&link_status)?;
        let notices = el(doc, "ul")?
            .attr(Attr::Id, "notices")?
            .class("notices")?
            .build();
        element.append_child(&notices)?;
        let classification = el(doc, "div")?
            .attr(Attr::Id, "classification")?
            .class("classification")?
            .build();
        element.append_child(&classification)?;
        parent.append_child(&element)?;

        Ok(Form {
            element,
            url,
            method,
            mode,
            credentials,
            redirect,
            headers,
            add_header,
            body_type,
            body,
            timeout,
            cache_bust,
            may_repeat,
            app_origin,
            copy_link,
            classification,
            link_status,
            notices,
        })
    }

    /// Reads the form into a permalink state (its `stack` is the caller's), or names the field that
    /// cannot be read.
    pub fn read(&self) -> Result<FormState, FieldError> {
        Ok(FormState {
            url: self.url.value().trim().to_string(),
            method: self.method.value().trim().to_string(),
            mode: Mode::parse(&self.mode.value()).unwrap_or_default(),
            credentials: Credentials::parse(&self.credentials.value()).unwrap_or_default(),
            redirect: Redirect::parse(&self.redirect.value()).unwrap_or_default(),
            headers: self.header_rows(),
            body: Some(self.body.value()).filter(|b| !b.is_empty()),
            timeout_ms: self.timeout_ms()?,
            run: false,
            cache_bust: self.cache_bust.checked(),
            may_repeat: self.may_repeat.checked(),
            app_origin: self.app_origin()?,
            stack: None,
        })
    }

    /// The timeout in milliseconds, or an error for the timeout field.
    fn timeout_ms(&self) -> Result<u32, FieldError> {
        match parse_seconds(&self.timeout.value()) {
            Some(ms) if TIMEOUT_RANGE_MS.contains(&ms) => Ok(ms),
            _ => Err((
                "timeout",
                format!(
                    "The timeout is a number of seconds from {} to {}.",
                    seconds(*TIMEOUT_RANGE_MS.start()),
                    seconds(*TIMEOUT_RANGE_MS.end())
                ),
            )),
        }
    }

    /// The app origin for the curl commands: empty is none; anything else must be an origin.
    fn app_origin(&self) -> Result<Option<String>, FieldError> {
        let value = self.app_origin.value().trim().to_string();
        if value.is_empty() {
            return Ok(None);
        }
        match Origin::parse(&value) {
            Ok(_) => Ok(Some(value)),
            Err(e) => Err(("app-origin", format!("Not an origin: {}.", e.reason()))),
        }
    }

    /// Fills the form from a permalink state.
    pub fn fill(&self, doc: &Document, state: &FormState) -> Result<(), JsValue> {
        self.url.set_value(&state.url);
        self.method.set_value(&state.method);
        self.mode.set_value(state.mode.as_str());
        self.credentials.set_value(state.credentials.as_str());
        self.redirect.set_value(state.redirect.as_str());
        self.headers.set_text_content(None);
        for row in &state.headers {
            self.add_header_row(doc, row)?;
        }
        self.body.set_value(state.body.as_deref().unwrap_or(""));
        self.timeout.set_value(&seconds(state.timeout_ms));
        self.cache_bust.set_checked(state.cache_bust);
        self.may_repeat.set_checked(state.may_repeat);
        self.app_origin
            .set_value(state.app_origin.as_deref().unwrap_or(""));
        Ok(())
    }

    /// Appends a header row.
    pub fn add_header_row(&self, doc: &Document, header: &HeaderRow) -> Result<(), JsValue> {
        let row = el(doc, "div")?.class("header-row")?.build();
        let enabled: HtmlInputElement = dom::create(doc, "input")?;
        enabled.set_type("checkbox");
        enabled.set_checked(header.enabled);
        enabled.set_class_name("h-on");
        enabled.set_attribute(Attr::AriaLabel.name(), "send this header")?;
        let name_input: HtmlInputElement = dom::create(doc, "input")?;
        name_input.set_class_name("h-name");
        name_input.set_value(&header.name);
        name_input.set_placeholder("Name");
        name_input.set_attribute(Attr::AriaLabel.name(), "header name")?;
        name_input.set_attribute(Attr::Spellcheck.name(), "false")?;
        let value_input: HtmlInputElement = dom::create(doc, "input")?;
        value_input.set_class_name("h-value");
        value_input.set_value(&header.value);
        value_input.set_placeholder("Value");
        value_input.set_attribute(Attr::AriaLabel.name(), "header value")?;
        value_input.set_attribute(Attr::Spellcheck.name(), "false")?;
        let remove = el(doc, "button")?
            .attr(Attr::Type, "button")?
            .attr(Attr::DataMark, "remove-header")?
            .attr(Attr::AriaLabel, "remove header")?
            .text("✕")
            .build();
        for child in [
            enabled.as_ref(),
            name_input.as_ref(),
            value_input.as_ref(),
            &remove,
        ] {
            row.append_child(child)?;
        }
        self.headers.append_child(&row)?;
        Ok(())
    }

    /// Sets (or removes) the Content-Type header row to match the body preset.
    pub fn apply_body_type(&self, doc: &Document) -> Result<(), JsValue> {
        let chosen = self.body_type.value();
        let content_type = BODY_TYPES
            .iter()
            .find(|(label, _)| *label == chosen)
            .and_then(|(_, ct)| *ct);
        let rows = self.headers.children();
        for i in (0..rows.length()).rev() {
            let Some(row) = rows.item(i) else { continue };
            if row_input(&row, ".h-name")
                .is_some_and(|n| n.value().eq_ignore_ascii_case("content-type"))
            {
                row.remove();
            }
        }
        if let Some(content_type) = content_type {
            let row = HeaderRow {
                name: String::from("Content-Type"),
                value: content_type.to_string(),
                enabled: true,
            };
            self.add_header_row(doc, &row)?;
        }
        Ok(())
    }

    /// The header rows, enabled or not, skipping rows left entirely blank.
    fn header_rows(&self) -> Vec<HeaderRow> {
        let rows = self.headers.children();
        (0..rows.length())
            .filter_map(|i| rows.item(i))
            .filter_map(|row| {
                Some(HeaderRow {
                    name: row_input(&row, ".h-name")?.value().trim().to_string(),
                    value: row_input(&row, ".h-value")?.value(),
                    enabled: row_input(&row, ".h-on")?.checked(),
                })
            })
            .filter(|row| !row.name.is_empty() || !row.value.is_empty())
            .collect()
    }

    /// Shows `message` next to `field` (and clears every other field's message). A field the form does
    /// not have (the page's own origin) shows next to the URL.
    pub fn show_field_error(&self, error: Option<(&str, &str)>) {
        let error = error.map(|(field, message)| {
            (
                FIELDS
                    .iter()
                    .find(|f| **f == field)
                    .copied()
                    .unwrap_or("url"),
                message,
            )
        });
        for name in FIELDS {
            let Ok(Some(slot)) = self.element.query_selector(&format!("#{name}-error")) else {
                continue;
            };
            let message = error.filter(|(f, _)| *f == name).map(|(_, m)| m);
            slot.set_text_content(message);
            let _ = dom::set_hidden(&slot, message.is_none());
        }
    }
}

/// Milliseconds as seconds for people: `10000` → `"10"`, `2500` → `"2.5"`. Integer arithmetic only: float
/// formatting would add kilobytes of WASM for one field.
pub fn seconds(ms: u32) -> String {
    let (whole, frac) = (ms / 1000, ms % 1000);
    if frac == 0 {
        return whole.to_string();
    }
    let frac = format!("{frac:03}");
    format!("{whole}.{}", frac.trim_end_matches('0'))
}

/// Seconds as typed (`"10"`, `"0.5"`, `"2.25"`) to milliseconds; `None` for anything else or more than
/// millisecond precision.
fn parse_seconds(text: &str) -> Option<u32> {
    let text = text.trim();
    let (whole, frac) = text.split_once('.').unwrap_or((text, ""));
    if (whole.is_empty() && frac.is_empty()) || frac.len() > 3 {
        return None;
    }
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if !digits(whole) || !digits(frac) {
        return None;
    }
    let whole: u32 = if whole.is_empty() {
        0
    } else {
        whole.parse().ok()?
    };
    let frac: u32 = if frac.is_empty() {
        0
    } else {
        format!("{frac:0<3}").parse().ok()?
    };
    whole.checked_mul(1000)?.checked_add(frac)
}

fn row_input(row: &Element, selector: &str) -> Option<HtmlInputElement> {
    row.query_selector(selector)
        .ok()
        .flatten()
        .and_then(|e| e.dyn_into::<HtmlInputElement>().ok())
}

fn input(doc: &Document, id: &str, kind: &str) -> Result<HtmlInputElement, JsValue> {
    let input: HtmlInputElement = dom::create(doc, "input")?;
    input.set_id(id);
    input.set_type(kind);
    Ok(input)
}

fn button(doc: &Document, id: &str, label: &str) -> Result<HtmlButtonElement, JsValue> {
    let button: HtmlButtonElement = dom::create(doc, "button")?;
    button.set_id(id);
    button.set_type("button");
    button.set_text_content(Some(label));
    Ok(button)
}

fn select<'a>(
    doc: &Document,
    id: &str,
    options: impl Iterator<Item = &'a str>,
) -> Result<HtmlSelectElement, JsValue> {
    let select: HtmlSelectElement = dom::create(doc, "select")?;
    select.set_id(id);
    for option in options {
        let element = el(doc, "option")?
            .attr(Attr::Value, option)?
            .text(option)
            .build();
        select.append_child(&element)?;
    }
    Ok(select)
}

fn checkbox(
    doc: &Document,
    parent: &Element,
    id: &str,
    label: &str,
    checked: bool,
) -> Result<HtmlInputElement, JsValue> {
    let input = input(doc, id, "checkbox")?;
    input.set_checked(checked);
    let wrapper = el(doc, "label")?.class("check")?.child(&input)?.build();
    wrapper.append_child(&el(doc, "span")?.text(&format!(" {label}")).build())?;
    parent.append_child(&wrapper)?;
    Ok(input)
}

/// A labelled field with its error slot.
fn field(doc: &Document, id: &str, label: &str, control: &Element) -> Result<Node, JsValue> {
    control.set_attribute(Attr::AriaDescribedBy.name(), &format!("{id}-error"))?;
    el(doc, "div")?
        .class("field")?
        .child(&el(doc, "label")?.attr(Attr::For, id)?.text(label).build())?
        .child(control)?
        .child(&error_slot(doc, id)?)
        .map(|b| b.build().into())
}

fn error_slot(doc: &Document, id: &str) -> Result<Node, JsValue> {
    Ok(el(doc, "p")?
        .attr(Attr::Id, &format!("{id}-error"))?
        .class("field-error")?
        .attr(Attr::Role, "alert")?
        .attr(Attr::Hidden, "")?
        .build()
        .into())
}
