//! Hostile text through the real page (issue 7, point 2): payloads from the usual XSS lists arrive in a
//! response body, an exposed header value, the status text, a redirect's `Location`, an
//! `Access-Control-Allow-Origin` value, the permalink fragment, the copy-link text and the paste boxes.
//!
//! Each run is watched by a `MutationObserver` on the app's root (so even an element created and removed
//! again is seen) and checked afterwards: the global canary `window.__corscope_canary`, which every payload
//! tries to set, stays unset; every element created is one the page itself builds, with only the page's
//! own attributes; no attribute value carries the payload; text containing the payload sits only in the
//! page's text elements; and, where the page shows the value, it shows it verbatim (markup that had been
//! parsed would be missing from `textContent`). app.rs has the first, narrower XSS checks; these extend
//! them to every carrier.

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::rc::Rc;

use js_sys::{Array, Object, Reflect};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::wasm_bindgen_test;
use web_sys::{Element, Event, HtmlInputElement, Node};

use super::serde_json_lite::Json;
use super::{assert_no_panic, click, lab_url, set_hash, sleep, Mounted};

/// The global every payload tries to set.
const CANARY: &str = "__corscope_canary";
/// In every payload, so the text can be found wherever it lands.
const MARK: &str = "hq7mark";

/// The tags the page builds (src/view, src/presets.rs).
const PAGE_TAGS: &[&str] = &[
    "button", "code", "datalist", "details", "div", "fieldset", "form", "h2", "h3", "input",
    "label", "legend", "li", "ol", "option", "p", "pre", "script", "section", "select", "span",
    "strong", "summary", "textarea", "ul",
];
/// The attributes the page sets (the closed `dom::Attr` list, the typed setters, the panic mark).
const PAGE_ATTRS: &[&str] = &[
    "id",
    "class",
    "type",
    "for",
    "value",
    "title",
    "role",
    "aria-live",
    "aria-label",
    "aria-describedby",
    "data-state",
    "data-mark",
    "list",
    "min",
    "max",
    "step",
    "autocomplete",
    "spellcheck",
    "hidden",
    "rows",
    "placeholder",
    "checked",
    "open",
];
/// The elements whose own text may hold server or user text (besides `div#announce`, the live region
/// that repeats the headline).
const TEXT_TAGS: &[&str] = &[
    "p", "li", "code", "pre", "span", "strong", "script", "textarea",
];

/// The payloads: each sets the canary if it ever runs as script, and carries [`MARK`].
fn payloads() -> Vec<(&'static str, String)> {
    let set = |how: &str| format!("window.{CANARY}='{how}'");
    vec![
        (
            "script",
            format!("<script>{}</script>{MARK}", set("script")),
        ),
        (
            "img-onerror",
            format!("<img src=x onerror=\"{}\">{MARK}", set("img")),
        ),
        (
            "svg-onload",
            format!("<svg onload=\"{}\"><circle r=1 /></svg>{MARK}", set("svg")),
        ),
        (
            "javascript-url",
            format!("javascript:{}//{MARK}", set("js")),
        ),
        (
            "entities",
            format!(
                "&lt;script&gt;{}&lt;/script&gt;&#x3C;img src=x onerror={}&#x3E;{MARK}",
                set("entity"),
                set("hex-entity")
            ),
        ),
        (
            "attribute-break",
            format!(
                "\"'><iframe srcdoc=\"<script>parent.{CANARY}='iframe'</script>\"></iframe>{MARK}"
            ),
        ),
    ]
}

/// U+202E (right-to-left override) before the mark and an event handler.
fn rtl_payload() -> String {
    format!("\u{202e}{MARK}gnp.exe<img src=x onerror=\"window.{CANARY}='rtl'\">")
}

/// NUL bytes around a script tag (only a body can carry them: no header or status line may).
fn nul_payload() -> String {
    format!("\0<script>window.{CANARY}='nul'</script>\0{MARK}\0")
}

/// `encodeURIComponent`, as query strings and permalinks need.
fn enc(text: &str) -> String {
    String::from(js_sys::encode_uri_component(text))
}

