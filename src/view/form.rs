//! The request form: built once, read into a permalink `FormState`, filled from one.

use corscope_model::{Credentials, Mode, Redirect};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{
    Document, Element, HtmlButtonElement, HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement,
};

use crate::dom::{self, el, Attr, Layout};
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
    /// Builds the form under `parent`: the elements of [`LAYOUT`] in one loop, then the options, the
    /// properties and the origin.
    pub fn build(doc: &Document, parent: &Element, origin: &str) -> Result<Form, JsValue> {
        let named = dom::build_layout(doc, LAYOUT)?;
        let form =
            handles(&named).ok_or_else(|| JsValue::from_str("the form layout lacks an element"))?;
        if let Some(page_origin) = dom::by_id(&named, "page-origin") {
            page_origin.set_text_content(Some(origin));
        }
        if let Some(datalist) = dom::by_id(&named, "methods") {
            add_options(doc, &datalist, METHODS.into_iter(), false)?;
        }
        add_options(doc, &form.mode, Mode::ALL.iter().map(|m| m.as_str()), true)?;
        add_options(
            doc,
            &form.credentials,
            Credentials::ALL.iter().map(|c| c.as_str()),
            true,
        )?;
        add_options(
            doc,
            &form.redirect,
            Redirect::ALL.iter().map(|r| r.as_str()),
            true,
        )?;
        add_options(
            doc,
            &form.body_type,
            BODY_TYPES.iter().map(|(label, _)| *label),
            true,
        )?;
        form.url.set_placeholder("https://api.example.com/v1/items");
        form.body.set_rows(3);
        form.app_origin
            .set_placeholder("https://myapp.example (for curl)");
        form.cache_bust.set_checked(true);
        parent.append_child(&form.element)?;
        Ok(form)
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

/// The attributes of an error slot, shown next to a field by [`Form::show_field_error`].
macro_rules! slot {
    ($id:literal) => {
        &[
            (Attr::Id, $id),
            (Attr::Class, "field-error"),
            (Attr::Role, "alert"),
            (Attr::Hidden, ""),
        ]
    };
}

/// The form's elements in document order (see [`Layout`]); depth 0 is the form itself.
#[rustfmt::skip]
const LAYOUT: Layout = &[
    (0, "form", &[(Attr::Id, "request-form"), (Attr::AriaLabel, "Request")], ""),
      (1, "p", &[(Attr::Class, "origin")], ""),
        (2, "span", &[], "requests are sent from "),
        (2, "strong", &[(Attr::Id, "page-origin")], ""),
      (1, "div", &[(Attr::Class, "field")], ""),
        (2, "label", &[(Attr::For, "url")], "URL"),
        (2, "input", &[(Attr::Id, "url"), (Attr::Type, "url"), (Attr::Autocomplete, "url"), (Attr::Spellcheck, "false"), (Attr::AriaDescribedBy, "url-error")], ""),
        (2, "p", slot!("url-error"), ""),
      (1, "div", &[(Attr::Class, "row")], ""),
        (2, "div", &[(Attr::Class, "field")], ""),
          (3, "label", &[(Attr::For, "method")], "Method"),
          (3, "input", &[(Attr::Id, "method"), (Attr::Type, "text"), (Attr::Value, "GET"), (Attr::List, "methods"), (Attr::Spellcheck, "false"), (Attr::AriaDescribedBy, "method-error")], ""),
          (3, "p", slot!("method-error"), ""),
        (2, "datalist", &[(Attr::Id, "methods")], ""),
        (2, "div", &[(Attr::Class, "field")], ""),
          (3, "label", &[(Attr::For, "mode")], "Mode"),
          (3, "select", &[(Attr::Id, "mode"), (Attr::AriaDescribedBy, "mode-error")], ""),
          (3, "p", slot!("mode-error"), ""),
        (2, "div", &[(Attr::Class, "field")], ""),
          (3, "label", &[(Attr::For, "credentials")], "Credentials"),
          (3, "select", &[(Attr::Id, "credentials"), (Attr::AriaDescribedBy, "credentials-error")], ""),
          (3, "p", slot!("credentials-error"), ""),
        (2, "div", &[(Attr::Class, "field")], ""),
          (3, "label", &[(Attr::For, "redirect")], "Redirect"),
          (3, "select", &[(Attr::Id, "redirect"), (Attr::AriaDescribedBy, "redirect-error")], ""),
          (3, "p", slot!("redirect-error"), ""),
      (1, "fieldset", &[], ""),
        (2, "legend", &[], "Request headers"),
        (2, "div", &[(Attr::Id, "headers")], ""),
        (2, "button", &[(Attr::Id, "add-header"), (Attr::Type, "button")], "Add header"),
        (2, "p", slot!("headers-error"), ""),
      (1, "div", &[(Attr::Class, "field")], ""),
        (2, "label", &[(Attr::For, "body-type")], "Body type (sets Content-Type)"),
        (2, "select", &[(Attr::Id, "body-type"), (Attr::AriaDescribedBy, "body-type-error")], ""),
        (2, "p", slot!("body-type-error"), ""),
      (1, "div", &[(Attr::Class, "field")], ""),
        (2, "label", &[(Attr::For, "body")], "Body"),
        (2, "textarea", &[(Attr::Id, "body"), (Attr::Spellcheck, "false"), (Attr::AriaDescribedBy, "body-error")], ""),
        (2, "p", slot!("body-error"), ""),
      (1, "div", &[(Attr::Class, "row")], ""),
        (2, "div", &[(Attr::Class, "field")], ""),
          (3, "label", &[(Attr::For, "timeout")], "Timeout (seconds)"),
          (3, "input", &[(Attr::Id, "timeout"), (Attr::Type, "number"), (Attr::Value, "10"), (Attr::Min, "0.1"), (Attr::Max, "120"), (Attr::Step, "any"), (Attr::AriaDescribedBy, "timeout-error")], ""),
          (3, "p", slot!("timeout-error"), ""),
        (2, "div", &[(Attr::Class, "field")], ""),
          (3, "label", &[(Attr::For, "app-origin")], "Your app's origin"),
          (3, "input", &[(Attr::Id, "app-origin"), (Attr::Type, "url"), (Attr::AriaDescribedBy, "app-origin-error")], ""),
          (3, "p", slot!("app-origin-error"), ""),
      (1, "label", &[(Attr::Class, "check")], ""),
        (2, "input", &[(Attr::Id, "cache-bust"), (Attr::Type, "checkbox")], ""),
        (2, "span", &[], " Avoid the preflight cache (adds a unique query parameter)"),
      (1, "label", &[(Attr::Class, "check")], ""),
        (2, "input", &[(Attr::Id, "may-repeat"), (Attr::Type, "checkbox")], ""),
        (2, "span", &[], " Probes may repeat my request (non-safe method or body)"),
      (1, "div", &[(Attr::Class, "actions")], ""),
        (2, "button", &[(Attr::Id, "run"), (Attr::Type, "submit")], "Run"),
        (2, "button", &[(Attr::Id, "copy-link"), (Attr::Type, "button")], "Copy link"),
      (1, "p", &[(Attr::Id, "link-status"), (Attr::Class, "note")], ""),
      (1, "ul", &[(Attr::Id, "notices"), (Attr::Class, "notices")], ""),
      (1, "div", &[(Attr::Id, "classification"), (Attr::Class, "classification")], ""),
];

/// The typed handles on the built form; `None` if the layout lacks one.
fn handles(named: &[(&str, Element)]) -> Option<Form> {
    let find = |id: &str| dom::by_id(named, id);
    Some(Form {
        element: find("request-form")?,
        url: find("url")?.unchecked_into(),
        method: find("method")?.unchecked_into(),
        mode: find("mode")?.unchecked_into(),
        credentials: find("credentials")?.unchecked_into(),
        redirect: find("redirect")?.unchecked_into(),
        headers: find("headers")?,
        add_header: find("add-header")?.unchecked_into(),
        body_type: find("body-type")?.unchecked_into(),
        body: find("body")?.unchecked_into(),
        timeout: find("timeout")?.unchecked_into(),
        cache_bust: find("cache-bust")?.unchecked_into(),
        may_repeat: find("may-repeat")?.unchecked_into(),
        app_origin: find("app-origin")?.unchecked_into(),
        copy_link: find("copy-link")?.unchecked_into(),
        classification: find("classification")?,
        link_status: find("link-status")?,
        notices: find("notices")?,
    })
}

/// Appends an `option` per value to a `select` or `datalist` (with the value as its text when `label`).
fn add_options<'a>(
    doc: &Document,
    list: &Element,
    values: impl Iterator<Item = &'a str>,
    label: bool,
) -> Result<(), JsValue> {
    for value in values {
        let option = doc.create_element("option")?;
        option.set_attribute(Attr::Value.name(), value)?;
        if label {
            option.set_text_content(Some(value));
        }
        list.append_child(&option)?;
    }
    Ok(())
}
