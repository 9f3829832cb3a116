//! The interactive page, mounted into the test page: permalinks, the report contract, text-only
//! rendering, live classification, the paste path.

use wasm_bindgen::JsCast;
use wasm_bindgen_test::wasm_bindgen_test;
use web_sys::{Event, HtmlElement, HtmlSelectElement};

use super::{assert_no_panic, click, lab_url, set_hash, sleep, Mounted};

/// `encodeURIComponent`, as permalinks need.
fn enc(text: &str) -> String {
    String::from(js_sys::encode_uri_component(text))
}

/// Tells the form its fields changed (as typing does).
fn changed(page: &Mounted) {
    page.find("request-form")
        .dispatch_event(&Event::new("input").unwrap())
        .unwrap();
}

#[wasm_bindgen_test]
async fn permalink_with_run_publishes_the_report_contract() {
    let page = Mounted::mount();
    assert_eq!(page.state(), "idle");
    set_hash(&format!(
        "url={}&method=GET&mode=cors&credentials=omit&run=1",
        enc(&lab_url("/b?acao=echo"))
    ));
    let json = page.wait_done(8000).await;
    for key in [
        "outcome",
        "cors_error",
        "failed_parameter",
        "certain",
        "candidates",
        "fault_response",
        "fault_header",
        "preflight",
        "status",
        "readable_headers",
        "probes",
        "elapsed_ms",
    ] {
        assert!(json.has(key), "report-json lacks {key}");
    }
    assert_eq!(json.str("outcome").as_deref(), Some("ok"));
    assert!(json.is_null("cors_error"));
    assert!(json.is_null("failed_parameter"));
    assert_eq!(json.bool("preflight"), Some(false));
    assert_eq!(json.num("status"), Some(200.0));
    assert!(json
        .strings("readable_headers")
        .contains(&"content-type".to_string()));
    assert!(json.strings("candidates").is_empty());
    assert!(json.num("elapsed_ms").is_some());
    assert_eq!(page.input("url").value(), lab_url("/b?acao=echo"));
    assert_no_panic();
}

#[wasm_bindgen_test]
async fn blocked_request_lists_probes_in_the_report() {
    let page = Mounted::mount();
    set_hash(&format!("url={}&run=1", enc(&lab_url("/b?acao=none"))));
    let json = page.wait_done(8000).await;
    assert_eq!(json.str("outcome").as_deref(), Some("blocked"));
    assert_eq!(json.str("fault_response").as_deref(), Some("actual"));
    let probes = json.array("probes");
    assert!(!probes.is_empty());
    for probe in &probes {
        assert!(probe.str("name").is_some());
        assert!(probe.str("outcome").is_some());
        assert!(probe.num("ms").is_some());
    }
    assert_eq!(page.count("#probes li") as usize, probes.len());
    assert_no_panic();
}

/// A hostile response body and hostile header values are shown as text: no element is created from
/// them and no script runs.
#[wasm_bindgen_test]
async fn hostile_text_stays_text() {
    let payload = "<img src=x onerror=\"window.__corscope_pwned=1\"><svg onload=\"window.__corscope_pwned=2\"></svg><script>window.__corscope_pwned=3</script>";
    let page = Mounted::mount();
    let before_img = page.count("img");
    set_hash(&format!(
        "url={}&method=POST&header={}&body={}&run=1",
        enc(&lab_url("/b?acao=echo&pf_acao=echo&pf_acah=x-payload")),
        enc(&format!("X-Payload:{payload}")),
        enc(payload),
    ));
    let json = page.wait_done(8000).await;
    assert_eq!(
        json.str("outcome").as_deref(),
        Some("ok"),
        "{:?}",
        json.str("headline")
    );
    sleep(100).await;
    assert_eq!(page.count("img"), before_img);
    assert_eq!(page.count("svg"), 0);
    // The only script element is the report's JSON block.
    assert_eq!(page.count("script"), 1);
    let preview = page.find("body-preview").text_content().unwrap();
    assert!(preview.contains("<img src=x"), "{preview}");
    let pwned = js_sys::Reflect::get(&js_sys::global(), &"__corscope_pwned".into()).unwrap();
    assert!(pwned.is_undefined(), "a payload ran");
    assert_no_panic();
}