/// How a browser shows a header value sent as UTF-8 bytes: each byte as one Latin-1 character.
fn latin1_of_utf8(text: &str) -> String {
    text.bytes().map(char::from).collect()
}

fn text(page: &Mounted, id: &str) -> String {
    page.find(id).text_content().unwrap_or_default()
}

fn canary() -> JsValue {
    Reflect::get(&js_sys::global(), &JsValue::from_str(CANARY)).unwrap()
}

fn reset_canary() {
    Reflect::delete_property(&js_sys::global().unchecked_into::<Object>(), &CANARY.into()).unwrap();
}

/// Every element added under a root, and every attribute set there, while it watches.
struct Watch {
    observer: JsValue,
    seen: Rc<RefCell<Vec<String>>>,
    _callback: Closure<dyn FnMut(Array)>,
}

impl Watch {
    fn start(root: &Element) -> Watch {
        let seen = Rc::new(RefCell::new(Vec::new()));
        let sink = Rc::clone(&seen);
        let callback = Closure::<dyn FnMut(Array)>::new(move |records: Array| {
            record(&sink, &records);
        });
        let constructor: js_sys::Function =
            Reflect::get(&js_sys::global(), &"MutationObserver".into())
                .unwrap()
                .dyn_into()
                .unwrap();
        let observer =
            Reflect::construct(&constructor, &Array::of1(callback.as_ref().unchecked_ref()))
                .unwrap();
        let options = Object::new();
        for key in ["childList", "subtree", "attributes"] {
            Reflect::set(&options, &key.into(), &JsValue::TRUE).unwrap();
        }
        call(&observer, "observe", &[root.into(), options.into()]);
        Watch {
            observer,
            seen,
            _callback: callback,
        }
    }

    /// What was seen so far: `<tag attr…>` for added elements (and each of their descendants), `@attr`
    /// for attributes set later.
    fn seen(&self) -> Vec<String> {
        let pending: Array = call(&self.observer, "takeRecords", &[]).unchecked_into();
        record(&self.seen, &pending);
        self.seen.borrow().clone()
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        call(&self.observer, "disconnect", &[]);
    }
}

fn call(target: &JsValue, method: &str, args: &[JsValue]) -> JsValue {
    let function: js_sys::Function = Reflect::get(target, &method.into())
        .unwrap()
        .dyn_into()
        .unwrap();
    let args: Array = args.iter().collect();
    function.apply(target, &args).unwrap()
}

fn record(sink: &Rc<RefCell<Vec<String>>>, records: &Array) {
    let mut sink = sink.borrow_mut();
    for mutation in records.iter() {
        let kind = Reflect::get(&mutation, &"type".into()).unwrap().as_string();
        if kind.as_deref() == Some("attributes") {
            let name = Reflect::get(&mutation, &"attributeName".into()).unwrap();
            sink.push(format!("@{}", name.as_string().unwrap_or_default()));
            continue;
        }
        let added = Array::from(&Reflect::get(&mutation, &"addedNodes".into()).unwrap());
        for node in added.iter() {
            let Some(element) = node.dyn_ref::<Element>() else {
                continue;
            };
            sink.push(describe(element));
            let inner = element.query_selector_all("*").unwrap();
            for i in 0..inner.length() {
                let child: Element = inner.item(i).unwrap().dyn_into().unwrap();
                sink.push(describe(&child));
            }
        }
    }
}

/// `tag attr attr…`, lowercase.
fn describe(element: &Element) -> String {
    let mut out = element.tag_name().to_ascii_lowercase();
    for name in element.get_attribute_names().iter() {
        out.push(' ');
        out.push_str(&name.as_string().unwrap_or_default());
    }
    out
}

