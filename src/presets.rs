//! One-click presets read from the local lab's `GET /scenarios` catalogue. Fetched only when the user
//! opens the presets, so the page contacts nothing on start.

use std::rc::Rc;

use corscope_model::{Credentials, Mode, RequestSpec};
use wasm_bindgen::JsValue;
use web_sys::{Document, Element};

use crate::app::Page;
use crate::dom::{self, el, get_prop, Attr};
use crate::fetch::{self, FetchOutcome};
use corscope_model::permalink::{self, FormState, HeaderRow};

/// Where the lab listens: `corscope-lab --port 8787`, or `CORSCOPE_LAB_URL` at build time.
pub const LAB_URL: &str = match option_env!("CORSCOPE_LAB_URL") {
    Some(url) => url,
    None => "http://127.0.0.1:8787",
};

/// The collapsed presets box.
pub fn build(doc: &Document, parent: &Element) -> Result<Element, JsValue> {
    let details = el(doc, "details")?
        .attr(Attr::Id, "presets")?
        .text_child(
            "summary",
            &format!("Presets from the local lab ({LAB_URL})"),
        )?
        .child(&el(doc, "ul")?.attr(Attr::Id, "preset-list")?.build())?
        .build();
    parent.append_child(&details)?;
    Ok(details)
}

/// On first opening: fetch the catalogue and list it.
pub fn opened(page: &Rc<Page>) {
    if !page.presets.has_attribute("open") || page.presets.has_attribute("data-state") {
        return;
    }
    let _ = page.presets.set_attribute("data-state", "loading");
    let page = Rc::clone(page);
    wasm_bindgen_futures::spawn_local(async move {
        let items = match load().await {
            Ok(items) => items,
            Err(message) => vec![(String::new(), message, String::new())],
        };
        if show(&page, &items).is_ok() {
            let _ = page.presets.set_attribute("data-state", "loaded");
        }
    });
}

/// (fragment, label, expected) per scenario, or why the catalogue could not be read.
async fn load() -> Result<Vec<(String, String, String)>, String> {
    let spec = RequestSpec {
        origin: crate::page_origin(),
        url: format!("{LAB_URL}/scenarios"),
        method: String::from("GET"),
        credentials: Credentials::Omit,
        ..RequestSpec::default()
    };
    let fetched = fetch::send(&spec, 5_000).await;
    let text = match fetched.outcome {
        FetchOutcome::Response(r) if r.kind.is_readable() && !r.body.truncated => r.body.text,
        _ => {
            return Err(format!(
                "The lab is not answering at {LAB_URL}: start it with `cargo run -p corscope-lab -- --port 8787`."
            ))
        }
    };
    let json =
        js_sys::JSON::parse(&text).map_err(|_| String::from("The lab's catalogue is not JSON."))?;
    let list = get_prop(&json, "scenarios").unwrap_or(json);
    Ok(js_sys::Array::from(&list)
        .iter()
        .filter_map(|entry| scenario(&entry))
        .collect())
}

fn show(page: &Page, items: &[(String, String, String)]) -> Result<(), JsValue> {
    let doc = &page.doc;
    let mut rows = Vec::new();
    for (fragment, label, expected) in items {
        if fragment.is_empty() {
            rows.push(el(doc, "li")?.text(label).build());
            continue;
        }
        let button = el(doc, "button")?
            .attr(Attr::Type, "button")?
            .attr(Attr::DataMark, "preset")?
            .attr(Attr::Title, fragment)?
            .text(label)
            .build();
        rows.push(
            el(doc, "li")?
                .child(&button)?
                .text_child("span", expected)?
                .build(),
        );
    }
    let Ok(Some(list)) = page.presets.query_selector("#preset-list") else {
        return Err(JsValue::from_str("preset list missing"));
    };
    dom::replace_children(&list, &rows)
}

fn text(value: &JsValue, name: &str) -> Option<String> {
    get_prop(value, name).and_then(|v| v.as_string())
}

/// One catalogue entry as (fragment, label, expected verdict). The catalogue is the lab's own
/// (`crates/lab/src/catalogue.rs`), so only its shape is read: `name`, `description`, `path`,
/// `expected.cors_error` (or `expected.outcome`) and `request`.
fn scenario(entry: &JsValue) -> Option<(String, String, String)> {
    let name = text(entry, "name")?;
    let label = match text(entry, "description") {
        Some(description) => format!("{name}: {description}"),
        None => name,
    };
    let expected = get_prop(entry, "expected")
        .and_then(|e| text(&e, "cors_error").or_else(|| text(&e, "outcome")))
        .map(|e| format!(" → {e}"))
        .unwrap_or_default();
    let url = format!("{LAB_URL}{}", text(entry, "path")?);
    let state = request_state(&get_prop(entry, "request")?, url);
    Some((permalink::serialize(&state), label, expected))
}

/// A catalogue `request` object (`method`, `mode`, `credentials`, `headers` as `[name, value]` pairs,
/// `body`) as form state.
fn request_state(request: &JsValue, url: String) -> FormState {
    let headers = get_prop(request, "headers")
        .map(|h| js_sys::Array::from(&h))
        .unwrap_or_default();
    FormState {
        url,
        method: text(request, "method").unwrap_or_else(|| String::from("GET")),
        mode: text(request, "mode")
            .and_then(|m| Mode::parse(&m))
            .unwrap_or_default(),
        credentials: text(request, "credentials")
            .and_then(|c| Credentials::parse(&c))
            .unwrap_or_default(),
        headers: headers
            .iter()
            .filter_map(|pair| {
                let pair = js_sys::Array::from(&pair);
                Some(HeaderRow {
                    name: pair.get(0).as_string()?,
                    value: pair.get(1).as_string()?,
                    enabled: true,
                })
            })
            .collect(),
        body: text(request, "body"),
        ..FormState::default()
    }
}