/// Payloads from the usual XSS lists in every place untrusted text reaches: a header echoed in the body,
/// the URL (shown back in the refusal message), the fragment's notices.
#[wasm_bindgen_test]
async fn xss_payloads_stay_inert() {
    let payloads = [
        "<script>window.__corscope_pwned=1</script>",
        "\"><img src=x onerror=window.__corscope_pwned=1>",
        "<svg/onload=window.__corscope_pwned=1>",
        "<iframe srcdoc=\"<script>parent.__corscope_pwned=1</script>\">",
        "&lt;img src=x onerror=window.__corscope_pwned=1&gt;",
        "\u{202e}gnp.exe<a href=javascript:window.__corscope_pwned=1>x</a>",
    ];
    for payload in payloads {
        let page = Mounted::mount();
        set_hash(&format!(
            "url={}&header={}&run=1&{}=1",
            enc(&lab_url("/b?acao=echo&pf_acao=echo&pf_acah=x-payload")),
            enc(&format!("X-Payload:{payload}")),
            enc(payload),
        ));
        let json = page.wait_done(8000).await;
        // Non-Latin-1 text cannot be a header value: fetch() refuses it, and so does the page.
        let outcome = json.str("outcome").unwrap();
        assert!(
            outcome == "ok" || outcome == "invalid-request",
            "{outcome} for {payload}"
        );
        for tag in ["img", "svg", "iframe", "a"] {
            assert_eq!(page.count(tag), 0, "{tag} from {payload}");
        }
        drop(page);

        let page = Mounted::mount();
        set_hash(&format!(
            "url={}&run=1",
            enc(&format!("javascript:{payload}"))
        ));
        let json = page.wait_done(4000).await;
        // Refused before sending: `javascript:` is not a scheme CORS requests can use.
        assert_ne!(json.str("outcome").as_deref(), Some("ok"), "{payload}");
        for tag in ["img", "svg", "iframe", "a"] {
            assert_eq!(page.count(tag), 0, "{tag} from {payload}");
        }
        assert_eq!(page.count("script"), 1);
        drop(page);
    }
    sleep(100).await;
    let pwned = js_sys::Reflect::get(&js_sys::global(), &"__corscope_pwned".into()).unwrap();
    assert!(pwned.is_undefined(), "a payload ran");
    assert_no_panic();
}

#[wasm_bindgen_test]
async fn garbage_in_the_fragment_is_ignored_with_notices() {
    let page = Mounted::mount();
    set_hash(&format!(
        "url={}&mode=fast&zzz=1&timeout_ms=soon&header=nocolon",
        enc(&lab_url("/b?acao=echo"))
    ));
    sleep(100).await;
    assert!(
        page.count("#notices li") >= 3,
        "{:?}",
        page.find("notices").text_content()
    );
    assert_eq!(page.input("url").value(), lab_url("/b?acao=echo"));
    assert_eq!(page.state(), "idle");
    click(&page, "run");
    let json = page.wait_done(8000).await;
    assert_eq!(json.str("outcome").as_deref(), Some("ok"));
    assert_no_panic();
}

#[wasm_bindgen_test]
async fn live_classification_and_field_errors() {
    let page = Mounted::mount();
    page.input("url").set_value("not a url");
    changed(&page);
    let error = page.find("url-error");
    assert!(!error.has_attribute("hidden"));
    assert!(!error.text_content().unwrap().is_empty());

    page.input("url").set_value(&lab_url("/b"));
    page.input("method").set_value("PUT");
    changed(&page);
    assert!(page.find("url-error").has_attribute("hidden"));
    let text = page.find("classification").text_content().unwrap();
    assert!(text.contains("Preflight"), "{text}");

    page.input("method").set_value("TRACE");
    changed(&page);
    assert!(!page.find("method-error").has_attribute("hidden"));

    // Running invalid input still finishes, as `invalid-request`, and the page stays usable.
    click(&page, "run");
    let json = page.wait_done(2000).await;
    assert_eq!(json.str("outcome").as_deref(), Some("invalid-request"));
    page.input("method").set_value("GET");
    page.input("url").set_value(&lab_url("/b?acao=echo"));
    click(&page, "run");
    sleep(50).await;
    let json = page.wait_done(8000).await;
    assert_eq!(json.str("outcome").as_deref(), Some("ok"));
    assert_no_panic();
}