/// The checks every hostile run ends with (see the module doc).
async fn assert_inert(page: &Mounted, watch: &Watch, label: &str) {
    // Long enough for an `onerror` of a broken image or an `onload` to have fired.
    sleep(40).await;
    let ran = canary();
    assert!(ran.is_undefined(), "{label}: a payload ran ({ran:?})");
    let mut tags = BTreeSet::new();
    for entry in watch.seen() {
        if let Some(attribute) = entry.strip_prefix('@') {
            assert!(
                PAGE_ATTRS.contains(&attribute),
                "{label}: attribute {attribute} set"
            );
            continue;
        }
        let mut words = entry.split(' ');
        let tag = words.next().unwrap_or_default().to_string();
        assert!(
            PAGE_TAGS.contains(&tag.as_str()),
            "{label}: <{entry}> created"
        );
        for attribute in words {
            assert!(
                PAGE_ATTRS.contains(&attribute),
                "{label}: <{entry}> created"
            );
        }
        tags.insert(tag);
    }
    let all = page.root.query_selector_all("*").unwrap();
    let mut holders = 0;
    for i in 0..all.length() {
        let element: Element = all.item(i).unwrap().dyn_into().unwrap();
        let tag = element.tag_name().to_ascii_lowercase();
        assert!(
            PAGE_TAGS.contains(&tag.as_str()),
            "{label}: <{tag}> present"
        );
        for name in element.get_attribute_names().iter() {
            let name = name.as_string().unwrap();
            assert!(
                PAGE_ATTRS.contains(&name.as_str()),
                "{label}: <{tag} {name}> present"
            );
            let value = element.get_attribute(&name).unwrap_or_default();
            assert!(
                !value.contains(MARK),
                "{label}: the payload reached attribute {name} of <{tag}>: {value:?}"
            );
        }
        if own_text(&element).contains(MARK) {
            holders += 1;
            assert!(
                TEXT_TAGS.contains(&tag.as_str()) || element.id() == "announce",
                "{label}: the payload is the text of a <{tag}> (in #{}): {:?}",
                element
                    .closest("[id]")
                    .ok()
                    .flatten()
                    .map(|e| e.id())
                    .unwrap_or_default(),
                own_text(&element)
            );
        }
    }
    assert_eq!(
        page.count("script"),
        1,
        "{label}: only #report-json is a script"
    );
    web_sys::console::log_1(
        &format!("{label}: inert; created {tags:?}; {holders} elements hold the mark as text")
            .into(),
    );
    assert_no_panic();
}

/// The text of an element's own text-node children.
fn own_text(element: &Element) -> String {
    let children = element.child_nodes();
    let mut out = String::new();
    for i in 0..children.length() {
        let node = children.item(i).unwrap();
        if node.node_type() == Node::TEXT_NODE {
            out.push_str(&node.text_content().unwrap_or_default());
        }
    }
    out
}

/// The page's stylesheet (style.css, which the test runner's page does not load), applied until dropped.
struct PageStyle(Element);

impl PageStyle {
    fn load() -> PageStyle {
        let doc = super::document();
        let style = doc.create_element("style").unwrap();
        style.set_text_content(Some(include_str!("../../style.css")));
        doc.body().unwrap().append_child(&style).unwrap();
        PageStyle(style)
    }
}

impl Drop for PageStyle {
    fn drop(&mut self) {
        self.0.remove();
    }
}

/// The element's computed `unicode-bidi` isolates its text (`isolate` or `plaintext`), so bidi controls
/// in it (U+202E) cannot reorder the text around it.
fn assert_isolated(element: &Element, label: &str) {
    let window: JsValue = web_sys::window().unwrap().into();
    let style = call(&window, "getComputedStyle", &[element.into()]);
    let bidi = Reflect::get(&style, &"unicodeBidi".into())
        .unwrap()
        .as_string()
        .unwrap_or_default();
    assert!(
        bidi == "isolate" || bidi == "plaintext",
        "{label}: unicode-bidi is {bidi:?}"
    );
}

/// Mounts the page, starts watching, and runs `url` with the extra fragment fields `extra` (`&k=v…`).
async fn run(url: &str, extra: &str) -> (Mounted, Watch, Json) {
    let page = Mounted::mount();
    let watch = Watch::start(&page.root);
    reset_canary();
    set_hash(&format!("url={}{extra}&run=1", enc(url)));
    let json = page.wait_done(12_000).await;
    (page, watch, json)
}

/// Every payload of [`payloads`] in one text, separated by spaces (one run carries them all: the suite
/// must fit in the test runner's time budget).
fn all_payloads() -> String {
    payloads()
        .into_iter()
        .map(|(_, text)| text)
        .collect::<Vec<_>>()
        .join(" ")
}

/// The payload names, for the labels.
fn names() -> String {
    payloads()
        .iter()
        .map(|(name, _)| *name)
        .collect::<Vec<_>>()
        .join(", ")
}

#[wasm_bindgen_test]
async fn hostile_bodies_are_previewed_verbatim_as_text() {
    let payload = format!("{}\n{}\n{}", all_payloads(), rtl_payload(), nul_payload());
    let url = lab_url(&format!("/b?acao=echo&body={}", enc(&payload)));
    let (page, watch, json) = run(&url, "").await;
    assert_eq!(json.str("outcome").as_deref(), Some("ok"));
    assert_eq!(text(&page, "body-preview"), payload);
    // The preview holds U+202E: the stylesheet keeps its direction from reordering the page around it.
    let _style = PageStyle::load();
    assert_isolated(&page.find("body-preview"), "#body-preview");
    let label = format!("body ({}, rtl-override, nul-bytes)", names());
    assert_inert(&page, &watch, &label).await;
}

#[wasm_bindgen_test]
async fn hostile_exposed_header_values_are_listed_verbatim_as_text() {
    let mut all = payloads();
    all.push(("rtl-override", rtl_payload()));
    let mut query = String::from("/b?acao=echo&aceh=*");
    for (i, (_, payload)) in all.iter().enumerate() {
        query.push_str(&format!(
            "&hdr={}",
            enc(&format!("X-Payload-{i}: {payload}"))
        ));
    }
    let (page, watch, json) = run(&lab_url(&query), "").await;
    assert_eq!(json.str("outcome").as_deref(), Some("ok"));
    let readable = json.strings("readable_headers");
    let details = text(&page, "details");
    for (i, (name, payload)) in all.iter().enumerate() {
        assert!(
            readable.contains(&format!("x-payload-{i}")),
            "{name}: {readable:?}"
        );
        // Header bytes reach JavaScript as Latin-1: U+202E arrives as the three characters of its UTF-8.
        let shown = format!("x-payload-{i}: {}", latin1_of_utf8(payload));
        assert!(details.contains(&shown), "header {name}: {details}");
    }
    let label = format!("headers ({}, rtl-override)", names());
    assert_inert(&page, &watch, &label).await;
}

#[wasm_bindgen_test]
async fn hostile_status_texts_are_shown_verbatim_as_text() {
    let payload = all_payloads();
    let url = lab_url(&format!("/b?acao=echo&reason={}", enc(&payload)));
    let (page, watch, json) = run(&url, "").await;
    assert_eq!(json.str("outcome").as_deref(), Some("ok"));
    let headline = text(&page, "headline");
    assert!(headline.contains(&format!("200 {payload}")), "{headline}");
    let details = text(&page, "details");
    assert!(
        details.contains(&format!("Status 200 {payload};")),
        "{details}"
    );
    assert_inert(&page, &watch, &format!("status text ({})", names())).await;
}

#[wasm_bindgen_test]
async fn hostile_redirect_locations_stay_inert() {
    let payload = all_payloads();
    // A `javascript:` Location (fetch must not follow it), and a lab URL carrying the payloads raw.
    let js = format!("javascript:{payload}");
    let raw = format!("{}?acao=echo&q={payload}", lab_url("/b"));
    for (how, location) in [("javascript", js), ("raw", raw)] {
        let url = lab_url(&format!("/b?acao=echo&redirect={}", enc(&location)));
        let (page, watch, json) = run(&url, "").await;
        let outcome = json.str("outcome").unwrap();
        if how == "javascript" {
            assert_ne!(outcome, "ok", "a javascript: redirect was followed");
        }
        let label = format!("redirect to {how} ({}) -> {outcome}", names());
        assert_inert(&page, &watch, &label).await;
    }
}