#[wasm_bindgen_test]
async fn secrets_in_a_link_are_warned_about() {
    let page = Mounted::mount();
    set_hash(&format!(
        "url={}&header={}",
        enc(&lab_url("/b")),
        enc("Authorization:Bearer abc")
    ));
    sleep(100).await;
    let status = page.find("link-status").text_content().unwrap();
    assert!(status.to_lowercase().contains("authorization"), "{status}");
    assert_no_panic();
}

/// A pasted answer after a redirect to another origin that carries back the origin curl sent: the browser
/// sends `Origin: null` there, so an echoing server answers it otherwise, and the report says so.
#[wasm_bindgen_test]
async fn pasted_origin_after_a_cross_origin_redirect_warns_of_origin_null() {
    let page = Mounted::mount();
    set_hash(&format!("url={}&method=GET", enc(&lab_url("/b"))));
    sleep(100).await;
    let origin = corscope::page_origin();
    let actual = format!(
        "HTTP/1.1 302 Found\r\nLocation: http://other.example/final\r\nAccess-Control-Allow-Origin: {origin}\r\n\r\n\
         HTTP/1.1 200 OK\r\nAccess-Control-Allow-Origin: {origin}\r\n\r\n"
    );
    page.textarea("paste-actual").set_value(&actual);
    click(&page, "paste-run");
    let json = page.wait_done(2000).await;
    assert_eq!(
        json.str("cors_error").as_deref(),
        Some("AllowOriginMismatch")
    );
    let warnings = json.strings("warnings").join(" ");
    assert!(warnings.contains("-H 'Origin: null'"), "{warnings}");
    assert!(warnings.contains("other.example"), "{warnings}");
    assert_no_panic();
}

/// Pasting the raw preflight answer gives the exact verdict, code and parameter.
#[wasm_bindgen_test]
async fn pasted_headers_give_the_exact_verdict() {
    let page = Mounted::mount();
    set_hash(&format!(
        "url={}&method=PUT&header={}",
        enc(&lab_url("/b")),
        enc("X-Api-Key:k")
    ));
    sleep(100).await;
    let origin = corscope::page_origin();
    let preflight = format!(
        "HTTP/1.1 204 No Content\r\nAccess-Control-Allow-Origin: {origin}\r\nAccess-Control-Allow-Methods: PUT\r\n\r\n"
    );
    page.textarea("paste-preflight").set_value(&preflight);
    click(&page, "paste-run");
    let json = page.wait_done(2000).await;
    assert_eq!(json.str("outcome").as_deref(), Some("blocked"));
    assert_eq!(
        json.str("cors_error").as_deref(),
        Some("HeaderDisallowedByPreflightResponse")
    );
    assert_eq!(json.str("failed_parameter").as_deref(), Some("x-api-key"));
    assert_eq!(json.bool("certain"), Some(true));
    let console = page.find("details").text_content().unwrap();
    assert!(
        console.contains("Access-Control-Allow-Headers"),
        "{console}"
    );

    // The fix for the chosen stack names the header, and the choice is remembered.
    let stack: HtmlSelectElement = page.find("stack").dyn_into().unwrap();
    stack.set_value("fastapi");
    stack
        .dispatch_event(&Event::new("change").unwrap())
        .unwrap();
    let fix = page.find("fixes").text_content().unwrap();
    assert!(fix.contains("CORSMiddleware"), "{fix}");
    assert!(fix.to_lowercase().contains("x-api-key"), "{fix}");
    let storage = web_sys::window().unwrap().local_storage().unwrap().unwrap();
    assert_eq!(
        storage.get_item("corscope.stack").unwrap().as_deref(),
        Some("fastapi")
    );
    assert_no_panic();
}