/// A hostile `Access-Control-Allow-Origin`: live (the page cannot read it, and must not run anything),
/// then pasted, where the verdict and Chrome's console message quote it.
#[wasm_bindgen_test]
async fn hostile_allow_origin_values_stay_text() {
    let payload = all_payloads();
    let url = lab_url(&format!("/b?acao={}", enc(&payload)));
    let (page, watch, json) = run(&url, "").await;
    assert_eq!(json.str("outcome").as_deref(), Some("blocked"));
    assert_inert(&page, &watch, &format!("acao live ({})", names())).await;
    drop(watch);
    drop(page);

    let page = Mounted::mount();
    set_hash(&format!("url={}", enc(&lab_url("/b"))));
    sleep(50).await;
    let watch = Watch::start(&page.root);
    reset_canary();
    let actual = format!("HTTP/1.1 200 OK\r\nAccess-Control-Allow-Origin: {payload}\r\n\r\n");
    page.textarea("paste-actual").set_value(&actual);
    click(&page, "paste-run");
    let json = page.wait_done(2000).await;
    assert_eq!(json.str("outcome").as_deref(), Some("blocked"));
    let details = text(&page, "details");
    assert!(details.contains(&payload), "{details}");
    assert_inert(&page, &watch, &format!("acao pasted ({})", names())).await;
}

/// The fragment's url, header and body fields (and unknown keys) go into the form, the curl commands
/// and the notices as text, whether the fragment is there on load or arrives by `hashchange`.
#[wasm_bindgen_test]
async fn hostile_permalinks_fill_the_form_as_text() {
    let all = payloads();
    let joined = all_payloads();
    let url = format!(
        "{}?acao=echo&pf_acao=echo&pf_acah=*&q={}",
        lab_url("/b"),
        enc(&joined)
    );
    let mut fragment = format!("url={}&method=POST&body={}", enc(&url), enc(&joined));
    for (i, (_, payload)) in all.iter().enumerate() {
        fragment.push_str(&format!(
            "&header={}&{}=1",
            enc(&format!("X-Payload-{i}:{payload}")),
            enc(payload)
        ));
    }
    for on_load in [true, false] {
        let label = format!(
            "fragment on {} ({})",
            if on_load { "load" } else { "hashchange" },
            names()
        );
        reset_canary();
        if on_load {
            set_hash(&fragment);
        }
        let page = Mounted::mount();
        let watch = Watch::start(&page.root);
        if !on_load {
            set_hash(&fragment);
        }
        sleep(50).await;
        assert_eq!(page.input("url").value(), url, "{label}");
        let body = page.textarea("body");
        assert_eq!(body.value(), joined, "{label}");
        let values = page.root.query_selector_all("#headers .h-value").unwrap();
        assert_eq!(values.length() as usize, all.len(), "{label}");
        let notices = text(&page, "notices");
        for (i, (name, payload)) in all.iter().enumerate() {
            let value: HtmlInputElement = values.item(i as u32).unwrap().dyn_into().unwrap();
            assert_eq!(&value.value(), payload, "{label}: {name}");
            // The unknown key is quoted, cut to a few dozen characters.
            let start: String = payload.chars().take(20).collect();
            assert!(notices.contains(&start), "{label}: {name}: {notices}");
        }
        click(&page, "run");
        let json = page.wait_done(12_000).await;
        assert_eq!(json.str("outcome").as_deref(), Some("ok"), "{label}");
        assert!(text(&page, "curl").contains(MARK), "{label}");
        assert!(text(&page, "body-preview").contains(MARK), "{label}");
        assert_inert(&page, &watch, &label).await;
    }
}