/// The remembered stack is read only when a fix first needs it (not at start-up), and a permalink's
/// stack wins over it.
#[wasm_bindgen_test]
async fn the_remembered_stack_is_read_when_a_fix_needs_it() {
    let storage = web_sys::window().unwrap().local_storage().unwrap().unwrap();
    storage.set_item("corscope.stack", "nginx").unwrap();
    let page = Mounted::mount();
    let stack: HtmlSelectElement = page.find("stack").dyn_into().unwrap();
    assert_ne!(
        stack.value(),
        "nginx",
        "the stored stack was read at start-up"
    );
    set_hash(&format!("url={}&run=1", enc(&lab_url("/b?acao=none"))));
    let json = page.wait_done(8000).await;
    assert_eq!(json.str("outcome").as_deref(), Some("blocked"));
    assert_eq!(stack.value(), "nginx");
    let fix = page.find("fixes").text_content().unwrap();
    assert!(fix.contains("add_header"), "{fix}");
    drop(page);

    let page = Mounted::mount();
    set_hash(&format!(
        "url={}&stack=express&run=1",
        enc(&lab_url("/b?acao=none"))
    ));
    page.wait_done(8000).await;
    let stack: HtmlSelectElement = page.find("stack").dyn_into().unwrap();
    assert_eq!(stack.value(), "express");
    storage.remove_item("corscope.stack").unwrap();
    assert_no_panic();
}

/// Presets are read from the lab's catalogue only when opened; choosing one fills the form.
#[wasm_bindgen_test]
async fn presets_load_the_lab_catalogue_on_demand() {
    let page = Mounted::mount();
    let presets = page.find("presets");
    assert!(
        !presets.has_attribute("data-state"),
        "fetched before being opened"
    );
    presets.set_attribute("open", "").unwrap();
    let mut waited = 0;
    while presets.get_attribute("data-state").as_deref() != Some("loaded") {
        assert!(
            waited < 5000,
            "presets not loaded: {:?} {:?}",
            presets.get_attribute("data-state"),
            presets.text_content()
        );
        sleep(25).await;
        waited += 25;
    }
    let buttons = page.root.query_selector_all("#preset-list button").unwrap();
    assert!(
        buttons.length() >= 10,
        "{} presets: {:?}",
        buttons.length(),
        presets.text_content()
    );
    let first: HtmlElement = buttons.item(0).unwrap().dyn_into().unwrap();
    first.click();
    sleep(50).await;
    assert!(
        page.input("url").value().contains("/s/"),
        "{}",
        page.input("url").value()
    );
    assert_eq!(page.state(), "idle");
    assert_no_panic();
}

/// The panic hook's marking: `#report` says `failed` and the message is kept, so a panic anywhere in
/// the page fails every later `assert_no_panic`.
#[wasm_bindgen_test]
async fn a_panic_marks_the_report_failed() {
    let page = Mounted::mount();
    corscope::mark_failed("test panic");
    assert_eq!(page.state(), "failed");
    assert_eq!(corscope::panic_message().as_deref(), Some("test panic"));
    corscope::clear_panic();
    assert_no_panic();
}

/// "Copy link" shows (and copies, when allowed) a link whose fragment reopens the same form.
#[wasm_bindgen_test]
async fn copy_link_round_trips_the_form() {
    let page = Mounted::mount();
    page.input("url").set_value(&lab_url("/b?acao=echo&x=a+b"));
    page.input("method").set_value("PATCH");
    click(&page, "copy-link");
    sleep(200).await;
    let status = page.find("link-status").text_content().unwrap();
    let fragment = status
        .split_once('#')
        .map(|(_, tail)| tail.split(' ').next().unwrap().to_string())
        .unwrap_or_else(|| panic!("no link in {status:?}"));
    drop(page);

    let page = Mounted::mount();
    set_hash(&fragment);
    sleep(100).await;
    assert_eq!(page.input("url").value(), lab_url("/b?acao=echo&x=a+b"));
    assert_eq!(page.input("method").value(), "PATCH");
    assert_eq!(page.state(), "idle");
    assert_no_panic();
}