/// "Copy link" of a hostile form: the link is shown as text, is never evaluated, and reopens the same
/// form.
#[wasm_bindgen_test]
async fn copy_link_of_a_hostile_form_is_text_and_round_trips() {
    let payload = all_payloads();
    let page = Mounted::mount();
    let watch = Watch::start(&page.root);
    reset_canary();
    let url = format!("{}?q={payload}", lab_url("/b"));
    page.input("url").set_value(&url);
    click(&page, "add-header");
    let row = |class: &str| -> HtmlInputElement {
        page.root
            .query_selector(&format!("#headers .{class}"))
            .unwrap()
            .unwrap()
            .dyn_into()
            .unwrap()
    };
    row("h-name").set_value("X-Payload");
    row("h-value").set_value(&payload);
    page.textarea("body").set_value(&payload);
    page.find("request-form")
        .dispatch_event(&Event::new("input").unwrap())
        .unwrap();
    click(&page, "copy-link");
    sleep(150).await;
    let status = page.find("link-status");
    assert_eq!(status.child_element_count(), 0);
    let shown = status.text_content().unwrap();
    let fragment = shown
        .split_once('#')
        .map(|(_, tail)| tail.split(' ').next().unwrap().to_string())
        .unwrap_or_else(|| panic!("no link in {shown:?}"));
    assert!(!fragment.contains('<'), "{fragment}");
    assert_inert(&page, &watch, &format!("copy-link ({})", names())).await;
    drop(watch);
    drop(page);

    let page = Mounted::mount();
    set_hash(&fragment);
    sleep(50).await;
    assert_eq!(page.input("url").value(), url);
    let body = page.textarea("body");
    assert_eq!(body.value(), payload);
    let value: HtmlInputElement = page
        .root
        .query_selector("#headers .h-value")
        .unwrap()
        .unwrap()
        .dyn_into()
        .unwrap();
    assert_eq!(value.value(), payload);
    assert_eq!(page.state(), "idle");
    assert_no_panic();
}

/// Hostile curl output in both paste boxes: status texts, header values and a body (a report is
/// drawn), then lines that are not headers at all (an error message); text either way.
#[wasm_bindgen_test]
async fn pasted_hostile_curl_output_is_text() {
    let origin = corscope::page_origin();
    let payload = all_payloads();
    let page = Mounted::mount();
    set_hash(&format!(
        "url={}&method=PUT&header={}",
        enc(&lab_url("/b")),
        enc("X-Api-Key:k")
    ));
    sleep(50).await;
    let watch = Watch::start(&page.root);
    reset_canary();
    let preflight = format!(
        "HTTP/1.1 204 {payload}\r\nAccess-Control-Allow-Origin: {origin}\r\n\
         Access-Control-Allow-Methods: PUT\r\nAccess-Control-Allow-Headers: x-api-key\r\n\
         X-Junk: {payload}\r\n\r\n"
    );
    let actual = format!(
        "HTTP/1.1 200 {payload}\r\nAccess-Control-Allow-Origin: {origin}\r\n\
         Access-Control-Expose-Headers: *\r\nX-Payload: {payload}\r\n\r\n{payload}"
    );
    let area = |id: &str| page.textarea(id);
    area("paste-preflight").set_value(&preflight);
    area("paste-actual").set_value(&actual);
    click(&page, "paste-run");
    let json = page.wait_done(2000).await;
    assert_eq!(
        json.str("outcome").as_deref(),
        Some("ok"),
        "{}",
        text(&page, "paste-error")
    );
    // A pasted report lists the readable header names (not values, status text or body).
    assert!(json
        .strings("readable_headers")
        .contains(&"x-payload".to_string()));
    assert_inert(&page, &watch, &format!("paste allowed ({})", names())).await;

    // A hostile Access-Control-Allow-Methods: the verdict quotes it.
    area("paste-preflight")
        .set_value(&preflight.replace("Methods: PUT\r\n", &format!("Methods: PUT, {payload}\r\n")));
    click(&page, "paste-run");
    sleep(50).await;
    let json = page.wait_done(2000).await;
    assert_eq!(json.str("outcome").as_deref(), Some("blocked"));
    let report = text(&page, "report");
    assert!(report.contains(MARK), "{report}");
    assert_inert(&page, &watch, &format!("paste blocked ({})", names())).await;

    // The payloads as lines of their own: not `Name: value`, so an error that quotes them.
    let garbage = payloads()
        .into_iter()
        .map(|(_, text)| text)
        .collect::<Vec<_>>()
        .join("\r\n");
    area("paste-preflight").set_value(&format!("HTTP/1.1 204 No Content\r\n{garbage}"));
    area("paste-actual").set_value(&garbage);
    click(&page, "paste-run");
    sleep(50).await;
    let error = text(&page, "paste-error");
    assert!(error.contains("Name: value"), "{error}");
    assert!(
        error.contains(&garbage.chars().take(20).collect::<String>()),
        "{error}"
    );
    assert_inert(&page, &watch, &format!("paste garbage ({})", names())).await;
}

/// 1 MiB of `<img onerror>` tags as a body: the preview is cut at 64 KiB and shown as text, the run ends
/// well within its timeout, the page keeps answering timers meanwhile, and a next run works.
#[wasm_bindgen_test]
async fn a_1_mib_hostile_body_is_capped_and_the_page_stays_responsive() {
    let payload = format!("<img src=x onerror=\"window.{CANARY}='big'\">{MARK}");
    let url = lab_url(&format!(
        "/b?acao=echo&body={}&body_bytes=1048576",
        enc(&payload)
    ));
    let page = Mounted::mount();
    let watch = Watch::start(&page.root);
    reset_canary();
    let performance = web_sys::window().unwrap().performance().unwrap();
    let start = performance.now();
    set_hash(&format!("url={}&timeout_ms=8000&run=1", enc(&url)));
    let mut last = start;
    let mut longest_gap = 0.0f64;
    while page.state() != "done" {
        assert!(
            performance.now() - start < 9000.0,
            "not done after 9 s (timeout 8 s): {}",
            page.state()
        );
        sleep(25).await;
        let now = performance.now();
        longest_gap = longest_gap.max(now - last);
        last = now;
    }
    let elapsed = performance.now() - start;
    let json = Json::parse(&text(&page, "report-json"));
    assert_eq!(json.str("outcome").as_deref(), Some("ok"));
    assert_eq!(json.bool("body_truncated"), Some(true));
    let preview = text(&page, "body-preview");
    assert!(preview.len() <= 64 * 1024, "{} bytes", preview.len());
    assert!(preview.starts_with(&payload.repeat(3)));
    assert!(text(&page, "details").contains("preview cut at 64 KiB"));
    web_sys::console::log_1(
        &format!(
            "1 MiB hostile body: done in {elapsed:.0} ms, longest timer gap {longest_gap:.0} ms"
        )
        .into(),
    );
    assert!(
        longest_gap < 1000.0,
        "the page froze for {longest_gap:.0} ms"
    );
    assert_inert(&page, &watch, "1 MiB body").await;

    page.input("url").set_value(&lab_url("/b?acao=echo"));
    click(&page, "run");
    sleep(50).await;
    let json = page.wait_done(8000).await;
    assert_eq!(json.str("outcome").as_deref(), Some("ok"));
    assert_no_panic();
}

/// Backticks in server text: the page renders the model's prose with CommonMark code spans as `<code>`.
/// Header lines go in as plain text, and the status text goes into the headline as one code span (the
/// model's `text::code`), so the server's backticks are shown verbatim and never split a `<code>`.
#[wasm_bindgen_test]
async fn backticks_in_server_text_stay_verbatim() {
    let payload = format!("a`<img src=x onerror=\"window.{CANARY}='tick'\">``{MARK}`b");
    let url = lab_url(&format!(
        "/b?acao=echo&aceh=X-Tick&hdr={}&reason={}",
        enc(&format!("X-Tick: {payload}")),
        enc(&payload)
    ));
    let (page, watch, json) = run(&url, "").await;
    assert_eq!(json.str("outcome").as_deref(), Some("ok"));
    let _style = PageStyle::load();
    for (id, shown) in [
        ("details", format!("x-tick: {payload}")),
        ("headline", format!("200 {payload}")),
    ] {
        let text = text(&page, id);
        assert!(text.contains(&shown), "#{id} lost the backticks: {text:?}");
        // A <code> holding any of the payload holds all of it (a split would leave pieces in several).
        let codes = page.find(id).query_selector_all("code").unwrap();
        for i in 0..codes.length() {
            let code: Element = codes.item(i).unwrap().dyn_into().unwrap();
            let inside = code.text_content().unwrap_or_default();
            if inside.contains(MARK) || inside.contains("<img") {
                assert_eq!(inside, payload, "#{id}: a <code> holds part of the payload");
            }
            assert_isolated(&code, &format!("#{id} code"));
        }
    }
    assert_eq!(
        page.find("headline")
            .query_selector_all("code")
            .unwrap()
            .length(),
        1,
        "the status text is one code span"
    );
    assert_inert(
        &page,
        &watch,
        "backticks in a header value and the status text",
    )
    .await;
}
